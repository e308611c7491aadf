/* SPDX-License-Identifier: MIT */
/*
 * an3155.h - host engine for the STM32 USART ROM bootloader (ST AN3155).
 *
 * The engine talks to the part only through a struct sb_link (sb_link.h),
 * logs through a struct sb_log (every byte at TRACE as "an3155 tx"/"an3155 rx"),
 * and never prints, exits, allocates after an3155_new() or keeps globals.
 * Protocol facts cite ../shared/reference/protocol-facts.md ("facts A.x").
 *
 * Errors: every function that can fail returns SB_OK or a negative enum
 * sb_err (sb_err.h) and, when diag is not NULL, fills it with a sentence a
 * person can act on; where the failure concerns an address (a block that
 * would not program, the first byte that differs) diag->has_addr is set and
 * diag->addr names it. The codes mean:
 *   SB_ERR_TIMEOUT      no (complete) answer within the command's deadline
 *   SB_ERR_NACK         the ROM refused (bad address, out-of-range page, ...)
 *   SB_ERR_FRAMING      a reply byte that is neither ACK nor NACK, bad checksum
 *   SB_ERR_UNSUPPORTED  the command is not in the ROM's Get list; nothing was sent
 *   SB_ERR_PROTECTED    read protection is active (NACK at the command byte, facts A.6)
 *   SB_ERR_VERIFY       flash holds other data than was written or compared
 *   SB_ERR_BAD_INPUT    bad argument (alignment, length, reserved erase code)
 *   SB_ERR_STATE        not connected, or the ROM reset itself: call an3155_reconnect()
 *   SB_ERR_IO, ...      passed through from the link
 *
 * Noisy lines: a command that is NACKed, times out or gets a garbled reply is
 * re-sent up to opts.retries times, each time after re-synchronising with the
 * ROM (facts A.1 last row). A Write Memory block whose data was sent but whose
 * final ACK never arrived is read back before anything is re-sent, because an
 * L4 double-word can be programmed only once per erase (facts A.7). Read
 * Memory data has no checksum (facts A.5): a read-back that differs is read
 * again (up to opts.retries times) before it counts as a mismatch.
 *
 * Threads: a handle is used by one thread at a time; distinct handles on
 * distinct links are independent.
 */
#ifndef SB_AN3155_H
#define SB_AN3155_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_err.h"
#include "sb_link.h"
#include "sb_log.h"

/* Extended Erase special codes (facts A.5, Extended Erase row). */
#define AN3155_ERASE_MASS  0xFFFFu   /* global mass erase (legacy 0x43: "FF 00") */
#define AN3155_ERASE_BANK1 0xFFFEu   /* bank 1 mass erase, Extended Erase only */
#define AN3155_ERASE_BANK2 0xFFFDu   /* bank 2 mass erase, Extended Erase only */

/* Command codes (facts A.4), for an3155_has(). */
enum an3155_cmd {
	AN3155_CMD_GET = 0x00,
	AN3155_CMD_GET_VERSION = 0x01,
	AN3155_CMD_GET_ID = 0x02,
	AN3155_CMD_READ = 0x11,
	AN3155_CMD_GO = 0x21,
	AN3155_CMD_WRITE = 0x31,
	AN3155_CMD_ERASE = 0x43,
	AN3155_CMD_EXT_ERASE = 0x44,
	AN3155_CMD_WRITE_PROTECT = 0x63,
	AN3155_CMD_WRITE_UNPROTECT = 0x73,
	AN3155_CMD_READOUT_PROTECT = 0x82,
	AN3155_CMD_READOUT_UNPROTECT = 0x92,
	AN3155_CMD_GET_CHECKSUM = 0xA1,
};

/*
 * Deadlines in milliseconds. They bound a wait when something is wrong; a
 * healthy ROM answers long before. Defaults (an3155_default_opts) follow
 * facts A.8, which lists what stm32flash (SF) and stm32loader (SL) use.
 */
