/* SPDX-License-Identifier: MIT */
/*
 * an3155.c - AN3155 engine core: the handle, link I/O, framing, resync,
 * retries and messages. Connect/reconnect are in an3155_conn.c, memory
 * commands in an3155_mem.c, erase/go/protection in an3155_cmd.c.
 * Facts cite protocol-facts.md.
 */
#include "an3155_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BUSY bytes accepted per reply when no clock is given (an3155.h, now_ms). */
enum { A3_MAX_BUSY = 64 };

void an3155_default_opts(struct an3155_opts *o)
{
	*o = (struct an3155_opts){
		.t = {
			.sync_ms = 500,
			.ack_ms = 1000,
			.xfer_ms = 3000,
			.write_ms = 1000,
			.page_erase_ms = 5000,
			.mass_erase_ms = 35000,
			.protect_ms = 1000,
			.unprotect_ms = 35000,
			.crc_ms = 10000,
			.resync_ms = 100,
			.settle_ms = 100,
			.unprotect_settle_ms = 2000,
		},
		.sync_tries = 3,
		.retries = 3,
		.resync_probes = 32,
		.write_unit = 8,
		.erased_value = 0xFF,
		.erase_chunk = 128,
		.latency_ms = 16,
		.slack_ms = 25,
		.late_ms = 4000,
	};
}

static bool opts_ok(const struct an3155_opts *o)
{
	unsigned u = o->write_unit;

	return u && !(u & (u - 1)) && u <= A3_BLOCK && o->erase_chunk >= 1 &&
	       o->erase_chunk <= 511 && o->sync_tries >= 1;
}

int an3155_new(struct an3155 **out, const struct sb_link *link, const struct sb_log *log,
	       const struct an3155_opts *opts)
{
	struct an3155 *b;
	struct an3155_opts o;

	if (!out)
		return SB_ERR_BAD_INPUT;
	*out = NULL;
	if (!link || !link->ops || !link->ops->write || !link->ops->read)
		return SB_ERR_BAD_INPUT;
	if (opts)
		o = *opts;
	else
		an3155_default_opts(&o);
	if (!opts_ok(&o))
		return SB_ERR_BAD_INPUT;
	b = calloc(1, sizeof(*b));
	if (!b)
		return SB_ERR_NOMEM;
	b->link = *link;
	if (log)
		b->log = *log;
	b->o = o;
	b->state = A3_IDLE;
	b->bad = -1;
	b->wframe = b->rframe = A3_BLOCK;
	*out = b;
	return SB_OK;
}

void an3155_free(struct an3155 *b)
{
	free(b);
}

void an3155_set_part(struct an3155 *b, unsigned page_erase_ms, unsigned mass_erase_ms,
		     unsigned prog_us, unsigned write_unit)
{
	b->o.t_page_erase_ms = page_erase_ms;
	b->o.t_mass_erase_ms = mass_erase_ms;
	b->o.t_prog_us = prog_us;
	if (write_unit && !(write_unit & (write_unit - 1)) && write_unit <= A3_BLOCK)
		b->o.write_unit = write_unit;
}

void an3155_set_erased_value(struct an3155 *b, uint8_t erased_value)
{
	b->o.erased_value = erased_value;
}

const struct an3155_info *an3155_info(const struct an3155 *b)
{
	return &b->info;
}

bool an3155_has(const struct an3155 *b, uint8_t code)
{
	for (unsigned i = 0; i < b->info.ncmd; i++)
		if (b->info.cmd[i] == code)
			return true;
	return false;
}

/* ---- link I/O ------------------------------------------------------------ */

int a3_tx(struct an3155 *b, const uint8_t *buf, size_t n)
{
	sb_log_hex(&b->log, "an3155 tx", buf, n);
	b->last_tx = n;
	return b->link.ops->write(b->link.h, buf, n, b->o.t.xfer_ms);
}

/* ---- deadlines that fit the reply ---------------------------------------- */

