/*
 * an3155_conn.c - AN3155 connect and reconnect: 0x7F synchronisation with
 * bounded retries and the reset hook, then Get, Get Version, Get ID.
 * Facts cite protocol-facts.md.
 */
#include "an3155_priv.h"

#include <string.h>

/* ---- sync (facts A.1) ---------------------------------------------------- */

/* One attempt: 0x7F; on silence a second 0x7F, whose NACK means "already synced". */
static int sync_once(struct an3155 *b)
{
	const uint8_t init = 0x7F;

	for (int i = 0; i < 2; i++) {
		uint8_t c;
		int r = a3_tx(b, &init, 1);

		if (r == SB_OK)
			r = a3_rx(b, &c, 1, b->o.t.sync_ms);
		if (r == SB_ERR_TIMEOUT)
			continue;
		if (r)
			return r;
		if (c != A3_ACK && c != A3_NACK) {
			b->bad = c;
			return SB_ERR_FRAMING;
		}
		b->info.fresh_sync = c == A3_ACK;
		return SB_OK;
	}
	return SB_ERR_TIMEOUT;
}

static int call_reset(struct an3155 *b, struct sb_diag *d)
{
	int r;

	sb_logf(&b->log, SB_LOG_INFO, "an3155: resetting the part into the bootloader");
	r = b->o.reset(b->o.reset_ctx);
	if (r)
		return sb_diag_set(d, r < 0 ? r : SB_ERR_IO, "the reset hook failed: %s",
				   sb_strerror(r));
	return SB_OK;
}

static int sync_fail(struct an3155 *b, int first_bad, struct sb_diag *d)
{
	if (first_bad >= 0)  /* a wrong autobaud lasts until reset: protocol-facts A.1 */
		return sb_diag_set(d, SB_ERR_FRAMING,
				   "unexpected reply 0x%02X to 0x7F: wrong parity (the loader needs"
				   " 8E1) or baud? A part that saw another byte before 0x7F"
				   " autobauds wrongly until reset", first_bad);
	return sb_diag_set(d, SB_ERR_TIMEOUT,
			   "no answer to 0x7F (%u attempts): is BOOT0 high and the part reset"
			   " into the bootloader? wiring (TX/RX crossed, common ground)?"
			   " the right port and a baud rate the ROM can detect?",
			   b->o.sync_tries);
}

static int sync_rom(struct an3155 *b, struct sb_diag *d)
{
	int first_bad = -1;

	for (unsigned i = 0; i < b->o.sync_tries; i++) {
		int r = SB_OK;

		/* The ROM autobauds once per reset (facts A.1): only a reset can
		 * undo a wrong lock, so the hook runs between attempts. */
		if (i > 0 && b->o.reset && (r = call_reset(b, d)) != SB_OK)
			return r;
		r = a3_flush(b);
		if (r == SB_OK)
			r = sync_once(b);
		if (r == SB_OK) {
			sb_logf(&b->log, SB_LOG_DEBUG, "an3155: synchronised (%s)",
				b->info.fresh_sync ? "ACK" : "NACK: already synchronised");
			return SB_OK;
		}
		if (r != SB_ERR_TIMEOUT && r != SB_ERR_FRAMING)
			return sb_diag_set(d, r, "link failed during sync: %s", sb_strerror(r));
		if (r == SB_ERR_FRAMING && first_bad < 0)
			first_bad = b->bad;
		sb_logf(&b->log, SB_LOG_DEBUG, "an3155: sync attempt %u of %u: %s", i + 1,
			b->o.sync_tries, sb_strerror(r));
	}
	return sync_fail(b, first_bad, d);
}

/* ---- Get, Get Version, Get ID (facts A.5) -------------------------------- */

/* Variable reply: N, then N+1 bytes, then ACK. */
static int read_list(struct an3155 *b, uint8_t code, uint8_t *buf, unsigned *n)
{
	uint8_t len;
	int r = a3_cmd(b, code);

	if (r)
		return r;
	b->stage = A3_ST_REPLY;
	r = a3_rx(b, &len, 1, b->o.t.ack_ms);
	if (r == SB_OK)
		r = a3_rx(b, buf, (size_t)len + 1, b->o.t.xfer_ms);
	if (r == SB_OK)
		r = a3_wait_ack(b, b->o.t.ack_ms);
	*n = (unsigned)len + 1;
	return r;
}

/*
 * The Get reply has no checksum (facts A.5): a byte garbled on the wire
 * would silently drop a command from the list. Every code a ROM lists is
 * one of the AN3155 command codes (facts A.4, including the I2C no-stretch
 * variants and 0x50/0x51), and Get itself is always listed; anything else
 * is a corrupted reply, retried after a resync like any framing error.
 */
static bool plausible_list(const uint8_t *cmd, unsigned n)
{
	static const uint8_t known[] = { 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x32, 0x43, 0x44,
					 0x45, 0x50, 0x51, 0x63, 0x64, 0x73, 0x74, 0x82, 0x83,
					 0x92, 0x93, 0xA1 };
	bool has_get = false;

	for (unsigned i = 0; i < n; i++) {
		if (!memchr(known, cmd[i], sizeof(known)))
			return false;
		has_get |= cmd[i] == AN3155_CMD_GET;
	}
	return has_get;
}

