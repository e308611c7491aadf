/* SPDX-License-Identifier: MIT */
/*
 * usb.h - the libusb-1.0 backend of struct sb_usb (protocols/sb_link.h):
 * finding DFU-mode interfaces, describing them for `dfuse list`/`info`,
 * opening one for the DfuSe engine.
 *
 * A DFU-mode interface is class 0xFE, subclass 0x01, protocol 0x02
 * (protocol-facts B.1). One USB device is one entry, with all the alternate
 * settings of its DFU interface and their strings (the DfuSe memory
 * layouts, parsed by protocols/dfuse_layout.h). With sel->runtime the same
 * functions look for run-time DFU interfaces instead (protocol 0x01: an
 * application that can be asked to restart in DFU mode, DFU 1.1 §4.1).
 *
 * Errors: functions return SB_OK or a negative enum sb_err and fill diag.
 * libusb codes are translated here and nowhere else:
 *   LIBUSB_ERROR_ACCESS    -> SB_ERR_NO_DEVICE, message naming the udev rule
 *   LIBUSB_ERROR_BUSY      -> SB_ERR_NO_DEVICE, "held by another program"
 *   LIBUSB_ERROR_NO_DEVICE -> SB_ERR_NO_DEVICE ("device gone")
 *   LIBUSB_ERROR_PIPE      -> SB_ERR_NACK (a STALL)
 *   LIBUSB_ERROR_TIMEOUT   -> SB_ERR_TIMEOUT
 *   LIBUSB_ERROR_NO_MEM    -> SB_ERR_NOMEM, anything else SB_ERR_IO.
 *
 * Ownership: sb_usb_list() returns a malloc'd array the caller frees with
 * free(). sb_usb_open() fills a struct sb_usb whose handle owns a libusb
 * context, the open device and the claimed interface; usb->ops->close(usb->h)
 * releases all of them. Threads: one thread per opened handle; no global
 * state (each call makes its own libusb context).
 */
#ifndef SB_USB_H
#define SB_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_err.h"
#include "sb_link.h"

/* The udev rule shipped in udev/, and where it has to go; named in permission errors. */
#ifndef SB_UDEV_RULE
#define SB_UDEV_RULE "50-stmboot-dfu.rules"
#endif
#ifndef SB_UDEV_RULES_DIR
#define SB_UDEV_RULES_DIR "/etc/udev/rules.d"
#endif

/* ST ROM bootloader in DFU mode (protocol-facts B.1). */
#define SB_USB_ST_VID 0x0483
#define SB_USB_ST_DFU_PID 0xDF11

#define SB_USB_MAX_ALTS 16

struct sb_usb_alt {
	uint8_t alt;          /* bAlternateSetting */
	char name[256];       /* interface string ("@Internal Flash  /0x08000000/...") or "" */
};

/* DFU functional descriptor, type 0x21 (protocol-facts B.1). */
struct sb_usb_dfu_func {
	bool present;
	uint8_t attributes;        /* bit 0 download, 1 upload, 2 manifestation tolerant,
				    * 3 will detach */
	uint16_t detach_timeout_ms;
	uint16_t transfer_size;    /* wTransferSize; 0 if the descriptor is too short to say */
	uint16_t bcd_dfu;          /* bcdDFUVersion: 0x011A for DfuSe; 0 if absent (DFU 1.0) */
};

struct sb_usb_device {
	uint16_t vid, pid, bcd_device;
	uint8_t bus, address;      /* bus number, device address (devnum) */
	char path[32];             /* bus-port path "1-1.2" (stable across replugs into one port) */
	char manufacturer[128], product[128], serial[128];
	int strings_err;           /* SB_OK, or why the device could not be opened for strings */
	char strings_msg[512];     /* that error's message (names the udev rule for permissions) */
	uint8_t config;            /* bConfigurationValue holding the DFU interface */
	uint8_t interface;         /* bInterfaceNumber */
	bool runtime;              /* a run-time DFU interface (an application), not DFU mode */
	size_t nalts;
	struct sb_usb_alt alts[SB_USB_MAX_ALTS];
	struct sb_usb_dfu_func func;
};

/* Which device: every criterion given must match. */
struct sb_usb_select {
	int vid, pid;        /* -1: any */
	const char *serial;  /* NULL: any */
	const char *path;    /* NULL: any; bus-port path as in struct sb_usb_device */
	int index;           /* -1: none; else the index-th match (0-based, list order) */
	unsigned wait_s;     /* sb_usb_open: wait up to this long for a match to appear */
	bool runtime;        /* run-time DFU interfaces (protocol 1) instead of DFU mode */
};

/* 0483:df11, no other criterion, no wait. */
void sb_usb_select_default(struct sb_usb_select *sel);

/* "0483:df11" -> vid, pid (hex); "*" or empty half -> -1. SB_ERR_BAD_INPUT otherwise. */
int sb_usb_parse_id(const char *s, int *vid, int *pid, struct sb_diag *diag);

/*
 * Every DFU-mode device matching sel (index and wait_s ignored), sorted by
 * bus and path. *out is malloc'd (NULL when *n is 0); free() it.
 */
int sb_usb_list(const struct sb_usb_select *sel, struct sb_usb_device **out, size_t *n,
		struct sb_diag *diag);

/*
 * Open the one device sel designates, claim its DFU interface, and fill
 * usb (ops + handle) and, if dev is not NULL, its description. No match:
 * wait up to sel->wait_s seconds for one, then SB_ERR_NO_DEVICE. Several
 * matches and no index: SB_ERR_NO_DEVICE with a diag listing them. The
 * alternate setting is left as the device has it: select one with
 * usb->ops->set_alt (or dfuse_set_alt()).
 */
int sb_usb_open(const struct sb_usb_select *sel, struct sb_usb *usb, struct sb_usb_device *dev,
		struct sb_diag *diag);

/*
 * Ask the one run-time DFU device sel designates (sel->runtime implied) to
 * restart in DFU mode (DFU 1.1 §5.1): DFU_DETACH with wValue = its
 * wDetachTimeOut (at most 1000 ms), then a USB reset unless its functional
 * descriptor says it detaches by itself (bitWillDetach). A device that
 * leaves the bus during the request has done what was asked. A STALLed
 * DETACH: SB_ERR_NACK. Fills dev (if not NULL) with the device asked.
 */
int sb_usb_detach(const struct sb_usb_select *sel, struct sb_usb_device *dev,
		  struct sb_diag *diag);

/*
 * From now on, while cancelled(ctx) returns true, every control transfer on
 * usb (opened by sb_usb_open) fails at once with SB_ERR_INTERRUPTED and
 * sends nothing; close still works. NULL removes the hook.
 */
void sb_usb_set_cancel(struct sb_usb *usb, bool (*cancelled)(void *ctx), void *ctx);

/* One line for lists: "0483:df11 ver=2200 path=1-1 serial=204A325D574D \"STM32  BOOTLOADER\"". */
void sb_usb_describe(const struct sb_usb_device *dev, char *buf, size_t len);

#endif
