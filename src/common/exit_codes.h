/* SPDX-License-Identifier: MIT */
/*
 * exit_codes.h - the one table of exit codes of every program.
 *
 * The single source of truth: cli.h builds enum cli_exit from it, every
 * program's --help prints it (sb_exit_help()), and scripts/exit-codes
 * writes it into the man pages' EXIT STATUS, stmboot(7) and the README
 * (`make exit-codes`); tests/cli/exit_codes.sh fails when any of them
 * differs. To add a code, add a row here, run `make exit-codes`, commit.
 *
 * One row per line, in this form (scripts/exit-codes reads it with sed):
 *     X(NAME, NUMBER, "meaning, one line, no double quotes")
 * A code means one class of failure in every program; the classes follow
 * the team brief (2 usage, 3 bad input, 4 no device/busy, ...). A setting
 * that is wrong is a usage error (2) on the command line or in the
 * environment and bad input (3) in a file (a jig profile).
 */
#ifndef SB_EXIT_CODES_H
#define SB_EXIT_CODES_H

#include <stdio.h>

#define SB_EXIT_TABLE(X) \
	X(OK,        0, "success") \
	X(INTERNAL,  1, "internal error (out of memory, a bug)") \
	X(USAGE,     2, "usage error: bad option, argument or setting") \
	X(BAD_INPUT, 3, "bad input file (firmware, jig profile, state), or an image outside the part") \
	X(NO_DEVICE, 4, "no port, device, GPIO chip or line; busy; no permission; device gone") \
	X(IO,        5, "input/output error") \
	X(PROTOCOL,  6, "protocol error: NACK, DFU error status, garbage, or request not offered") \
	X(TIMEOUT,   7, "timeout: no answer") \
	X(PROTECTED, 8, "read or write protection is active") \
	X(VERIFY,    9, "verify mismatch: memory differs from the image") \
	X(GANG,     10, "gang: at least one board failed (each board's code is in the summary)") \
	X(EXPECT,   11, "--expect: the application's output did not match in time") \
	X(INTERRUPTED_SIGINT, 130, "interrupted by SIGINT at a block boundary (what was done is reported)") \
	X(INTERRUPTED_SIGTERM, 143, "interrupted by SIGTERM at a block boundary (what was done is reported)")

#define SB_EXIT_ENUM_(name, num, text) EXIT_##name = num,
enum cli_exit { SB_EXIT_TABLE(SB_EXIT_ENUM_) };
#undef SB_EXIT_ENUM_

/* The table as the last lines of --help ("Exit status:" and one line a code). */
static inline void sb_exit_help(FILE *f)
{
#define SB_EXIT_LINE_(name, num, text) fprintf(f, "  %d  %s\n", num, text);
	fputs("Exit status:\n", f);
	SB_EXIT_TABLE(SB_EXIT_LINE_)
#undef SB_EXIT_LINE_
}

#endif
