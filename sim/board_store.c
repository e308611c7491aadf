/* SPDX-License-Identifier: MIT */
/*
 * board_store.c - where the board keeps flash, option bytes and OTP.
 *
 * The one place in sim/ that calls the OS: with a state file the bytes are
 * mapped MAP_SHARED, so other processes (tests running cmp/dd, a second
 * romsim) see every write at once; without one they live in memory.
 * Layout: see board.h "State-file layout".
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_priv.h"

static bool has_magic(int fd, size_t at)
{
	char m[sizeof BOARD_STATE_MAGIC - 1];

	return pread(fd, m, sizeof m, (off_t)at) == (ssize_t)sizeof m &&
	       !memcmp(m, BOARD_STATE_MAGIC, sizeof m);
}

static int map_file(struct board *b, const char *path, size_t *old_size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	void *p;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto fail;
	*old_size = (size_t)st.st_size;
	if (*old_size > b->flash_size && !has_magic(fd, b->flash_size))
		goto fail;  /* a foreign file: leave it untouched */
	if (*old_size < b->store_size && ftruncate(fd, (off_t)b->store_size) < 0)
		goto fail;
	p = mmap(NULL, b->store_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	close(fd);
	b->store = p;
	b->mapped = true;
	return 0;
fail:
	close(fd);
	return -1;
}

int board_store_open(struct board *b, const char *path, size_t *old_size)
{
	*old_size = 0;
	if (path)
		return map_file(b, path, old_size);
	b->store = calloc(1, b->store_size);
	b->mapped = false;
	return b->store ? 0 : -1;
}

void board_store_close(struct board *b)
{
	if (!b->store)
		return;
	if (b->mapped) {
		msync(b->store, b->store_size, MS_SYNC);
		munmap(b->store, b->store_size);
	} else {
		free(b->store);
	}
	b->store = NULL;
}
