/* SPDX-License-Identifier: MIT */
/*
 * plan.c - erase/write/skip decisions for one image on one part, and the
 * read-first classification of its pages (plan.h).
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* First address of [addr, end) that no page holds (a gap between banks), or end. */
static uint64_t first_hole(const struct sb_geom *g, uint64_t addr, uint64_t end)
{
	uint32_t page, page_addr, page_size;

	if (g->nruns == 0)
		return end;
	while (addr < end && sb_geom_page(g, (uint32_t)addr, &page, &page_addr, &page_size))
		addr = (uint64_t)page_addr + page_size;
	return addr < end ? addr : end;
}

int sb_plan_check(const struct sb_image *img, const struct sb_geom *g, const char *name,
		  struct sb_diag *diag)
{
	uint64_t end = sb_geom_end(g);

	for (size_t i = 0; i < img->nseg; i++) {
		const struct sb_segment *s = &img->seg[i];
		uint64_t s_end = (uint64_t)s->addr + s->len, hole;
		if (s->addr < g->base || s_end > end)
			return sb_diag_addr(diag, SB_ERR_BAD_INPUT, s->addr,
					    "%s: data at 0x%08X-0x%08llX is outside flash 0x%08X-0x%08llX",
					    name, s->addr, (unsigned long long)(s_end - 1), g->base,
					    (unsigned long long)(end - 1));
		if ((hole = first_hole(g, s->addr, s_end)) < s_end)
			return sb_diag_addr(diag, SB_ERR_BAD_INPUT, (unsigned long)hole,
					    "%s: data at 0x%08llX lies in the gap between the flash banks (bank 2 at 0x%08X)",
					    name, (unsigned long long)hole, g->bank2);
	}
	return SB_OK;
}

/* Aligned ranges of the image, merged where padding makes them touch. */
static int align_segments(const struct sb_image *img, uint32_t unit, uint8_t fill, struct sb_plan *p)
{
	p->seg = calloc(img->nseg ? img->nseg : 1, sizeof(*p->seg));
	if (!p->seg)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < img->nseg; i++) {
		uint32_t lo = img->seg[i].addr / unit * unit;
		uint64_t hi = ((uint64_t)img->seg[i].addr + img->seg[i].len + unit - 1) / unit * unit;
		struct sb_segment *last = p->nseg ? &p->seg[p->nseg - 1] : NULL;
		if (last && lo <= (uint64_t)last->addr + last->len)
			last->len = (uint32_t)(hi - last->addr);
		else
			p->seg[p->nseg++] = (struct sb_segment){ .addr = lo, .len = (uint32_t)(hi - lo) };
	}
	for (size_t i = 0; i < p->nseg; i++) {
		p->seg[i].data = malloc(p->seg[i].len ? p->seg[i].len : 1);
		if (!p->seg[i].data)
			return SB_ERR_NOMEM;
		memset(p->seg[i].data, fill, p->seg[i].len);
	}
	/* Copy the image in; image segments are sorted, so walk both lists once. */
	size_t k = 0;
	for (size_t i = 0; i < img->nseg; i++) {
		const struct sb_segment *s = &img->seg[i];
		while (s->addr >= (uint64_t)p->seg[k].addr + p->seg[k].len)
			k++;
		memcpy(p->seg[k].data + (s->addr - p->seg[k].addr), s->data, s->len);
		p->image_bytes += s->len;
	}
	return SB_OK;
}

bool sb_plan_block_erased(const struct sb_plan *p, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] != p->erased)
			return false;
	return true;
}

static int push_block(struct sb_plan *p, size_t *cap, uint32_t addr, uint32_t len,
		      const uint8_t *data)
{
	if (p->nblocks == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		struct sb_plan_block *b = realloc(p->blocks, n * sizeof(*b));
		if (!b)
			return SB_ERR_NOMEM;
		p->blocks = b;
		*cap = n;
	}
	p->blocks[p->nblocks++] = (struct sb_plan_block){ addr, len, data };
	p->write_bytes += len;
	return SB_OK;
}

/*
 * [addr, addr+len) of the image as blocks that do not cross a multiple of
 * the block size; all-0xFF blocks are skipped when skip_ff (on erased
 * flash 0xFF programs nothing).
 */
static int add_blocks(struct sb_plan *p, size_t *cap, uint32_t addr, const uint8_t *data,
		      uint32_t len, bool skip_ff)
{
	for (uint32_t off = 0; off < len;) {
		uint32_t a = addr + off;
		uint32_t n = p->block_size - a % p->block_size;
		int err;
		if (n > len - off)
			n = len - off;
		if (skip_ff && sb_plan_block_erased(p, data + off, n))
			p->nskipped++;
		else if ((err = push_block(p, cap, a, n, data + off)))
			return err;
		off += n;
	}
	return SB_OK;
}

static int split_blocks(struct sb_plan *p)
{
	/* A part whose erased value is in doubt keeps every block (devtable.c). */
	bool skip_ff = !p->keep_erased_blocks && p->erase != SB_ERASE_NONE && p->erased_known;
	size_t cap = 0;
	int err = SB_OK;

	for (size_t i = 0; i < p->nseg && !err; i++)
		err = add_blocks(p, &cap, p->seg[i].addr, p->seg[i].data, p->seg[i].len, skip_ff);
	return err;
}

