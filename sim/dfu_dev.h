/* SPDX-License-Identifier: MIT */
/*
 * dfu_dev.h - the USB DFU side of the virtual STM32L4R5 board: the ROM
 * bootloader's DfuSe function (0483:DF11, AN3156) as a pure model.
 *
 * No OS and no USB stack: the model answers control transfers given as a
 * setup packet plus data, and acts on a struct board (board.h). The umockdev
 * glue (src/romsim/usbsim.c) feeds it what libusb sends through usbdevfs; an engine
 * test can use it directly through dfu_dev_sb_usb(). Facts follow
 * ../shared/reference/protocol-facts.md section B; each rule in dfu_dev.c
 * cites its row, and where B marks a fact INF or CONFLICT the choice is said
 * there.
 *
 * What it models:
 *   - descriptors and strings of the L4R5 ROM (B.1), the alt-setting layout
 *     string following the DBANK mode in force;
 *   - the DFU state machine (B.2, B.3) with the DfuSe commands run at the
 *     first GETSTATUS (B.5: dfuDNBUSY with bwPollTimeout, then
 *     dfuDNLOAD-IDLE or dfuERROR with a status of B.4);
 *   - reads and writes of flash, option bytes and OTP through the alt that
 *     maps them (B.6), read protection (errVENDOR), leave (B.7);
 *   - leaving the bus: after leave (the board runs the application or, with
 *     no valid vector table, resets), after Read Unprotect and after an
 *     option-byte write (both reset the board). The caller sees this through
 *     dfu_dev_take_event() and re-enumerates with dfu_dev_reconnect() when
 *     the board is back in ROM mode.
 *
 * Timing model (only with dfu_dev_config.timing; without it every
 * transfer takes no time and bwPollTimeout is 0):
 *   - bus: USB full speed, control transfers at most 13 transactions of 64
 *     bytes per 1 ms frame (USB 2.0 table 5-5), i.e. 77 us per transaction;
 *     a transfer is setup + ceil(len / 64) data + status transactions, and
 *     transfers never overlap (one device, one control pipe);
 *   - flash: the board's own busy time (board_take_busy_us: ~25 ms per page
 *     erase, time per programmed double-word); it starts when the first
 *     GETSTATUS that runs the command has gone out, and bwPollTimeout
 *     reports it rounded up to whole milliseconds;
 *   - a request arriving while the flash is still busy waits (the device
 *     NAKs) until it is done, so a host that polls early loses nothing it
 *     would not lose on hardware, and one that sleeps too long pays for it.
 *   dfu_dev_control() returns when, on the caller's clock, the transfer
 *   completes; the harness sleeps until then.
 *
 * Fault injection (dfu_dev_faults, seeded, per device): STALL a share of
 * class requests, fail a share of commands/blocks with errUNKNOWN without
 * executing them, STALL the first N GETSTATUS after each command's
 * dfuDNBUSY (the L4 quirk of B.8), start in dfuERROR (B.8), vanish at the
 * Nth transfer.
 *
 * Threads: none of its own; not thread-safe. The caller serialises calls on
 * one device and on its board (the board may be shared with other sides).
 * Ownership: dfu_dev_new() returns a model freed with dfu_dev_free(); the
 * board stays the caller's and must outlive the model.
 */
#ifndef SIM_DFU_DEV_H
#define SIM_DFU_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "sb_link.h"
#include "sb_log.h"

/* A setup packet (USB 2.0 §9.3), host byte order. */
struct dfu_setup {
	uint8_t bmRequestType;
	uint8_t bRequest;
	uint16_t wValue;
	uint16_t wIndex;
	uint16_t wLength;
};

/* Negative results of dfu_dev_control(). */
enum {
	DFU_DEV_STALL = -1,   /* the request was STALLed (libusb: LIBUSB_ERROR_PIPE) */
	DFU_DEV_GONE = -2,    /* the device is not on the bus (usbdevfs: ENODEV) */
};

