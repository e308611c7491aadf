/* SPDX-License-Identifier: MIT */
/*
 * test_board.c - the virtual STM32L4R5 (sim/board.h): memory map, flash
 * rules, bank modes, option bytes, RDP, WRP, PEMPTY, boot selection and the
 * state file. Facts: protocol-facts A.7, C, E.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "board.h"

#define FLASH 0x08000000u
#define OB1 0x1FF00000u
#define OPTR_FACTORY 0xFFEFF8AAu
#define DBANK (1u << 22)

static struct board *mk(uint32_t optr)
{
	struct board_config c = { .optr = optr };
	struct board *b = board_new(&c);

	assert_non_null(b);
	return b;
}

static uint32_t rd32(struct board *b, uint32_t addr)
{
	uint8_t v[4];

	assert_int_equal(board_read(b, addr, v, 4), BOARD_OK);
	return (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
}

static void wr32(struct board *b, uint32_t addr, uint32_t v, int want)
{
	uint8_t p[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	assert_int_equal(board_write(b, addr, p, 4), want);
}

/* Write a plausible vector table (SP in SRAM) so the part boots the application. */
static void program_app(struct board *b, uint32_t base)
{
	uint8_t vt[8] = { 0x00, 0x00, 0x05, 0x20, 0x01, 0x02, 0x00, 0x08 };

	assert_int_equal(board_write(b, base, vt, 8), BOARD_OK);
}

static void set_optr(struct board *b, uint32_t optr)
{
	wr32(b, OB1, optr, BOARD_OK);
	board_reset(b);
}

/* ---- memory map ---- */

static void fresh_board_identity(void **state)
{
	struct board *b = mk(0);
	uint8_t v[16];

	(void)state;
	assert_int_equal(rd32(b, 0x40022020), OPTR_FACTORY);   /* E.4 default word */
	assert_int_equal(rd32(b, 0xE0042000) & 0xFFF, 0x470);  /* E.1 DEV_ID */
	assert_int_equal(board_read(b, 0x1FFF75E0, v, 2), BOARD_OK);
	assert_int_equal(v[0] | v[1] << 8, 0x0800);            /* E.1 flash size */
	assert_int_equal(board_read(b, 0x1FFF6FFE, v, 1), BOARD_OK);
	assert_int_equal(v[0], 0x95);                          /* C bootloader ID */
	assert_int_equal(rd32(b, OB1), OPTR_FACTORY);
	assert_int_equal(rd32(b, OB1 + 4), (uint32_t)~OPTR_FACTORY);  /* complement word */
	assert_int_equal(rd32(b, 0x1FF01020), 0x000000FF);  /* WRP2BR: none (E.2) */
	assert_int_equal(rd32(b, FLASH), 0xFFFFFFFF);
	assert_int_equal(rd32(b, 0x1FFF7000), 0xFFFFFFFF);     /* OTP erased */
	assert_int_equal(board_read(b, 0x1FFF7590, v, 12), BOARD_OK);  /* UID */
	assert_true(board_dual_bank(b));
	assert_int_equal(board_page_size(b), 4096);
	assert_int_equal(board_page_count(b), 512);
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);
	assert_int_equal(board_reset_count(b), 0);
	board_free(b);
}

static void unmapped_addresses_refused(void **state)
{
	struct board *b = mk(0);
	uint8_t v[8] = { 0 };

	(void)state;
	assert_int_equal(board_read(b, 0x08200000, v, 1), BOARD_EADDR);  /* past 2 MB */
	assert_int_equal(board_read(b, 0x081FFFFC, v, 8), BOARD_EADDR);  /* crosses the end */
	assert_int_equal(board_read(b, 0x1FF00028, v, 1), BOARD_EADDR);  /* past 40 OB bytes */
	assert_int_equal(board_read(b, 0x200A0000, v, 1), BOARD_EADDR);
	assert_int_equal(board_read(b, 0x30000000, v, 1), BOARD_EADDR);
	assert_int_equal(board_write(b, 0x1FFF0000, v, 4), BOARD_EADDR); /* system memory */
	assert_int_equal(board_write(b, 0x40022020, v, 4), BOARD_EADDR); /* registers */
	assert_int_equal(board_check(b, 0x1FFF0000, 4, false), BOARD_OK);
	assert_int_equal(board_check(b, 0x1FFF0000, 4, true), BOARD_EADDR);
	assert_true(board_is_option_area(b, 0x1FF01027));
	assert_false(board_is_option_area(b, 0x1FF01028));
	board_free(b);
}

