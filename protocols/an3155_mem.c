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
	if (r == SB_OK) {
		b->stage = A3_ST_PARAM;
		r = a3_tx(b, len, sizeof(len));
	}
	if (r == SB_OK)
		r = a3_wait_ack(b, b->o.t.ack_ms);
	if (r == SB_OK) {
		b->stage = A3_ST_REPLY;
		r = a3_rx(b, a->buf, a->n, b->o.t.xfer_ms);
	}
	return r;
}

/* One block of 1..256 bytes, retried after resync; gated by RDP (facts A.6). */
static int read_block(struct an3155 *b, uint32_t addr, uint8_t *buf, size_t n,
		      struct sb_diag *d)
{
	struct rd a = { addr, buf, n };
	int r = a3_retry(b, read_once, &a, true);

	return r ? a3_fail(b, d, r, "read", addr, true) : SB_OK;
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
		if (i >= b->o.retries)
			return sb_diag_addr(d, SB_ERR_FRAMING, addr, "read-back of %zu bytes at"
					    " 0x%08lX did not settle in %u reads: the line garbles"
					    " bytes (Read Memory data has no checksum, facts A.5), so"
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

/* ---- Write Memory (facts A.5, A.7) --------------------------------------- */

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
	if (r == SB_OK) {
		b->stage = A3_ST_DATA;
		r = a3_tx(b, f, n + 2);
	}
	if (r == SB_OK)
		r = a3_wait_ack(b, b->o.t.write_ms);
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
			if (got[i] != want[i])
				return sb_diag_addr(d, SB_ERR_VERIFY, addr + (uint32_t)(u * unit + i),
						    "write at 0x%08lX: the ACK was lost and the flash"
						    " now holds 0x%02X, not 0x%02X; it cannot be"
						    " programmed twice (facts A.7): erase and write again",
						    (unsigned long)(addr + u * unit + i), got[i], want[i]);
	}
	sb_logf(&b->log, SB_LOG_INFO, "an3155: read back 0x%08lX: %s",
		(unsigned long)(addr + off), again ? "not programmed, sending again" :
		"already programmed");
	return SB_OK;
}

/* Why a write attempt failed, if a retry may fix it. */
static int write_retry_gate(struct an3155 *b, int r, unsigned *tries, unsigned *nacks)
{
	bool last = *tries >= b->o.retries;

	if (!a3_retryable(r))
		return r;
	if (a3_rdp_nack(b, r, nacks, last))
		return SB_ERR_PROTECTED;
	if (last)
		return r;
	++*tries;
	sb_logf(&b->log, SB_LOG_INFO, "an3155: write: %s, retrying (%u of %u)",
		sb_strerror(r), *tries, b->o.retries);
	return SB_OK;
}

/* One block (<= 256 bytes, whole units), confirmed by ACK or read-back. */
static int write_block(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t n,
		       struct sb_diag *d)
{
	unsigned unit = b->o.write_unit, tries = 0, nacks = 0;
	size_t nu = n / unit, lo, hi;
	bool need[A3_BLOCK];
	int r;

