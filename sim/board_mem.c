/* SPDX-License-Identifier: MIT */
/*
 * board_mem.c - the memory map as the ROM bootloader sees it, and the
 * flash rules: units (64-bit double-words on the L4R5) programmable once
 * per erase, padding of partial units, page and mass erase, WRP. Addresses
 * and rules come from the board's part profile (board_part.h); the L4R5's
 * are the default. Facts: protocol-facts A.7, C, E.1-E.3.
 */
#include <string.h>

#include "board_priv.h"

typedef int (*rd_fn)(struct board *b, uint32_t off, uint8_t *buf, size_t n);
typedef int (*wr_fn)(struct board *b, uint32_t off, const uint8_t *buf, size_t n);

struct region {
	uint32_t base, size;
	bool rdp_gated;  /* refused while RDP level >= 1 (A.6) */
	rd_fn rd;
	wr_fn wr;        /* NULL: read-only (BOARD_EADDR) */
	enum board_area area;
};

/* ---- "programmed" bitmaps: one bit per unit (b->unit bytes) ---- */

bool board_dw_programmed(const uint8_t *map, uint32_t dw)
{
	return (map[dw / 8] >> (dw % 8)) & 1;
}

void board_dw_mark(uint8_t *map, uint32_t dw, bool on)
{
	if (on)
		map[dw / 8] |= (uint8_t)(1u << (dw % 8));
	else
		map[dw / 8] &= (uint8_t)~(1u << (dw % 8));
}

void board_erase_range(struct board *b, uint32_t off, uint32_t len)
{
	memset(b->flash + off, b->prof.erased, len);
	for (uint32_t dw = off / b->unit; dw < (off + len) / b->unit; dw++)
		board_dw_mark(b->prog_map, dw, false);
}

static bool unit_erased(const struct board *b, const uint8_t *p)
{
	for (uint32_t i = 0; i < b->unit; i++)
		if (p[i] != b->prof.erased)
			return false;
	return true;
}

void board_rebuild_progmap(struct board *b)
{
	for (uint32_t dw = 0; dw < b->flash_size / b->unit; dw++)
		board_dw_mark(b->prog_map, dw, !unit_erased(b, b->flash + dw * b->unit));
}

/*
 * Program-once memory (flash, OTP): every unit touched must be erased;
 * untouched bytes of a touched unit keep their erased value, i.e. the
 * partial unit is padded (A.7) and still counts as programmed (E.3). A
 * profile whose write unit is larger than 8 bytes (U5, H7) programs in its
 * own units: a write of part of one marks the whole unit.
 */
static int program_dws(struct board *b, uint8_t *mem, uint8_t *map, uint32_t off,
		       const uint8_t *buf, size_t n)
{
	uint32_t big = b->prof.unit > b->unit ? b->prof.unit : b->unit;
	uint32_t lo = off / big * big, hi = (uint32_t)((off + n + big - 1) / big * big);
	uint32_t first = lo / b->unit, last = hi / b->unit - 1;

	for (uint32_t dw = first; dw <= last; dw++) {
		if (board_dw_programmed(map, dw)) {
			b->stats.prog_errors++;
			return BOARD_EPROG;  /* E.3: PROGERR, data unchanged */
		}
	}
	memcpy(mem + off, buf, n);
	for (uint32_t dw = first; dw <= last; dw++)
		board_dw_mark(map, dw, true);
	b->stats.dw_programmed += last - first + 1;
	b->busy_us += (uint64_t)(last - first + 1) * DW_PROGRAM_US * b->unit / DW;
	return BOARD_OK;
}

/* ---- flash ---- */

static int flash_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	memcpy(buf, b->flash + off, n);
	return BOARD_OK;
}

bool board_page_of(const struct board *b, uint32_t off, uint32_t *page, uint32_t *page_off,
		   uint32_t *page_size)
{
	uint32_t addr;

	if (!sb_geom_page(&b->geom, b->prof.flash_base + off, page, &addr, page_size))
		return false;
	*page_off = addr - b->prof.flash_base;
	return true;
}

