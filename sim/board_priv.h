/* SPDX-License-Identifier: MIT */
/*
 * board_priv.h - the insides of struct board, shared by sim/board.c
 * (life cycle, options, protection, reset), sim/board_mem.c (memory map,
 * flash rules) and sim/board_store.c (the state file). Not for device sides.
 */
#ifndef SIM_BOARD_PRIV_H
#define SIM_BOARD_PRIV_H

#include "board.h"
#include "board_part.h"

#define OTP_SIZE 0x400u            /* 1 KB, protocol-facts C */
#define INFO_BASE 0x1FFF7400u       /* engineering words: package, UID, flash size */
#define INFO_SIZE 0x400u
#define PKG_ADDR 0x1FFF7500u        /* protocol-facts E.1 */
#define UID_ADDR 0x1FFF7590u        /* protocol-facts E.1 */
#define FSIZE_ADDR 0x1FFF75E0u      /* protocol-facts E.1 */
#define OB_SIZE 40u                 /* 5 slots of value + complement, protocol-facts E.4 */
#define FREG_SIZE 0x400u           /* FLASH registers, protocol-facts E.2 */
#define IDCODE_ADDR 0xE0042000u     /* DBGMCU_IDCODE, protocol-facts E.1 */
#define IDCODE_VALUE 0x10016470u    /* REV_ID 0x1001 (Z), DEV_ID 0x470 */

#define DW 8u                       /* L4R5 flash programming unit, protocol-facts A.7/E.3;
				     * other parts: their profile's unit (board_part.h) */
#define PAGE_ERASE_US 25000u        /* protocol-facts E.3 "Erase timing" */
#define MASS_ERASE_US 25000u        /* per bank; protocol-facts A.8 (INF for L4R) */
#define DW_PROGRAM_US 100u          /* INF: ~0.1 ms per double-word */

#define OPTR_RDP_MASK 0xFFu         /* protocol-facts E.4 */
#define RDP_LEVEL0 0xAAu
#define RDP_LEVEL2 0xCCu
#define RDP_LEVEL1_SET 0xBBu        /* what Readout Protect stages */
#define OPTR_NBOOT1 (1u << 23)
#define OPTR_NSWBOOT0 (1u << 26)
#define OPTR_NBOOT0 (1u << 27)
#define OPTR_BFB2 (1u << 20)

/* Option-byte slots (8 bytes each: value, complement), protocol-facts E.4. */
enum ob_slot { OB_USER = 0, OB_PCROP_SR = 1, OB_PCROP_ER = 2, OB_WRPA = 3, OB_WRPB = 4 };
#define WRP_NONE 0x000000FFu        /* STRT 0xFF > END 0x00: no protection, E.2 */

/* Registers loaded from the option bytes at the last option load. */
struct board_optregs {
	uint32_t optr;
	uint32_t pcrop_sr[2], pcrop_er[2];
	uint32_t wrp[4];                /* WRP1A, WRP1B, WRP2A, WRP2B */
};

/* State-file offsets of the option-byte banks whose areas are larger than
 * the L4R5's 40 bytes (G0/C0/WB/WL: 128), in the room the L4R5 layout
 * leaves free (board.h). */
#define BOARD_STATE_META_OB1_WIDE 0x140u
#define BOARD_STATE_META_OB2_WIDE 0x240u
#define BOARD_STATE_META_PID 0x010u   /* u32: the profile's PID; 0 in files before it (0x470) */

struct board {
	struct board_config cfg;        /* state_file not kept */
	struct board_profile prof;      /* memory map and flash rules (board_part.h) */
	struct sb_geom geom;            /* flash layout in force: the bank mode of the last option load */
	uint32_t unit;                  /* bytes per "programmed" bit: the write unit, at most 8 */
	uint8_t *store;                 /* flash + meta (state-file layout) */
	size_t store_size;
	bool mapped;
	uint8_t *flash, *ob[2], *otp, *otp_map, *prog_map;
	uint8_t *sram;
	uint32_t flash_size;
	struct board_optregs regs;
	bool pempty;
	bool wipe_sram;                 /* Readout Unprotect: SRAM erased at reset */
	int pin[2];
	enum board_mode mode;
	uint32_t app_entry;
	unsigned resets;
	uint64_t busy_us;
	struct board_stats stats;
};

uint32_t board_le32(const uint8_t *p);
void board_put_le32(uint8_t *p, uint32_t v);

/* sim/board_store.c: the only OS calls of the model (open/mmap/ftruncate). */
int board_store_open(struct board *b, const char *path, size_t *old_size);
void board_store_close(struct board *b);

/* sim/board_mem.c */
bool board_dw_programmed(const uint8_t *map, uint32_t dw);
void board_dw_mark(uint8_t *map, uint32_t dw, bool on);
void board_erase_range(struct board *b, uint32_t off, uint32_t len);
void board_rebuild_progmap(struct board *b);

#endif
