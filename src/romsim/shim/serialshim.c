/* SPDX-License-Identifier: MIT */
/*
 * serialshim.c - LD_PRELOAD shim that makes a Unix98 pseudo-terminal slave
 * behave like a serial adapter, for tests of real programs (ours, and
 * Debian's stm32flash) against the virtual board.
 *
 * Why (testing-without-hardware.md §3): the pty driver forces CS8 and clears
 * PARENB on every TCSETS, has no modem lines (TIOCM* and TIOCGSERIAL give
 * ENOTTY) and has no /sys/class/tty entry, so libserialport cannot open it
 * and stm32flash's 8E1 read-back check fails.
 *
 * What it does, only on fds whose fstat says pty slave (major 136-143):
 *  - tcsetattr/tcgetattr and ioctl TCSETS*, TCGETS, TCSETS2*, TCGETS2: the
 *    kernel is given CS8, no parity, CREAD; the requested CSIZE, PARENB,
 *    PARODD, CMSPAR, CSTOPB, CREAD are remembered and patched back into every
 *    read. The libc functions are wrapped because glibc issues TCSETS with an
 *    inline syscall that an ioctl() interposer never sees.
 *  - TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC: DTR and RTS emulated per pty in this
 *    process (the kernel keeps modem lines per tty, not per fd). As Linux
 *    does, every open raises DTR and RTS, and the last close with HUPCL
 *    drops them. What the shim remembers about a pty lasts while this
 *    process has it open.
 *  - TIOCGSERIAL/TIOCSSERIAL accepted; the flags are remembered and each
 *    change of ASYNC_LOW_LATENCY is logged.
 *  - lstat/stat (and the compat __lxstat/__xstat that libserialport 0.1.1
 *    imports) and readlink of /sys/class/tty/pts/N are faked so that
 *    sp_get_port_by_name() accepts /dev/pts/N as a native port.
 *  Everything else (TIOCEXCL, tcflush, tcdrain, break, locks) passes through.
 *
 * Reports (team brief, "Serial LD_PRELOAD shim"): every change of the line
 * settings or of the modem lines is sent, synchronously, as one message on
 * a SOCK_SEQPACKET unix socket "$SERIALSHIM_DIR/pts<N>" (default directory
 * /tmp/serialshim), and the shim waits for the answer "ok":
 *     "CFLAG speed=115200 bits=8 parity=even stop=1"   parity: none|even|odd
 *                                                       (mark|space with CMSPAR)
 *     "TIOCM dtr=1 rts=0"
 * One connection per message, so any accept loop can serve it. No socket:
 * the shim emulates locally. No answer within $SERIALSHIM_TIMEOUT_MS
 * (default 10000): a warning on stderr, and the program goes on.
 * With $SERIALSHIM_LOG set, each message is also appended to that file as
 * "pts<N> <message>", plus "pts<N> SERIAL low_latency=0|1" lines.
 *
 * Do not preload it into the process that serves the socket unless that
 * process answers from another thread: the report waits for the answer.
 * With umockdev (whose tty devices are ptys), put the shim first in
 * LD_PRELOAD so that its ioctl() sees TIOCM* before umockdev's does.
 *
 * This file: state, reports, termios and ioctl. serialshim_fs.c: the open
 * and close hooks and the /sys faking.
 */
#include "serialshim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/serial.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

/* Kernel termios layouts (asm-generic/termbits.h); glibc's struct termios differs. */
struct shim_ktermios {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[19];
};

struct shim_ktermios2 {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[19];
	speed_t c_ispeed, c_ospeed;
};

#define SHIM_TCGETS2 _IOR('T', 0x2A, struct shim_ktermios2)
#define SHIM_TCSETS2 _IOW('T', 0x2B, struct shim_ktermios2)
#define SHIM_TCSETSW2 _IOW('T', 0x2C, struct shim_ktermios2)
#define SHIM_TCSETSF2 _IOW('T', 0x2D, struct shim_ktermios2)
#define SHIM_BOTHER 0010000 /* asm-generic/termbits.h */

