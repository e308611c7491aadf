/* SPDX-License-Identifier: MIT */
/*
 * an3155_mem.c - Read Memory, Write Memory (with lost-ACK recovery),
 * verify, Get Checksum and host CRC. Facts cite protocol-facts.md.
 */
#include "an3155_priv.h"

#include "crc.h"

#include <string.h>

/* Bytes up to the next 256-byte boundary, at most left: blocks never cross one,
 * so a block is one Read/Write Memory command (facts A.5: at most 256 bytes). */
static size_t chunk_len(uint32_t addr, size_t left)
{
	size_t room = A3_BLOCK - (addr % A3_BLOCK);

	return left < room ? left : room;
}

static int check_span(uint32_t addr, size_t len, struct sb_diag *d)
{
	if (len > (size_t)UINT32_MAX + 1 - addr)
		return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr,
				    "%zu bytes at 0x%08lX run past the end of the address space",
				    len, (unsigned long)addr);
	return SB_OK;
}

/* ---- Read Memory (facts A.5) --------------------------------------------- */

struct rd {
	uint32_t addr;
	uint8_t *buf;
	size_t n;
};

static int read_once(struct an3155 *b, void *arg)
{
	const struct rd *a = arg;
	/* N = bytes - 1 and its complement (facts A.3); N = 0 allowed (facts F.10). */
	const uint8_t len[2] = { (uint8_t)(a->n - 1), (uint8_t)~(a->n - 1) };
	int r = a3_cmd(b, AN3155_CMD_READ);

	if (r == SB_OK)
		r = a3_addr(b, a->addr);
	if (r == SB_OK)
		r = a3_send_acked(b, A3_ST_PARAM, len, sizeof(len), 0, b->o.t.ack_ms);
	if (r == SB_OK) {
		b->stage = A3_ST_REPLY;
		b->last_tx = 0;
		r = a3_rx(b, a->buf, a->n, a3_deadline(b, a->n, 0, b->o.t.xfer_ms));
	}
	return r;
}

/* ---- evidence and adaptive frames (noisy lines) ----------------------------- */

/*
 * On a noisy line a frame fails with a probability that grows with its
 * length (1 - (1 - p)^bytes: 23 % for 258 bytes at p = 0.1 %). So each
 * failure of a Write or Read Memory frame halves that kind of frame (down to
 * one write unit, or 8 bytes of read), and A3_GROW_AFTER clean frames in a
 * row double it again (up to 256): a noisy line stays noisy from one block to
 * the next, so the size lives in the handle. Halving on a failure and
 * doubling after 4 clean frames settles where about one frame in five fails,
 * which is near the size that moves data fastest: a frame costs about 40
 * byte-times besides its data (command, address, three replies with 1 ms
 * latency each at 115200), and (n + 40) / (n (1 - p)^(n + 11)) is smallest
 * near 256 bytes at p = 0.01 %, 200 at 0.1 %, 64-100 at 0.3 %. A block gives up after
 * A3_BLOCK_FAILS failures in a row without a frame getting through; the job
 * after more failures than A3_JOB_SLACK plus half its good frames - a line
 * that bad would crawl, not finish.
 */
enum { A3_GROW_AFTER = 4, A3_BLOCK_FAILS = 8, A3_JOB_SLACK = 32, A3_MIN_READ = 8 };

/* Failures in a row a block may have: opts.retries, at least A3_BLOCK_FAILS
 * (0 retries: none, e.g. to fail fast). */
static unsigned block_budget(const struct an3155 *b)
{
	if (!b->o.retries)
		return 0;
	return b->o.retries > A3_BLOCK_FAILS ? b->o.retries : A3_BLOCK_FAILS;
}

static void frame_ok(struct an3155 *b, unsigned *frame, unsigned *clean)
{
	b->job_ok++;
	if (++*clean >= A3_GROW_AFTER && *frame < A3_BLOCK) {
		*frame *= 2;
		*clean = 0;
	}
}

static void frame_failed(unsigned *frame, unsigned *clean, unsigned min)
{
	*clean = 0;
	if (*frame / 2 >= min)
		*frame /= 2;
}

/* SB_OK while the evidence allows another try; else why not. Read and
 * Write Memory are refused under RDP level 1 (facts A.6): a3_rdp_nack. */
