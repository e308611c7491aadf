/* SPDX-License-Identifier: MIT */
/*
 * romsim_serial_io.c - sockets and event loop of `romsim serial`, on the
 * pseudo-terminal of romsim_pty.h.
 *
 * The pty driver drops parity, so the host's real line settings only reach
 * us through the serial shim's CFLAG messages. Bytes sent while nobody
 * listens are lost (flushed at the host's open and last close).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "romsim_pty.h"
#include "romsim_serial_io.h"

#define MAX_CLIENTS 32
#define PEND_MAX 65536

struct rsio {
	struct rspty pty;
	int pins_ls;
	int clients[MAX_CLIENTS];
	unsigned nclients;
	char pins_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char warning[256];
	uint8_t pend[PEND_MAX];  /* reply bytes due but not yet taken by the master */
	size_t npend;
};

uint64_t rsio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- setup ---- */

static int open_pins_sock(struct rsio *io, const char *path, char *err, size_t errlen)
{
	io->pins_ls = rspty_listen(path, err, errlen);
	if (io->pins_ls < 0)
		return -1;
	snprintf(io->pins_path, sizeof io->pins_path, "%s", path);
	return 0;
}

struct rsio *rsio_open(const struct rsio_config *cfg, char *err, size_t errlen)
{
	struct rsio *io = calloc(1, sizeof *io);

	if (!io) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	io->pins_ls = -1;
	if (rspty_open(&io->pty, cfg->pty_link, err, errlen) < 0 ||
	    (cfg->pins_sock && open_pins_sock(io, cfg->pins_sock, err, errlen) < 0)) {
		rsio_close(io);
		return NULL;
	}
	/* Without the shim socket hosts still work; they just cannot report. */
	rspty_listen_shim(&io->pty, cfg->shim_dir, io->warning, sizeof io->warning);
	return io;
}

const char *rsio_warning(const struct rsio *io)
{
	return io->warning;
}

const char *rsio_slave_path(const struct rsio *io)
{
	return io->pty.slave_path;
}

void rsio_close(struct rsio *io)
{
	if (!io)
		return;
	for (unsigned i = 0; i < io->nclients; i++)
		close(io->clients[i]);
	if (io->pins_ls >= 0)
		close(io->pins_ls);
	if (io->pins_path[0])
		unlink(io->pins_path);
	rspty_close(&io->pty);
	free(io);
}

/* ---- loop ---- */

static void on_master(struct rsio *io, struct sersim *s)
{
	uint8_t buf[4096];
	ssize_t n = read(io->pty.master, buf, sizeof buf);

	if (n > 0)
		sersim_host_bytes(s, buf, (size_t)n, rsio_now());
}

/* Move due output into the pending buffer, and pending bytes into the pty. */
static void flush_output(struct rsio *io, struct sersim *s)
{
	ssize_t w;

	io->npend += sersim_take_output(s, rsio_now(), io->pend + io->npend, PEND_MAX - io->npend);
	if (!io->npend)
		return;
	w = write(io->pty.master, io->pend, io->npend);
	if (w <= 0)
		return;  /* the host is not reading: keep the bytes, wait for POLLOUT */
	memmove(io->pend, io->pend + w, io->npend - (size_t)w);
	io->npend -= (size_t)w;
}

struct host_ctx {
	struct rsio *io;
	struct sersim *s;
};

/* The host's first open and last close: nobody heard what was sent before. */
static void on_host(void *ctx, bool open)
{
	struct host_ctx *h = ctx;

	if (open) {
		tcflush(h->io->pty.slave, TCIFLUSH);
		h->io->npend = 0;
		sersim_host_open(h->s, rsio_now());
	} else {
		sersim_host_close(h->s, rsio_now());
		tcflush(h->io->pty.slave, TCIFLUSH);
		h->io->npend = 0;
	}
}

