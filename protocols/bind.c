/* SPDX-License-Identifier: MIT */
/*
 * bind.c - part binding: device-table row + what the ROM lets a host read
 * (bind.h). Facts cite ../shared/reference/protocol-facts.md.
 */
#include "bind.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 2, 3)))
static void note(struct sb_chip *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nnotes == SB_CHIP_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->notes[c->nnotes++], sizeof(c->notes[0]), fmt, ap);
	va_end(ap);
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- reads ---------------------------------------------------------------- */

/* SB_OK, SB_ERR_NACK (refused: a normal answer here), or a final error. */
static int try_read(struct sb_chip *c, const struct sb_mem_reader *rd, uint32_t addr,
		    uint8_t *buf, size_t n, struct sb_diag *d)
{
	int r = rd->read(rd->ctx, addr, buf, n, d);

	if (r == SB_ERR_PROTECTED)
		c->protected = true;
	return r;
}

/*
 * The flash-size register is not in the memory AN3155 lists for Read Memory
 * and is reported NACKed through the L43x ROM (protocol-facts A.5, E.1):
 * tried, never required.
 */
static int read_flash_size(struct sb_chip *c, const struct sb_mem_reader *rd,
			   const struct sb_log *log, struct sb_diag *d)
{
	uint8_t b[2];
	uint32_t kb;
	int r = (rd->probe ? rd->probe : rd->read)(rd->ctx, c->part->flash_size_reg, b, sizeof(b), d);

	if (r == SB_ERR_PROTECTED) {
		/* read protection, or one NACK of noise at the command byte: the
		 * option-byte reads (with retries) tell which */
		return SB_OK;
	}
	if (r == SB_ERR_NACK || r == SB_ERR_TIMEOUT || r == SB_ERR_FRAMING) {
		/* one try only: a byte lost on a noisy line is no reason to fail
		 * the job over a fact the table has; a dead line shows next */
		sb_logf(log, SB_LOG_DEBUG, "bind: the flash-size register at 0x%08X was not read (%s;"
			" normal: AN3155 does not list it): %u KB from the device table",
			c->part->flash_size_reg, sb_strerror(r), c->part->flash_kb);
		return SB_OK;
	}
	if (r)
		return r;
	kb = (uint32_t)b[0] | (uint32_t)b[1] << 8;
	if (kb == 0 || kb == 0xFFFF)   /* protocol-facts E.1: 0xFFFF -> the largest size */
		return SB_OK;
	if (kb > c->part->flash_kb)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s reports %u KB of flash; the device"
				   " table allows at most %u KB", c->part->name, kb,
				   c->part->flash_kb);
	c->flash_kb = kb;
	c->size_src = SB_SRC_CHIP;
	return SB_OK;
}

static size_t area_len(uint32_t start, uint32_t end)
{
	size_t n = end > start ? end - start : 0;

	return n > SB_OB_MAX ? SB_OB_MAX : n;
}

/* Both option-byte areas; a refusal leaves them unread (ob_len 0). */
static int read_option_bytes(struct sb_chip *c, const struct sb_mem_reader *rd,
			     struct sb_diag *d)
{
	const struct sb_part *p = c->part;
	const uint32_t start[2] = { p->opt_start, p->opt2_start };
	const size_t len[2] = { area_len(p->opt_start, p->opt_end),
				area_len(p->opt2_start, p->opt2_end) };

	for (int i = 0; i < 2; i++) {
		int r;

		if (!len[i])
			continue;
		r = try_read(c, rd, start[i], c->ob[i], len[i], d);
		if (r == SB_ERR_NACK) {
			note(c, "the option bytes at 0x%08X are not readable through this bootloader",
			     start[i]);
			return SB_OK;
		}
		if (r)
			return r;
		c->ob_len[i] = len[i];
	}
	return SB_OK;
}

/* ---- decoding (protocol-facts E.2, E.4) ------------------------------------ */

static void add_wrp(struct sb_chip *c, const char *name, uint32_t reg, uint32_t base)
{
	uint32_t strt = reg & 0xFF, end = reg >> 16 & 0xFF;

	if (strt > end)   /* STRT > END: the area protects nothing (E.2) */
		return;
	snprintf(c->wrp[c->nwrp].name, sizeof(c->wrp[0].name), "%s", name);
	c->wrp[c->nwrp].first = base + strt;
	c->wrp[c->nwrp].last = base + end;
	c->nwrp++;
}

/*
 * WRP1A/WRP1B sit at +0x18/+0x20 of the bank-1 area, WRP2A/WRP2B at the same
 * offsets of the bank-2 area (protocol-facts E.4 layout, C1+INF). The page
 * index counts within a bank; in single-bank mode all four areas index the
 * one bank (E.2). Linear page numbers put bank 2 after bank 1 (A.5).
 */
static void decode_wrp(struct sb_chip *c)
{
	uint32_t bank2_base = c->geom.bank2 ? c->geom.run[0].count : 0;

	if (c->part->ob_kind != SB_OB_L4 || !c->pages_known || c->ob_len[0] < 0x24)
		return;
	if (c->part->opt2_start && c->ob_len[1] < 0x24)
		return;
	add_wrp(c, "WRP1A", le32(c->ob[0] + 0x18), 0);
	add_wrp(c, "WRP1B", le32(c->ob[0] + 0x20), 0);
	if (c->ob_len[1]) {
		add_wrp(c, "WRP2A", le32(c->ob[1] + 0x18), bank2_base);
		add_wrp(c, "WRP2B", le32(c->ob[1] + 0x20), bank2_base);
	}
	c->wrp_known = true;
}

