/* SPDX-License-Identifier: MIT */
/*
 * dfuse.h - host engine for USB DFU 1.1 with ST's DfuSe extensions (AN3156),
 * as spoken by the STM32 ROM bootloader (0483:DF11).
 *
 * The engine talks to the device only through a struct sb_usb (sb_link.h):
 * control transfers to one interface, alternate-setting selection, sleeps
 * for bwPollTimeout and an optional monotonic clock for deadlines. It never
 * prints: it logs through struct sb_log (TRACE: every transfer hex-dumped)
 * and reports progress through a callback.
 *
 * Errors: every function returns SB_OK or a negative enum sb_err and, when
 * diag is not NULL, fills it with a sentence naming the operation and the
 * memory address concerned (diag->addr, diag->has_addr). The mapping of DFU
 * status codes (protocol-facts B.4):
 *   errVENDOR        -> SB_ERR_PROTECTED (read protection; also on Set
 *                       Address, protocol-facts F.4)
 *   errTARGET        -> SB_ERR_BAD_INPUT  (the device rejected the address)
 *   any other status -> SB_ERR_NACK       (message names the status)
 * and of transport failures: a STALL is SB_ERR_NACK, a vanished device
 * SB_ERR_NO_DEVICE, an operation past its deadline SB_ERR_TIMEOUT, a reply in
 * the wrong DFU state SB_ERR_STATE.
 *
 * Device state: every public operation starts from dfuIDLE or
 * dfuDNLOAD-IDLE and leaves the device in one of them (reads end with
 * ABORT), except dfuse_leave() and dfuse_read_unprotect(), after which the
 * device is gone. Call dfuse_start() once after opening: a ROM may come up
 * in dfuERROR (protocol-facts B.8).
 *
 * Recovery: a STALLed request or a failed command/block is cleared
 * (CLRSTATUS in dfuERROR only, ABORT otherwise, back to dfuIDLE) and retried
 * up to timeouts.retries times. A data block is never simply sent again:
 * flash double-words cannot be programmed twice, so the block is read back
 * first; if it holds the data it counts as written, if it (or its tail) is
 * erased the rest is resent, otherwise the write fails naming the address.
 *
 * Threads: a struct dfuse is used by one thread at a time. No global state.
 * Ownership: dfuse_new() returns a handle freed with dfuse_free(); the
 * struct sb_usb it was given stays the caller's (dfuse_free does not close it).
 */
#ifndef SB_DFUSE_H
#define SB_DFUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "sb_err.h"
#include "sb_link.h"
#include "sb_log.h"

/* ---- DFU 1.1 vocabulary ------------------------------------------------ */

/* Class requests, protocol-facts B.2. */
enum dfu_request {
	DFU_DETACH = 0,
	DFU_DNLOAD = 1,
	DFU_UPLOAD = 2,
	DFU_GETSTATUS = 3,
	DFU_CLRSTATUS = 4,
	DFU_GETSTATE = 5,
	DFU_ABORT = 6,
};

/* bmRequestType of class requests to an interface (protocol-facts B.2). */
#define DFU_REQ_OUT 0x21
#define DFU_REQ_IN 0xA1

/* States, protocol-facts B.3. */
enum dfu_state {
	DFU_STATE_APP_IDLE = 0,
	DFU_STATE_APP_DETACH = 1,
	DFU_STATE_IDLE = 2,
	DFU_STATE_DNLOAD_SYNC = 3,
	DFU_STATE_DNBUSY = 4,
	DFU_STATE_DNLOAD_IDLE = 5,
	DFU_STATE_MANIFEST_SYNC = 6,
	DFU_STATE_MANIFEST = 7,
	DFU_STATE_MANIFEST_WAIT_RESET = 8,
	DFU_STATE_UPLOAD_IDLE = 9,
	DFU_STATE_ERROR = 10,
};

