/*
 * devtable.c - STM32 parts as data. One row per product ID.
 *
 * Addresses come from ST AN2606 (bootloader memory usage, per family) and
 * the reference manuals named in each row; the L4R/L4S row follows
 * ../shared/reference/protocol-facts.md sections C and E, which correct the
 * row other tools ship (1 MB, 2 KB pages, option bytes at 0x1FFF7800:
 * protocol-facts F.1 and F.2).
 */
#include "part.h"

#define KB 1024u

/* F2/F4 sectors of one bank: 4 x 16 KB, 1 x 64 KB, then 128 KB (RM0090 §3.3). */
static const struct sb_sectors f4_sectors[] = { { 4, 16 * KB }, { 1, 64 * KB }, { 7, 128 * KB }, { 0, 0 } };
/* F74x/F75x: 4 x 32 KB, 1 x 128 KB, 3 x 256 KB (RM0385 §3.3). */
static const struct sb_sectors f7_sectors[] = { { 4, 32 * KB }, { 1, 128 * KB }, { 3, 256 * KB }, { 0, 0 } };
/* H74x/H75x: 8 x 128 KB per bank (RM0433 §4.3). */
static const struct sb_sectors h7_sectors[] = { { 8, 128 * KB }, { 0, 0 } };

#define NO_DBANK .dbank_bit = -1, .dbank_bit_half = -1

