/* SPDX-License-Identifier: MIT */
/*
 * bind.h - binding a connected part to its device-table row: what a ROM
 * bootloader lets a host read to learn the flash size, the bank mode and the
 * read and write protection, and what is assumed where it does not.
 *
 * The USART ROM's Read Memory serves flash, SRAM above the loader's own area,
 * system memory, OTP and the option bytes, and nothing else (protocol-facts
 * A.5 Read Memory row): the flash-size register is NACKed through the L43x ROM
 * and peripheral registers such as FLASH_OPTR are not listed. So:
 *   - the flash size comes from the table; the flash-size register is only
 *     tried, and a refusal is normal (logged at debug);
 *   - the bank mode (DBANK), BFB2, nSWBOOT0, RDP and WRP come from the
 *     option-byte area, decoded per the row's ob_kind;
 *   - where even that is refused, the facts in doubt are left unknown and
 *     said so in notes: pages are never laid out by a guessed bank mode.
 *
 * Pure code: memory is read through a struct sb_mem_reader, messages go to
 * notes and to the log; nothing is printed.
 */
#ifndef SB_BIND_H
#define SB_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "part.h"
#include "sb_err.h"
#include "sb_log.h"

struct sb_mem_reader {
	/*
	 * Read n bytes at addr. SB_ERR_NACK: the bootloader refused the
	 * address (a final answer); SB_ERR_PROTECTED: read protection is
	 * active; anything else is link trouble and ends the binding.
	 */
	int (*read)(void *ctx, uint32_t addr, uint8_t *buf, size_t n, struct sb_diag *d);
	/* Optional: the same, one attempt, for a read whose refusal is normal
	 * (the flash-size register); NULL: read is used. */
	int (*probe)(void *ctx, uint32_t addr, uint8_t *buf, size_t n, struct sb_diag *d);
	void *ctx;
};

/* What the user said on the command line (0: not given). */
struct sb_bind_opts {
	uint32_t flash_size;       /* bytes */
	uint32_t page_size;        /* uniform erase unit */
	uint32_t flash_base;
	bool has_flash_base;
	uint8_t write_unit;
};

/* Where a fact came from. */
enum sb_fact_src {
	SB_SRC_UNKNOWN = 0,
	SB_SRC_CHIP,      /* read from the part */
	SB_SRC_TABLE,     /* the device table's row */
	SB_SRC_USER,      /* a command-line option */
};

/* One write-protection area, in linear page numbers (both ends included). */
struct sb_wrp_area {
	char name[8];              /* "WRP1A" ... */
	uint32_t first, last;
};

#define SB_CHIP_MAX_NOTES 6
#define SB_OB_MAX 64

struct sb_chip {
	const struct sb_part *part;     /* NULL: PID not in the table */
	uint16_t pid;
	bool has_pid;
	struct sb_geom geom;            /* valid when have_geom */
	bool have_geom;
	bool pages_known;               /* geom has a page layout that may be erased by number */
	uint32_t flash_kb;              /* size in force */
	enum sb_fact_src size_src, bank_src;
	bool protected;                 /* Read Memory refused at the command byte: RDP level >= 1 */
	/* Option-byte areas as read (bank 1, bank 2); len 0: not read. */
	uint8_t ob[2][SB_OB_MAX];
	size_t ob_len[2];
	int64_t optr;                   /* user option word from the area; -1: unknown */
	bool wrp_known;
	struct sb_wrp_area wrp[4];
	unsigned nwrp;
	char notes[SB_CHIP_MAX_NOTES][200];   /* what could not be read and what is assumed */
	unsigned nnotes;
};

/*
 * Learn what the part lets us read and lay out its flash. pid/has_pid come
 * from Get ID. Returns SB_OK (also when facts stay unknown: see notes and
 * pages_known), SB_ERR_BAD_INPUT for options that do not fit, or the
 * reader's link error. With RDP active nothing is readable: protected is set
 * and SB_OK returned.
 */
int sb_bind(struct sb_chip *c, uint16_t pid, bool has_pid, const struct sb_bind_opts *o,
	    const struct sb_mem_reader *rd, const struct sb_log *log, struct sb_diag *d);

/* Geometry for a plan made without a part (dry run without a port): the
 * row with its factory options, or the user's geometry. */
int sb_bind_offline(struct sb_chip *c, const struct sb_part *p, const struct sb_bind_opts *o,
		    struct sb_diag *d);

/* The WRP area that protects linear page `page`, or NULL. */
const struct sb_wrp_area *sb_chip_wrp(const struct sb_chip *c, uint32_t page);

/* RDP level from the option word: 0, 1, 2; -1 unknown (protected: >= 1). */
int sb_chip_rdp(const struct sb_chip *c);

#endif
