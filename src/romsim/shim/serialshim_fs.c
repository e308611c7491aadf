/* SPDX-License-Identifier: MIT */
/*
 * serialshim_fs.c - the open/close and file-system side of serialshim.so
 * (see serialshim.c): Linux's DTR/RTS behaviour on open and last close,
 * and /sys/class/tty/pts/N for libserialport 0.1.1's get_port_details().
 */
#include "serialshim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

REAL(open)
REAL(open64)
REAL(openat)
REAL(openat64)
REAL(close)
REAL(tcgetattr)
REAL(readlink)

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
REAL(__open_2)
REAL(__open64_2)
REAL(__openat_2)

/* ---- open / close -------------------------------------------------------- */

/* Linux raises DTR and RTS on every open unless the speed is B0 (tty_port_block_til_ready). */
static int after_open(int fd)
{
	struct termios t;
	unsigned num;

	if (fd < 0 || !shim_pty_number(fd, &num))
		return fd;
	shim_lock();
	if (real_tcgetattr()(fd, &t) == 0 && cfgetospeed(&t) != B0)
		shim_set_lines(shim_pty_get(num), 1, 1);
	shim_unlock();
	return fd;
}

static int other_fd_open(unsigned num)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned other;
	int found = 0;

	if (!d)
		return 1; /* cannot tell: assume the tty stays open */
	while (!found && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d) && shim_pty_number(fd, &other) && other == num)
			found = 1;
	}
	closedir(d);
	return found;
}

/*
 * The last close in this process: with HUPCL Linux drops DTR and RTS. The
 * state is then forgotten, so that a later pty with the same number (or a
 * reopen) starts as a freshly opened tty and is reported afresh.
 */
static void after_last_close(unsigned num, int hupcl)
{
	struct pty *p;

	shim_lock();
	if (!other_fd_open(num)) {
		p = shim_pty_get(num);
		if (hupcl)
			shim_set_lines(p, 0, 0);
		memset(p, 0, sizeof(*p));
	}
	shim_unlock();
}

int close(int fd)
{
	struct termios t;
	unsigned num;
	int is_pty, hupcl = 0, r;

	is_pty = shim_pty_number(fd, &num);
	if (is_pty && real_tcgetattr()(fd, &t) == 0)
		hupcl = (t.c_cflag & HUPCL) != 0;
	r = real_close()(fd);
	if (is_pty && r == 0)
		after_last_close(num, hupcl);
	return r;
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return after_open(real_open()(path, flags, mode));
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return after_open(real_open64()(path, flags, mode));
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return after_open(real_openat()(dirfd, path, flags, mode));
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return after_open(real_openat64()(dirfd, path, flags, mode));
}

int __open_2(const char *path, int flags)
{
	return after_open(real___open_2()(path, flags));
}

int __open64_2(const char *path, int flags)
{
	return after_open(real___open64_2()(path, flags));
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return after_open(real___openat_2()(dirfd, path, flags));
}

/* ---- /sys/class/tty/pts/N for libserialport ------------------------------ */

/* Is path "/sys/class/tty/pts/N" for an existing /dev/pts/N? */
static int fake_sys_path(const char *path, unsigned *num)
{
	static const char prefix[] = "/sys/class/tty/pts/";
	char dev[48], *end;
	struct stat st;
	unsigned long n;

	if (!path || strncmp(path, prefix, sizeof(prefix) - 1))
		return 0;
	n = strtoul(path + sizeof(prefix) - 1, &end, 10);
	if (end == path + sizeof(prefix) - 1 || *end || n > 1u << 20)
		return 0;
	snprintf(dev, sizeof(dev), "/dev/pts/%lu", n);
	if (fstatat(AT_FDCWD, dev, &st, 0) < 0 || !S_ISCHR(st.st_mode))
		return 0;
	*num = (unsigned)n;
	return 1;
}

static int shim_stat(const char *path, struct stat *st, int flags)
{
	unsigned num;
	int r = fstatat(AT_FDCWD, path, st, flags);

	if (r == 0 || errno != ENOENT || !fake_sys_path(path, &num))
		return r;
	memset(st, 0, sizeof(*st));
	st->st_mode = (flags & AT_SYMLINK_NOFOLLOW) ? (S_IFLNK | 0777) : (S_IFDIR | 0755);
	st->st_nlink = 1;
	return 0;
}

int lstat(const char *path, struct stat *st)
{
	return shim_stat(path, st, AT_SYMLINK_NOFOLLOW);
}

int stat(const char *path, struct stat *st)
{
	return shim_stat(path, st, 0);
}

int lstat64(const char *path, struct stat64 *st)
{
	return shim_stat(path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}

int stat64(const char *path, struct stat64 *st)
{
	return shim_stat(path, (struct stat *)st, 0);
}

/* The pre-2.33 glibc entry points that libserialport 0.1.1 still imports (__lxstat@GLIBC_2.2.5). */
int __lxstat(int ver, const char *path, struct stat *st);
int __xstat(int ver, const char *path, struct stat *st);

int __lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return shim_stat(path, st, AT_SYMLINK_NOFOLLOW);
}

int __xstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return shim_stat(path, st, 0);
}

/* Target without "usb" or "bluetooth": libserialport takes it for a native port. */
ssize_t readlink(const char *path, char *buf, size_t size)
{
	char target[64];
	unsigned num;
	ssize_t r = real_readlink()(path, buf, size);
	size_t n;

	if (r >= 0 || errno != ENOENT || !fake_sys_path(path, &num))
		return r;
	n = (size_t)snprintf(target, sizeof(target), "../../devices/virtual/tty/pts/%u", num);
	if (n > size)
		n = size;
	memcpy(buf, target, n);
	return (ssize_t)n;
}