/* ---- geometry -------------------------------------------------------------- */

static int explicit_geom(struct sb_chip *c, const struct sb_bind_opts *o, uint32_t size,
			 uint32_t page, struct sb_diag *d)
{
	const struct sb_part *p = c->part;
	uint32_t base = o->has_flash_base || !p ? o->flash_base : p->flash_base;
	uint8_t unit = o->write_unit ? o->write_unit : p ? p->write_unit : 4;
	int r = sb_geom_explicit(base, size, page, unit, &c->geom, d);

	if (r)
		return SB_ERR_BAD_INPUT;
	if (p)   /* what the part's erased flash reads stays the row's (devtable.c) */
		sb_geom_set_erased(&c->geom, p);
	c->have_geom = true;
	c->pages_known = page != 0;
	return SB_OK;
}

/* The row's layout with the bank mode from the option word (or none to choose). */
static int table_geom(struct sb_chip *c, const struct sb_bind_opts *o, struct sb_diag *d)
{
	const struct sb_part *p = c->part;
	/* an option bit chooses the bank mode at this size (devtable.c rules) */
	bool selectable = sb_part_has_mode(p, c->flash_kb, false) && sb_part_has_mode(p, c->flash_kb, true);
	int r;

	if (selectable && c->optr < 0 && !o->page_size) {
		note(c, "the bank mode (DBANK) could not be read, so the page size is unknown:"
		     " pages are not erased by number; give --page-size");
		return explicit_geom(c, o, c->flash_kb * 1024u, 0, d);
	}
	if (o->page_size)
		return explicit_geom(c, o, c->flash_kb * 1024u, o->page_size, d);
	r = sb_geom_for_part(p, c->flash_kb, c->optr, &c->geom, d);
	if (r)
		return r;
	if (o->write_unit)
		c->geom.write_unit = o->write_unit;
	c->have_geom = c->pages_known = true;
	c->bank_src = selectable ? SB_SRC_CHIP : SB_SRC_TABLE;
	return SB_OK;
}

static void start(struct sb_chip *c, uint16_t pid, bool has_pid)
{
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->has_pid = has_pid;
	c->optr = -1;
	c->part = has_pid ? sb_part_by_pid(pid) : NULL;
}

int sb_bind(struct sb_chip *c, uint16_t pid, bool has_pid, const struct sb_bind_opts *o,
	    const struct sb_mem_reader *rd, const struct sb_log *log, struct sb_diag *d)
{
	int r = SB_OK;

	start(c, pid, has_pid);
	if (!c->part) {
		if (!o->flash_size)
			return SB_OK;   /* the caller names --flash-size when it needs a geometry */
		c->flash_kb = o->flash_size / 1024u;
		c->size_src = SB_SRC_USER;
		return explicit_geom(c, o, o->flash_size, o->page_size, d);
	}
	c->flash_kb = c->part->flash_kb;
	c->size_src = SB_SRC_TABLE;
	if (o->flash_size) {
		c->flash_kb = o->flash_size / 1024u;
		c->size_src = SB_SRC_USER;
	} else if (c->part->flash_size_reg) {
		r = read_flash_size(c, rd, log, d);
	}
	if (r == SB_OK && !c->protected && c->part->ob_kind != SB_OB_UNKNOWN)
		r = read_option_bytes(c, rd, d);
	if (r == SB_ERR_PROTECTED)
		return SB_OK;   /* nothing readable until read protection is removed */
	if (r)
		return r;
	if (c->ob_len[0] >= 4 && c->part->ob_kind == SB_OB_L4)
		c->optr = le32(c->ob[0]);   /* the user option word (E.4) */
	r = o->flash_size ? explicit_geom(c, o, o->flash_size, o->page_size, d)
			  : table_geom(c, o, d);
	if (r == SB_OK)
		decode_wrp(c);
	if (r == SB_OK && c->part->ob_kind != SB_OB_UNKNOWN && !c->wrp_known)
		note(c, "write protection could not be read: protected pages are found only by verify");
	return r;
}

int sb_bind_offline(struct sb_chip *c, const struct sb_part *p, const struct sb_bind_opts *o,
		    struct sb_diag *d)
{
	start(c, p ? p->pid : 0, p != NULL);
	c->part = p;
	if (o->flash_size || !p) {
		c->flash_kb = o->flash_size / 1024u;
		c->size_src = SB_SRC_USER;
		return explicit_geom(c, o, o->flash_size, o->page_size, d);
	}
	c->flash_kb = p->flash_kb;
	c->size_src = SB_SRC_TABLE;
	c->optr = p->optr_default;   /* factory options: the plan says so */
	return table_geom(c, o, d);
}

const struct sb_wrp_area *sb_chip_wrp(const struct sb_chip *c, uint32_t page)
{
	for (unsigned i = 0; i < c->nwrp; i++)
		if (page >= c->wrp[i].first && page <= c->wrp[i].last)
			return &c->wrp[i];
	return NULL;
}

int sb_chip_rdp(const struct sb_chip *c)
{
	uint32_t rdp;

	if (c->optr < 0)
		return c->protected ? 1 : -1;
	rdp = (uint32_t)c->optr & 0xFF;   /* 0xAA level 0, 0xCC level 2, else 1 (E.4) */
	return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}
