/* SPDX-License-Identifier: MIT */
/*
 * serial.c - serial_open() and the byte-link slots over libserialport, with
 * the plain termios path (serial_tty.c) for ports libserialport refuses.
 */
#include "serial.h"
#include "serial_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const struct sb_link_ops serial_ops;

/* ---- libserialport errors ---------------------------------------------- */

static int sp_err(struct serial_port *p, enum sp_return r, const char *what)
{
	char *msg;

	if (r >= 0)
		return SB_OK;
	if (r == SP_ERR_MEM)
		return SB_ERR_NOMEM;
	msg = sp_last_error_message();
	sb_logf(&p->log, SB_LOG_ERROR, "%s: %s failed: %s", p->dev, what, msg ? msg : "?");
	sp_free_error_message(msg);
	return r == SP_ERR_FAIL ? ser_errno_err(sp_last_error_code()) : SB_ERR_IO;
}

/* ---- the link slots ------------------------------------------------------ */

static int serial_write(void *h, const uint8_t *buf, size_t n, unsigned timeout_ms)
{
	struct serial_port *p = h;
	enum sp_return r;

	if (p->cancelled && p->cancelled(p->cancel_ctx))
		return SB_ERR_INTERRUPTED;
	sb_log_hex(&p->log, "serial tx", buf, n);
	if (!p->sp)
		return ser_tty_write(p, buf, n, timeout_ms);
	/* libserialport: a timeout of 0 means "wait forever"; never that. */
	if (timeout_ms == 0)
		r = sp_nonblocking_write(p->sp, buf, n);
	else
		r = sp_blocking_write(p->sp, buf, n, timeout_ms);
	if (r < 0)
		return sp_err(p, r, "write");
	return (size_t)r == n ? SB_OK : SB_ERR_TIMEOUT;
}

static int serial_read(void *h, uint8_t *buf, size_t n, unsigned timeout_ms)
{
	struct serial_port *p = h;
	int r;

	if (p->cancelled && p->cancelled(p->cancel_ctx))
		return SB_ERR_INTERRUPTED;
	if (!p->sp)
		r = ser_tty_read(p, buf, n, timeout_ms);
	else if (timeout_ms == 0)
		r = sp_nonblocking_read(p->sp, buf, n);
	else
		r = sp_blocking_read(p->sp, buf, n, timeout_ms);
	if (r < 0)
		return p->sp ? sp_err(p, r, "read") : r;
	sb_log_hex(&p->log, "serial rx", buf, (size_t)r);
	return r;
}

static int serial_flush(void *h)
{
	struct serial_port *p = h;

	if (p->sp)
		return sp_err(p, sp_flush(p->sp, SP_BUF_INPUT), "flush");
	if (tcflush(p->fd, TCIFLUSH) < 0)
		return ser_errno_err(errno);
	return SB_OK;
}

static int serial_drain(void *h)
{
	struct serial_port *p = h;

	if (p->sp)
		return sp_err(p, sp_drain(p->sp), "drain");
	while (tcdrain(p->fd) < 0)
		if (errno != EINTR)
			return ser_errno_err(errno);
	return SB_OK;
}

/*
 * On the tty fd on both paths: sp_set_dtr()/sp_set_rts() re-read and
 * re-apply the whole configuration (a tcsetattr each) and move one line
 * per call, where one TIOCMSET moves both lines at once (serial_tty.c).
 */
static int serial_set_modem(void *h, int dtr, int rts)
{
	return ser_set_modem(h, dtr, rts);
}

