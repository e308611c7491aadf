/* SPDX-License-Identifier: MIT */
/*
 * gang.h - gang programming: one job per board, all at once, one child
 * process each, and a summary table at the end.
 *
 * Why processes and not threads: a board's job owns a port or a USB
 * interface, a libusb context, the signal flag and the event record; in
 * its own process nothing of that is shared, a crash or a sanitizer abort
 * ends that board only, and the kernel releases its locks and interfaces
 * whatever happens. The engines keep no globals, so each child runs the
 * very same single-board code as a one-board command.
 *
 * Each child's events carry its board (port or USB path) and go to the
 * same stdout and --log file, one write per line. At the end every child
 * hands the parent one summary line through a pipe (exit status, time,
 * serial number, message); the parent prints the table (or, with --json,
 * a result event with a "boards" array) and exits 0 only if every board
 * succeeded, else EXIT_GANG (10), or 128 + the signal when interrupted.
 * SIGINT/SIGTERM sent to the parent alone are passed on to the children.
 */
#ifndef SB_GANG_H
#define SB_GANG_H

#include <stddef.h>

#include "cli.h"

#define GANG_MAX_BOARDS 64

/* The single-board job, run in the child for board; returns its exit status. */
typedef int (*gang_job_fn)(void *ctx, const char *board);

/* Run job for every board (n >= 1) at once; returns the gang's exit status. */
int gang_run(struct cli *c, char *const *boards, size_t n, gang_job_fn job, void *ctx);

struct job_files;
struct prod_opts;
/*
 * The gang of a job program: for write and verify (command) the files f
 * are loaded once first, so that a bad file fails once, before any board
 * is touched (po->no_data meanwhile: the parent takes no serial number);
 * then gang_run(). Returns the exit status (a bad file reported).
 */
int gang_run_checked(struct cli *c, struct prod_opts *po, const char *command, const struct job_files *f,
		     char *const *boards, size_t n, gang_job_fn job, void *ctx);

/*
 * Add a copy of board to boards (*n so far) unless it is there already: one
 * job per board. More than GANG_MAX_BOARDS is a usage error that counts
 * them as noun ("boards", "devices"). 0, or the exit status, reported.
 */
int gang_add(struct cli *c, char **boards, size_t *n, const char *board, const char *noun);

/* 0 if command is one of cmds (NULL-terminated), else a usage error listing them. */
int gang_command(struct cli *c, const char *command, const char *const *cmds);

/* ",\"gang\":true,\"boards\":[...]" members for the parent's start event, into buf. */
void gang_start_members(char *const *boards, size_t n, char *buf, size_t len);

#endif