/* What the device did to the bus; see dfu_dev_take_event(). */
enum dfu_dev_event {
	DFU_DEV_EV_NONE = 0,
	DFU_DEV_EV_DETACHED,  /* left the bus: leave, Read Unprotect, option-byte write */
	DFU_DEV_EV_VANISHED,  /* fault injection: gone as if unplugged; never comes back */
};

struct dfu_dev_faults {
	unsigned stall_pct;    /* % of DFU class requests STALLed before being looked at */
	unsigned status_pct;   /* % of commands and data blocks failed with errUNKNOWN, not run */
	unsigned busy_stalls;  /* GETSTATUS STALLed after the dfuDNBUSY reply of each DfuSe
				* command, whose bwPollTimeout is then too short (L4 quirk, B.8) */
	unsigned vanish_at;    /* vanish at this control transfer (1 = first); 0 = never */
	bool start_error;      /* come up in dfuERROR / errUNKNOWN (B.8: clear before use) */
	uint32_t seed;         /* PRNG seed for the percentages */
};

/*
 * Parse "stall=PCT,status=PCT,busystall=N,vanish=N,starterr" (any subset,
 * any order; "" or "none" = no faults) into *out, keeping out->seed.
 * Returns 0, or -1 on a malformed spec (out is then unspecified).
 */
int dfu_dev_parse_faults(const char *spec, struct dfu_dev_faults *out);

/*
 * What the device answers for a data block that hits a double-word already
 * programmed since its last erase (FLASH PROGERR, protocol-facts E.3; the
 * data is left unchanged). Which DFU status the ST ROM uses for it is not
 * documented (B.4 marks errWRITE and errPROG "usage unknown"), and a ROM
 * that ignores PROGERR would report success (as A.7 reports for the
 * USART loader). Hosts must cope with all three.
 */
enum dfu_dev_prog_error {
	DFU_DEV_PROG_ERRPROG = 0,  /* dfuERROR / errPROG (the default) */
	DFU_DEV_PROG_ERRWRITE,     /* dfuERROR / errWRITE */
	DFU_DEV_PROG_SILENT,       /* dfuDNLOAD-IDLE / OK: nothing reported */
};

struct dfu_dev_config {
	unsigned index;              /* device number, 1-based; mixed into the serial so
				      * that boards with one UID still differ */
	bool timing;                 /* timing model on (see above) */
	struct dfu_dev_faults faults;
	enum dfu_dev_prog_error prog_error;
	const struct sb_log *log;    /* one DEBUG line per request, TRACE data; may be NULL;
				      * must outlive the model */
	/* The board's application offers a DFU run-time interface as
	 * app_vid:app_pid: while the board runs it, the device enumerates as
	 * that, and DFU_DETACH makes the application restart into the ROM
	 * loader (board_enter_rom), which then enumerates as 0483:DF11. */
	bool app_dfu;
	uint16_t app_vid, app_pid;
	/* Its functional descriptor lacks bitWillDetach: after DFU_DETACH it
	 * waits in appDETACH for the host's USB reset, which restarts it. */
	bool app_waits_reset;
};

struct dfu_dev;

/*
 * New device on board b, connected (as if just enumerated) when the board
 * is in ROM mode, else disconnected. Returns NULL when out of memory.
 */
struct dfu_dev *dfu_dev_new(struct board *b, const struct dfu_dev_config *cfg);
void dfu_dev_free(struct dfu_dev *d);

/*
 * One control transfer. data holds wLength bytes: the host's data for an
 * OUT request, the buffer to fill for an IN request. now_us is the caller's
 * monotonic clock (ignored without timing). *done_us (may be NULL) receives
 * the time at which the transfer completes in the model (== now_us without
 * timing). Returns the number of data bytes transferred, DFU_DEV_STALL or
 * DFU_DEV_GONE.
 */
int dfu_dev_control(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data,
		    uint64_t now_us, uint64_t *done_us);

/* usbdevfs SETINTERFACE / SETCONFIGURATION / RESET: 0, or DFU_DEV_STALL / DFU_DEV_GONE. */
int dfu_dev_set_alt(struct dfu_dev *d, unsigned interface, unsigned alt);
int dfu_dev_set_config(struct dfu_dev *d, unsigned config);
int dfu_dev_usb_reset(struct dfu_dev *d);

