/* SPDX-License-Identifier: MIT */
/*
 * plan_run.c - a plan carried out through a program's flash ops: reading
 * the touched pages first, erasing, writing, verifying, and the fallback
 * for a page written without erase that the flash refuses (plan.h).
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

static void phase(const struct sb_flash *f, const char *name, uint64_t total)
{
	if (f->ops->phase)
		f->ops->phase(f->ctx, name, total);
}

static void phase_end(const struct sb_flash *f)
{
	if (f->ops->phase_end)
		f->ops->phase_end(f->ctx);
}

/* ---- reading first ----------------------------------------------------------------- */

/* The end of the run of touched pages from i that lie end to end: one read. */
static size_t adjacent_run(const struct sb_plan *p, size_t i)
{
	size_t j = i + 1;

	while (j < p->ntouched &&
	       (uint64_t)p->touched[j - 1].addr + p->touched[j - 1].size == p->touched[j].addr)
		j++;
	return j;
}

static int read_pages(const struct sb_plan *p, const struct sb_flash *f, struct sb_image *cur,
		      struct sb_diag *diag)
{
	uint64_t total = 0;
	int err = SB_OK;

	for (size_t i = 0; i < p->ntouched; i++)
		total += p->touched[i].size;
	cur->seg = calloc(p->ntouched ? p->ntouched : 1, sizeof(*cur->seg));
	if (!cur->seg)
		return SB_ERR_NOMEM;
	cur->cap = p->ntouched;
	phase(f, "read", total);
	for (size_t i = 0, j; i < p->ntouched && !err; i = j) {
		const struct sb_plan_page *last;
		j = adjacent_run(p, i);
		last = &p->touched[j - 1];
		struct sb_segment *s = &cur->seg[cur->nseg];
		s->addr = p->touched[i].addr;
		s->len = last->addr + last->size - s->addr;
		if (!(s->data = malloc(s->len))) {
			err = SB_ERR_NOMEM;
			break;
		}
		cur->nseg++;
		err = f->ops->read(f->ctx, s->addr, s->data, s->len, diag);
	}
	phase_end(f);
	return err;
}

int sb_plan_read_first(struct sb_plan *p, const struct sb_flash *f, struct sb_diag *diag)
{
	struct sb_image cur;
	int err;

	if (!sb_plan_can_read_first(p))
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "reading first needs a plan that erases pages and skips 0xFF blocks");
	sb_image_init(&cur);
	err = read_pages(p, f, &cur, diag);
	if (!err)
		err = sb_plan_classify(p, &cur, diag);
	sb_image_free(&cur);
	return err;
}

/* ---- writing ------------------------------------------------------------------------ */

struct run {
	struct sb_plan *p;
	const struct sb_flash *f;
	struct sb_diag *diag;
};

/* [lo, hi) of segment s in one write whose failure is final (refusals included). */
static int write_span(struct run *r, const struct sb_segment *s, uint64_t lo, uint64_t hi)
{
	bool refused = false;

	if (hi <= lo)
		return SB_OK;
	return r->f->ops->write(r->f->ctx, (uint32_t)lo, s->data + (lo - s->addr), (size_t)(hi - lo),
				&refused, r->diag);
}

/*
 * The image inside page pg, on the page just erased: its blocks that are
 * not all erased value, adjacent ones in one write. pg is a BLANK page, so
 * the plan knows what erased flash reads (sb_plan_can_read_first).
 */
static int write_page_image(struct run *r, const struct sb_plan_page *pg)
{
	const struct sb_plan *p = r->p;
	uint64_t lo, hi;
	int err;

	for (size_t i = 0; i < p->nseg; i++) {
		const struct sb_segment *s = &p->seg[i];
		if (!sb_plan_overlap(s, pg, &lo, &hi))
			continue;
		uint64_t run_lo = lo, run_hi = lo;  /* the run being gathered */
		for (uint64_t a = lo, b; a < hi; a = b) {
			b = (a / p->block_size + 1) * p->block_size;
			b = b < hi ? b : hi;
			if (!sb_plan_block_erased(p, s->data + (a - s->addr), (size_t)(b - a))) {
				run_hi = b;
				continue;
			}
			if ((err = write_span(r, s, run_lo, run_hi)))
				return err;
			run_lo = run_hi = b;
		}
		if ((err = write_span(r, s, run_lo, run_hi)))
			return err;
	}
	return SB_OK;
}

