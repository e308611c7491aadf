/* SPDX-License-Identifier: MIT */
/*
 * script_usb.c - scripted USB control pipe for engine tests; see
 * tests/unit/script_usb.h.
 */
#include "../unit/script_usb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb_err.h"

enum step_kind { STEP_CONTROL, STEP_SET_ALT };

struct step {
	enum step_kind kind;
	uint8_t type, req;
	uint16_t value, index, wlength;
	uint8_t *data;     /* expected OUT bytes or IN reply, owned */
	size_t n;
	int result;
	int interface, alt;  /* STEP_SET_ALT */
};

struct script_usb {
	struct step *steps;
	size_t nsteps, cap, next;
	uint16_t windex;
	unsigned *sleeps;
	size_t nsleeps, sleep_cap;
	uint64_t clock;
	bool failed;
	char error[512];
};

struct script_usb *script_usb_new(void)
{
	return calloc(1, sizeof(struct script_usb));
}

void script_usb_free(struct script_usb *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsteps; i++)
		free(s->steps[i].data);
	free(s->steps);
	free(s->sleeps);
	free(s);
}

void script_usb_interface(struct script_usb *s, uint16_t windex)
{
	s->windex = windex;
}

static struct step *push(struct script_usb *s)
{
	if (s->nsteps == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->steps = realloc(s->steps, s->cap * sizeof(*s->steps));
		if (!s->steps)
			abort();
	}
	memset(&s->steps[s->nsteps], 0, sizeof(struct step));
	return &s->steps[s->nsteps++];
}

void script_expect(struct script_usb *s, uint8_t type, uint8_t req, uint16_t value,
		   uint16_t wlength, const uint8_t *data, size_t n, int result)
{
	struct step *st;

	if ((type & 0x80) ? n > wlength : (result == 0 && n != wlength)) {
		fprintf(stderr, "script_usb: step %zu: %zu data bytes for wLength %u\n",
			s->nsteps, n, wlength);
		abort();  /* a broken script, not a failing engine */
	}
	st = push(s);
	*st = (struct step){ .kind = STEP_CONTROL, .type = type, .req = req, .value = value,
			     .index = s->windex, .wlength = wlength, .n = n, .result = result };
	if (n) {
		st->data = malloc(n);
		if (!st->data)
			abort();
		memcpy(st->data, data, n);
	}
}

/* ---- the transport ------------------------------------------------------- */

static int mismatch(struct script_usb *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int mismatch(struct script_usb *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->failed) {
		int k = snprintf(s->error, sizeof(s->error), "step %zu: ", s->next);
		va_start(ap, fmt);
		vsnprintf(s->error + k, sizeof(s->error) - (size_t)k, fmt, ap);
		va_end(ap);
		s->failed = true;
	}
	return SB_ERR_IO;
}

static void describe(const struct step *st, char *buf, size_t len)
{
	if (st->kind == STEP_SET_ALT)
		snprintf(buf, len, "set_alt(%d, %d)", st->interface, st->alt);
	else
		snprintf(buf, len, "%02X %02X %04X %04X %04X", st->type, st->req, st->value,
			 st->index, st->wlength);
}

static int check_out(struct script_usb *s, const struct step *st, const uint8_t *buf)
{
	for (size_t i = 0; i < st->n; i++)
		if (!buf || buf[i] != st->data[i])
			return mismatch(s, "OUT data differs at byte %zu: expected %02X, got %02X",
					i, st->data[i], buf ? buf[i] : 0);
	return SB_OK;
}

static int control(void *h, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		   uint8_t *buf, uint16_t wlength, unsigned timeout_ms)
{
	struct script_usb *s = h;
	const struct step *st;
	char want[64];

	(void)timeout_ms;
	if (s->failed)
		return SB_ERR_IO;
	if (s->next >= s->nsteps)
		return mismatch(s, "unexpected transfer %02X %02X %04X %04X %04X after the script",
				type, req, value, index, wlength);
	st = &s->steps[s->next];
	describe(st, want, sizeof(want));
	if (st->kind != STEP_CONTROL || st->type != type || st->req != req || st->value != value ||
	    st->index != index || st->wlength != wlength)
		return mismatch(s, "expected %s, got %02X %02X %04X %04X %04X", want, type, req,
				value, index, wlength);
	if (!(type & 0x80) && st->result == 0 && check_out(s, st, buf))
		return SB_ERR_IO;
	s->next++;
	if (st->result < 0)
		return st->result;
	if (!(type & 0x80))
		return wlength;
	if (st->n)
		memcpy(buf, st->data, st->n);
	return (int)st->n;
}

static int set_alt(void *h, int interface, int alt)
{
	struct script_usb *s = h;
	const struct step *st;

	if (s->failed)
		return SB_ERR_IO;
	if (s->next >= s->nsteps)
		return mismatch(s, "unexpected set_alt(%d, %d) after the script", interface, alt);
	st = &s->steps[s->next];
	if (st->kind != STEP_SET_ALT || st->interface != interface || st->alt != alt)
		return mismatch(s, "unexpected set_alt(%d, %d)", interface, alt);
	s->next++;
	return st->result;
}

