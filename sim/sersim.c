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

static void push(struct sersim *s, uint8_t c, uint64_t due)
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

/* The application's banner at its own 8N1 rate, as the host's settings sample it now. */
static void banner_out(struct sersim *s, uint64_t now)
{
	struct uart_frame app = { s->cfg.app_baud, 8, 'N', 1 };
	size_t n = strlen(s->banner), got;
	struct uart_rx *rx;

	s->banner_due = 0;
	if (!s->host_known || uart_frames_match(&app, &s->host)) {
		sersim_schedule(s, (const uint8_t *)s->banner, n, now);
		return;
	}
	if (!(rx = malloc((4 * n + 16) * sizeof(*rx))))
		return;
	got = uart_resample(&app, &s->host, (const uint8_t *)s->banner, n, rx, 4 * n + 16);
	sersim_log(s, "app: banner at %u 8N1, host at %u 8%c1: %zu characters garbled", app.baud,
		   s->host.baud, s->host.parity, got);
	for (size_t i = 0; i < got; i++) {
		uint8_t c = s->host.parity != 'N' && (rx[i].parity_err || rx[i].framing_err) ? 0x00 : rx[i].data;
		push(s, c, now);
	}
	free(rx);
}

size_t sersim_take_output(struct sersim *s, uint64_t now, uint8_t *buf, size_t max)
{
	size_t n = 0;

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
	uint64_t due = s->q_len ? s->q[0].due : UINT64_MAX;

	return s->banner_due && s->banner_due < due ? s->banner_due : due;
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
			push(s, p[i], t);
		return;
	}
	start = t + busy > s->tx_t ? t + busy : s->tx_t;
	for (size_t i = 0; i < n; i++) {
		start += s->byte_ns;
		push(s, p[i], start + s->latency_ns);
	}
	if (n)
		s->tx_t = start;
}

/* ---- application start ---- */

void sersim_follow_board(struct sersim *s, uint64_t t)
{
	unsigned rc = board_reset_count(s->b);
	enum board_mode m = board_mode(s->b);
	bool started = m == BOARD_MODE_APP && (s->seen_mode != BOARD_MODE_APP || rc != s->seen_resets);

	if (rc != s->seen_resets)
		sersim_log(s, "reset: %s", m == BOARD_MODE_ROM ? "rom" : m == BOARD_MODE_APP ? "app" : "held");
	if (started) {
		sersim_log(s, "app: running from 0x%08X", (unsigned)board_app_entry(s->b));
		if (s->banner && s->cfg.app_baud)   /* printed once its UART is up */
			s->banner_due = t + (uint64_t)s->cfg.app_delay_ms * 1000000u + 1;
		else if (s->banner)
			sersim_schedule(s, (const uint8_t *)s->banner, strlen(s->banner), t);
	}
	s->seen_resets = rc;
	s->seen_mode = m;
}

/* ---- host bytes ---- */

static uint64_t arrival(struct sersim *s, uint64_t now)
{
	if (!s->cfg.timing)
		return now;
	s->rx_t = (s->rx_t > now ? s->rx_t : now) + s->byte_ns;
	return s->rx_t;
}

void sersim_host_bytes(struct sersim *s, const uint8_t *buf, size_t n, uint64_t now)
{
	uint8_t *rx = malloc(6 * n + 16), reply[600], seen[4000];
	size_t m;

	if (!rx)
		return;
	if (an3155dev_phase(s->dev) == AN3155DEV_AWAIT_SYNC)
		sersim_autobaud(s);
	m = sersim_line_in(s, buf, n, rx, 6 * n + 16);
	for (size_t i = 0; i < m; i++) {
		uint64_t t = arrival(s, now);
		size_t k = faults_feed(s->faults, rx[i], reply, sizeof reply);

		k = sersim_line_out(s, reply, k, seen, sizeof seen);
		sersim_schedule(s, seen, k, t);
		sersim_follow_board(s, t);
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
	s->seen_resets = board_reset_count(b);
	s->seen_mode = board_mode(b);
	return s;
}

void sersim_free(struct sersim *s)
{
	if (!s)
		return;
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