static int collect_pages(struct sb_plan *p, const struct sb_geom *g, struct sb_diag *diag)
{
	p->pages = calloc(g->npages ? g->npages : 1, sizeof(*p->pages));
	p->touched = calloc(g->npages ? g->npages : 1, sizeof(*p->touched));
	if (!p->pages || !p->touched)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < p->nseg; i++) {
		const struct sb_segment *s = &p->seg[i];
		uint64_t addr = s->addr, end = (uint64_t)s->addr + s->len;
		while (addr < end) {
			uint32_t page, page_addr, page_size;
			if (!sb_geom_page(g, (uint32_t)addr, &page, &page_addr, &page_size))
				return sb_diag_addr(diag, SB_ERR_BAD_INPUT, (unsigned long)addr,
						    "no page holds 0x%08llX", (unsigned long long)addr);
			if (p->npages == 0 || p->pages[p->npages - 1] != page) {
				p->pages[p->npages++] = page;
				p->erase_bytes += page_size;
				p->touched[p->ntouched++] = (struct sb_plan_page){
					.page = page, .addr = page_addr, .size = page_size };
			}
			addr = (uint64_t)page_addr + page_size;
		}
	}
	return SB_OK;
}

static uint64_t image_span_bytes(const struct sb_plan *p)
{
	uint64_t n = 0;

	for (size_t i = 0; i < p->nseg; i++)
		n += p->seg[i].len;
	return n;
}

int sb_plan_build(const struct sb_image *img, const struct sb_geom *g,
		  const struct sb_plan_opts *opts, struct sb_plan *plan, struct sb_diag *diag)
{
	int err;

	memset(plan, 0, sizeof(*plan));
	plan->block_size = opts->block_size ? opts->block_size : 256;
	plan->keep_erased_blocks = opts->keep_erased_blocks;
	plan->erase = opts->erase;
	plan->unit = g->write_unit ? g->write_unit : 1;
	plan->erased = g->erased_value;
	plan->erased_known = g->erased_known;
	if (opts->erase == SB_ERASE_PAGES && g->nruns == 0)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "the page layout of this part is unknown: give --page-size, or erase with --erase=all or --erase=none");
	err = align_segments(img, plan->unit, plan->erased, plan);
	if (!err)
		err = split_blocks(plan);
	if (!err && opts->erase == SB_ERASE_PAGES)
		err = collect_pages(plan, g, diag);
	if (!err && opts->erase == SB_ERASE_ALL) {
		plan->mass_erase = true;
		plan->erase_bytes = g->size;
	}
	plan->verify_bytes = image_span_bytes(plan);
	if (err)
		sb_plan_free(plan);
	return err;
}

/* ---- read-first classification ---------------------------------------------------- */

