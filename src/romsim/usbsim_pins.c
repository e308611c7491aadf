/* SPDX-License-Identifier: MIT */
/*
 * usbsim_pins.c - the boards' BOOT0/NRST pins from outside, with the
 * message protocol of `romsim serial --pins-sock` (and of the fake
 * libgpiod's FAKE_GPIOD_SOCK): one SOCK_SEQPACKET unix socket per device,
 * text messages answered synchronously:
 *   "PIN boot0|nrst 0|1" -> "ok"       set a pin (NRST rising edge resets)
 *   "GET boot0|nrst"     -> "0" | "1"
 *   "MODE"               -> "rom" | "app" | "reset"
 *   "POWER"              -> "ok"       power cycle
 * The board changes before the answer; the bus follows at once (a board
 * leaving the ROM makes its device answer ENODEV), and a device whose board
 * comes back into the ROM re-enumerates after reenum_ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "usbsim_priv.h"

#define MAX_CLIENTS 16

struct usbsim_pins {
	struct usbsim *sim;
	unsigned n;
	int ls[USBSIM_MAX_DEVICES];
	char path[USBSIM_MAX_DEVICES][sizeof(((struct sockaddr_un *)0)->sun_path)];
	int client[MAX_CLIENTS];
	unsigned client_dev[MAX_CLIENTS];
	int wake[2];
	pthread_t thread;
};

/* One message for device num; the reply is static text. Lock held. */
static const char *dispatch(struct usbsim *s, unsigned num, const char *msg)
{
	struct board *b = s->slot[num - 1].b;
	struct board_ctl c;
	const char *err = board_ctl_parse(msg, &c);

	if (err)
		return err;
	switch (c.op) {
	case BOARD_CTL_GET:
		return board_get_pin(b, c.pin) ? "1" : "0";
	case BOARD_CTL_MODE:
		return board_mode_name(board_mode(b));
	case BOARD_CTL_POWER:
		board_power_cycle(b);
		return "ok";
	case BOARD_CTL_PIN:
		board_set_pin(b, c.pin, c.level);
		return "ok";
	}
	return "error: unknown message";
}

static void serve(struct usbsim_pins *p, unsigned i)
{
	struct usbsim *s = p->sim;
	char msg[256];
	const char *reply;
	ssize_t n = recv(p->client[i], msg, sizeof(msg) - 1, 0);

	if (n <= 0) {
		close(p->client[i]);
		p->client[i] = -1;
		return;
	}
	msg[n] = '\0';
	msg[strcspn(msg, "\r\n")] = '\0';
	pthread_mutex_lock(&s->lock);
	reply = dispatch(s, p->client_dev[i], msg);
	usbsim_logf(s, "1-%u: pins: %s -> %s (board %s)", p->client_dev[i], msg, reply,
		    board_mode_name(board_mode(s->slot[p->client_dev[i] - 1].b)));
	pthread_cond_signal(&s->kick);
	pthread_mutex_unlock(&s->lock);
	send(p->client[i], reply, strlen(reply), MSG_NOSIGNAL);
}

static void accept_one(struct usbsim_pins *p, unsigned dev)
{
	int fd = accept4(p->ls[dev], NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		if (p->client[i] < 0) {
			p->client[i] = fd;
			p->client_dev[i] = dev + 1;
			return;
		}
	}
	close(fd);
}

static void *pins_main(void *arg)
{
	struct usbsim_pins *p = arg;
	struct pollfd pf[1 + USBSIM_MAX_DEVICES + MAX_CLIENTS];

	for (;;) {
		unsigned n = 0;

		pf[n++] = (struct pollfd){ .fd = p->wake[0], .events = POLLIN };
		for (unsigned d = 0; d < p->n; d++)
			pf[n++] = (struct pollfd){ .fd = p->ls[d], .events = POLLIN };
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			pf[n++] = (struct pollfd){ .fd = p->client[i], .events = POLLIN };
		if (poll(pf, n, -1) < 0 && errno != EINTR)
			return NULL;
		if (pf[0].revents)
			return NULL;
		for (unsigned d = 0; d < p->n; d++)
			if (pf[1 + d].revents & POLLIN)
				accept_one(p, d);
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			if (pf[1 + p->n + i].revents && p->client[i] >= 0)
				serve(p, i);
	}
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The socket path of device num: "%d" in pattern replaced by num. */
static void path_of(char *out, size_t cap, const char *pattern, unsigned num)
{
	const char *pct = strstr(pattern, "%d");

	if (pct)
		snprintf(out, cap, "%.*s%u%s", (int)(pct - pattern), pattern, num, pct + 2);
	else
		snprintf(out, cap, "%s", pattern);
}

struct usbsim_pins *usbsim_pins_start(struct usbsim *s, const char *pattern, char *err,
				      size_t cap)
{
	struct usbsim_pins *p = calloc(1, sizeof(*p));

	if (!p || pipe2(p->wake, O_CLOEXEC) < 0) {
		snprintf(err, cap, "out of resources");
		free(p);
		return NULL;
	}
	p->sim = s;
	p->n = strstr(pattern, "%d") ? usbsim_count(s) : 1;
	memset(p->ls, -1, sizeof(p->ls));
	memset(p->client, -1, sizeof(p->client));
	for (unsigned d = 0; d < p->n; d++) {
		path_of(p->path[d], sizeof(p->path[d]), pattern, d + 1);
		p->ls[d] = listen_at(p->path[d]);
		if (p->ls[d] < 0) {
			snprintf(err, cap, "cannot listen on %s: %s", p->path[d], strerror(errno));
			p->path[d][0] = '\0';
			usbsim_pins_stop(p);
			return NULL;
		}
	}
	if (pthread_create(&p->thread, NULL, pins_main, p) != 0) {
		snprintf(err, cap, "cannot start the pins thread");
		usbsim_pins_stop(p);
		return NULL;
	}
	return p;
}

void usbsim_pins_stop(struct usbsim_pins *p)
{
	if (!p)
		return;
	if (p->thread) {
		if (write(p->wake[1], "x", 1) == 1)
			pthread_join(p->thread, NULL);
	}
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		if (p->client[i] >= 0)
			close(p->client[i]);
	for (unsigned d = 0; d < USBSIM_MAX_DEVICES; d++) {
		if (p->ls[d] >= 0)
			close(p->ls[d]);
		if (p->path[d][0])
			unlink(p->path[d]);
	}
	close(p->wake[0]);
	close(p->wake[1]);
	free(p);
}