struct an3155_timeouts {
	unsigned sync_ms;        /* reply to one 0x7F (default 500: SF's read timeout, A.8) */
	unsigned ack_ms;         /* ordinary ACK and short replies (Get, GV, GID): 1000 */
	unsigned xfer_ms;        /* sending up to 258 bytes or receiving up to 257: 3000
				  * (257 bytes at 8E1 take 2.4 s even at 1200 baud) */
	unsigned write_ms;       /* final ACK of one Write Memory block: 1000 (A.8, SF 1 s) */
	unsigned page_erase_ms;  /* per page of one erase command: 5000 (A.8, SF 5 s x pages;
				  * F4/H7 sectors take seconds, L4 pages ~25 ms) */
	unsigned mass_erase_ms;  /* mass or bank erase: 35000 (A.8, SF 35 s) */
	unsigned protect_ms;     /* final ACK of WP/WUP/RP: 1000 (A.8, SF 1 s) */
	unsigned unprotect_ms;   /* final ACK of Readout Unprotect: 35000 (A.8, SF 35 s) */
	unsigned crc_ms;         /* Get Checksum result: 10000 (INF: no tool value in A.8) */
	unsigned resync_ms;      /* silence that ends one resync probe: 100 (with a known
				  * baud: derived from the line, see an3155_opts.baud) */
	unsigned settle_ms;      /* reconnect delay after WP/WUP/RP reset the ROM: 100
				  * (A.8, SL sleeps 0.1 s then re-syncs) */
	unsigned unprotect_settle_ms; /* reconnect delay after Readout Unprotect: 2000 (A.8: SL
				  * sleeps 20 s; the sync retries cover a slower part) */
};

/* Called with (progress_ctx, addr, done, total) after each block or erase command.
 * Read/write/crc: addr is the block just finished, done/total count bytes.
 * Erase: addr is the first page number of the command just finished, done/total count pages. */
typedef void (*an3155_progress_fn)(void *ctx, uint32_t addr, size_t done, size_t total);

struct an3155_opts {
	struct an3155_timeouts t;
	/* 0x7F attempts in connect/reconnect (default 3). Each attempt sends 0x7F and,
	 * on silence, a second 0x7F (facts A.1). */
	unsigned sync_tries;
	/* Re-sends of one block or command after a flush or resync (default 3). With 0 a
	 * single NACK at a command byte already reports SB_ERR_PROTECTED. */
	unsigned retries;
	/* Silent resync probes before the ROM is declared lost (default 32). With a
	 * clock (now_ms) the resync is bounded by late_ms instead. */
	unsigned resync_probes;
	/*
	 * The line, for deadlines that fit each reply. With baud set, every wait
	 * is the bytes on the wire (the frame just written, which may still be
	 * queued, and the reply; 11 bit-times a byte, 8E1) times 1.25, plus the
	 * device's work (flash times below) times 1.5, plus twice latency_ms,
	 * plus slack_ms; with baud 0 the fixed deadlines of t apply. How it was
	 * chosen: x1.25 covers the ROM's autobaud error and gaps between bytes,
	 * x1.5 the spread of flash times; measured on the loaded 2-core machine
	 * running 6 jobs, 99.3 % of replies came within the expected time and
	 * 99.9 % within the slack (a later one is still recognised while
	 * re-synchronising, late_ms).
	 */
	unsigned baud;
	unsigned latency_ms;     /* adapter + OS latency per direction (default 16: FTDI's default timer) */
	unsigned slack_ms;       /* scheduling allowance per wait (default 25) */
	/* Flash times of the part (datasheet maxima, part.h); 0: the generic
	 * deadlines of t (page_erase_ms, mass_erase_ms, write_ms) apply. */
	unsigned t_page_erase_ms, t_mass_erase_ms, t_prog_us;
	/* A reply this late is still recognised while re-synchronising, instead of
	 * ending the job (default 4000 ms; needs now_ms, else resync_probes bound it). */
	unsigned late_ms;
	/* Write unit in bytes, a power of two <= 256: an3155_write() needs the address and
	 * the length to be multiples of it. Default 8: L4 64-bit flash words (facts A.7);
	 * 4 is AN3155's own rule (facts A.5, Write Memory row); 32 for H7. */
	unsigned write_unit;
	/* What erased flash reads (default 0xFF; 0x00 on L0/L1, devtable.c): a unit
	 * that reads all erased after a lost ACK or in a post-write verify was never
	 * programmed and is sent again. */
	uint8_t erased_value;
	/* Pages per Extended Erase command (default 128, at most 511: SF splits at <= 511
	 * for STM32L152/L082, serial-anchors 1.8; facts A.8 says "<= 512", we stay below
	 * the smaller figure). Legacy 0x43 takes at most 255 (N <= 254, facts A.5). */
	unsigned erase_chunk;
	/* Optional: put the part through reset into the ROM again (the program sets it
	 * when reset lines are configured). Called between sync attempts, since the
	 * ROM autobauds only once per reset (facts A.1), and at the start of
	 * an3155_reconnect(). Returns SB_OK or a negative sb_err; owns its own timing. */
	int (*reset)(void *ctx);
	void *reset_ctx;
	an3155_progress_fn progress;   /* optional */
	void *progress_ctx;
	/* Optional monotonic clock in ms. With it, BUSY bytes (0x76, facts A.2) extend a
	 * wait only up to the command's deadline; without it each BUSY restarts the
	 * wait, at most 64 times. */
	uint64_t (*now_ms)(void *ctx);
	void *now_ctx;
};