/* The last bus event since the previous call (then cleared). */
enum dfu_dev_event dfu_dev_take_event(struct dfu_dev *d);
bool dfu_dev_connected(const struct dfu_dev *d);
/* Fault injection made it vanish: it stays off the bus. */
bool dfu_dev_vanished(const struct dfu_dev *d);

/*
 * Bring a disconnected device back on the bus when its board is in ROM mode
 * (after the reset that followed an option write, or BOOT0 high + reset):
 * initial DFU state, descriptors for the DBANK mode now in force. Returns
 * true when it is connected afterwards.
 */
bool dfu_dev_reconnect(struct dfu_dev *d);
/* Whether dfu_dev_reconnect() would connect it now: not vanished, and the
 * board in ROM mode, or running an application that offers DFU run-time. */
bool dfu_dev_wants_bus(const struct dfu_dev *d);
/* Take the device off the bus (board left ROM mode behind the model's back). */
void dfu_dev_disconnect(struct dfu_dev *d);

/* ---- descriptors, for the sysfs attributes of the emulated device ---- */

/* Device (18) + configuration descriptor set, as sysfs "descriptors" holds them. */
size_t dfu_dev_descriptors(const struct dfu_dev *d, uint8_t *buf, size_t cap);
/* "STMicroelectronics", "STM32  BOOTLOADER", the 12-hex-digit serial. */
/* USB identity of the personality on the bus: 0483:DF11 bcdDevice 0x2200, or the application's. */
void dfu_dev_ids(const struct dfu_dev *d, uint16_t *vid, uint16_t *pid, uint16_t *bcd);
const char *dfu_dev_manufacturer(const struct dfu_dev *d);
const char *dfu_dev_product(const struct dfu_dev *d);
const char *dfu_dev_serial(const struct dfu_dev *d);
/* Interface string of alt (0..2), NULL for others. */
const char *dfu_dev_alt_name(const struct dfu_dev *d, unsigned alt);

/* ---- introspection, for tests and logs ---- */

uint8_t dfu_dev_state(const struct dfu_dev *d);
uint8_t dfu_dev_status(const struct dfu_dev *d);
uint32_t dfu_dev_pointer(const struct dfu_dev *d);
unsigned dfu_dev_alt(const struct dfu_dev *d);
/* "dfuIDLE", "errTARGET", ...: names of B.3 states and B.4 statuses ("?" otherwise). */
const char *dfu_dev_state_str(uint8_t state);
const char *dfu_dev_status_str(uint8_t status);

struct dfu_dev_stats {
	unsigned requests;       /* control transfers answered (incl. STALLed) */
	unsigned stalls;
	unsigned getstatus;
	unsigned commands;       /* DfuSe commands run */
	unsigned blocks;         /* data blocks written */
	unsigned uploads;        /* UPLOAD requests answered with data */
	unsigned errors;         /* transitions to dfuERROR */
	unsigned page_erases, mass_erases;
	unsigned detaches;       /* times it left the bus */
	unsigned enumerations;   /* times it (re)appeared */
	unsigned faults;         /* injected faults that fired */
	uint64_t bytes_down, bytes_up;
	uint64_t bus_us;         /* modelled bus time of all transfers */
	uint64_t flash_us;       /* modelled flash busy time */
	uint64_t wait_us;        /* time requests waited for a busy device */
};
void dfu_dev_stats(const struct dfu_dev *d, struct dfu_dev_stats *out);

/* Model time of one control transfer of len data bytes on the bus (timing model). */
uint64_t dfu_dev_bus_us(size_t len);

/*
 * Fill *usb with ops that drive this model directly, with no USB stack
 * (engine-against-model tests): control -> dfu_dev_control (STALL ->
 * SB_ERR_NACK, gone -> SB_ERR_NO_DEVICE), set_alt -> SET_INTERFACE, no
 * sleep, no clock. usb->h is d; close is NULL (the model stays the caller's).
 */
void dfu_dev_sb_usb(struct dfu_dev *d, struct sb_usb *usb);

#endif