static int evidence_gate(struct an3155 *b, int r, unsigned *fails, unsigned *cmd_nacks,
			 unsigned *addr_nacks)
{
	if (!a3_retryable(r))
		return r;
	if (a3_rdp_nack(b, r, cmd_nacks, !b->o.retries))
		return SB_ERR_PROTECTED;
	if (a3_addr_refused(b, r, addr_nacks))
		return r;
	b->attempts = ++*fails + 1;
	if (*fails > block_budget(b) || ++b->job_fails > A3_JOB_SLACK + b->job_ok / 2) {
		b->attempts--;
		return r;
	}
	sb_logf(&b->log, SB_LOG_INFO, "an3155: %s at the %s stage, trying again (%u)",
		sb_strerror(r), a3_stage_name(b->stage), *fails);
	return SB_OK;
}

/* One block of 1..256 bytes in adaptive frames; gated by RDP (facts A.6). */
static int read_block(struct an3155 *b, uint32_t addr, uint8_t *buf, size_t n,
		      struct sb_diag *d)
{
	unsigned fails = 0, cmd_nacks = 0, addr_nacks = 0;
	size_t done = 0;

	b->lost = false;
	b->refused = false;
	b->attempts = 1;
	while (done < n) {
		struct rd a = { addr + (uint32_t)done, buf + done,
				n - done < b->rframe ? n - done : b->rframe };
		int r = read_once(b, &a), g;

		if (r == SB_OK) {
			done += a.n;
			fails = cmd_nacks = addr_nacks = 0;
			frame_ok(b, &b->rframe, &b->rclean);
			continue;
		}
		g = evidence_gate(b, r, &fails, &cmd_nacks, &addr_nacks);
		if (g)
			return a3_fail(b, d, g, "read", a.addr, true);
		if (b->stage == A3_ST_REPLY)
			frame_failed(&b->rframe, &b->rclean, A3_MIN_READ);
		if ((r = a3_recover(b, r)) != SB_OK)
			return a3_fail(b, d, r, "read", a.addr, true);
	}
	return SB_OK;
}

/* Every byte reads as erased flash (opts.erased_value: 0xFF, 0x00 on L0/L1). */
static bool all_erased(const struct an3155 *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != b->o.erased_value)
			return false;
	return true;
}

/* Does a unit read back hold what was written, or (erased_ok) the erased value? */
static bool unit_ok(const struct an3155 *b, const uint8_t *got, const uint8_t *want,
		    unsigned unit, bool erased_ok)
{
	return !memcmp(got, want, unit) || (erased_ok && all_erased(b, got, unit));
}

static bool any_left(const bool *done, size_t nu)
{
	for (size_t u = 0; u < nu; u++)
		if (!done[u])
			return true;
	return false;
}

/* Read the block once more into buf. Units that now read right are marked
 * done; *stable tells whether every unit still wrong read as before. */
static int reread_units(struct an3155 *b, uint32_t addr, uint8_t *buf, const uint8_t *want,
			size_t n, unsigned unit, bool erased_ok, bool *done, bool *stable,
			struct sb_diag *d)
{
	uint8_t cur[A3_BLOCK];
	int r = read_block(b, addr, cur, n, d);

	*stable = true;
	for (size_t o = 0; r == SB_OK && o < n; o += unit) {
		if (done[o / unit])
			continue;
		done[o / unit] = unit_ok(b, cur + o, want + o, unit, erased_ok);
		if (!done[o / unit])
			*stable &= !memcmp(cur + o, buf + o, unit);
		memcpy(buf + o, cur + o, unit);
	}
	return r;
}

/*
 * Read a block back for a comparison. Read Memory data carries no checksum
 * (facts A.5: "D N+1 data bytes"), so a byte garbled on the wire looks just
 * like flash that holds other data. A unit that reads wrong (neither the
 * data nor, with erased_ok, 0xFF) is read again, up to opts.retries times: it
 * is right once one read shows it right (a garbled byte turning into exactly
 * the expected value is a 1 in 255 chance on top of the error itself), and
 * really wrong once two reads in a row show every wrong unit alike. On return
 * buf holds, per unit, the read that decided it; the caller compares again.
 * Reads that never settle give SB_ERR_FRAMING: the line garbles the data too
 * often to tell what the flash holds - not a verify failure.
 */
