/* SPDX-License-Identifier: MIT */
/*
 * lines_modem.c - BOOT0/NRST on a serial adapter's RTS/DTR (lines.h).
 *
 * Pure: acts only through the struct sb_link it is given.
 */
#include "lines.h"

#include <stdio.h>
#include <stdlib.h>

struct modem {
	const struct sb_link *link;
	struct sb_lines_bind bind[2];
	size_t n;
};

static const struct sb_lines_bind *find(const struct modem *m, enum sb_line line)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->bind[i].line == line)
			return &m->bind[i];
	return NULL;
}

static bool modem_has(void *h, enum sb_line line, unsigned num)
{
	(void)num;
	return line == SB_LINE_RTS || line == SB_LINE_DTR || find(h, line) != NULL;
}

/* Which wire (SB_SPEC_RTS/DTR) and asserted state put level on line. */
static int wire_for(const struct modem *m, enum sb_line line, int level, int *asserted)
{
	const struct sb_lines_bind *b = find(m, line);

	if (line == SB_LINE_RTS || line == SB_LINE_DTR) {
		*asserted = level != 0;
		return line == SB_LINE_RTS ? SB_SPEC_RTS : SB_SPEC_DTR;
	}
	if (!b)
		return SB_SPEC_NONE;
	*asserted = sb_linespec_modem_asserted(&b->spec, level);
	return b->spec.kind;
}

static int set_modem(const struct modem *m, int dtr, int rts, struct sb_diag *d)
{
	const struct sb_link *l = m->link;
	int rc;

	if (!l->ops->set_modem)
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "the serial port cannot set DTR/RTS");
	rc = l->ops->set_modem(l->h, dtr, rts);
	if (rc)
		return sb_diag_set(d, rc, "setting DTR=%d RTS=%d: %s", dtr, rts, sb_strerror(rc));
	return SB_OK;
}

static int modem_set(void *h, enum sb_line line, unsigned num, int level, struct sb_diag *d)
{
	struct modem *m = h;
	int asserted = 0, wire = wire_for(m, line, level, &asserted);

	(void)num;
	if (wire == SB_SPEC_RTS)
		return set_modem(m, -1, asserted, d);
	if (wire == SB_SPEC_DTR)
		return set_modem(m, asserted, -1, d);
	return sb_diag_set(d, SB_ERR_BAD_INPUT, "line not wired to RTS or DTR");
}

static int modem_get(void *h, enum sb_line line, unsigned num, struct sb_diag *d)
{
	(void)h;
	(void)line;
	(void)num;
	return sb_diag_set(d, SB_ERR_UNSUPPORTED, "modem lines cannot be read back");
}

static void modem_sleep(void *h, uint32_t us)
{
	const struct sb_link *l = ((struct modem *)h)->link;

	if (l->ops->sleep_ms)
		l->ops->sleep_ms(l->h, (unsigned)((us + 999u) / 1000u));
}

static size_t modem_describe(void *h, enum sb_line line, unsigned num, char *buf, size_t n)
{
	const struct sb_lines_bind *b = find(h, line);
	size_t k;

	(void)num;
	if (!b)
		return (size_t)snprintf(buf, n, "%s, raw", line == SB_LINE_RTS ? "RTS" : "DTR");
	k = sb_linespec_format(&b->spec, buf, n);
	if (k < n)
		k += (size_t)snprintf(buf + k, n - k, ", asserted = %s",
				      b->spec.invert ? "high" : "low");
	return k;
}

static void modem_close(void *h)
{
	free(h);
}

static const struct sb_lines_ops modem_ops = {
	.has = modem_has,
	.set = modem_set,
	.get = modem_get,
	.sleep_us = modem_sleep,
	.describe = modem_describe,
	.close = modem_close,
};

static int add_bind(struct modem *m, const struct sb_lines_bind *b, struct sb_diag *d)
{
	char name[24];
	size_t i;

	sb_lines_line_text(b->line, b->num, name, sizeof(name));
	if (b->spec.kind != SB_SPEC_RTS && b->spec.kind != SB_SPEC_DTR)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s is not wired to RTS or DTR", name);
	for (i = 0; i < m->n; i++)
		if (m->bind[i].spec.kind == b->spec.kind)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s and %s are both wired to %s",
					   sb_line_name(m->bind[i].line), name,
					   b->spec.kind == SB_SPEC_RTS ? "RTS" : "DTR");
	m->bind[m->n++] = *b;
	return SB_OK;
}

/* One set_modem call with every bound line at its initial level. */
static int set_initial(const struct modem *m, struct sb_diag *d)
{
	int dtr = -1, rts = -1, level;
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct sb_lines_bind *b = &m->bind[i];

		level = b->init >= 0 ? b->init : sb_lines_idle_level(b->line);
		if (b->spec.kind == SB_SPEC_RTS)
			rts = sb_linespec_modem_asserted(&b->spec, level);
		else
			dtr = sb_linespec_modem_asserted(&b->spec, level);
	}
	if (dtr < 0 && rts < 0)
		return SB_OK;
	return set_modem(m, dtr, rts, d);
}

int sb_lines_modem_open(struct sb_lines *out, const struct sb_link *link,
			const struct sb_lines_bind *binds, size_t n, struct sb_diag *d)
{
	struct modem *m;
	size_t i;
	int rc = SB_OK;

	*out = (struct sb_lines){ 0 };
	if (!link || !link->ops)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "RTS/DTR lines need an open serial port");
	if (n > 2)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "at most two lines on RTS and DTR");
	m = calloc(1, sizeof(*m));
	if (!m)
		return SB_ERR_NOMEM;
	m->link = link;
	for (i = 0; !rc && i < n; i++)
		rc = add_bind(m, &binds[i], d);
	if (!rc)
		rc = set_initial(m, d);
	if (rc) {
		free(m);
		return rc;
	}
	*out = (struct sb_lines){ &modem_ops, m };
	return SB_OK;
}