static int get_once(struct an3155 *b, void *arg)
{
	uint8_t buf[256];
	unsigned n;
	int r = read_list(b, AN3155_CMD_GET, buf, &n);

	(void)arg;
	if (r)
		return r;
	/* buf = version, then N command codes (facts A.5, Get row). */
	if (!plausible_list(buf + 1, n - 1)) {
		sb_logf(&b->log, SB_LOG_DEBUG, "an3155: Get listed an unknown command code: corrupted");
		return SB_ERR_FRAMING;
	}
	b->info.version = buf[0];
	b->info.ncmd = (uint8_t)(n - 1 > sizeof(b->info.cmd) ? sizeof(b->info.cmd) : n - 1);
	memcpy(b->info.cmd, buf + 1, b->info.ncmd);
	return SB_OK;
}

static int gv_once(struct an3155 *b, void *arg)
{
	uint8_t buf[3];
	int r = a3_cmd(b, AN3155_CMD_GET_VERSION);

	(void)arg;
	if (r)
		return r;
	b->stage = A3_ST_REPLY;
	r = a3_rx(b, buf, sizeof(buf), b->o.t.ack_ms);
	if (r == SB_OK)
		r = a3_wait_ack(b, b->o.t.ack_ms);
	if (r)
		return r;
	b->info.gv_version = buf[0];
	b->info.gv_opt[0] = buf[1];
	b->info.gv_opt[1] = buf[2];
	b->info.has_gv = true;
	return SB_OK;
}

static int gid_once(struct an3155 *b, void *arg)
{
	uint8_t buf[256];
	unsigned n;
	int r = read_list(b, AN3155_CMD_GET_ID, buf, &n);

	(void)arg;
	if (r)
		return r;
	/* N = 1: two PID bytes, MSB first (facts A.5, Get ID row). */
	b->info.pid = n >= 2 ? (uint16_t)(buf[0] << 8 | buf[1]) : buf[0];
	b->info.has_pid = true;
	if (n > 2)
		sb_logf(&b->log, SB_LOG_DEBUG, "an3155: Get ID returned %u bytes", n);
	return SB_OK;
}

static int parity_hint(int r, struct sb_diag *d)
{
	return sb_diag_set(d, r, "the bootloader ACKed 0x7F but %s Get: the adapter or"
			   " its driver may not carry even parity (8E1 is required),"
			   " or the part was reset in between",
			   r == SB_ERR_NACK ? "refused" : "did not answer");
}

static int get_cmds(struct an3155 *b, struct sb_diag *d)
{
	int r = get_once(b, NULL);

	b->attempts = 1;
	b->lost = false;
	/* 0x7F carries its own parity bit right even on an 8N1 link, 00 FF does
	 * not: an ACKed 0x7F and a refused Get point at the adapter (serial-anchors 8.5). */
	if (b->info.fresh_sync && r == SB_ERR_NACK)
		return parity_hint(r, d);
	if (r && a3_retryable(r) && b->o.retries) {
		r = a3_resync(b);
		if (r == SB_OK)
			r = a3_retry(b, get_once, NULL, false);
		/* a byte lost once is noise; a Get that never completes is the adapter */
		if (b->info.fresh_sync && r == SB_ERR_TIMEOUT)
			return parity_hint(r, d);
	} else if (b->info.fresh_sync && r == SB_ERR_TIMEOUT)
		return parity_hint(r, d);
	return r ? a3_fail(b, d, r, "Get", 0, false) : SB_OK;
}

static int identify(struct an3155 *b, bool full, struct sb_diag *d)
{
	int r = get_cmds(b, d);

	if (r)
		return r;
	sb_logf(&b->log, SB_LOG_INFO, "an3155: bootloader protocol v%u.%u, %u commands",
		b->info.version >> 4, b->info.version & 15u, b->info.ncmd);
	if (!full)
		return SB_OK;
	if (an3155_has(b, AN3155_CMD_GET_VERSION)) {
		r = a3_retry(b, gv_once, NULL, false);
		if (r)
			return a3_fail(b, d, r, "Get Version", 0, false);
	}
	if (an3155_has(b, AN3155_CMD_GET_ID)) {
		r = a3_retry(b, gid_once, NULL, false);
		if (r)
			return a3_fail(b, d, r, "Get ID", 0, false);
		sb_logf(&b->log, SB_LOG_INFO, "an3155: product ID 0x%03X", b->info.pid);
	}
	return SB_OK;
}

int an3155_connect(struct an3155 *b, struct sb_diag *d)
{
	int r;

	b->state = A3_IDLE;
	memset(&b->info, 0, sizeof(b->info));
	r = sync_rom(b, d);
	if (r == SB_OK)
		r = identify(b, true, d);
	if (r == SB_OK)
		b->state = A3_READY;
	return r;
}

int an3155_reconnect(struct an3155 *b, struct sb_diag *d)
{
	bool full = b->state == A3_IDLE;
	unsigned settle = b->state == A3_RESET_PENDING ? b->settle_ms : b->o.t.settle_ms;
	int r = SB_OK;

	sb_logf(&b->log, SB_LOG_INFO, "an3155: reconnecting after %u ms", settle);
	a3_sleep(b, settle);
	b->state = A3_IDLE;
	if (b->o.reset)
		r = call_reset(b, d);
	if (r == SB_OK)
		r = sync_rom(b, d);
	if (r == SB_OK)
		r = identify(b, full, d);
	if (r == SB_OK)
		b->state = A3_READY;
	return r;
}
