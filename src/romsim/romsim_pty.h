/* SPDX-License-Identifier: MIT */
/*
 * romsim_pty.h - a pseudo-terminal standing for the virtual board's serial
 * adapter, shared by `romsim serial` (romsim_serial_io.c: the USART on it)
 * and `romsim usb --adapter` (usbsim_adapter.c: only its DTR/RTS): the pty
 * with a slave kept open, an optional symlink to the slave, the serial-shim
 * socket "<dir>/pts<N>", and the host's opens and closes of the slave.
 *
 * Pty facts (testing-without-hardware §3): a read on the master fails with
 * EIO while no slave fd is open, hence the slave kept open for the whole
 * run; the pty driver has no modem lines, so the host's DTR/RTS only reach
 * us through the serial shim's messages, and its opens and closes through
 * inotify on the slave (Linux raises DTR/RTS on open and drops them on the
 * last close).
 *
 * Ownership: rspty_open() fills a caller's struct; rspty_close() closes
 * its descriptors and removes the link and the socket it created.
 */
#ifndef ROMSIM_PTY_H
#define ROMSIM_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

struct rspty {
	int master;            /* O_NONBLOCK */
	int slave;             /* ours, kept open */
	int ino;               /* inotify on the slave, or -1: no open/close model */
	int shim_ls;           /* serial-shim socket, or -1 */
	int host_opens;        /* host fds open on the slave */
	char slave_path[64];   /* "/dev/pts/N" */
	char link[1024];       /* "" if none */
	char shim_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/*
 * Create the pty (raw, 115200 and HUPCL until the host sets it), link
 * link to its slave if link is not NULL (an existing symlink is replaced,
 * another file is not), and watch the slave. 0, or -1 with a message in err; either way
 * call rspty_close().
 */
int rspty_open(struct rspty *p, const char *link, char *err, size_t errlen);
/* Listen on the serial-shim socket "<dir>/pts<N>" (dir is created if
 * absent). 0, or -1 with a message in err; the pty works without it. */
int rspty_listen_shim(struct rspty *p, const char *dir, char *err, size_t errlen);
/* Read the inotify events and call fn for the host's first open (true) and
 * last close (false) of the slave, in order. */
void rspty_host_events(struct rspty *p, void (*fn)(void *ctx, bool open), void *ctx);
void rspty_close(struct rspty *p);

/* A non-blocking SOCK_SEQPACKET listener at path (an old file is removed);
 * the fd, or -1 with a message in err. */
int rspty_listen(const char *path, char *err, size_t errlen);

#endif
