/*
 * board_mem.c - the L4R5 memory map as the ROM bootloader sees it, and the
 * flash rules: 64-bit double-words programmable once per erase, 0xFF
 * padding of partial double-words, page and mass erase, WRP.
 * Facts: protocol-facts A.7, C, E.1-E.3.
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
};

/* ---- "programmed" bitmaps: one bit per double-word ---- */

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
	memset(b->flash + off, 0xFF, len);
	for (uint32_t dw = off / DW; dw < (off + len) / DW; dw++)
		board_dw_mark(b->prog_map, dw, false);
}

void board_rebuild_progmap(struct board *b)
{
	static const uint8_t erased[DW] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

	for (uint32_t dw = 0; dw < b->flash_size / DW; dw++)
		board_dw_mark(b->prog_map, dw, memcmp(b->flash + dw * DW, erased, DW) != 0);
}

/*
 * Program-once memory (flash, OTP): every double-word touched must be
 * erased; untouched bytes of a touched double-word stay 0xFF, i.e. the
 * partial double-word is padded (A.7) and still counts as programmed (E.3).
 */
static int program_dws(struct board *b, uint8_t *mem, uint8_t *map, uint32_t off,
		       const uint8_t *buf, size_t n)
{
	uint32_t first = off / DW, last = (uint32_t)((off + n - 1) / DW);

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
	b->busy_us += (uint64_t)(last - first + 1) * DW_PROGRAM_US;
	return BOARD_OK;
}

/* ---- flash ---- */

static int flash_rd(struct board *b, uint32_t off, uint8_t *buf, size_t n)
{
	memcpy(buf, b->flash + off, n);
	return BOARD_OK;
}

static int flash_wr(struct board *b, uint32_t off, const uint8_t *buf, size_t n)
{
	uint32_t ps = board_page_size(b);

	for (uint32_t p = off / ps; p <= (off + n - 1) / ps; p++)
		if (board_page_protected(b, p))
			return BOARD_EWRP;  /* E.3 WRPERR */
	return program_dws(b, b->flash, b->prog_map, off, buf, n);
}

int board_erase_page(struct board *b, uint32_t page)
{
	uint32_t ps = board_page_size(b);

	if (board_rdp_level(b))
		return BOARD_ERDP;
	if (page >= board_page_count(b))
		return BOARD_EADDR;
	if (board_page_protected(b, page))
		return BOARD_EWRP;
	board_erase_range(b, page * ps, ps);
	b->busy_us += PAGE_ERASE_US;
	b->stats.page_erases++;
	return BOARD_OK;
}

int board_mass_erase(struct board *b, int bank)
{
	uint32_t first = 0, count = board_page_count(b);

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
	board_erase_range(b, first * board_page_size(b), count * board_page_size(b));
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
	if (SRAM_BASE + off < SRAM_ROM_END)
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
	memset(buf, 0, n);  /* ROM code is not modelled */
	if (BL_ID_ADDR - SYSMEM_BASE >= off && BL_ID_ADDR - SYSMEM_BASE < off + n)
		buf[BL_ID_ADDR - SYSMEM_BASE - off] = board_bl_id(b);
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
static void ob_merge(uint8_t *ob, uint32_t o, const uint8_t *buf, size_t n)
{
	for (uint32_t slot = 0; slot < OB_SIZE / 8; slot++) {
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
	ob_merge(b->ob[0], off, buf, n);
	return BOARD_OK;
}

static int ob2_wr(struct board *b, uint32_t off, const uint8_t *buf, size_t n)
{
	ob_merge(b->ob[1], off, buf, n);
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
	(void)b;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(IDCODE_VALUE >> (8 * (off + i)));
	return BOARD_OK;
}

/* ---- dispatch ---- */

static bool find_region(const struct board *b, uint32_t addr, size_t n, struct region *out)
{
	const struct region map[] = {
		{ FLASH_BASE, b->flash_size, true, flash_rd, flash_wr },
		{ SRAM_BASE, SRAM_SIZE, true, sram_rd, sram_wr },
		{ SYSMEM_BASE, SYSMEM_SIZE, false, sysmem_rd, NULL },
		{ OTP_BASE, OTP_SIZE, true, otp_rd, otp_wr },
		{ INFO_BASE, INFO_SIZE, false, info_rd, NULL },
		{ OB1_BASE, OB_SIZE, true, ob1_rd, ob1_wr },
		{ OB2_BASE, OB_SIZE, true, ob2_rd, ob2_wr },
		{ FREG_BASE, FREG_SIZE, false, freg_rd, NULL },
		{ IDCODE_ADDR, 4, false, idcode_rd, NULL },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (addr >= map[i].base && addr - map[i].base < map[i].size &&
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
	if (write && r.wr == sram_wr && addr < SRAM_ROM_END)
		return BOARD_EADDR;  /* C: the ROM's own RAM */
	if (r.rdp_gated && board_rdp_level(b))
		return BOARD_ERDP;
	return BOARD_OK;
}

uint8_t *board_sram(struct board *b, size_t *size)
{
	*size = SRAM_SIZE;
	return b->sram;
}

bool board_is_option_area(uint32_t addr)
{
	return (addr >= OB1_BASE && addr - OB1_BASE < OB_SIZE) ||
	       (addr >= OB2_BASE && addr - OB2_BASE < OB_SIZE);
}
