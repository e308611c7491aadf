/* SPDX-License-Identifier: MIT */
/*
 * usb_int.h - internals shared by usb.c (ops, opening) and usb_list.c
 * (enumeration). Not an interface for the programs: they use usb.h.
 */
#ifndef SB_USB_INT_H
#define SB_USB_INT_H

#include <libusb.h>

#include "usb.h"

/* One DFU-mode device found: a reference held on the libusb device, and its description. */
struct sb_usb_match {
	libusb_device *dev;
	struct sb_usb_device d;
};

/* libusb error code -> enum sb_err (the table in usb.h). */
int sb_usb_err(int lrc);

/* Fill diag for libusb error lrc while doing `what` ("opening") to d; returns the sb_err. */
int sb_usb_fail(struct sb_diag *diag, int lrc, const struct sb_usb_device *d, const char *what);

void sb_usb_sleep_ms(unsigned ms);
/*
 * libusb_init, tried again a few times when it fails with
 * LIBUSB_ERROR_OTHER: the udev monitor it sets up can fail transiently when
 * several processes start at once (seen with parallel jobs on a jig).
 */
int sb_usb_init(libusb_context **ctx, struct sb_diag *diag);
uint64_t sb_usb_now_ms(void);

/*
 * The DFU-mode devices of ctx matching sel (index and wait ignored),
 * sorted by bus and path, each opened briefly to read its strings. *m is
 * malloc'd (free with sb_usb_matches_free). When a device could not be
 * examined for a serial-number criterion, *denied (caller storage) gets
 * its description with strings_err set; else denied->strings_err is 0.
 */
int sb_usb_collect(libusb_context *ctx, const struct sb_usb_select *sel, struct sb_usb_match **m,
		   size_t *n, struct sb_usb_device *denied, struct sb_diag *diag);

/* Drop the references and the array; m may be NULL. */
void sb_usb_matches_free(struct sb_usb_match *m, size_t n);

#endif