static void sram_rom_area_refused(void **state)
{
	struct board *b = mk(0);
	uint8_t v[4] = { 1, 2, 3, 4 }, r[4];

	(void)state;
	assert_int_equal(board_write(b, 0x200031FC, v, 4), BOARD_EADDR);  /* C: ROM's RAM */
	assert_int_equal(board_check(b, 0x20000000, 4, true), BOARD_EADDR);
	assert_int_equal(board_write(b, 0x20003200, v, 4), BOARD_OK);
	assert_int_equal(board_write(b, 0x20003200, v, 4), BOARD_OK);     /* RAM: any times */
	assert_int_equal(board_read(b, 0x20003200, r, 4), BOARD_OK);
	assert_memory_equal(v, r, 4);
	board_free(b);
}

/* The kinds of memory a device side's ROM rules are written against. */
static void areas(void **state)
{
	struct board *b = mk(0);
	uint32_t base, size;

	(void)state;
	assert_int_equal(board_area(b, 0x08000000, &base, &size), BOARD_AREA_FLASH);
	assert_int_equal(base, 0x08000000);
	assert_int_equal(size, 2048u * 1024);
	assert_int_equal(board_area(b, 0x200031FF, &base, &size), BOARD_AREA_ROM_RAM);
	assert_int_equal(base + size, 0x20003200);
	assert_int_equal(board_area(b, 0x20003200, &base, &size), BOARD_AREA_SRAM);
	assert_int_equal(base, 0x20003200);
	assert_int_equal(base + size, 0x200A0000);
	assert_int_equal(board_area(b, 0x1FFF6FFE, NULL, NULL), BOARD_AREA_SYSMEM);
	assert_int_equal(board_area(b, 0x1FFF73FF, NULL, NULL), BOARD_AREA_OTP);
	assert_int_equal(board_area(b, 0x1FFF75E0, NULL, NULL), BOARD_AREA_INFO);
	assert_int_equal(board_area(b, 0x1FF01008, &base, &size), BOARD_AREA_OPTION);
	assert_int_equal(base, 0x1FF01000);
	assert_int_equal(size, 40);
	assert_int_equal(board_area(b, 0x40022020, NULL, NULL), BOARD_AREA_REGS);
	assert_int_equal(board_area(b, 0xE0042000, NULL, NULL), BOARD_AREA_REGS);
	assert_int_equal(board_area(b, 0x1FF00028, NULL, NULL), BOARD_AREA_NONE);
	assert_int_equal(board_area(b, 0x08200000, NULL, NULL), BOARD_AREA_NONE);
	board_free(b);
}

/* ---- flash rules (A.7, E.3) ---- */

static void double_word_programs_once(void **state)
{
	struct board *b = mk(0);
	struct board_stats st;
	uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, c[8] = { 9, 9, 9, 9, 9, 9, 9, 9 }, r[8];

	(void)state;
	assert_int_equal(board_write(b, FLASH + 8, a, 8), BOARD_OK);
	assert_int_equal(board_write(b, FLASH + 8, c, 8), BOARD_EPROG);
	assert_int_equal(board_read(b, FLASH + 8, r, 8), BOARD_OK);
	assert_memory_equal(r, a, 8);                        /* data unchanged */
	board_stats(b, &st);
	assert_int_equal(st.prog_errors, 1);
	assert_int_equal(st.dw_programmed, 1);
	board_free(b);
}

