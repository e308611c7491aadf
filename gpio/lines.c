/* SPDX-License-Identifier: MIT */
/*
 * lines.c - the sequence runner and the mux of lines.h.
 */
#include "lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sb_lines_line_text(enum sb_line line, unsigned num, char *buf, size_t n)
{
	int k;

	if (line == SB_LINE_GPIO)
		k = snprintf(buf, n, "gpio%u", num);
	else
		k = snprintf(buf, n, "%s", sb_line_name(line));
	return k < 0 ? 0 : (size_t)k;
}

int sb_lines_idle_level(enum sb_line line)
{
	return line == SB_LINE_NRST ? 1 : 0;
}

static bool has(const struct sb_lines *l, enum sb_line line, unsigned num)
{
	return l->ops && l->ops->has && l->ops->has(l->h, line, num);
}

static const char *missing_hint(enum sb_line line)
{
	switch (line) {
	case SB_LINE_BOOT0: return "no BOOT0 line is configured (--boot0, STMBOOT_BOOT0 or a jig)";
	case SB_LINE_NRST: return "no NRST line is configured (--nrst, STMBOOT_NRST or a jig)";
	case SB_LINE_RTS:
	case SB_LINE_DTR: return "it needs a serial port (--port or STMBOOT_PORT)";
	case SB_LINE_BRK: return "sending a break is not supported";
	default: return "no such GPIO line is available";
	}
}

int sb_lines_check(const struct sb_lines *l, const struct sb_seq *s, struct sb_diag *d)
{
	const struct sb_step *st;
	char name[24];
	size_t i;

	for (i = 0; i < s->n; i++) {
		st = &s->step[i];
		if (st->kind != SB_STEP_SET || has(l, st->line, st->num))
			continue;
		sb_lines_line_text(st->line, st->num, name, sizeof(name));
		if (st->col)
			return sb_diag_addr(d, SB_ERR_BAD_INPUT, st->col,
					    "the sequence sets %s (column %u) but %s", name, st->col,
					    missing_hint(st->line));
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "the sequence sets %s but %s", name,
				   missing_hint(st->line));
	}
	return SB_OK;
}

static void describe(const struct sb_lines *l, const struct sb_step *st, char *buf, size_t n)
{
	size_t k = sb_lines_line_text(st->line, st->num, buf, n);

	if (k < n && l->ops->describe) {
		k += (size_t)snprintf(buf + k, n - k, " (");
		if (k < n)
			k += l->ops->describe(l->h, st->line, st->num, buf + k, n - k);
		if (k < n)
			snprintf(buf + k, n - k, ")");
	}
}

static int run_set(const struct sb_lines *l, const struct sb_step *st, const struct sb_log *log,
		   struct sb_diag *d)
{
	struct sb_diag inner = { .msg = "" };
	char what[160];
	int rc;

	describe(l, st, what, sizeof(what));
	sb_logf(log, SB_LOG_INFO, "%s = %d", what, st->level);
	rc = l->ops->set(l->h, st->line, st->num, st->level, &inner);
	if (rc)
		sb_diag_set(d, rc, "setting %s to %d: %s", what, st->level,
			    inner.msg[0] ? inner.msg : sb_strerror(rc));
	return rc;
}

int sb_lines_run(const struct sb_lines *l, const struct sb_seq *s, const struct sb_log *log,
		 struct sb_diag *d)
{
	char dur[24];
	size_t i;
	int rc = sb_lines_check(l, s, d);

	for (i = 0; !rc && i < s->n; i++) {
		const struct sb_step *st = &s->step[i];

		if (st->kind == SB_STEP_SET) {
			rc = run_set(l, st, log, d);
		} else {
			sb_seq_format_us(st->us, dur, sizeof(dur));
			sb_logf(log, SB_LOG_INFO, "wait %s", dur);
			if (l->ops->sleep_us)
				l->ops->sleep_us(l->h, st->us);
		}
	}
	return rc;
}

void sb_lines_close(struct sb_lines *l)
{
	if (l && l->ops && l->ops->close)
		l->ops->close(l->h);
	if (l)
		*l = (struct sb_lines){ 0 };
}

/* ---- mux ---------------------------------------------------------------------- */

struct mux {
	struct sb_lines part[SB_LINES_MUX_MAX];
	size_t n;
};

static const struct sb_lines *route(struct mux *m, enum sb_line line, unsigned num)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (has(&m->part[i], line, num))
			return &m->part[i];
	return NULL;
}

static bool mux_has(void *h, enum sb_line line, unsigned num)
{
	return route(h, line, num) != NULL;
}

static int mux_set(void *h, enum sb_line line, unsigned num, int level, struct sb_diag *d)
{
	const struct sb_lines *p = route(h, line, num);

	if (!p)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "line not configured");
	return p->ops->set(p->h, line, num, level, d);
}

static int mux_get(void *h, enum sb_line line, unsigned num, struct sb_diag *d)
{
	const struct sb_lines *p = route(h, line, num);

	if (!p || !p->ops->get)
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "line not readable");
	return p->ops->get(p->h, line, num, d);
}

static void mux_sleep(void *h, uint32_t us)
{
	struct mux *m = h;
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->part[i].ops && m->part[i].ops->sleep_us) {
			m->part[i].ops->sleep_us(m->part[i].h, us);
			return;
		}
	}
}

static size_t mux_describe(void *h, enum sb_line line, unsigned num, char *buf, size_t n)
{
	const struct sb_lines *p = route(h, line, num);

	if (!p || !p->ops->describe)
		return 0;
	return p->ops->describe(p->h, line, num, buf, n);
}

static void mux_close(void *h)
{
	struct mux *m = h;
	size_t i;

	/* Reverse order: the last backend opened is released first. */
	for (i = m->n; i-- > 0;)
		sb_lines_close(&m->part[i]);
	free(m);
}

static const struct sb_lines_ops mux_ops = {
	.has = mux_has,
	.set = mux_set,
	.get = mux_get,
	.sleep_us = mux_sleep,
	.describe = mux_describe,
	.close = mux_close,
};

int sb_lines_mux(struct sb_lines *out, struct sb_lines *parts, size_t n, struct sb_diag *d)
{
	struct mux *m = NULL;
	size_t i;

	*out = (struct sb_lines){ 0 };
	if (n <= SB_LINES_MUX_MAX)
		m = calloc(1, sizeof(*m));
	if (!m) {
		for (i = 0; i < n; i++)
			sb_lines_close(&parts[i]);
		return sb_diag_set(d, n > SB_LINES_MUX_MAX ? SB_ERR_BAD_INPUT : SB_ERR_NOMEM,
				   "cannot combine %zu line backends", n);
	}
	for (i = 0; i < n; i++) {
		m->part[i] = parts[i];
		parts[i] = (struct sb_lines){ 0 };
	}
	m->n = n;
	*out = (struct sb_lines){ &mux_ops, m };
	return SB_OK;
}