/* Status codes, protocol-facts B.4. */
enum dfu_status {
	DFU_STATUS_OK = 0x00,
	DFU_STATUS_ERR_TARGET = 0x01,
	DFU_STATUS_ERR_FILE = 0x02,
	DFU_STATUS_ERR_WRITE = 0x03,
	DFU_STATUS_ERR_ERASE = 0x04,
	DFU_STATUS_ERR_CHECK_ERASED = 0x05,
	DFU_STATUS_ERR_PROG = 0x06,
	DFU_STATUS_ERR_VERIFY = 0x07,
	DFU_STATUS_ERR_ADDRESS = 0x08,
	DFU_STATUS_ERR_NOTDONE = 0x09,
	DFU_STATUS_ERR_FIRMWARE = 0x0A,
	DFU_STATUS_ERR_VENDOR = 0x0B,
	DFU_STATUS_ERR_USBR = 0x0C,
	DFU_STATUS_ERR_POR = 0x0D,
	DFU_STATUS_ERR_UNKNOWN = 0x0E,
	DFU_STATUS_ERR_STALLEDPKT = 0x0F,
};

/* DfuSe command bytes in block 0, protocol-facts B.5. */
enum dfuse_command {
	DFUSE_CMD_GET_COMMANDS = 0x00,
	DFUSE_CMD_SET_ADDRESS = 0x21,
	DFUSE_CMD_ERASE = 0x41,
	DFUSE_CMD_READ_UNPROTECT = 0x92,
};

/* "dfuIDLE", "errTARGET", ...; "unknown" for values outside the tables. */
const char *dfu_state_name(int state);
const char *dfu_status_name(int status);

/* The 6-byte GETSTATUS reply, decoded (protocol-facts B.2). */
struct dfu_status_reply {
	uint8_t status;        /* enum dfu_status */
	uint32_t poll_ms;      /* bwPollTimeout, 24-bit */
	uint8_t state;         /* enum dfu_state */
	uint8_t istring;
};

/* ---- configuration ----------------------------------------------------- */

/*
 * Timeouts and bounds. dfuse_timeouts_default() gives the values below; a
 * zero in a *_ms deadline means "no deadline", a zero bound means "none
 * allowed" (e.g. retries = 0: fail at the first error).
 */
struct dfuse_timeouts {
	unsigned control_ms;     /* each control transfer (5000, as dfu-util: usb-anchors 1.4.4) */
	unsigned command_ms;     /* deadline of Set Address, Get Commands, leave (5000) */
	unsigned write_ms;       /* deadline of one data block (5000) */
	unsigned page_erase_ms;  /* deadline of one page erase (5000) */
	unsigned mass_erase_ms;  /* deadline of a mass erase / read unprotect (60000: the F405
				  * needs up to 32 s, dfu-util waits 35 s: protocol-facts B.8) */
	unsigned min_poll_ms;    /* floor under bwPollTimeout sleeps (0) */
	unsigned stall_wait_ms;  /* wait after a STALLed GETSTATUS while no bwPollTimeout
				  * is known yet (10) */
	unsigned stall_retries;  /* STALLed GETSTATUS in a row treated as "busy"
				  * (3, protocol-facts B.8) */
	unsigned zero_polls;     /* consecutive dfuDNBUSY with bwPollTimeout 0 allowed (100, B.8) */
	unsigned retries;        /* retries of a failed request/command/block (3) */
	unsigned run_blocks;     /* data blocks per Set Address (256; see dfuse_write()) */
};

void dfuse_timeouts_default(struct dfuse_timeouts *t);

enum dfuse_phase {
	DFUSE_PHASE_ERASE,
	DFUSE_PHASE_WRITE,
	DFUSE_PHASE_READ,
	DFUSE_PHASE_VERIFY,
};

struct dfuse_progress {
	enum dfuse_phase phase;
	uint32_t addr;     /* address just done */
	uint64_t done;     /* bytes (or, for erase, pages) done so far in this phase */
	uint64_t total;
};

