/*
 * romsim_serial_io.c - pseudo-terminal, sockets and event loop of
 * `romsim serial`.
 *
 * Pty facts (testing-without-hardware §3): a read on the master fails with
 * EIO while no slave fd is open, so we keep one open for the whole run; the
 * pty driver drops parity, so the host's real line settings only reach us
 * through the serial shim's CFLAG messages. Host opens and closes of the
 * slave are seen with inotify: Linux raises DTR/RTS on open and drops them
 * on the last close, and bytes sent while nobody listens are lost (flushed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "romsim_serial_io.h"

#define MAX_CLIENTS 32
#define PEND_MAX 65536

struct rsio {
	int master, slave, ino, shim_ls, pins_ls;
	int clients[MAX_CLIENTS];
	unsigned nclients;
	int host_opens;
	char slave_path[64];
	char link[1024], shim_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char pins_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char warning[256];
	uint8_t pend[PEND_MAX];  /* reply bytes due but not yet taken by the master */
	size_t npend;
};

uint64_t rsio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- setup ---- */

static int open_pty(struct rsio *io, char *err, size_t errlen)
{
	struct termios t;
	const char *name;

	io->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (io->master < 0 || grantpt(io->master) < 0 || unlockpt(io->master) < 0 ||
	    !(name = ptsname(io->master))) {
		snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(errno));
		return -1;
	}
	snprintf(io->slave_path, sizeof io->slave_path, "%s", name);
	io->slave = open(io->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (io->slave < 0 || tcgetattr(io->slave, &t) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", io->slave_path, strerror(errno));
		return -1;
	}
	cfmakeraw(&t);  /* no echo or line editing before the host configures it */
	cfsetspeed(&t, B115200);
	tcsetattr(io->slave, TCSANOW, &t);
	fcntl(io->master, F_SETFL, fcntl(io->master, F_GETFL) | O_NONBLOCK);
	return 0;
}

static int make_link(struct rsio *io, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a symlink", path);
		return -1;
	}
	unlink(path);
	if (symlink(io->slave_path, path) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(io->link, sizeof io->link, "%s", path);
	return 0;
}

