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
/* Resync: 0xFF bytes sent at once to fill a command's pending data phase;
 * more stray bytes than A3_STRAY_MAX means the line only carries garbage. */
enum { A3_BURST = 32, A3_STRAY_MAX = 2048 };

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
		.erase_chunk = 128,
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
	*out = b;
	return SB_OK;
}

void an3155_free(struct an3155 *b)
{
	free(b);
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
	return b->link.ops->write(b->link.h, buf, n, b->o.t.xfer_ms);
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
	int r = rx_some(b, buf, n, ms);

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
	return r ? r : a3_wait_ack(b, b->o.t.ack_ms);
}

int a3_addr(struct an3155 *b, uint32_t addr)
{
	/* Big-endian, then the XOR of the four bytes (facts A.3). */
	uint8_t f[5] = { (uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
			 (uint8_t)addr, 0 };
	int r;

	f[4] = a3_xor(f, 4);
	b->stage = A3_ST_ADDR;
	r = a3_tx(b, f, sizeof(f));
	return r ? r : a3_wait_ack(b, b->o.t.ack_ms);
}

/* ---- resync (facts A.1 last row) ----------------------------------------- */

enum { RS_SILENT, RS_NACK, RS_OTHER };

/* Read what the ROM sends until silence (or a NACK, with stop_at_nack). */
static int collect(struct an3155 *b, size_t *seen, bool stop_at_nack)
{
	int got = 0, nack = 0;

	for (;;) {
		uint8_t c;
		int r = rx_some(b, &c, 1, b->o.t.resync_ms);

		if (r < 0)
			return r;
		if (r == 0)
			return nack ? RS_NACK : got ? RS_OTHER : RS_SILENT;
		if (++*seen > A3_STRAY_MAX)
			return SB_ERR_FRAMING;
		nack = c == A3_NACK;
		if (nack && stop_at_nack)
			return RS_NACK;
		got = 1;
	}
}

/*
 * stm32flash sends "FF 00" until a NACK (facts A.1). We send the same two
 * bytes one at a time and wait for silence in between, because a ROM left
 * holding one byte of a broken command would pair our FF with that byte and
 * NACK, leaving our 00 pending: the next command would then be misread. With
 * single bytes, a NACK always ends a pair we completed, so the ROM is waiting
 * for a command afterwards (facts A.2). Only the pair 00 FF is a valid command
 * (Get), which is harmless. After two silent bytes the ROM is inside a data
 * phase (up to 258 bytes): a burst of 0xFF fills it faster, then single bytes
 * find the alignment again.
 */
static int resync_probe(struct an3155 *b, size_t *seen)
{
	unsigned silent = 0, quiet = 0;
	uint8_t next = 0xFF, burst[A3_BURST];
	int r;

	memset(burst, 0xFF, sizeof(burst));
	while (silent < b->o.resync_probes) {
		bool single = quiet < 2;

		r = single ? a3_tx(b, &next, 1) : a3_tx(b, burst, sizeof(burst));
		if (r)
			return r;
		/* After a single byte nothing of ours is pending once a NACK comes;
		 * after a burst the rest of it may still be answered: wait for silence. */
		r = collect(b, seen, single);
		if (r < 0)
			return r;
		if (single && r == RS_NACK)
			return SB_OK;
		if (r == RS_SILENT) {
			silent++;
			quiet = single ? quiet + 1 : 0;
			next = single ? (uint8_t)~next : 0xFF;
		} else {
			quiet = 0;
			next = 0xFF;
		}
	}
	return *seen ? SB_ERR_FRAMING : SB_ERR_TIMEOUT;
}

int a3_resync(struct an3155 *b)
{
	size_t seen = 0;
	int r;

	sb_logf(&b->log, SB_LOG_DEBUG, "an3155: re-synchronising");
	r = a3_flush(b);
	if (r == SB_OK)
		r = collect(b, &seen, false);   /* strays: late ACKs, the rest of a reply */
	if (r >= 0)
		r = resync_probe(b, &seen);
	if (r) {
		b->lost = true;
		sb_logf(&b->log, SB_LOG_WARN, "an3155: re-synchronisation failed: %s",
			sb_strerror(r));
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
	/* Under RDP level 1 every gated command is NACKed at its first byte
	 * (facts A.6); one NACK could be noise, two in a row are not. */
	return ++*count >= 2 || last;
}

int a3_retry(struct an3155 *b, a3_once_fn once, void *arg, bool rdp_gated)
{
	unsigned cmd_nacks = 0;

	b->lost = false;
	for (unsigned i = 0;; i++) {
		int r = once(b, arg);
		bool last = i >= b->o.retries;

		b->attempts = i + 1;
		if (r == SB_OK || !a3_retryable(r))
			return r;
		if (rdp_gated && a3_rdp_nack(b, r, &cmd_nacks, last))
			return SB_ERR_PROTECTED;
		if (last)
			return r;
		sb_logf(&b->log, SB_LOG_INFO, "an3155: %s, retrying (%u of %u)",
			sb_strerror(r), i + 1, b->o.retries);
		r = a3_resync(b);
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

static const char *stage_name(enum a3_stage s)
{
	static const char *const names[] = { "command", "address", "parameter", "data",
					     "reply" };
	return names[s];
}

static void why(const struct an3155 *b, int err, char *out, size_t size)
{
	if (err == SB_ERR_PROTECTED)
		snprintf(out, size, "refused at the command byte: read protection (RDP level 1)"
			 " is active (facts A.6); readout-unprotect removes it and erases the flash");
	else if (err == SB_ERR_NACK && b->stage == A3_ST_ADDR)
		snprintf(out, size, "the bootloader refused the address (NACK): outside the"
			 " memory this command may use?");
	else if (err == SB_ERR_NACK)
		snprintf(out, size, "the bootloader refused it (NACK at the %s stage)",
			 stage_name(b->stage));
	else if (b->lost)
		snprintf(out, size, "%s at the %s stage, and re-synchronisation failed:"
			 " the bootloader no longer answers (reset the part?)",
			 sb_strerror(err), stage_name(b->stage));
	else if (err == SB_ERR_FRAMING && b->bad >= 0)
		snprintf(out, size, "unexpected reply 0x%02X at the %s stage", b->bad,
			 stage_name(b->stage));
	else
		snprintf(out, size, "%s at the %s stage", sb_strerror(err),
			 stage_name(b->stage));
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
