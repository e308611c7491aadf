/* SPDX-License-Identifier: MIT */
/*
 * romsim_pty.c - the pseudo-terminal of the virtual board's adapter
 * (romsim_pty.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "romsim_pty.h"

static int open_pty(struct rspty *p, char *err, size_t errlen)
{
	struct termios t;
	const char *name;

	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0 || grantpt(p->master) < 0 || unlockpt(p->master) < 0 ||
	    !(name = ptsname(p->master))) {
		snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(errno));
		return -1;
	}
	snprintf(p->slave_path, sizeof p->slave_path, "%s", name);
	p->slave = open(p->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->slave < 0 || tcgetattr(p->slave, &t) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", p->slave_path, strerror(errno));
		return -1;
	}
	cfmakeraw(&t);  /* no echo or line editing before the host configures it */
	cfsetspeed(&t, B115200);
	/* A serial tty starts with HUPCL (tty_std_termios), a pty slave without:
	 * with it, a preloaded serial shim reports the last close's DTR/RTS drop
	 * before close() returns, as it reports an open's raise. */
	t.c_cflag |= HUPCL;
	tcsetattr(p->slave, TCSANOW, &t);
	fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
	return 0;
}

static int make_link(struct rspty *p, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a symlink", path);
		return -1;
	}
	unlink(path);
	if (symlink(p->slave_path, path) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(p->link, sizeof p->link, "%s", path);
	return 0;
}

static void watch_slave(struct rspty *p)
{
	p->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (p->ino >= 0 && inotify_add_watch(p->ino, p->slave_path, IN_OPEN | IN_CLOSE) < 0) {
		close(p->ino);
		p->ino = -1;  /* no open/close model; everything else works */
	}
}

int rspty_open(struct rspty *p, const char *link, char *err, size_t errlen)
{
	*p = (struct rspty){ .master = -1, .slave = -1, .ino = -1, .shim_ls = -1 };
	if (open_pty(p, err, errlen) < 0 || (link && make_link(p, link, err, errlen) < 0))
		return -1;
	watch_slave(p);
	return 0;
}

int rspty_listen(const char *path, char *err, size_t errlen)
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

int rspty_listen_shim(struct rspty *p, const char *dir, char *err, size_t errlen)
{
	const char *num = strrchr(p->slave_path, '/') + 1;

	mkdir(dir, 0777);  /* may exist; rspty_listen reports real failures */
	snprintf(p->shim_path, sizeof p->shim_path, "%s/pts%s", dir, num);
	p->shim_ls = rspty_listen(p->shim_path, err, errlen);
	if (p->shim_ls < 0)
		p->shim_path[0] = '\0';
	return p->shim_ls < 0 ? -1 : 0;
}

void rspty_host_events(struct rspty *p, void (*fn)(void *ctx, bool open), void *ctx)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(p->ino, buf, sizeof buf);

	for (ssize_t off = 0; off < n;) {
		const struct inotify_event *ev = (const void *)(buf + off);

		if ((ev->mask & IN_OPEN) && p->host_opens++ == 0)
			fn(ctx, true);
		if ((ev->mask & IN_CLOSE) && p->host_opens > 0 && --p->host_opens == 0) {
			/* A real tty forgets TIOCEXCL at its last close; our slave
			 * fd keeps this one open, so forget it here. */
			ioctl(p->slave, TIOCNXCL);
			fn(ctx, false);
		}
		off += (ssize_t)(sizeof *ev + ev->len);
	}
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void rspty_close(struct rspty *p)
{
	close_fd(p->ino);
	close_fd(p->shim_ls);
	close_fd(p->slave);
	close_fd(p->master);
	if (p->link[0])
		unlink(p->link);
	if (p->shim_path[0])
		unlink(p->shim_path);
	p->ino = p->shim_ls = p->slave = p->master = -1;
	p->link[0] = p->shim_path[0] = '\0';
}