typedef void (*dfuse_progress_fn)(void *ctx, const struct dfuse_progress *p);

struct dfuse_config {
	uint16_t interface;        /* wIndex of every request (bInterfaceNumber) */
	uint16_t transfer_size;    /* wTransferSize from the functional descriptor; 0: 2048 (B.1) */
	struct dfuse_timeouts to;  /* all zero: dfuse_timeouts_default() */
	const struct sb_log *log;  /* may be NULL; must outlive the handle */
	dfuse_progress_fn progress;/* may be NULL */
	void *progress_ctx;
	/* Flash programming unit in bytes (a power of two, e.g. 32 on H7): a failed
	 * block is resent from the start of the unit holding its first wrong byte.
	 * 0: 8, the L4 double-word (B.6). */
	uint8_t write_unit;
	bool erased_zero;          /* erased flash reads 0x00 (L0/L1), not 0xFF */
};

/* ---- handle ------------------------------------------------------------ */

struct dfuse;

/*
 * New engine over usb (copied; the handle behind it stays the caller's).
 * Touches nothing on the device. Returns NULL when out of memory.
 * Free with dfuse_free().
 */
struct dfuse *dfuse_new(const struct sb_usb *usb, const struct dfuse_config *cfg);
void dfuse_free(struct dfuse *d);

/* The transfer size in use (blocks are at most this long). */
uint16_t dfuse_transfer_size(const struct dfuse *d);

/* ---- DFU requests (one transfer each, no retry) ------------------------ */

int dfuse_get_status(struct dfuse *d, struct dfu_status_reply *st, struct sb_diag *diag);
int dfuse_get_state(struct dfuse *d, uint8_t *state, struct sb_diag *diag);
int dfuse_clear_status(struct dfuse *d, struct sb_diag *diag);
int dfuse_abort(struct dfuse *d, struct sb_diag *diag);
/* DFU_DETACH with wValue = timeout_ms (for run-time DFU interfaces). */
int dfuse_detach(struct dfuse *d, uint16_t timeout_ms, struct sb_diag *diag);
/* Select an alternate setting of the interface (ops->set_alt). */
int dfuse_set_alt(struct dfuse *d, int alt, struct sb_diag *diag);

/*
 * Bring the device to dfuIDLE: GETSTATUS, then CLRSTATUS if it is in
 * dfuERROR, ABORT if in dfuDNLOAD-IDLE/dfuUPLOAD-IDLE, wait if busy; a
 * bounded number of rounds. SB_ERR_STATE if it will not get there (e.g. it
 * is in appIDLE: a run-time interface, not the DFU-mode ROM).
 */
int dfuse_start(struct dfuse *d, struct sb_diag *diag);

/* ---- DfuSe commands (block 0), each with the B.5 handshake -------------- */

/*
 * Get Commands: UPLOAD wValue 0 (protocol-facts B.5). Copies up to cap
 * command bytes into cmds (the ROM answers 00 21 41 92) and their count
 * into *n. Ends with ABORT.
 */
int dfuse_get_commands(struct dfuse *d, uint8_t *cmds, size_t cap, size_t *n,
		       struct sb_diag *diag);
/* Set Address Pointer: 21 a0 a1 a2 a3 (little-endian). */
int dfuse_set_address(struct dfuse *d, uint32_t addr, struct sb_diag *diag);
/* Erase the page containing addr: 41 a0 a1 a2 a3. */
int dfuse_erase_page(struct dfuse *d, uint32_t addr, struct sb_diag *diag);
/* Mass erase: 41 alone; deadline timeouts.mass_erase_ms. */
int dfuse_mass_erase(struct dfuse *d, struct sb_diag *diag);
/*
 * Read Unprotect: 92. The device mass-erases, drops read protection and
 * resets right after the first GETSTATUS (protocol-facts B.5 exceptions), so
 * SB_OK means "accepted (dfuDNBUSY), device resetting": the handle must not
 * be used afterwards except to free it.
 */