static void all_ff_write_still_programs(void **state)
{
	struct board *b = mk(0);
	uint8_t ff[8], a[8] = { 0 };

	(void)state;
	memset(ff, 0xFF, sizeof ff);
	assert_int_equal(board_write(b, FLASH, ff, 8), BOARD_OK);
	assert_int_equal(board_write(b, FLASH, a, 8), BOARD_EPROG);  /* E.3: ECC written */
	board_free(b);
}

static void partial_double_word_padded(void **state)
{
	struct board *b = mk(0);
	uint8_t a[4] = { 0x11, 0x22, 0x33, 0x44 };

	(void)state;
	assert_int_equal(board_write(b, FLASH + 0x10, a, 4), BOARD_OK);
	assert_int_equal(rd32(b, FLASH + 0x14), 0xFFFFFFFF);         /* A.7: padded 0xFF */
	wr32(b, FLASH + 0x14, 0x12345678, BOARD_EPROG);              /* ...and programmed */
	/* A write spanning a programmed double-word changes nothing at all. */
	assert_int_equal(board_write(b, FLASH + 0x08, (uint8_t[12]){ 0 }, 12), BOARD_EPROG);
	assert_int_equal(rd32(b, FLASH + 0x08), 0xFFFFFFFF);
	board_free(b);
}

static void page_erase_dual_bank(void **state)
{
	struct board *b = mk(0);
	struct board_stats st;

	(void)state;
	wr32(b, FLASH + 0x0FF8, 0xAAAAAAAA, BOARD_OK);   /* last dw of page 0 */
	wr32(b, FLASH + 0x1000, 0xBBBBBBBB, BOARD_OK);   /* page 1 */
	wr32(b, 0x08100000, 0xCCCCCCCC, BOARD_OK);        /* bank 2 page 0 = page 256 */
	board_take_busy_us(b);
	assert_int_equal(board_erase_page(b, 1), BOARD_OK);
	assert_int_equal(board_take_busy_us(b), 25000);   /* E.3 */
	assert_int_equal(board_take_busy_us(b), 0);
	assert_int_equal(rd32(b, FLASH + 0x1000), 0xFFFFFFFF);
	assert_int_equal(rd32(b, FLASH + 0x0FF8), 0xAAAAAAAA);
	wr32(b, FLASH + 0x1000, 0x12345678, BOARD_OK);    /* writable again */
	assert_int_equal(board_erase_page(b, 256), BOARD_OK);
	assert_int_equal(rd32(b, 0x08100000), 0xFFFFFFFF);
	assert_int_equal(board_erase_page(b, 512), BOARD_EADDR);
	board_stats(b, &st);
	assert_int_equal(st.page_erases, 2);
	board_free(b);
}

static void single_bank_geometry(void **state)
{
	struct board *b = mk(OPTR_FACTORY & ~DBANK);

	(void)state;
	assert_false(board_dual_bank(b));
	assert_int_equal(board_page_size(b), 8192);
	assert_int_equal(board_page_count(b), 256);
	wr32(b, FLASH + 0x2000, 1, BOARD_OK);
	wr32(b, FLASH + 0x1000, 2, BOARD_OK);
	assert_int_equal(board_erase_page(b, 1), BOARD_OK);
	assert_int_equal(rd32(b, FLASH + 0x2000), 0xFFFFFFFF);
	assert_int_equal(rd32(b, FLASH + 0x1000), 2);
	assert_int_equal(board_erase_page(b, 256), BOARD_EADDR);
	assert_int_equal(board_mass_erase(b, 1), BOARD_EADDR);  /* bank erase: dual only */
	assert_int_equal(board_mass_erase(b, 0), BOARD_OK);
	assert_int_equal(rd32(b, FLASH + 0x1000), 0xFFFFFFFF);
	board_free(b);
}

