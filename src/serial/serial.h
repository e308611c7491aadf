/* SPDX-License-Identifier: MIT */
/*
 * serial.h - a real serial port as a byte link (struct sb_link, sb_link.h).
 *
 * The port always runs 8 data bits, even parity, 1 stop bit, no flow
 * control (protocol-facts A.1: the ROM loader's USART frame), at any baud the
 * adapter accepts. Reads and writes have finite timeouts; a short read
 * means the deadline passed.
 *
 * Ports are opened through libserialport. Ports it refuses (pseudo-
 * terminals from socat, ser2net or a simulator: no /sys/class/tty entry)
 * are opened through plain termios instead, with one warning that the link
 * may not carry parity. After configuring, the settings are read back; a
 * port that dropped PARENB (Raspberry Pi mini-UART, some CH340 drivers) is
 * named in a warning and reported by serial_get_status().
 *
 * The port is held exclusively (flock, a POSIX lock as taken by stm32flash's
 * lockf, and TIOCEXCL) until the link is closed. Where the driver allows
 * it, ASYNC_LOW_LATENCY and the FTDI latency timer (1 ms instead of 16) are
 * set, and restored on close.
 *
 * Errors: every function returns SB_OK or a negative enum sb_err and, when
 * given a struct sb_diag, fills it with a sentence naming the port:
 *   SB_ERR_NO_DEVICE  no such port (the ports present are listed), port
 *                     busy (the holder is named where /proc tells), access
 *                     denied (the group to join is named), several USB
 *                     ports match a usb: spec, the port vanished
 *   SB_ERR_BAD_INPUT  malformed usb: spec, baud refused by the adapter
 *   SB_ERR_IO         any other OS failure
 * The link's slots report failures through the log (they have no diag).
 *
 * Logging: through the struct sb_log given at open; WARN for the parity
 * and fallback warnings, DEBUG for what was set, TRACE for every byte
 * ("serial tx" / "serial rx").
 *
 * Threads: a link is used by one thread at a time; no global state.
 * Linux only (TIOCEXCL, TIOCSSERIAL, /proc, sysfs).
 */
#ifndef SB_SERIAL_H
#define SB_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sb_err.h"
#include "sb_link.h"
#include "sb_log.h"

/* protocol-facts A.1: the ROM detects the baud from 0x7F; 1200..115200 is the documented range. */
#define SERIAL_DEFAULT_BAUD 115200u

struct serial_opts {
	unsigned baud;            /* bits per second; 0: SERIAL_DEFAULT_BAUD */
	const struct sb_log *log; /* copied; fn/ctx must outlive the link. NULL: silent */
	bool keep_latency;        /* true: leave ASYNC_LOW_LATENCY / latency_timer alone */
	/*
	 * set_lines: drive DTR and RTS to these levels (1 asserted, 0 not, -1
	 * as they are) as soon as the port is open, before it is configured,
	 * so that a board wired to them (NRST, BOOT0) sees Linux's assertion
	 * on open for as short a time as possible.
	 */
	bool set_lines;
	int dtr, rts;
	/*
	 * cancelled: while it returns true, read and write fail at once with
	 * SB_ERR_INTERRUPTED and move no byte (a job stopping at a block
	 * boundary, src/common/jobstop.h); flush, drain, modem lines and close work.
	 * NULL: never.
	 */
	bool (*cancelled)(void *ctx);
	void *cancel_ctx;
};

/*
 * Open the port named by spec and configure it:
 *   a path          "/dev/ttyUSB0", or a symlink ("/dev/serial/by-id/...",
 *                   "/tmp/board0" made by socat or the simulator)
 *   a USB identity  "usb:VID:PID" or "usb:VID:PID:SERIAL", VID and PID in hex,
 *                   matched against libserialport's enumeration
 * On success *link is ready; release it with link->ops->close(link->h),
 * which restores the termios settings found at open and the latency
 * settings, and frees the handle. The modem
 * lines are as the OS left them (Linux asserts DTR and RTS on open) unless
 * opts->set_lines; a port without modem lines then fails with
 * SB_ERR_UNSUPPORTED. Input received before the open is discarded.
 */
int serial_open(const char *spec, const struct serial_opts *opts, struct sb_link *link,
		struct sb_diag *d);

/*
 * The device that serial_open() would open for spec, without opening it:
 * the path with symlinks resolved, or the one port matching a usb: spec.
 * On success *path is malloc'd and the caller frees it. Errors as for
 * serial_open() (no such port, no match, several matches, bad usb: spec).
 */
int serial_resolve(const char *spec, char **path, struct sb_diag *d);

/* What serial_open found out about the port. Strings belong to the link. */
struct serial_status {
	const char *path;     /* device opened ("/dev/ttyUSB0", "/dev/pts/3") */
	bool libserialport;   /* true: opened through libserialport; false: plain termios */
	bool parity;          /* true: even parity read back after configuring */
	bool low_latency;     /* true: ASYNC_LOW_LATENCY or a 1 ms latency timer is in effect */
	unsigned baud;        /* as requested */
};

/*
 * Change the line settings of an open link: baud and parity ('N' none,
 * 'E' even), 8 data bits, 1 stop bit - e.g. to read an application's 8N1
 * output after the ROM loader's 8E1 session. Received bytes are kept.
 * SB_ERR_BAD_INPUT for a rate the adapter refuses or a link not made by
 * serial_open.
 */
int serial_set_frame(const struct sb_link *link, unsigned baud, char parity, struct sb_diag *d);

/* Fill *st for a link made by serial_open; SB_ERR_BAD_INPUT for any other link. */
int serial_get_status(const struct sb_link *link, struct serial_status *st);

/* One candidate port, as `an3155 list` shows it. NULL strings: not known. */
struct serial_port_info {
	char *path;          /* "/dev/ttyUSB0"; never NULL */
	char *description;   /* libserialport's description ("FT232R USB UART - A50285BI") */
	bool usb;            /* the fields below are valid */
	unsigned vid, pid;   /* USB vendor and product ID */
	char *serial;        /* USB serial number string */
	char *manufacturer;
	char *product;
};

/*
 * The serial ports of this machine, sorted by path. On success *ports is
 * an array of *count entries (possibly zero; *ports is then still a valid
 * allocation) owned by the caller: free it with serial_list_free().
 * Pseudo-terminals are not listed (they have no sysfs entry).
 */
int serial_list(struct serial_port_info **ports, size_t *count, struct sb_diag *d);

/* Free an array from serial_list() and every string in it; NULL is fine. */
void serial_list_free(struct serial_port_info *ports, size_t count);

#endif