static int listen_at(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int open_shim_sock(struct rsio *io, const char *dir, char *err, size_t errlen)
{
	const char *num = strrchr(io->slave_path, '/') + 1;

	mkdir(dir, 0777);  /* may exist; listen_at reports real failures */
	snprintf(io->shim_path, sizeof io->shim_path, "%s/pts%s", dir, num);
	io->shim_ls = listen_at(io->shim_path, err, errlen);
	if (io->shim_ls < 0)
		io->shim_path[0] = '\0';
	return io->shim_ls < 0 ? -1 : 0;
}

static int open_pins_sock(struct rsio *io, const char *path, char *err, size_t errlen)
{
	io->pins_ls = listen_at(path, err, errlen);
	if (io->pins_ls < 0)
		return -1;
	snprintf(io->pins_path, sizeof io->pins_path, "%s", path);
	return 0;
}

static void watch_slave(struct rsio *io)
{
	io->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (io->ino >= 0 &&
	    inotify_add_watch(io->ino, io->slave_path, IN_OPEN | IN_CLOSE) < 0) {
		close(io->ino);
		io->ino = -1;  /* no open/close model; everything else works */
	}
}

struct rsio *rsio_open(const struct rsio_config *cfg, char *err, size_t errlen)
{
	struct rsio *io = calloc(1, sizeof *io);

	if (!io) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	io->master = io->slave = io->ino = io->shim_ls = io->pins_ls = -1;
	if (open_pty(io, err, errlen) < 0 ||
	    (cfg->pty_link && make_link(io, cfg->pty_link, err, errlen) < 0) ||
	    (cfg->pins_sock && open_pins_sock(io, cfg->pins_sock, err, errlen) < 0)) {
		rsio_close(io);
		return NULL;
	}
	/* Without the shim socket hosts still work; they just cannot report. */
	open_shim_sock(io, cfg->shim_dir, io->warning, sizeof io->warning);
	watch_slave(io);
	return io;
}

const char *rsio_warning(const struct rsio *io)
{
	return io->warning;
}

const char *rsio_slave_path(const struct rsio *io)
{
	return io->slave_path;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void rsio_close(struct rsio *io)
{
	if (!io)
		return;
	for (unsigned i = 0; i < io->nclients; i++)
		close(io->clients[i]);
	close_fd(io->ino);
	close_fd(io->shim_ls);
	close_fd(io->pins_ls);
	close_fd(io->slave);
	close_fd(io->master);
	if (io->link[0])
		unlink(io->link);
	if (io->shim_path[0])
		unlink(io->shim_path);
	if (io->pins_path[0])
		unlink(io->pins_path);
	free(io);
}

/* ---- loop ---- */

static void on_master(struct rsio *io, struct sersim *s)
{
	uint8_t buf[4096];
	ssize_t n = read(io->master, buf, sizeof buf);

	if (n > 0)
		sersim_host_bytes(s, buf, (size_t)n, rsio_now());
}

/* Move due output into the pending buffer, and pending bytes into the pty. */
static void flush_output(struct rsio *io, struct sersim *s)
{
	ssize_t w;

	io->npend += sersim_take_output(s, rsio_now(), io->pend + io->npend, PEND_MAX - io->npend);
	if (!io->npend)
		return;
	w = write(io->master, io->pend, io->npend);
	if (w <= 0)
		return;  /* the host is not reading: keep the bytes, wait for POLLOUT */
	memmove(io->pend, io->pend + w, io->npend - (size_t)w);
	io->npend -= (size_t)w;
}

static void on_inotify(struct rsio *io, struct sersim *s)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(io->ino, buf, sizeof buf);

	for (ssize_t off = 0; off < n;) {
		const struct inotify_event *ev = (const void *)(buf + off);

		if ((ev->mask & IN_OPEN) && io->host_opens++ == 0) {
			tcflush(io->slave, TCIFLUSH);  /* nobody heard what was sent before */
			io->npend = 0;
			sersim_host_open(s, rsio_now());
		}
		if ((ev->mask & IN_CLOSE) && io->host_opens > 0 && --io->host_opens == 0) {
			sersim_host_close(s, rsio_now());
			tcflush(io->slave, TCIFLUSH);
			io->npend = 0;
		}
		off += (ssize_t)(sizeof *ev + ev->len);
	}
}

static void on_accept(struct rsio *io, int ls)
{
	int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (io->nclients == MAX_CLIENTS) {
		close(fd);
		return;
	}
	io->clients[io->nclients++] = fd;
}

/* One message, one answer, after the board has processed it. */
static bool on_client(struct rsio *io, struct sersim *s, int fd)
{
	char msg[512], reply[128];
	ssize_t n = recv(fd, msg, sizeof msg - 1, 0);

	(void)io;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return false;
	if (n < 0)
		return true;
	msg[n] = '\0';
	sersim_message(s, msg, reply, sizeof reply, rsio_now());
	send(fd, reply, strlen(reply), MSG_NOSIGNAL);
	return true;
}

static void drop_client(struct rsio *io, unsigned i)
{
	close(io->clients[i]);
	io->clients[i] = io->clients[--io->nclients];
}

/* Until the next reply byte is due; NULL: nothing queued. Nanoseconds, so
 * that the timing model does not round every reply up to a millisecond. */
static struct timespec *poll_timeout(const struct rsio *io, const struct sersim *s,
				     struct timespec *ts)
{
	uint64_t due = sersim_next_due(s), now = rsio_now(), wait;

	if (io->npend)
		due = now + 50000000u;  /* the host is not reading: look again soon */
	if (due == UINT64_MAX)
		return NULL;
	wait = due > now ? due - now : 0;
	ts->tv_sec = (time_t)(wait / 1000000000u);
	ts->tv_nsec = (long)(wait % 1000000000u);
	return ts;
}

enum { P_INO, P_MASTER, P_SHIM, P_PINS, P_CLIENTS };

static void fill_pollfds(const struct rsio *io, struct pollfd *p)
{
	p[P_INO] = (struct pollfd){ .fd = io->ino, .events = POLLIN };
	p[P_MASTER] = (struct pollfd){ .fd = io->master,
				       .events = POLLIN | (io->npend ? POLLOUT : 0) };
	p[P_SHIM] = (struct pollfd){ .fd = io->shim_ls, .events = POLLIN };
	p[P_PINS] = (struct pollfd){ .fd = io->pins_ls, .events = POLLIN };
	for (unsigned i = 0; i < io->nclients; i++)
		p[P_CLIENTS + i] = (struct pollfd){ .fd = io->clients[i], .events = POLLIN };
}

static void handle(struct rsio *io, struct sersim *s, const struct pollfd *p, unsigned nclients)
{
	if (p[P_INO].revents & POLLIN)
		on_inotify(io, s);  /* before the data, so an open's flush cannot eat a reply */
	if (p[P_MASTER].revents & POLLIN)
		on_master(io, s);
	if (p[P_SHIM].revents & POLLIN)
		on_accept(io, io->shim_ls);
	if (p[P_PINS].revents & POLLIN)
		on_accept(io, io->pins_ls);
	for (unsigned i = nclients; i-- > 0;) {
		if (p[P_CLIENTS + i].revents & (POLLIN | POLLHUP | POLLERR) &&
		    !on_client(io, s, io->clients[i]))
			drop_client(io, i);
	}
}

int rsio_run(struct rsio *io, struct sersim *s, volatile sig_atomic_t *stop)
{
	struct pollfd p[P_CLIENTS + MAX_CLIENTS];
	struct timespec ts;

	while (!*stop) {
		unsigned nclients = io->nclients;
		int rc;

		fill_pollfds(io, p);
		rc = ppoll(p, P_CLIENTS + nclients, poll_timeout(io, s, &ts), NULL);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc > 0)
			handle(io, s, p, nclients);
		flush_output(io, s);
	}
	return 0;
}
