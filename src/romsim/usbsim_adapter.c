/* SPDX-License-Identifier: MIT */
/*
 * usbsim_adapter.c - a USB-serial adapter beside each emulated DfuSe
 * device, whose DTR/RTS drive the board's BOOT0/NRST (usbsim.h): a
 * pseudo-terminal (romsim_pty.h) for the host, the wiring of sim/adapter.h,
 * and one thread that follows the host's opens and closes of the slave
 * (inotify) and the serial shim's "TIOCM" messages.
 *
 * Pins change as through usbsim_pins.c: under the bus lock, then the
 * service thread is kicked so that the bus follows the board (a board
 * leaving the ROM leaves the bus, one reset back into it re-enumerates
 * after reenum_ms). Each event is logged as
 *   "1-N: adapter: TIOCM dtr=1 rts=1 -> PIN boot0 1, PIN nrst 0 (board reset)"
 * with the pin changes in the order made ("no change" if none).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "romsim_pty.h"
#include "usbsim_priv.h"

#define MAX_CLIENTS 16

struct usbsim_adapter {
	struct usbsim *sim;
	struct adapter_map map;
	unsigned n;                          /* adapters: devices 1..n */
	struct rspty pty[USBSIM_MAX_DEVICES];
	int client[MAX_CLIENTS];
	unsigned client_dev[MAX_CLIENTS];    /* 1.. */
	int wake[2];
	pthread_t thread;
	bool thread_on;
	const char *banner;                  /* the application's output on the adapter's RX */
	unsigned seen_resets[USBSIM_MAX_DEVICES];
	enum board_mode seen_mode[USBSIM_MAX_DEVICES];
};

/* Apply pin levels to device num's board and log them after what. Lock held. */
static void apply(struct usbsim *s, unsigned num, const char *what, const struct adapter_pin *p,
		  size_t n)
{
	struct board *b = s->slot[num - 1].b;
	char done[64] = "no change";
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (board_get_pin(b, p[i].pin) == p[i].level)
			continue;
		board_set_pin(b, p[i].pin, p[i].level);
		k += (size_t)snprintf(done + k, sizeof(done) - k, "%sPIN %s %d", k ? ", " : "",
				      board_pin_name(p[i].pin), p[i].level);
	}
	usbsim_logf(s, "1-%u: adapter: %s -> %s (board %s)", num, what, done,
		    board_mode_name(board_mode(b)));
	pthread_cond_signal(&s->kick);
}

/* One serial-shim message for device num; the reply is static text. Lock held. */
static const char *dispatch(struct usbsim_adapter *a, unsigned num, const char *msg)
{
	struct adapter_pin p[ADAPTER_NLINES];
	int line[ADAPTER_NLINES];

	if (!strncmp(msg, "CFLAG ", 6)) {
		usbsim_logf(a->sim, "1-%u: adapter: %s", num, msg);  /* no UART behind it */
		return "ok";
	}
	if (strncmp(msg, "TIOCM ", 6))
		return "error: unknown message";
	if (adapter_parse_tiocm(msg + 6, line) < 0)
		return "error: bad TIOCM";
	apply(a->sim, num, msg, p, adapter_pins(&a->map, line, p));
	return "ok";
}

static void serve(struct usbsim_adapter *a, unsigned i)
{
	char msg[256];
	const char *reply;
	ssize_t n = recv(a->client[i], msg, sizeof(msg) - 1, 0);

	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(a->client[i]);
		a->client[i] = -1;
		return;
	}
	msg[n] = '\0';
	msg[strcspn(msg, "\r\n")] = '\0';
	pthread_mutex_lock(&a->sim->lock);
	reply = dispatch(a, a->client_dev[i], msg);
	pthread_mutex_unlock(&a->sim->lock);
	send(a->client[i], reply, strlen(reply), MSG_NOSIGNAL);
}

static void accept_one(struct usbsim_adapter *a, unsigned dev)
{
	int fd = accept4(a->pty[dev].shim_ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		if (a->client[i] < 0) {
			a->client[i] = fd;
			a->client_dev[i] = dev + 1;
			return;
		}
	}
	close(fd);
}

struct host_ctx {
	struct usbsim_adapter *a;
	unsigned num;
};

static void on_host(void *ctx, bool open)
{
	struct host_ctx *h = ctx;
	struct usbsim *s = h->a->sim;
	struct adapter_pin p[ADAPTER_NLINES];

	pthread_mutex_lock(&s->lock);
	apply(s, h->num, open ? "host open" : "host close", p, adapter_host(&h->a->map, open, p));
	pthread_mutex_unlock(&s->lock);
}

/* What the host writes goes nowhere: the adapter's TX is not wired. */
static void drain(int master)
{
	char buf[4096];

	while (read(master, buf, sizeof(buf)) > 0)
		;
}

enum { PER_DEV = 3 };  /* pollfds per adapter: inotify, master, shim socket */

static void on_adapter(struct usbsim_adapter *a, unsigned d, const struct pollfd *pf)
{
	struct host_ctx h = { a, d + 1 };

	if (pf[0].revents & POLLIN)
		rspty_host_events(&a->pty[d], on_host, &h);
	if (pf[1].revents & POLLIN)
		drain(a->pty[d].master);
	if (pf[2].revents & POLLIN)
		accept_one(a, d);
}

/* On the way out: a close the host made just before it exited still counts. */
static void last_events(struct usbsim_adapter *a)
{
	for (unsigned d = 0; d < a->n; d++) {
		struct host_ctx h = { a, d + 1 };

		if (a->pty[d].ino >= 0)
			rspty_host_events(&a->pty[d], on_host, &h);
	}
}

