/* SPDX-License-Identifier: MIT */
/*
 * test_serial.c - the serial glue (src/serial/) through the OS: a pseudo-terminal whose
 * master this test plays, with and without the serial shim (src/romsim/shim/).
 *
 *   serial_os_test shim    run under LD_PRELOAD=serialshim.so: the
 *                          libserialport path, 8E1 and modem lines checked
 *                          on the shim's socket ($SERIALSHIM_DIR/pts<N>,
 *                          served by a thread here) and in $SERIALSHIM_LOG
 *   serial_os_test plain   without the shim: the termios fallback
 *   serial_os_test umockdev   under umockdev-run -d tests/os/ftdi_pair.umockdev
 *                          (two FT232R adapters, 0403:6001, serials A50285BI
 *                          and A9XYZ123) with the shim preloaded before
 *                          umockdev's library: enumeration, usb: selection,
 *                          and the FTDI latency timer set and restored
 *
 * tests/cli/serial_transport.sh runs both. No check depends on speed: a
 * timeout is only checked to have waited at least its length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "serial.h"

/* ---- captured log --------------------------------------------------------- */

#define MAX_LINES 64

static char log_lines[MAX_LINES][600];
static int log_level[MAX_LINES];
static int log_n;

static void capture(void *ctx, enum sb_log_level level, const char *msg)
{
	(void)ctx;
	if (log_n < MAX_LINES) {
		snprintf(log_lines[log_n], sizeof(log_lines[0]), "%s", msg);
		log_level[log_n++] = (int)level;
	}
}

static const struct sb_log test_log = { .fn = capture, .max = SB_LOG_DEBUG };

static int count_level(enum sb_log_level level)
{
	int n = 0;

	for (int i = 0; i < log_n; i++)
		n += log_level[i] == (int)level;
	return n;
}

static const char *first_at(enum sb_log_level level)
{
	for (int i = 0; i < log_n; i++)
		if (log_level[i] == (int)level)
			return log_lines[i];
	return "";
}

/* ---- the shim's socket, served by a thread -------------------------------- */

#define MAX_MSGS 128

struct server {
	int fd;
	pthread_t thread;
	pthread_mutex_t mu;
	char msgs[MAX_MSGS][100];
	int n;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	char buf[100];
	int c;
	ssize_t n;