static int read_settled(struct an3155 *b, uint32_t addr, uint8_t *buf, const uint8_t *want,
			size_t n, unsigned unit, bool erased_ok, struct sb_diag *d)
{
	bool done[A3_BLOCK], stable = false;
	int r = read_block(b, addr, buf, n, d);

	for (size_t o = 0; r == SB_OK && o < n; o += unit)
		done[o / unit] = unit_ok(b, buf + o, want + o, unit, erased_ok);
	for (unsigned i = 0; r == SB_OK && !stable && any_left(done, n / unit); i++) {
		if (i >= b->o.retries && i == 0)
			return SB_OK;   /* no retries: the only read decides */
		if (i >= b->o.retries)  /* Read Memory data has no checksum: protocol-facts A.5 */
			return sb_diag_addr(d, SB_ERR_FRAMING, addr, "read-back of %zu bytes at"
					    " 0x%08lX did not settle in %u reads: the line garbles"
					    " bytes (Read Memory data has no checksum), so"
					    " what the flash holds is unknown", n,
					    (unsigned long)addr, i + 1);
		sb_logf(&b->log, SB_LOG_INFO, "an3155: read-back of 0x%08lX differs, reading"
			" it again (%u of %u)", (unsigned long)addr, i + 1, b->o.retries);
		r = reread_units(b, addr, buf, want, n, unit, erased_ok, done, &stable, d);
	}
	return r;
}

int an3155_read(struct an3155 *b, uint32_t addr, uint8_t *buf, size_t len,
		struct sb_diag *d)
{
	int r = a3_need(b, AN3155_CMD_READ, "Read Memory", d);

	if (r == SB_OK)
		r = check_span(addr, len, d);
	for (size_t done = 0; r == SB_OK && done < len;) {
		size_t n = chunk_len(addr + (uint32_t)done, len - done);

		r = read_block(b, addr + (uint32_t)done, buf + done, n, d);
		done += n;
		if (r == SB_OK)
			a3_progress(b, addr + (uint32_t)(done - n), done, len);
	}
	return r;
}

int an3155_probe(struct an3155 *b, uint32_t addr, uint8_t *buf, size_t len,
		 struct sb_diag *d)
{
	struct rd a = { addr, buf, len };
	int r = a3_need(b, AN3155_CMD_READ, "Read Memory", d);

	if (r == SB_OK && (len < 1 || len > A3_BLOCK))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "a probe reads 1 to 256 bytes");
	if (r)
		return r;
	b->lost = false;
	b->attempts = 1;
	r = read_once(b, &a);
	if (r && a3_retryable(r)) {
		int rs = a3_recover(b, r);

		if (rs)
			r = rs;
		else if (r == SB_ERR_NACK && b->stage == A3_ST_CMD)
			r = SB_ERR_PROTECTED;   /* RDP (facts A.6), or noise: either way unread */
	}
	return r ? a3_fail(b, d, r, "read", addr, true) : SB_OK;
}

/* ---- Write Memory (facts A.5, A.7) --------------------------------------- */

/*
 * What programming n bytes costs the part, wherever they go: flash write
 * units at the part's time (opts.t_prog_us); SRAM, OTP and option bytes
 * alike (an option write resets the part, whose ACK may never come: the
 * caller expects that). Unknown part times: the generic write deadline
 * (opts.t.write_ms) applies.
 */
static uint64_t prog_us(const struct an3155 *b, size_t n)
{
	unsigned unit = b->o.write_unit;

	if (!b->o.t_prog_us)
		return (uint64_t)b->o.t.write_ms * 1000u;
	return (uint64_t)((n + unit - 1) / unit) * b->o.t_prog_us;
}

static int write_once(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t n)
{
	/* N = bytes - 1, data, X = XOR of N and the data (facts A.3). */
	uint8_t f[A3_BLOCK + 2];
	int r;

	f[0] = (uint8_t)(n - 1);
	memcpy(f + 1, data, n);
	f[n + 1] = a3_xor(f, n + 1);
	r = a3_cmd(b, AN3155_CMD_WRITE);
	if (r == SB_OK)
		r = a3_addr(b, addr);
	if (r == SB_OK)
		r = a3_send_acked(b, A3_ST_DATA, f, n + 2, prog_us(b, n), b->o.t.write_ms);
	if (r == SB_ERR_TIMEOUT && b->stage == A3_ST_DATA)
		a3_pick_probe(b, f, n + 2);   /* a byte of f may be lost: see a3_pick_probe() */
	return r;
}