/* The c_cflag bits the pty driver would overwrite; kept on its behalf. */
#define SHIM_MASK (CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CREAD)

#define SHIM_MAX_PTYS 64

static struct pty ptys[SHIM_MAX_PTYS];
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/* Marker so that tests can check the shim is loaded (dlsym(RTLD_DEFAULT, ...)). */
const char serialshim_version[] = "serialshim 1";

REAL(open)
REAL(close)
REAL(ioctl)
REAL(tcsetattr)
REAL(tcgetattr)

void shim_lock(void)
{
	pthread_mutex_lock(&lock);
}

void shim_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

/* ---- pty bookkeeping ---------------------------------------------------- */

/* Unix98 pty slave majors are 136-143 (Documentation/admin-guide/devices.txt). */
int shim_pty_number(int fd, unsigned *num)
{
	struct stat st;
	unsigned maj;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return 0;
	maj = major(st.st_rdev);
	if (maj < 136 || maj > 143)
		return 0;
	*num = (maj - 136) * 256 + minor(st.st_rdev);
	return 1;
}

struct pty *shim_pty_get(unsigned num)
{
	struct pty *free_slot = NULL;

	for (int i = 0; i < SHIM_MAX_PTYS; i++) {
		if (ptys[i].used && ptys[i].num == num)
			return &ptys[i];
		if (!ptys[i].used && !free_slot)
			free_slot = &ptys[i];
	}
	if (!free_slot)
		free_slot = &ptys[num % SHIM_MAX_PTYS]; /* table full: recycle */
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = 1;
	free_slot->num = num;
	return free_slot;
}

/* ---- reports ------------------------------------------------------------ */

static void log_line(unsigned num, const char *msg)
{
	const char *path = getenv("SERIALSHIM_LOG");
	char line[160];
	int fd, n;

	if (!path || !*path)
		return;
	fd = real_open()(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "pts%u %s\n", num, msg);
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing useful to do: the log is optional */
	}
	real_close()(fd);
}

static int reply_timeout_ms(void)
{
	const char *s = getenv("SERIALSHIM_TIMEOUT_MS");
	int v = s ? atoi(s) : 0;
	return v > 0 ? v : 10000;
}

static int connect_sim(unsigned num)
{
	const char *dir = getenv("SERIALSHIM_DIR");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/pts%u",
		     dir && *dir ? dir : "/tmp/serialshim", num);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		real_close()(fd);
		return -1;
	}
	return fd;
}

/* Send msg to the simulator of pty num and wait for "ok"; log it either way. */
static void report(unsigned num, const char *msg)
{
	char ans[32];
	struct pollfd pfd;
	ssize_t n = -1;
	int fd;

	log_line(num, msg);
	fd = connect_sim(num);
	if (fd < 0)
		return; /* no simulator: local emulation only */
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) >= 0 && poll(&pfd, 1, reply_timeout_ms()) > 0)
		n = recv(fd, ans, sizeof(ans) - 1, 0);
	if (n != 2 || memcmp(ans, "ok", 2))
		fprintf(stderr, "serialshim: pts%u: the simulator did not answer \"ok\" to \"%s\"\n",
			num, msg);
	real_close()(fd);
}

void shim_set_lines(struct pty *p, int dtr, int rts)
{
	char msg[40];

	if (p->lines_reported && p->dtr == dtr && p->rts == rts)
		return;
	p->dtr = dtr;
	p->rts = rts;
	p->lines_reported = 1;
	snprintf(msg, sizeof(msg), "TIOCM dtr=%d rts=%d", dtr, rts);
	report(p->num, msg);
}

