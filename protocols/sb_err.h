/* SPDX-License-Identifier: MIT */
/*
 * sb_err.h - the one error enum of libstmboot.
 *
 * Every library function that can fail returns an int: SB_OK (0) or one of
 * the negative codes below. Foreign codes (errno, libusb, libserialport,
 * libgpiod) are translated at the backend edge, never passed through.
 * Where a failure has more to say (file name and line, address), the caller
 * passes a struct sb_diag that the function fills in.
 *
 * Threads: nothing here keeps global state; sb_strerror() returns static text.
 */
#ifndef SB_ERR_H
#define SB_ERR_H

#include <stddef.h>

enum sb_err {
	SB_OK = 0,
	SB_ERR_NACK = -1,        /* device answered NACK (0x1F) / DFU status error */
	SB_ERR_TIMEOUT = -2,     /* no (complete) answer within the deadline */
	SB_ERR_FRAMING = -3,     /* bad checksum, unexpected byte, malformed reply */
	SB_ERR_UNSUPPORTED = -4, /* the bootloader does not offer the command */
	SB_ERR_PROTECTED = -5,   /* read/write protection is active */
	SB_ERR_VERIFY = -6,      /* flash contents differ from the image */
	SB_ERR_BAD_INPUT = -7,   /* malformed file, image outside the part, bad argument */
	SB_ERR_IO = -8,          /* the OS failed a read/write/ioctl */
	SB_ERR_NO_DEVICE = -9,   /* port/device absent, vanished, or busy */
	SB_ERR_NOMEM = -10,      /* allocation failed */
	SB_ERR_STATE = -11,      /* device in an unexpected protocol state */
	SB_ERR_INTERRUPTED = -12,/* stopped on request (a signal) at a block boundary */
	SB_ERR_EXPECT = -13,     /* the application's expected output did not appear */
};

/* Static English text for an error code; never NULL. */
const char *sb_strerror(int err);

/* Short stable identifier ("nack", "timeout", ...) for --json output. */
const char *sb_errname(int err);

/*
 * Detail for the error a function returned: a human sentence naming the file
 * and line/offset, or the address, where one applies. Filled by the callee
 * with sb_diag_set(); callers may pass NULL when they do not care.
 */
struct sb_diag {
	char msg[512];
	unsigned long addr;  /* address the failure concerns, if has_addr */
	int has_addr;
};

/* printf-style; returns err so that callers can write `return sb_diag_set(d, SB_ERR_X, ...)`. */
int sb_diag_set(struct sb_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As sb_diag_set, and records addr as the address the failure concerns. */
int sb_diag_addr(struct sb_diag *d, int err, unsigned long addr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