/* The first run [*lo, *hi) of units still to program; false when none is left. */
static bool next_run(const bool *need, size_t nu, size_t *lo, size_t *hi)
{
	size_t i = 0;

	while (i < nu && !need[i])
		i++;
	if (i == nu)
		return false;
	*lo = i;
	while (i < nu && need[i])
		i++;
	*hi = i;
	return true;
}

/*
 * The data of units [lo, hi) was sent but not confirmed. A double-word can
 * be programmed only once per erase (facts A.7), so look before re-sending:
 * a unit that holds the data is done, an erased one is sent again, anything
 * else is lost (SB_ERR_VERIFY at the first differing byte).
 */
static int recheck(struct an3155 *b, uint32_t addr, const uint8_t *data, bool *need,
		   size_t lo, size_t hi, struct sb_diag *d)
{
	unsigned unit = b->o.write_unit;
	uint8_t rb[A3_BLOCK];
	size_t off = lo * unit, n = (hi - lo) * unit;
	int r = read_settled(b, addr + (uint32_t)off, rb, data + off, n, unit, true, d);

	if (r)
		return r;
	bool again = false;

	for (size_t u = lo; u < hi; u++) {
		const uint8_t *got = rb + (u - lo) * unit, *want = data + u * unit;

		need[u] = memcmp(got, want, unit) != 0;
		again |= need[u];
		if (!need[u] || all_erased(b, got, unit))
			continue;
		for (size_t i = 0; i < unit; i++)
			if (got[i] != want[i])  /* programmable once per erase: protocol-facts A.7 */
				return sb_diag_addr(d, SB_ERR_VERIFY, addr + (uint32_t)(u * unit + i),
						    "write at 0x%08lX: the ACK was lost and the flash"
						    " now holds 0x%02X, not 0x%02X; it cannot be"
						    " programmed twice: erase and write again",
						    (unsigned long)(addr + u * unit + i), got[i], want[i]);
	}
	sb_logf(&b->log, SB_LOG_INFO, "an3155: read back 0x%08lX: %s",
		(unsigned long)(addr + off), again ? "not programmed, sending again" :
		"already programmed");
	return SB_OK;
}

/*
 * After a failed frame whose data phase was reached: was anything programmed?
 * A NACK to the data is a refused frame (bad checksum; a programming error
 * NACKs again and is read back then). After silence, a resync whose first
 * probe was NACKed caught the ROM inside our frame (a byte lost): refused too.
 * Anything else (an ACK lost, a late reply, garbage) must be read back: a
 * double-word can be programmed only once per erase (facts A.7).
 */
static bool must_recheck(const struct an3155 *b, int err, unsigned data_nacks)
{
	if (err == SB_ERR_NACK)
		return data_nacks >= 2;
	return !b->rejected;
}

/* One block (<= 256 bytes, whole units) in adaptive frames, confirmed by ACK or read-back. */
static int write_block(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t n,
		       struct sb_diag *d)
{
	unsigned unit = b->o.write_unit, fails = 0, cmd_nacks = 0, addr_nacks = 0, data_nacks = 0;
	size_t nu = n / unit, lo, hi;
	bool need[A3_BLOCK];

	b->lost = false;
	b->refused = false;
	b->attempts = 1;
	if (b->wframe < unit)
		b->wframe = unit;
	for (size_t i = 0; i < nu; i++)
		need[i] = true;
	while (next_run(need, nu, &lo, &hi)) {
		uint32_t at = addr + (uint32_t)(lo * unit);
		size_t len = (hi - lo) * unit < b->wframe ? (hi - lo) * unit : b->wframe;
		int r = write_once(b, at, data + lo * unit, len), g;
		bool sent;

		if (r == SB_OK) {
			memset(need + lo, 0, len / unit);
			fails = data_nacks = cmd_nacks = addr_nacks = 0;
			frame_ok(b, &b->wframe, &b->wclean);
			continue;
		}
		g = evidence_gate(b, r, &fails, &cmd_nacks, &addr_nacks);
		if (g)
			return a3_fail(b, d, g, "write", at, true);
		sent = b->stage >= A3_ST_DATA;
		if (sent)
			frame_failed(&b->wframe, &b->wclean, unit);
		data_nacks = sent && r == SB_ERR_NACK ? data_nacks + 1 : 0;
		if ((g = a3_recover(b, r)) != SB_OK)
			return a3_fail(b, d, g, "write", at, true);
		/* Nothing is programmed before the data phase; after it, look first. */
		if (sent && must_recheck(b, r, data_nacks)) {
			g = recheck(b, addr, data, need, lo, lo + len / unit, d);
			if (g)
				return g;
		}
	}
	return SB_OK;
}