/* Microseconds n bytes take on the line: 11 bit-times each (8E1, facts A.1). */
static uint64_t wire_us(const struct an3155 *b, size_t n)
{
	return (uint64_t)n * 11u * 1000000u / b->o.baud;
}

unsigned a3_deadline(const struct an3155 *b, size_t rx, uint64_t work_us, unsigned fixed_ms)
{
	uint64_t us;

	if (!b->o.baud)
		return fixed_ms;
	/*
	 * The frame just written may still be in the host's and the adapter's
	 * buffers (write() returns once it is queued), so its bytes count too;
	 * then the device's work and the reply. x1.25 on the wire covers the
	 * ROM's autobaud error and gaps between bytes, x1.5 on the flash the
	 * spread of its times; latency once each way; slack for scheduling
	 * (an3155.h, an3155_opts.baud: how it was chosen and measured).
	 */
	us = wire_us(b, b->last_tx + rx) * 5 / 4 + work_us * 3 / 2;
	return (unsigned)(us / 1000u) + 1u + 2u * b->o.latency_ms + b->o.slack_ms;
}

/* Up to n bytes; returns the count (short = silence) or a link error. */
static int rx_some(struct an3155 *b, uint8_t *buf, size_t n, unsigned ms)
{
	int r = b->link.ops->read(b->link.h, buf, n, ms);

	if (r > 0)
		sb_log_hex(&b->log, "an3155 rx", buf, (size_t)r);
	return r;
}

int a3_rx(struct an3155 *b, uint8_t *buf, size_t n, unsigned ms)
{
	uint64_t t0 = b->o.now_ms && b->log.fn && b->log.max >= SB_LOG_TRACE ? b->o.now_ms(b->o.now_ctx) : 0;
	int r = rx_some(b, buf, n, ms);

	/* How much of a deadline a reply used: the data behind slack_ms. */
	if (t0 && r == (int)n)
		sb_logf(&b->log, SB_LOG_TRACE, "an3155 reply: %zu bytes in %llu of %u ms", n,
			(unsigned long long)(b->o.now_ms(b->o.now_ctx) - t0), ms);
	if (r < 0)
		return r;
	if ((size_t)r < n) {
		sb_logf(&b->log, SB_LOG_DEBUG, "an3155: timeout after %d of %zu bytes (%u ms)",
			r, n, ms);
		return SB_ERR_TIMEOUT;
	}
	return SB_OK;
}

static uint64_t clock_ms(const struct an3155 *b)
{
	return b->o.now_ms ? b->o.now_ms(b->o.now_ctx) : 0;
}

int a3_wait_ack(struct an3155 *b, unsigned ms)
{
	uint64_t deadline = clock_ms(b) + ms;
	unsigned busy = 0, left = ms;

	for (;;) {
		uint8_t c;
		int r = a3_rx(b, &c, 1, left);

		if (r)
			return r;
		if (c == A3_ACK)
			return SB_OK;
		if (c == A3_NACK)
			return SB_ERR_NACK;
		if (c != A3_BUSY) {
			b->bad = c;
			return SB_ERR_FRAMING;
		}
		/* BUSY: keep waiting until the deadline (facts A.2). */
		if (b->o.now_ms) {
			uint64_t t = clock_ms(b);
			if (t >= deadline)
				return SB_ERR_TIMEOUT;
			left = (unsigned)(deadline - t);
		} else if (++busy > A3_MAX_BUSY) {
			return SB_ERR_TIMEOUT;
		}
	}
}

void a3_sleep(struct an3155 *b, unsigned ms)
{
	if (ms && b->link.ops->sleep_ms)
		b->link.ops->sleep_ms(b->link.h, ms);
}

int a3_flush(struct an3155 *b)
{
	return b->link.ops->flush ? b->link.ops->flush(b->link.h) : SB_OK;
}

/* ---- framing (facts A.3) ------------------------------------------------- */

uint8_t a3_xor(const uint8_t *buf, size_t n)
{
	uint8_t x = 0;

	for (size_t i = 0; i < n; i++)
		x ^= buf[i];
	return x;
}

