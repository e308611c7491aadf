/* SPDX-License-Identifier: MIT */
/*
 * sersim_ctl.c - the host's line settings against the ROM's 8E1 frame, the
 * DTR/RTS adapter applied to the board, and the control messages of sersim.h.
 *
 * Line model (documented in man/romsim.1): the ROM receives 8 data bits,
 * even parity, 1 stop bit at the rate it autobauded to from the first byte
 * after reset (protocol-facts A.1). It does not act on parity or framing
 * errors (INF: it keeps the byte as sampled), so a host frame that differs
 * shows up as altered, lost or extra bytes. The host side gets each reply
 * as its own settings sample it; where the host asked for parity, a byte
 * with a parity or framing error arrives as 0x00, as Linux delivers it with
 * INPCK and neither IGNPAR nor PARMRK. Until a CFLAG message says
 * otherwise the host is assumed to match the ROM. The adapter's wiring is
 * sim/adapter.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sersim_priv.h"

/* ---- line model ---- */

void sersim_autobaud(struct sersim *s)
{
	s->rom_baud = s->host_known ? s->host.baud : 0;
}

static struct uart_frame rom_frame(const struct sersim *s)
{
	struct uart_frame f = { s->rom_baud ? s->rom_baud : s->host.baud, 8, 'E', 1 };

	return f;
}

static size_t copy_bytes(const uint8_t *in, size_t n, uint8_t *out, size_t max)
{
	n = n < max ? n : max;
	memcpy(out, in, n);
	return n;
}

size_t sersim_line_rx(struct sersim *s, const struct uart_frame *dev, const uint8_t *in, size_t n,
		      struct uart_rx *out, size_t max)
{
	if (!s->host_known || uart_frames_match(&s->host, dev)) {
		n = n < max ? n : max;
		for (size_t i = 0; i < n; i++)
			out[i] = (struct uart_rx){ in[i], false, false };
		return n;
	}
	return dev->baud ? uart_resample(&s->host, dev, in, n, out, max) : 0;
}

size_t sersim_line_tx(struct sersim *s, const struct uart_frame *dev, const uint8_t *in, size_t n,
		      uint8_t *out, size_t max)
{
	struct uart_rx *rx;
	size_t got;

	if (!s->host_known || uart_frames_match(dev, &s->host))
		return copy_bytes(in, n, out, max);
	if (!dev->baud || !(rx = malloc(max * sizeof *rx)))
		return 0;
	got = uart_resample(dev, &s->host, in, n, rx, max);
	for (size_t i = 0; i < got; i++) {
		bool bad = rx[i].parity_err || rx[i].framing_err;

		/* Linux with INPCK and neither IGNPAR nor PARMRK: a bad byte reads 0x00 */
		out[i] = s->host.parity != 'N' && bad ? 0x00 : rx[i].data;
	}
	free(rx);
	return got;
}

size_t sersim_line_in(struct sersim *s, const uint8_t *in, size_t n, uint8_t *out, size_t max)
{
	struct uart_frame rom = rom_frame(s);
	struct uart_rx *rx = malloc(max * sizeof *rx);
	size_t got;

	if (!rx)
		return 0;
	got = sersim_line_rx(s, &rom, in, n, rx, max);
	for (size_t i = 0; i < got; i++)
		out[i] = rx[i].data;  /* the ROM ignores PE/FE (INF) */
	free(rx);
	return got;
}

size_t sersim_line_out(struct sersim *s, const uint8_t *in, size_t n, uint8_t *out, size_t max)
{
	struct uart_frame rom = rom_frame(s);

	return sersim_line_tx(s, &rom, in, n, out, max);
}

/* ---- pins ---- */

static void set_pin(struct sersim *s, enum board_pin pin, int level, uint64_t now)
{
	if (board_get_pin(s->b, pin) == level)
		return;
	sersim_log(s, "pin: %s=%d", board_pin_name(pin), level);
	board_set_pin(s->b, pin, level);
	if (pin == BOARD_PIN_NRST && !level)
		sersim_cut_output(s, now);
	sersim_follow_board(s, now);
}

static void set_pins(struct sersim *s, const struct adapter_pin *p, size_t n, uint64_t now)
{
	for (size_t i = 0; i < n; i++)
		set_pin(s, p[i].pin, p[i].level, now);
}

void sersim_host_open(struct sersim *s, uint64_t now)
{
	struct adapter_pin p[ADAPTER_NLINES];

	sersim_log(s, "host: open");
	set_pins(s, p, adapter_host(&s->adapter, true, p), now);
}

void sersim_host_close(struct sersim *s, uint64_t now)
{
	struct adapter_pin p[ADAPTER_NLINES];

	sersim_log(s, "host: close");
	s->host_known = false;
	set_pins(s, p, adapter_host(&s->adapter, false, p), now);
}

