/* SPDX-License-Identifier: MIT */
/*
 * serial_tty.c - the plain termios path (for ports libserialport refuses),
 * and what both paths do on the tty fd directly: modem lines, parity
 * read-back, low-latency settings.
 */
#include "serial_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/serial.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Kernel struct termios2 (asm-generic/termbits.h): any baud through BOTHER. */
struct ser_termios2 {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[19];
	speed_t c_ispeed, c_ospeed;
};

#define SER_TCGETS2 _IOR('T', 0x2A, struct ser_termios2)
#define SER_TCSETS2 _IOW('T', 0x2B, struct ser_termios2)
#define SER_BOTHER 0010000

int ser_errno_err(int e)
{
	switch (e) {
	case EIO:
	case ENXIO:
	case ENODEV:
	case EBADF:
		return SB_ERR_NO_DEVICE;
	case ENOMEM:
		return SB_ERR_NOMEM;
	default:
		return SB_ERR_IO;
	}
}

static int io_error(struct serial_port *p, const char *what, int e)
{
	int err = ser_errno_err(e);

	sb_logf(&p->log, SB_LOG_ERROR, "%s: %s failed: %s%s", p->dev, what, strerror(e),
		err == SB_ERR_NO_DEVICE ? " (the port vanished?)" : "");
	return err;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait for events on fd until deadline; 0: deadline passed, <0: sb_err. */
static int wait_fd(struct serial_port *p, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = p->fd, .events = events };
	uint64_t now = now_ms();
	int r;

	if (now >= deadline)
		return 0;
	r = poll(&pfd, 1, (int)(deadline - now > 60000 ? 60000 : deadline - now));
	if (r < 0)
		return errno == EINTR ? 1 : io_error(p, "poll", errno);
	if (r > 0 && !(pfd.revents & events) && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
		return io_error(p, "poll", EIO);
	return 1;
}

int ser_tty_read(struct serial_port *p, uint8_t *buf, size_t n, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(p->fd, buf + got, n - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return io_error(p, "read", errno);
		int w = wait_fd(p, POLLIN, deadline);
		if (w < 0)
			return w;
		if (w == 0)
			break;
	}
	return (int)got;
}

int ser_tty_write(struct serial_port *p, const uint8_t *buf, size_t n, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(p->fd, buf + done, n - done);
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return io_error(p, "write", errno);
		int w = wait_fd(p, POLLOUT, deadline);
		if (w < 0)
			return w;
		if (w == 0)
			return SB_ERR_TIMEOUT;
	}
	return SB_OK;
}

/* ---- configuration ------------------------------------------------------- */

static const struct {
	unsigned baud;
	speed_t code;
} speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
	{ 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 }, { 576000, B576000 },
	{ 921600, B921600 }, { 1000000, B1000000 }, { 1152000, B1152000 },
	{ 1500000, B1500000 }, { 2000000, B2000000 }, { 2500000, B2500000 },
	{ 3000000, B3000000 }, { 3500000, B3500000 }, { 4000000, B4000000 },
};

static speed_t baud_code(unsigned baud)
{
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].baud == baud)
			return speeds[i].code;
	return B0;
}

/* A rate without a Bxxx constant: termios2 with BOTHER. */
static int set_custom_baud(int fd, unsigned baud)
{
	struct ser_termios2 t2;

	if (ioctl(fd, SER_TCGETS2, &t2) < 0)
		return -1;
	t2.c_cflag &= ~(tcflag_t)(CBAUD | CBAUDEX);
	t2.c_cflag |= SER_BOTHER;
	t2.c_ispeed = t2.c_ospeed = baud;
	if (ioctl(fd, SER_TCSETS2, &t2) < 0 || ioctl(fd, SER_TCGETS2, &t2) < 0)
		return -1;
	return t2.c_ospeed == baud ? 0 : -1;
}