static int flash_wr(struct board *b, uint32_t off, const uint8_t *buf, size_t n)
{
	uint32_t page, po, ps;

	for (uint32_t at = off; at < off + n; at = po + ps) {
		if (!board_page_of(b, at, &page, &po, &ps))
			return BOARD_EADDR;
		if (board_page_protected(b, page))
			return BOARD_EWRP;  /* E.3 WRPERR */
	}
	return program_dws(b, b->flash, b->prog_map, off, buf, n);
}

int board_erase_page(struct board *b, uint32_t page)
{
	uint32_t off, ps;

	if (board_rdp_level(b))
		return BOARD_ERDP;
	if (!board_page_span(b, page, &off, &ps))
		return BOARD_EADDR;
	if (board_page_protected(b, page))
		return BOARD_EWRP;
	board_erase_range(b, off, ps);
	b->busy_us += PAGE_ERASE_US;
	b->stats.page_erases++;
	return BOARD_OK;
}

int board_mass_erase(struct board *b, int bank)
{
	uint32_t first = 0, count = board_page_count(b), off, ps;

	if (board_rdp_level(b))
		return BOARD_ERDP;
	if (bank < 0 || bank > 2 || (bank && !board_dual_bank(b)))
		return BOARD_EADDR;  /* E.3: bank erase only in dual-bank mode */
	if (bank) {
		count /= 2;
		first = bank == 2 ? count : 0;
	}
	for (uint32_t p = first; p < first + count; p++)
		if (board_page_protected(b, p))
			return BOARD_EWRP;  /* a protected page blocks the mass erase */
	for (uint32_t p = first; p < first + count && board_page_span(b, p, &off, &ps); p++)
		board_erase_range(b, off, ps);
	b->busy_us += MASS_ERASE_US;
	b->stats.mass_erases++;
	return BOARD_OK;
}

/* ---- SRAM, OTP, system memory, info words ---- */

static int sram_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	memcpy(buf, b->sram + off, n);
	return BOARD_OK;
}

static int sram_wr(struct board *b, uint32_t off, const uint8_t *buf, size_t n)
{
	if (b->prof.sram_base + off < b->prof.ram_floor)
		return BOARD_EADDR;  /* C: the ROM's own RAM */
	memcpy(b->sram + off, buf, n);
	return BOARD_OK;
}

static int otp_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	memcpy(buf, b->otp + off, n);
	return BOARD_OK;
}

static int otp_wr(struct board *b, uint32_t off, const uint8_t *buf, size_t n)
{
	return program_dws(b, b->otp, b->otp_map, off, buf, n);
}

static int sysmem_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	uint32_t id = b->prof.bl_id_addr - b->prof.sys_base;

	memset(buf, 0, n);  /* ROM code is not modelled */
	if (b->prof.bl_id_addr && id >= off && id < off + n)
		buf[id - off] = board_bl_id(b);
	return BOARD_OK;
}

/* UID words: a fixed, plausible 96-bit ID (E.1 gives only the address). */
static const uint8_t uid[12] = { 0x2B, 0x00, 0x3A, 0x00, 0x0B, 0x51, 0x38, 0x35,
				 0x38, 0x33, 0x35, 0x20 };

static int info_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	uint8_t blk[INFO_SIZE];

	memset(blk, 0xFF, sizeof blk);
	board_put_le32(blk + (PKG_ADDR - INFO_BASE), 0x00000003u);  /* package code: INF */
	memcpy(blk + (UID_ADDR - INFO_BASE), uid, sizeof uid);
	blk[FSIZE_ADDR - INFO_BASE] = (uint8_t)(b->flash_size / 1024);
	blk[FSIZE_ADDR - INFO_BASE + 1] = (uint8_t)(b->flash_size / 1024 >> 8);
	memcpy(buf, blk + off, n);
	return BOARD_OK;
}

