/* SPDX-License-Identifier: MIT */
/*
 * serial_int.h - what the serial_*.c files share; not for the programs.
 *
 * serial.c       serial_open(), the link slots, the libserialport path
 * serial_tty.c   the plain termios path, modem lines, low-latency settings
 * serial_lock.c  exclusive access and naming the holder of a busy port
 * serial_list.c  enumeration, usb:VID:PID[:SERIAL] resolution, hints
 */
#ifndef SB_SERIAL_INT_H
#define SB_SERIAL_INT_H

#include <libserialport.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "serial.h"

struct serial_port {
	char *dev;              /* device path opened (resolved; for messages too) */
	struct sp_port *sp;     /* libserialport handle; NULL on the termios path */
	int fd;                 /* the tty fd: sp's handle, or lock_fd on the termios path */
	int lock_fd;            /* our own fd, holding the flock and POSIX locks */
	unsigned baud;
	bool parity;            /* PARENB read back after configuring */
	bool low_latency;
	struct sb_log log;
	bool (*cancelled)(void *ctx);   /* serial_opts.cancelled */
	void *cancel_ctx;
	/* restored on close */
	struct termios saved;   /* the settings found at open, if saved_ok */
	bool saved_ok;
	bool serial_flags_changed;
	int latency_old;        /* FTDI latency_timer before we set it; -1: untouched */
	char *latency_path;
};

/* serial_tty.c */
int ser_tty_configure(struct serial_port *p, struct sb_diag *d);
int ser_tty_read(struct serial_port *p, uint8_t *buf, size_t n, unsigned timeout_ms);
int ser_tty_write(struct serial_port *p, const uint8_t *buf, size_t n, unsigned timeout_ms);
int ser_set_modem(struct serial_port *p, int dtr, int rts);
bool ser_parity_read_back(int fd);
void ser_low_latency(struct serial_port *p);
/* Remember the tty settings found at open; put them back at close. */
void ser_save_termios(struct serial_port *p);
void ser_restore_termios(struct serial_port *p);
/* serial_set_frame() on the fd (both paths). */
int ser_tty_set_frame(struct serial_port *p, unsigned baud, char parity, struct sb_diag *d);
void ser_restore_latency(struct serial_port *p);
/* An errno from an operation on an open port as an sb_err (EIO and friends: the port vanished). */
int ser_errno_err(int e);

/* serial_lock.c */
/* Open p->dev into p->lock_fd and lock it; the errors of serial_open(). */
int ser_lock_open(struct serial_port *p, struct sb_diag *d);
/* TIOCEXCL on the open fds; failures only logged (root ignores it anyway). */
void ser_exclusive(struct serial_port *p);
/* TIOCNXCL before the close: the flag must not outlive our use of the port. */
void ser_unexclusive(struct serial_port *p);
/* The sb_diag for an open that failed with errno e. */
int ser_open_error(struct serial_port *p, int e, struct sb_diag *d);

#endif
