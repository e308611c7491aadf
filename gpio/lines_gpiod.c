/* SPDX-License-Identifier: MIT */
/*
 * lines_gpiod.c - the libgpiod backend of lines.h, on top of the API
 * wrapper in lines_gpiod1.c or lines_gpiod2.c (lines_gpiod.h).
 */
#include "lines_gpiod.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* BOOT0, NRST and a few raw GPIOs from an stm32flash -i string. */
#define GPIOD_MAX_LINES 8

struct gline {
	struct sb_lines_bind bind;
	struct sb_gpiod_req *req;
	struct sb_gpiod_where where;
};

struct gpiod_be {
	struct gline l[GPIOD_MAX_LINES];
	size_t n;
	void (*sleep_us)(void *ctx, uint32_t us);
	void *sleep_ctx;
};

int sb_gpiod_fail(struct sb_diag *d, int err, const char *fmt, ...)
{
	char what[300];
	const char *hint = "";
	va_list ap;
	int code;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err == 0)
		err = EIO;  /* a library that failed without saying why */
	switch (err) {
	case EACCES:
	case EPERM:
		hint = " (is your user in the gpio group? see bootctl(1))";
		/* fall through */
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case EBUSY:
		code = SB_ERR_NO_DEVICE;
		break;
	case ENOMEM:
		code = SB_ERR_NOMEM;
		break;
	default:
		code = SB_ERR_IO;
		break;
	}
	return sb_diag_set(d, code, "%s: %s%s", what, strerror(err), hint);
}

int sb_gpiod_not_found(struct sb_diag *d, const char *name, const char *searched)
{
	if (!searched || !searched[0])
		return sb_diag_set(d, SB_ERR_NO_DEVICE,
				   "no GPIO line named '%s': this machine has no GPIO chips", name);
	return sb_diag_set(d, SB_ERR_NO_DEVICE,
			   "no GPIO line named '%s' on %s ('bootctl chips' lists the line names)",
			   name, searched);
}

static struct gline *find(struct gpiod_be *g, enum sb_line line, unsigned num)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->l[i].bind.line == line && (line != SB_LINE_GPIO || g->l[i].bind.num == num))
			return &g->l[i];
	return NULL;
}

static bool gp_has(void *h, enum sb_line line, unsigned num)
{
	return find(h, line, num) != NULL;
}

static int gp_set(void *h, enum sb_line line, unsigned num, int level, struct sb_diag *d)
{
	struct gline *l = find(h, line, num);

	if (!l)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "line not configured");
	return sb_gpiod_api_set(l->req, level, d);
}

static int gp_get(void *h, enum sb_line line, unsigned num, struct sb_diag *d)
{
	struct gline *l = find(h, line, num);

	if (!l)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "line not configured");
	return sb_gpiod_api_get(l->req, d);
}

static void nanosleep_us(void *ctx, uint32_t us)
{
	struct timespec ts = { (time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L };

	(void)ctx;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

static void gp_sleep(void *h, uint32_t us)
{
	struct gpiod_be *g = h;

	g->sleep_us(g->sleep_ctx, us);
}

static size_t gp_describe(void *h, enum sb_line line, unsigned num, char *buf, size_t n)
{
	struct gline *l = find(h, line, num);
	size_t k;

	if (!l)
		return 0;
	k = sb_linespec_format(&l->bind.spec, buf, n);
	if (k < n && l->bind.spec.name[0])
		k += (size_t)snprintf(buf + k, n - k, ", %s:%u", l->where.chip, l->where.offset);
	return k;
}

static void gp_close(void *h)
{
	struct gpiod_be *g = h;

	while (g->n > 0)
		sb_gpiod_api_release(g->l[--g->n].req);
	free(g);
}

static const struct sb_lines_ops gpiod_ops = {
	.has = gp_has,
	.set = gp_set,
	.get = gp_get,
	.sleep_us = gp_sleep,
	.describe = gp_describe,
	.close = gp_close,
};

/* The same physical line must not be bound twice (two requests would clash). */
static int check_twice(const struct gpiod_be *g, const struct gline *nl, struct sb_diag *d)
{
	char a[24], b[24];
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (strcmp(g->l[i].where.chip, nl->where.chip) || g->l[i].where.offset != nl->where.offset)
			continue;
		sb_lines_line_text(g->l[i].bind.line, g->l[i].bind.num, a, sizeof(a));
		sb_lines_line_text(nl->bind.line, nl->bind.num, b, sizeof(b));
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s and %s are both wired to %s:%u", a, b,
				   nl->where.chip, nl->where.offset);
	}
	return SB_OK;
}

/* Prefix the diag with our name of the line ("nrst: ..."). */
static int about(struct sb_diag *d, int rc, const char *name)
{
	char msg[sizeof(d->msg)];

	if (d) {
		snprintf(msg, sizeof(msg), "%s", d->msg);
		sb_diag_set(d, rc, "%s: %s", name, msg);
	}
	return rc;
}

static int open_one(struct gpiod_be *g, const struct sb_lines_bind *b, const char *consumer,
		    struct sb_diag *d)
{
	struct gline *nl = &g->l[g->n];
	int level = b->init >= 0 ? b->init : sb_lines_idle_level(b->line);
	char name[24];
	int rc;

	sb_lines_line_text(b->line, b->num, name, sizeof(name));
	if (b->spec.kind != SB_SPEC_GPIO)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s is not wired to a GPIO line", name);
	nl->bind = *b;
	rc = sb_gpiod_api_find(&b->spec, &nl->req, &nl->where, d);
	if (rc)
		return about(d, rc, name);
	rc = check_twice(g, nl, d);
	if (!rc) {
		rc = sb_gpiod_api_request(nl->req, &b->spec, level, consumer, d);
		if (rc)
			about(d, rc, name);
	}
	if (rc) {
		sb_gpiod_api_release(nl->req);
		return rc;
	}
	g->n++;
	return SB_OK;
}

int sb_lines_gpiod_open(struct sb_lines *out, const struct sb_lines_bind *binds, size_t n,
			const struct sb_gpiod_opts *o, struct sb_diag *d)
{
	const char *consumer = o && o->consumer ? o->consumer : "stmboot";
	struct gpiod_be *g;
	size_t i;
	int rc = SB_OK;

	*out = (struct sb_lines){ 0 };
	if (n > GPIOD_MAX_LINES)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "at most %d GPIO lines", GPIOD_MAX_LINES);
	g = calloc(1, sizeof(*g));
	if (!g)
		return SB_ERR_NOMEM;
	g->sleep_us = o && o->sleep_us ? o->sleep_us : nanosleep_us;
	g->sleep_ctx = o ? o->sleep_ctx : NULL;
	for (i = 0; !rc && i < n; i++)
		rc = open_one(g, &binds[i], consumer, d);
	if (rc) {
		gp_close(g);
		return rc;
	}
	*out = (struct sb_lines){ &gpiod_ops, g };
	return SB_OK;
}