static void bank_mass_erase(void **state)
{
	struct board *b = mk(0);

	(void)state;
	wr32(b, FLASH, 1, BOARD_OK);
	wr32(b, 0x081FFFF8, 2, BOARD_OK);
	assert_int_equal(board_mass_erase(b, 2), BOARD_OK);
	assert_int_equal(rd32(b, 0x081FFFF8), 0xFFFFFFFF);
	assert_int_equal(rd32(b, FLASH), 1);
	assert_int_equal(board_mass_erase(b, 1), BOARD_OK);
	assert_int_equal(rd32(b, FLASH), 0xFFFFFFFF);
	assert_int_equal(board_mass_erase(b, 3), BOARD_EADDR);
	board_free(b);
}

static void one_mb_part(void **state)
{
	struct board_config c = { .flash_kb = 1024 };
	struct board *b = board_new(&c);
	uint8_t v[2];

	(void)state;
	assert_non_null(b);
	assert_int_equal(board_flash_size(b), 1024 * 1024);
	assert_true(board_dual_bank(b));   /* DB1M set in the factory word */
	assert_int_equal(board_page_count(b), 256);
	assert_int_equal(board_read(b, 0x1FFF75E0, v, 2), BOARD_OK);
	assert_int_equal(v[0] | v[1] << 8, 1024);
	assert_int_equal(board_read(b, 0x08100000, v, 1), BOARD_EADDR);
	board_free(b);
}

/* ---- option bytes ---- */

static void option_write_staged_until_reset(void **state)
{
	struct board *b = mk(0);

	(void)state;
	wr32(b, OB1, OPTR_FACTORY & ~DBANK, BOARD_OK);
	assert_int_equal(rd32(b, OB1 + 4), ~(OPTR_FACTORY & ~DBANK)); /* complement made */
	assert_true(board_dual_bank(b));                        /* not yet loaded */
	assert_int_equal(rd32(b, 0x40022020), OPTR_FACTORY);
	board_reset(b);
	assert_false(board_dual_bank(b));
	assert_int_equal(board_optr(b), OPTR_FACTORY & ~DBANK);
	assert_int_equal(board_reset_count(b), 1);
	board_free(b);
}

static void option_complement_from_host_ignored(void **state)
{
	struct board *b = mk(0);

	(void)state;
	wr32(b, OB1 + 4, 0x12345678, BOARD_OK);   /* only a complement word */
	assert_int_equal(rd32(b, OB1), OPTR_FACTORY);
	assert_int_equal(rd32(b, OB1 + 4), (uint32_t)~OPTR_FACTORY);
	board_free(b);
}

/* ---- RDP (A.6, E.4) ---- */

static void rdp_set_and_clear(void **state)
{
	struct board *b = mk(0);
	uint8_t v[4];

	(void)state;
	wr32(b, FLASH, 0x11111111, BOARD_OK);
	wr32(b, 0x20010000, 0x22222222, BOARD_OK);
	assert_int_equal(board_rdp_set(b), BOARD_OK);
	assert_int_equal(board_rdp_level(b), 0);          /* staged */
	board_reset(b);
	assert_int_equal(board_rdp_level(b), 1);
	assert_int_equal(board_read(b, FLASH, v, 4), BOARD_ERDP);
	assert_int_equal(board_read(b, 0x1FFF6FFE, v, 1), BOARD_OK);  /* system memory */
	assert_int_equal(board_erase_page(b, 0), BOARD_ERDP);
	assert_int_equal(board_rdp_clear(b), BOARD_OK);
	board_reset(b);
	assert_int_equal(board_rdp_level(b), 0);
	assert_int_equal(rd32(b, FLASH), 0xFFFFFFFF);     /* mass-erased */
	assert_int_equal(rd32(b, 0x20010000), 0);         /* SRAM wiped */
	wr32(b, FLASH, 0x33333333, BOARD_OK);             /* programmable again */
	board_free(b);
}

