/* SPDX-License-Identifier: MIT */
/*
 * fake_gpiod_core.c - the chip model, timeline and board reporting behind
 * the fake libgpiod (fake_gpiod.h). Global state: this is a test double.
 */
#include "fake_gpiod.h"
#include "fake_gpiod_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define FK_MAX_CHIPS 16
#define FK_MAX_LINES 1024

enum { OP_OPEN, OP_REQUEST, OP_SET, OP_GET, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "open", "request", "set", "get" };

static struct {
	bool inited;
	struct fk_chip chip[FK_MAX_CHIPS];
	size_t nchips;
	int fail[OP_COUNT];
	char *tl;
	size_t tl_len, tl_cap;
	char log_path[256];
	char sock_path[108];
	int sock;
	int open_chips;
} fk = { .sock = -1 };

static void die(const char *what, const char *text)
{
	fprintf(stderr, "fake libgpiod: %s: '%s'\n", what, text ? text : "");
	exit(70);
}

static void free_chips(void)
{
	size_t i;

	for (i = 0; i < fk.nchips; i++)
		free(fk.chip[i].line);
	fk.nchips = 0;
}

/* "NAME:N[:LABEL[:PREFIX]]" */
static void add_chip(const char *spec)
{
	char name[32] = "", label[64] = "", prefix[16] = "GPIO";
	struct fk_chip *c;
	unsigned n = 0, i;
	int k = sscanf(spec, "%31[^:]:%u:%63[^:]:%15s", name, &n, label, prefix);

	if (k < 2 || n == 0 || n > FK_MAX_LINES || fk.nchips == FK_MAX_CHIPS)
		die("bad FAKE_GPIOD_CHIPS entry", spec);
	c = &fk.chip[fk.nchips++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->label, sizeof(c->label), "%s", k >= 3 ? label : "fake-gpio");
	c->n = n;
	c->line = calloc(n, sizeof(*c->line));
	if (!c->line)
		die("out of memory", spec);
	for (i = 0; i < n; i++) {
		c->line[i].chip = c;
		c->line[i].offset = i;
		if (strcmp(prefix, "-"))
			snprintf(c->line[i].name, sizeof(c->line[i].name), "%s%u", prefix, i);
	}
}

/* Call fn(item) for each ','-separated item of list. */
static void each_item(const char *list, void (*fn)(const char *item))
{
	char buf[128];
	const char *p = list, *c;
	size_t n;

	while (p && *p) {
		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		if (n >= sizeof(buf))
			die("list item too long", p);
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (n)
			fn(buf);
		p = c ? c + 1 : NULL;
	}
}

/* A line by name, or by "CHIP:OFFSET". */
static struct fk_line *line_by_text(const char *text)
{
	char chip[32];
	unsigned off;
	struct fk_chip *c;
	struct fk_line *l;
	size_t i;

	if (sscanf(text, "%31[^:]:%u", chip, &off) == 2) {
		c = fk_chip_lookup(chip);
		return c && off < c->n ? &c->line[off] : NULL;
	}
	for (i = 0; i < fk.nchips; i++)
		if ((l = fk_find_name(&fk.chip[i], text)) != NULL)
			return l;
	return NULL;
}

/* Split "KEY=VALUE" into the line and value. */
static struct fk_line *key_line(char *item, char **value, const char *what)
{
	char *eq = strrchr(item, '=');
	struct fk_line *l;

	if (!eq)
		die(what, item);
	*eq = '\0';
	*value = eq + 1;
	l = line_by_text(item);
	if (!l)
		die(what, item);
	return l;
}

static void add_map(const char *spec)
{
	char item[128], *pin;
	struct fk_line *l;

	snprintf(item, sizeof(item), "%s", spec);
	l = key_line(item, &pin, "bad FAKE_GPIOD_MAP entry (no such line?)");
	l->pin_inv = pin[0] == '!';
	snprintf(l->pin, sizeof(l->pin), "%s", pin + l->pin_inv);
}

static void add_busy(const char *spec)
{
	char item[128], *who;
	struct fk_line *l;

	snprintf(item, sizeof(item), "%s", spec);
	l = key_line(item, &who, "bad FAKE_GPIOD_BUSY entry (no such line?)");
	l->ext_busy = true;
	snprintf(l->consumer, sizeof(l->consumer), "%s", who);
}