/* Under the bus lock: whether device d's board has just started its application. */
static bool app_started(struct usbsim_adapter *a, unsigned d)
{
	return board_follow(a->sim->slot[d].b, &a->seen_resets[d], &a->seen_mode[d], NULL);
}

/* Each board that started its application prints the banner to a host that listens. */
static void follow_apps(struct usbsim_adapter *a)
{
	for (unsigned d = 0; d < a->n; d++) {
		bool started;

		pthread_mutex_lock(&a->sim->lock);
		started = app_started(a, d);
		pthread_mutex_unlock(&a->sim->lock);
		if (!started)
			continue;
		usbsim_logf(a->sim, "1-%u: adapter: application started%s", d + 1,
			    a->pty[d].host_opens > 0 ? ", banner sent" : ", no host listening");
		if (a->pty[d].host_opens > 0 &&
		    write(a->pty[d].master, a->banner, strlen(a->banner)) < 0)
			usbsim_logf(a->sim, "1-%u: adapter: banner lost: %s", d + 1, strerror(errno));
	}
}

static void *adapter_main(void *arg)
{
	struct usbsim_adapter *a = arg;
	struct pollfd pf[1 + PER_DEV * USBSIM_MAX_DEVICES + MAX_CLIENTS];

	for (;;) {
		unsigned n = 0;

		pf[n++] = (struct pollfd){ .fd = a->wake[0], .events = POLLIN };
		for (unsigned d = 0; d < a->n; d++) {
			pf[n++] = (struct pollfd){ .fd = a->pty[d].ino, .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = a->pty[d].master, .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = a->pty[d].shim_ls, .events = POLLIN };
		}
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			pf[n++] = (struct pollfd){ .fd = a->client[i], .events = POLLIN };
		/* with a banner, look at the boards every 10 ms: leave starts them from USB */
		if (poll(pf, n, a->banner ? 10 : -1) < 0 && errno != EINTR)
			return NULL;
		if (a->banner)
			follow_apps(a);
		if (pf[0].revents) {
			last_events(a);
			return NULL;
		}
		for (unsigned d = 0; d < a->n; d++)
			on_adapter(a, d, pf + 1 + PER_DEV * d);
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			if (pf[1 + PER_DEV * a->n + i].revents && a->client[i] >= 0)
				serve(a, i);
	}
}

/* The link of device num: "%d" in pattern replaced by num. */
static void link_of(char *out, size_t cap, const char *pattern, unsigned num)
{
	const char *pct = strstr(pattern, "%d");

	if (pct)
		snprintf(out, cap, "%.*s%u%s", (int)(pct - pattern), pattern, num, pct + 2);
	else
		snprintf(out, cap, "%s", pattern);
}

static int open_one(struct usbsim_adapter *a, unsigned d, const char *link, const char *shim_dir,
		    char *err, size_t cap)
{
	char path[sizeof(a->pty[0].link)];

	if (link)
		link_of(path, sizeof(path), link, d + 1);
	if (rspty_open(&a->pty[d], link ? path : NULL, err, cap) < 0)
		return -1;
	/* After our own open of the slave, so that a serial shim preloaded
	 * into this process has no socket to report that open to. */
	return rspty_listen_shim(&a->pty[d], shim_dir, err, cap);
}

struct usbsim_adapter *usbsim_adapter_start(struct usbsim *s, const struct adapter_map *map,
					    const char *link, const char *shim_dir, const char *banner,
					    char *err, size_t cap)
{
	struct usbsim_adapter *a = calloc(1, sizeof(*a));

	if (!a || pipe2(a->wake, O_CLOEXEC) < 0) {
		snprintf(err, cap, "out of resources");
		free(a);
		return NULL;
	}
	a->sim = s;
	a->map = *map;
	memset(a->client, -1, sizeof(a->client));
	for (unsigned d = 0; d < USBSIM_MAX_DEVICES; d++)
		a->pty[d] = (struct rspty){ .master = -1, .slave = -1, .ino = -1, .shim_ls = -1 };
	a->n = link && strstr(link, "%d") ? usbsim_count(s) : 1;
	a->banner = banner && *banner ? banner : NULL;
	pthread_mutex_lock(&s->lock);
	for (unsigned d = 0; d < a->n; d++)
		app_started(a, d);   /* what runs now is not a start */
	pthread_mutex_unlock(&s->lock);
	for (unsigned d = 0; d < a->n; d++) {
		if (open_one(a, d, link, shim_dir, err, cap) < 0) {
			usbsim_adapter_stop(a);
			return NULL;
		}
	}
	if (pthread_create(&a->thread, NULL, adapter_main, a) != 0) {
		snprintf(err, cap, "cannot start the adapter thread");
		usbsim_adapter_stop(a);
		return NULL;
	}
	a->thread_on = true;
	return a;
}

const char *usbsim_adapter_path(const struct usbsim_adapter *a, unsigned num)
{
	return num >= 1 && num <= a->n ? a->pty[num - 1].slave_path : NULL;
}

void usbsim_adapter_stop(struct usbsim_adapter *a)
{
	if (!a)
		return;
	if (a->thread_on && write(a->wake[1], "x", 1) == 1)
		pthread_join(a->thread, NULL);
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		if (a->client[i] >= 0)
			close(a->client[i]);
	for (unsigned d = 0; d < USBSIM_MAX_DEVICES; d++)
		rspty_close(&a->pty[d]);
	close(a->wake[0]);
	close(a->wake[1]);
	free(a);
}