/* What connect learned (Get, Get Version, Get ID; facts A.5). */
struct an3155_info {
	uint8_t version;         /* protocol version from Get (0x31 = v3.1) */
	uint8_t gv_version;      /* version from Get Version */
	uint8_t gv_opt[2];       /* Get Version option bytes (00 00 on current parts, facts A.5) */
	bool has_gv;             /* Get Version was listed and answered */
	uint16_t pid;            /* product ID from Get ID (0x470 = L4R/L4S) */
	bool has_pid;
	uint8_t ncmd;            /* command codes listed by Get, in order */
	uint8_t cmd[64];
	bool fresh_sync;         /* the ROM ACKed 0x7F (autobaud done now); false: it
				  * answered NACK, i.e. was already synchronised (facts A.1) */
	bool crc_failed;         /* 0xA1 is listed but did not answer in the AN3155 §3.13
				  * frame: verify reads back for the rest of the session */
};

struct an3155;

/* Fill o with the defaults named above. */
void an3155_default_opts(struct an3155_opts *o);

/*
 * Create a handle. link and log are copied by value; the objects they point
 * to (link->h, log->ctx) are borrowed and must outlive the handle, which never
 * closes the link. opts NULL means defaults; log NULL discards messages.
 * Returns SB_OK and *out, to be released with an3155_free(); SB_ERR_BAD_INPUT
 * for a bad option (write_unit, erase_chunk) or SB_ERR_NOMEM.
 */
int an3155_new(struct an3155 **out, const struct sb_link *link, const struct sb_log *log,
	       const struct an3155_opts *opts);

/* Release the handle (not the link). NULL is allowed. */
void an3155_free(struct an3155 *b);


/*
 * Flush, synchronise with 0x7F (bounded retries, the reset hook between
 * them), then Get, Get Version and Get ID. Distinguishes in diag: no answer
 * at all (SB_ERR_TIMEOUT: BOOT0, reset, wiring, port), answers that are not
 * ACK/NACK (SB_ERR_FRAMING: parity, baud), and an ACKed 0x7F whose Get then
 * fails (the adapter may not carry even parity).
 */
int an3155_connect(struct an3155 *b, struct sb_diag *diag);

/*
 * After a command that made the ROM reset (write/readout (un)protect, or an
 * option-byte write) or after Go: sleep the settle time for that command (via
 * the link's sleep_ms), call the reset hook if set, flush, sync and Get again.
 * The PID and Get Version answers of the last connect are kept.
 */
int an3155_reconnect(struct an3155 *b, struct sb_diag *diag);

/*
 * Once the part is known: its flash times (datasheet maxima in ms, ms and us
 * per write unit; 0: unknown) for the deadlines, and its write unit (0:
 * leave). Called by the program after identification.
 */
void an3155_set_part(struct an3155 *b, unsigned page_erase_ms, unsigned mass_erase_ms,
		     unsigned prog_us, unsigned write_unit);
/* What the connected part's erased flash reads (0xFF; 0x00 on L0/L1,
 * devtable.c): a unit reading all that after a lost ACK or in a post-write
 * verify was never programmed. */
void an3155_set_erased_value(struct an3155 *b, uint8_t erased_value);

/* What the last connect/reconnect learned; valid until an3155_free(). */
const struct an3155_info *an3155_info(const struct an3155 *b);

/* Whether Get listed this command code. */
bool an3155_has(const struct an3155 *b, uint8_t code);

/* Read len bytes (any length) from addr into buf, in <= 256-byte Read Memory
 * commands (facts A.5). SB_ERR_PROTECTED when RDP is active (facts A.6). */
int an3155_read(struct an3155 *b, uint32_t addr, uint8_t *buf, size_t len,
		struct sb_diag *diag);

/*
 * One Read Memory of 1..256 bytes, one attempt, no retries: for an optional
 * read whose refusal is a normal answer (the flash-size register, facts A.5),
 * so that a strict ROM costs one NACK, not three. Returns as an3155_read.
 */
int an3155_probe(struct an3155 *b, uint32_t addr, uint8_t *buf, size_t len,
		 struct sb_diag *diag);

