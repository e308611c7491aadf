/* SPDX-License-Identifier: MIT */
/*
 * part.h - the device table and the flash geometry of a connected part.
 *
 * Parts are rows of data (devtable.c), each citing its source. A row gives
 * the largest variant; the geometry in force is built from the row plus
 * what the chip reports (flash-size register, dual-bank option bit), so a
 * 1 MB variant or a single-bank L4R5 get the right pages. Page numbers are
 * linear across banks, as the ROM's Extended Erase counts them
 * (protocol-facts A.5, "Page numbers are linear across banks").
 */
#ifndef SB_PART_H
#define SB_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_err.h"

/* A run of `count` erase units of `size` bytes. Arrays end with {0, 0}. */
struct sb_sectors {
	uint32_t count;
	uint32_t size;
};

enum sb_part_flags {
	SB_PART_BANK_ERASE = 1u << 0,     /* ROM accepts bank mass erase 0xFFFE/0xFFFD */
	SB_PART_NO_MASS_ERASE = 1u << 1,  /* ROM refuses global mass erase: erase the pages instead */
	SB_PART_ERASED_ZERO = 1u << 2,    /* erased flash reads 0x00 (L0/L1 EEPROM-style cells) */
	SB_PART_ERASED_UNSURE = 1u << 3,  /* sources disagree on the erased value: never skip a block */
};

/* How the part's flash is split into banks. */
enum sb_dual_rule {
	SB_DUAL_NEVER = 0,    /* one bank */
	SB_DUAL_ALWAYS,       /* two banks whatever the options say */
	SB_DUAL_BIT,          /* an option bit chooses: dbank_bit, or dbank_bit_half on the
			       * variant with half the flash when that is >= 0 */
	SB_DUAL_MAX_OR_BIT,   /* the largest variant always has two banks; smaller ones as SB_DUAL_BIT
			       * (a bit < 0 there: one bank) */
};

/*
 * How the option-byte area (opt_start.., opt2_start..) is laid out, so that
 * the bank mode, read and write protection can be read where the ROM serves
 * them. The ROM's Read Memory serves the option bytes but not the FLASH
 * registers (protocol-facts A.5 Read Memory row), so FLASH_OPTR is never read
 * at 0x40022020. The layouts of the other families are in the comments of
 * devtable.c, for kinds still to come.
 */
enum sb_ob_kind {
	SB_OB_UNKNOWN = 0,   /* not decoded: bank mode and WRP unknown */
	/* L4/L4+/G0/G4 style (protocol-facts E.4, option-byte flash layout): 8-byte
	 * slots of value and complement; bank-1 area +0x00 user option word
	 * (FLASH_OPTR), +0x18 WRPxAR, +0x20 WRPxBR; a bank-2 area (opt2) holds
	 * WRP2AR/WRP2BR at the same offsets. WRP: STRT bits 7:0, END bits 23:16,
	 * page index within the bank; STRT > END means none (protocol-facts E.2). */
	SB_OB_L4,
};

/*
 * One row: the largest variant of a product ID. Page/sector layouts are
 * given for single-bank mode and, where the part has one, dual-bank mode
 * (per bank). Addresses are end-exclusive. A zero field means "none" or
 * "no source says": rows never guess (the comment on each row names the
 * document behind each value, and what was not found).
 */
struct sb_part {
	uint16_t pid;
	const char *name;
	const char *family;            /* "F0" ... "L4+", "WB": for `an3155 parts FILTER` */
	const char *source;            /* document(s) the row comes from, in short */
	uint32_t flash_base;
	uint32_t flash_kb;             /* largest variant of the product ID */
	/* 16-bit flash size in KB; 0: none. Not in the memory AN3155 lists for Read
	 * Memory (protocol-facts A.5, E.1: NACKed through the L43x ROM): only tried,
	 * a refusal is normal and the table's size holds. */
	uint32_t flash_size_reg;
	uint32_t page_size;            /* uniform erase unit in single-bank mode; 0: see sectors */
	const struct sb_sectors *sectors;      /* non-uniform sectors, single-bank mode (F2/F4/F7) */
	uint32_t page_size_dual;       /* erase unit in dual-bank mode; 0: page_size */
	const struct sb_sectors *sectors_dual; /* sectors of each bank in dual-bank mode; NULL: sectors */
	uint8_t dual;                  /* enum sb_dual_rule */
	int8_t dbank_bit;              /* user-option register bit selecting dual bank, -1 none */
	int8_t dbank_bit_half;         /* same for the half-size variant (L4R DB1M, F42x DB1M), -1 none */
	bool dbank_inverted;           /* the bit reads 0 for dual bank (F76x nDBANK) */
	uint32_t bank2_off;            /* bank 2 at flash_base + bank2_off; 0: half the flash in force */
	/* factory user-option register (FLASH_OPTR; FLASH_OPTCR on F2/F4/F7): offline plans only */
	uint32_t optr_default;
	uint8_t ob_kind;               /* enum sb_ob_kind: how to decode the option bytes */
	uint32_t ram_start, ram_end;   /* RAM a host may use (above the ROM's own); equal: none known */
	uint32_t sys_start, sys_end;   /* system memory */
	uint32_t opt_start, opt_end;   /* option bytes the ROM reads and writes; opt2: second bank */
	uint32_t opt2_start, opt2_end;
	uint32_t otp_start, otp_end;
	uint8_t write_unit;            /* programming granularity in bytes */
	uint8_t erase_cmd;             /* the ROM's erase: 0x43 (1-byte pages) or 0x44 (extended) */
	uint8_t usart_ver;             /* protocol version the ROM's Get reports (AN3155), e.g. 0x31 */
	uint8_t bl_id;                 /* bootloader ID byte (AN2606), 0: not known */
	uint32_t bl_id_addr;           /* where the ROM keeps it, 0: not known */
	uint32_t flags;                /* enum sb_part_flags */
	/* Flash times, datasheet maxima, for deadlines that fit the operation; 0:
	 * unknown (the engine's generic deadlines, protocol-facts A.8, apply). */
	uint16_t t_page_erase_ms;      /* one page (or the largest sector) */
	uint16_t t_mass_erase_ms;      /* mass or bank erase */
	uint16_t t_prog_us;            /* one write unit */
};

