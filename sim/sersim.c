/* SPDX-License-Identifier: MIT */
/*
 * sersim.c - the wire between a host and the ROM loader: line model,
 * adapter model, timing model, application banner, control messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "sersim.h"
#include "sersim_priv.h"
#include "uart_line.h"

#define DEFAULT_BAUD 115200u
#define BITS_PER_BYTE 11u   /* 8E1 frame: start + 8 data + parity + stop (A.1) */

void sersim_log(struct sersim *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!s->log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	s->log_fn(s->log_ctx, line);
}

static void log_cb(void *ctx, const char *line)
{
	sersim_log(ctx, "%s", line);
}

static void dev_event(void *ctx, const struct an3155dev_event *ev)
{
	sersim_log(ctx, "%s", ev->text);
}

/* ---- output queue: bytes with the time the host may see them ---- */

void sersim_push(struct sersim *s, uint8_t c, uint64_t due)
{
	if (s->q_len == s->q_cap) {
		size_t cap = s->q_cap ? 2 * s->q_cap : 1024;
		struct qbyte *p = realloc(s->q, cap * sizeof *p);

		if (!p)
			return;  /* lost, as on an overrun */
		s->q = p;
		s->q_cap = cap;
	}
	if (s->q_len && due < s->q[s->q_len - 1].due)
		due = s->q[s->q_len - 1].due;  /* the wire keeps byte order */
	s->q[s->q_len].c = c;
	s->q[s->q_len].due = due;
	s->q_len++;
}

static void release_held(struct sersim *s, uint64_t now);
/* The application's banner at its own 8N1 rate, as the host's settings sample it now. */
static void banner_out(struct sersim *s, uint64_t now)
{
	struct uart_frame app = { s->cfg.app_baud, 8, 'N', 1 };
	size_t n = strlen(s->banner), max = 4 * n + 16, got;
	uint8_t *seen;

	s->banner_due = 0;
	if (!s->host_known || uart_frames_match(&app, &s->host)) {
		sersim_schedule(s, (const uint8_t *)s->banner, n, now);
		return;
	}
	if (!(seen = malloc(max)))
		return;
	got = sersim_line_tx(s, &app, (const uint8_t *)s->banner, n, seen, max);
	sersim_log(s, "app: banner at %u 8N1, host at %u 8%c1: %zu characters garbled", app.baud,
		   s->host.baud, s->host.parity, got);
	for (size_t i = 0; i < got; i++)
		sersim_push(s, seen[i], now);
	free(seen);
}

size_t sersim_take_output(struct sersim *s, uint64_t now, uint8_t *buf, size_t max)
{
	size_t n = 0;

	release_held(s, now);
	if (s->banner_due && now >= s->banner_due)
		banner_out(s, now);
	while (n < max && n < s->q_len && s->q[n].due <= now) {
		buf[n] = s->q[n].c;
		n++;
	}
	if (n) {
		memmove(s->q, s->q + n, (s->q_len - n) * sizeof *s->q);
		s->q_len -= n;
	}
	return n;
}

uint64_t sersim_next_due(const struct sersim *s)
{
	uint64_t due = s->q_len ? s->q[0].due : UINT64_MAX, cpu = scpu_next_wake(s);

	if (s->held >= 0 && s->busy_until < due)
		due = s->busy_until;
	if (s->banner_due && s->banner_due < due)
		due = s->banner_due;
	return cpu < due ? cpu : due;
}

void sersim_tick(struct sersim *s, uint64_t now)
{
	scpu_tick(s, now);
}

/* An external reset cuts what the ROM had not yet sent. */
void sersim_cut_output(struct sersim *s, uint64_t now)
{
	size_t keep = 0;

	while (keep < s->q_len && s->q[keep].due <= now)
		keep++;
	s->q_len = keep;
	s->banner_due = 0;
	an3155dev_discard_output(s->dev);
}

/*
 * Timing model: each reply byte leaves the ROM 11 bit-times after the
 * previous one, not before the flash operation it reports has finished,
 * and reaches the host one adapter latency later.
 */
void sersim_schedule(struct sersim *s, const uint8_t *p, size_t n, uint64_t t)
{
	uint64_t busy = board_take_busy_us(s->b) * 1000u, start;

	if (!s->cfg.timing) {
		for (size_t i = 0; i < n; i++)
			sersim_push(s, p[i], t);
		return;
	}
	start = t + busy > s->tx_t ? t + busy : s->tx_t;
	for (size_t i = 0; i < n; i++) {
		start += s->byte_ns;
		sersim_push(s, p[i], start + s->latency_ns);
	}
	if (n)
		s->tx_t = start;
}

/* ---- application start ---- */

void sersim_follow_board(struct sersim *s, uint64_t t)
{
	bool reset, started = board_follow(s->b, &s->seen_resets, &s->seen_mode, &reset);
	enum board_mode m = s->seen_mode;

	if (reset) {
		sersim_log(s, "reset: %s", m == BOARD_MODE_ROM ? "rom" : m == BOARD_MODE_APP ? "app" : "held");
		s->ready_t = t + s->startup_ns;
	}
	if (started)
		sersim_log(s, "app: running from 0x%08X", (unsigned)board_app_entry(s->b));
	scpu_follow(s, started, reset, t);
	if (started && !scpu_active(s) && s->banner && s->cfg.app_baud)
		s->banner_due = t + (uint64_t)s->cfg.app_delay_ms * 1000000u + 1;   /* once its UART is up */
	else if (started && !scpu_active(s) && s->banner)
		sersim_schedule(s, (const uint8_t *)s->banner, strlen(s->banner), t);
}

