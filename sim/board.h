/* SPDX-License-Identifier: MIT */
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
	uint16_t pid;              /* the part (a device-table row, sim/board_part.h) whose memory
				    * map and flash rules the board has; 0 = the STM32L4R5 (0x470) */
	uint32_t flash_kb;         /* at most the row's size (2048 or 1024 on the L4R5); 0 = the
				    * row's size */
	uint32_t optr;             /* FLASH_OPTR at first power-up; 0 = factory 0xFFEFF8AA (other
				    * parts: with the row's bank bits at their factory values) */
	const char *state_file;    /* NULL: memory only. Else flash, option bytes and OTP
				    * persist in this file (created erased if absent), mapped
				    * shared so other processes see writes at once: bytes
				    * [0, flash_kb*1024) are the flash contents. */
	uint8_t bl_id;             /* bootloader ID byte at 0x1FFF6FFE (the row's address); 0 = the
				    * row's byte (0x95 on the L4R5) */
	/* Added fields; zero keeps the behaviour described above. */
	bool boot0_low;            /* BOOT0 pin low at power-up (default high: the ROM runs) */
	bool pempty_por_only;      /* an NRST reset keeps the PEMPTY latch and the loaded
				    * options; only power-up and option-loading resets
				    * re-evaluate them (protocol-facts C "Empty check", INF).
				    * Default: every reset re-evaluates, as board_reset() says. */
};

/*
 * State-file layout (all multi-byte fields little-endian), F = flash_kb*1024,
 * U = the part's write unit, at most 8 (8 on the L4R5):
 *   [0, F)                 flash contents, erased = 0xFF (0x00 on L0/L1 parts)
 *   F+0x000  8 bytes       magic "STMBSIM1"
 *   F+0x008  u32           layout version (1)
 *   F+0x00C  u32           flash_kb
 *   F+0x010  u32           PID of the part (0 in older files: the L4R5)
 *   F+0x040  40 bytes      option bytes bank 1 as at 0x1FF00000 (value/complement words)
 *   F+0x080  40 bytes      option bytes bank 2 as at 0x1FF01000
 *                          (parts with larger option areas: 256 bytes each at
 *                          F+0x140 and F+0x240)
 *   F+0x100  64 bytes      OTP "programmed" bitmap, bit i = unit i (LSB first)
 *   F+0x400  1024 bytes    OTP contents (0x1FFF7000.. on the L4R5)
 *   F+0x800  F/(8U) bytes  flash "programmed" bitmap, bit i = unit i since erase
 * An existing file with this magic is used as is (the fresh-state options in
 * board_config are then ignored). A file of at most F bytes without the magic
 * is taken as a raw flash image: it is padded with 0xFF, the layout is added,
 * and double-words that are not all 0xFF count as programmed. Anything else
 * makes board_new() fail.
 */
#define BOARD_STATE_MAGIC "STMBSIM1"
#define BOARD_STATE_META_OB1 0x040u
#define BOARD_STATE_META_OB2 0x080u
#define BOARD_STATE_META_OTPMAP 0x100u
#define BOARD_STATE_META_OTP 0x400u
#define BOARD_STATE_META_PROGMAP 0x800u
/* Total state-file size for a flash of flash_bytes with write units of unit bytes ... */
#define BOARD_STATE_SIZE_UNIT(flash_bytes, unit) \
	((flash_bytes) + BOARD_STATE_META_PROGMAP + (flash_bytes) / (8u * (unit)))
/* ... and with 8-byte units (the L4R5). */
#define BOARD_STATE_SIZE(flash_bytes) BOARD_STATE_SIZE_UNIT(flash_bytes, 8u)

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
struct sb_part;

/* Powers the board up (not counted as a reset). NULL if the state file
 * cannot be opened, mapped or recognised, or on allocation failure. */
struct board *board_new(const struct board_config *cfg);
void board_free(struct board *b);