static void on_inotify(struct rsio *io, struct sersim *s)
{
	struct host_ctx h = { io, s };

	rspty_host_events(&io->pty, on_host, &h);
}

static void on_accept(struct rsio *io, int ls)
{
	int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (io->nclients == MAX_CLIENTS) {
		close(fd);
		return;
	}
	io->clients[io->nclients++] = fd;
}

/* One message, one answer, after the board has processed it. */
static bool on_client(struct rsio *io, struct sersim *s, int fd)
{
	char msg[512], reply[128];
	ssize_t n = recv(fd, msg, sizeof msg - 1, 0);

	(void)io;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return false;
	if (n < 0)
		return true;
	msg[n] = '\0';
	sersim_message(s, msg, reply, sizeof reply, rsio_now());
	send(fd, reply, strlen(reply), MSG_NOSIGNAL);
	return true;
}

static void drop_client(struct rsio *io, unsigned i)
{
	close(io->clients[i]);
	io->clients[i] = io->clients[--io->nclients];
}

/* Until the next reply byte is due; NULL: nothing queued. Nanoseconds, so
 * that the timing model does not round every reply up to a millisecond. */
static struct timespec *poll_timeout(const struct rsio *io, const struct sersim *s,
				     struct timespec *ts)
{
	uint64_t due = sersim_next_due(s), now = rsio_now(), wait;

	if (io->npend)
		due = now + 50000000u;  /* the host is not reading: look again soon */
	if (due == UINT64_MAX)
		return NULL;
	wait = due > now ? due - now : 0;
	ts->tv_sec = (time_t)(wait / 1000000000u);
	ts->tv_nsec = (long)(wait % 1000000000u);
	return ts;
}

enum { P_INO, P_MASTER, P_SHIM, P_PINS, P_CLIENTS };

static void fill_pollfds(const struct rsio *io, struct pollfd *p)
{
	p[P_INO] = (struct pollfd){ .fd = io->pty.ino, .events = POLLIN };
	p[P_MASTER] = (struct pollfd){ .fd = io->pty.master,
				       .events = POLLIN | (io->npend ? POLLOUT : 0) };
	p[P_SHIM] = (struct pollfd){ .fd = io->pty.shim_ls, .events = POLLIN };
	p[P_PINS] = (struct pollfd){ .fd = io->pins_ls, .events = POLLIN };
	for (unsigned i = 0; i < io->nclients; i++)
		p[P_CLIENTS + i] = (struct pollfd){ .fd = io->clients[i], .events = POLLIN };
}

static void handle(struct rsio *io, struct sersim *s, const struct pollfd *p, unsigned nclients)
{
	if (p[P_INO].revents & POLLIN)
		on_inotify(io, s);  /* before the data, so an open's flush cannot eat a reply */
	if (p[P_MASTER].revents & POLLIN)
		on_master(io, s);
	if (p[P_SHIM].revents & POLLIN)
		on_accept(io, io->pty.shim_ls);
	if (p[P_PINS].revents & POLLIN)
		on_accept(io, io->pins_ls);
	for (unsigned i = nclients; i-- > 0;) {
		if (p[P_CLIENTS + i].revents & (POLLIN | POLLHUP | POLLERR) &&
		    !on_client(io, s, io->clients[i]))
			drop_client(io, i);
	}
}

int rsio_run(struct rsio *io, struct sersim *s, volatile sig_atomic_t *stop)
{
	struct pollfd p[P_CLIENTS + MAX_CLIENTS];
	struct timespec ts;

	while (!*stop) {
		unsigned nclients = io->nclients;
		int rc;

		fill_pollfds(io, p);
		rc = ppoll(p, P_CLIENTS + nclients, poll_timeout(io, s, &ts), NULL);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc > 0)
			handle(io, s, p, nclients);
		sersim_tick(s, rsio_now());  /* code on the CPU model, if any, works */
		flush_output(io, s);
	}
	return 0;
}