static void add_fail(const char *spec)
{
	static const struct { const char *name; int err; } errs[] = {
		{ "EACCES", EACCES }, { "EPERM", EPERM }, { "EIO", EIO },
		{ "EBUSY", EBUSY },   { "ENODEV", ENODEV },
	};
	char op[16], err[16];
	size_t i;

	if (sscanf(spec, "%15[^=]=%15s", op, err) != 2)
		die("bad FAKE_GPIOD_FAIL entry", spec);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (!strcmp(err, errs[i].name))
			fake_gpiod_fail(op, errs[i].err);
}

static void reset(void)
{
	free_chips();
	memset(fk.fail, 0, sizeof(fk.fail));
	fk.tl_len = 0;
	if (fk.tl)
		fk.tl[0] = '\0';
	if (fk.sock >= 0)
		close(fk.sock);
	fk.sock = -1;
	fk.log_path[0] = fk.sock_path[0] = '\0';
	fk.inited = true;
}

void fake_gpiod_setup(const char *chips, const char *map, const char *busy)
{
	reset();
	each_item(chips ? chips : "gpiochip0:32", add_chip);
	each_item(map, add_map);
	each_item(busy, add_busy);
}

void fake_gpiod_sock(const char *path)
{
	if (fk.sock >= 0)
		close(fk.sock);
	fk.sock = -1;
	snprintf(fk.sock_path, sizeof(fk.sock_path), "%s", path ? path : "");
}

void fk_init(void)
{
	const char *log = getenv("FAKE_GPIOD_LOG"), *sock = getenv("FAKE_GPIOD_SOCK");

	if (fk.inited)
		return;
	fake_gpiod_setup(getenv("FAKE_GPIOD_CHIPS"), getenv("FAKE_GPIOD_MAP"),
			 getenv("FAKE_GPIOD_BUSY"));
	each_item(getenv("FAKE_GPIOD_FAIL"), add_fail);
	snprintf(fk.log_path, sizeof(fk.log_path), "%s", log ? log : "");
	snprintf(fk.sock_path, sizeof(fk.sock_path), "%s", sock ? sock : "");
}

void fake_gpiod_fail(const char *op, int err)
{
	int i;

	for (i = 0; i < OP_COUNT; i++)
		if (!strcmp(op, op_names[i]))
			fk.fail[i] = err;
}

int fk_fail(const char *op)
{
	int i;

	for (i = 0; i < OP_COUNT; i++)
		if (!strcmp(op, op_names[i]))
			return fk.fail[i];
	return 0;
}

const char *fake_gpiod_timeline(void)
{
	return fk.tl ? fk.tl : "";
}

int fake_gpiod_open_chips(void)
{
	return fk.open_chips;
}

void fk_chip_opened(int delta)
{
	fk.open_chips += delta;
}

size_t fk_nchips(void)
{
	return fk.nchips;
}

struct fk_chip *fk_chip_at(size_t i)
{
	return i < fk.nchips ? &fk.chip[i] : NULL;
}

struct fk_chip *fk_chip_lookup(const char *descr)
{
	char alt[48];
	size_t i;

	if (!strncmp(descr, "/dev/", 5))
		descr += 5;
	snprintf(alt, sizeof(alt), "gpiochip%s", descr);
	for (i = 0; i < fk.nchips; i++)
		if (!strcmp(fk.chip[i].name, descr) || !strcmp(fk.chip[i].name, alt) ||
		    !strcmp(fk.chip[i].label, descr))
			return &fk.chip[i];
	return NULL;
}

struct fk_line *fk_find_name(struct fk_chip *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (c->line[i].name[0] && !strcmp(c->line[i].name, name))
			return &c->line[i];
	return NULL;
}

/* ---- timeline and board ------------------------------------------------------ */

static void tl_append(const char *s)
{
	size_t n = strlen(s);
	FILE *f;

	if (fk.tl_len + n + 2 > fk.tl_cap) {
		size_t cap = (fk.tl_cap + n + 2) * 2;
		char *p = realloc(fk.tl, cap);

		if (!p)
			die("out of memory", "timeline");
		fk.tl = p;
		fk.tl_cap = cap;
	}
	memcpy(fk.tl + fk.tl_len, s, n);
	fk.tl_len += n;
	fk.tl[fk.tl_len++] = '\n';
	fk.tl[fk.tl_len] = '\0';
	if (fk.log_path[0] && (f = fopen(fk.log_path, "a")) != NULL) {
		fprintf(f, "%s\n", s);
		fclose(f);
	}
}

void fk_event(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tl_append(buf);
}