static void rdp_level2_irreversible(void **state)
{
	struct board *b = mk((OPTR_FACTORY & ~0xFFu) | 0xCC);

	(void)state;
	assert_int_equal(board_rdp_level(b), 2);
	assert_int_equal(board_mode(b), BOARD_MODE_APP);  /* A.6: no ROM at level 2 */
	assert_int_equal(board_rdp_clear(b), BOARD_ERDP);
	board_free(b);
}

/* ---- WRP (E.2) ---- */

static void wrp_protects_listed_pages(void **state)
{
	struct board *b = mk(0);
	uint8_t pages[] = { 2, 0, 1, 7 };

	(void)state;
	assert_int_equal(board_wrp_set(b, pages, sizeof pages), BOARD_OK);
	assert_false(board_page_protected(b, 0));          /* staged */
	board_reset(b);
	assert_int_equal(rd32(b, 0x4002202C), 0x00020000); /* WRP1AR: 0..2 */
	assert_int_equal(rd32(b, 0x40022030), 0x00070007); /* WRP1BR: 7..7 */
	assert_true(board_page_protected(b, 1));
	assert_false(board_page_protected(b, 3));
	assert_false(board_page_protected(b, 257));        /* bank 2 page 1 */
	assert_int_equal(board_erase_page(b, 2), BOARD_EWRP);
	wr32(b, FLASH + 7 * 4096, 1, BOARD_EWRP);
	wr32(b, FLASH + 3 * 4096, 1, BOARD_OK);
	assert_int_equal(board_mass_erase(b, 0), BOARD_EWRP);
	assert_int_equal(board_mass_erase(b, 2), BOARD_OK);
	assert_int_equal(board_wrp_clear(b), BOARD_OK);
	board_reset(b);
	assert_int_equal(board_erase_page(b, 2), BOARD_OK);
	board_free(b);
}

static void wrp_too_many_runs(void **state)
{
	struct board *b = mk(0);
	uint8_t three[] = { 0, 2, 4 };

	(void)state;
	assert_int_equal(board_wrp_set(b, three, 3), BOARD_EADDR);  /* 2 areas in dual bank */
	set_optr(b, OPTR_FACTORY & ~DBANK);
	assert_int_equal(board_wrp_set(b, three, 3), BOARD_OK);     /* 4 in single bank */
	board_reset(b);
	assert_true(board_page_protected(b, 4));
	assert_int_equal(rd32(b, 0x4002204C), 0x00040004);          /* WRP2AR */
	board_free(b);
}

/* ---- boot selection, pins, PEMPTY (C) ---- */

static void boot_selection(void **state)
{
	struct board *b = mk(0);

	(void)state;
	board_set_pin(b, BOARD_PIN_BOOT0, 0);
	board_reset(b);
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);   /* empty flash: PEMPTY */
	assert_true(board_pempty(b));
	assert_int_equal(rd32(b, 0x40022010), 1u << 17);   /* SR.PEMPTY */
	program_app(b, FLASH);
	board_reset(b);
	assert_int_equal(board_mode(b), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(b), FLASH);
	board_set_pin(b, BOARD_PIN_BOOT0, 1);
	board_reset(b);
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);
	set_optr(b, OPTR_FACTORY & ~(1u << 26));            /* nSWBOOT0=0: nBOOT0=1 -> flash */
	assert_int_equal(board_mode(b), BOARD_MODE_APP);
	set_optr(b, OPTR_FACTORY & ~(1u << 26) & ~(1u << 27)); /* nBOOT0=0 -> BOOT0=1 */
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);
	set_optr(b, OPTR_FACTORY & ~(1u << 23));            /* nBOOT1=0 + BOOT0 pin 1: SRAM */
	assert_int_equal(board_mode(b), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(b), 0x20000000);
	board_free(b);
}