static void serial_sleep_ms(void *h, unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	(void)h;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A new rate with the same 8E1 framing. The bytes already written go out
 * at the old rate first (drain), as the loader switches only after its
 * answer has left (ldr_wire.h, BAUD). */
static int serial_set_baud(void *h, unsigned baud)
{
	struct serial_port *p = h;
	struct sb_diag d = { 0 };
	unsigned old = p->baud;
	int r = serial_drain(h);

	if (r != SB_OK)
		return r;
	p->baud = baud;
	if (p->sp)
		r = sp_err(p, sp_set_baudrate(p->sp, (int)baud), "set baud rate");
	else
		r = ser_tty_configure(p, &d);
	if (r != SB_OK) {
		sb_logf(&p->log, SB_LOG_WARN, "%s: cannot switch to %u baud%s%s", p->dev, baud,
			d.msg[0] ? ": " : "", d.msg);
		p->baud = old;
		return r;
	}
	sb_logf(&p->log, SB_LOG_DEBUG, "%s: now %u baud 8E1", p->dev, baud);
	return SB_OK;
}

static void port_free(struct serial_port *p)
{
	if (!p)
		return;
	if (p->sp) {
		sp_close(p->sp);
		sp_free_port(p->sp);
	}
	if (p->lock_fd >= 0)
		close(p->lock_fd);
	free(p->latency_path);
	free(p->dev);
	free(p);
}

static void serial_close(void *h)
{
	struct serial_port *p = h;

	if (!p)
		return;
	ser_restore_termios(p);
	ser_restore_latency(p);
	ser_unexclusive(p);
	port_free(p);
}

static const struct sb_link_ops serial_ops = {
	.write = serial_write,
	.read = serial_read,
	.flush = serial_flush,
	.drain = serial_drain,
	.set_modem = serial_set_modem,
	.sleep_ms = serial_sleep_ms,
	.close = serial_close,
	.set_baud = serial_set_baud,
};

/* ---- opening --------------------------------------------------------------- */

/* 8E1, no flow control; RTS and DTR are left to set_modem (-1: unchanged). */
static int sp_configure(struct serial_port *p, struct sb_diag *d)
{
	struct sp_port_config *c;
	enum sp_return r;

	if (sp_new_config(&c) != SP_OK)
		return SB_ERR_NOMEM;
	sp_set_config_baudrate(c, (int)p->baud);
	sp_set_config_bits(c, 8);
	sp_set_config_parity(c, SP_PARITY_EVEN);
	sp_set_config_stopbits(c, 1);
	sp_set_config_cts(c, SP_CTS_IGNORE);
	sp_set_config_dsr(c, SP_DSR_IGNORE);
	sp_set_config_xon_xoff(c, SP_XONXOFF_DISABLED);
	r = sp_set_config(p->sp, c);
	sp_free_config(c);
	if (r != SP_OK) {
		char *msg = sp_last_error_message();
		sb_diag_set(d, SB_ERR_BAD_INPUT, "%s refused %u baud, 8 data bits, even parity, 1 stop bit: %s",
			    p->dev, p->baud, msg ? msg : "?");
		sp_free_error_message(msg);
		return SB_ERR_BAD_INPUT;
	}
	p->parity = ser_parity_read_back(p->fd);
	return SB_OK;
}

static int initial_lines(struct serial_port *p, const struct serial_opts *o, struct sb_diag *d)
{
	int r;

	if (!o || !o->set_lines)
		return SB_OK;
	r = ser_set_modem(p, o->dtr, o->rts);
	if (r != SB_OK)
		return sb_diag_set(d, r, "%s: cannot set DTR/RTS: %s", p->dev, sb_strerror(r));
	return SB_OK;
}

/* 1: libserialport does not know the port (the caller falls back to termios). */
static int sp_path_open(struct serial_port *p, const struct serial_opts *o, struct sb_diag *d)
{
	enum sp_return sr;
	int r;

	if (sp_get_port_by_name(p->dev, &p->sp) != SP_OK) {
		p->sp = NULL;
		return 1;
	}
	sr = sp_open(p->sp, SP_MODE_READ_WRITE);
	if (sr != SP_OK) {
		int e = sr == SP_ERR_FAIL ? sp_last_error_code() : EINVAL;
		sp_free_port(p->sp);
		p->sp = NULL;
		return ser_open_error(p, e, d);
	}
	if (sp_get_port_handle(p->sp, &p->fd) != SP_OK)
		return sb_diag_set(d, SB_ERR_IO, "%s: libserialport gave no file descriptor", p->dev);
	ser_save_termios(p);
	r = initial_lines(p, o, d);
	return r == SB_OK ? sp_configure(p, d) : r;
}

static int port_configure(struct serial_port *p, const struct serial_opts *o, struct sb_diag *d)
{
	int r = sp_path_open(p, o, d);

	if (r <= 0) {
		if (r == SB_OK && !p->parity)
			sb_logf(&p->log, SB_LOG_WARN,
				"%s does not carry parity (PARENB did not stick): the ROM loader needs 8E1, "
				"expect NACKs or no answer (Raspberry Pi mini-UART or CH340 driver?)", p->dev);
		return r;
	}
	p->fd = p->lock_fd;
	ser_save_termios(p);
	r = initial_lines(p, o, d);
	if (r == SB_OK)
		r = ser_tty_configure(p, d);
	if (r == SB_OK)
		sb_logf(&p->log, SB_LOG_WARN,
			"%s is not a port libserialport knows (a pseudo-terminal?): opened through termios, "
			"the link may not carry parity%s", p->dev,
			p->parity ? "" : " (even parity did not stick)");
	return r;
}

static void log_opened(struct serial_port *p)
{
	sb_logf(&p->log, SB_LOG_DEBUG, "%s: %u baud 8E1 through %s%s%s", p->dev, p->baud,
		p->sp ? "libserialport" : "termios", p->parity ? "" : ", parity not carried",
		p->low_latency ? ", low latency" : "");
}

int serial_open(const char *spec, const struct serial_opts *opts, struct sb_link *link,
		struct sb_diag *d)
{
	struct serial_port *p;
	int r;

	if (!spec || !link)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "no serial port given");
	p = calloc(1, sizeof(*p));
	if (!p)
		return SB_ERR_NOMEM;
	p->fd = p->lock_fd = p->latency_old = -1;
	p->baud = opts && opts->baud ? opts->baud : SERIAL_DEFAULT_BAUD;
	if (opts && opts->log)
		p->log = *opts->log;
	if (opts) {
		p->cancelled = opts->cancelled;
		p->cancel_ctx = opts->cancel_ctx;
	}
	r = serial_resolve(spec, &p->dev, d);
	if (r == SB_OK)
		r = ser_lock_open(p, d);
	if (r == SB_OK)
		r = port_configure(p, opts, d);
	if (r != SB_OK) {
		port_free(p);
		return r;
	}
	ser_exclusive(p);
	if (!(opts && opts->keep_latency))
		ser_low_latency(p);
	log_opened(p);
	link->ops = &serial_ops;
	link->h = p;
	serial_flush(p);
	return SB_OK;
}

int serial_set_frame(const struct sb_link *link, unsigned baud, char parity, struct sb_diag *d)
{
	if (!link || link->ops != &serial_ops || !link->h)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "not a serial port");
	return ser_tty_set_frame(link->h, baud, parity, d);
}

int serial_get_status(const struct sb_link *link, struct serial_status *st)
{
	const struct serial_port *p;

	if (!link || link->ops != &serial_ops || !link->h || !st)
		return SB_ERR_BAD_INPUT;
	p = link->h;
	st->path = p->dev;
	st->libserialport = p->sp != NULL;
	st->parity = p->parity;
	st->low_latency = p->low_latency;
	st->baud = p->baud;
	return SB_OK;
}