static int sock_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 10, 0 };
	struct timespec pause = { 0, 20 * 1000000L };
	int i, s;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fk.sock_path);
	/* The board may still be starting: retry for about two seconds. */
	for (i = 0; i < 100; i++) {
		s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -1;
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			return s;
		}
		close(s);
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* Synchronous: the board has applied the level when this returns 0. */
static int report(const char *msg)
{
	char reply[64];
	ssize_t n;

	if (!fk.sock_path[0])
		return 0;
	if (fk.sock < 0 && (fk.sock = sock_connect()) < 0) {
		fprintf(stderr, "fake libgpiod: cannot connect to FAKE_GPIOD_SOCK %s: %s\n",
			fk.sock_path, strerror(errno));
		return -1;
	}
	if (send(fk.sock, msg, strlen(msg), MSG_NOSIGNAL) < 0 ||
	    (n = recv(fk.sock, reply, sizeof(reply) - 1, 0)) <= 0) {
		fprintf(stderr, "fake libgpiod: board did not answer '%s'\n", msg);
		return -1;
	}
	reply[n] = '\0';
	if (strcmp(reply, "ok")) {
		fprintf(stderr, "fake libgpiod: board answered '%s' to '%s'\n", reply, msg);
		return -1;
	}
	return 0;
}

/* Whether the line drives its pin (open-drain at 1 and open-source at 0 do not). */
static bool driven(const struct fk_line *l, int *level)
{
	*level = l->value ^ l->active_low;
	if (!l->held || !l->output)
		return false;
	return !((l->drive == FK_OPEN_DRAIN && *level) || (l->drive == FK_OPEN_SOURCE && !*level));
}

/* The level at the board pin. */
static int board_level(const struct fk_line *l)
{
	int level;

	if (driven(l, &level))
		return level ^ l->pin_inv;
	if (l->bias == FK_BIAS_PULL_UP || l->bias == FK_BIAS_PULL_DOWN)
		return (l->bias == FK_BIAS_PULL_UP) ^ l->pin_inv;
	/* Nobody drives it: the board's own pull decides. NRST has an internal
	 * pull-up; BOOT0 has a pull-down on the usual boards. */
	return !strcmp(l->pin, "nrst");
}

static int pin_changed(const struct fk_line *l)
{
	char msg[48];

	if (!l->pin[0])
		return 0;
	snprintf(msg, sizeof(msg), "PIN %s %d", l->pin, board_level(l));
	tl_append(msg);
	if (report(msg)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int fake_gpiod_pin(const char *text)
{
	const struct fk_line *l;

	fk_init();
	l = line_by_text(text);
	return l ? board_level(l) : -1;
}

static const char *flag_words(const struct fk_line *l, char *buf, size_t n)
{
	static const char *const drive[] = { "", " open-drain", " open-source" };
	static const char *const bias[] = { "", " bias-disable", " pull-up", " pull-down" };

	snprintf(buf, n, "%s%s%s", l->active_low ? " active-low" : "", drive[l->drive],
		 bias[l->bias]);
	return buf;
}

int fk_request(struct fk_line *l, bool output, int value, bool active_low, enum fk_drive drive,
	       enum fk_bias bias, const char *consumer)
{
	char flags[64];

	if (fk.fail[OP_REQUEST] || l->held || l->ext_busy) {
		errno = fk.fail[OP_REQUEST] ? fk.fail[OP_REQUEST] : EBUSY;
		return -1;
	}
	l->held = true;
	l->output = output;
	l->value = value != 0;
	l->active_low = active_low;
	l->drive = drive;
	l->bias = bias;
	snprintf(l->consumer, sizeof(l->consumer), "%s", consumer ? consumer : "");
	if (output)
		fk_event("request %s:%u output=%d%s", l->chip->name, l->offset, l->value,
			 flag_words(l, flags, sizeof(flags)));
	else
		fk_event("request %s:%u as-is", l->chip->name, l->offset);
	return output ? pin_changed(l) : 0;
}

int fk_set(struct fk_line *l, int value)
{
	if (fk.fail[OP_SET]) {
		errno = fk.fail[OP_SET];
		return -1;
	}
	l->value = value != 0;
	fk_event("set %s:%u %d", l->chip->name, l->offset, l->value);
	return pin_changed(l);
}

int fk_get(struct fk_line *l)
{
	if (fk.fail[OP_GET]) {
		errno = fk.fail[OP_GET];
		return -1;
	}
	if (l->output)
		return l->value;
	/* an input sees the board pin (through the jig's inverter, if any) */
	return board_level(l) ^ l->pin_inv ^ l->active_low;
}

void fk_release(struct fk_line *l)
{
	bool was_output = l->output;

	l->held = false;
	l->output = false;  /* a released line is not driven (serial-anchors §5) */
	l->consumer[0] = '\0';
	fk_event("release %s:%u", l->chip->name, l->offset);
	if (was_output)
		pin_changed(l);
}