/* ---- host bytes ---- */

static uint64_t arrival(struct sersim *s, uint64_t now)
{
	if (!s->cfg.timing)
		return now;
	s->rx_t = (s->rx_t > now ? s->rx_t : now) + s->byte_ns;
	return s->rx_t;
}

/* Reply bytes through the line model onto the wire at time t. */
static void put_reply(struct sersim *s, const uint8_t *p, size_t n, uint64_t t)
{
	uint8_t seen[4000];

	if (n)
		sersim_schedule(s, seen, sersim_line_out(s, p, n, seen, sizeof seen), t);
}

/*
 * One host byte into the ROM (through the faults); its reply onto the wire.
 * A reply held back late keeps the ROM busy until it is sent.
 */
static void rom_byte(struct sersim *s, uint8_t c, uint64_t t)
{
	uint8_t reply[600];
	size_t k = faults_feed(s->faults, c, reply, sizeof reply), from;
	unsigned late = faults_late(s->faults, &from);

	if (!late)
		from = k;
	else
		s->busy_until = t + (uint64_t)late * 1000000u;
	put_reply(s, reply, from, t);
	put_reply(s, reply + from, k - from, s->busy_until);
	sersim_follow_board(s, t);
}

/*
 * While busy the ROM does not read its USART: the first byte that arrives
 * waits in the receive register (RM0432 USART: RDR is kept on overrun), the
 * later ones are lost (overrun). The kept one is taken when the ROM is free.
 */
static void rom_busy_byte(struct sersim *s, uint8_t c)
{
	if (s->held < 0) {
		s->held = c;
		return;
	}
	sersim_log(s, "late: byte 0x%02X lost, the ROM is busy (overrun)", c);
}

static void release_held(struct sersim *s, uint64_t now)
{
	uint8_t c;

	if (s->held < 0 || now < s->busy_until)
		return;
	c = (uint8_t)s->held;
	s->held = -1;
	rom_byte(s, c, s->busy_until);
}

/* After each reset the ROM hears nothing for the start-up delay. */
static bool rom_starting(struct sersim *s, uint8_t c, uint64_t t)
{
	if (t >= s->ready_t || board_mode(s->b) != BOARD_MODE_ROM)
		return false;
	sersim_log(s, "startup: byte 0x%02X lost, the ROM answers in %u ms", c,
		   (unsigned)((s->ready_t - t + 999999u) / 1000000u));
	return true;
}

void sersim_host_bytes(struct sersim *s, const uint8_t *buf, size_t n, uint64_t now)
{
	uint8_t *rx;
	size_t m;

	if (scpu_active(s)) {
		scpu_host_bytes(s, buf, n, now);
		return;
	}
	if (!(rx = malloc(6 * n + 16)))
		return;
	if (an3155dev_phase(s->dev) == AN3155DEV_AWAIT_SYNC)
		sersim_autobaud(s);
	m = sersim_line_in(s, buf, n, rx, 6 * n + 16);
	for (size_t i = 0; i < m; i++) {
		uint64_t t = arrival(s, now);

		if (rom_starting(s, rx[i], t))
			continue;
		release_held(s, t);
		if (t < s->busy_until)
			rom_busy_byte(s, rx[i]);
		else
			rom_byte(s, rx[i], t);
		if (scpu_active(s)) {
			/* Go started code: the rest of the burst is for it (when the
			 * line maps byte for byte; else it was garbage anyway) */
			if (m == n && i + 1 < n)
				scpu_host_bytes(s, buf + i + 1, n - i - 1, now);
			break;
		}
	}
	free(rx);
}

/* ---- life cycle ---- */

struct sersim *sersim_new(struct board *b, const struct sersim_config *cfg, char *err, size_t errlen)
{
	struct sersim *s = calloc(1, sizeof *s);
	unsigned baud;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->b = b;
	s->cfg = *cfg;
	baud = cfg->baud ? cfg->baud : DEFAULT_BAUD;
	s->byte_ns = (uint64_t)BITS_PER_BYTE * 1000000000u / baud;
	s->latency_ns = (uint64_t)cfg->latency_ms * 1000000u;
	s->banner = cfg->app_banner && *cfg->app_banner ? strdup(cfg->app_banner) : NULL;
	s->dev = an3155dev_new(b, &cfg->dev);
	s->faults = faults_new(cfg->faults, cfg->seed, err, errlen);
	if (!s->dev || !s->faults || adapter_parse(&s->adapter, cfg->adapter, err, errlen) < 0) {
		sersim_free(s);
		return NULL;
	}
	faults_attach(s->faults, s->dev, dev_event, s);
	faults_set_log(s->faults, log_cb, s);
	if (!scpu_init(s, err, errlen)) {
		sersim_free(s);
		return NULL;
	}
	s->seen_resets = board_reset_count(b);
	s->seen_mode = board_mode(b);
	s->held = -1;
	s->startup_ns = (uint64_t)cfg->startup_ms * 1000000u;
	s->ready_t = cfg->power_up_ns + s->startup_ns;
	return s;
}

void sersim_free(struct sersim *s)
{
	if (!s)
		return;
	scpu_free(s);
	faults_free(s->faults);
	an3155dev_free(s->dev);
	free(s->banner);
	free(s->q);
	free(s);
}

void sersim_set_log(struct sersim *s, void (*fn)(void *ctx, const char *line), void *ctx)
{
	s->log_fn = fn;
	s->log_ctx = ctx;
}
