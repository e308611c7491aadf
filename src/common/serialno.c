/* SPDX-License-Identifier: MIT */
/*
 * serialno.c - taking numbers from a counter file under a lock (serialno.h).
 */
#include "serialno.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobstop.h"

/* Open path and hold its lock, on the inode the name points at now. */
static int lock_counter(const char *path, int *fdp, struct stat *st, struct sb_diag *d)
{
	for (;;) {
		struct stat now;
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "serial-number counter %s: %s%s", path,
					   strerror(errno),
					   errno == ENOENT ? " (create it holding the first number, e.g. 'echo 1 > FILE')" : "");
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR || jobstop_signal()) {
				int e = errno;
				close(fd);
				return e == EINTR ? SB_ERR_INTERRUPTED
						  : sb_diag_set(d, SB_ERR_IO, "%s: lock: %s", path, strerror(e));
			}
		}
		if (fstat(fd, st) == 0 && stat(path, &now) == 0 && now.st_ino == st->st_ino &&
		    now.st_dev == st->st_dev) {
			*fdp = fd;
			return SB_OK;
		}
		close(fd);   /* replaced while we waited: lock the new one */
	}
}

static int read_counter(int fd, const char *path, uint64_t *v, struct sb_diag *d)
{
	char buf[64], *p, *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return sb_diag_set(d, SB_ERR_IO, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
	for (p = buf; isspace((unsigned char)*p); p++)
		;
	errno = 0;
	*v = strtoull(p, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (!isdigit((unsigned char)*p) || errno || *end || *v == UINT64_MAX)
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "%s:1: expected the next serial number in decimal on one line", path);
	return SB_OK;
}

/* path <- "value\n" through a temporary file, fsync and rename. */
static int write_counter(const char *path, const struct stat *st, uint64_t value, struct sb_diag *d)
{
	char tmp[4200], dir[4096], line[32];
	int fd, n = snprintf(line, sizeof(line), "%" PRIu64 "\n", value), dfd;
	bool ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st->st_mode & 0777);
	if (fd < 0)
		return sb_diag_set(d, SB_ERR_IO, "%s: %s", tmp, strerror(errno));
	ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
	if (close(fd) || !ok || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return sb_diag_set(d, SB_ERR_IO, "serial-number counter %s: %s", path, strerror(e));
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);   /* the rename itself survives a power cut */
		close(dfd);
	}
	return SB_OK;
}

int serialno_take(const char *path, bool peek, uint64_t *value, struct sb_diag *d)
{
	struct stat st;
	int fd = -1, err = lock_counter(path, &fd, &st, d);

	if (err)
		return err;
	err = read_counter(fd, path, value, d);
	if (!err && !peek)
		err = write_counter(path, &st, *value + 1, d);
	close(fd);   /* releases the lock */
	return err;
}