long sb_plan_page_at(const struct sb_plan *p, uint32_t addr)
{
	size_t lo = 0, hi = p->ntouched;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sb_plan_page *pg = &p->touched[mid];
		if (addr < pg->addr)
			hi = mid;
		else if (addr - pg->addr >= pg->size)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

/* The current contents of [addr, addr+len) in cur, or NULL if cur lacks any of it. */
static const uint8_t *current(const struct sb_image *cur, uint32_t addr, uint32_t len)
{
	for (size_t i = 0; i < cur->nseg; i++) {
		const struct sb_segment *s = &cur->seg[i];
		if (addr >= s->addr && (uint64_t)addr + len <= (uint64_t)s->addr + s->len)
			return s->data + (addr - s->addr);
	}
	return NULL;
}

/*
 * The target of the unit at a: the plan's bytes there, or NULL where the
 * image has none (the target is erased, 0xFF). Segments are aligned to the
 * unit, so a unit is wholly inside one or outside all. *k walks the
 * segments forward with ascending a.
 */
static const uint8_t *target_unit(const struct sb_plan *p, size_t *k, uint32_t a)
{
	while (*k < p->nseg && (uint64_t)p->seg[*k].addr + p->seg[*k].len <= a)
		(*k)++;
	if (*k < p->nseg && p->seg[*k].addr <= a)
		return p->seg[*k].data + (a - p->seg[*k].addr);
	return NULL;
}

/* SAME, BLANK or ERASE for one page (plan.h); need[u]: unit u must be programmed. */
static enum sb_page_action classify_page(const struct sb_plan *p, const struct sb_plan_page *pg,
					 const uint8_t *cur, bool *need)
{
	enum sb_page_action act = SB_PAGE_SAME;
	size_t k = 0;

	for (uint32_t off = 0, u = 0; off < pg->size; off += p->unit, u++) {
		const uint8_t *t = target_unit(p, &k, pg->addr + off);
		bool erased = sb_plan_block_erased(p, cur + off, p->unit);
		need[u] = false;
		if (t ? !memcmp(t, cur + off, p->unit) : erased)
			continue;
		if (!erased)
			return SB_PAGE_ERASE;  /* data the target does not have: only an erase removes it */
		need[u] = true;            /* erased, the target is not: program it */
		act = SB_PAGE_BLANK;
	}
	return act;
}

/* Blocks of a BLANK page: runs of units to program, cut at block-size multiples. */
static int blank_blocks(struct sb_plan *p, size_t *cap, const struct sb_plan_page *pg,
			const bool *need)
{
	size_t k = 0, units = pg->size / p->unit;
	int err = SB_OK;

	for (size_t u = 0; u < units && !err;) {
		size_t v = u;
		if (!need[u]) {
			u++;
			continue;
		}
		while (v + 1 < units && need[v + 1])
			v++;
		uint32_t a = pg->addr + (uint32_t)(u * p->unit);
		const uint8_t *t = target_unit(p, &k, a);  /* a needed unit is inside the image */
		err = add_blocks(p, cap, a, t, (uint32_t)((v - u + 1) * p->unit), false);
		u = v + 1;
	}
	return err;
}

bool sb_plan_overlap(const struct sb_segment *s, const struct sb_plan_page *pg, uint64_t *lo,
		     uint64_t *hi)
{
	uint64_t send = (uint64_t)s->addr + s->len, pend = (uint64_t)pg->addr + pg->size;

	*lo = s->addr > pg->addr ? s->addr : pg->addr;
	*hi = send < pend ? send : pend;
	return *lo < *hi;
}

/* Blocks of an ERASE page: the image inside it, all-0xFF blocks skipped. */
static int erase_blocks(struct sb_plan *p, size_t *cap, const struct sb_plan_page *pg)
{
	uint64_t lo, hi;
	int err = SB_OK;

	for (size_t i = 0; i < p->nseg && !err; i++) {
		const struct sb_segment *s = &p->seg[i];
		if (sb_plan_overlap(s, pg, &lo, &hi))
			err = add_blocks(p, cap, (uint32_t)lo, s->data + (lo - s->addr),
					 (uint32_t)(hi - lo), true);
	}
	return err;
}

/* Image bytes inside page pg. */
static uint64_t image_in_page(const struct sb_plan *p, const struct sb_plan_page *pg)
{
	uint64_t n = 0, lo, hi;

	for (size_t i = 0; i < p->nseg; i++)
		if (sb_plan_overlap(&p->seg[i], pg, &lo, &hi))
			n += hi - lo;
	return n;
}

/* The plan's pages, blocks and counts, again from the touched pages' actions. */
static int replan(struct sb_plan *p, const struct sb_image *cur, bool *need, struct sb_diag *diag)
{
	size_t cap = 0;
	int err = SB_OK;

	for (size_t i = 0; i < p->ntouched && !err; i++) {
		struct sb_plan_page *pg = &p->touched[i];
		const uint8_t *c = current(cur, pg->addr, pg->size);
		if (!c)
			return sb_diag_addr(diag, SB_ERR_BAD_INPUT, pg->addr,
					    "page %u at 0x%08X was not read: cannot plan it", pg->page,
					    pg->addr);
		pg->action = classify_page(p, pg, c, need);
		p->read_bytes += pg->size;
		if (pg->action == SB_PAGE_SAME) {
			p->nsame++;
			continue;
		}
		p->verify_bytes += image_in_page(p, pg);
		if (pg->action == SB_PAGE_BLANK) {
			p->nblank++;
			err = blank_blocks(p, &cap, pg, need);
			continue;
		}
		p->pages[p->npages++] = pg->page;
		p->erase_bytes += pg->size;
		err = erase_blocks(p, &cap, pg);
	}
	return err;
}

/* A plan reads first only where it knows what erased flash reads as. */
bool sb_plan_can_read_first(const struct sb_plan *p)
{
	return p->erase == SB_ERASE_PAGES && !p->keep_erased_blocks && !p->read_first &&
	       p->erased_known;
}

int sb_plan_classify(struct sb_plan *p, const struct sb_image *cur, struct sb_diag *diag)
{
	uint32_t largest = 0;
	bool *need;
	int err;

	if (!sb_plan_can_read_first(p))
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "reading first needs a plan that erases pages and skips 0xFF blocks");
	for (size_t i = 0; i < p->ntouched; i++)
		largest = p->touched[i].size > largest ? p->touched[i].size : largest;
	if (!(need = calloc(largest / p->unit + 1, sizeof(*need))))
		return SB_ERR_NOMEM;
	free(p->blocks);
	p->blocks = NULL;
	p->nblocks = p->nskipped = p->npages = 0;
	p->write_bytes = p->erase_bytes = p->verify_bytes = 0;
	p->read_first = true;
	err = replan(p, cur, need, diag);
	free(need);
	return err;
}

void sb_plan_free(struct sb_plan *plan)
{
	for (size_t i = 0; i < plan->nseg; i++)
		free(plan->seg[i].data);
	free(plan->seg);
	free(plan->pages);
	free(plan->blocks);
	free(plan->touched);
	memset(plan, 0, sizeof(*plan));
}
