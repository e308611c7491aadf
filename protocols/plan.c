/*
 * plan.c - erase/write/skip decisions for one image on one part.
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

/* All bytes read as erased flash does (0xFF; 0x00 on L0/L1). */
static bool all_erased(const uint8_t *d, uint32_t n, uint8_t erased)
{
	for (uint32_t i = 0; i < n; i++)
		if (d[i] != erased)
			return false;
	return true;
}

static int split_blocks(struct sb_plan *p, const struct sb_plan_opts *o, const struct sb_geom *g)
{
	/* A part whose erased value is in doubt keeps every block (devtable.c). */
	bool may_skip = !o->keep_erased_blocks && o->erase != SB_ERASE_NONE && g->erased_known;

	size_t cap = 0;

	for (size_t i = 0; i < p->nseg; i++)
		cap += p->seg[i].len / o->block_size + 2;
	p->blocks = calloc(cap ? cap : 1, sizeof(*p->blocks));
	if (!p->blocks)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < p->nseg; i++) {
		const struct sb_segment *s = &p->seg[i];
		uint32_t off = 0;
		while (off < s->len) {
			uint32_t addr = s->addr + off;
			uint32_t len = o->block_size - addr % o->block_size;
			if (len > s->len - off)
				len = s->len - off;
			if (may_skip && all_erased(s->data + off, len, g->erased_value))
				p->nskipped++;
			else {
				p->blocks[p->nblocks++] = (struct sb_plan_block){ addr, len, s->data + off };
				p->write_bytes += len;
			}
			off += len;
		}
	}
	return SB_OK;
}

static int collect_pages(struct sb_plan *p, const struct sb_geom *g, struct sb_diag *diag)
{
	p->pages = calloc(g->npages ? g->npages : 1, sizeof(*p->pages));
	if (!p->pages)
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
			}
			addr = (uint64_t)page_addr + page_size;
		}
	}
	return SB_OK;
}

int sb_plan_build(const struct sb_image *img, const struct sb_geom *g,
		  const struct sb_plan_opts *opts, struct sb_plan *plan, struct sb_diag *diag)
{
	struct sb_plan_opts o = *opts;
	int err;

	memset(plan, 0, sizeof(*plan));
	if (o.block_size == 0)
		o.block_size = 256;
	if (o.erase == SB_ERASE_PAGES && g->nruns == 0)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "the page layout of this part is unknown: give --page-size, or erase with --erase=all or --erase=none");
	err = align_segments(img, g->write_unit ? g->write_unit : 1, g->erased_value, plan);
	if (!err)
		err = split_blocks(plan, &o, g);
	if (!err && o.erase == SB_ERASE_PAGES)
		err = collect_pages(plan, g, diag);
	if (!err && o.erase == SB_ERASE_ALL) {
		plan->mass_erase = true;
		plan->erase_bytes = g->size;
	}
	if (err)
		sb_plan_free(plan);
	return err;
}

void sb_plan_free(struct sb_plan *plan)
{
	for (size_t i = 0; i < plan->nseg; i++)
		free(plan->seg[i].data);
	free(plan->seg);
	free(plan->pages);
	free(plan->blocks);
	memset(plan, 0, sizeof(*plan));
}
