/* SPDX-License-Identifier: MIT */
/*
 * an3155_dev.c - the STM32L4R5 USART ROM loader (AN3155 v3.1) as a byte
 * state machine: the machinery (output, stages, sync, dispatch, fault fates)
 * and the public API. Each command is a chain of stages (an3155_dev_cmds.c):
 * a stage says how many bytes it needs and runs when they have arrived.
 * Rules cite ../shared/reference/protocol-facts.md section A.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an3155_dev_priv.h"
#include "part.h"

struct cmd {
	uint8_t code;
	const char *name;
	bool rdp_ok;                  /* A.4 "RDP1" column / A.6 */
	stage_fn start;
};

/* ---- output and bookkeeping ---- */

void adev_put(struct an3155dev *d, uint8_t c)
{
	if (d->out_len == d->out_cap) {
		size_t cap = d->out_cap ? 2 * d->out_cap : 512;
		uint8_t *p = realloc(d->out, cap);

		if (!p)
			return;  /* out of memory: the byte is lost, as on a noisy line */
		d->out = p;
		d->out_cap = cap;
	}
	d->out[d->out_len++] = c;
}

void adev_ack(struct an3155dev *d)
{
	adev_put(d, AN3155DEV_ACK_BYTE);
}

void adev_nack(struct an3155dev *d)
{
	adev_put(d, AN3155DEV_NACK_BYTE);
}

/* Follow board resets (back to awaiting 0x7F) and mode changes. */
void adev_follow_board(struct an3155dev *d)
{
	unsigned rc = board_reset_count(d->b);

	if (rc != d->seen_resets) {
		d->seen_resets = rc;
		d->phase = AN3155DEV_AWAIT_SYNC;
		d->stage = NULL;
	}
	if (board_mode(d->b) != BOARD_MODE_ROM)
		d->phase = AN3155DEV_OFF;
	else if (d->phase == AN3155DEV_OFF)
		d->phase = AN3155DEV_AWAIT_SYNC;
}

static void report(struct an3155dev *d, uint8_t code, bool ok, const char *fmt, va_list ap)
{
	struct an3155dev_event ev = { .code = code, .ok = ok };

	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	d->done++;
	if (d->hooks.on_event)
		d->hooks.on_event(d->hooks.ctx, &ev);
}

/* End the current command: back to waiting for the next one. */
void adev_finish(struct an3155dev *d, bool ok, const char *fmt, ...)
{
	va_list ap;

	d->phase = AN3155DEV_IDLE;
	d->stage = NULL;
	va_start(ap, fmt);
	report(d, d->code, ok, fmt, ap);
	va_end(ap);
	adev_follow_board(d);
}

void adev_fail(struct an3155dev *d, const char *fmt, ...)
{
	char text[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	adev_nack(d);
	adev_finish(d, false, "%s: %s: nack", an3155dev_cmd_name(d->code), text);
}

void adev_expect(struct an3155dev *d, size_t n, stage_fn next)
{
	d->have = 0;
	d->need = n;
	d->stage = next;
}

/* NACK_LATE fault: refuse the final step. True if it did. */
bool adev_late_nack(struct an3155dev *d)
{
	if (d->fate != AN3155DEV_NACK_LATE)
		return false;
	adev_fail(d, "fault injected (late)");
	return true;
}

uint8_t adev_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;

	while (n--)
		x ^= *p++;
	return x;
}

bool adev_offers_crc(const struct an3155dev *d)
{
	return d->cfg.version >= AN3155DEV_VERSION_CRC;  /* A.4 0xA1 row, A.5 */
}

/* Erase 0x43 and Extended Erase 0x44 are mutually exclusive (A.4): the part's one. */
bool adev_offers_erase(const struct an3155dev *d, uint8_t code)
{
	return (code != 0x43 && code != 0x44) || code == board_part(d->b)->erase_cmd;
}

uint32_t adev_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A.3: 4 address bytes, MSB first, then their XOR. */
bool adev_take_addr(struct an3155dev *d)
{
	if (adev_xor(d->buf, 4) != d->buf[4])
		return false;
	d->addr = adev_be32(d->buf);
	return true;
}

/* ---- dispatch ---- */

static const struct cmd cmds[] = {
	{ 0x00, "get", true, adev_cmd_get },   { 0x01, "gv", true, adev_cmd_gv },
	{ 0x02, "gid", true, adev_cmd_gid },   { 0x11, "read", false, adev_cmd_read },
	{ 0x21, "go", false, adev_cmd_go },    { 0x31, "write", false, adev_cmd_write },
	{ 0x44, "erase", false, adev_cmd_erase }, { 0x43, "legacy-erase", false, adev_cmd_erase43 },
	{ 0x63, "wp", false, adev_cmd_wp },
	{ 0x73, "wu", false, adev_cmd_wu },    { 0x82, "rp", false, adev_cmd_rp },
	{ 0x92, "ru", true, adev_cmd_ru },     { 0xA1, "crc", false, adev_cmd_crc },
};

static const struct cmd *find_cmd(uint8_t code)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (cmds[i].code == code)
			return &cmds[i];
	return NULL;
}

const char *an3155dev_cmd_name(uint8_t code)
{
	const struct cmd *c = find_cmd(code);

	if (code == AN3155DEV_SYNC_BYTE)
		return "sync";
	return c ? c->name : "unknown";
}