/* The row for pid, or NULL. The table lives for the whole program. */
const struct sb_part *sb_part_by_pid(uint16_t pid);
/* Every row (for `an3155 parts` and tests). */
const struct sb_part *sb_part_table(size_t *count);

/* A run of equal pages in the geometry in force. */
struct sb_page_run {
	uint32_t addr;        /* first page's address */
	uint32_t count;
	uint32_t size;
	uint32_t first_page;  /* linear page number of the first page */
};

#define SB_GEOM_MAX_RUNS 16

struct sb_geom {
	uint32_t base;         /* flash start */
	uint32_t size;         /* flash bytes */
	uint32_t bank2;        /* bank 2 start, 0 when single-bank */
	uint32_t npages;
	uint8_t write_unit;
	uint8_t erased_value;  /* what erased flash reads (0xFF; 0x00 on L0/L1) */
	bool erased_known;     /* false: sources disagree, so no block is skipped as "already erased" */
	unsigned nruns;
	struct sb_page_run run[SB_GEOM_MAX_RUNS];
};

/*
 * Geometry of part p. flash_kb: from the chip's flash-size register, 0 if
 * unknown (the table's size is used). optr: the chip's FLASH_OPTR, or -1 if
 * unread (the row's default is used). Fails with SB_ERR_BAD_INPUT when the
 * chip's size does not fit the row.
 */
int sb_geom_for_part(const struct sb_part *p, uint32_t flash_kb, int64_t optr,
		     struct sb_geom *g, struct sb_diag *diag);

/*
 * Geometry of part p in a given bank mode (dual: two banks), whatever the
 * options say; SB_ERR_BAD_INPUT when the part has no such mode or the
 * size does not lay out. For tests, the independent-list check and romsim.
 */
int sb_geom_for_mode(const struct sb_part *p, uint32_t flash_kb, bool dual, struct sb_geom *g,
		     struct sb_diag *diag);

/* Can part p be in single- (dual = false) or dual-bank mode at flash_kb? */
bool sb_part_has_mode(const struct sb_part *p, uint32_t flash_kb, bool dual);

/* End of the last page (exclusive): bank 2 may lie past base + size (G47x gap). */
uint64_t sb_geom_end(const struct sb_geom *g);

/* What part p's erased flash reads: 0x00 (SB_PART_ERASED_ZERO) or 0xFF. */
uint8_t sb_part_erased_value(const struct sb_part *p);
/* g's erased_value and erased_known from row p (known unless SB_PART_ERASED_UNSURE). */
void sb_geom_set_erased(struct sb_geom *g, const struct sb_part *p);

/* Uniform geometry given by the user for a part not in the table. */
int sb_geom_explicit(uint32_t base, uint32_t size, uint32_t page_size, uint8_t write_unit,
		     struct sb_geom *g, struct sb_diag *diag);

/* The page holding addr: false when addr is outside flash. */
bool sb_geom_page(const struct sb_geom *g, uint32_t addr, uint32_t *page, uint32_t *page_addr,
		  uint32_t *page_size);
/* Address and size of linear page `page`: false when out of range. */
bool sb_geom_page_addr(const struct sb_geom *g, uint32_t page, uint32_t *page_addr,
		       uint32_t *page_size);
/* 1 or 2; 1 for single-bank geometry. */
int sb_geom_bank(const struct sb_geom *g, uint32_t addr);
/* "256 x 8 KB" or "2 x 256 x 4 KB" or the sector list, into buf. */
void sb_geom_describe(const struct sb_geom *g, char *buf, size_t len);
/* The same, compact: "256x8K", "4x16K+64K+7x128K", "2x(256x4K)", or the two
 * banks joined by " | " when they differ. */
void sb_geom_compact(const struct sb_geom *g, char *buf, size_t len);

/* The option bit that selects dual bank at flash_kb, or -1 (protocol-facts E.4). */
int sb_part_bank_bit(const struct sb_part *p, uint32_t flash_kb);
/* Does the part come in dual-bank mode with its factory options at its largest size? */
bool sb_part_factory_dual(const struct sb_part *p);
/* Case-insensitive: filter is part of the name, the family, or the PID ("0x470", "470"). */
bool sb_part_matches(const struct sb_part *p, const char *filter);

#endif
