/* SPDX-License-Identifier: MIT */
/*
 * romsim_serial_io.h - the OS side of `romsim serial`: a pseudo-terminal
 * that carries the virtual board's USART, the serial-shim and pins sockets,
 * and the event loop that moves bytes and messages between them and a
 * struct sersim (sim/sersim.h).
 *
 * Ownership: rsio_open() returns a handle freed by rsio_close(), which also
 * removes the pty link and the sockets it created.
 */
#ifndef ROMSIM_SERIAL_IO_H
#define ROMSIM_SERIAL_IO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sersim.h"

struct rsio_config {
	const char *pty_link;   /* symlink to the slave, or NULL */
	const char *pins_sock;  /* pins socket path, or NULL */
	const char *shim_dir;   /* directory of the serial-shim socket "pts<N>" */
};

struct rsio;

/* NULL with a message in err when the pty or a socket cannot be set up. */
struct rsio *rsio_open(const struct rsio_config *cfg, char *err, size_t errlen);
/* A problem that does not stop serving (no serial-shim socket), or "". */
const char *rsio_warning(const struct rsio *io);
/* "/dev/pts/N" */
const char *rsio_slave_path(const struct rsio *io);
/* Serve until *stop becomes non-zero. Returns 0, or -1 on a fatal I/O error. */
int rsio_run(struct rsio *io, struct sersim *s, volatile sig_atomic_t *stop);
void rsio_close(struct rsio *io);
/* Monotonic clock in nanoseconds (the time base of sersim). */
uint64_t rsio_now(void);

#endif