int an3155dev_cmd_code(const char *name)
{
	if (!strcmp(name, "sync"))
		return AN3155DEV_SYNC_BYTE;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(cmds[i].name, name))
			return cmds[i].code;
	return -1;
}

/* Fault fates decided at the opcode; true if the command ends here. */
static bool apply_fate(struct an3155dev *d)
{
	d->fate = d->hooks.on_command ? d->hooks.on_command(d->hooks.ctx, d->code)
				      : AN3155DEV_NORMAL;
	switch (d->fate) {
	case AN3155DEV_NACK:
		adev_fail(d, "fault injected");
		return true;
	case AN3155DEV_STALL:
		adev_finish(d, true, "%s: no reply (fault injected: stall)", an3155dev_cmd_name(d->code));
		return true;
	case AN3155DEV_HANG:
		adev_finish(d, true, "%s: no reply until reset (fault injected: hang)",
		       an3155dev_cmd_name(d->code));
		d->phase = AN3155DEV_HUNG;
		return true;
	default:
		return false;
	}
}

static void st_complement(struct an3155dev *d)
{
	const struct cmd *c = find_cmd(d->code);

	if ((d->buf[0] ^ d->code) != 0xFF) {  /* A.3: opcode, complement */
		adev_fail(d, "opcode 0x%02X: bad complement 0x%02X", d->code, d->buf[0]);
		return;
	}
	if (apply_fate(d))
		return;
	if (!c || (c->code == 0xA1 && !adev_offers_crc(d)) || !adev_offers_erase(d, c->code))
		adev_fail(d, "opcode 0x%02X not offered", d->code);  /* one of 0x43/0x44 (A.4) */
	else if (!c->rdp_ok && board_rdp_level(d->b))
		adev_fail(d, "read protection active");  /* A.6: NACK at the first byte */
	else
		c->start(d);
}

static void on_sync_byte(struct an3155dev *d, uint8_t c)
{
	d->code = AN3155DEV_SYNC_BYTE;
	if (c == AN3155DEV_SYNC_BYTE) {
		adev_ack(d);
		adev_finish(d, true, "sync: ack");
		return;
	}
	/* A.1: "Autobaud happens once per reset"; another first byte mis-locks it */
	adev_finish(d, false, "sync: first byte 0x%02X is not 0x7F: autobaud locked to a wrong rate until reset", c);
	d->phase = AN3155DEV_LOCKED;
}

/*
 * A.1: a 0x7F when already synchronised is either NACKed at once or taken
 * as the first byte of a command, the ROM then waiting silently for its
 * complement (any next byte: NACK, 0x7F is no command). Both are observed.
 */
static void on_opcode(struct an3155dev *d, uint8_t c)
{
	d->code = c;
	if (c == AN3155DEV_SYNC_BYTE && d->cfg.sync_nack) {
		adev_nack(d);
		adev_finish(d, false, "sync: nack (already synced)");
		return;
	}
	d->phase = AN3155DEV_BUSY;
	adev_expect(d, 1, st_complement);
}

static void feed(struct an3155dev *d, uint8_t c)
{
	adev_follow_board(d);
	switch (d->phase) {
	case AN3155DEV_AWAIT_SYNC:
		on_sync_byte(d, c);
		break;
	case AN3155DEV_IDLE:
		on_opcode(d, c);
		break;
	case AN3155DEV_BUSY:
		d->buf[d->have++] = c;
		if (d->have == d->need)
			d->stage(d);
		break;
	default:
		break;  /* OFF, LOCKED, HUNG: the byte is lost */
	}
}

/* ---- public ---- */

struct an3155dev *an3155dev_new(struct board *b, const struct an3155dev_config *cfg)
{
	struct an3155dev *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->b = b;
	if (cfg)
		d->cfg = *cfg;
	if (!d->cfg.version)   /* the part's ROM (devtable.c): 0x31 on the L4R5, 0x22 on F1 */
		d->cfg.version = board_part(b)->usart_ver;
	d->seen_resets = board_reset_count(b);
	d->phase = AN3155DEV_AWAIT_SYNC;
	adev_follow_board(d);
	return d;
}

void an3155dev_free(struct an3155dev *d)
{
	if (!d)
		return;
	free(d->out);
	free(d);
}

void an3155dev_set_hooks(struct an3155dev *d, const struct an3155dev_hooks *hooks)
{
	memset(&d->hooks, 0, sizeof d->hooks);
	if (hooks)
		d->hooks = *hooks;
}

void an3155dev_input(struct an3155dev *d, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		feed(d, in[i]);
}

size_t an3155dev_output(struct an3155dev *d, uint8_t *buf, size_t max)
{
	size_t n = d->out_len < max ? d->out_len : max;

	if (!n)
		return 0;
	memcpy(buf, d->out, n);
	memmove(d->out, d->out + n, d->out_len - n);
	d->out_len -= n;
	return n;
}

size_t an3155dev_pending(const struct an3155dev *d)
{
	return d->out_len;
}

void an3155dev_discard_output(struct an3155dev *d)
{
	d->out_len = 0;
}

enum an3155dev_phase an3155dev_phase(struct an3155dev *d)
{
	adev_follow_board(d);
	return d->phase;
}

bool an3155dev_idle(struct an3155dev *d)
{
	return an3155dev_phase(d) != AN3155DEV_BUSY;
}

uint8_t an3155dev_command(const struct an3155dev *d)
{
	return d->code;
}

unsigned an3155dev_commands_done(const struct an3155dev *d)
{
	return d->done;
}