/*
 * The failure in r->diag, on an operation over [lo, hi): the index of the
 * BLANK page it concerns if the fallback applies to it, else -1. Only a
 * page written without erase, not erased yet, and named by the failure's
 * own address: never a guess (plan.h).
 */
static long fallback_page(const struct run *r, uint64_t lo, uint64_t hi)
{
	long i;

	if (!r->diag->has_addr || r->diag->addr < lo || r->diag->addr >= hi)
		return -1;
	i = sb_plan_page_at(r->p, (uint32_t)r->diag->addr);
	if (i < 0 || r->p->touched[i].action != SB_PAGE_BLANK || r->p->touched[i].reerased)
		return -1;
	return i;
}

/*
 * A unit of BLANK page i read erased, but the flash would not take the
 * data: programmed since its last erase, most likely with 0xFF
 * (protocol-facts A.7, E.3). Erase the page and write its image again.
 */
static int fallback(struct run *r, long i, const char *why)
{
	struct sb_plan_page *pg = &r->p->touched[i];
	int err;

	sb_logf(r->f->log, SB_LOG_WARN,
		"page %u at 0x%08X: %s (%s); a double-word that reads erased may have been programmed with 0xFF, which only an erase undoes: erasing the page and writing it again",
		pg->page, pg->addr, why, r->diag->msg);
	pg->reerased = true;
	r->p->nreerased++;
	if ((err = r->f->ops->erase(r->f->ctx, &pg->page, 1, r->diag)))
		return err;
	return write_page_image(r, pg);
}

/* Blocks i and i+1 are one run: adjacent in flash and in the image. */
static bool adjacent(const struct sb_plan_block *a, const struct sb_plan_block *b)
{
	return a->addr + a->len == b->addr && a->data + a->len == b->data;
}

/* The first block from i on that does not lie before addr. */
static size_t block_from(const struct sb_plan *p, size_t i, uint64_t addr)
{
	while (i < p->nblocks && p->blocks[i].addr < addr)
		i++;
	return i;
}

static int write_blocks(struct run *r)
{
	struct sb_plan *p = r->p;
	int err = SB_OK;

	for (size_t i = 0; i < p->nblocks && !err;) {
		size_t j = i;
		uint64_t len = p->blocks[i].len;
		bool refused = false;
		while (j + 1 < p->nblocks && adjacent(&p->blocks[j], &p->blocks[j + 1]))
			len += p->blocks[++j].len;
		err = r->f->ops->write(r->f->ctx, p->blocks[i].addr, p->blocks[i].data, (size_t)len,
				       &refused, r->diag);
		if (!err) {
			i = j + 1;
			continue;
		}
		long k = refused ? fallback_page(r, p->blocks[i].addr, p->blocks[i].addr + len) : -1;
		if (k < 0)
			return err;
		/* the rest of the run from the page after the refused one */
		err = fallback(r, k, "the device refused to program it");
		i = block_from(p, i, (uint64_t)p->touched[k].addr + p->touched[k].size);
	}
	return err;
}

/* ---- verifying ---------------------------------------------------------------------- */

/* A range to read back: [lo, hi) of segment s; erased: this job erased it. */
struct vrange {
	const struct sb_segment *s;
	uint64_t lo, hi;
	bool erased;
};

/* Which pages are read back, and whether this job erased them. */
static bool page_checked(const struct sb_plan_page *pg, bool verify)
{
	if (pg->action == SB_PAGE_SAME)
		return false;  /* compared in full when the plan was made, and not touched since */
	return verify || pg->action == SB_PAGE_BLANK;
}

