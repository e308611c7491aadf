/* SPDX-License-Identifier: MIT */
/*
 * devtable.c - every STM32 with a USART ROM loader, as data: one row per
 * product ID (the DEV_ID the ROM reports in Get ID).
 *
 * Which PIDs: those AN2606 ("STM32 microcontroller system memory boot
 * mode") gives a USART bootloader, as listed by stm32flash's dev_table.c
 * (which follows AN2606's "device-dependent bootloader parameters" table)
 * and stm32loader's devices.py (AN2606 rev 66 list). The AN2606 PDF itself
 * was not readable here; its values arrive through those two transcriptions.
 *
 * Source tags used in the row comments:
 *   AN2606  RAM used by the ROM, system memory, option-byte area, bootloader
 *           ID: AN2606 as transcribed by stm32flash (SF) and stm32loader (SL)
 *   RMxxxx  the part's reference manual (flash organization, option bytes)
 *   OOCD    OpenOCD src/flash/nor/ drivers (stm32f1x.c, stm32f2x.c,
 *           stm32h7x.c, stm32l4x.c, stm32lx.c): maximum size, page/sector
 *           layout, bank rules, flash-size register, programming width
 *   STL     stlink config/chips/NAME.chip (flash-size register, page size)
 *   facts   ../shared/reference/protocol-facts.md
 * The independent check (fixtures/parts-independent.tsv, test_parts.c)
 * compares size and layout with ST's own device data (stm32-data, from
 * STM32CubeProgrammer/CubeMX) and with stm32flash; every difference is in
 * fixtures/parts-known-differences.tsv with its reason.
 *
 * Where sources disagree the row takes the safe reading (AN2606 values
 * through two copies count as one source):
 *   RAM floor      the higher one: never write RAM the ROM may use; a
 *                  range no source gives, or that cannot be right, is
 *                  empty (ram_start == ram_end): no RAM is written
 *   RAM end        the lower one: never write past the RAM that exists
 *   write unit     the larger one where one divides the other: padding to
 *                  it never leaves part of a programming word unwritten
 *   erased value   when in doubt, SB_PART_ERASED_UNSURE: no block is
 *                  skipped as "already erased"
 *   option area    the smaller one: a whole-bank option write never
 *                  touches bytes a source does not list
 *   size, layout   the reference manual and OpenOCD; a disagreement is a
 *                  known difference, never averaged
 * What is not known stays zero (no OTP, no bootloader ID address...).
 *
 * Option-byte layouts: rows whose option area has the L4 layout (L4, L4+,
 * G0, G4) have ob_kind SB_OB_L4, decoded by bind.c; the layouts of the
 * other families are in the comment above each, for decoders still to
 * come (until then their bank mode and WRP are unknown to the host, and a
 * part whose bank mode an option bit chooses is not page-erased by a
 * guess). "OPTR" is the user-option register (FLASH_OPTR; FLASH_OPTCR on
 * F2/F4/F7); dbank_bit numbers its bits.
 */
#include "part.h"

#define KB 1024u
#define FLASH 0x08000000u

/* F2/F4 bank: 4 x 16 KB, 1 x 64 KB, then 128 KB sectors (11 on F413's
 * 1.5 MB; a smaller bank takes as many as fit). RM0090 flash organization,
 * RM0430 (F413), OOCD stm32f2x.c sector table. */
static const struct sb_sectors f4_sectors[] = { { 4, 16 * KB }, { 1, 64 * KB }, { 11, 128 * KB }, { 0, 0 } };
/* F74x/F76x single bank: 4 x 32 KB, 1 x 128 KB, then 256 KB (7 on 2 MB).
 * RM0385, RM0410; OOCD stm32f2x.c ("sector size divided by 2 in dual-bank
 * mode": dual-bank F76x uses f4_sectors per bank). */
static const struct sb_sectors f7_sectors[] = { { 4, 32 * KB }, { 1, 128 * KB }, { 7, 256 * KB }, { 0, 0 } };

#define DBANK(full, half) .dbank_bit = (full), .dbank_bit_half = (half)

/*
 * ---- F0: RM0091 (F0x1/F0x2/F0x8), RM0360 (F030/F070) ----------------------
 * Flash-size register 0x1FFFF7CC (OOCD stm32f1x.c Cortex-M0 path, STL).
 * Option bytes 0x1FFFF800: 8 half-words, each a byte and its complement:
 * +0 RDP (0xAA: level 0), +2 USER, +4 DATA0, +6 DATA1, +8..+E WRP0..3 (one
 * bit per 4 pages of 1 KB or 2 pages of 2 KB; 0 = protected). The flash
 * programs half-words; the ROM takes Write Memory in multiples of 4
 * (AN3155). Protocol v3.1 / Extended Erase: family pattern (INF).
 */
#define F0_COMMON .family = "F0", .flash_base = FLASH, .flash_size_reg = 0x1FFFF7CC, \
	.sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810, \
	.write_unit = 4, .erase_cmd = 0x44, .usart_ver = 0x31

/*
 * ---- F1: RM0008 (F101-F107), RM0041 (F100 value line) ---------------------
 * Flash-size register 0x1FFFF7E0 (RM0008 "Flash size register", OOCD).
 * Option bytes 0x1FFFF800 as on F0, but RDP 0xA5 means unprotected; WRP is
 * one bit per 4 pages (1 KB-page parts) or per 2 pages (2 KB-page parts,
 * bit 31 covers the rest: OOCD ppage_size). Half-word programming; the ROM
 * takes multiples of 4. USART protocol v2.2 with the legacy Erase 0x43:
 * Get replies of real F1 ROMs show "Version 0x22" (stm32flash logs of
 * 0x410 and 0x420 parts); AN3155: Extended Erase came with v3.0.
 */
#define F1_COMMON .family = "F1", .flash_base = FLASH, .flash_size_reg = 0x1FFFF7E0, \
	.sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810, \
	.write_unit = 4, .erase_cmd = 0x43, .usart_ver = 0x22

/*
 * ---- F2/F4: RM0033 (F2), RM0090 (F40x/F42x), RM0368 (F401), RM0401 (F410),
 * RM0383 (F411), RM0402 (F412), RM0390 (F446), RM0386 (F469), RM0430 (F413)
 * Flash-size register 0x1FFF7A22 (OOCD stm32f2x.c, STL). Option bytes
 * 0x1FFFC000: +0 USER (OPTCR bits 7:0: BOR_LEV, WDG_SW, nRST_STOP,
 * nRST_STDBY; BFB2 bit 4 on F42x), +1 RDP (OPTCR 15:8, 0xAA level 0),
 * +8 half-word = OPTCR 31:16: nWRP per sector (bit = 0: protected), on
 * F42x/F43x/F469 also DB1M (OPTCR bit 30 = bit 14 of that half-word, INF
 * from the register map) and SPRMOD (bit 31). Bank-2 nWRP at 0x1FFEC008
 * (OPTCR1). OTP 0x1FFF7800, 512 bytes + 16 lock bytes (OOCD). Sector
 * numbers in Extended Erase run 0..11 in bank 1 and on into bank 2 (INF,
 * as for pages: facts A.5). Programming width: the ROM programs 32-bit
 * words (AN2606's F2/F4 voltage-range note, INF); word units are safe for
 * every width.
 */
#define F4_COMMON(fam) .family = fam, .flash_base = FLASH, .flash_size_reg = 0x1FFF7A22, \
	.sectors = f4_sectors, .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7800, \
	.opt_start = 0x1FFFC000, .opt_end = 0x1FFFC010, .otp_start = 0x1FFF7800, \
	.otp_end = 0x1FFF7A10, .write_unit = 4, .erase_cmd = 0x44, .usart_ver = 0x31

