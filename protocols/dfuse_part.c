/* SPDX-License-Identifier: MIT */
/*
 * dfuse_part.c - which device-table rows a DfuSe device's memory map fits,
 * and the flash rules (write unit, erased value) that follow for planning.
 */
#include <string.h>

#include "dfuse_layout.h"

#define MAX_FLAT SB_GEOM_MAX_RUNS

struct flat {
	struct sb_page_run run[MAX_FLAT];
	unsigned n;
	uint64_t bytes;
};

/* Append count pages of size at addr, merged with the last run when they continue it. */
static bool flat_add(struct flat *f, uint32_t addr, uint32_t count, uint32_t size)
{
	struct sb_page_run *last = f->n ? &f->run[f->n - 1] : NULL;

	f->bytes += (uint64_t)count * size;
	if (last && last->size == size && (uint64_t)last->addr + (uint64_t)last->count * size == addr) {
		last->count += count;
		return true;
	}
	if (f->n == MAX_FLAT)
		return false;
	f->run[f->n++] = (struct sb_page_run){ addr, count, size, 0 };
	return true;
}

static bool flat_of_layout(const struct dfuse_layout *l, struct flat *f)
{
	*f = (struct flat){ .n = 0 };
	for (size_t i = 0; i < l->nregions; i++)
		if (!flat_add(f, l->region[i].addr, l->region[i].npages, l->region[i].page_size))
			return false;
	return f->n > 0;
}

static bool flat_of_geom(const struct sb_geom *g, struct flat *f)
{
	*f = (struct flat){ .n = 0 };
	for (unsigned i = 0; i < g->nruns; i++)
		if (!flat_add(f, g->run[i].addr, g->run[i].count, g->run[i].size))
			return false;
	return true;
}

static bool flat_equal(const struct flat *a, const struct flat *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (a->run[i].addr != b->run[i].addr || a->run[i].count != b->run[i].count ||
		    a->run[i].size != b->run[i].size)
			return false;
	return true;
}

/* Does p, in one of its bank modes, have exactly this flash map? */
static bool fits(const struct sb_part *p, const struct flat *dfu)
{
	uint32_t kb = (uint32_t)(dfu->bytes / 1024);

	if (p->flash_base != dfu->run[0].addr || dfu->bytes % 1024 || kb == 0 || kb > p->flash_kb)
		return false;
	for (int dual = 0; dual < 2; dual++) {
		struct sb_geom g;
		struct flat f;
		if (sb_geom_for_mode(p, kb, dual, &g, NULL) == SB_OK && flat_of_geom(&g, &f) &&
		    flat_equal(&f, dfu))
			return true;
	}
	return false;
}

static bool option_fits(const struct sb_part *p, uint32_t addr)
{
	return (p->opt_start && p->opt_start == addr) || (p->opt2_start && p->opt2_start == addr);
}

size_t dfuse_match_parts(const struct dfuse_layout *alts, size_t nalts, const struct sb_part **out,
			 size_t max)
{
	int flash = dfuse_layout_named(alts, nalts, "Internal Flash");
	int ob = dfuse_layout_named(alts, nalts, "Option Bytes");
	const struct sb_part *t;
	struct flat dfu;
	size_t n, hit = 0, kept = 0;

	if (flash < 0 || !flat_of_layout(&alts[flash], &dfu))
		return 0;
	t = sb_part_table(&n);
	for (size_t i = 0; i < n; i++)
		if (fits(&t[i], &dfu) && (ob < 0 || !alts[ob].nregions ||
					  option_fits(&t[i], alts[ob].region[0].addr)))
			hit++;
	for (size_t i = 0; i < n; i++) {
		/* the option-byte address narrows only when some row has it */
		bool opt_ok = ob < 0 || !alts[ob].nregions || !hit ||
			      option_fits(&t[i], alts[ob].region[0].addr);
		if (!fits(&t[i], &dfu) || !opt_ok)
			continue;
		if (kept < max)
			out[kept] = &t[i];
		kept++;
	}
	return kept;
}

void dfuse_geom_for_parts(struct sb_geom *g, const struct sb_part *const *parts, size_t n)
{
	bool agree = true;

	if (n == 0)
		return;
	g->write_unit = parts[0]->write_unit;
	g->erased_value = sb_part_erased_value(parts[0]);
	for (size_t i = 0; i < n; i++) {
		uint8_t e = sb_part_erased_value(parts[i]);
		if (parts[i]->write_unit > g->write_unit)
			g->write_unit = parts[i]->write_unit;
		agree &= e == g->erased_value && !(parts[i]->flags & SB_PART_ERASED_UNSURE);
	}
	g->erased_known = agree;
}
