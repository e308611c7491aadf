/* SPDX-License-Identifier: MIT */
/*
 * an3155_conn.c - AN3155 connect and reconnect: 0x7F synchronisation with
 * bounded retries and the reset hook, then Get, Get Version, Get ID.
 * Facts cite protocol-facts.md.
 */
#include "an3155_priv.h"

#include <string.h>

/* ---- sync (facts A.1) ----------------------------------------------------- */

/*
 * 0x7F bytes before the ROM counts as silent. A fresh ROM (after reset)
 * autobauds on the first 0x7F and ACKs it; an idle synchronised ROM takes
 * 0x7F as an opcode and NACKs it at once or at the second 0x7F (facts A.1:
 * both seen). So silence after a few 0x7F means either a ROM that is not
 * there yet (slow start-up, not in the loader) or one still inside a command
 * that a killed client left half sent, waiting for more bytes (a Write
 * Memory data phase takes up to 258). Only 0x7F is sent while the ROM may
 * still be fresh: any other first byte makes it autobaud to a wrong rate
 * until reset (facts A.1). A3_SYNC_BYTES x sync_ms (2.5 s by default) is
 * the start-up the sync waits for before it takes the ROM to be inside a
 * command and fills that command up with one burst of the resync filler
 * (an3155.c), which no phase accepts: a Write Memory data phase, the longest
 * a client normally leaves, ends within one burst. If that draws no answer
 * either, the ROM is not there (BOOT0, reset, wiring): fail fast, no long
 * resync.
 *
 * A3_SYNC_BYTES is odd on purpose. A client killed right after the address
 * ACK of a Write Memory leaves the ROM waiting for N: our first 0x7F becomes
 * N (128 bytes), the other 0x7F and then fillers the data, a filler the
 * checksum. The frame's XOR is then 0x7F for an odd count of 0x7F and 0x02
 * for an even one - which equals the filler checksum and would program our
 * bytes. With an odd count it is refused.
 */
enum { A3_SYNC_BYTES = 5 };

/* Read up to one byte; on an unexpected one, drain the rest (a reply a
 * killed client left running) until silence. */
static int sync_reply(struct an3155 *b, unsigned ms, uint8_t *c)
{
	int r = a3_rx(b, c, 1, ms);
	uint8_t junk;

	if (r || *c == A3_ACK || *c == A3_NACK)
		return r;
	b->bad = *c;
	while (a3_rx(b, &junk, 1, b->o.t.resync_ms) == SB_OK)
		;
	return SB_ERR_FRAMING;
}

/*
 * One attempt: 0x7F until the ROM answers ACK (fresh: autobaud done now) or
 * NACK (already synchronised), at most A3_SYNC_BYTES of them; an ACK after
 * more than one 0x7F may leave a later 0x7F pending as an opcode, so the
 * alignment is restored with a resync. Silence throughout: fill up a
 * half-sent command (see above).
 */
static int sync_once(struct an3155 *b)
{
	const uint8_t init = 0x7F;
	unsigned sent = 0, odd = 0;
	int r = SB_ERR_TIMEOUT;

	while (sent < A3_SYNC_BYTES) {
		uint8_t c = 0;

		r = a3_tx(b, &init, 1);
		sent++;
		if (r == SB_OK)
			r = sync_reply(b, b->o.t.sync_ms, &c);
		if (r == SB_ERR_TIMEOUT)
			continue;
		if (r == SB_ERR_FRAMING && ++odd < 2)
			continue;   /* the tail of someone else's reply: once */
		if (r)
			return r;
		b->info.fresh_sync = c == A3_ACK;
		if (c == A3_ACK && sent > 1) {
			sb_logf(&b->log, SB_LOG_DEBUG, "an3155: ACK after %u x 0x7F: re-aligning",
				sent);
			return a3_resync(b);
		}
		return SB_OK;
	}
	sb_logf(&b->log, SB_LOG_DEBUG, "an3155: no answer to %u x 0x7F: filling up a command"
		" another client may have left half sent", sent);
	r = a3_fill_up(b);
	if (r == SB_OK)
		b->info.fresh_sync = false;   /* the ROM was synchronised: it took our bytes */
	return r;
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
	b->last_tx = 0;
	r = a3_rx(b, &len, 1, a3_deadline(b, 1, 0, b->o.t.ack_ms));
	if (r == SB_OK)
		r = a3_rx(b, buf, (size_t)len + 1, a3_deadline(b, (size_t)len + 2, 0, b->o.t.xfer_ms));
	if (r == SB_OK)
		r = a3_wait_ack(b, a3_deadline(b, 1, 0, b->o.t.ack_ms));
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
	b->last_tx = 0;
	r = a3_rx(b, buf, sizeof(buf), a3_deadline(b, sizeof(buf) + 1, 0, b->o.t.ack_ms));
	if (r == SB_OK)
		r = a3_wait_ack(b, a3_deadline(b, 1, 0, b->o.t.ack_ms));
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

/*
 * 0x7F carries its own parity bit right even on an 8N1 link, 00 FF does not:
 * an ACKed 0x7F and a Get that is refused or unanswered point at the adapter
 * (serial-anchors 8.5) - but only when it keeps failing. A late ACK, a
 * second 0x7F taken as an opcode or one garbled byte also fail one Get, so
 * the Get is first sent again after a resync (the retries of a3_retry).
 */
static int get_cmds(struct an3155 *b, struct sb_diag *d)
{
	int r = get_once(b, NULL);

	b->attempts = 1;
	b->lost = false;
	if (r && a3_retryable(r) && b->o.retries) {
		r = a3_recover(b, r);
		if (r == SB_OK)
			r = a3_retry(b, get_once, NULL, false);
	}
	if (b->info.fresh_sync && (r == SB_ERR_NACK || r == SB_ERR_TIMEOUT))
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