static void nrst_holds_and_resets(void **state)
{
	struct board *b = mk(0);

	(void)state;
	board_set_pin(b, BOARD_PIN_NRST, 0);
	assert_int_equal(board_mode(b), BOARD_MODE_RESET);
	assert_int_equal(board_reset_count(b), 0);
	board_set_pin(b, BOARD_PIN_NRST, 0);
	board_set_pin(b, BOARD_PIN_NRST, 1);
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);
	assert_int_equal(board_reset_count(b), 1);
	assert_int_equal(board_get_pin(b, BOARD_PIN_NRST), 1);
	board_free(b);
}

static void pempty_latch_variants(void **state)
{
	struct board_config c = { .pempty_por_only = true, .boot0_low = true };
	struct board *b = board_new(&c);

	(void)state;
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);   /* blank part, BOOT0 low */
	program_app(b, FLASH);
	board_set_pin(b, BOARD_PIN_NRST, 0);
	board_set_pin(b, BOARD_PIN_NRST, 1);
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);   /* latch kept over NRST */
	board_power_cycle(b);
	assert_int_equal(board_mode(b), BOARD_MODE_APP);
	board_free(b);
	b = mk(0);
	board_set_pin(b, BOARD_PIN_BOOT0, 0);
	program_app(b, FLASH);
	board_set_pin(b, BOARD_PIN_NRST, 0);
	board_set_pin(b, BOARD_PIN_NRST, 1);
	assert_int_equal(board_mode(b), BOARD_MODE_APP);   /* default: every reset checks */
	board_free(b);
}

static void bfb2_boots_bank2(void **state)
{
	struct board *b = mk(OPTR_FACTORY | (1u << 20));

	(void)state;
	board_set_pin(b, BOARD_PIN_BOOT0, 0);
	program_app(b, FLASH);
	board_reset(b);
	assert_int_equal(board_app_entry(b), FLASH);
	program_app(b, 0x08100000);
	board_reset(b);
	assert_int_equal(board_mode(b), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(b), 0x08100000);
	board_free(b);
}

/* board_follow(): a start is the application running where it did not, or
 * running after a reset; a reset into the ROM is a reset, not a start. */
static void follow_app_starts(void **state)
{
	struct board *b = mk(0);
	unsigned seen_resets = board_reset_count(b);
	enum board_mode seen_mode = board_mode(b);
	bool reset = true;

	(void)state;
	assert_false(board_follow(b, &seen_resets, &seen_mode, &reset));
	assert_false(reset);
	assert_true(board_go(b, 0x20004000));
	assert_true(board_follow(b, &seen_resets, &seen_mode, &reset));
	assert_false(reset);
	assert_int_equal(seen_mode, BOARD_MODE_APP);
	assert_false(board_follow(b, &seen_resets, &seen_mode, NULL));   /* seen already */
	board_reset(b);                                                    /* BOOT0 high: ROM */
	assert_false(board_follow(b, &seen_resets, &seen_mode, &reset));
	assert_true(reset);
	program_app(b, FLASH);
	board_set_pin(b, BOARD_PIN_BOOT0, 0);
	board_reset(b);
	assert_true(board_follow(b, &seen_resets, &seen_mode, &reset));
	assert_true(reset);
	board_reset(b);                                                    /* app again: a start */
	assert_true(board_follow(b, &seen_resets, &seen_mode, &reset));
	assert_true(reset);
	assert_int_equal(seen_resets, board_reset_count(b));
	board_free(b);
}

static void go_targets(void **state)
{
	struct board *b = mk(0);

	(void)state;
	assert_false(board_go(b, 0x1FFF0000));
	assert_int_equal(board_mode(b), BOARD_MODE_ROM);
	assert_true(board_go(b, 0x20004000));
	assert_int_equal(board_mode(b), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(b), 0x20004000);
	assert_true(board_go(b, 0x081FFFFC));
	board_free(b);
}

/* ---- OTP ---- */

