/* SPDX-License-Identifier: MIT */
/*
 * an3155_plan.c - the read-first write plan over the USART loader
 * (--plan read-first): the flash ops the library's plan runner uses
 * (protocols/plan.h) on an an3155 session. Off by default: over a serial
 * line reading a byte costs as much as writing it, so reading first pays
 * when most pages already hold the image (re-flashing), not on a blank
 * part, where it costs the read and saves only the erases (man an3155).
 */
#include <stdio.h>

#include "an3155_tool.h"

static void fl_phase(void *ctx, const char *name, uint64_t total)
{
	a3_phase_begin(ctx, name, total);
}

static void fl_phase_end(void *ctx)
{
	a3_phase_end(ctx);
}

static int fl_read(void *ctx, uint32_t addr, uint8_t *buf, size_t len, struct sb_diag *d)
{
	struct a3_session *s = ctx;
	int err = an3155_read(s->bl, addr, buf, len, d);

	s->phase.base += len;
	return err;
}

/* Inside the runner's own phase (or its fallback's): no phase of its own. */
static int fl_erase(void *ctx, const uint32_t *pages, size_t n, struct sb_diag *d)
{
	return a3_erase_pages(ctx, pages, n, NULL, d);
}

static int fl_mass_erase(void *ctx, struct sb_diag *d)
{
	struct a3_session *s = ctx;

	return an3155_erase_special(s->bl, AN3155_ERASE_MASS, d);
}

/* A NACK that outlasted the engine's retries is the ROM refusing to program
 * (protocol-facts A.7: a double-word programmed since its last erase). */
static int fl_write(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool *refused,
		    struct sb_diag *d)
{
	struct a3_session *s = ctx;
	int err = an3155_write(s->bl, addr, data, len, d);

	*refused = err == SB_ERR_NACK;
	s->phase.base += len;
	return err;
}

/* Flash this job erased: a unit still erased is programmed now
 * (an3155_verify_written). Elsewhere 0xFF where data belongs may be a
 * double-word programmed with 0xFF: a plain compare, and the plan runner
 * decides. */
static int fl_verify(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool erased,
		     struct sb_diag *d)
{
	struct a3_session *s = ctx;
	int err = (erased ? an3155_verify_written : an3155_verify)(s->bl, addr, data, len, d);

	s->phase.base += len;
	return err;
}

static const struct sb_flash_ops a3_flash_ops = {
	.read = fl_read,
	.erase = fl_erase,
	.mass_erase = fl_mass_erase,
	.write = fl_write,
	.verify = fl_verify,
	.phase = fl_phase,
	.phase_end = fl_phase_end,
};

int a3_plan_read_first(struct a3_session *s, struct sb_plan *p)
{
	struct sb_flash f = { &a3_flash_ops, s, &s->c->cli.log };

	return sb_plan_read_first(p, &f, &s->d);
}

int a3_plan_run(struct a3_session *s, struct sb_plan *p)
{
	struct sb_flash f = { &a3_flash_ops, s, &s->c->cli.log };

	return sb_plan_run(p, &f, s->c->job.verify, &s->d);
}

void a3_plan_json(const struct sb_plan *p, char *buf, size_t len)
{
	snprintf(buf, len,
		 ",\"plan\":\"%s\",\"read_bytes\":%llu,\"pages_skipped\":%zu,\"pages_written\":%zu,"
		 "\"pages_erased\":%zu,\"pages_reerased\":%zu",
		 p->read_first ? "read-first" : "full", (unsigned long long)p->read_bytes, p->nsame,
		 p->nblank - p->nreerased, p->npages, p->nreerased);
}