static const struct sb_part parts[] = {
	/* STM32L4R5/L4S5 and the rest of L4+ with 2 MB: protocol-facts C, E.1-E.4. */
	{ .pid = 0x470, .name = "STM32L4Rxx/L4Sxx",
	  .source = "AN2606 (L4Rxx/L4Sxx), RM0432 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 2048,
	  .page_size = 8 * KB, .page_size_dual = 4 * KB,
	  .dbank_bit = 22, .dbank_bit_half = 21,   /* DBANK (2 MB), DB1M (1 MB): E.4 */
	  .optr_default = 0xFFEFF8AA, .ob_kind = SB_OB_L4,
	  .flash_size_reg = 0x1FFF75E0,
	  /* L4 family datasheet maxima (page/mass erase 24.5 ms, 64-bit word
	   * 90.8 us; protocol-facts E.3 "~25 ms class", C1): rounded up. */
	  .t_page_erase_ms = 25, .t_mass_erase_ms = 25, .t_prog_us = 91,
	  .ram_start = 0x20003200, .ram_end = 0x200A0000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000,
	  .opt_start = 0x1FF00000, .opt_end = 0x1FF00028,
	  .opt2_start = 0x1FF01000, .opt2_end = 0x1FF01028,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400,
	  .write_unit = 8, .flags = SB_PART_BANK_ERASE },
	{ .pid = 0x415, .name = "STM32L47x/L48x", .source = "AN2606 (L47x), RM0351 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 1024, .page_size = 2 * KB, .banks = 2, NO_DBANK,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20003100, .ram_end = 0x20018000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000,
	  .ob_kind = SB_OB_L4, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7810, .opt2_start = 0x1FFFF800, .opt2_end = 0x1FFFF810,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8, .flags = SB_PART_BANK_ERASE },
	{ .pid = 0x461, .name = "STM32L496/L4A6", .source = "AN2606 (L496), RM0351 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 1024, .page_size = 2 * KB, .banks = 2, NO_DBANK,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20003100, .ram_end = 0x20040000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000,
	  .ob_kind = SB_OB_L4, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7810, .opt2_start = 0x1FFFF800, .opt2_end = 0x1FFFF810,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8, .flags = SB_PART_BANK_ERASE },
	{ .pid = 0x435, .name = "STM32L43x/L44x", .source = "AN2606 (L43x), RM0394 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 256, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20003100, .ram_end = 0x2000C000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000, .ob_kind = SB_OB_L4, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7810,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8 },
	{ .pid = 0x462, .name = "STM32L45x/L46x", .source = "AN2606 (L45x), RM0394 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 512, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20003100, .ram_end = 0x20020000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000, .ob_kind = SB_OB_L4, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7810,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8 },
	{ .pid = 0x460, .name = "STM32G07x/G08x", .source = "AN2606 (G07x), RM0444 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 128, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20002700, .ram_end = 0x20009000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000, .ob_kind = SB_OB_L4, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7880,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8 },
	{ .pid = 0x466, .name = "STM32G03x/G04x", .source = "AN2606 (G03x), RM0444 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 64, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20001000, .ram_end = 0x20002000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF2000, .ob_kind = SB_OB_L4, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7880,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8 },
	{ .pid = 0x468, .name = "STM32G431/G441", .source = "AN2606 (G431), RM0440 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 128, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20004000, .ram_end = 0x20005800,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000, .ob_kind = SB_OB_L4, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7830,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8 },
	{ .pid = 0x469, .name = "STM32G47x/G48x", .source = "AN2606 (G47x), RM0440 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 512, .page_size = 4 * KB, .page_size_dual = 2 * KB,
	  .dbank_bit = 22, .dbank_bit_half = -1, .optr_default = 0xFFEFF8AA, .ob_kind = SB_OB_L4,
	  .flash_size_reg = 0x1FFF75E0, .ram_start = 0x20004000, .ram_end = 0x20018000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7000, .opt_start = 0x1FFF7800, .opt_end = 0x1FFF7830,
	  .opt2_start = 0x1FFFF800, .opt2_end = 0x1FFFF830,
	  .otp_start = 0x1FFF7000, .otp_end = 0x1FFF7400, .write_unit = 8, .flags = SB_PART_BANK_ERASE },
	{ .pid = 0x410, .name = "STM32F10x medium-density", .source = "AN2606 (F10xxx), RM0008 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 128, .page_size = 1 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFFF7E0, .ram_start = 0x20000200, .ram_end = 0x20005000,
	  .sys_start = 0x1FFFF000, .sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810,
	  .write_unit = 4 },
	{ .pid = 0x412, .name = "STM32F10x low-density", .source = "AN2606 (F10xxx), RM0008 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 32, .page_size = 1 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFFF7E0, .ram_start = 0x20000200, .ram_end = 0x20002800,
	  .sys_start = 0x1FFFF000, .sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810,
	  .write_unit = 4 },
	{ .pid = 0x414, .name = "STM32F10x high-density", .source = "AN2606 (F10xxx), RM0008 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 512, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFFF7E0, .ram_start = 0x20000200, .ram_end = 0x20010000,
	  .sys_start = 0x1FFFF000, .sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810,
	  .write_unit = 4 },
	{ .pid = 0x418, .name = "STM32F105/F107", .source = "AN2606 (F105/F107), RM0008 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 256, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFFF7E0, .ram_start = 0x20001000, .ram_end = 0x20010000,
	  .sys_start = 0x1FFFB000, .sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810,
	  .write_unit = 4 },
	{ .pid = 0x440, .name = "STM32F030x8/F05x", .source = "AN2606 (F05x), RM0091 §3.2",
	  .flash_base = 0x08000000, .flash_kb = 64, .page_size = 1 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFFF7CC, .ram_start = 0x20000800, .ram_end = 0x20002000,
	  .sys_start = 0x1FFFEC00, .sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810,
	  .write_unit = 4 },
	{ .pid = 0x448, .name = "STM32F07x", .source = "AN2606 (F07x), RM0091 §3.2",
	  .flash_base = 0x08000000, .flash_kb = 128, .page_size = 2 * KB, NO_DBANK,
	  .flash_size_reg = 0x1FFFF7CC, .ram_start = 0x20001800, .ram_end = 0x20004000,
	  .sys_start = 0x1FFFC800, .sys_end = 0x1FFFF800, .opt_start = 0x1FFFF800, .opt_end = 0x1FFFF810,
	  .write_unit = 4 },
	{ .pid = 0x413, .name = "STM32F40x/F41x", .source = "AN2606 (F40x), RM0090 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 1024, .sectors = f4_sectors, NO_DBANK,
	  .flash_size_reg = 0x1FFF7A22, .ram_start = 0x20003000, .ram_end = 0x20020000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7800, .opt_start = 0x1FFFC000, .opt_end = 0x1FFFC010,
	  .otp_start = 0x1FFF7800, .otp_end = 0x1FFF7A10, .write_unit = 4 },
	{ .pid = 0x419, .name = "STM32F42x/F43x", .source = "AN2606 (F42x), RM0090 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 2048, .sectors = f4_sectors, .banks = 2, NO_DBANK,
	  .flash_size_reg = 0x1FFF7A22, .ram_start = 0x20003000, .ram_end = 0x20030000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7800, .opt_start = 0x1FFFC000, .opt_end = 0x1FFFC010,
	  .opt2_start = 0x1FFEC000, .opt2_end = 0x1FFEC010,
	  .otp_start = 0x1FFF7800, .otp_end = 0x1FFF7A10, .write_unit = 4 },
	{ .pid = 0x431, .name = "STM32F411", .source = "AN2606 (F411), RM0383 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 512, .sectors = f4_sectors, NO_DBANK,
	  .flash_size_reg = 0x1FFF7A22, .ram_start = 0x20003000, .ram_end = 0x20020000,
	  .sys_start = 0x1FFF0000, .sys_end = 0x1FFF7800, .opt_start = 0x1FFFC000, .opt_end = 0x1FFFC010,
	  .otp_start = 0x1FFF7800, .otp_end = 0x1FFF7A10, .write_unit = 4 },
	{ .pid = 0x449, .name = "STM32F74x/F75x", .source = "AN2606 (F74x), RM0385 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 1024, .sectors = f7_sectors, NO_DBANK,
	  .flash_size_reg = 0x1FF0F442, .ram_start = 0x20004000, .ram_end = 0x20050000,
	  .sys_start = 0x1FF00000, .sys_end = 0x1FF0EDC0, .opt_start = 0x1FFF0000, .opt_end = 0x1FFF0020,
	  .otp_start = 0x1FF0F000, .otp_end = 0x1FF0F420, .write_unit = 4 },
	{ .pid = 0x417, .name = "STM32L05x/L06x", .source = "AN2606 (L05x), RM0367 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 64, .page_size = 128, NO_DBANK,
	  .flash_size_reg = 0x1FF8007C, .ram_start = 0x20001000, .ram_end = 0x20002000,
	  .sys_start = 0x1FF00000, .sys_end = 0x1FF01000, .opt_start = 0x1FF80000, .opt_end = 0x1FF80020,
	  .write_unit = 4 },
	{ .pid = 0x447, .name = "STM32L07x/L08x", .source = "AN2606 (L07x), RM0377 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 192, .page_size = 128, NO_DBANK,
	  .flash_size_reg = 0x1FF8007C, .ram_start = 0x20001000, .ram_end = 0x20005000,
	  .sys_start = 0x1FF00000, .sys_end = 0x1FF02000, .opt_start = 0x1FF80000, .opt_end = 0x1FF80020,
	  .write_unit = 4 },
	{ .pid = 0x416, .name = "STM32L1xx medium-density", .source = "AN2606 (L1 Cat.1), RM0038 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 128, .page_size = 256, NO_DBANK,
	  .flash_size_reg = 0x1FF8004C, .ram_start = 0x20000800, .ram_end = 0x20004000,
	  .sys_start = 0x1FF00000, .sys_end = 0x1FF01000, .opt_start = 0x1FF80000, .opt_end = 0x1FF80020,
	  .write_unit = 4 },
	{ .pid = 0x437, .name = "STM32L1xx high-density", .source = "AN2606 (L1 Cat.5), RM0038 §3.3",
	  .flash_base = 0x08000000, .flash_kb = 512, .page_size = 256, NO_DBANK,
	  .flash_size_reg = 0x1FF800CC, .ram_start = 0x20001000, .ram_end = 0x20014000,
	  .sys_start = 0x1FF00000, .sys_end = 0x1FF02000, .opt_start = 0x1FF80000, .opt_end = 0x1FF80020,
	  .write_unit = 4 },
	{ .pid = 0x450, .name = "STM32H74x/H75x", .source = "AN2606 (H74x), RM0433 §4.3",
	  .flash_base = 0x08000000, .flash_kb = 2048, .sectors = h7_sectors, .banks = 2, NO_DBANK,
	  .flash_size_reg = 0x1FF1E880, .ram_start = 0x20004100, .ram_end = 0x20020000,
	  .sys_start = 0x1FF00000, .sys_end = 0x1FF1E800, .write_unit = 32, .flags = SB_PART_BANK_ERASE },
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