int an3155_write(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
		 struct sb_diag *d)
{
	unsigned unit = b->o.write_unit;
	int r = a3_need(b, AN3155_CMD_WRITE, "Write Memory", d);

	if (r == SB_OK)
		r = check_span(addr, len, d);
	if (r == SB_OK && (addr % unit || len % unit))  /* protocol-facts A.7 */
		return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr,
				    "write of %zu bytes at 0x%08lX: address and length must be"
				    " multiples of %u", len, (unsigned long)addr, unit);
	for (size_t done = 0; r == SB_OK && done < len;) {
		size_t n = chunk_len(addr + (uint32_t)done, len - done);

		r = write_block(b, addr + (uint32_t)done, data + done, n, d);
		done += n;
		if (r == SB_OK)
			a3_progress(b, addr + (uint32_t)(done - n), done, len);
	}
	return r;
}

size_t an3155_align_span(unsigned unit, uint32_t addr, size_t len, uint32_t *start)
{
	uint64_t mask = unit ? (uint64_t)unit - 1 : 0;
	uint64_t s = addr & ~mask, e = ((uint64_t)addr + len + mask) & ~mask;

	*start = (uint32_t)s;
	return (size_t)(e - s);
}

void an3155_align_copy(unsigned unit, uint32_t addr, const uint8_t *data, size_t len,
		       uint8_t *out)
{
	uint32_t start;
	size_t span = an3155_align_span(unit, addr, len, &start);

	memset(out, 0xFF, span);
	memcpy(out + (addr - start), data, len);
}

/* ---- Get Checksum (facts A.5, 0xA1 row) ---------------------------------- */

struct ck {
	uint32_t addr, len, crc;
};

/*
 * The ROM's CRC time is not documented: allow 1 us a byte (a software loop
 * over 32-bit words at a few MHz would be faster) on top of the reply.
 */
static unsigned crc_deadline(const struct an3155 *b, uint32_t len)
{
	return a3_deadline(b, 6, len, b->o.t.crc_ms);
}

/*
 * The USART loader's frame, AN3155 §3.13 (facts A.5 0xA1 row, C1; F.6):
 * address, the size in 32-bit words, the CRC polynomial and the initial
 * value, each 4 bytes MSB first + XOR and ACKed; then ACK, the CRC (4 bytes)
 * and its XOR. stm32flash sends the I2C loader's frame (address, length,
 * then waits), which a USART ROM would take differently: any NACK or silence
 * here ends in a read-back instead (an3155_verify), never in a wrong answer.
 */
static int crc_once(struct an3155 *b, struct ck *a)
{
	uint8_t c[5];
	int r = a3_cmd(b, AN3155_CMD_GET_CHECKSUM);

	if (r == SB_OK)
		r = a3_addr(b, a->addr);
	if (r == SB_OK)
		r = a3_word(b, A3_ST_PARAM, a->len / 4);
	if (r == SB_OK)
		r = a3_word(b, A3_ST_PARAM, SB_CRC_STM32_POLY);
	if (r == SB_OK)
		r = a3_word(b, A3_ST_PARAM, SB_CRC_STM32_INIT);
	if (r == SB_OK) {
		b->stage = A3_ST_REPLY;
		b->last_tx = 0;
		r = a3_wait_ack(b, crc_deadline(b, a->len));
	}
	if (r == SB_OK)
		r = a3_rx(b, c, sizeof(c), a3_deadline(b, sizeof(c), 0, b->o.t.ack_ms));
	if (r)
		return r;
	if (a3_xor(c, 5) != 0) {
		b->bad = -1;   /* a checksum error, not an odd byte */
		return SB_ERR_FRAMING;
	}
	a->crc = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
	return SB_OK;
}

/*
 * One attempt, no retries: the frame is known from one source only (C1), so
 * a ROM that does not follow it must cost one short wait, not four. After a
 * failure the ROM is brought back to a command (resync) and 0xA1 is not used
 * again in this session (info.crc_failed).
 */