int dfuse_read_unprotect(struct dfuse *d, struct sb_diag *diag);

/* ---- data -------------------------------------------------------------- */

/*
 * Write len bytes at addr (flash there must be erased; the ROM does not
 * erase: protocol-facts B.6). Blocks go out as DNLOAD wBlockNum 2, 3, ...
 * after one Set Address per run; a new run (Set Address, wBlockNum 2 again)
 * starts every timeouts.run_blocks blocks, before wBlockNum or the address
 * would wrap, and for a short block that is not the first of its run: the
 * ROM computes pointer + (wBlockNum - 2) * wTransferSize and sources differ
 * on whether that size is the fixed one or the current request's
 * (protocol-facts F.7); full blocks and wBlockNum 2 mean the same under
 * both readings, so the ambiguity never matters. Callers pad data to the
 * part's write unit (8 bytes on L4: protocol-facts B.6).
 */
int dfuse_write(struct dfuse *d, uint32_t addr, const uint8_t *data, size_t len,
		struct sb_diag *diag);

/*
 * After dfuse_write() failed: the DFU status the device reported for the
 * block behind the failure (DFU_STATUS_ERR_PROG, _ERR_WRITE, ...), or 0
 * when the failure was not a status error (a stall, a timeout, a read-back
 * that failed). errPROG or errWRITE is what the ROM answers for a
 * double-word programmed since its last erase (protocol-facts B.4, E.3;
 * which of the two is not documented). Such a block is sent at most twice
 * when its read-back shows it still erased, whatever timeouts.retries says:
 * a third try cannot succeed.
 */
uint8_t dfuse_write_status(const struct dfuse *d);

/*
 * Like dfuse_write() but for memories whose write resets the device
 * (option bytes, protocol-facts B.5 exceptions): one block, no retry, and
 * SB_OK as soon as the device reports dfuDNBUSY (or vanishes) for it.
 */
int dfuse_write_will_reset(struct dfuse *d, uint32_t addr, const uint8_t *data, size_t len,
			   struct sb_diag *diag);

/*
 * Read len bytes at addr into buf: Set Address, ABORT, UPLOAD wBlockNum
 * 2, 3, ... (protocol-facts B.6), ABORT. A short packet ends the read:
 * *got (may be NULL) receives the bytes read, which is < len only then.
 */
int dfuse_read(struct dfuse *d, uint32_t addr, uint8_t *buf, size_t len, size_t *got,
	       struct sb_diag *diag);

/*
 * Leave DFU (protocol-facts B.7): Set Address to addr (the image's vector
 * table), zero-length DNLOAD, GETSTATUS. A device that answers with a
 * manifestation state, disconnects or stalls has left: SB_OK.
 */
int dfuse_leave(struct dfuse *d, uint32_t addr, struct sb_diag *diag);

/* ---- images ------------------------------------------------------------ */

struct dfuse_layout;

/*
 * Erase the n pages whose addresses are in pages[] (e.g. from
 * dfuse_layout_pages()), with DFUSE_PHASE_ERASE progress.
 */
int dfuse_erase_pages(struct dfuse *d, const uint32_t *pages, size_t n, struct sb_diag *diag);

/*
 * Write every segment of img (DFUSE_PHASE_WRITE progress). layout may be
 * NULL; when given, runs also restart at the edges of its regions.
 */
int dfuse_write_image(struct dfuse *d, const struct sb_image *img,
		      const struct dfuse_layout *layout, struct sb_diag *diag);

/*
 * Read back every segment of img and compare (DFUSE_PHASE_VERIFY
 * progress): SB_ERR_VERIFY with diag naming the first differing address.
 */
int dfuse_verify_image(struct dfuse *d, const struct sb_image *img, struct sb_diag *diag);

#endif