static void make_8e1(struct termios *t, speed_t code)
{
	cfmakeraw(t);
	t->c_cflag &= ~(tcflag_t)(CSIZE | PARODD | CMSPAR | CSTOPB | CRTSCTS);
	t->c_cflag |= CS8 | PARENB | CREAD | CLOCAL;
	t->c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | INPCK);
	t->c_cc[VMIN] = 0;
	t->c_cc[VTIME] = 0;
	if (code != B0) {
		cfsetispeed(t, code);
		cfsetospeed(t, code);
	}
}

bool ser_parity_read_back(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0 && (t.c_cflag & PARENB) && !(t.c_cflag & (PARODD | CMSPAR));
}

/*
 * glibc's tcsetattr(TCSANOW) reads the settings back and fails with EINVAL
 * when PARENB or CSIZE did not stick (testing-without-hardware.md §3), so
 * EINVAL is judged by reading back, not taken as failure.
 */
int ser_tty_configure(struct serial_port *p, struct sb_diag *d)
{
	speed_t code = baud_code(p->baud);
	struct termios t;

	if (tcgetattr(p->fd, &t) < 0) {
		/* a character device that is no terminal (/dev/null): the wrong port, like a file */
		if (errno == ENOTTY)
			return sb_diag_set(d, SB_ERR_NO_DEVICE, "%s is not a serial port (not a terminal)",
					   p->dev);
		return sb_diag_set(d, ser_errno_err(errno), "%s is not a terminal: %s", p->dev,
				   strerror(errno));
	}
	make_8e1(&t, code);
	if (tcsetattr(p->fd, TCSANOW, &t) < 0 && errno != EINVAL)
		return sb_diag_set(d, ser_errno_err(errno), "cannot configure %s: %s", p->dev,
				   strerror(errno));
	if (code == B0 && set_custom_baud(p->fd, p->baud) < 0)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s refused %u baud", p->dev, p->baud);
	if (tcgetattr(p->fd, &t) < 0 || (t.c_cflag & CSIZE) != CS8 ||
	    (code != B0 && cfgetospeed(&t) != code))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s refused %u baud with 8 data bits",
				   p->dev, p->baud);
	p->parity = ser_parity_read_back(p->fd);
	return SB_OK;
}

void ser_save_termios(struct serial_port *p)
{
	p->saved_ok = tcgetattr(p->fd, &p->saved) == 0;
}

/* Another program (a terminal, the next job) finds the port as we found it. */
void ser_restore_termios(struct serial_port *p)
{
	if (!p->saved_ok || p->fd < 0)
		return;
	if (tcsetattr(p->fd, TCSANOW, &p->saved) < 0 && errno != EINVAL)
		sb_logf(&p->log, SB_LOG_DEBUG, "%s: cannot restore the line settings: %s", p->dev,
			strerror(errno));
	p->saved_ok = false;
}

int ser_tty_set_frame(struct serial_port *p, unsigned baud, char parity, struct sb_diag *d)
{
	speed_t code = baud_code(baud);
	struct termios t;

	if (tcgetattr(p->fd, &t) < 0)
		return sb_diag_set(d, ser_errno_err(errno), "%s: %s", p->dev, strerror(errno));
	make_8e1(&t, code);
	if (parity == 'N')
		t.c_cflag &= ~(tcflag_t)PARENB;
	/* TCSANOW: what the application already sent stays in the input queue */
	if (tcsetattr(p->fd, TCSANOW, &t) < 0 && errno != EINVAL)
		return sb_diag_set(d, ser_errno_err(errno), "cannot configure %s: %s", p->dev,
				   strerror(errno));
	if (code == B0 && set_custom_baud(p->fd, baud) < 0)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s refused %u baud", p->dev, baud);
	p->baud = baud;
	p->parity = ser_parity_read_back(p->fd);
	sb_logf(&p->log, SB_LOG_DEBUG, "%s: now %u baud 8%c1", p->dev, baud, parity);
	return SB_OK;
}

/* ---- modem lines ------------------------------------------------------------ */