static void otp_programs_once_never_erased(void **state)
{
	struct board *b = mk(0);

	(void)state;
	wr32(b, 0x1FFF7000, 0x01020304, BOARD_OK);
	wr32(b, 0x1FFF7000, 0x0, BOARD_EPROG);
	wr32(b, 0x1FFF7004, 0x0, BOARD_EPROG);   /* same double-word, padded */
	assert_int_equal(board_mass_erase(b, 0), BOARD_OK);
	assert_int_equal(rd32(b, 0x1FFF7000), 0x01020304);
	board_free(b);
}

/* ---- state file ---- */

static char *tmp_path(void)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/test_board.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return path;
}

static void state_file_persists(void **state)
{
	char *path = tmp_path();
	struct board_config c = { .state_file = path };
	struct board *b;
	FILE *f;
	uint8_t head[4];

	(void)state;
	b = board_new(&c);
	assert_non_null(b);
	wr32(b, FLASH + 8, 0xDDCCBBAA, BOARD_OK);
	wr32(b, OB1, OPTR_FACTORY & ~DBANK, BOARD_OK);
	f = fopen(path, "rb");                 /* visible at once through MAP_SHARED */
	assert_non_null(f);
	assert_int_equal(fseek(f, 8, SEEK_SET), 0);
	assert_int_equal(fread(head, 1, 4, f), 4);
	assert_int_equal(head[0], 0xAA);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_int_equal(ftell(f), BOARD_STATE_SIZE(2048 * 1024));
	fclose(f);
	board_free(b);
	c.optr = OPTR_FACTORY;                 /* ignored: the file has its own options */
	b = board_new(&c);
	assert_non_null(b);
	assert_int_equal(rd32(b, FLASH + 8), 0xDDCCBBAA);
	wr32(b, FLASH + 8, 0, BOARD_EPROG);    /* programmed bitmap persisted */
	assert_false(board_dual_bank(b));      /* option bytes persisted and loaded */
	board_free(b);
	unlink(path);
}

static void raw_image_imported(void **state)
{
	char *path = tmp_path();
	struct board_config c = { .state_file = path };
	struct board *b;
	FILE *f = fopen(path, "wb");

	(void)state;
	fwrite("\x01\x02\x03\x04\x05\x06\x07\x08\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x09", 1, 17, f);
	fclose(f);
	b = board_new(&c);
	assert_non_null(b);
	assert_int_equal(rd32(b, FLASH), 0x04030201);
	assert_int_equal(rd32(b, FLASH + 16) & 0xFF, 0x09);
	assert_int_equal(rd32(b, FLASH + 20), 0xFFFFFFFF);   /* padded */
	wr32(b, FLASH, 0, BOARD_EPROG);
	wr32(b, FLASH + 8, 0, BOARD_OK);                     /* all-0xFF dw: erased */
	wr32(b, FLASH + 20, 0, BOARD_EPROG);                 /* dw with data: programmed */
	board_free(b);
	unlink(path);
}

static void foreign_file_untouched(void **state)
{
	char *path = tmp_path();
	struct board_config c = { .state_file = path, .flash_kb = 1024 };
	FILE *f = fopen(path, "wb");
	long size;

	(void)state;
	for (int i = 0; i < 1024 * 1024 + 100; i++)
		fputc('x', f);
	fclose(f);
	assert_null(board_new(&c));
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	assert_int_equal(size, 1024 * 1024 + 100);
	unlink(path);
}

/* romsim's --dbank/--rdp: fresh option word, and an existing board brought there. */
static void options_from_front_end(void **state)
{
	struct board *b;
	uint8_t one = 0x5A;

	(void)state;
	assert_int_equal(board_fresh_optr(2048, -1, -1), 0xFFEFF8AA);
	assert_int_equal(board_fresh_optr(2048, 0, -1), 0xFFEFF8AA & ~(1u << 22));
	assert_int_equal(board_fresh_optr(1024, 0, -1), 0xFFEFF8AA & ~(1u << 21));
	assert_int_equal(board_fresh_optr(2048, -1, 1) & 0xFF, 0xBB);
	b = mk(0);
	assert_true(board_dual_bank(b));
	assert_int_equal(board_write(b, 0x08000000, &one, 1), BOARD_OK);
	assert_int_equal(board_apply_options(b, 0, 1), BOARD_OK);
	assert_false(board_dual_bank(b));
	assert_int_equal(board_page_size(b), 8192);
	assert_int_equal(board_rdp_level(b), 1);
	/* unprotecting wipes the flash, as Readout Unprotect does */
	assert_int_equal(board_apply_options(b, -1, 0), BOARD_OK);
	assert_int_equal(board_rdp_level(b), 0);
	uint8_t got;
	assert_int_equal(board_read(b, 0x08000000, &got, 1), BOARD_OK);
	assert_int_equal(got, 0xFF);
	board_free(b);
}