int an3155_get_checksum(struct an3155 *b, uint32_t addr, uint32_t len, uint32_t *crc,
			struct sb_diag *d)
{
	struct ck a = { addr, len, 0 };
	int r = a3_need(b, AN3155_CMD_GET_CHECKSUM, "Get Checksum", d);

	if (r)
		return r;
	if (b->info.crc_failed)
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "Get Checksum did not answer in the"
				   " AN3155 frame earlier in this session");
	if (addr % 4 || len % 4 || !len)
		return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr, "checksum of %lu bytes at"
				    " 0x%08lX: address and length must be multiples of 4",
				    (unsigned long)len, (unsigned long)addr);
	r = check_span(addr, len, d);
	if (r)
		return r;
	b->lost = false;
	b->attempts = 1;
	r = crc_once(b, &a);
	if (r && a3_retryable(r)) {
		int rs = a3_recover(b, r);

		b->info.crc_failed = true;
		sb_logf(&b->log, SB_LOG_INFO, "an3155: Get Checksum failed (%s at the %s stage):"
			" reading back instead", sb_strerror(r), a3_stage_name(b->stage));
		if (rs)
			return a3_fail(b, d, rs, "checksum", addr, true);
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "Get Checksum did not answer in the"
				   " AN3155 frame (%s)", sb_strerror(r));
	}
	if (r)
		return a3_fail(b, d, r, "checksum", addr, true);
	*crc = a.crc;
	return SB_OK;
}

/* May verify and crc use 0xA1 for [addr, addr+len)? */
static bool crc_usable(struct an3155 *b, uint32_t addr, size_t len)
{
	return a3_need(b, AN3155_CMD_GET_CHECKSUM, "", NULL) == SB_OK && !b->info.crc_failed &&
	       addr % 4 == 0 && len % 4 == 0 && len && len <= UINT32_MAX;
}

/*
 * The byte order of the CRC in the reply is from one source (facts A.5 C1):
 * MSB first; the other order is accepted too (a false match has odds of
 * 2^-31) so that a ROM sending it LSB first verifies instead of reading back.
 */
static bool crc_matches(struct an3155 *b, uint32_t got, uint32_t want)
{
	uint32_t swapped = (got >> 24) | (got >> 8 & 0xFF00u) | (got << 8 & 0xFF0000u) | got << 24;

	if (got == want)
		return true;
	if (swapped != want)
		return false;
	sb_logf(&b->log, SB_LOG_DEBUG, "an3155: the ROM sends the CRC least significant byte first");
	return true;
}

/* Host side: read back and compute sb_crc_stm32 (facts A.5, CRC parameters). */
static int host_crc(struct an3155 *b, uint32_t addr, uint32_t len, uint32_t *crc,
		    struct sb_diag *d)
{
	uint8_t buf[A3_BLOCK];
	uint32_t c = SB_CRC_STM32_INIT;
	int r = check_span(addr, len, d);

	for (uint32_t done = 0; r == SB_OK && done < len;) {
		size_t n = chunk_len(addr + done, len - done);

		r = read_block(b, addr + done, buf, n, d);
		c = sb_crc_stm32(c, buf, n);
		done += (uint32_t)n;
		if (r == SB_OK)
			a3_progress(b, addr + done - (uint32_t)n, done, len);
	}
	*crc = c;
	return r;
}

int an3155_crc(struct an3155 *b, uint32_t addr, uint32_t len, uint32_t *crc,
	       struct sb_diag *d)
{
	int r;

	if (crc_usable(b, addr, len)) {
		r = an3155_get_checksum(b, addr, len, crc, d);
		if (r != SB_ERR_UNSUPPORTED)
			return r;
	}
	r = a3_need(b, AN3155_CMD_READ, "Read Memory", d);
	/* The CRC takes 32-bit words (facts A.5): whole words, like 0xA1 wants. */
	if (r == SB_OK && (addr % 4 || len % 4))
		r = sb_diag_addr(d, SB_ERR_BAD_INPUT, addr, "CRC of %lu bytes at 0x%08lX:"
				 " address and length must be multiples of 4",
				 (unsigned long)len, (unsigned long)addr);
	return r ? r : host_crc(b, addr, len, crc, d);
}