/* Parts without the L4 engineering block: the flash-size word alone. */
static int fsize_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	uint8_t w[2] = { (uint8_t)(b->flash_size / 1024), (uint8_t)(b->flash_size / 1024 >> 8) };

	memcpy(buf, w + off, n);
	return BOARD_OK;
}

/* ---- option bytes: written values are staged for the next option load ---- */

static int ob1_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	memcpy(buf, b->ob[0] + off, n);
	return BOARD_OK;
}

static int ob2_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	memcpy(buf, b->ob[1] + off, n);
	return BOARD_OK;
}

/*
 * The ROM programs option registers from the value words it receives; the
 * complement words are generated by the hardware (E.4, value/complement
 * convention INF), so complements sent by the host are ignored.
 */
static void ob_merge(uint8_t *ob, uint32_t size, uint32_t o, const uint8_t *buf, size_t n)
{
	for (uint32_t slot = 0; slot < size / 8; slot++) {
		uint8_t v[4];
		bool touched = false;

		memcpy(v, ob + slot * 8, 4);
		for (uint32_t i = 0; i < 4; i++) {
			if (slot * 8 + i >= o && slot * 8 + i < o + n) {
				v[i] = buf[slot * 8 + i - o];
				touched = true;
			}
		}
		if (touched) {
			memcpy(ob + slot * 8, v, 4);
			board_put_le32(ob + slot * 8 + 4, ~board_le32(v));
		}
	}
}

static int ob1_wr(struct board *b, uint32_t off, const uint8_t *buf, size_t n)
{
	ob_merge(b->ob[0], b->prof.ob_size[0] > OB_SIZE ? b->prof.ob_size[0] : OB_SIZE, off, buf, n);
	return BOARD_OK;
}

static int ob2_wr(struct board *b, uint32_t off, const uint8_t *buf, size_t n)
{
	ob_merge(b->ob[1], b->prof.ob_size[1] > OB_SIZE ? b->prof.ob_size[1] : OB_SIZE, off, buf, n);
	return BOARD_OK;
}

/* ---- FLASH registers (E.2) and DBGMCU_IDCODE (E.1), read-only ---- */

static uint32_t freg(const struct board *b, uint32_t off)
{
	const struct board_optregs *r = &b->regs;

	switch (off) {
	case 0x00: return 0x00000600u;                     /* ACR reset value */
	case 0x10: return b->pempty ? 1u << 17 : 0;        /* SR: PEMPTY b17 */
	case 0x14: return 0xC0000000u;                     /* CR: LOCK, OPTLOCK */
	case 0x20: return r->optr;
	case 0x24: return r->pcrop_sr[0];
	case 0x28: return r->pcrop_er[0];
	case 0x2C: return r->wrp[0];
	case 0x30: return r->wrp[1];
	case 0x44: return r->pcrop_sr[1];
	case 0x48: return r->pcrop_er[1];
	case 0x4C: return r->wrp[2];
	case 0x50: return r->wrp[3];
	}
	return 0;
}

static int freg_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(freg(b, (off + i) & ~3u) >> (8 * ((off + i) & 3)));
	return BOARD_OK;
}

static int idcode_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	/* REV_ID 0x1001, DEV_ID the part's PID (E.1 for the L4R5) */
	uint32_t id = (IDCODE_VALUE & ~0xFFFu) | b->prof.part->pid;

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(id >> (8 * (off + i)));
	return BOARD_OK;
}

/* ---- dispatch ---- */

/* The part's memory map (board_part.h); the L4R5's is the default. The
 * flash-size word comes first: on F0/F1/F3 it lies inside system memory. */
