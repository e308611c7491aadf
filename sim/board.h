/*
 * board.h - the virtual STM32L4R5 board: memories, flash rules, option
 * bytes, read protection, BOOT0/NRST and boot-mode selection.
 *
 * It is transport-free: the AN3155 device side (an3155_dev.h) and the DfuSe
 * device side (dfu_dev.h) both act on one struct board. Facts follow
 * ../shared/reference/protocol-facts.md sections C and E; each rule in
 * board.c cites its row.
 *
 * Not thread-safe: a caller serving the board from several threads (the
 * umockdev worker thread and a pty loop) holds its own lock around calls.
 *
 * Ownership: board_new() returns a board the caller frees with board_free().
 */
#ifndef SIM_BOARD_H
#define SIM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct board_config {
	uint32_t flash_kb;         /* 2048 (L4R5xI) or 1024 (xG); 0 = 2048 */
	uint32_t optr;             /* FLASH_OPTR at first power-up; 0 = factory 0xFFEFF8AA */
	bool offer_crc;            /* AN3155 Get lists 0xA1 (newer ROMs); L4R5 v3.1 does not */
	const char *state_file;    /* NULL: memory only. Else flash, option bytes and OTP
				    * persist in this file (created erased if absent), mapped
				    * shared so other processes see writes at once: bytes
				    * [0, flash_kb*1024) are the flash contents. */
	uint8_t bl_id;             /* bootloader ID byte at 0x1FFF6FFE; 0 = 0x95 */
};

enum board_status {
	BOARD_OK = 0,
	BOARD_EADDR,     /* address not mapped or not allowed (ROM RAM, system memory write) */
	BOARD_EALIGN,    /* misaligned where the hardware requires alignment */
	BOARD_EPROG,     /* flash double-word not erased (PROGERR) */
	BOARD_EWRP,      /* page write-protected (WRPERR) */
	BOARD_ERDP,      /* refused because read protection is active */
};

enum board_pin { BOARD_PIN_BOOT0, BOARD_PIN_NRST };

enum board_mode {
	BOARD_MODE_RESET,  /* NRST held low: the part does nothing */
	BOARD_MODE_ROM,    /* system-memory bootloader running */
	BOARD_MODE_APP,    /* user application running (from flash or after Go) */
};

struct board;

struct board *board_new(const struct board_config *cfg);
void board_free(struct board *b);

/* ---- memory, as the ROM bootloader sees it ---- */

/* Flash, system memory, OTP, option bytes, SRAM, flash-size/package/UID
 * words, FLASH registers (OPTR at 0x40022020) and DBGMCU_IDCODE. */
int board_read(struct board *b, uint32_t addr, uint8_t *buf, size_t n);

/*
 * Flash: programs whole double-words; a partial double-word is padded with
 * 0xFF (protocol-facts A.7) and counts as programmed. A double-word already
 * programmed since its last erase -> BOARD_EPROG, nothing changed.
 * SRAM at or above 0x20003200 (below: the ROM's own RAM -> BOARD_EADDR).
 * OTP: program-once double-words like flash, never erasable.
 * Option bytes (0x1FF00000.., 0x1FF01000..): staged, applied at the next
 * reset (the caller then calls board_reset(), as the ROM does).
 */
int board_write(struct board *b, uint32_t addr, const uint8_t *buf, size_t n);

/* Linear page number across banks (bank-2 pages follow bank-1 pages). */
int board_erase_page(struct board *b, uint32_t page);
/* bank 0 = whole flash, 1 or 2 = that bank (dual-bank mode only). */
int board_mass_erase(struct board *b, int bank);

/* Geometry in force (from OPTR.DBANK at the last reset). */
uint32_t board_flash_size(const struct board *b);
uint32_t board_page_size(const struct board *b);
uint32_t board_page_count(const struct board *b);
bool board_dual_bank(const struct board *b);

/* ---- protection ---- */

/* 0, 1 or 2, from the RDP byte loaded at the last reset. */
int board_rdp_level(const struct board *b);
/* Readout Protect: stage RDP = level 1 (0xBB). Applied at reset. */
int board_rdp_set(struct board *b);
/* Readout Unprotect: mass erase now, stage RDP = 0xAA, wipe SRAM at reset. */
int board_rdp_clear(struct board *b);
/* Write Protect the listed pages / remove all write protection (staged). */
int board_wrp_set(struct board *b, const uint8_t *pages, size_t n);
int board_wrp_clear(struct board *b);
bool board_page_protected(const struct board *b, uint32_t page);

/* ---- pins, reset, boot selection ---- */

/* Level 0/1. NRST 0 holds the part in reset; its rising edge resets it. */
void board_set_pin(struct board *b, enum board_pin pin, int level);
int board_get_pin(const struct board *b, enum board_pin pin);

/*
 * System reset (also what the ROM does after a protection command or an
 * option-byte write): loads staged options, re-reads DBANK/RDP, evaluates
 * PEMPTY, and chooses the mode: BOOT0 (pin if nSWBOOT0=1, else nBOOT0) high
 * -> ROM; else flash empty at 0x08000000 (PEMPTY) -> ROM; else APP.
 */
void board_reset(struct board *b);
enum board_mode board_mode(const struct board *b);
/* Counts resets since board_new(); device sides use it to return to their initial state. */
unsigned board_reset_count(const struct board *b);

/* Go: leave the ROM for the application at addr (vector table). False if
 * addr is not in flash or SRAM (the ROM NACKs). */
bool board_go(struct board *b, uint32_t addr);
uint32_t board_app_entry(const struct board *b);

/* ---- timing and statistics (for the timing model and for tests) ---- */

/* Flash busy time, in microseconds, accumulated since the last call (erase
 * ~25 ms per page or bank, programming per double-word); resets to 0. */
uint64_t board_take_busy_us(struct board *b);

struct board_stats {
	unsigned page_erases, mass_erases, dw_programmed, prog_errors, resets;
};
void board_stats(const struct board *b, struct board_stats *out);

const char *board_status_str(int status);

#endif