/*
 * ---- F7: RM0431 (F72x/F73x), RM0385 (F74x/F75x), RM0410 (F76x/F77x) --------
 * Option bytes 0x1FFF0000..0x1FFF001F: +0 USER/RDP (OPTCR 15:0), +8
 * OPTCR 31:16 (nWRP, and on F76x nDBOOT bit 28, nDBANK bit 29 = bits 12/13
 * of that half-word, INF), +0x10 BOOT_ADD0, +0x18 BOOT_ADD1. The ROM
 * programs words (INF); ST's device data gives 16-byte units, which cover
 * word units (safe reading, known difference).
 */
#define F7_COMMON .family = "F7", .flash_base = FLASH, .sys_start = 0x1FF00000, \
	.sys_end = 0x1FF0EDC0, .opt_start = 0x1FFF0000, .opt_end = 0x1FFF0020, \
	.write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31

/*
 * ---- G0: RM0444 (G0x1), RM0454 (G0x0); C0: RM0490; U0: RM0503 --------------
 * Flash-size register 0x1FFF75E0 (G0, OOCD stm32l4x.c; 0x1FFF75A0 on C0,
 * 0x1FFF3EA0/0x1FFF6EA0 on U0). Option bytes 0x1FFF7800..0x1FFF787F (SF,
 * STL): 8-byte slots of value and complement, first slot = FLASH_OPTR (RDP
 * bits 7:0, DUAL_BANK bit 21 on G0B/G0C: OOCD FLASH_G0_DUAL_BANK), then
 * PCROP1ASR/AER, WRP1AR, WRP1BR (STRT bits 6:0, END bits 22:16), ... (INF).
 * 64-bit double-word programming with ECC (RM, OOCD). A Get capture of a
 * G07x ROM: version 0x31, Extended Erase (stm32loader PR #32).
 */
#define G0_COMMON .family = "G0", .flash_base = FLASH, .flash_size_reg = 0x1FFF75E0, \
	.page_size = 2 * KB, .sys_start = 0x1FFF0000, .opt_start = 0x1FFF7800, \
	.opt_end = 0x1FFF7880, .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, \
	.ob_kind = SB_OB_L4, .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31
#define C0_COMMON .family = "C0", .flash_base = FLASH, .flash_size_reg = 0x1FFF75A0, \
	.page_size = 2 * KB, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7880, \
	.otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, \
	.write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31

/*
 * ---- G4: RM0440 ----------------------------------------------------------------
 * Flash-size register 0x1FFF75E0. Option bytes bank 1 0x1FFF7800..0x1FFF782F
 * (SF; the ROM's DFU string "01*048 e" agrees, facts B.9), bank 2
 * 0x1FFFF800 on G47x: slot 0 = FLASH_OPTR (RDP 7:0, BFB2 bit 20, DBANK
 * bit 22, nSWBOOT0 bit 26), then PCROP1SR/ER, WRP1AR, WRP1BR (8-byte slots,
 * value + complement, INF from the L4 layout). Double-word programming.
 * Protocol v3.1 (a G431 Get capture: facts A.4).
 */
#define G4_COMMON .family = "G4", .flash_base = FLASH, .flash_size_reg = 0x1FFF75E0, \
	.sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000, .opt_start = 0x1FFF7800, \
	.opt_end = 0x1FFF7830, .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, \
	.ob_kind = SB_OB_L4, .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31

/*
 * ---- L0: RM0451, RM0377, RM0376, RM0367; L1: RM0038 -------------------------
 * EEPROM-style cells: erased flash reads 0x00 (OOCD stm32lx.c erased_value,
 * ST device data: C2). Word programming (also half-page on the chip). The
 * ROM has no global mass erase (stm32flash F_NO_ME): erase every page.
 * Option bytes 0x1FF80000..0x1FF8001F: 32-bit words of value (low half)
 * and complement (high half): +0 RDP/user (RDP 0xAA level 0; BFB2 on
 * L1 Cat.4/5 and L0 Cat.5), +4 USER, +8 WRP1, ... (INF).
 */
#define L0_COMMON .family = "L0", .flash_base = FLASH, .flash_size_reg = 0x1FF8007C, \
	.page_size = 128, .sys_start = 0x1FF00000, .opt_start = 0x1FF80000, .opt_end = 0x1FF80020, \
	.write_unit = 4, .erase_cmd = 0x44, .usart_ver = 0x31, \
	.flags = SB_PART_NO_MASS_ERASE | SB_PART_ERASED_ZERO
#define L1_COMMON .family = "L1", .flash_base = FLASH, .page_size = 256, \
	.sys_start = 0x1FF00000, .opt_start = 0x1FF80000, .opt_end = 0x1FF80020, \
	.write_unit = 4, .erase_cmd = 0x44, .usart_ver = 0x31, \
	.flags = SB_PART_NO_MASS_ERASE | SB_PART_ERASED_ZERO

/*
 * ---- L4: RM0394 (L41x-L46x), RM0351 (L47x-L4Ax) -----------------------------
 * Flash-size register 0x1FFF75E0: the USART ROM NACKs a Read Memory of it
 * on L43x (facts A.5, two forum threads). Option bytes bank 1 0x1FFF7800
 * (AN2606 lists 16 bytes; the ROM's DFU string shows 40), bank 2 0x1FFFF800
 * on L47x/L49x: 8-byte slots, value + complement: OPTR (RDP 7:0, BFB2
 * bit 20, DUAL_BANK bit 21 (L47x/L49x below 1 MB), nBOOT1 23, nSWBOOT0 26,
 * nBOOT0 27), PCROP1SR, PCROP1ER, WRP1AR, WRP1BR (STRT 7:0, END 23:16):
 * facts E.2/E.4. OTP 0x1FFF7000, 1 KB. Double-word programming with ECC.
 * Bootloader ID at 0x1FFF6FFE, the L4 family's address (SL; facts C).
 */
#define L4_COMMON .family = "L4", .flash_base = FLASH, .flash_size_reg = 0x1FFF75E0, \
	.page_size = 2 * KB, .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000, .bl_id_addr = 0x1FFF6FFE, \
	.opt_start = 0x1FFF7800, .opt_end = 0x1FFF7810, .otp_start = 0x1FFF7000, \
	.otp_end = 0x1FFF7400, .ob_kind = SB_OB_L4, .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31

/*
 * ---- L5: RM0438; U5: RM0456; U3: RM0487; WBA: RM0493, RM0515; H5: RM0492,
 * RM0481 ----------------------------------------------------------------------
 * TrustZone parts: option bytes live only in FLASH registers (OPTR at
 * FLASH + 0x40: DBANK bit 22 / DB256K bit 21 on L5, DUALBANK bit 21 on
 * U5/U3/WBA6; facts from OOCD stm32l4x.h), not in a memory area the ROM
 * reads, so no option-byte area is listed. Flash-size registers:
 * 0x0BFA05E0 (L5), 0x0BFA07A0 (U5, U3, WBA6), 0x0BF907A0 (WBA5), 0x08FFF80C
 * (H5: STL H5xx.chip). Programming: double-word on L5/U3, quad-word
 * (16 bytes) on U5, WBA and H5 (OOCD F_QUAD_WORD_PROG; H5 RM0481).
 */