int a3_cmd(struct an3155 *b, uint8_t code)
{
	/* The second byte is the complement: the pair XORs to 0xFF (facts A.3). */
	const uint8_t f[2] = { code, (uint8_t)~code };
	int r;

	b->stage = A3_ST_CMD;
	b->bad = -1;
	r = a3_tx(b, f, sizeof(f));
	return r ? r : a3_wait_ack(b, a3_deadline(b, 1, 0, b->o.t.ack_ms));
}

int a3_word(struct an3155 *b, enum a3_stage st, uint32_t v)
{
	/* Big-endian, then the XOR of the four bytes (facts A.3). */
	uint8_t f[5] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v, 0 };

	f[4] = a3_xor(f, 4);
	return a3_send_acked(b, st, f, sizeof(f), 0, b->o.t.ack_ms);
}

int a3_addr(struct an3155 *b, uint32_t addr)
{
	return a3_word(b, A3_ST_ADDR, addr);
}

int a3_send_acked(struct an3155 *b, enum a3_stage stage, const uint8_t *f, size_t n,
		  uint64_t work_us, unsigned fixed_ms)
{
	int r;

	b->stage = stage;
	r = a3_tx(b, f, n);
	return r ? r : a3_wait_ack(b, a3_deadline(b, 1, work_us, fixed_ms));
}

/* ---- resync (facts A.1 last row) ----------------------------------------- */

/*
 * Resync filler and burst sizes.
 *
 * stm32flash resyncs with "FF 00" (facts A.1 last row). Those two bytes are
 * only harmless when the ROM waits for a command. A ROM that lost our frame
 * sync is often inside a longer phase, and there FF/00 can complete a VALID
 * frame: after a lost address ACK of Write Memory, FF is taken as N (256 data
 * bytes) and the FF/00 stream that follows is data whose XOR checksum
 * (facts A.3) matches for some alignments - the ROM then programs garbage that
 * an L4 double-word cannot lose again (facts A.7). In the Extended Erase count
 * phase "FF FF 00" is even the global mass erase code (facts A.5).
 *
 * 0x02 cannot complete a valid frame in any phase that only our filler fills:
 *  - command (facts A.3): 02 02 is no code/complement pair (02 FD); the only
 *    pair ending in 02 is FD 02, and 0xFD is no command (facts A.4) -> NACK;
 *  - address + XOR (Read, Write, Go, Get Checksum; facts A.3/A.5):
 *    XOR(02 02 02 02) = 00, not 02 -> NACK;
 *  - Read Memory length "N ~N": 02 02 -> NACK;
 *  - Write Memory / Write Protect / legacy Erase block "N d0..dN X": N = 02,
 *    three bytes, X: XOR(02 02 02 02) = 00 != 02 -> NACK (5 bytes in all);
 *    (N = FF, the legacy global erase, needs a 00 that we never send);
 *  - Extended Erase "Nhi Nlo P.. X": 0x0202 is no special code (0xFFFx), and
 *    the 0x203 pages (1031 bytes after the count) XOR to 00 with the count,
 *    X = 02 -> NACK (and 515 pages exceed any part);
 *  - Get Checksum length (4 bytes + XOR): as the address -> NACK;
 *  - 0x50/0x51 (OBL only, facts A.5): "OPhi OPlo X" and "Lhi Llo data X"
 *    (L = 0x0202) both hold an even number of 02 before X: XOR 00 != 02 -> NACK.
 * So a NACK after one of our single bytes means the ROM just ended a frame and
 * waits for a command (facts A.2). What remains: a ROM that already holds
 * part of a REAL frame (a byte of ours was lost) takes our filler as the rest
 * of it, and its checksum matches about 1 time in 256 (one lost byte of a
 * data block: exactly when that byte was 0x02). For a Write Memory data frame
 * that programs wrong data; write_block() in an3155_mem.c reads back every
 * block whose data phase was reached, so that is reported as SB_ERR_VERIFY,
 * never as a good write.
 *
 * Bursts: after two silent single bytes the ROM is inside a longer phase
 * (or busy: a reply that comes late). A3_BURST = 258 bytes is the longest
 * Write Memory data phase (N, 256 bytes, X; facts A.5), so one burst ends any
 * write data phase; four end the longest phase our filler can start itself
 * (Extended Erase, 2 + 1031 bytes).
 *
 * A late reply: a ROM still busy with our command (a slow erase, a stalled
 * reply) answers it with ACK or NACK some time after our deadline passed.
 * A filler draws an ACK only by completing a frame whose checksum it matches
 * by chance (above), so an ACK seen while re-synchronising is almost always
 * that late reply: b->late_ack records it for logs. Callers do not trust it:
 * a write is read back, an erase is sent again (erasing an erased page is
 * harmless). The fillers sent meanwhile are lost
 * (overrun) or taken as an opcode once the ROM is free, and the single-byte
 * probes that follow end that. So the resync keeps probing for late_ms
 * (default 4 s) before it declares the ROM lost; without a clock it is
 * bounded by opts.resync_probes silent probes instead. Stray bytes are
 * bounded by A3_STRAY_MAX (a babbling line).
 */
