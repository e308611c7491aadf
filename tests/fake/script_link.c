/* SPDX-License-Identifier: MIT */
/*
 * script_link.c - the scripted byte link described in tests/unit/script_link.h.
 */
#include "../unit/script_link.h"

#include "sb_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct script_link {
	struct sl_step *steps;
	size_t n, cap;
	size_t pos;        /* current step */
	size_t off;        /* bytes of it already used (TX/RX) */
	char err[512];     /* first mismatch */
	char done_msg[256];
	unsigned sleep_total, closed;
};

static const char *kind_name(enum sl_kind k)
{
	static const char *const names[] = { "END", "TX", "RX", "SILENCE", "SLEEP", "FLUSH",
					     "MODEM" };
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static const struct sl_step *cur(const struct script_link *sl)
{
	static const struct sl_step end = { .kind = SL_K_END };

	return sl->pos < sl->n ? &sl->steps[sl->pos] : &end;
}

static void advance(struct script_link *sl)
{
	sl->pos++;
	sl->off = 0;
}

__attribute__((format(printf, 2, 3)))
static int mismatch(struct script_link *sl, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	if (sl->err[0])
		return SB_ERR_IO;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(sl->err, sizeof(sl->err), "step %zu (%s, offset %zu): %s", sl->pos,
		 kind_name(cur(sl)->kind), sl->off, what);
	return SB_ERR_IO;
}

struct script_link *sl_new(void)
{
	return calloc(1, sizeof(struct script_link));
}

void sl_free(struct script_link *sl)
{
	if (sl)
		free(sl->steps);
	free(sl);
}

int sl_add(struct script_link *sl, const struct sl_step *steps)
{
	for (; steps->kind != SL_K_END; steps++) {
		if (sl->n == sl->cap) {
			size_t cap = sl->cap ? 2 * sl->cap : 64;
			struct sl_step *p = realloc(sl->steps, cap * sizeof(*p));

			if (!p)
				return -1;
			sl->steps = p;
			sl->cap = cap;
		}
		sl->steps[sl->n++] = *steps;
	}
	return 0;
}

static int op_write(void *h, const uint8_t *buf, size_t n, unsigned timeout_ms)
{
	struct script_link *sl = h;

	(void)timeout_ms;
	for (size_t i = 0; i < n; i++) {
		const struct sl_step *s = cur(sl);

		if (sl->err[0])
			return SB_ERR_IO;
		if (s->kind != SL_K_TX)
			return mismatch(sl, "engine wrote 0x%02X (byte %zu of %zu) but the script"
					" expects %s", buf[i], i, n, kind_name(s->kind));
		if (s->bytes[sl->off] != buf[i])
			return mismatch(sl, "engine wrote 0x%02X (byte %zu of %zu), script"
					" expects 0x%02X", buf[i], i, n, s->bytes[sl->off]);
		if (++sl->off == s->n)
			advance(sl);
	}
	return sl->err[0] ? SB_ERR_IO : SB_OK;
}

static int op_read(void *h, uint8_t *buf, size_t n, unsigned timeout_ms)
{
	struct script_link *sl = h;
	size_t got = 0;

	while (got < n && !sl->err[0]) {
		const struct sl_step *s = cur(sl);

		if (s->kind == SL_K_SILENCE) {
			if (timeout_ms < s->ms)
				return mismatch(sl, "read with %u ms, script wants >= %u ms",
						timeout_ms, s->ms);
			advance(sl);
			return (int)got;
		}
		if (s->kind != SL_K_RX)
			return mismatch(sl, "engine reads %zu bytes (got %zu) but the script"
					" expects %s; add SL_SILENCE() for a timeout", n, got,
					kind_name(s->kind));
		if (sl->off == 0 && got == 0 && timeout_ms < s->ms)
			return mismatch(sl, "read with %u ms, script wants >= %u ms", timeout_ms,
					s->ms);
		buf[got++] = s->bytes[sl->off];
		if (++sl->off == s->n)
			advance(sl);
	}
	return sl->err[0] ? SB_ERR_IO : (int)got;
}

static int op_flush(void *h)
{
	struct script_link *sl = h;

	while (cur(sl)->kind == SL_K_RX && !sl->err[0])
		advance(sl);
	if (sl->err[0])
		return SB_ERR_IO;
	if (cur(sl)->kind != SL_K_FLUSH)
		return mismatch(sl, "engine flushed but the script expects %s",
				kind_name(cur(sl)->kind));
	advance(sl);
	return SB_OK;
}

static int op_drain(void *h)
{
	struct script_link *sl = h;

	return sl->err[0] ? SB_ERR_IO : SB_OK;
}

static int op_set_modem(void *h, int dtr, int rts)
{
	struct script_link *sl = h;
	const struct sl_step *s = cur(sl);

	if (sl->err[0])
		return SB_ERR_IO;
	if (s->kind != SL_K_MODEM || s->dtr != dtr || s->rts != rts)
		return mismatch(sl, "engine set modem dtr=%d rts=%d but the script expects %s"
				" (dtr=%d rts=%d)", dtr, rts, kind_name(s->kind), s->dtr, s->rts);
	advance(sl);
	return SB_OK;
}

static void op_sleep(void *h, unsigned ms)
{
	struct script_link *sl = h;
	const struct sl_step *s = cur(sl);

	sl->sleep_total += ms;
	if (sl->err[0])
		return;
	if (s->kind != SL_K_SLEEP || s->ms != ms) {
		mismatch(sl, "engine slept %u ms but the script expects %s (%u ms)", ms,
			 kind_name(s->kind), s->ms);
		return;
	}
	advance(sl);
}

static void op_close(void *h)
{
	struct script_link *sl = h;

	sl->closed++;
}

static const struct sb_link_ops sl_ops = {
	.write = op_write,
	.read = op_read,
	.flush = op_flush,
	.drain = op_drain,
	.set_modem = op_set_modem,
	.sleep_ms = op_sleep,
	.close = op_close,
};

struct sb_link sl_link(struct script_link *sl)
{
	return (struct sb_link){ .ops = &sl_ops, .h = sl };
}

const char *sl_error(const struct script_link *sl)
{
	return sl->err[0] ? sl->err : NULL;
}

const char *sl_check_done(struct script_link *sl)
{
	const struct sl_step *s = cur(sl);

	if (sl->err[0])
		return sl->err;
	if (s->kind == SL_K_END)
		return NULL;
	if (s->kind == SL_K_TX || s->kind == SL_K_RX)
		snprintf(sl->done_msg, sizeof(sl->done_msg),
			 "%zu step(s) unused; next is step %zu (%s, byte %zu of %zu = 0x%02X)",
			 sl->n - sl->pos, sl->pos, kind_name(s->kind), sl->off, s->n,
			 s->bytes[sl->off]);
	else
		snprintf(sl->done_msg, sizeof(sl->done_msg),
			 "%zu step(s) unused; next is step %zu (%s)", sl->n - sl->pos, sl->pos,
			 kind_name(s->kind));
	return sl->done_msg;
}

unsigned sl_sleep_total(const struct script_link *sl)
{
	return sl->sleep_total;
}

unsigned sl_closed(const struct script_link *sl)
{
	return sl->closed;
}

size_t sl_steps_left(const struct script_link *sl)
{
	return sl->n - sl->pos;
}
