/* SPDX-License-Identifier: MIT */
/*
 * serialno.h - the serial-number counter file of a production line.
 *
 * The file holds the next number to use, in decimal, on one line. Taking a
 * number locks the file (flock, exclusive), reads it, writes number + 1 to
 * a temporary file in the same directory, fsyncs it and renames it over the
 * counter, then unlocks. A process that opened the old file while waiting
 * for the lock sees that the name now points at another inode and starts
 * again, so no two jobs - gang children, two gang runs, programs on one
 * machine sharing the file - ever get the same number, and a crash leaves
 * either the old or the new number, never a torn file. A number once taken
 * is never given again, even if its job then fails (its result event says
 * so); the counter must be on a local file system (flock).
 */
#ifndef SB_SERIALNO_H
#define SB_SERIALNO_H

#include <stdbool.h>
#include <stdint.h>

#include "sb_err.h"

/*
 * Take the next number (peek: only read it, for --dry-run). Errors:
 * SB_ERR_BAD_INPUT for a missing or malformed file (named, with the line),
 * SB_ERR_IO for a failed write; SB_ERR_INTERRUPTED when a signal arrives
 * while waiting for the lock.
 */
int serialno_take(const char *path, bool peek, uint64_t *value, struct sb_diag *d);

#endif