static bool page_erased(const struct sb_plan_page *pg)
{
	return pg->action == SB_PAGE_ERASE || pg->reerased;
}

/*
 * The next range to read back at or after addr: in plans without pages a
 * whole segment (with verify), else the part of a segment over adjacent
 * checked pages with the same erased state. False when there is none.
 */
static bool next_range(const struct sb_plan *p, uint64_t addr, bool verify, struct vrange *v)
{
	for (size_t i = 0; i < p->nseg; i++) {
		const struct sb_segment *s = &p->seg[i];
		uint64_t end = (uint64_t)s->addr + s->len, a = addr > s->addr ? addr : s->addr;
		if (a >= end)
			continue;
		if (!p->ntouched) {
			if (!verify)
				return false;
			*v = (struct vrange){ s, a, end, p->erase != SB_ERASE_NONE };
			return true;
		}
		for (long k = sb_plan_page_at(p, (uint32_t)a); k >= 0 && (size_t)k < p->ntouched && a < end;
		     k++) {
			const struct sb_plan_page *pg = &p->touched[k];
			uint64_t pend = (uint64_t)pg->addr + pg->size;
			if (!page_checked(pg, verify)) {
				a = pend;
				continue;
			}
			*v = (struct vrange){ s, a, pend < end ? pend : end, page_erased(pg) };
			while ((size_t)++k < p->ntouched && v->hi < end &&
			       p->touched[k].addr == v->hi && page_checked(&p->touched[k], verify) &&
			       page_erased(&p->touched[k]) == v->erased) {
				pend = (uint64_t)p->touched[k].addr + p->touched[k].size;
				v->hi = pend < end ? pend : end;
			}
			return true;
		}
	}
	return false;
}

static uint64_t verify_total(const struct sb_plan *p, bool verify)
{
	struct vrange v;
	uint64_t n = 0;

	for (uint64_t a = 0; next_range(p, a, verify, &v); a = v.hi)
		n += v.hi - v.lo;
	return n;
}

static int verify_ranges(struct run *r, bool verify)
{
	struct vrange v;

	for (uint64_t a = 0; next_range(r->p, a, verify, &v); a = v.hi) {
		int err = r->f->ops->verify(r->f->ctx, (uint32_t)v.lo, v.s->data + (v.lo - v.s->addr),
					    (size_t)(v.hi - v.lo), v.erased, r->diag);
		long k = err == SB_ERR_VERIFY ? fallback_page(r, v.lo, v.hi) : -1;
		if (err && k < 0)
			return err;
		if (!err)
			continue;
		/* a ROM that reports no programming error (protocol-facts A.7): the read-back told */
		if ((err = fallback(r, k, "its read-back differs from the image")))
			return err;
		v.hi = r->p->touched[k].addr;  /* read the page back again, now erased and written */
	}
	return SB_OK;
}

/* ---- the run ------------------------------------------------------------------------- */

static int erase_planned(struct run *r)
{
	const struct sb_plan *p = r->p;
	int err = SB_OK;

	if (p->mass_erase) {
		phase(r->f, "erase", 1);
		err = r->f->ops->mass_erase(r->f->ctx, r->diag);
		phase_end(r->f);
	} else if (p->npages) {
		phase(r->f, "erase", p->npages);
		err = r->f->ops->erase(r->f->ctx, p->pages, p->npages, r->diag);
		phase_end(r->f);
	}
	return err;
}

int sb_plan_run(struct sb_plan *p, const struct sb_flash *f, bool verify, struct sb_diag *diag)
{
	struct run r = { p, f, diag };
	uint64_t vbytes;
	int err;

	if ((err = erase_planned(&r)))
		return err;
	if (p->nblocks) {
		phase(f, "write", p->write_bytes);
		err = write_blocks(&r);
		phase_end(f);
	}
	if (err || !(vbytes = verify_total(p, verify)))
		return err;
	phase(f, "verify", vbytes);
	err = verify_ranges(&r, verify);
	phase_end(f);
	return err;
}
