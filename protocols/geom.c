/* SPDX-License-Identifier: MIT */
/*
 * geom.c - the flash geometry in force: table row + what the chip says.
 */
#include "part.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int add_run(struct sb_geom *g, uint32_t addr, uint32_t count, uint32_t size)
{
	if (g->nruns == SB_GEOM_MAX_RUNS)
		return SB_ERR_BAD_INPUT;
	g->run[g->nruns++] = (struct sb_page_run){ addr, count, size, g->npages };
	g->npages += count;
	return SB_OK;
}

/* Lay out one bank of bank_size bytes at addr from uniform pages or a sector list. */
static int add_bank(struct sb_geom *g, uint32_t addr, uint32_t bank_size, uint32_t page_size,
		    const struct sb_sectors *sectors)
{
	if (!sectors)
		return page_size && bank_size % page_size == 0
			       ? add_run(g, addr, bank_size / page_size, page_size)
			       : SB_ERR_BAD_INPUT;
	for (const struct sb_sectors *s = sectors; s->count && bank_size; s++) {
		uint32_t n = s->count;
		if ((uint64_t)n * s->size > bank_size)
			n = bank_size / s->size;
		if (n == 0 || add_run(g, addr, n, s->size))
			return SB_ERR_BAD_INPUT;
		addr += n * s->size;
		bank_size -= n * s->size;
	}
	return bank_size ? SB_ERR_BAD_INPUT : SB_OK;
}

/* The option bit that selects dual bank at this size, or -1 (protocol-facts E.4). */
int sb_part_bank_bit(const struct sb_part *p, uint32_t kb)
{
	if (kb * 2 == p->flash_kb && p->dbank_bit_half >= 0)
		return p->dbank_bit_half;
	return p->dbank_bit;
}

/* Does the part run in dual-bank mode? Rule and option bit per the row. */
static int is_dual(const struct sb_part *p, uint32_t kb, int64_t optr)
{
	uint32_t opt = optr >= 0 ? (uint32_t)optr : p->optr_default;
	int bit = sb_part_bank_bit(p, kb);

	switch (p->dual) {
	case SB_DUAL_ALWAYS:
		return 1;
	case SB_DUAL_MAX_OR_BIT:
		if (kb == p->flash_kb)
			return 1;
		/* fall through */
	case SB_DUAL_BIT:
		if (bit < 0)
			return 0;
		return (int)(((opt >> bit) & 1u) ^ (p->dbank_inverted ? 1u : 0u));
	default:
		return 0;
	}
}

bool sb_part_has_mode(const struct sb_part *p, uint32_t kb, bool dual)
{
	switch (p->dual) {
	case SB_DUAL_ALWAYS:
		return dual;
	case SB_DUAL_MAX_OR_BIT:
		if (kb == p->flash_kb)
			return dual;
		return !dual || sb_part_bank_bit(p, kb) >= 0;
	case SB_DUAL_BIT:
		return !dual || sb_part_bank_bit(p, kb) >= 0;
	default:
		return !dual;
	}
}

uint8_t sb_part_erased_value(const struct sb_part *p)
{
	return p->flags & SB_PART_ERASED_ZERO ? 0x00 : 0xFF;
}

void sb_geom_set_erased(struct sb_geom *g, const struct sb_part *p)
{
	g->erased_value = sb_part_erased_value(p);
	g->erased_known = !(p->flags & SB_PART_ERASED_UNSURE);
}

static int lay_out(const struct sb_part *p, uint32_t kb, bool dual, struct sb_geom *g)
{
	uint32_t size = kb * 1024u, page = p->page_size;
	const struct sb_sectors *sec = p->sectors;

	*g = (struct sb_geom){ .base = p->flash_base, .size = size, .write_unit = p->write_unit };
	sb_geom_set_erased(g, p);
	if (!dual)
		return add_bank(g, g->base, size, page, sec);
	if (p->page_size_dual)
		page = p->page_size_dual;
	if (p->sectors_dual)
		sec = p->sectors_dual;
	g->bank2 = g->base + (p->bank2_off ? p->bank2_off : size / 2);
	if (add_bank(g, g->base, size / 2, page, sec))
		return SB_ERR_BAD_INPUT;
	return add_bank(g, g->bank2, size / 2, page, sec);
}

int sb_geom_for_mode(const struct sb_part *p, uint32_t flash_kb, bool dual, struct sb_geom *g,
		     struct sb_diag *diag)
{
	uint32_t kb = flash_kb ? flash_kb : p->flash_kb;

	if (!sb_part_has_mode(p, kb, dual))
		return sb_diag_set(diag, SB_ERR_BAD_INPUT, "%s with %u KB has no %s-bank mode", p->name,
				   kb, dual ? "dual" : "single");
	if (kb > p->flash_kb || lay_out(p, kb, dual, g) || g->npages == 0)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT, "cannot lay out %u KB of %s flash", kb, p->name);
	return SB_OK;
}

int sb_geom_for_part(const struct sb_part *p, uint32_t flash_kb, int64_t optr,
		     struct sb_geom *g, struct sb_diag *diag)
{
	uint32_t kb = flash_kb ? flash_kb : p->flash_kb;

	if (kb > p->flash_kb)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "%s reports %u KB of flash; the device table allows at most %u KB",
				   p->name, kb, p->flash_kb);
	if (lay_out(p, kb, is_dual(p, kb, optr), g) || g->npages == 0)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT, "cannot lay out %u KB of %s flash", kb, p->name);
	return SB_OK;
}

uint64_t sb_geom_end(const struct sb_geom *g)
{
	uint64_t end = (uint64_t)g->base + g->size;

	for (unsigned i = 0; i < g->nruns; i++) {
		uint64_t e = (uint64_t)g->run[i].addr + (uint64_t)g->run[i].count * g->run[i].size;
		if (e > end)
			end = e;
	}
	return end;
}