	while ((c = accept(s->fd, NULL, NULL)) >= 0) {
		while ((n = recv(c, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			pthread_mutex_lock(&s->mu);
			if (s->n < MAX_MSGS)
				snprintf(s->msgs[s->n++], sizeof(s->msgs[0]), "%s", buf);
			pthread_mutex_unlock(&s->mu);
			if (send(c, "ok", 2, MSG_NOSIGNAL) < 0)
				break;
		}
		close(c);
	}
	return NULL;
}

static int msg_count(struct server *s)
{
	pthread_mutex_lock(&s->mu);
	int n = s->n;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static int msg_seen_since(struct server *s, int from, const char *msg)
{
	int found = 0;

	pthread_mutex_lock(&s->mu);
	for (int i = from; i < s->n; i++)
		found |= !strcmp(s->msgs[i], msg);
	pthread_mutex_unlock(&s->mu);
	return found;
}

static int msg_index(struct server *s, const char *msg)
{
	int found = -1;

	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < s->n && found < 0; i++)
		if (!strcmp(s->msgs[i], msg))
			found = i;
	pthread_mutex_unlock(&s->mu);
	return found;
}

static int msg_prefix_since(struct server *s, int from, const char *prefix)
{
	int found = 0;

	pthread_mutex_lock(&s->mu);
	for (int i = from; i < s->n; i++)
		found |= !strncmp(s->msgs[i], prefix, strlen(prefix));
	pthread_mutex_unlock(&s->mu);
	return found;
}

/* ---- fixture: a pty, a symlink to it, the socket --------------------------- */

struct fx {
	int master;
	unsigned num;
	char slave[64];
	char link[128];
	char shimlog[128];
	struct server srv;
	int have_srv;
	struct sb_link l;
	int open;
};

static bool with_shim;

static const char *shim_dir(void)
{
	const char *d = getenv("SERIALSHIM_DIR");
	return d && *d ? d : "/tmp/serialshim";
}

static void start_server(struct fx *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	mkdir(shim_dir(), 0755);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/pts%u", shim_dir(), f->num);
	unlink(sa.sun_path);
	f->srv.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(f->srv.fd >= 0);
	assert_int_equal(bind(f->srv.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->srv.fd, 8), 0);
	pthread_mutex_init(&f->srv.mu, NULL);
	assert_int_equal(pthread_create(&f->srv.thread, NULL, serve, &f->srv), 0);
	f->have_srv = 1;
}

static void stop_server(struct fx *f)
{
	char path[108];

	if (!f->have_srv)
		return;
	shutdown(f->srv.fd, SHUT_RDWR); /* wakes accept() */
	pthread_join(f->srv.thread, NULL);
	close(f->srv.fd);
	snprintf(path, sizeof(path), "%s/pts%u", shim_dir(), f->num);
	unlink(path);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *name;

	assert_non_null(f);
	f->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(f->master >= 0);
	assert_int_equal(grantpt(f->master), 0);
	assert_int_equal(unlockpt(f->master), 0);
	name = ptsname(f->master);
	assert_non_null(name);
	snprintf(f->slave, sizeof(f->slave), "%s", name);
	assert_int_equal(sscanf(f->slave, "/dev/pts/%u", &f->num), 1);
	snprintf(f->link, sizeof(f->link), "%s/board%u", shim_dir(), f->num);
	snprintf(f->shimlog, sizeof(f->shimlog), "%s/log%u", shim_dir(), f->num);
	mkdir(shim_dir(), 0755);
	unlink(f->link);
	assert_int_equal(symlink(f->slave, f->link), 0);
	unlink(f->shimlog);
	setenv("SERIALSHIM_LOG", f->shimlog, 1);
	if (with_shim)
		start_server(f);
	log_n = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->open)
		f->l.ops->close(f->l.h);
	stop_server(f);
	close(f->master);
	unlink(f->link);
	unlink(f->shimlog);
	free(f);
	return 0;
}

static int open_port(struct fx *f, const char *spec, unsigned baud, struct sb_diag *d)
{
	struct serial_opts o = { .baud = baud, .log = &test_log };
	int r = serial_open(spec, &o, &f->l, d);

	f->open = r == SB_OK;
	return r;
}

static void close_port(struct fx *f)
{
	f->l.ops->close(f->l.h);
	f->open = 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int file_has_line(const char *path, const char *line)
{
	char buf[200];
	FILE *fp = fopen(path, "r");
	int found = 0;

	if (!fp)
		return 0;
	while (fgets(buf, sizeof(buf), fp))
		found |= !strncmp(buf, line, strlen(line)) && buf[strlen(line)] == '\n';
	fclose(fp);
	return found;
}

/* ---- checks that hold on both paths ------------------------------------------ */

static void test_write_and_read(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	uint8_t b = 0x7F, got[4] = { 0 };

	assert_int_equal(open_port(f, f->link, 0, &d), SB_OK);
	assert_int_equal(f->l.ops->write(f->l.h, &b, 1, 1000), SB_OK);
	assert_int_equal(f->l.ops->drain(f->l.h), SB_OK);
	assert_int_equal(read(f->master, got, 1), 1);
	assert_int_equal(got[0], 0x7F);
	assert_int_equal(write(f->master, "\x79\x1f", 2), 2);
	assert_int_equal(f->l.ops->read(f->l.h, got, 2, 2000), 2);
	assert_memory_equal(got, "\x79\x1f", 2);
}

static void test_short_read_is_timeout(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	uint8_t got[4];
	uint64_t t0;
	int r;

	assert_int_equal(open_port(f, f->link, 57600, &d), SB_OK);
	assert_int_equal(write(f->master, "\x79\x79", 2), 2);
	t0 = now_ms();
	r = f->l.ops->read(f->l.h, got, 4, 300);
	assert_int_equal(r, 2);
	assert_true(now_ms() - t0 >= 300);
	t0 = now_ms();
	assert_int_equal(f->l.ops->read(f->l.h, got, 1, 200), 0);
	assert_true(now_ms() - t0 >= 200);
	assert_true(now_ms() - t0 < 20000); /* finite, not a wait for data */
	assert_int_equal(f->l.ops->read(f->l.h, got, 1, 0), 0);
}

/* Bytes that arrived before the open (line noise, a previous session) are discarded. */
static void test_open_discards_old_input(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	uint8_t got[8];

	assert_int_equal(write(f->master, "\x79stale", 6), 6);
	assert_int_equal(open_port(f, f->link, 0, &d), SB_OK);
	assert_int_equal(f->l.ops->read(f->l.h, got, sizeof(got), 200), 0);
}

static void test_flush_discards_input(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	uint8_t got[4];

	assert_int_equal(open_port(f, f->link, 0, &d), SB_OK);
	assert_int_equal(write(f->master, "junk", 4), 4);
	/* the bytes must have reached the slave's queue before the flush */
	assert_int_equal(f->l.ops->read(f->l.h, got, 1, 2000), 1);
	assert_int_equal(f->l.ops->flush(f->l.h), SB_OK);
	assert_int_equal(f->l.ops->read(f->l.h, got, 3, 100), 0);
}

/* A child holds the port with flock (as minicom does) or lockf (as stm32flash does). */
static pid_t hold_port(const char *path, const char *comm, int posix)
{
	int pfd[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
		/* never outlive the test, nor keep its output pipe open */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		dup2(open("/dev/null", O_RDWR), STDOUT_FILENO);
		dup2(STDOUT_FILENO, STDERR_FILENO);
		close(pfd[0]);
		prctl(PR_SET_NAME, comm);
		if (fd < 0 || (posix ? lockf(fd, F_TLOCK, 0) : flock(fd, LOCK_EX | LOCK_NB)) < 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	return pid;
}

static void busy_check(struct fx *f, int posix)
{
	struct sb_diag d = { .msg = "" };
	char want[200];
	int before = f->have_srv ? msg_count(&f->srv) : 0;
	pid_t pid = hold_port(f->slave, posix ? "sbholdlockf" : "sbholdflock", posix);
	int r = open_port(f, f->link, 0, &d);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(r, SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, f->slave));
	assert_non_null(strstr(d.msg, "busy"));
	snprintf(want, sizeof(want), "held by %s (pid %d)", posix ? "sbholdlockf" : "sbholdflock", (int)pid);
	assert_non_null(strstr(d.msg, want));
	/* a busy port is left as its holder set it */
	if (f->have_srv)
		assert_false(msg_prefix_since(&f->srv, before, "CFLAG"));
}

static void test_busy_flock_names_holder(void **state)
{
	busy_check(*state, 0);
}

static void test_busy_lockf_names_holder(void **state)
{
	busy_check(*state, 1);
}

/* A pty the user may not open: as root, ours (mode 0620) seen by nobody;
 * as another user, ours with mode 0 (an owner has no override). */
static void test_permission_denied(void **state)
{
	struct fx *f = *state;
	int pfd[2], status;
	char msg[600] = "";
	pid_t pid;
	struct stat st;

	assert_int_equal(stat(f->slave, &st), 0);
	if (geteuid() != 0)
		assert_int_equal(chmod(f->slave, 0), 0);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sb_diag d = { .msg = "" };
		struct sb_link l;
		int r;
		alarm(60);
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		r = serial_open(f->slave, NULL, &l, &d);
		if (write(pfd[1], d.msg, strlen(d.msg)) < 0)
			_exit(2);
		_exit(r == SB_ERR_NO_DEVICE ? 0 : 1);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	waitpid(pid, &status, 0);
	chmod(f->slave, st.st_mode & 07777);
	assert_true(n > 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(strstr(msg, "permission denied opening /dev/pts/"));
	assert_non_null(strstr(msg, "group"));
}

static void test_no_such_port(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };

	assert_int_equal(open_port(f, "/dev/ttyNOSUCH9", 0, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "no such port /dev/ttyNOSUCH9"));
	assert_non_null(strstr(d.msg, "serial ports present: "));
}

static void test_not_a_tty(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };

	assert_int_equal(open_port(f, "/proc/self/status", 0, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "not a serial port"));
}

static void test_usb_no_match(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };

	assert_int_equal(open_port(f, "usb:0403:6001", 0, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "no serial port matches usb:0403:6001"));
	assert_int_equal(open_port(f, "usb:0403:6001:A50285BI", 0, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "usb:0403:6001:A50285BI"));
}

static void test_usb_spec_malformed(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	static const char *const bad[] = { "usb:", "usb:0403", "usb:xyz:6001", "usb:12345:1",
					   "usb:0403:6001:", "usb:0403:" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(open_port(f, bad[i], 0, &d), SB_ERR_BAD_INPUT);
		assert_non_null(strstr(d.msg, "usb:VID:PID"));
	}
}

static void test_list(void **state)
{
	struct serial_port_info *ports;
	size_t n;

	(void)state;
	assert_int_equal(serial_list(&ports, &n, NULL), SB_OK);
	assert_non_null(ports);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(ports[i].path);
		assert_int_equal(strncmp(ports[i].path, "/dev/", 5), 0);
		if (i)
			assert_true(strcmp(ports[i - 1].path, ports[i].path) < 0);
	}
	serial_list_free(ports, n);
	serial_list_free(NULL, 0);
}