enum {
	A3_FILL = 0x02,
	A3_BURST = 258,
	/* A burst answered in the command phase gives up to A3_BURST / 2 NACKs; with
	 * the rest of a 256-byte reply drained first and a noisy line, 4096 is far
	 * above what a live ROM sends, and bounds a babbling line. */
	A3_STRAY_MAX = 4096,
	A3_ANSWERED_MAX = 16,
};

enum { RS_SILENT, RS_NACK, RS_OTHER };

/* Silence that ends one resync probe: a round trip of one byte. */
static unsigned probe_ms(const struct an3155 *b)
{
	return a3_deadline(b, 1, 0, b->o.t.resync_ms);   /* resync_ms without a baud */
}

/* Read what the ROM sends until silence (or a NACK, with stop_at_nack). */
static int collect(struct an3155 *b, size_t *seen, bool stop_at_nack)
{
	int got = 0, nack = 0;

	for (;;) {
		uint8_t c;
		int r = rx_some(b, &c, 1, probe_ms(b));

		if (r < 0)
			return r;
		if (r == 0)
			return nack ? RS_NACK : got ? RS_OTHER : RS_SILENT;
		if (++*seen > A3_STRAY_MAX)
			return SB_ERR_FRAMING;
		if (c == A3_ACK)
			b->late_ack = true;
		nack = c == A3_NACK;
		if (nack && stop_at_nack)
			return RS_NACK;
		got = 1;
	}
}

/* Send one filler byte, or a burst and wait until it has left the host, so
 * that the silence that follows is measured from its last byte. */
static int send_fill(struct an3155 *b, bool single)
{
	uint8_t fill[A3_BURST];
	int r;

	memset(fill, A3_FILL, sizeof(fill));
	if (single && b->probe) {   /* the first probe after a lost data byte: a3_pick_probe() */
		fill[0] = b->probe;
		b->probe = 0;
	}
	r = a3_tx(b, fill, single ? 1 : sizeof(fill));
	if (r == SB_OK && !single && b->link.ops->drain)
		r = b->link.ops->drain(b->link.h);
	return r;
}

/* Still worth probing? By the clock when there is one, else by counting. */
static bool keep_probing(struct an3155 *b, uint64_t t0, unsigned silent, unsigned answered)
{
	if (answered >= A3_ANSWERED_MAX)
		return false;
	if (b->o.now_ms)
		return b->o.now_ms(b->o.now_ctx) - t0 < b->o.late_ms;
	return silent < b->o.resync_probes;
}