int sb_geom_explicit(uint32_t base, uint32_t size, uint32_t page_size, uint8_t write_unit,
		     struct sb_geom *g, struct sb_diag *diag)
{
	*g = (struct sb_geom){ .base = base, .size = size, .write_unit = write_unit ? write_unit : 4,
			       .erased_value = 0xFF, .erased_known = true };
	if (size == 0 || (uint64_t)base + size > 0x100000000ull)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT, "flash range 0x%08X + %u does not fit", base, size);
	if (page_size == 0)
		return SB_OK;  /* no pages known: read/write only, erase refused */
	if (size % page_size)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "flash size %u is not a multiple of the page size %u", size, page_size);
	return add_run(g, base, size / page_size, page_size);
}

bool sb_geom_page(const struct sb_geom *g, uint32_t addr, uint32_t *page, uint32_t *page_addr,
		  uint32_t *page_size)
{
	for (unsigned i = 0; i < g->nruns; i++) {
		const struct sb_page_run *r = &g->run[i];
		uint64_t end = (uint64_t)r->addr + (uint64_t)r->count * r->size;
		if (addr >= r->addr && addr < end) {
			uint32_t k = (addr - r->addr) / r->size;
			*page = r->first_page + k;
			*page_addr = r->addr + k * r->size;
			*page_size = r->size;
			return true;
		}
	}
	return false;
}

bool sb_geom_page_addr(const struct sb_geom *g, uint32_t page, uint32_t *page_addr,
		       uint32_t *page_size)
{
	for (unsigned i = 0; i < g->nruns; i++) {
		const struct sb_page_run *r = &g->run[i];
		if (page >= r->first_page && page < r->first_page + r->count) {
			*page_addr = r->addr + (page - r->first_page) * r->size;
			*page_size = r->size;
			return true;
		}
	}
	return false;
}

int sb_geom_bank(const struct sb_geom *g, uint32_t addr)
{
	return g->bank2 && addr >= g->bank2 ? 2 : 1;
}

void sb_geom_describe(const struct sb_geom *g, char *buf, size_t len)
{
	size_t n = 0;

	if (g->nruns == 0) {
		snprintf(buf, len, "%u KB, pages unknown", g->size / 1024);
		return;
	}
	if (g->bank2 && g->nruns == 2 && g->run[0].count == g->run[1].count &&
	    g->run[0].size == g->run[1].size) {
		snprintf(buf, len, "2 banks x %u pages x %u KB (bank 2 at 0x%08X)", g->run[0].count,
			 g->run[0].size / 1024, g->bank2);
		return;
	}
	buf[0] = '\0';
	for (unsigned i = 0; i < g->nruns && n < len; i++) {
		const struct sb_page_run *r = &g->run[i];
		if (r->size >= 1024)
			n += (size_t)snprintf(buf + n, len - n, "%s%u x %u KB", i ? ", " : "", r->count, r->size / 1024);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%u x %u B", i ? ", " : "", r->count, r->size);
	}
}

/* "4x16K" / "64K" / "256x128" into buf at *n. */
static void put_run(char *buf, size_t len, size_t *n, const struct sb_page_run *r, bool first)
{
	char size[16];

	if (*n >= len)
		return;
	if (r->size % 1024 == 0)
		snprintf(size, sizeof(size), "%uK", r->size / 1024);
	else
		snprintf(size, sizeof(size), "%u", r->size);
	if (r->count == 1)
		*n += (size_t)snprintf(buf + *n, len - *n, "%s%s", first ? "" : "+", size);
	else
		*n += (size_t)snprintf(buf + *n, len - *n, "%s%ux%s", first ? "" : "+", r->count, size);
}

/* Runs [from, to) of g, compact, at *n. */
static void put_runs(const struct sb_geom *g, unsigned from, unsigned to, char *buf, size_t len,
		     size_t *n)
{
	for (unsigned i = from; i < to; i++)
		put_run(buf, len, n, &g->run[i], i == from);
}

/* Do runs [0, half) and [half, 2 half) have the same counts and sizes? */
static bool banks_alike(const struct sb_geom *g, unsigned half)
{
	for (unsigned i = 0; i < half; i++)
		if (g->run[i].count != g->run[half + i].count || g->run[i].size != g->run[half + i].size)
			return false;
	return true;
}

void sb_geom_compact(const struct sb_geom *g, char *buf, size_t len)
{
	unsigned b2 = 0;
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	while (b2 < g->nruns && (!g->bank2 || g->run[b2].addr < g->bank2))
		b2++;
	if (!g->bank2 || b2 == g->nruns) {
		put_runs(g, 0, g->nruns, buf, len, &n);
		return;
	}
	if (2 * b2 == g->nruns && banks_alike(g, b2)) {
		n += (size_t)snprintf(buf, len, "2x(");
		put_runs(g, 0, b2, buf, len, &n);
		if (n < len)
			snprintf(buf + n, len - n, ")");
		return;
	}
	put_runs(g, 0, b2, buf, len, &n);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " | ");
	put_runs(g, b2, g->nruns, buf, len, &n);
}

bool sb_part_factory_dual(const struct sb_part *p)
{
	return is_dual(p, p->flash_kb, -1) != 0;
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return n == 0;
}

bool sb_part_matches(const struct sb_part *p, const char *filter)
{
	char *end;
	unsigned long pid = strtoul(filter, &end, 16);

	if (*filter && !*end && pid == p->pid)
		return true;
	return contains_nocase(p->name, filter) || !strcasecmp(p->family, filter);
}