/*
 * Write len bytes at addr, in blocks of <= 256 bytes that do not cross a
 * 256-byte boundary. addr and len must be multiples of opts.write_unit
 * (SB_ERR_BAD_INPUT otherwise; see an3155_align_span()). Every block ends
 * confirmed by its ACK or by a read-back; a block that holds neither the data
 * nor erased 0xFF after a lost ACK gives SB_ERR_VERIFY naming the address
 * (SB_ERR_FRAMING if its read-back never reads the same twice).
 * Writing to the option-byte area makes the ROM reset (facts A.4): call
 * an3155_reconnect() afterwards.
 */
int an3155_write(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
		 struct sb_diag *diag);

/*
 * Helpers for data that does not start or end on a write unit: the span
 * [*start, *start + return value) covers [addr, addr + len) in whole units;
 * an3155_align_copy() fills out (that many bytes) with 0xFF and copies data
 * at its offset. Only correct where the padding bytes are erased flash, in
 * which 0xFF programs nothing (facts A.7) - the caller decides that.
 */
size_t an3155_align_span(unsigned unit, uint32_t addr, size_t len, uint32_t *start);
void an3155_align_copy(unsigned unit, uint32_t addr, const uint8_t *data, size_t len,
		       uint8_t *out);

/* Read back [addr, addr+len) and compare with data; SB_ERR_VERIFY names the
 * first differing address once two reads of its block agree (SB_ERR_FRAMING
 * when opts.retries re-reads never do: the line garbles the data). Uses Get
 * Checksum first when listed (len and addr multiples of 4), reading back only
 * to locate a mismatch. */
int an3155_verify(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
		  struct sb_diag *diag);

/*
 * an3155_verify() for data this job has just written to erased flash: a
 * unit that reads erased (0xFF) where data belongs was never programmed -
 * a corrupted length byte can make the ROM accept a shorter block whose one
 * XOR byte still matches (facts A.3) - and is programmed now, then read
 * again (at most 16 units a call). Any other difference is SB_ERR_VERIFY.
 * Only for flash the caller erased: 0xFF there means "not yet programmed".
 */
int an3155_verify_written(struct an3155 *b, uint32_t addr, const uint8_t *data, size_t len,
			  struct sb_diag *diag);

/*
 * Erase pages by number (linear across banks, facts A.5), split into commands
 * of at most opts.erase_chunk pages. Extended Erase 0x44 when listed, else
 * legacy 0x43 with 1-byte page numbers (pages > 255 -> SB_ERR_BAD_INPUT).
 * Page numbers >= 0xFFF0 are refused (special/reserved codes, facts A.5).
 */
int an3155_erase_pages(struct an3155 *b, const uint16_t *pages, size_t n,
		       struct sb_diag *diag);

/* Mass or bank erase: AN3155_ERASE_MASS / _BANK1 / _BANK2. Banks need 0x44. */
int an3155_erase_special(struct an3155 *b, uint16_t code, struct sb_diag *diag);

/* Go: the ROM jumps to the application whose vector table is at addr. The
 * handle then needs an3155_reconnect() (after a reset into the ROM). */
int an3155_go(struct an3155 *b, uint32_t addr, struct sb_diag *diag);

/*
 * Protection commands (facts A.4/A.5). Each makes the ROM reset after its
 * final ACK; the handle then answers SB_ERR_STATE until an3155_reconnect().
 * codes: 1..256 sector/page codes, one byte each (their mapping to WRP areas
 * is part-specific, facts A.5 INF). readout_protect on a part already
 * protected gives SB_ERR_PROTECTED. readout_unprotect mass-erases the flash.
 */
int an3155_write_protect(struct an3155 *b, const uint8_t *codes, size_t n,
			 struct sb_diag *diag);
int an3155_write_unprotect(struct an3155 *b, struct sb_diag *diag);
int an3155_readout_protect(struct an3155 *b, struct sb_diag *diag);
int an3155_readout_unprotect(struct an3155 *b, struct sb_diag *diag);

/* Get Checksum 0xA1 (facts A.5, stm32flash frame; CONFLICT, facts F.6): STM32
 * CRC of [addr, addr+len), both multiples of 4. SB_ERR_UNSUPPORTED when not listed. */
int an3155_get_checksum(struct an3155 *b, uint32_t addr, uint32_t len, uint32_t *crc,
			struct sb_diag *diag);

/* STM32 CRC (crc.h sb_crc_stm32) of [addr, addr+len): through 0xA1 when the ROM
 * lists it, else by reading back and computing on the host. */
int an3155_crc(struct an3155 *b, uint32_t addr, uint32_t len, uint32_t *crc,
	       struct sb_diag *diag);

#endif