static void test_status_rejects_other_links(void **state)
{
	struct serial_status st;
	struct sb_link_ops other = { 0 };
	struct sb_link l = { .ops = &other, .h = &other };

	(void)state;
	assert_int_equal(serial_get_status(&l, &st), SB_ERR_BAD_INPUT);
}

/* ---- through libserialport, with the shim ---------------------------------------- */

static void test_shim_8e1_requested_and_read_back(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	struct serial_status st;

	assert_int_equal(open_port(f, f->link, 115200, &d), SB_OK);
	assert_int_equal(serial_get_status(&f->l, &st), SB_OK);
	assert_true(st.libserialport);
	assert_true(st.parity);
	assert_string_equal(st.path, f->slave);
	assert_int_equal(st.baud, 115200);
	assert_true(msg_seen_since(&f->srv, 0, "CFLAG speed=115200 bits=8 parity=even stop=1"));
	assert_true(msg_seen_since(&f->srv, 0, "TIOCM dtr=1 rts=1")); /* Linux raises both on open */
	assert_int_equal(count_level(SB_LOG_WARN), 0);
}

static void test_shim_any_baud(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };

	assert_int_equal(open_port(f, f->slave, 250000, &d), SB_OK);
	assert_true(msg_seen_since(&f->srv, 0, "CFLAG speed=250000 bits=8 parity=even stop=1"));
	assert_false(msg_seen_since(&f->srv, 0, "CFLAG speed=0 bits=8 parity=even stop=1"));
}