static bool find_region(const struct board *b, uint32_t addr, size_t n, struct region *out)
{
	const struct board_profile *p = &b->prof;
	const struct region map[] = {
		{ p->flash_base, b->flash_size, true, flash_rd, flash_wr, BOARD_AREA_FLASH },
		{ p->sram_base, p->sram_size, true, sram_rd, sram_wr, BOARD_AREA_SRAM },
		{ p->info_base ? 0 : p->fsize_addr, p->info_base || !p->fsize_addr ? 0 : 2, false,
		  fsize_rd, NULL, BOARD_AREA_INFO },
		{ p->sys_base, p->sys_size, false, sysmem_rd, NULL, BOARD_AREA_SYSMEM },
		{ p->otp_base, p->otp_size, true, otp_rd, otp_wr, BOARD_AREA_OTP },
		{ p->info_base, p->info_size, false, info_rd, NULL, BOARD_AREA_INFO },
		{ p->ob_base[0], p->ob_size[0], true, ob1_rd, ob1_wr, BOARD_AREA_OPTION },
		{ p->ob_base[1], p->ob_size[1], true, ob2_rd, ob2_wr, BOARD_AREA_OPTION },
		{ p->freg_base, p->freg_base ? FREG_SIZE : 0, false, freg_rd, NULL, BOARD_AREA_REGS },
		{ IDCODE_ADDR, 4, false, idcode_rd, NULL, BOARD_AREA_REGS },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (map[i].size && addr >= map[i].base && addr - map[i].base < map[i].size &&
		    n <= map[i].size - (addr - map[i].base)) {
			*out = map[i];
			return true;
		}
	}
	return false;
}

int board_read(struct board *b, uint32_t addr, uint8_t *buf, size_t n)
{
	struct region r;

	if (n == 0)
		return BOARD_OK;
	if (!find_region(b, addr, n, &r))
		return BOARD_EADDR;
	if (r.rdp_gated && board_rdp_level(b))
		return BOARD_ERDP;
	return r.rd(b, addr - r.base, buf, n);
}

int board_write(struct board *b, uint32_t addr, const uint8_t *buf, size_t n)
{
	struct region r;

	if (n == 0)
		return BOARD_OK;
	if (!find_region(b, addr, n, &r) || !r.wr)
		return BOARD_EADDR;
	if (r.rdp_gated && board_rdp_level(b))
		return BOARD_ERDP;
	return r.wr(b, addr - r.base, buf, n);
}

int board_check(struct board *b, uint32_t addr, size_t n, bool write)
{
	struct region r;

	if (!find_region(b, addr, n ? n : 1, &r) || (write && !r.wr))
		return BOARD_EADDR;
	if (write && r.wr == sram_wr && addr < b->prof.ram_floor)
		return BOARD_EADDR;  /* C: the ROM's own RAM */
	if (r.rdp_gated && board_rdp_level(b))
		return BOARD_ERDP;
	return BOARD_OK;
}

uint8_t *board_sram(struct board *b, size_t *size)
{
	*size = b->prof.sram_size;
	return b->sram;
}

bool board_is_option_area(const struct board *b, uint32_t addr)
{
	return board_area(b, addr, NULL, NULL) == BOARD_AREA_OPTION;
}

enum board_area board_area(const struct board *b, uint32_t addr, uint32_t *base, uint32_t *size)
{
	struct region r = { 0 };

	if (!find_region(b, addr, 1, &r))
		r.area = BOARD_AREA_NONE;
	else if (r.area == BOARD_AREA_SRAM && addr < b->prof.ram_floor)
		r = (struct region){ b->prof.sram_base, b->prof.ram_floor - b->prof.sram_base,
				     .area = BOARD_AREA_ROM_RAM };
	else if (r.area == BOARD_AREA_SRAM)
		r = (struct region){ b->prof.ram_floor,
				     b->prof.sram_base + b->prof.sram_size - b->prof.ram_floor,
				     .area = BOARD_AREA_SRAM };
	if (base)
		*base = r.base;
	if (size)
		*size = r.size;
	return r.area;
}