/* ---- messages ---- */

/* Value of " key=" in msg, copied to val. */
static bool kv(const char *msg, const char *key, char *val, size_t len)
{
	size_t kl = strlen(key), n;
	const char *p = msg;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == msg || p[-1] == ' ') && p[kl] == '=') {
			p += kl + 1;
			n = strcspn(p, " \n");
			if (n >= len)
				return false;
			memcpy(val, p, n);
			val[n] = '\0';
			return true;
		}
		p += kl;
	}
	return false;
}

static long kv_num(const char *msg, const char *key, long def)
{
	char v[32], *end;
	long n;

	if (!kv(msg, key, v, sizeof v))
		return def;
	n = strtol(v, &end, 0);
	return *end || end == v ? -1 : n;
}

/* Linux termios speed codes (B50..B4000000) as some shims report c_cflag speeds. */
static unsigned baud_of(long v)
{
	static const unsigned low[] = { 0, 50, 75, 110, 134, 150, 200, 300, 600, 1200,
					1800, 2400, 4800, 9600, 19200, 38400 };
	static const unsigned high[] = { 57600, 115200, 230400, 460800, 500000, 576000,
					 921600, 1000000, 1152000, 1500000, 2000000,
					 2500000, 3000000, 3500000, 4000000 };

	if (v > 0 && v < 16)
		return low[v];
	if (v >= 010001 && v <= 010017)
		return high[v - 010001];
	return v > 0 ? (unsigned)v : 0;
}

static const char *msg_cflag(struct sersim *s, const char *msg)
{
	long speed = kv_num(msg, "speed", -1), bits = kv_num(msg, "bits", 8);
	long stop = kv_num(msg, "stop", 1);
	char par[8] = "none";

	kv(msg, "parity", par, sizeof par);
	if (baud_of(speed) == 0 || bits < 5 || bits > 8 || (stop != 1 && stop != 2))
		return "error: bad CFLAG";
	if (!strchr("neoms", par[0]) || (strcmp(par, "none") && strcmp(par, "even") &&
	    strcmp(par, "odd") && strcmp(par, "mark") && strcmp(par, "space")))
		return "error: bad parity";
	s->host.baud = baud_of(speed);
	s->host.bits = (unsigned)bits;
	s->host.parity = par[0] == 'n' ? 'N' : (char)(par[0] - 'a' + 'A');
	s->host.stop = (unsigned)stop;
	s->host_known = true;
	sersim_log(s, "line: host %u %u%c%u", s->host.baud, s->host.bits, s->host.parity, s->host.stop);
	return "ok";
}

static const char *msg_tiocm(struct sersim *s, const char *msg, uint64_t now)
{
	struct adapter_pin p[ADAPTER_NLINES];
	int line[ADAPTER_NLINES];

	if (adapter_parse_tiocm(msg, line) < 0)
		return "error: bad TIOCM";
	sersim_log(s, "modem: dtr=%d rts=%d", line[ADAPTER_DTR], line[ADAPTER_RTS]);
	set_pins(s, p, adapter_pins(&s->adapter, line, p), now);
	return "ok";
}

/* PIN, GET, MODE, POWER (sim/board_ctl.c), with the line model following the board. */
static const char *board_message(struct sersim *s, const char *msg, uint64_t now)
{
	struct board_ctl c;
	const char *err = board_ctl_parse(msg, &c);

	if (err)
		return err;
	switch (c.op) {
	case BOARD_CTL_GET:
		return board_get_pin(s->b, c.pin) ? "1" : "0";
	case BOARD_CTL_MODE:
		return board_mode_name(board_mode(s->b));
	case BOARD_CTL_POWER:
		sersim_log(s, "power: cycle");
		board_power_cycle(s->b);
		sersim_cut_output(s, now);
		sersim_follow_board(s, now);
		return "ok";
	case BOARD_CTL_PIN:
		set_pin(s, c.pin, c.level, now);
		return "ok";
	}
	return "error: unknown message";
}

static const char *dispatch(struct sersim *s, const char *msg, uint64_t now)
{
	if (!strncmp(msg, "CFLAG ", 6))
		return msg_cflag(s, msg + 6);
	if (!strncmp(msg, "TIOCM ", 6))
		return msg_tiocm(s, msg + 6, now);
	return board_message(s, msg, now);
}

void sersim_message(struct sersim *s, const char *msg, char *reply, size_t len, uint64_t now)
{
	char line[256];
	size_t n = strcspn(msg, "\r\n");

	if (n >= sizeof line)
		n = sizeof line - 1;
	memcpy(line, msg, n);
	line[n] = '\0';
	snprintf(reply, len, "%s", dispatch(s, line, now));
}
