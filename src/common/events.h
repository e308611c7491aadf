/* SPDX-License-Identifier: MIT */
/*
 * events.h - the job record behind --json and --log: start and result
 * events for every command, the common members of every event, the phases
 * and their durations, the input files with their SHA-256, the chip's
 * identity, and what an interrupted job had done. The schema is in
 * stmboot(7), section "EVENTS", and tests/cli/events_schema.sh checks
 * every event of several runs against it.
 *
 * One job per process (a gang runs one child process per board), so the
 * record is process state, reached by the hooks in cli.c and job.c without
 * threading it through every call. Before events_begin() every hook is a
 * no-op and cli_event() prints events as they are (bootctl's own events).
 *
 * --log FILE: the same lines but progress are appended with O_APPEND, one
 * write(2) per line, so parallel jobs (gang children, several gang runs,
 * other programs) never interleave inside a line.
 */
#ifndef SB_EVENTS_H
#define SB_EVENTS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "plan.h"

/*
 * Start the record and emit "start": the command, the tool's version, the
 * board when known, and the input files (FILE or FILE@ADDR, hashed now;
 * "-" is hashed when it is read). log: --log FILE or NULL (opened here;
 * an error names it). extra: more members for the start event, or NULL.
 */
int events_begin(struct cli *c, const char *version, const char *command, char *const *files,
		 int nfiles, const char *log, const char *extra, struct sb_diag *d);

/* Whether events_begin() ran in this process. */
bool events_active(void);

/* Emit the one "result" event of the job (ok, exit, the command's own
 * result members, phases, files, chip, per-board data) and return rc. */
int events_end(struct cli *c, int rc);

/* The port or USB path this job works on: the "board" member of every event. */
void events_set_board(const char *board);

/*
 * The chip answered: members is the inside of the "chip" object
 * ("\"pid\":1136,..."); emits a "chip" event and ends the "connect" phase.
 */
void events_chip(struct cli *c, const char *members);

/* Emit an event now, with the cli of events_begin (members: one string). */
void events_emit_now(const char *event, const char *members);

/* Add ",\"key\":value" members (printf format) to the result event. */
void events_result_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- hooks (cli.c, job.c) ---- */

/* cli_event(): build the line, print it (--json), log it (--log). */
void events_vemit(struct cli *c, const char *event, const char *fields, va_list ap);
/* cli_event() for "result": keep the command's members for events_end();
 * false when the record is not active (print the event as it is). */
bool events_stash_result(const char *fields, va_list ap);
/* cli_progress(): phase timing and progress, and a block boundary (jobstop.h). */
void events_note_progress(const char *phase, uint64_t done, uint64_t total);
/* job_print_plan(): the pages and blocks of the plan, to say what an interrupted job did. */
void events_note_plan(const struct sb_plan *p);
/* cli_load_image(): the bytes of an input file as loaded; SB_ERR_BAD_INPUT
 * if they differ from what was hashed at the start (the file changed). */
int events_note_file(const char *path, const uint8_t *buf, size_t len, struct sb_diag *d);
/* cli_fail(): the failure, for the result event. */
void events_note_fail(int err, const char *msg);
/* What an interrupted job had done ("erased pages 0-5 (6 of 6); wrote ..."):
 * events_done.c, from the plan noted and the phases' progress. */
void events_done_text(char *buf, size_t len);
void events_plan_forget(void);
/* The last progress counted for a phase; false if it never started. */
bool events_phase_progress(const char *name, uint64_t *done, uint64_t *total);
/* Start a phase that has no progress reports (expect); end it with events_phase_end. */
void events_phase_begin(const char *phase);
void events_phase_end(const char *phase);

/* ---- gang (gang.c) ---- */

/* In a forked child: a fresh record for board, the summary line goes to fd;
 * emits this board's "start". */
void events_child(struct cli *c, const char *board, int fd);
/* The serial-number text of the job ("" if none), for the gang summary. */
void events_set_serial_text(const char *text);

#endif
