/* SPDX-License-Identifier: MIT */
/*
 * board_part.c - a board profile from a device-table row (board_part.h).
 * Every number comes from the row and its cited sources; the choices made
 * here for what a row leaves open are said where they are made.
 */
#include <string.h>

#include "board_part.h"

#define SRAM_BASE 0x20000000u
#define L4_INFO_BASE 0x1FFF7400u     /* package, UID, flash size: protocol-facts E.1 */
#define L4_FSIZE 0x1FFF75E0u
#define MODEL_OPTR 0xFFEFF8AAu       /* the L4R5 factory word: RDP 0xAA, boot from the
				      * pin, nBOOT1 = 1 (protocol-facts E.4) */
#define ROM_RAM_ONLY 0x1000u         /* SRAM modelled when no source gives the ROM's RAM */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The row's bank-mode bits take their factory values; the rest of the
 * word is the L4R5 model (board_part.h). */
static uint32_t factory_optr(const struct sb_part *p)
{
	uint32_t w = MODEL_OPTR;
	int bits[2] = { p->dbank_bit, p->dbank_bit_half };

	if (p->dual != SB_DUAL_BIT && p->dual != SB_DUAL_MAX_OR_BIT)
		return w;
	for (int i = 0; i < 2; i++) {
		if (bits[i] < 0)
			continue;
		w &= ~(1u << bits[i]);
		w |= p->optr_default & (1u << bits[i]);
	}
	return w;
}

/* SRAM from 0x20000000 up to the row's RAM end; the ROM's RAM below the floor. */
static void set_ram(struct board_profile *b, const struct sb_part *p)
{
	b->sram_base = SRAM_BASE;
	if (p->ram_end > SRAM_BASE) {
		b->sram_size = p->ram_end - SRAM_BASE;
		b->ram_floor = p->ram_start;
	} else {
		b->sram_size = ROM_RAM_ONLY;   /* no source: all of it the ROM's */
		b->ram_floor = SRAM_BASE + ROM_RAM_ONLY;
	}
}

static void set_areas(struct board_profile *b, const struct sb_part *p)
{
	b->sys_base = p->sys_start;
	b->sys_size = p->sys_end - p->sys_start;
	if (p->bl_id_addr >= p->sys_start && p->bl_id_addr < p->sys_end) {
		b->bl_id_addr = p->bl_id_addr;
		b->bl_id = p->bl_id;
	}
	b->otp_base = p->otp_start;
	b->otp_size = min_u32(p->otp_end - p->otp_start, BOARD_MAX_OTP);
	b->ob_base[0] = p->opt_start;
	b->ob_size[0] = min_u32(p->opt_end - p->opt_start, BOARD_MAX_OB);
	b->ob_base[1] = p->opt2_start;
	b->ob_size[1] = min_u32(p->opt2_end - p->opt2_start, BOARD_MAX_OB);
	b->fsize_addr = p->flash_size_reg;
	if (p->flash_size_reg == L4_FSIZE) {
		b->info_base = L4_INFO_BASE;
		b->info_size = 0x400;
	}
	/* L4/L4+/G0/G4 (L4-style option bytes) have the L4R5's FLASH registers
	 * at 0x40022000 (OPTR at +0x20; served with permissive reads only) */
	b->freg_base = p->ob_kind == SB_OB_L4 ? 0x40022000u : 0;
}

/*
 * The board keeps the flash as one array from the flash base: a layout with
 * a gap before bank 2 (a G47x with less than its largest size) is not
 * modelled.
 */
static bool contiguous(const struct sb_part *p, uint32_t kb)
{
	for (int dual = 0; dual < 2; dual++) {
		struct sb_geom g;
		if (sb_geom_for_mode(p, kb, dual, &g, NULL) == SB_OK &&
		    sb_geom_end(&g) != (uint64_t)p->flash_base + kb * 1024u)
			return false;
	}
	return true;
}

bool board_profile_for(uint16_t pid, uint32_t flash_kb, struct board_profile *out)
{
	const struct sb_part *p = sb_part_by_pid(pid ? pid : BOARD_DEFAULT_PID);
	struct sb_geom g;

	memset(out, 0, sizeof(*out));
	if (!p || (flash_kb && flash_kb > p->flash_kb) || !contiguous(p, flash_kb ? flash_kb : p->flash_kb))
		return false;
	out->part = p;
	out->flash_base = p->flash_base;
	out->flash_size = (flash_kb ? flash_kb : p->flash_kb) * 1024u;
	out->unit = p->write_unit;
	out->erased = sb_part_erased_value(p);
	out->optr_factory = factory_optr(p);
	set_ram(out, p);
	set_areas(out, p);
	return board_profile_geom(out, out->optr_factory, &g) == SB_OK;
}

int board_profile_geom(const struct board_profile *p, uint32_t optr, struct sb_geom *g)
{
	return sb_geom_for_part(p->part, p->flash_size / 1024u, optr, g, NULL);
}

int board_profile_bank_bit(const struct board_profile *p, bool *inverted)
{
	const struct sb_part *r = p->part;
	uint32_t kb = p->flash_size / 1024u;

	*inverted = r->dbank_inverted;
	if (!sb_part_has_mode(r, kb, false) || !sb_part_has_mode(r, kb, true))
		return -1;   /* no choice at this size */
	return sb_part_bank_bit(r, kb);
}

uint32_t board_profile_fresh_optr(const struct board_profile *p, int dbank, int rdp)
{
	uint32_t optr = p->optr_factory;
	bool inv;
	int bit = board_profile_bank_bit(p, &inv);

	if (bit >= 0 && dbank >= 0) {
		optr &= ~(1u << bit);
		if ((dbank == 1) != inv)
			optr |= 1u << bit;
	}
	if (rdp == 1)
		optr = (optr & ~0xFFu) | 0xBBu;  /* E.4: anything but AA/CC is level 1 */
	return optr;
}
