/* SPDX-License-Identifier: MIT */
/*
 * serial_lock.c - exclusive access to a port, and naming who holds a busy
 * one ("held by minicom (pid 1234)"), from /proc/locks or /proc/PID/fd.
 */
#include "serial_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_HOLDERS 4

struct holders {
	int pid[MAX_HOLDERS];
	int n;
};

static void add_holder(struct holders *h, int pid)
{
	if (pid <= 0 || pid == getpid())
		return;
	for (int i = 0; i < h->n; i++)
		if (h->pid[i] == pid)
			return;
	if (h->n < MAX_HOLDERS)
		h->pid[h->n++] = pid;
}

/* Lines "1: FLOCK  ADVISORY  WRITE 1234 00:18:5 0 EOF" (proc(5)); waiters ("->") skipped. */
static void holders_from_locks(const struct stat *st, struct holders *h)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256], type[16];
	unsigned maj, min;
	unsigned long ino;
	int pid;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", type, &pid, &maj, &min, &ino) == 5 &&
		    strcmp(type, "->") && ino == st->st_ino && maj == major(st->st_dev) &&
		    min == minor(st->st_dev))
			add_holder(h, pid);
	fclose(f);
}

static void holders_of_fds(int pid, dev_t rdev, struct holders *h)
{
	char path[64];
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%.20s", pid, e->d_name);
		if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
		    st.st_rdev == rdev) {
			add_holder(h, pid);
			break;
		}
	}
	closedir(d);
}

/* Processes with the device open, when no lock names one (e.g. TIOCEXCL). */
static void holders_from_fds(dev_t rdev, struct holders *h)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL && h->n < MAX_HOLDERS)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			holders_of_fds(atoi(e->d_name), rdev, h);
	closedir(d);
}

static void format_holders(const struct holders *h, char *out, size_t len)
{
	size_t used;

	snprintf(out, len, "%s", h->n ? ", held by " : "");
	for (int i = 0; i < h->n; i++) {
		char path[32], comm[32] = "?";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", h->pid[i]);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		used = strlen(out);
		snprintf(out + used, len - used, "%s%s (pid %d)", i ? ", " : "", comm, h->pid[i]);
	}
}

static int busy_error(struct serial_port *p, struct sb_diag *d)
{
	struct holders h = { .n = 0 };
	char who[200];
	struct stat st;

	if ((p->lock_fd >= 0 ? fstat(p->lock_fd, &st) : stat(p->dev, &st)) == 0) {
		holders_from_locks(&st, &h);
		if (!h.n)
			holders_from_fds(st.st_rdev, &h);
	}
	format_holders(&h, who, sizeof(who));
	return sb_diag_set(d, SB_ERR_NO_DEVICE, "port %s is busy%s; close that program and try again",
			   p->dev, who);
}

int ser_open_error(struct serial_port *p, int e, struct sb_diag *d)
{
	struct stat st;
	struct group *g;

	switch (e) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		return sb_diag_set(d, SB_ERR_NO_DEVICE, "no such port %s (unplugged?)", p->dev);
	case EBUSY:
		return busy_error(p, d);
	case EACCES:
	case EPERM:
		g = stat(p->dev, &st) == 0 ? getgrgid(st.st_gid) : NULL;
		return sb_diag_set(d, SB_ERR_NO_DEVICE,
				   "permission denied opening %s: join the '%s' group "
				   "(sudo usermod -aG %s $USER, then log in again)",
				   p->dev, g ? g->gr_name : "dialout", g ? g->gr_name : "dialout");
	default:
		return sb_diag_set(d, SB_ERR_IO, "cannot open %s: %s", p->dev, strerror(e));
	}
}

/*
 * flock() keeps out programs that use it (minicom, screen, our own);
 * stm32flash uses lockf(), a POSIX lock that flock() does not conflict
 * with (serial-anchors §1.4), so take one of those as well.
 */
static int take_locks(struct serial_port *p, struct sb_diag *d)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (flock(p->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return busy_error(p, d);
		sb_logf(&p->log, SB_LOG_DEBUG, "%s: flock: %s", p->dev, strerror(errno));
	}
	if (fcntl(p->lock_fd, F_SETLK, &fl) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			return busy_error(p, d);
		sb_logf(&p->log, SB_LOG_DEBUG, "%s: POSIX lock: %s", p->dev, strerror(errno));
	}
	return SB_OK;
}

/* Lock before libserialport opens and configures the port: a busy port is left untouched. */
int ser_lock_open(struct serial_port *p, struct sb_diag *d)
{
	static const char not_port[] = "%s is not a serial port (not a character device)";
	struct stat st;

	/* First, so that a file the user may not write is not called a permission problem. */
	if (stat(p->dev, &st) == 0 && !S_ISCHR(st.st_mode))
		return sb_diag_set(d, SB_ERR_NO_DEVICE, not_port, p->dev);
	p->lock_fd = open(p->dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (p->lock_fd < 0)
		return ser_open_error(p, errno, d);
	if (fstat(p->lock_fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return sb_diag_set(d, SB_ERR_NO_DEVICE, not_port, p->dev);
	return take_locks(p, d);
}

/* After every open of ours: TIOCEXCL is a property of the tty, refusing further opens. */
void ser_exclusive(struct serial_port *p)
{
	if (ioctl(p->fd, TIOCEXCL) < 0)
		sb_logf(&p->log, SB_LOG_DEBUG, "%s: TIOCEXCL: %s", p->dev, strerror(errno));
}

/*
 * Before closing: the flag outlives our descriptors while any other process
 * keeps the tty open (a monitor, a pty's other holder such as romsim), and
 * would refuse every later open by a user without CAP_SYS_ADMIN.
 */
void ser_unexclusive(struct serial_port *p)
{
	if (p->fd >= 0 && ioctl(p->fd, TIOCNXCL) < 0)
		sb_logf(&p->log, SB_LOG_DEBUG, "%s: TIOCNXCL: %s", p->dev, strerror(errno));
}