static void sleep_ms(void *h, unsigned ms)
{
	struct script_usb *s = h;

	if (s->nsleeps == s->sleep_cap) {
		s->sleep_cap = s->sleep_cap ? 2 * s->sleep_cap : 32;
		s->sleeps = realloc(s->sleeps, s->sleep_cap * sizeof(*s->sleeps));
		if (!s->sleeps)
			abort();
	}
	s->sleeps[s->nsleeps++] = ms;
	s->clock += ms;
}

static uint64_t now_ms(void *h)
{
	return ((struct script_usb *)h)->clock;
}

static const struct sb_usb_ops script_ops = {
	.control = control,
	.set_alt = set_alt,
	.sleep_ms = sleep_ms,
	.now_ms = now_ms,
	.close = NULL,
};

struct sb_usb script_usb_link(struct script_usb *s)
{
	return (struct sb_usb){ .ops = &script_ops, .h = s };
}

/* ---- shorthands ------------------------------------------------------------ */

#define OUT 0x21
#define IN 0xA1

void script_dnload(struct script_usb *s, uint16_t block, const uint8_t *data, size_t n)
{
	script_expect(s, OUT, 1, block, (uint16_t)n, data, n, 0);
}

void script_dnload_fail(struct script_usb *s, uint16_t block, const uint8_t *data, size_t n,
			int err)
{
	script_expect(s, OUT, 1, block, (uint16_t)n, data, n, err);
}

void script_upload(struct script_usb *s, uint16_t block, uint16_t wlength, const uint8_t *reply,
		   size_t n)
{
	script_expect(s, IN, 2, block, wlength, reply, n, 0);
}

void script_upload_fail(struct script_usb *s, uint16_t block, uint16_t wlength, int err)
{
	script_expect(s, IN, 2, block, wlength, NULL, 0, err);
}

void script_status(struct script_usb *s, uint8_t status, uint32_t poll_ms, uint8_t state)
{
	const uint8_t b[6] = { status, (uint8_t)poll_ms, (uint8_t)(poll_ms >> 8),
			       (uint8_t)(poll_ms >> 16), state, 0 };
	script_expect(s, IN, 3, 0, 6, b, sizeof(b), 0);
}

void script_status_fail(struct script_usb *s, int err)
{
	script_expect(s, IN, 3, 0, 6, NULL, 0, err);
}

void script_clrstatus(struct script_usb *s)
{
	script_expect(s, OUT, 4, 0, 0, NULL, 0, 0);
}

void script_abort(struct script_usb *s)
{
	script_expect(s, OUT, 6, 0, 0, NULL, 0, 0);
}

void script_getstate(struct script_usb *s, uint8_t state)
{
	script_expect(s, IN, 5, 0, 1, &state, 1, 0);
}

void script_set_alt(struct script_usb *s, int interface, int alt, int result)
{
	struct step *st = push(s);

	*st = (struct step){ .kind = STEP_SET_ALT, .interface = interface, .alt = alt,
			     .result = result };
}

void script_command(struct script_usb *s, const uint8_t *cmd, size_t n, uint32_t poll_ms)
{
	script_dnload(s, 0, cmd, n);
	script_status(s, 0, poll_ms, 4);   /* dfuDNBUSY */
	script_status(s, 0, 0, 5);         /* dfuDNLOAD-IDLE */
}

void script_set_address(struct script_usb *s, uint32_t addr)
{
	const uint8_t cmd[5] = { 0x21, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
				 (uint8_t)(addr >> 24) };
	script_command(s, cmd, sizeof(cmd), 0);
}

void script_block(struct script_usb *s, uint16_t block, const uint8_t *data, size_t n,
		  uint32_t poll_ms)
{
	script_dnload(s, block, data, n);
	script_status(s, 0, poll_ms, 4);
	script_status(s, 0, 0, 5);
}

/* ---- results --------------------------------------------------------------- */

size_t script_usb_sleeps(const struct script_usb *s, const unsigned **ms)
{
	if (ms)
		*ms = s->sleeps;
	return s->nsleeps;
}

uint64_t script_usb_now(const struct script_usb *s)
{
	return s->clock;
}

bool script_usb_done(const struct script_usb *s)
{
	return !s->failed && s->next == s->nsteps;
}

const char *script_usb_error(struct script_usb *s)
{
	if (s->failed)
		return s->error;
	if (s->next < s->nsteps) {
		char want[64];
		describe(&s->steps[s->next], want, sizeof(want));
		snprintf(s->error, sizeof(s->error), "%zu of %zu steps unused; next: %s",
			 s->nsteps - s->next, s->nsteps, want);
		return s->error;
	}
	return "";
}