	b->lost = false;
	for (size_t i = 0; i < nu; i++)
		need[i] = true;
	while (next_run(need, nu, &lo, &hi)) {
		uint32_t at = addr + (uint32_t)(lo * unit);

		bool sent;
		int g;

		r = write_once(b, at, data + lo * unit, (hi - lo) * unit);
		if (r == SB_OK) {
			memset(need + lo, 0, hi - lo);
			continue;
		}
		b->attempts = tries + 1;
		g = write_retry_gate(b, r, &tries, &nacks);
		if (g)
			return a3_fail(b, d, g, "write", at, true);
		sent = b->stage >= A3_ST_DATA;
		r = a3_resync(b);
		if (r)
			return a3_fail(b, d, r, "write", at, true);
		/* Nothing is programmed before the data phase; after it, look first. */
		if (sent && (r = recheck(b, addr, data, need, lo, hi, d)) != SB_OK)
			return r;
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
	if (r == SB_OK && (addr % unit || len % unit))
		return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr,
				    "write of %zu bytes at 0x%08lX: address and length must be"
				    " multiples of %u (facts A.7)", len, (unsigned long)addr, unit);
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
 * stm32flash's frame (facts A.5): address, then length as 4 bytes
 * big-endian + XOR, ACK, a second ACK when done, then CRC MSB first + XOR.
 * CONFLICT (facts F.6): newer AN3155 revisions may add polynomial and
 * initial value. We only send 0xA1 when Get lists it, and check the reply's
 * XOR, so a different frame fails loudly instead of verifying wrongly.
 */
static int crc_once(struct an3155 *b, void *arg)
{
	struct ck *a = arg;
	uint8_t f[5] = { (uint8_t)(a->len >> 24), (uint8_t)(a->len >> 16),
			 (uint8_t)(a->len >> 8), (uint8_t)a->len, 0 }, c[5];
	int r = a3_cmd(b, AN3155_CMD_GET_CHECKSUM);

	f[4] = a3_xor(f, 4);
	if (r == SB_OK)
		r = a3_addr(b, a->addr);
	if (r == SB_OK) {
		b->stage = A3_ST_PARAM;
		r = a3_tx(b, f, sizeof(f));
	}
	if (r == SB_OK)
		r = a3_wait_ack(b, b->o.t.ack_ms);
	if (r == SB_OK) {
		b->stage = A3_ST_REPLY;
		r = a3_wait_ack(b, b->o.t.crc_ms);
	}
	if (r == SB_OK)
		r = a3_rx(b, c, sizeof(c), b->o.t.ack_ms);
	if (r)
		return r;
	if (a3_xor(c, 5) != 0) {
		b->bad = -1;   /* a checksum error, not an odd byte */
		return SB_ERR_FRAMING;
	}
	a->crc = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
	return SB_OK;
}

int an3155_get_checksum(struct an3155 *b, uint32_t addr, uint32_t len, uint32_t *crc,
			struct sb_diag *d)
{
	struct ck a = { addr, len, 0 };
	int r = a3_need(b, AN3155_CMD_GET_CHECKSUM, "Get Checksum", d);

	if (r)
		return r;
	if (addr % 4 || len % 4 || !len)
		return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr, "checksum of %lu bytes at"
				    " 0x%08lX: address and length must be multiples of 4",
				    (unsigned long)len, (unsigned long)addr);
	r = check_span(addr, len, d);
	if (r == SB_OK)
		r = a3_retry(b, crc_once, &a, true);
	if (r)
		return a3_fail(b, d, r, "checksum", addr, true);
	*crc = a.crc;
	return SB_OK;
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

	if (a3_need(b, AN3155_CMD_GET_CHECKSUM, "Get Checksum", NULL) == SB_OK)
		return an3155_get_checksum(b, addr, len, crc, d);
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
	bool by_crc = a3_need(b, AN3155_CMD_GET_CHECKSUM, "", NULL) == SB_OK &&
		      addr % 4 == 0 && len % 4 == 0 && len && len <= UINT32_MAX;
	int r = check_span(addr, len, d);

	if (r == SB_OK && by_crc) {
		uint32_t crc;

		r = an3155_get_checksum(b, addr, (uint32_t)len, &crc, d);
		if (r || crc == sb_crc_stm32(SB_CRC_STM32_INIT, data, len))
			return r;
		sb_logf(&b->log, SB_LOG_INFO, "an3155: checksum differs, reading back to locate");
		if (!an3155_has(b, AN3155_CMD_READ))
			return sb_diag_addr(d, SB_ERR_VERIFY, addr, "verify failed: the checksum"
					    " of %zu bytes at 0x%08lX differs", len,
					    (unsigned long)addr);
	}
	if (r == SB_OK)
		r = a3_need(b, AN3155_CMD_READ, "Read Memory", d);
	return r ? r : compare_back(b, addr, data, len, repair, d);
}