/*
 * Single bytes first, waiting one probe time for an answer after each: a
 * NACK to a single byte ends a frame we completed, so nothing of ours is
 * pending (see above). A NACK to the very first byte, with nothing else
 * heard, means the ROM was still inside our frame (a byte of it was lost)
 * and has now refused it: b->rejected tells the caller that nothing was
 * programmed (an ACK would have come instead, had our filler completed the
 * frame with a matching checksum). After two silent single bytes, bursts until something
 * answers; drain the answers (NACKs for the pairs of the burst that the ROM
 * took as commands) until silence, then single bytes again to find the
 * alignment: the ROM may hold the last byte of the burst as an opcode, and
 * then the next single byte is NACKed at once.
 */
static int resync_probe(struct an3155 *b, size_t *seen)
{
	unsigned silent = 0, answered = 0, quiet = 0;
	uint64_t t0 = b->o.now_ms ? b->o.now_ms(b->o.now_ctx) : 0;
	int r;

	while (keep_probing(b, t0, silent, answered)) {
		bool single = quiet < 2;

		r = send_fill(b, single);
		if (r)
			return r;
		/* After a single byte nothing of ours is pending once a NACK comes;
		 * after a burst the rest of it may still be answered: wait for silence. */
		r = collect(b, seen, single);
		if (r < 0)
			return r;
		if (single && r == RS_NACK) {
			bool messy = answered || silent >= 2;

			/* After bursts or stray answers the NACK may be a late one of
			 * an earlier byte: it counts only if silence follows it. */
			if (messy && (r = collect(b, seen, false)) != RS_SILENT) {
				if (r < 0)
					return r;
				answered++;
				quiet = 0;
				continue;
			}
			b->rejected = !messy && silent == 0 && *seen == 1 && !b->late_ack;
			b->clean_sync = !messy && !b->late_ack;
			return SB_OK;
		}
		if (r == RS_SILENT) {
			silent++;
			quiet++;
		} else {
			answered++;
			quiet = 0;
		}
	}
	return *seen ? SB_ERR_FRAMING : SB_ERR_TIMEOUT;
}

/*
 * After silent 0x7F bytes (an3155_conn.c): one burst, then single probes
 * until a NACK, but only while the ROM answers at all - a ROM that is not
 * there must not cost a full resync.
 */
int a3_fill_up(struct an3155 *b)
{
	size_t seen = 0;
	int r = send_fill(b, false);

	b->late_ack = false;
	if (r == SB_OK)
		r = collect(b, &seen, false);
	for (int i = 0; r >= 0 && i < 3; i++) {
		r = send_fill(b, true);
		if (r == SB_OK)
			r = collect(b, &seen, true);
		if (r == RS_NACK)
			return SB_OK;
	}
	if (r < 0)
		return r;
	return seen ? SB_ERR_FRAMING : SB_ERR_TIMEOUT;
}

int a3_resync(struct an3155 *b)
{
	return a3_resync_after(b, SB_ERR_FRAMING);
}

/*
 * The first probe after a frame of ours went unanswered. If k bytes of the
 * frame were lost on the way, the ROM still waits for k bytes: the probe (and
 * for k = 2 the 0x02 after it) completes the frame, and the XOR check passes
 * - programming shifted garbage - when the probe equals the lost byte (k = 1)
 * or the two lost bytes XOR to probe ^ 0x02 (k = 2): with the filler 0x02
 * alone, any two equal lost bytes, e.g. two 0x00 of a firmware image. So the
 * first probe is a byte the frame does not contain, and among those the one
 * that the fewest pairs of frame bytes XOR to with 0x02. It must not be 0xFD:
 * FD 02 is a command pair (Get ID). The analysis of the 0x02 filler above
 * still holds for every later byte; as an opcode this probe is NACKed with
 * the 0x02 that follows.
 */
void a3_pick_probe(struct an3155 *b, const uint8_t *frame, size_t n)
{
	unsigned count[256] = { 0 }, best = ~0u;

	for (size_t i = 0; i < n; i++)
		count[frame[i]]++;
	for (unsigned p = 0; p < 256; p++) {
		unsigned t = p ^ A3_FILL, pairs = 0;

		if (p == 0xFD || count[p])
			continue;
		for (unsigned v = 0; v < 256; v++)
			pairs += t ? count[v] * count[v ^ t] : count[v] * (count[v] - (count[v] > 0));
		if (pairs < best) {
			best = pairs;
			b->probe = (uint8_t)p;
		}
	}
}

