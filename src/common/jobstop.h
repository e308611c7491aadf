/* SPDX-License-Identifier: MIT */
/*
 * jobstop.h - SIGINT and SIGTERM stop a job at the next block boundary.
 *
 * The handler only records the signal. Blocking calls see EINTR and retry,
 * so the block on the wire completes; the next progress report (the engines
 * report after each block or erase command) or phase start arms the gate,
 * and from then on the serial and USB links refuse every new transfer with
 * SB_ERR_INTERRUPTED - the engine returns, the session closes as after any
 * failure (adapter settings restored, boot lines released, the part left in
 * its ROM loader) and the program reports what was done and exits 128 + the
 * signal number (130 for SIGINT, 143 for SIGTERM).
 * A second signal of either kind ends the program at once (default action),
 * except in a gang child, which may get the same request twice (from the
 * terminal and passed on by the parent). A SIGINT that was ignored when the
 * program started (a background job of a shell, nohup) stays ignored.
 *
 * Process state (the one thing a signal handler can reach): one job per
 * process, so gang children each have their own.
 */
#ifndef SB_JOBSTOP_H
#define SB_JOBSTOP_H

#include <stdbool.h>

/* Install the handlers (SIGINT, SIGTERM; no SA_RESTART). */
void jobstop_install(void);
/* A forked gang child: forget any recorded signal, a second one does not kill. */
void jobstop_reset(void);
/* The signal received (SIGINT, SIGTERM), or 0. */
int jobstop_signal(void);
/* A block boundary: arm the gate if a signal is pending. */
void jobstop_boundary(void);
/* Whether links must refuse new transfers (the slot shape of the cancel hooks). */
bool jobstop_armed(void *ctx);
/* "SIGINT", "SIGTERM". */
const char *jobstop_name(int sig);
/* Exit status of an interrupted job: 128 + signal. */
int jobstop_exit_code(void);

#endif
