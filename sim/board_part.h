/* SPDX-License-Identifier: MIT */
/*
 * board_part.h - the part profile a virtual board is built from: the
 * memory map and flash rules of one row of the device table
 * (protocols/devtable.c), in the numbers the board model needs. The
 * read/write policy code (board_mem.c) and the device sides take their
 * addresses and rules from here instead of fixed L4R5 constants; the
 * default profile (PID 0x470) is the L4R5 the board always was.
 *
 * What the profile does not carry is modelled the L4R5 way on every part:
 * the option-byte contents (RDP, WRP areas and boot bits in 8-byte value /
 * complement slots, protocol-facts E.4), the FLASH registers and the
 * DBGMCU_IDCODE word. Tests of other families use the flash, the ROM's
 * commands and the memory map, not those.
 */
#ifndef SIM_BOARD_PART_H
#define SIM_BOARD_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "part.h"

/* The part a board is when none is named: the STM32L4R5, the one part
 * whose peripherals the CPU model has (sim/mcu.h). */
#define BOARD_DEFAULT_PID 0x470u

#define BOARD_MAX_OTP 0x400u     /* state-file room for OTP (board.h layout) */
#define BOARD_MAX_OB 0x100u      /* state-file room for one option-byte bank */

struct board_profile {
	const struct sb_part *part;  /* the row */
	uint32_t flash_base, flash_size;
	uint8_t unit;                /* programmable once per erase (facts A.7, E.3) */
	uint8_t erased;              /* what erased flash reads */
	uint32_t sram_base, sram_size;
	uint32_t ram_floor;          /* the ROM's own RAM lies below (AN2606) */
	uint32_t sys_base, sys_size; /* system memory; 0: none modelled */
	uint32_t bl_id_addr;         /* bootloader ID byte in system memory; 0: none */
	uint8_t bl_id;
	uint32_t otp_base, otp_size; /* at most BOARD_MAX_OTP */
	uint32_t ob_base[2], ob_size[2];  /* option-byte banks (size 0: none) */
	uint32_t fsize_addr;         /* 16-bit flash size in KB; 0: none */
	uint32_t info_base, info_size;    /* L4R5 package/UID/flash-size block, 0: none */
	uint32_t freg_base;          /* FLASH registers, OPTR at +0x20; 0: none */
	uint32_t optr_factory;       /* user option word of a fresh board */
};

/*
 * The profile of PID pid (0: the L4R5, 0x470) with flash_kb of flash (0:
 * the row's largest). False when the table has no such PID, the size is
 * not one the row can lay out, or the row lacks what a board needs (a
 * flash layout).
 */
bool board_profile_for(uint16_t pid, uint32_t flash_kb, struct board_profile *out);

/* Geometry in force for the option word optr (bank mode per the row). */
int board_profile_geom(const struct board_profile *p, uint32_t optr, struct sb_geom *g);

/*
 * The option-word bit that selects dual bank at the profile's size, or -1
 * when no bit does (one bank, or two whatever the options); *inverted:
 * the bit reads 0 for dual bank (F76x nDBANK).
 */
int board_profile_bank_bit(const struct board_profile *p, bool *inverted);

/* The option word of a fresh board: factory, with dual bank on (dbank 1)
 * or off (0; -1: factory) where a bit selects it, and read protection
 * level 1 when rdp is 1 (-1: factory). */
uint32_t board_profile_fresh_optr(const struct board_profile *p, int dbank, int rdp);

#endif