/* The control messages of the pins socket (sim/board_ctl.c). */
static void ctl_messages_parse(void **state)
{
	struct board_ctl c;

	(void)state;
	assert_null(board_ctl_parse("PIN boot0 1", &c));
	assert_int_equal(c.op, BOARD_CTL_PIN);
	assert_int_equal(c.pin, BOARD_PIN_BOOT0);
	assert_int_equal(c.level, 1);
	assert_null(board_ctl_parse("PIN nrst 0\n", &c));
	assert_int_equal(c.pin, BOARD_PIN_NRST);
	assert_int_equal(c.level, 0);
	assert_null(board_ctl_parse("GET nrst", &c));
	assert_int_equal(c.op, BOARD_CTL_GET);
	assert_null(board_ctl_parse("MODE\r\n", &c));
	assert_int_equal(c.op, BOARD_CTL_MODE);
	assert_null(board_ctl_parse("POWER", &c));
	assert_int_equal(c.op, BOARD_CTL_POWER);
	assert_string_equal(board_ctl_parse("PIN boot1 1", &c), "error: unknown pin (boot0, nrst)");
	assert_string_equal(board_ctl_parse("PIN boot0 2", &c), "error: level must be 0 or 1");
	assert_string_equal(board_ctl_parse("PIN boot0 10", &c), "error: level must be 0 or 1");
	assert_string_equal(board_ctl_parse("MODES", &c), "error: unknown message");
	assert_string_equal(board_mode_name(BOARD_MODE_ROM), "rom");
	assert_string_equal(board_mode_name(BOARD_MODE_APP), "app");
	assert_string_equal(board_mode_name(BOARD_MODE_RESET), "reset");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fresh_board_identity),
		cmocka_unit_test(unmapped_addresses_refused),
		cmocka_unit_test(sram_rom_area_refused),
		cmocka_unit_test(areas),
		cmocka_unit_test(double_word_programs_once),
		cmocka_unit_test(all_ff_write_still_programs),
		cmocka_unit_test(partial_double_word_padded),
		cmocka_unit_test(page_erase_dual_bank),
		cmocka_unit_test(single_bank_geometry),
		cmocka_unit_test(bank_mass_erase),
		cmocka_unit_test(one_mb_part),
		cmocka_unit_test(option_write_staged_until_reset),
		cmocka_unit_test(option_complement_from_host_ignored),
		cmocka_unit_test(rdp_set_and_clear),
		cmocka_unit_test(rdp_level2_irreversible),
		cmocka_unit_test(wrp_protects_listed_pages),
		cmocka_unit_test(wrp_too_many_runs),
		cmocka_unit_test(boot_selection),
		cmocka_unit_test(nrst_holds_and_resets),
		cmocka_unit_test(pempty_latch_variants),
		cmocka_unit_test(bfb2_boots_bank2),
		cmocka_unit_test(go_targets),
		cmocka_unit_test(follow_app_starts),
		cmocka_unit_test(otp_programs_once_never_erased),
		cmocka_unit_test(state_file_persists),
		cmocka_unit_test(raw_image_imported),
		cmocka_unit_test(foreign_file_untouched),
		cmocka_unit_test(ctl_messages_parse),
		cmocka_unit_test(options_from_front_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