static const struct {
	speed_t code;
	unsigned long baud;
} speeds[] = {
	{ B0, 0 }, { B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 }, { B150, 150 },
	{ B200, 200 }, { B300, 300 }, { B600, 600 }, { B1200, 1200 }, { B1800, 1800 },
	{ B2400, 2400 }, { B4800, 4800 }, { B9600, 9600 }, { B19200, 19200 },
	{ B38400, 38400 }, { B57600, 57600 }, { B115200, 115200 }, { B230400, 230400 },
	{ B460800, 460800 }, { B500000, 500000 }, { B576000, 576000 },
	{ B921600, 921600 }, { B1000000, 1000000 }, { B1152000, 1152000 },
	{ B1500000, 1500000 }, { B2000000, 2000000 }, { B2500000, 2500000 },
	{ B3000000, 3000000 }, { B3500000, 3500000 }, { B4000000, 4000000 },
};

/* Numeric speed of a c_cflag; ospeed is used for BOTHER (termios2). */
static unsigned long cflag_baud(tcflag_t cflag, speed_t ospeed)
{
	speed_t code = cflag & (CBAUD | CBAUDEX);

	if (code == SHIM_BOTHER)
		return ospeed;
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].code == code)
			return speeds[i].baud;
	return 0;
}

static const char *parity_name(tcflag_t c)
{
	if (!(c & PARENB))
		return "none";
	if (c & CMSPAR)
		return (c & PARODD) ? "mark" : "space";
	return (c & PARODD) ? "odd" : "even";
}

static int csize_bits(tcflag_t c)
{
	switch (c & CSIZE) {
	case CS5: return 5;
	case CS6: return 6;
	case CS7: return 7;
	default: return 8;
	}
}

/* Remember what was asked for, and return the c_cflag the kernel gets. */
static tcflag_t remember_cflag(struct pty *p, tcflag_t cflag)
{
	p->have_req = 1;
	p->req_cflag = cflag & SHIM_MASK;
	return (cflag & ~(tcflag_t)(CSIZE | PARENB | PARODD | CMSPAR)) | CS8 | CREAD;
}

/*
 * Report the settings asked for. A BOTHER speed set through tcsetattr (which
 * carries no c_ospeed) is the one the kernel holds from an earlier TCSETS2.
 */
static void report_cflag(int fd, struct pty *p, tcflag_t cflag, speed_t ospeed)
{
	struct shim_ktermios2 k2;
	char msg[96];

	if ((cflag & (CBAUD | CBAUDEX)) == SHIM_BOTHER && !ospeed &&
	    real_ioctl()(fd, SHIM_TCGETS2, &k2) == 0)
		ospeed = k2.c_ospeed;
	snprintf(msg, sizeof(msg), "CFLAG speed=%lu bits=%d parity=%s stop=%d",
		 cflag_baud(cflag, ospeed), csize_bits(cflag), parity_name(cflag),
		 (cflag & CSTOPB) ? 2 : 1);
	if (!strcmp(msg, p->last_cflag))
		return;
	snprintf(p->last_cflag, sizeof(p->last_cflag), "%s", msg);
	report(p->num, msg);
}

static tcflag_t patch_cflag(const struct pty *p, tcflag_t cflag)
{
	if (!p->have_req)
		return cflag;
	return (cflag & ~(tcflag_t)SHIM_MASK) | p->req_cflag;
}

/* ---- termios ------------------------------------------------------------- */

int tcsetattr(int fd, int act, const struct termios *t)
{
	struct termios k;
	struct pty *p;
	unsigned num;
	int r;

	if (!t || !shim_pty_number(fd, &num))
		return real_tcsetattr()(fd, act, t);
	shim_lock();
	p = shim_pty_get(num);
	k = *t;
	k.c_cflag = remember_cflag(p, t->c_cflag);
	r = real_tcsetattr()(fd, act, &k);
	if (r == 0)
		report_cflag(fd, p, t->c_cflag, 0);
	shim_unlock();
	return r;
}

int tcgetattr(int fd, struct termios *t)
{
	unsigned num;
	int r = real_tcgetattr()(fd, t);

	if (r == 0 && shim_pty_number(fd, &num)) {
		shim_lock();
		t->c_cflag = patch_cflag(shim_pty_get(num), t->c_cflag);
		shim_unlock();
	}
	return r;
}

/* ---- ioctl ---------------------------------------------------------------- */

