/*
 * geom.c - the flash geometry in force: table row + what the chip says.
 */
#include "part.h"

#include <stdio.h>

static int add_run(struct sb_geom *g, uint32_t addr, uint32_t count, uint32_t size)
{
	if (g->nruns == SB_GEOM_MAX_RUNS)
		return SB_ERR_BAD_INPUT;
	g->run[g->nruns++] = (struct sb_page_run){ addr, count, size, g->npages };
	g->npages += count;
	return SB_OK;
}

/* Lay out one bank of bank_size bytes at addr from uniform pages or a sector list. */
static int add_bank(struct sb_geom *g, const struct sb_part *p, uint32_t addr, uint32_t bank_size,
		    uint32_t page_size)
{
	if (!p->sectors)
		return add_run(g, addr, bank_size / page_size, page_size);
	for (const struct sb_sectors *s = p->sectors; s->count && bank_size; s++) {
		uint32_t n = s->count;
		if ((uint64_t)n * s->size > bank_size)
			n = bank_size / s->size;
		if (n == 0 || add_run(g, addr, n, s->size))
			return SB_ERR_BAD_INPUT;
		addr += n * s->size;
		bank_size -= n * s->size;
	}
	return SB_OK;
}

/* Does the part run in dual-bank mode? OPTR bit per the row (protocol-facts E.4). */
static int is_dual(const struct sb_part *p, uint32_t kb, int64_t optr)
{
	uint32_t opt = optr >= 0 ? (uint32_t)optr : p->optr_default;
	int bit = p->dbank_bit;

	if (p->banks == 2)
		return 1;
	if (bit < 0)
		return 0;
	if (kb * 2 == p->flash_kb && p->dbank_bit_half >= 0)
		bit = p->dbank_bit_half;
	return (opt >> bit) & 1u;
}

int sb_geom_for_part(const struct sb_part *p, uint32_t flash_kb, int64_t optr,
		     struct sb_geom *g, struct sb_diag *diag)
{
	uint32_t kb = flash_kb ? flash_kb : p->flash_kb;
	uint32_t size, page;
	int dual, err;

	if (kb > p->flash_kb)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "%s reports %u KB of flash; the device table allows at most %u KB",
				   p->name, kb, p->flash_kb);
	*g = (struct sb_geom){ .base = p->flash_base, .write_unit = p->write_unit };
	size = kb * 1024u;
	dual = is_dual(p, kb, optr);
	page = dual && p->page_size_dual ? p->page_size_dual : p->page_size;
	g->size = size;
	if (!dual)
		err = add_bank(g, p, g->base, size, page);
	else {
		g->bank2 = g->base + size / 2;
		err = add_bank(g, p, g->base, size / 2, page);
		if (!err)
			err = add_bank(g, p, g->bank2, size / 2, page);
	}
	if (err || g->npages == 0)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT, "cannot lay out %u KB of %s flash", kb, p->name);
	return SB_OK;
}

int sb_geom_explicit(uint32_t base, uint32_t size, uint32_t page_size, uint8_t write_unit,
		     struct sb_geom *g, struct sb_diag *diag)
{
	*g = (struct sb_geom){ .base = base, .size = size, .write_unit = write_unit ? write_unit : 4 };
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