static void test_shim_set_modem(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	int n;

	assert_int_equal(open_port(f, f->link, 0, &d), SB_OK);
	n = msg_count(&f->srv);
	assert_int_equal(f->l.ops->set_modem(f->l.h, 0, 1), SB_OK);
	assert_int_equal(msg_count(&f->srv), n + 1);
	assert_true(msg_seen_since(&f->srv, n, "TIOCM dtr=0 rts=1"));
	/* both lines change in one step, with no transient state */
	assert_int_equal(f->l.ops->set_modem(f->l.h, 1, 0), SB_OK);
	assert_int_equal(msg_count(&f->srv), n + 2);
	assert_true(msg_seen_since(&f->srv, n + 1, "TIOCM dtr=1 rts=0"));
	/* -1 leaves a line alone; an unchanged state sends nothing */
	assert_int_equal(f->l.ops->set_modem(f->l.h, -1, 0), SB_OK);
	assert_int_equal(msg_count(&f->srv), n + 2);
	assert_int_equal(f->l.ops->set_modem(f->l.h, 0, -1), SB_OK);
	assert_true(msg_seen_since(&f->srv, n + 2, "TIOCM dtr=0 rts=0"));
}

/* Lines wanted at open are driven before the port is configured. */
static void test_shim_initial_lines(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	struct serial_opts o = { .log = &test_log, .set_lines = true, .dtr = 0, .rts = 1 };
	int lines, cflag;

	assert_int_equal(serial_open(f->link, &o, &f->l, &d), SB_OK);
	f->open = 1;
	lines = msg_index(&f->srv, "TIOCM dtr=0 rts=1");
	cflag = msg_index(&f->srv, "CFLAG speed=115200 bits=8 parity=even stop=1");
	assert_true(lines >= 0);
	assert_true(cflag > lines);
}