/* ---- verify --------------------------------------------------------------- */

/* The first byte of [0, n) where buf and want differ, or n. */
static size_t first_diff(const uint8_t *buf, const uint8_t *want, size_t n)
{
	size_t i = 0;

	while (i < n && buf[i] == want[i])
		i++;
	return i;
}

/*
 * After a write job only: program the units of one chunk that read erased
 * where the image has data. Such a unit was never programmed: a corrupted
 * length byte can make the ROM take a shorter block whose XOR still
 * matches, and ACK it (facts A.3: the checksum is one XOR byte). An erased
 * double-word may be programmed (facts A.7); anything else may not.
 * Returns SB_OK when something was programmed (*fixed counts units), or
 * SB_ERR_VERIFY when a differing unit is not erased.
 */
static int program_erased_units(struct an3155 *b, uint32_t at, const uint8_t *buf,
				const uint8_t *want, size_t n, unsigned *fixed)
{
	unsigned unit = b->o.write_unit;
	int r = SB_OK;

	if (at % unit || n % unit)
		return SB_ERR_VERIFY;
	for (size_t o = 0; r == SB_OK && o < n; o += unit) {
		if (!memcmp(buf + o, want + o, unit))
			continue;
		if (!all_erased(b, buf + o, unit))
			return SB_ERR_VERIFY;
		sb_logf(&b->log, SB_LOG_WARN, "an3155: 0x%08lX reads erased after writing:"
			" programming it now", (unsigned long)(at + o));
		r = an3155_write(b, at + (uint32_t)o, want + o, unit, NULL);
		++*fixed;
	}
	return r;
}

/* Repairs of erased units one verify may make before it reports the mismatch. */
#define A3_MAX_REPAIRS 16u

static int compare_back(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
			bool repair, struct sb_diag *d)
{
	uint8_t buf[A3_BLOCK];
	unsigned fixed = 0;
	int r = SB_OK;

	for (size_t done = 0; r == SB_OK && done < len;) {
		uint32_t at = addr + (uint32_t)done;
		size_t n = chunk_len(at, len - done), i;

		r = read_settled(b, at, buf, data + done, n, 1, false, d);
		if (r == SB_OK && (i = first_diff(buf, data + done, n)) < n) {
			if (repair && fixed < A3_MAX_REPAIRS &&
			    program_erased_units(b, at, buf, data + done, n, &fixed) == SB_OK)
				continue;   /* read the chunk again */
			return sb_diag_addr(d, SB_ERR_VERIFY, at + (uint32_t)i,
					    "verify failed at 0x%08lX: read 0x%02X,"
					    " expected 0x%02X", (unsigned long)(at + i),
					    buf[i], data[done + i]);
		}
		done += n;
		if (r == SB_OK)
			a3_progress(b, at, done, len);
	}
	return r;
}

static int verify(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
		  bool repair, struct sb_diag *d);

int an3155_verify(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
		  struct sb_diag *d)
{
	return verify(b, addr, data, len, false, d);
}

int an3155_verify_written(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
			  struct sb_diag *d)
{
	return verify(b, addr, data, len, true, d);
}

static int verify(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
		  bool repair, struct sb_diag *d)
{
	int r = check_span(addr, len, d);

	if (r == SB_OK && crc_usable(b, addr, len)) {
		uint32_t crc;

		r = an3155_get_checksum(b, addr, (uint32_t)len, &crc, d);
		if (r == SB_OK && crc_matches(b, crc, sb_crc_stm32(SB_CRC_STM32_INIT, data, len)))
			return SB_OK;
		if (r == SB_OK && !an3155_has(b, AN3155_CMD_READ))
			return sb_diag_addr(d, SB_ERR_VERIFY, addr, "verify failed: the checksum"
					    " of %zu bytes at 0x%08lX differs", len,
					    (unsigned long)addr);
		if (r == SB_OK)
			sb_logf(&b->log, SB_LOG_INFO, "an3155: checksum differs, reading back to locate");
		else if (r == SB_ERR_UNSUPPORTED)
			r = SB_OK;   /* the frame failed: read back (facts A.5 0xA1 row) */
		else
			return r;
	}
	if (r == SB_OK)
		r = a3_need(b, AN3155_CMD_READ, "Read Memory", d);
	return r ? r : compare_back(b, addr, data, len, repair, d);
}