/* Added: configuration details the device sides need. */
uint8_t board_bl_id(const struct board *b);
/* The device-table row the board is built from (its PID, ROM version, erase
 * command, flags: protocols/part.h). */
const struct sb_part *board_part(const struct board *b);

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

/* Added: would board_read (write=false) or board_write (write=true) of
 * [addr, addr+n) pass the address and protection checks? BOARD_OK,
 * BOARD_EADDR or BOARD_ERDP; nothing is read or written. */
int board_check(struct board *b, uint32_t addr, size_t n, bool write);
/* Added: the SRAM's bytes (0x20000000.., *size bytes), for the CPU model
 * to map as memory; owned by the board, valid until board_free(). */
uint8_t *board_sram(struct board *b, size_t *size);
/* Added: addr lies in an option-byte area of the board's part (0x1FF00000 or
 * 0x1FF01000, 40 bytes, on the L4R5). */
bool board_is_option_area(const struct board *b, uint32_t addr);

/* Added: the kinds of memory the board has, so that a device side can apply
 * its ROM's rules on which it serves (the board itself is the silicon: it
 * reads and writes them all as board_read/board_write say). */
enum board_area {
	BOARD_AREA_NONE,     /* nothing mapped */
	BOARD_AREA_FLASH,
	BOARD_AREA_SRAM,     /* from 0x20003200: RAM a host may use (protocol-facts C) */
	BOARD_AREA_ROM_RAM,  /* 0x20000000-0x200031FF: the ROM loader's own RAM (C) */
	BOARD_AREA_SYSMEM,
	BOARD_AREA_OTP,
	BOARD_AREA_OPTION,   /* an option-byte bank */
	BOARD_AREA_INFO,     /* package, UID and flash-size words 0x1FFF7400-0x1FFF77FF (E.1) */
	BOARD_AREA_REGS,     /* FLASH registers and DBGMCU_IDCODE (E.1, E.2) */
};
/* The area holding addr; its first address and size in *base and *size
 * (either may be NULL). */
enum board_area board_area(const struct board *b, uint32_t addr, uint32_t *base, uint32_t *size);

/* Linear page number across banks (bank-2 pages follow bank-1 pages). */
int board_erase_page(struct board *b, uint32_t page);
/* bank 0 = whole flash, 1 or 2 = that bank (dual-bank mode only). */
int board_mass_erase(struct board *b, int bank);

/* Geometry in force (from OPTR.DBANK at the last reset; other parts: the
 * row's bank rule). Flash size; page size is that of page 0 (all pages
 * on parts with uniform pages). */
uint32_t board_flash_size(const struct board *b);
uint32_t board_page_size(const struct board *b);
uint32_t board_page_count(const struct board *b);
bool board_dual_bank(const struct board *b);
/* Offset (from the flash base) and size of linear page `page`; false if none. */
bool board_page_span(const struct board *b, uint32_t page, uint32_t *off, uint32_t *size);
/* The page holding flash offset off: its number, offset and size; false if none. */
bool board_page_of(const struct board *b, uint32_t off, uint32_t *page, uint32_t *page_off,
		   uint32_t *page_size);

/* ---- protection ---- */

/* 0, 1 or 2, from the RDP byte loaded at the last reset. */
int board_rdp_level(const struct board *b);
/* Readout Protect: stage RDP = level 1 (0xBB). Applied at reset. */
int board_rdp_set(struct board *b);
/* Readout Unprotect: mass erase now, stage RDP = 0xAA, wipe SRAM at reset. */
int board_rdp_clear(struct board *b);
/* Write Protect the listed pages / remove all write protection (staged).
 * Pages are 0..255 within bank 1 (the whole flash in single-bank mode); the
 * protection becomes exactly the listed pages: contiguous runs each take one
 * WRP area (WRP1A, WRP1B, then WRP2A, WRP2B in single-bank mode); more runs
 * than areas -> BOARD_EADDR, nothing staged. */