static void test_shim_low_latency_set_and_restored(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	struct serial_status st;
	char line[64];

	assert_int_equal(open_port(f, f->link, 0, &d), SB_OK);
	assert_int_equal(serial_get_status(&f->l, &st), SB_OK);
	assert_true(st.low_latency);
	snprintf(line, sizeof(line), "pts%u SERIAL low_latency=1", f->num);
	assert_true(file_has_line(f->shimlog, line));
	snprintf(line, sizeof(line), "pts%u SERIAL low_latency=0", f->num);
	assert_false(file_has_line(f->shimlog, line));
	close_port(f);
	assert_true(file_has_line(f->shimlog, line));
}

static void test_shim_keep_latency(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	struct serial_opts o = { .log = &test_log, .keep_latency = true };
	char line[64];

	assert_int_equal(serial_open(f->link, &o, &f->l, &d), SB_OK);
	f->open = 1;
	close_port(f);
	snprintf(line, sizeof(line), "pts%u SERIAL low_latency=1", f->num);
	assert_false(file_has_line(f->shimlog, line));
}

/* ---- the shim itself, as stm32flash uses it ------------------------------------- */

/*
 * glibc's tcsetattr fails with EINVAL when the kernel dropped PARENB, which
 * on a pty happens from the second identical call on: both must pass.
 */
static void test_shim_tcsetattr_8e1_twice(void **state)
{
	struct fx *f = *state;
	struct termios t;
	int fd = open(f->slave, O_RDWR | O_NOCTTY);

	assert_true(fd >= 0);
	assert_int_equal(tcgetattr(fd, &t), 0);
	cfmakeraw(&t);
	t.c_cflag = (t.c_cflag & ~(tcflag_t)(CSIZE | PARODD)) | CS8 | PARENB;
	cfsetospeed(&t, B115200);
	assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
	assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(tcgetattr(fd, &t), 0);
	assert_true(t.c_cflag & PARENB);
	assert_false(t.c_cflag & PARODD);
	assert_int_equal(t.c_cflag & CSIZE, CS8);
	close(fd);
	assert_true(msg_seen_since(&f->srv, 0, "CFLAG speed=115200 bits=8 parity=even stop=1"));
}

static void test_shim_lines_on_open_and_hupcl(void **state)
{
	struct fx *f = *state;
	struct termios t;
	int bits = 0, n;
	int a = open(f->slave, O_RDWR | O_NOCTTY), b;

	assert_true(a >= 0);
	assert_true(msg_seen_since(&f->srv, 0, "TIOCM dtr=1 rts=1"));
	assert_int_equal(ioctl(a, TIOCMGET, &bits), 0);
	assert_int_equal(bits & (TIOCM_DTR | TIOCM_RTS), TIOCM_DTR | TIOCM_RTS);
	assert_int_equal(tcgetattr(a, &t), 0);
	t.c_cflag |= HUPCL;
	assert_int_equal(tcsetattr(a, TCSANOW, &t), 0);
	b = open(f->slave, O_RDWR | O_NOCTTY);
	assert_true(b >= 0);
	n = msg_count(&f->srv);
	close(a); /* b still open: the lines stay up */
	assert_int_equal(msg_count(&f->srv), n);
	close(b);
	assert_true(msg_seen_since(&f->srv, n, "TIOCM dtr=0 rts=0"));
}

static void test_shim_fakes_sysfs_for_pts(void **state)
{
	struct fx *f = *state;
	char path[64], target[128];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/tty/pts/%u", f->num);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_null(strstr(target, "usb"));
	assert_int_equal(lstat("/sys/class/tty/pts/999999", &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(lstat("/sys/class/tty/pts/1x", &st), -1);
}

/* ---- USB enumeration, under umockdev ----------------------------------------------- */

static void test_um_list(void **state)
{
	struct serial_port_info *p;
	size_t n;

	(void)state;
	assert_int_equal(serial_list(&p, &n, NULL), SB_OK);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].path, "/dev/ttyUSB0");
	assert_string_equal(p[1].path, "/dev/ttyUSB1");
	assert_true(p[0].usb && p[1].usb);
	assert_int_equal(p[0].vid, 0x0403);
	assert_int_equal(p[0].pid, 0x6001);
	assert_string_equal(p[0].serial, "A50285BI");
	assert_string_equal(p[1].serial, "A9XYZ123");
	assert_string_equal(p[0].manufacturer, "FTDI");
	assert_string_equal(p[0].product, "FT232R USB UART");
	assert_non_null(strstr(p[0].description, "FT232R"));
	serial_list_free(p, n);
}