static const struct sb_part parts[] = {
	/* ---- F0 ---- */
	/* RAM, system memory, option area: AN2606 (SF, SL); 64 KB of 1 KB
	 * pages: RM0091, OOCD; bootloader ID 0x21 at 0x1FFFF7A6: AN2606 (SL). */
	{ .pid = 0x440, .name = "STM32F030x8/F05x", F0_COMMON,
	  .source = "AN2606; RM0091, RM0360; OpenOCD stm32f1x.c",
	  .flash_kb = 64, .page_size = 1 * KB, .ram_start = 0x20000800, .ram_end = 0x20002000,
	  .sys_start = 0x1FFFEC00, .bl_id = 0x21, .bl_id_addr = 0x1FFFF7A6 },
	/* As 0x440; 32 KB (OOCD max). Bootloader ID 0x10 (SL). */
	{ .pid = 0x444, .name = "STM32F03x", F0_COMMON,
	  .source = "AN2606; RM0091, RM0360; OpenOCD stm32f1x.c",
	  .flash_kb = 32, .page_size = 1 * KB, .ram_start = 0x20000800, .ram_end = 0x20001000,
	  .sys_start = 0x1FFFEC00, .bl_id = 0x10, .bl_id_addr = 0x1FFFF7A6 },
	/* The ROM uses all 6 KB of RAM (AN2606 via SF: 0x20001800 both ends;
	 * SL: none): no RAM for the host. ID 0xA1 (F04x) / 0xA2 (F070x6), so
	 * the byte is not in the row. */
	{ .pid = 0x445, .name = "STM32F04x/F070x6", F0_COMMON,
	  .source = "AN2606; RM0091, RM0360; OpenOCD stm32f1x.c",
	  .flash_kb = 32, .page_size = 1 * KB, .ram_start = 0x20001800, .ram_end = 0x20001800,
	  .sys_start = 0x1FFFC400, .bl_id_addr = 0x1FFFF6A6 },
	/* 128 KB of 2 KB pages (RM0091, OOCD). ID 0xA1 (F07x) / 0xA3 (F070xB). */
	{ .pid = 0x448, .name = "STM32F07x/F070xB", F0_COMMON,
	  .source = "AN2606; RM0091, RM0360; OpenOCD stm32f1x.c",
	  .flash_kb = 128, .page_size = 2 * KB, .ram_start = 0x20001800, .ram_end = 0x20004000,
	  .sys_start = 0x1FFFC800, .bl_id_addr = 0x1FFFF6A6 },
	/* 256 KB of 2 KB pages. ID 0x50 (F09x) / 0x52 (F030xC) at 0x1FFFF796. */
	{ .pid = 0x442, .name = "STM32F09x/F030xC", F0_COMMON,
	  .source = "AN2606; RM0091, RM0360; OpenOCD stm32f1x.c",
	  .flash_kb = 256, .page_size = 2 * KB, .ram_start = 0x20001800, .ram_end = 0x20008000,
	  .sys_start = 0x1FFFD800, .bl_id_addr = 0x1FFFF796 },

	/* ---- F1 ---- */
	/* RAM/system/option areas: AN2606 (SF, SL; a real 0x410 ROM reports
	 * "512b reserved by bootloader"); sizes and pages: RM0008, OOCD. */
	{ .pid = 0x412, .name = "STM32F10x low-density", F1_COMMON,
	  .source = "AN2606; RM0008; OpenOCD stm32f1x.c",
	  .flash_kb = 32, .page_size = 1 * KB, .ram_start = 0x20000200, .ram_end = 0x20002800,
	  .sys_start = 0x1FFFF000 },
	{ .pid = 0x410, .name = "STM32F10x medium-density", F1_COMMON,
	  .source = "AN2606; RM0008; OpenOCD stm32f1x.c",
	  .flash_kb = 128, .page_size = 1 * KB, .ram_start = 0x20000200, .ram_end = 0x20005000,
	  .sys_start = 0x1FFFF000 },
	{ .pid = 0x414, .name = "STM32F10x high-density", F1_COMMON,
	  .source = "AN2606; RM0008; OpenOCD stm32f1x.c",
	  .flash_kb = 512, .page_size = 2 * KB, .ram_start = 0x20000200, .ram_end = 0x20010000,
	  .sys_start = 0x1FFFF000 },
	/* F100 value line: RM0041. Bootloader ID 0x10 at 0x1FFFF7D6 (SL). */
	{ .pid = 0x420, .name = "STM32F100 low/medium-density", F1_COMMON,
	  .source = "AN2606; RM0041; OpenOCD stm32f1x.c",
	  .flash_kb = 128, .page_size = 1 * KB, .ram_start = 0x20000200, .ram_end = 0x20002000,
	  .sys_start = 0x1FFFF000, .bl_id = 0x10, .bl_id_addr = 0x1FFFF7D6 },
	{ .pid = 0x428, .name = "STM32F100 high-density", F1_COMMON,
	  .source = "AN2606; RM0041; OpenOCD stm32f1x.c",
	  .flash_kb = 512, .page_size = 2 * KB, .ram_start = 0x20000200, .ram_end = 0x20008000,
	  .sys_start = 0x1FFFF000, .bl_id = 0x10, .bl_id_addr = 0x1FFFF7D6 },
	{ .pid = 0x418, .name = "STM32F105/F107", F1_COMMON,
	  .source = "AN2606; RM0008; OpenOCD stm32f1x.c",
	  .flash_kb = 256, .page_size = 2 * KB, .ram_start = 0x20001000, .ram_end = 0x20010000,
	  .sys_start = 0x1FFFB000 },
	/* XL-density: two banks, bank 2 always at 0x08080000 (RM0008, OOCD
	 * "bank 0 will be fixed 512k"). With the 1-byte page numbers of 0x43
	 * pages 256 and up (the upper 512 KB) cannot be named: an3155 refuses
	 * such a page erase rather than guess (an3155_cmd.c); mass erase works.
	 * ID 0x21 at 0x1FFFF7D6 (SL). */
	{ .pid = 0x430, .name = "STM32F10x XL-density", F1_COMMON,
	  .source = "AN2606; RM0008; OpenOCD stm32f1x.c",
	  .flash_kb = 1024, .page_size = 2 * KB, .dual = SB_DUAL_ALWAYS, .bank2_off = 512 * KB,
	  .ram_start = 0x20000800, .ram_end = 0x20018000, .sys_start = 0x1FFFE000,
	  .bl_id = 0x21, .bl_id_addr = 0x1FFFF7D6 },

	/* ---- F2 ---- */
	/* RM0033; sectors as F4 (OOCD treats F2 as F40x). ROMs with bootloader
	 * V2.x offer Erase 0x43, V3.x (ID 0x33) Extended Erase (AN2606 lists
	 * both IDs: SL): the row models V3.x; the host follows the ROM's Get
	 * list either way. */
	{ .pid = 0x411, .name = "STM32F2xx", F4_COMMON("F2"),
	  .source = "AN2606; RM0033; OpenOCD stm32f2x.c",
	  .flash_kb = 1024, .ram_start = 0x20002000, .ram_end = 0x20020000 },

	/* ---- F3: RM0316, RM0313 (F37x), RM0365 (F301/F302x6/8) ----------------
	 * Flash-size register 0x1FFFF7CC (OOCD Cortex-M4 path, STL); option
	 * bytes as F0. Write unit 8: the ROM needs multiples of 4 (AN3155), the
	 * flash programs half-words, ST's device data says 8 - 8 covers all
	 * three (safe reading). Get of a 0x446 ROM: version 0x31 (stm32flash
	 * log, bluerobotics/ping-viewer#949). RAM and system memory: AN2606
	 * (SF, SL); sizes: OOCD. */
	{ .pid = 0x432, .name = "STM32F37x", .family = "F3", .source = "AN2606; RM0313; OpenOCD stm32f1x.c",
	  .flash_base = FLASH, .flash_kb = 256, .flash_size_reg = 0x1FFFF7CC, .page_size = 2 * KB,
	  .ram_start = 0x20001400, .ram_end = 0x20008000, .sys_start = 0x1FFFD800, .sys_end = 0x1FFFF800,
	  .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810, .bl_id_addr = 0x1FFFF7A6,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31 },
	{ .pid = 0x422, .name = "STM32F302xB/C/F303xB/C/F358", .family = "F3",
	  .source = "AN2606; RM0316, RM0365; OpenOCD stm32f1x.c",
	  .flash_base = FLASH, .flash_kb = 256, .flash_size_reg = 0x1FFFF7CC, .page_size = 2 * KB,
	  .ram_start = 0x20001400, .ram_end = 0x2000A000, .sys_start = 0x1FFFD800, .sys_end = 0x1FFFF800,
	  .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810, .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31 },
	{ .pid = 0x439, .name = "STM32F301/F302x6/8/F318", .family = "F3",
	  .source = "AN2606; RM0365; OpenOCD stm32f1x.c",
	  .flash_base = FLASH, .flash_kb = 64, .flash_size_reg = 0x1FFFF7CC, .page_size = 2 * KB,
	  .ram_start = 0x20001800, .ram_end = 0x20004000, .sys_start = 0x1FFFD800, .sys_end = 0x1FFFF800,
	  .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810, .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31 },
	{ .pid = 0x438, .name = "STM32F303x6/8/F334/F328", .family = "F3",
	  .source = "AN2606; RM0364, RM0316; OpenOCD stm32f1x.c",
	  .flash_base = FLASH, .flash_kb = 64, .flash_size_reg = 0x1FFFF7CC, .page_size = 2 * KB,
	  .ram_start = 0x20001800, .ram_end = 0x20003000, .sys_start = 0x1FFFD800, .sys_end = 0x1FFFF800,
	  .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810, .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31 },
	{ .pid = 0x446, .name = "STM32F302xD/E/F303xD/E/F398", .family = "F3",
	  .source = "AN2606; RM0316, RM0365; OpenOCD stm32f1x.c",
	  .flash_base = FLASH, .flash_kb = 512, .flash_size_reg = 0x1FFFF7CC, .page_size = 2 * KB,
	  .ram_start = 0x20001800, .ram_end = 0x20010000, .sys_start = 0x1FFFD800, .sys_end = 0x1FFFF800,
	  .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810, .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31 },

	/* ---- F4 ---- */
	/* RAM floor 0x20003000: bootloader V9.x; V3.1 (ID 0x31) ROMs use less
	 * (0x20002000, SL) - the higher floor is safe. ID address 0x1FFF77DE (SL). */
	{ .pid = 0x413, .name = "STM32F40x/F41x", F4_COMMON("F4"),
	  .source = "AN2606; RM0090; OpenOCD stm32f2x.c",
	  .flash_kb = 1024, .ram_start = 0x20003000, .ram_end = 0x20020000, .bl_id_addr = 0x1FFF77DE },
	/* 2 MB parts always have two banks of 4x16+64+7x128 KB; 1 MB parts
	 * have two banks of 4x16+64+3x128 KB when DB1M (OPTCR bit 30) is set,
	 * else one bank (RM0090 flash organization, OOCD has_large_mem). OPTCR
	 * reset value 0x0FFFAAED (DB1M clear): RM0090 register map (INF).
	 * Option bytes bank 2 at 0x1FFEC000 (AN2606 via SF). Known difference:
	 * stm32flash's f4db list puts bank 2 at 0x08080000 on 2 MB parts. */
	{ .pid = 0x419, .name = "STM32F42x/F43x", F4_COMMON("F4"),
	  .source = "AN2606; RM0090; OpenOCD stm32f2x.c",
	  .flash_kb = 2048, .dual = SB_DUAL_MAX_OR_BIT, DBANK(-1, 30), .optr_default = 0x0FFFAAED,
	  .ram_start = 0x20003000, .ram_end = 0x20030000,
	  .opt2_start = 0x1FFEC000, .opt2_end = 0x1FFEC010 },
	{ .pid = 0x423, .name = "STM32F401xB/C", F4_COMMON("F4"),
	  .source = "AN2606; RM0368; OpenOCD stm32f2x.c",
	  .flash_kb = 256, .ram_start = 0x20003000, .ram_end = 0x20010000 },
	{ .pid = 0x433, .name = "STM32F401xD/E", F4_COMMON("F4"),
	  .source = "AN2606; RM0368; OpenOCD stm32f2x.c",
	  .flash_kb = 512, .ram_start = 0x20003000, .ram_end = 0x20018000 },
	/* 128 KB: 4 x 16 KB + 64 KB only (RM0401). */
	{ .pid = 0x458, .name = "STM32F410", F4_COMMON("F4"),
	  .source = "AN2606; RM0401; OpenOCD stm32f2x.c",
	  .flash_kb = 128, .ram_start = 0x20003000, .ram_end = 0x20008000 },
	{ .pid = 0x431, .name = "STM32F411", F4_COMMON("F4"),
	  .source = "AN2606; RM0383; OpenOCD stm32f2x.c",
	  .flash_kb = 512, .ram_start = 0x20003000, .ram_end = 0x20020000 },
	{ .pid = 0x441, .name = "STM32F412", F4_COMMON("F4"),
	  .source = "AN2606; RM0402; OpenOCD stm32f2x.c",
	  .flash_kb = 1024, .ram_start = 0x20003000, .ram_end = 0x20040000 },
	{ .pid = 0x421, .name = "STM32F446", F4_COMMON("F4"),
	  .source = "AN2606; RM0390; OpenOCD stm32f2x.c",
	  .flash_kb = 512, .ram_start = 0x20003000, .ram_end = 0x20020000 },
	/* Bank rules as F42x (OOCD treats 0x419 and 0x434 alike), and the same
	 * known difference with stm32flash. */
	{ .pid = 0x434, .name = "STM32F469/F479", F4_COMMON("F4"),
	  .source = "AN2606; RM0386; OpenOCD stm32f2x.c",
	  .flash_kb = 2048, .dual = SB_DUAL_MAX_OR_BIT, DBANK(-1, 30), .optr_default = 0x0FFFAAED,
	  .ram_start = 0x20003000, .ram_end = 0x20060000,
	  .opt2_start = 0x1FFEC000, .opt2_end = 0x1FFEC010 },
	/* 1.5 MB: 4 x 16 + 64 + 11 x 128 KB (RM0430, OOCD comment). */
	{ .pid = 0x463, .name = "STM32F413/F423", F4_COMMON("F4"),
	  .source = "AN2606; RM0430; OpenOCD stm32f2x.c",
	  .flash_kb = 1536, .ram_start = 0x20003000, .ram_end = 0x20050000 },

	/* ---- F7 ---- */
	/* F72x sectors are F4's (RM0431); flash-size register 0x1FF07A22 ("yes,
	 * 0x1FF*0*7A22": OOCD); OTP 0x1FF07800 (RM0431, ST data). */
	{ .pid = 0x452, .name = "STM32F72x/F73x", F7_COMMON,
	  .source = "AN2606; RM0431; OpenOCD stm32f2x.c",
	  .flash_kb = 512, .flash_size_reg = 0x1FF07A22, .sectors = f4_sectors,
	  .ram_start = 0x20004000, .ram_end = 0x20040000, .otp_start = 0x1FF07800, .otp_end = 0x1FF07A10 },
	/* Flash-size register 0x1FF0F442 (OOCD, STL); OTP 0x1FF0F000, 1 KB +
	 * 32 lock bytes (OOCD, RM0385). */
	{ .pid = 0x449, .name = "STM32F74x/F75x", F7_COMMON,
	  .source = "AN2606; RM0385; OpenOCD stm32f2x.c",
	  .flash_kb = 1024, .flash_size_reg = 0x1FF0F442, .sectors = f7_sectors,
	  .ram_start = 0x20004000, .ram_end = 0x20050000, .otp_start = 0x1FF0F000, .otp_end = 0x1FF0F420 },
	/* nDBANK (OPTCR bit 29) = 0 selects two banks of F4-sized sectors, 1
	 * (factory) one bank of F7 sectors (RM0410, OOCD). */
	{ .pid = 0x451, .name = "STM32F76x/F77x", F7_COMMON,
	  .source = "AN2606; RM0410; OpenOCD stm32f2x.c",
	  .flash_kb = 2048, .flash_size_reg = 0x1FF0F442, .sectors = f7_sectors,
	  .sectors_dual = f4_sectors, .dual = SB_DUAL_BIT, DBANK(29, -1), .dbank_inverted = true,
	  .optr_default = 0xFFFFAAFD,
	  .ram_start = 0x20004000, .ram_end = 0x20080000, .otp_start = 0x1FF0F000, .otp_end = 0x1FF0F420 },

	/* ---- G0 ---- */
	/* RAM, system memory, IDs: AN2606 (SF, SL); sizes: RM0444, OOCD. */
	{ .pid = 0x466, .name = "STM32G03x/G04x", G0_COMMON,
	  .source = "AN2606; RM0444, RM0454; OpenOCD stm32l4x.c",
	  .flash_kb = 64, .ram_start = 0x20001000, .ram_end = 0x20002000, .sys_end = 0x1FFF2000,
	  .bl_id = 0x53, .bl_id_addr = 0x1FFF1FFE },
	{ .pid = 0x460, .name = "STM32G07x/G08x", G0_COMMON,
	  .source = "AN2606; RM0444, RM0454; OpenOCD stm32l4x.c",
	  .flash_kb = 128, .ram_start = 0x20002700, .ram_end = 0x20009000, .sys_end = 0x1FFF7000,
	  .bl_id = 0xB3, .bl_id_addr = 0x1FFF6FFE },
	/* RAM end: SF 0x20004800 (the chip's 18 KB), SL 0x20002000: the lower
	 * end is safe. System memory to 0x1FFF2000 (SF; the ID byte at
	 * 0x1FFF1FFE agrees; SL says 0x1FFF1000). */
	{ .pid = 0x456, .name = "STM32G05x/G061", G0_COMMON,
	  .source = "AN2606; RM0444, RM0454; OpenOCD stm32l4x.c",
	  .flash_kb = 64, .ram_start = 0x20001000, .ram_end = 0x20002000, .sys_end = 0x1FFF2000,
	  .bl_id = 0x51, .bl_id_addr = 0x1FFF1FFE },
	/* DUAL_BANK (OPTR bit 21, OOCD FLASH_G0_DUAL_BANK) splits the flash in
	 * two banks of 2 KB pages; factory OPTR 0xFFFFFEAA with the bit set is
	 * INF (RM0444 register map). IDs 0x92 (G0B1/G0C1), 0xD0 (G0B0) at
	 * 0x1FFF9FFE (SL). */
	{ .pid = 0x467, .name = "STM32G0B0/G0B1/G0C1", G0_COMMON,
	  .source = "AN2606; RM0444, RM0454; OpenOCD stm32l4x.c",
	  .flash_kb = 512, .dual = SB_DUAL_BIT, DBANK(21, -1), .optr_default = 0xFFFFFEAA,
	  .ram_start = 0x20004000, .ram_end = 0x20020000, .sys_end = 0x1FFF7000,
	  .bl_id_addr = 0x1FFF9FFE, .flags = SB_PART_BANK_ERASE },

	/* ---- G4 ---- */
	{ .pid = 0x468, .name = "STM32G431/G441", G4_COMMON,
	  .source = "AN2606; RM0440; OpenOCD stm32l4x.c",
	  .flash_kb = 128, .page_size = 2 * KB, .ram_start = 0x20004000, .ram_end = 0x20005800 },
	/* DBANK (OPTR bit 22, read from the option bytes): 4 KB pages
	 * single-bank, 2 KB dual-bank, bank 2 at 0x08040000 even on 256 KB
	 * parts ("dual bank WITH gap": OOCD, RM0440). */
	{ .pid = 0x469, .name = "STM32G47x/G48x", G4_COMMON,
	  .source = "AN2606; RM0440; OpenOCD stm32l4x.c",
	  .flash_kb = 512, .page_size = 4 * KB, .page_size_dual = 2 * KB, .dual = SB_DUAL_BIT,
	  DBANK(22, -1), .bank2_off = 256 * KB, .optr_default = 0xFFEFF8AA,
	  .ram_start = 0x20004000, .ram_end = 0x20018000,
	  .opt2_start = 0x1FFFF800, .opt2_end = 0x1FFFF830, .flags = SB_PART_BANK_ERASE },
	/* One bank (OOCD F_NONE, RM0440). */
	{ .pid = 0x479, .name = "STM32G491/G4A1", G4_COMMON,
	  .source = "AN2606; RM0440; OpenOCD stm32l4x.c",
	  .flash_kb = 512, .page_size = 2 * KB, .ram_start = 0x20004000, .ram_end = 0x2001C000 },

	/* ---- H7: RM0433, RM0468, RM0455, RM0477 ---------------------------------
	 * Two banks, bank 2 at 0x08100000 whatever the size (OOCD "the second
	 * bank starts always from 0x08100000"). Flash-size register 0x1FF1E880
	 * (H74x/H72x) or 0x08FFF80C (H7A3, H7R/S). Option bytes are registers
	 * only (FLASH_OPTSR_CUR at 0x5200201C...): no option area (SF lists
	 * none). RAM: AN2606 (SF, SL; SL also lists AXI SRAM ranges). */
	{ .pid = 0x450, .name = "STM32H74x/H75x", .family = "H7",
	  .source = "AN2606; RM0433; OpenOCD stm32h7x.c",
	  .flash_base = FLASH, .flash_kb = 2048, .flash_size_reg = 0x1FF1E880, .page_size = 128 * KB,
	  .dual = SB_DUAL_ALWAYS, .bank2_off = 1024 * KB,
	  .ram_start = 0x20004100, .ram_end = 0x20020000, .sys_start = 0x1FF00000, .sys_end = 0x1FF1E800,
	  .write_unit = 32, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x91, .bl_id_addr = 0x1FF1E7FE,
	  .flags = SB_PART_BANK_ERASE },
	/* One bank of 128 KB sectors (RM0468, OOCD). SF's row has the flash
	 * start as 0x80000000 (a typo). */
	{ .pid = 0x483, .name = "STM32H72x/H73x", .family = "H7",
	  .source = "AN2606; RM0468; OpenOCD stm32h7x.c",
	  .flash_base = FLASH, .flash_kb = 1024, .flash_size_reg = 0x1FF1E880, .page_size = 128 * KB,
	  .ram_start = 0x20004100, .ram_end = 0x20020000, .sys_start = 0x1FF00000, .sys_end = 0x1FF1E800,
	  .write_unit = 32, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x93, .bl_id_addr = 0x1FF1E7FE },
	/* 8 KB sectors, two banks (OOCD, RM0455). Flash word: 128 bits per
	 * OOCD, 256 bits per ST's device data: 32-byte units cover both. SF
	 * gives 1 MB; OOCD and ST data 2 MB (H7A3xI). */
	{ .pid = 0x480, .name = "STM32H7A3/H7B3/H7B0", .family = "H7",
	  .source = "AN2606; RM0455; OpenOCD stm32h7x.c",
	  .flash_base = FLASH, .flash_kb = 2048, .flash_size_reg = 0x08FFF80C, .page_size = 8 * KB,
	  .dual = SB_DUAL_ALWAYS, .bank2_off = 1024 * KB,
	  .ram_start = 0x20004100, .ram_end = 0x20020000, .sys_start = 0x1FF00000, .sys_end = 0x1FF14000,
	  .write_unit = 32, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x92, .bl_id_addr = 0x1FF13FFE,
	  .flags = SB_PART_BANK_ERASE },
	/* 64 KB of 8 KB sectors, 128-bit words (OOCD, RM0477). AN2606 lists the
	 * PID (SL); no source here for its RAM, system memory or ROM version. */
	{ .pid = 0x485, .name = "STM32H7R3/H7S3/H7R7/H7S7", .family = "H7",
	  .source = "AN2606 (PID only); RM0477; OpenOCD stm32h7x.c",
	  .flash_base = FLASH, .flash_kb = 64, .flash_size_reg = 0x08FFF80C, .page_size = 8 * KB,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31 },

	/* ---- H5: two banks, bank 2 at half the flash, 8 KB sectors (STL
	 * H5xx.chip "dualbank", RM0481); quad-word programming. OTP 0x08FFF000,
	 * 2 KB. RAM and system memory: AN2606 as quoted on ST's forum and in SL;
	 * for H56x both give the whole SRAM (0x20000000-0x200A0000), which a
	 * running ROM cannot leave free: no RAM for the host until a source says
	 * which part is free. */
	{ .pid = 0x474, .name = "STM32H503", .family = "H5",
	  .source = "AN2606; RM0492; stlink H5xx.chip",
	  .flash_base = FLASH, .flash_kb = 128, .flash_size_reg = 0x08FFF80C, .page_size = 8 * KB,
	  .dual = SB_DUAL_ALWAYS, .ram_start = 0x20004000, .ram_end = 0x20008000,
	  .sys_start = 0x0BF87000, .sys_end = 0x0BF90000, .otp_start = 0x08FFF000, .otp_end = 0x08FFF800,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0xE1, .bl_id_addr = 0x0BF8FFFE },
	{ .pid = 0x478, .name = "STM32H523/H533", .family = "H5",
	  .source = "AN2606; RM0481; stlink H5xx.chip",
	  .flash_base = FLASH, .flash_kb = 512, .flash_size_reg = 0x08FFF80C, .page_size = 8 * KB,
	  .dual = SB_DUAL_ALWAYS, .ram_start = 0x20004000, .ram_end = 0x20044000,
	  .sys_start = 0x0BF97000, .sys_end = 0x0BFA0000, .otp_start = 0x08FFF000, .otp_end = 0x08FFF800,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31 },
	{ .pid = 0x484, .name = "STM32H562/H563/H573", .family = "H5",
	  .source = "AN2606; RM0481; stlink H5xx.chip",
	  .flash_base = FLASH, .flash_kb = 2048, .flash_size_reg = 0x08FFF80C, .page_size = 8 * KB,
	  .dual = SB_DUAL_ALWAYS, .ram_start = 0x20000000, .ram_end = 0x20000000,
	  .sys_start = 0x0BF97000, .sys_end = 0x0BFA0000, .otp_start = 0x08FFF000, .otp_end = 0x08FFF800,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0xE3, .bl_id_addr = 0x0BF9FAFE },

	/* ---- L0 ---- */
	/* The ROM uses all 2 KB of RAM (SF: 0x20000800 both ends). */
	{ .pid = 0x457, .name = "STM32L01x/L02x", L0_COMMON,
	  .source = "AN2606; RM0451; OpenOCD stm32lx.c",
	  .flash_kb = 16, .ram_start = 0x20000800, .ram_end = 0x20000800, .sys_end = 0x1FF01000,
	  .bl_id = 0xC3, .bl_id_addr = 0x1FF00FFE },
	{ .pid = 0x425, .name = "STM32L031/L041", L0_COMMON,
	  .source = "AN2606; RM0377; OpenOCD stm32lx.c",
	  .flash_kb = 32, .ram_start = 0x20001000, .ram_end = 0x20002000, .sys_end = 0x1FF01000,
	  .bl_id = 0xC0, .bl_id_addr = 0x1FF00FFE },
	{ .pid = 0x417, .name = "STM32L05x/L06x", L0_COMMON,
	  .source = "AN2606; RM0367, RM0376, RM0377; OpenOCD stm32lx.c",
	  .flash_kb = 64, .ram_start = 0x20001000, .ram_end = 0x20002000, .sys_end = 0x1FF01000,
	  .bl_id = 0xC0, .bl_id_addr = 0x1FF00FFE },
	/* RAM floor: SF 0x20002000, SL 0x20001000 (ID 0x41) or 0x20001400
	 * (ID 0xB2): the highest is safe. */
	{ .pid = 0x447, .name = "STM32L07x/L08x", L0_COMMON,
	  .source = "AN2606; RM0367, RM0376, RM0377; OpenOCD stm32lx.c",
	  .flash_kb = 192, .ram_start = 0x20002000, .ram_end = 0x20005000, .sys_end = 0x1FF02000,
	  .bl_id_addr = 0x1FF01FFE },

	/* ---- L1 ---- */
	/* Flash-size register 0x1FF8004C (Cat.1/2) or 0x1FF800CC (Cat.3+):
	 * OOCD, STL. Cat.4/5 have two banks of 256-byte pages (OOCD, ST data);
	 * the ROM numbers the pages straight through and has no bank erase. */
	{ .pid = 0x416, .name = "STM32L1xx Cat.1", L1_COMMON,
	  .source = "AN2606; RM0038; OpenOCD stm32lx.c",
	  .flash_kb = 128, .flash_size_reg = 0x1FF8004C, .ram_start = 0x20000800, .ram_end = 0x20004000,
	  .sys_end = 0x1FF01000, .bl_id = 0x20, .bl_id_addr = 0x1FF00FFE },
	{ .pid = 0x429, .name = "STM32L1xx Cat.2", L1_COMMON,
	  .source = "AN2606; RM0038; OpenOCD stm32lx.c",
	  .flash_kb = 128, .flash_size_reg = 0x1FF8004C, .ram_start = 0x20001000, .ram_end = 0x20008000,
	  .sys_end = 0x1FF01000, .bl_id = 0x20, .bl_id_addr = 0x1FF00FFE },
	{ .pid = 0x427, .name = "STM32L1xx Cat.3", L1_COMMON,
	  .source = "AN2606; RM0038; OpenOCD stm32lx.c",
	  .flash_kb = 256, .flash_size_reg = 0x1FF800CC, .ram_start = 0x20001000, .ram_end = 0x20008000,
	  .sys_end = 0x1FF02000, .bl_id = 0x40, .bl_id_addr = 0x1FF01FFE },
	{ .pid = 0x436, .name = "STM32L1xx Cat.4/Cat.3 xD", L1_COMMON,
	  .source = "AN2606; RM0038; OpenOCD stm32lx.c",
	  .flash_kb = 384, .flash_size_reg = 0x1FF800CC, .dual = SB_DUAL_ALWAYS,
	  .ram_start = 0x20001000, .ram_end = 0x2000C000, .sys_end = 0x1FF02000,
	  .bl_id = 0x45, .bl_id_addr = 0x1FF01FFE },
	{ .pid = 0x437, .name = "STM32L1xx Cat.5/Cat.6", L1_COMMON,
	  .source = "AN2606; RM0038; OpenOCD stm32lx.c",
	  .flash_kb = 512, .flash_size_reg = 0x1FF800CC, .dual = SB_DUAL_ALWAYS,
	  .ram_start = 0x20001000, .ram_end = 0x20014000, .sys_end = 0x1FF02000,
	  .bl_id = 0x40, .bl_id_addr = 0x1FF01FFE },

	/* ---- L4 ---- */
	/* RAM floor: SF 0x20003100, SL 0x20002100: the higher is safe. */
	{ .pid = 0x464, .name = "STM32L41x/L42x", L4_COMMON,
	  .source = "AN2606; RM0394; OpenOCD stm32l4x.c",
	  .flash_kb = 128, .ram_start = 0x20003100, .ram_end = 0x20008000 },
	{ .pid = 0x435, .name = "STM32L43x/L44x", L4_COMMON,
	  .source = "AN2606; RM0394; OpenOCD stm32l4x.c",
	  .flash_kb = 256, .ram_start = 0x20003100, .ram_end = 0x2000C000 },
	{ .pid = 0x462, .name = "STM32L45x/L46x", L4_COMMON,
	  .source = "AN2606; RM0394; OpenOCD stm32l4x.c",
	  .flash_kb = 512, .ram_start = 0x20003100, .ram_end = 0x20020000 },
	/* 1 MB parts always have two banks; smaller ones when DUAL_BANK (OPTR
	 * bit 21) is set; 2 KB pages either way, no gap (OOCD, RM0351). RAM
	 * floor: 0x20003100 (SF, SL ID 0x92) over 0x20003000 (SL ID 0xA3). */
	{ .pid = 0x415, .name = "STM32L47x/L48x", L4_COMMON,
	  .source = "AN2606; RM0351; OpenOCD stm32l4x.c",
	  .flash_kb = 1024, .dual = SB_DUAL_MAX_OR_BIT, DBANK(21, -1), .optr_default = 0xFFEFF8AA,
	  .ram_start = 0x20003100, .ram_end = 0x20018000,
	  .opt2_start = 0x1FFFF800, .opt2_end = 0x1FFFF810, .flags = SB_PART_BANK_ERASE },
	{ .pid = 0x461, .name = "STM32L496/L4A6", L4_COMMON,
	  .source = "AN2606; RM0351; OpenOCD stm32l4x.c",
	  .flash_kb = 1024, .dual = SB_DUAL_MAX_OR_BIT, DBANK(21, -1), .optr_default = 0xFFEFF8AA,
	  .ram_start = 0x20003100, .ram_end = 0x20040000,
	  .opt2_start = 0x1FFFF800, .opt2_end = 0x1FFFF810, .flags = SB_PART_BANK_ERASE },

	/* ---- L4+: RM0432 ----
	 * STM32L4R5/L4S5 and the rest of L4+ with 2 MB: protocol-facts C, E.1-E.4.
	 * DBANK (OPTR bit 22) on 2 MB parts, DB1M (bit 21) on 1 MB parts: 8 KB
	 * pages single-bank, 4 KB dual-bank. Option bytes at 0x1FF00000 /
	 * 0x1FF01000 (40 bytes, the ROM's DFU string), not stm32flash's
	 * 0x1FFF7800 (facts F.1). Known difference: stm32flash's 1 MB of 2 KB
	 * pages (facts F.2). Flash times: L4 family datasheet maxima (page/mass
	 * erase 24.5 ms, 64-bit word 90.8 us; facts E.3 "~25 ms class", C1),
	 * rounded up. */
	{ .pid = 0x470, .name = "STM32L4Rxx/L4Sxx", .family = "L4+",
	  .source = "AN2606 (L4Rxx/L4Sxx), RM0432 §3.3",
	  .flash_base = FLASH, .flash_kb = 2048, .flash_size_reg = 0x1FFF75E0,
	  .page_size = 8 * KB, .page_size_dual = 4 * KB, .dual = SB_DUAL_BIT, DBANK(22, 21),
	  .optr_default = 0xFFEFF8AA, .ob_kind = SB_OB_L4,
	  .t_page_erase_ms = 25, .t_mass_erase_ms = 25, .t_prog_us = 91,
	  .ram_start = 0x20003200, .ram_end = 0x200A0000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000,
	  .opt_start = 0x1FF00000, .opt_end = 0x1FF00028,
	  .opt2_start = 0x1FF01000, .opt2_end = 0x1FF01028,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x95, .bl_id_addr = 0x1FFF6FFE,
	  .flags = SB_PART_BANK_ERASE },
	/* As L4R: DBANK (bit 22) on 1 MB parts, DB512K (bit 21) on 512 KB parts
	 * (OOCD). AN2606 lists 16 option bytes at 0x1FF00000 (SF); bank 2 at
	 * 0x1FF01000 as on L4R (RM0432, INF). Factory OPTR as L4R (INF). */
	{ .pid = 0x471, .name = "STM32L4P5/L4Q5", .family = "L4+",
	  .source = "AN2606; RM0432; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 1024, .flash_size_reg = 0x1FFF75E0,
	  .page_size = 8 * KB, .page_size_dual = 4 * KB, .dual = SB_DUAL_BIT, DBANK(22, 21),
	  .optr_default = 0xFFEFF8AA, .ob_kind = SB_OB_L4, .ram_start = 0x20004000, .ram_end = 0x20050000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000,
	  .opt_start = 0x1FF00000, .opt_end = 0x1FF00010, .opt2_start = 0x1FF01000, .opt2_end = 0x1FF01010,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31, .flags = SB_PART_BANK_ERASE },

	/* ---- L5 ---- */
	/* DBANK (bit 22) on 512 KB, DB256K (bit 21) on 256 KB parts; 4 KB pages
	 * single-bank, 2 KB dual (OOCD, RM0438). Factory OPTR with DBANK set:
	 * INF. ID 0x92 at 0x0BF97FFE (SL). */
	{ .pid = 0x472, .name = "STM32L552/L562", .family = "L5",
	  .source = "AN2606; RM0438; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 512, .flash_size_reg = 0x0BFA05E0,
	  .page_size = 4 * KB, .page_size_dual = 2 * KB, .dual = SB_DUAL_BIT, DBANK(22, 21),
	  .optr_default = 0x7FEFF8AA, .ram_start = 0x20004000, .ram_end = 0x20040000,
	  .sys_start = 0x0BF90000, .sys_end = 0x0BF98000, .otp_start = 0x0BFA0000, .otp_end = 0x0BFA0200,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x92, .bl_id_addr = 0x0BF97FFE,
	  .flags = SB_PART_BANK_ERASE },

	/* ---- U5: the largest variant always has two banks, smaller ones when
	 * DUALBANK (OPTR bit 21) is set; 8 KB pages; banks contiguous (OOCD,
	 * "RM0456 Rev 4, 7.3.1"). ID address 0x0BF99EFE (SL). */
	{ .pid = 0x455, .name = "STM32U535/U545", .family = "U5",
	  .source = "AN2606; RM0456; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 512, .flash_size_reg = 0x0BFA07A0, .page_size = 8 * KB,
	  .dual = SB_DUAL_MAX_OR_BIT, DBANK(21, -1), .optr_default = 0x1FEFF8AA,
	  /* RAM end: SL 0x20240000 is past the 256 KB of SRAM (0x20040000) */
	  .ram_start = 0x20004000, .ram_end = 0x20040000,
	  .sys_start = 0x0BF90000, .sys_end = 0x0BFA0000, .otp_start = 0x0BFA0000, .otp_end = 0x0BFA0200,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x91, .bl_id_addr = 0x0BF99EFE,
	  .flags = SB_PART_BANK_ERASE },
	{ .pid = 0x482, .name = "STM32U575/U585", .family = "U5",
	  .source = "AN2606; RM0456; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 2048, .flash_size_reg = 0x0BFA07A0, .page_size = 8 * KB,
	  .dual = SB_DUAL_MAX_OR_BIT, DBANK(21, -1), .optr_default = 0x1FEFF8AA,
	  .ram_start = 0x20004000, .ram_end = 0x200C0000,
	  .sys_start = 0x0BF90000, .sys_end = 0x0BFA0000, .otp_start = 0x0BFA0000, .otp_end = 0x0BFA0200,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x92, .bl_id_addr = 0x0BF99EFE,
	  .flags = SB_PART_BANK_ERASE },
	{ .pid = 0x481, .name = "STM32U595/U599/U5A5/U5A9", .family = "U5",
	  .source = "AN2606; RM0456; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 4096, .flash_size_reg = 0x0BFA07A0, .page_size = 8 * KB,
	  .dual = SB_DUAL_MAX_OR_BIT, DBANK(21, -1), .optr_default = 0x1FEFF8AA,
	  .ram_start = 0x20004000, .ram_end = 0x20270000,
	  .sys_start = 0x0BF90000, .sys_end = 0x0BFA0000, .otp_start = 0x0BFA0000, .otp_end = 0x0BFA0200,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0x92, .bl_id_addr = 0x0BF99EFE,
	  .flags = SB_PART_BANK_ERASE },
	/* AN2606 lists the PID (SL); no source here for RAM or system memory. */
	{ .pid = 0x476, .name = "STM32U5F7/U5F9/U5G7/U5G9", .family = "U5",
	  .source = "AN2606 (PID only); RM0456; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 4096, .flash_size_reg = 0x0BFA07A0, .page_size = 8 * KB,
	  .dual = SB_DUAL_MAX_OR_BIT, DBANK(21, -1), .optr_default = 0x1FEFF8AA,
	  .otp_start = 0x0BFA0000, .otp_end = 0x0BFA0200,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31, .flags = SB_PART_BANK_ERASE },

	/* ---- U3: as U5 but 4 KB pages and double-word programming (OOCD). */
	{ .pid = 0x454, .name = "STM32U375/U385", .family = "U3",
	  .source = "AN2606 (PID only); RM0487; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 1024, .flash_size_reg = 0x0BFA07A0, .page_size = 4 * KB,
	  .dual = SB_DUAL_MAX_OR_BIT, DBANK(21, -1), .optr_default = 0x1FEFF8AA,
	  .otp_start = 0x0BFA0000, .otp_end = 0x0BFA0200,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31, .flags = SB_PART_BANK_ERASE },

	/* ---- C0: one bank of 2 KB pages (OOCD stm32l4x.c, RM0490); option bytes
	 * 0x1FFF7800, 128 bytes (STL); system memory 0x1FFF0000-0x1FFF17FF (SF
	 * comment, SL) for C011/C031; double-word programming. */
	/* RAM: SL 0x20001000-0x20003000, but the chip has 6 KB (ST data): end
	 * 0x20001800 (the lower end). */
	{ .pid = 0x443, .name = "STM32C011", C0_COMMON,
	  .source = "AN2606; RM0490; OpenOCD stm32l4x.c",
	  .flash_kb = 32, .ram_start = 0x20001000, .ram_end = 0x20001800,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF1800 },
	/* RAM floor: SF comment 0x20001000, SL 0x20002000 ("error in AN2606?"):
	 * the higher is safe; end 0x20003000 (12 KB). */
	{ .pid = 0x453, .name = "STM32C031", C0_COMMON,
	  .source = "AN2606; RM0490; OpenOCD stm32l4x.c",
	  .flash_kb = 32, .ram_start = 0x20002000, .ram_end = 0x20003000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF1800 },
	/* AN2606 lists these PIDs (SL); no source here for RAM or system memory. */
	{ .pid = 0x44C, .name = "STM32C051", C0_COMMON,
	  .source = "AN2606 (PID only); RM0490; OpenOCD stm32l4x.c",
	  .flash_kb = 64 },
	{ .pid = 0x493, .name = "STM32C071", C0_COMMON,
	  .source = "AN2606 (PID only); RM0490; OpenOCD stm32l4x.c",
	  .flash_kb = 128 },
	{ .pid = 0x44D, .name = "STM32C091/C092", C0_COMMON,
	  .source = "AN2606 (PID only); RM0490; OpenOCD stm32l4x.c",
	  .flash_kb = 256 },

	/* ---- U0: G0-like, 2 KB pages, double-word (OOCD, RM0503); OTP
	 * 0x1FFF6800, 1 KB (OOCD). Option bytes at 0x1FFF7800 as G0: INF, so
	 * not listed. AN2606 lists the PIDs (SL). */
	{ .pid = 0x459, .name = "STM32U031", .family = "U0",
	  .source = "AN2606 (PID only); RM0503; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 64, .flash_size_reg = 0x1FFF3EA0, .page_size = 2 * KB,
	  .otp_start = 0x1FFF6800, .otp_end = 0x1FFF6C00,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31 },
	{ .pid = 0x489, .name = "STM32U073/U083", .family = "U0",
	  .source = "AN2606 (PID only); RM0503; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 256, .flash_size_reg = 0x1FFF6EA0, .page_size = 2 * KB,
	  .otp_start = 0x1FFF6800, .otp_end = 0x1FFF6C00,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31 },

	/* ---- WB: RM0473 (WB1x), RM0434 (WB55) ---- */
	/* One bank of 2 KB pages (OOCD), option bytes 0x1FFF7800..0x1FFF787F
	 * (SF). RAM: AN2606 (SF, SL) says 0x20005000-0x2003FFFF, but SRAM1 is
	 * 12 KB and SRAM2 starts at 0x20030000 (ST data): no RAM for the host.
	 * ST data gives the erased value as 0x00 against every other WB/L4
	 * source: SB_PART_ERASED_UNSURE. */
	{ .pid = 0x494, .name = "STM32WB10/WB15", .family = "WB",
	  .source = "AN2606; RM0473; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 320, .flash_size_reg = 0x1FFF75E0, .page_size = 2 * KB,
	  .ram_start = 0x20005000, .ram_end = 0x20005000, .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000,
	  .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7880, .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0xB1, .bl_id_addr = 0x1FFF6FFE,
	  .flags = SB_PART_ERASED_UNSURE },
	/* 1 MB of 4 KB pages (OOCD, RM0434; the upper part holds the radio
	 * stack); option bytes 0x1FFF8000..0x1FFF807F (SF, STL). */
	{ .pid = 0x495, .name = "STM32WB30/WB35/WB50/WB55", .family = "WB",
	  .source = "AN2606; RM0434; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 1024, .flash_size_reg = 0x1FFF75E0, .page_size = 4 * KB,
	  .ram_start = 0x20004000, .ram_end = 0x2000C000, .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000,
	  .opt_start = 0x1FFF8000, .opt_end = 0x1FFF8080, .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0xD5, .bl_id_addr = 0x1FFF6FFE },

	/* ---- WBA: RM0493 (WBA5: one bank), RM0515 (WBA6: DUALBANK bit 21);
	 * 8 KB pages, quad-word programming (OOCD). RAM: SL gives
	 * 0x20000000-0x20002000 for WBA5, a range the ROM itself must use: no
	 * RAM for the host. */
	{ .pid = 0x492, .name = "STM32WBA50/52/54/55", .family = "WBA",
	  .source = "AN2606; RM0493; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 1024, .flash_size_reg = 0x0BF907A0, .page_size = 8 * KB,
	  .ram_start = 0x20000000, .ram_end = 0x20000000, .sys_start = 0x0BF88000, .sys_end = 0x0BF90000,
	  .otp_start = 0x0BF90000, .otp_end = 0x0BF90200,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0xB0, .bl_id_addr = 0x0BF8FEFE },
	{ .pid = 0x4B0, .name = "STM32WBA62/64/65", .family = "WBA",
	  .source = "AN2606 (PID only); RM0515; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 2048, .flash_size_reg = 0x0BFA07A0, .page_size = 8 * KB,
	  .dual = SB_DUAL_BIT, DBANK(21, -1), .optr_default = 0x1FEFF8AA,
	  .otp_start = 0x0BFA0000, .otp_end = 0x0BFA0200,
	  .write_unit = 16, .erase_cmd = 0x44, .usart_ver = 0x31 },

	/* ---- WL: RM0461: one bank of 2 KB pages (OOCD). Option bytes: SF says
	 * 0x1FFF7800-0x1FFF8000, STL 16 bytes; the G0/WB-style 128-byte block
	 * 0x1FFF7800..0x1FFF787F is taken (never more than the RM's block, INF).
	 * ID 0xC4 at 0x1FFF3EFE (SL). */
	{ .pid = 0x497, .name = "STM32WLE5/WL55", .family = "WL",
	  .source = "AN2606; RM0461; OpenOCD stm32l4x.c",
	  .flash_base = FLASH, .flash_kb = 256, .flash_size_reg = 0x1FFF75E0, .page_size = 2 * KB,
	  .ram_start = 0x20002000, .ram_end = 0x20010000, .sys_start = 0x1FFF0000, .sys_end = 0x1FFF4000,
	  .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7880, .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400,
	  .write_unit = 8, .erase_cmd = 0x44, .usart_ver = 0x31, .bl_id = 0xC4, .bl_id_addr = 0x1FFF3EFE },
};

const struct sb_part *sb_part_by_pid(uint16_t pid)
{
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].pid == pid)
			return &parts[i];
	return NULL;
}

const struct sb_part *sb_part_table(size_t *count)
{
	*count = sizeof(parts) / sizeof(parts[0]);
	return parts;
}