int board_wrp_set(struct board *b, const uint8_t *pages, size_t n);
int board_wrp_clear(struct board *b);
bool board_page_protected(const struct board *b, uint32_t page);
/* Added: FLASH_OPTR as loaded at the last option load (also readable at 0x40022020). */
uint32_t board_optr(const struct board *b);
/* Stage optr as the user option word for the next option load. */
void board_stage_optr(struct board *b, uint32_t optr);
/* The option-word bit that selects dual bank on this board, or -1
 * (board_profile_bank_bit()). */
int board_bank_bit(const struct board *b, bool *inverted);

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
/* Added: power cycle (POR): options and PEMPTY always re-evaluated; counted as a reset. */
void board_power_cycle(struct board *b);
/* Added: the PEMPTY latch (FLASH_SR bit 17) as evaluated at the last option load. */
bool board_pempty(const struct board *b);

/* Go: leave the ROM for the application at addr (vector table). False if
 * addr is not in flash or SRAM (the ROM NACKs). */
bool board_go(struct board *b, uint32_t addr);
/* The running application restarts into the ROM loader by itself (what an
 * application's "jump to bootloader" does): a system reset that ends in ROM
 * mode whatever BOOT0 says. False (nothing done) unless the board was in
 * APP mode. */
bool board_enter_rom(struct board *b);
uint32_t board_app_entry(const struct board *b);

/* ---- timing and statistics (for the timing model and for tests) ---- */

/* Flash busy time, in microseconds, accumulated since the last call (erase
 * ~25 ms per page or bank, programming per double-word); resets to 0. */
uint64_t board_take_busy_us(struct board *b);

struct board_stats {
	unsigned page_erases, mass_erases, dw_programmed, prog_errors, resets;
};
void board_stats(const struct board *b, struct board_stats *out);

/* ---- set-up from a front end's options (romsim --dbank, --rdp) ---- */

/*
 * A front end following the board from outside (a banner when the
 * application starts, a log line at a reset): compares the board with what
 * the caller saw last (*seen_resets, *seen_mode) and updates them. *reset
 * (if not NULL): the board was reset since. True when the application has
 * just started: the board runs it and did not, or was reset since.
 */
bool board_follow(const struct board *b, unsigned *seen_resets, enum board_mode *seen_mode,
		  bool *reset);

/* FLASH_OPTR of a fresh board: the factory word with dual bank off when
 * dbank is 0 and read protection level 1 when rdp is 1 (-1: factory). */
uint32_t board_fresh_optr(uint32_t flash_kb, int dbank, int rdp);

/* Bring a board (e.g. from a state file) to dbank/rdp (-1: leave) the way
 * the ROM would: an option-byte write or Readout (Un)Protect, then a power
 * cycle when anything changed. BOARD_OK or the status that failed. */
int board_apply_options(struct board *b, int dbank, int rdp);

/* ---- control messages (romsim's pins socket; the fake libgpiod) ---- */

enum board_ctl_op { BOARD_CTL_PIN, BOARD_CTL_GET, BOARD_CTL_MODE, BOARD_CTL_POWER };

struct board_ctl {
	enum board_ctl_op op;
	enum board_pin pin;   /* PIN, GET */
	int level;            /* PIN: 0 or 1 */
};

/*
 * Parse "PIN boot0|nrst 0|1", "GET boot0|nrst", "MODE" or "POWER" (a
 * trailing CR/LF is ignored). NULL on success, else the error reply to send
 * ("error: ..."). Pure; the front end applies the message to its board.
 */
const char *board_ctl_parse(const char *msg, struct board_ctl *out);

/* "rom", "app" or "reset": the MODE reply. */
const char *board_mode_name(enum board_mode mode);
/* "boot0" or "nrst", as in the messages. */
const char *board_pin_name(enum board_pin pin);

const char *board_status_str(int status);

#endif