/*
 * Strays first (late ACKs, the rest of a reply: read, not flushed, so that a
 * late ACK is seen), except after a timeout: the wait that just ended heard
 * nothing, and what comes now is the first probe's answer.
 */
int a3_resync_after(struct an3155 *b, int err)
{
	size_t seen = 0;
	int r = SB_OK;

	sb_logf(&b->log, SB_LOG_DEBUG, "an3155: re-synchronising");
	b->late_ack = false;
	b->rejected = false;
	b->clean_sync = false;
	if (err != SB_ERR_TIMEOUT) {
		r = collect(b, &seen, false);
		seen = 0;   /* strays are not answers to a probe */
	}
	if (r >= 0)
		r = resync_probe(b, &seen);
	if (r) {
		b->lost = true;
		sb_logf(&b->log, SB_LOG_WARN, "an3155: re-synchronisation failed: %s",
			sb_strerror(r));
	} else if (b->late_ack) {
		sb_logf(&b->log, SB_LOG_INFO, "an3155: a late ACK arrived while re-synchronising");
	}
	return r;
}

/* ---- retries -------------------------------------------------------------- */

bool a3_retryable(int err)
{
	return err == SB_ERR_NACK || err == SB_ERR_TIMEOUT || err == SB_ERR_FRAMING;
}

bool a3_rdp_nack(struct an3155 *b, int err, unsigned *count, bool last)
{
	if (err != SB_ERR_NACK || b->stage != A3_ST_CMD) {
		*count = 0;
		return false;
	}
	/* A NACK after a resync that heard stray or late bytes may be one of
	 * those: it starts the count again instead of adding to it. */
	if (*count && !b->clean_sync)
		*count = 0;
	/* Under RDP level 1 every gated command is NACKed at its first byte
	 * (facts A.6). One NACK could be noise or a byte of misalignment; a
	 * line that NACKs 1 % of commands gives two in a row once in 10^4
	 * commands, three once in 10^6: three in a row (with a resync between)
	 * are read protection. */
	return ++*count >= 3 || last;
}

bool a3_addr_refused(struct an3155 *b, int err, unsigned *count)
{
	if (err != SB_ERR_NACK || b->stage != A3_ST_ADDR) {
		*count = 0;
		return false;
	}
	/* An address outside what the command may use is NACKed (facts A.5).
	 * One NACK could be a garbled address (5 bytes: 1.5 % of frames on a
	 * line corrupting 0.3 % of bytes), three in a row are the answer. */
	b->refused = ++*count >= 3;
	return b->refused;
}

/*
 * After a NACK to a frame whose command byte was ACKed the ROM waits for a
 * command (facts A.2): the command is sent again at once. A NACK at the
 * command byte itself may mean the ROM was one byte off (it held a stray
 * byte as an opcode and took ours as its complement: it then holds our
 * complement byte as the next opcode, and every retry would repeat that),
 * and after silence or a garbled reply we do not know where the ROM is:
 * re-synchronise first.
 */
int a3_recover(struct an3155 *b, int err)
{
	if (err == SB_ERR_NACK && b->stage != A3_ST_CMD)
		return a3_flush(b);
	return a3_resync_after(b, err);
}

int a3_retry(struct an3155 *b, a3_once_fn once, void *arg, bool rdp_gated)
{
	unsigned cmd_nacks = 0, addr_nacks = 0;

	b->lost = false;
	b->refused = false;
	for (unsigned i = 0;; i++) {
		int r = once(b, arg);
		bool last = i >= b->o.retries;

		b->attempts = i + 1;
		if (r == SB_OK || !a3_retryable(r))
			return r;
		if (rdp_gated && a3_rdp_nack(b, r, &cmd_nacks, last))
			return SB_ERR_PROTECTED;
		if (a3_addr_refused(b, r, &addr_nacks) || last)
			return r;
		sb_logf(&b->log, SB_LOG_INFO, "an3155: %s, retrying (%u of %u)",
			sb_strerror(r), i + 1, b->o.retries);
		r = a3_recover(b, r);
		if (r)
			return r;
	}
}

