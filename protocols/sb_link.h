/* SPDX-License-Identifier: MIT */
/*
 * sb_link.h - the seams between the protocol engines and the world.
 *
 * An engine never calls the OS. It is handed an ops table and an opaque
 * handle; the OS glue in src/ (libserialport, termios, libusb) and the test
 * scripts in tests/ implement them. Every slot returns SB_OK or a negative
 * enum sb_err, unless its comment says otherwise.
 */
#ifndef SB_LINK_H
#define SB_LINK_H

#include <stddef.h>
#include <stdint.h>

/* ---- byte link (serial) ------------------------------------------------ */

struct sb_link_ops {
	/* Send all n bytes; fail with SB_ERR_TIMEOUT if they could not be queued within timeout_ms. */
	int (*write)(void *h, const uint8_t *buf, size_t n, unsigned timeout_ms);
	/*
	 * Receive up to n bytes, waiting at most timeout_ms in total (never
	 * forever). Returns the number of bytes received (0..n) or a negative
	 * error; fewer than n bytes means the deadline passed.
	 */
	int (*read)(void *h, uint8_t *buf, size_t n, unsigned timeout_ms);
	/* Discard bytes received but not yet read. */
	int (*flush)(void *h);
	/* Wait until every byte written has left the host. May be NULL. */
	int (*drain)(void *h);
	/* Set the modem lines: 1 asserted, 0 deasserted, -1 leave as is. May be NULL (SB_ERR_UNSUPPORTED). */
	int (*set_modem)(void *h, int dtr, int rts);
	/* Sleep; engines use it for settle times and poll intervals. NULL: no wait. */
	void (*sleep_ms)(void *h, unsigned ms);
	/* Release the link and free h. May be NULL. */
	void (*close)(void *h);
	/* Change the line rate (same framing), after the bytes written so far
	 * have left. May be NULL: the rate cannot change (SB_ERR_UNSUPPORTED). */
	int (*set_baud)(void *h, unsigned baud);
};

struct sb_link {
	const struct sb_link_ops *ops;
	void *h;
};

/* ---- USB control pipe (DFU) -------------------------------------------- */

struct sb_usb_ops {
	/*
	 * One control transfer. Returns the number of bytes transferred (>= 0)
	 * or a negative error: SB_ERR_NACK for a STALL, SB_ERR_TIMEOUT,
	 * SB_ERR_NO_DEVICE when the device has gone, SB_ERR_IO otherwise.
	 */
	int (*control)(void *h, uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue,
		       uint16_t wIndex, uint8_t *buf, uint16_t wLength, unsigned timeout_ms);
	/* Select an alternate setting of the claimed interface. */
	int (*set_alt)(void *h, int interface, int alt);
	/* Sleep (bwPollTimeout); NULL: no wait. */
	void (*sleep_ms)(void *h, unsigned ms);
	/* Monotonic milliseconds, for operation deadlines; NULL: deadlines count polls only. */
	uint64_t (*now_ms)(void *h);
	/* Release the device and free h. May be NULL. */
	void (*close)(void *h);
};

struct sb_usb {
	const struct sb_usb_ops *ops;
	void *h;
};

#endif