static int modem_ioctl(struct pty *p, unsigned long req, int *arg)
{
	int dtr = p->dtr, rts = p->rts;

	if (!arg) {
		errno = EFAULT;
		return -1;
	}
	switch (req) {
	case TIOCMGET:
		*arg = (p->dtr ? TIOCM_DTR : 0) | (p->rts ? TIOCM_RTS : 0);
		return 0;
	case TIOCMSET:
		dtr = !!(*arg & TIOCM_DTR);
		rts = !!(*arg & TIOCM_RTS);
		break;
	case TIOCMBIS:
		dtr |= !!(*arg & TIOCM_DTR);
		rts |= !!(*arg & TIOCM_RTS);
		break;
	case TIOCMBIC:
		dtr &= !(*arg & TIOCM_DTR);
		rts &= !(*arg & TIOCM_RTS);
		break;
	}
	shim_set_lines(p, dtr, rts);
	return 0;
}

static int serial_ioctl(struct pty *p, unsigned long req, struct serial_struct *ss)
{
	if (!ss) {
		errno = EFAULT;
		return -1;
	}
	if (req == TIOCGSERIAL) {
		memset(ss, 0, sizeof(*ss));
		ss->type = PORT_16550A;
		ss->line = (int)p->num;
		ss->flags = p->serial_flags;
		ss->xmit_fifo_size = 16;
		ss->baud_base = 115200;
		return 0;
	}
	if ((ss->flags ^ p->serial_flags) & ASYNC_LOW_LATENCY) {
		char msg[40];
		snprintf(msg, sizeof(msg), "SERIAL low_latency=%d", !!(ss->flags & ASYNC_LOW_LATENCY));
		log_line(p->num, msg);
	}
	p->serial_flags = ss->flags;
	return 0;
}

static int termios_ioctl(int fd, struct pty *p, unsigned long req, void *arg)
{
	int is2 = req == SHIM_TCGETS2 || req == SHIM_TCSETS2 || req == SHIM_TCSETSW2 ||
		  req == SHIM_TCSETSF2;
	struct shim_ktermios2 k;
	size_t size = is2 ? sizeof(struct shim_ktermios2) : sizeof(struct shim_ktermios);
	tcflag_t asked;
	int r;

	if (!arg) {
		errno = EFAULT;
		return -1;
	}
	if (req == TCGETS || req == SHIM_TCGETS2) {
		r = real_ioctl()(fd, req, arg);
		if (r == 0)
			((struct shim_ktermios *)arg)->c_cflag =
				patch_cflag(p, ((struct shim_ktermios *)arg)->c_cflag);
		return r;
	}
	memset(&k, 0, sizeof(k));
	memcpy(&k, arg, size);
	asked = k.c_cflag;
	k.c_cflag = remember_cflag(p, asked);
	r = real_ioctl()(fd, req, &k);
	if (r == 0)
		report_cflag(fd, p, asked, is2 ? k.c_ospeed : 0);
	return r;
}

static int shim_handles(unsigned long req)
{
	switch (req) {
	case TIOCMGET: case TIOCMSET: case TIOCMBIS: case TIOCMBIC:
	case TIOCGSERIAL: case TIOCSSERIAL:
	case TCGETS: case TCSETS: case TCSETSW: case TCSETSF:
	case SHIM_TCGETS2: case SHIM_TCSETS2: case SHIM_TCSETSW2: case SHIM_TCSETSF2:
		return 1;
	}
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	unsigned num;
	struct pty *p;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!shim_handles(req) || !shim_pty_number(fd, &num))
		return real_ioctl()(fd, req, arg);
	shim_lock();
	p = shim_pty_get(num);
	if (req == TIOCGSERIAL || req == TIOCSSERIAL)
		r = serial_ioctl(p, req, arg);
	else if (req == TIOCMGET || req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC)
		r = modem_ioctl(p, req, arg);
	else
		r = termios_ioctl(fd, p, req, arg);
	shim_unlock();
	return r;
}