/* ---- preconditions and messages ------------------------------------------ */

static void list_cmds(const struct an3155 *b, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < b->info.ncmd && len + 4 < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%02X", i ? " " : "",
					b->info.cmd[i]);
}

int a3_need(struct an3155 *b, uint8_t code, const char *name, struct sb_diag *d)
{
	char cmds[3 * 64 + 1];

	if (b->state == A3_RESET_PENDING)
		return sb_diag_set(d, SB_ERR_STATE,
				   "the bootloader reset itself after %s: reconnect first",
				   b->reset_by);
	if (b->state == A3_LEFT)
		return sb_diag_set(d, SB_ERR_STATE,
				   "the application was started (Go): reconnect first");
	if (b->state != A3_READY)
		return sb_diag_set(d, SB_ERR_STATE, "not connected to the bootloader");
	if (an3155_has(b, code))
		return SB_OK;
	list_cmds(b, cmds, sizeof(cmds));
	return sb_diag_set(d, SB_ERR_UNSUPPORTED,
			   "%s (0x%02X) is not offered by this bootloader (v%u.%u lists: %s)",
			   name, code, b->info.version >> 4, b->info.version & 15u, cmds);
}

const char *a3_stage_name(enum a3_stage s)
{
	static const char *const names[] = { "command", "address", "parameter", "data",
					     "reply" };
	return names[s];
}

static void why(const struct an3155 *b, int err, char *out, size_t size)
{
	if (err == SB_ERR_PROTECTED)  /* protocol-facts A.6 */
		snprintf(out, size, "refused at the command byte: read protection (RDP level 1)"
			 " is active; readout-unprotect removes it and erases the flash");
	else if (err == SB_ERR_NACK && b->stage == A3_ST_ADDR)
		snprintf(out, size, "the bootloader refused the address (NACK): outside the"
			 " memory this command may use?");
	else if (err == SB_ERR_NACK)
		snprintf(out, size, "the bootloader refused it (NACK at the %s stage)",
			 a3_stage_name(b->stage));
	else if (b->lost)
		snprintf(out, size, "%s at the %s stage, and re-synchronisation failed:"
			 " the bootloader no longer answers (reset the part?)",
			 sb_strerror(err), a3_stage_name(b->stage));
	else if (err == SB_ERR_FRAMING && b->bad >= 0)
		snprintf(out, size, "unexpected reply 0x%02X at the %s stage", b->bad,
			 a3_stage_name(b->stage));
	else
		snprintf(out, size, "%s at the %s stage", sb_strerror(err),
			 a3_stage_name(b->stage));
}

int a3_fail(struct an3155 *b, struct sb_diag *d, int err, const char *what,
	    uint32_t addr, bool has_addr)
{
	char text[256], tries[40] = "";

	why(b, err, text, sizeof(text));
	if (b->attempts > 1 && err != SB_ERR_PROTECTED)
		snprintf(tries, sizeof(tries), " (%u attempts)", b->attempts);
	if (has_addr)
		return sb_diag_addr(d, err, addr, "%s at 0x%08lX: %s%s", what,
				    (unsigned long)addr, text, tries);
	return sb_diag_set(d, err, "%s: %s%s", what, text, tries);
}

void a3_mark_reset(struct an3155 *b, const char *by, unsigned settle_ms)
{
	b->state = A3_RESET_PENDING;
	b->reset_by = by;
	b->settle_ms = settle_ms;
}

void a3_progress(struct an3155 *b, uint32_t addr, size_t done, size_t total)
{
	if (b->o.progress)
		b->o.progress(b->o.progress_ctx, addr, done, total);
}