static void test_um_usb_serial_selects(void **state)
{
	struct sb_diag d = { .msg = "" };
	char *path = NULL;

	(void)state;
	assert_int_equal(serial_resolve("usb:0403:6001:A9XYZ123", &path, &d), SB_OK);
	assert_string_equal(path, "/dev/ttyUSB1");
	free(path);
	assert_int_equal(serial_resolve("usb:403:6001:A50285BI", &path, &d), SB_OK);
	assert_string_equal(path, "/dev/ttyUSB0");
	free(path);
}

static void test_um_usb_ambiguous_lists_matches(void **state)
{
	struct sb_diag d = { .msg = "" };
	char *path = NULL;

	(void)state;
	assert_int_equal(serial_resolve("usb:0403:6001", &path, &d), SB_ERR_NO_DEVICE);
	assert_null(path);
	assert_non_null(strstr(d.msg, "2 serial ports match usb:0403:6001"));
	assert_non_null(strstr(d.msg, "/dev/ttyUSB0 (serial A50285BI)"));
	assert_non_null(strstr(d.msg, "/dev/ttyUSB1 (serial A9XYZ123)"));
	assert_non_null(strstr(d.msg, "usb:VID:PID:SERIAL"));
}

static void test_um_usb_no_match_lists_usb_ports(void **state)
{
	struct sb_diag d = { .msg = "" };
	char *path = NULL;

	(void)state;
	assert_int_equal(serial_resolve("usb:1a86:7523", &path, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "no serial port matches usb:1a86:7523"));
	assert_non_null(strstr(d.msg, "/dev/ttyUSB0 (0403:6001 serial A50285BI)"));
	assert_int_equal(serial_resolve("usb:0403:6001:NOPE", &path, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "no serial port matches usb:0403:6001:NOPE"));
}

static void test_um_missing_path_lists_ports(void **state)
{
	struct sb_diag d = { .msg = "" };
	char *path = NULL;

	(void)state;
	assert_int_equal(serial_resolve("/dev/ttyUSB7", &path, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "no such port /dev/ttyUSB7; serial ports present: /dev/ttyUSB0 (0403:6001"));
}