/* One TIOCMSET so that DTR and RTS change together (no transient state on the pins). */
int ser_set_modem(struct serial_port *p, int dtr, int rts)
{
	int bits, want;

	if (ioctl(p->fd, TIOCMGET, &bits) < 0) {
		if (errno == ENOTTY || errno == EINVAL) {
			sb_logf(&p->log, SB_LOG_ERROR,
				"%s has no modem control lines (DTR/RTS): a pseudo-terminal without the test shim?",
				p->dev);
			return SB_ERR_UNSUPPORTED;
		}
		return io_error(p, "TIOCMGET", errno);
	}
	want = bits;
	if (dtr >= 0)
		want = dtr ? (want | TIOCM_DTR) : (want & ~TIOCM_DTR);
	if (rts >= 0)
		want = rts ? (want | TIOCM_RTS) : (want & ~TIOCM_RTS);
	sb_logf(&p->log, SB_LOG_DEBUG, "%s: DTR %d RTS %d", p->dev, !!(want & TIOCM_DTR),
		!!(want & TIOCM_RTS));
	if (want != bits && ioctl(p->fd, TIOCMSET, &want) < 0)
		return io_error(p, "TIOCMSET", errno);
	return SB_OK;
}

/* ---- latency ------------------------------------------------------------------ */

static int read_int_file(const char *path)
{
	char buf[16] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static int write_int_file(const char *path, int v)
{
	char buf[16];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", v);
	ok = write(fd, buf, (size_t)n) == n;
	return close(fd) == 0 && ok ? 0 : -1;
}

/* FTDI chips hold received bytes up to latency_timer ms (default 16) before sending them on. */
static void ftdi_latency(struct serial_port *p)
{
	const char *tty = strrchr(p->dev, '/');
	char path[256];
	int old;

	snprintf(path, sizeof(path), "/sys/bus/usb-serial/devices/%s/latency_timer", tty ? tty + 1 : p->dev);
	old = read_int_file(path);
	if (old < 0)
		return;
	if (old <= 1) {
		p->low_latency = true;
		return;
	}
	if (write_int_file(path, 1) < 0) {
		sb_logf(&p->log, SB_LOG_INFO, "%s: cannot lower the FTDI latency timer from %d ms (%s); "
			"a udev rule can make %s writable", p->dev, old, strerror(errno), path);
		return;
	}
	p->latency_path = strdup(path);
	p->latency_old = old;
	p->low_latency = true;
	sb_logf(&p->log, SB_LOG_DEBUG, "%s: FTDI latency timer %d -> 1 ms", p->dev, old);
}

void ser_low_latency(struct serial_port *p)
{
	struct serial_struct ss;

	if (ioctl(p->fd, TIOCGSERIAL, &ss) == 0) {
		if (ss.flags & ASYNC_LOW_LATENCY) {
			p->low_latency = true;
		} else {
			ss.flags |= ASYNC_LOW_LATENCY;
			if (ioctl(p->fd, TIOCSSERIAL, &ss) == 0)
				p->serial_flags_changed = p->low_latency = true;
			else
				sb_logf(&p->log, SB_LOG_DEBUG, "%s: driver refused ASYNC_LOW_LATENCY: %s",
					p->dev, strerror(errno));
		}
	}
	ftdi_latency(p);
}

void ser_restore_latency(struct serial_port *p)
{
	struct serial_struct ss;

	if (p->serial_flags_changed && ioctl(p->fd, TIOCGSERIAL, &ss) == 0) {
		ss.flags &= ~ASYNC_LOW_LATENCY;
		if (ioctl(p->fd, TIOCSSERIAL, &ss) < 0)
			sb_logf(&p->log, SB_LOG_DEBUG, "%s: cannot restore ASYNC_LOW_LATENCY: %s",
				p->dev, strerror(errno));
	}
	p->serial_flags_changed = false;
	if (p->latency_path && write_int_file(p->latency_path, p->latency_old) < 0)
		sb_logf(&p->log, SB_LOG_WARN, "%s: cannot restore the FTDI latency timer to %d ms: %s",
			p->dev, p->latency_old, strerror(errno));
	free(p->latency_path);
	p->latency_path = NULL;
}