static int ftdi_latency(const char *tty)
{
	char path[96], buf[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/usb-serial/devices/%s/latency_timer", tty);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return atoi(buf);
}

static void test_um_usb_open_sets_ftdi_latency(void **state)
{
	struct sb_diag d = { .msg = "" };
	struct serial_opts o = { .log = &test_log };
	struct serial_status st;
	struct sb_link l;

	(void)state;
	assert_int_equal(ftdi_latency("ttyUSB1"), 16);
	assert_int_equal(serial_open("usb:0403:6001:A9XYZ123", &o, &l, &d), SB_OK);
	assert_int_equal(serial_get_status(&l, &st), SB_OK);
	assert_string_equal(st.path, "/dev/ttyUSB1");
	assert_true(st.libserialport);
	assert_true(st.parity);
	assert_true(st.low_latency);
	assert_int_equal(ftdi_latency("ttyUSB1"), 1);
	assert_int_equal(ftdi_latency("ttyUSB0"), 16);
	l.ops->close(l.h);
	assert_int_equal(ftdi_latency("ttyUSB1"), 16);
}

static void test_um_keep_latency(void **state)
{
	struct sb_diag d = { .msg = "" };
	struct serial_opts o = { .log = &test_log, .keep_latency = true };
	struct sb_link l;

	(void)state;
	/* by usb: spec: umockdev 0.17.16's realpath() wrapper overruns a buffer on /dev paths (ASan) */
	assert_int_equal(serial_open("usb:0403:6001:A50285BI", &o, &l, &d), SB_OK);
	assert_int_equal(ftdi_latency("ttyUSB0"), 16);
	l.ops->close(l.h);
}

/* ---- plain termios, without the shim --------------------------------------------- */

static void test_plain_falls_back_with_one_warning(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	struct serial_status st;

	assert_int_equal(open_port(f, f->link, 115200, &d), SB_OK);
	assert_int_equal(serial_get_status(&f->l, &st), SB_OK);
	assert_false(st.libserialport);
	assert_false(st.parity); /* the pty driver drops PARENB */
	assert_int_equal(count_level(SB_LOG_WARN), 1);
	assert_non_null(strstr(first_at(SB_LOG_WARN), f->slave));
	assert_non_null(strstr(first_at(SB_LOG_WARN), "may not carry parity"));
	assert_null(strchr(first_at(SB_LOG_WARN), '\n'));
}

static void test_plain_any_baud(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	uint8_t b;

	assert_int_equal(open_port(f, f->link, 250000, &d), SB_OK);
	assert_int_equal(f->l.ops->write(f->l.h, (const uint8_t *)"\x7f", 1, 1000), SB_OK);
	assert_int_equal(read(f->master, &b, 1), 1);
}

static void test_plain_no_modem_lines(void **state)
{
	struct fx *f = *state;
	struct sb_diag d = { .msg = "" };
	struct serial_opts o = { .set_lines = true, .dtr = 0, .rts = -1 };

	assert_int_equal(open_port(f, f->link, 0, &d), SB_OK);
	assert_int_equal(f->l.ops->set_modem(f->l.h, 0, 1), SB_ERR_UNSUPPORTED);
	close_port(f);
	assert_int_equal(serial_open(f->link, &o, &f->l, &d), SB_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, f->slave));
	assert_non_null(strstr(d.msg, "DTR/RTS"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest common[] = {
		T(test_write_and_read), T(test_short_read_is_timeout), T(test_flush_discards_input),
		T(test_open_discards_old_input),
		T(test_busy_flock_names_holder), T(test_busy_lockf_names_holder),
		T(test_permission_denied), T(test_no_such_port), T(test_not_a_tty),
		T(test_usb_no_match), T(test_usb_spec_malformed), T(test_list),
		T(test_status_rejects_other_links),
	};
	const struct CMUnitTest shim[] = {
		T(test_shim_8e1_requested_and_read_back), T(test_shim_any_baud),
		T(test_shim_set_modem), T(test_shim_initial_lines),
		T(test_shim_low_latency_set_and_restored),
		T(test_shim_keep_latency), T(test_shim_tcsetattr_8e1_twice),
		T(test_shim_lines_on_open_and_hupcl), T(test_shim_fakes_sysfs_for_pts),
	};
	const struct CMUnitTest plain[] = {
		T(test_plain_falls_back_with_one_warning), T(test_plain_any_baud),
		T(test_plain_no_modem_lines),
	};
	const struct CMUnitTest umockdev[] = {
		cmocka_unit_test(test_um_list), cmocka_unit_test(test_um_usb_serial_selects),
		cmocka_unit_test(test_um_usb_ambiguous_lists_matches),
		cmocka_unit_test(test_um_usb_no_match_lists_usb_ports),
		cmocka_unit_test(test_um_missing_path_lists_ports),
		cmocka_unit_test(test_um_usb_open_sets_ftdi_latency),
		cmocka_unit_test(test_um_keep_latency),
	};
	int loaded = dlsym(RTLD_DEFAULT, "serialshim_version") != NULL;
	int fails;

	if (argc == 2 && !strcmp(argv[1], "umockdev")) {
		if (!getenv("UMOCKDEV_DIR") || !loaded) {
			fprintf(stderr, "%s: run 'umockdev' mode under umockdev-run -d FILE, with "
				"serialshim.so first in LD_PRELOAD\n", argv[0]);
			return 1;
		}
		return cmocka_run_group_tests_name("serial, umockdev", umockdev, NULL, NULL) ? 1 : 0;
	}
	if (argc != 2 || (strcmp(argv[1], "shim") && strcmp(argv[1], "plain"))) {
		fprintf(stderr, "usage: %s shim|plain|umockdev\n", argv[0]);
		return 2;
	}
	with_shim = !strcmp(argv[1], "shim");
	if (with_shim != loaded) {
		fprintf(stderr, "%s: serialshim.so is %sloaded; run '%s' mode %s LD_PRELOAD\n", argv[0],
			loaded ? "" : "not ", argv[1], with_shim ? "with" : "without");
		return 1;
	}
	fails = with_shim ? cmocka_run_group_tests_name("serial, shim", shim, NULL, NULL)
			  : cmocka_run_group_tests_name("serial, plain", plain, NULL, NULL);
	fails += cmocka_run_group_tests_name(with_shim ? "serial common, shim" : "serial common, plain",
					     common, NULL, NULL);
	return fails ? 1 : 0;
}
