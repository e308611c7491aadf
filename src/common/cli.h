/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the programs share: exit codes, messages, --json events,
 * the progress bar, reading input files, parsing numbers.
 *
 * Only the programs in src/ use this; the library never prints.
 */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "sb_err.h"
#include "sb_log.h"

/* Exit codes, the same in every program: enum cli_exit (EXIT_OK, EXIT_USAGE, ...). */
#include "exit_codes.h"

int cli_exit_code(int sb_err);

struct cli {
	const char *prog;      /* "an3155": in --json events */
	const char *name;      /* in messages, if not prog: the installed name (stm32-bootctl) */
	char label[300];       /* "name: BOARD" for one board of a gang, else empty (cli_who) */
	bool gang_child;       /* one board of a gang: no plan text, no progress bar */
	int verbosity;         /* 0 -q, 1 normal, 2 -v, 3 -vv */
	bool trace;            /* --trace: byte dumps */
	bool json;             /* --json: events on stdout */
	bool bar;              /* progress bar on stderr (a terminal, not -q, not --json) */
	struct sb_log log;     /* hand this to the library */
	/* progress state */
	bool stdout_tty;       /* stdout is a terminal: the bar may start at once */
	bool bar_drawn;        /* a bar frame is on the terminal's current line */
	const char *phase;
	uint64_t phase_t0;     /* when the phase began, for rate and time left */
	uint64_t last_ms;
	int last_pct;
};

/* The name messages and hints use: name, else prog. */
const char *cli_name(const struct cli *c);
/* The prefix of messages: cli_name(), or "name: BOARD" for one board of a gang. */
const char *cli_who(const struct cli *c);

/* Set up after option parsing (verbosity, json, trace filled in). */
void cli_init(struct cli *c, const char *prog);

/* Human message on stderr at normal verbosity ("PROG: ..."). */
void cli_info(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Report a failure: "PROG: error: WHAT: DETAIL" on stderr, an "error" event
 * with --json. Returns the exit code for err.
 */
int cli_fail(struct cli *c, int err, const struct sb_diag *d, const char *what);
/*
 * Usage error: "PROG: MESSAGE" and one "Try 'PROG --help'." line on
 * stderr, an "error" event with --json; returns EXIT_USAGE.
 */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A failure of the line settings (lineopts): a bad setting is a usage
 * error (2) on the command line or in the environment, bad input (3) in a
 * jig profile (in_file); other errors as cli_fail().
 */
int cli_fail_lines(struct cli *c, bool in_file, int err, const struct sb_diag *d, const char *what);
struct sb_lineopts;
struct sb_seq;
/*
 * Options > environment > jig profile: resolve the BOOT0/NRST settings,
 * give the port and whether any line is wired, and refuse (before any port
 * opens) a job sequence that sets a line nobody wired. job/njob: the job's
 * entry and exit sequences, none when no line is wired. Returns 0 or the
 * exit status, already reported.
 */
int cli_resolve_lines(struct cli *c, struct sb_lineopts *lo, const char **port, bool *wired,
		      const struct sb_seq *job[2], size_t *njob);
/*
 * The part did not answer although the entry sequence drove its lines:
 * d->msg (its first keep characters; keep < 0: all) gets where BOOT0 and
 * NRST were driven, that a swapped or inverted pair keeps the ROM loader
 * from starting, and to try 'bootctl enter' with the same options and
 * watch `watch` ("the board"). The wiring is blamed, not a bare timeout.
 */
void cli_blame_wiring(const struct sb_lineopts *lo, int keep, const char *watch, struct sb_diag *d);
/* A number for option --NAME (cli_parse_u32), or the usage error naming it. */
int cli_number(struct cli *c, const char *name, const char *arg, uint32_t *out);
/*
 * --help of a program that runs jobs (an3155, dfuse): TEXT up to its
 * "General:" line, the BOOT0/NRST options, the production options, the
 * rest of TEXT, and the exit codes; then exit 0.
 */
void cli_job_help(const char *text) __attribute__((noreturn));
/*
 * The command line of a job program (an3155, dfuse): options before and
 * after the command word, the command, then at most max_args arguments.
 * option() applies one option getopt_long returned (nonzero: a usage
 * error, already reported); -h is cli_job_help(help), version_opt prints
 * "PROG (stmboot) VERSION". Returns 0 or the exit status.
 */
struct cli_args {
	const char *shortopts;
	const struct option *longopts;
	int version_opt;
	const char *help;
	int (*option)(void *ctx, int opt, const char *arg);
	void *ctx;
	const char *command;   /* out */
	char **args;           /* out: max_args entries */
	int nargs, max_args;
};
int cli_job_args(struct cli *c, int argc, char **argv, struct cli_args *a);
/* getopt_long returned '?': the usage error for argv[optind - 1]. */
int cli_bad_option(struct cli *c, char **argv);
/*
 * Before option parsing: --json anywhere before "--" turns on JSON events
 * (so that an error in an earlier option is an event too), and getopt's
 * own messages are off (cli_bad_option says it once, with the hint).
 */
void cli_prescan(struct cli *c, int argc, char **argv);

/*
 * Progress of a phase ("erase" counts pages, "write", "verify", "read"
 * bytes): a "progress" event with --json; on a terminal, a bar on stderr
 * with rate and time left. Every other message clears the bar first
 * (cli_progress_done), so stdout and stderr never share a line.
 */
void cli_progress(struct cli *c, const char *phase, uint64_t done, uint64_t total);
void cli_progress_done(struct cli *c);

/*
 * A phase whose progress comes from several engine calls, each counting
 * from 0: base is what the calls before did (the caller adds to it).
 * name NULL: no phase runs, an engine's progress is not shown.
 */
struct cli_phase {
	const char *name;
	uint64_t base, total;
};
/* Start phase name of total units (base 0) and show 0 of them. */
void cli_phase_begin(struct cli *c, struct cli_phase *p, const char *name, uint64_t total);
/* An engine call's progress: base + done of total, while a phase runs. */
void cli_phase_report(struct cli *c, const struct cli_phase *p, uint64_t done);
/* Show the phase complete and clear the bar; nothing when no phase runs. */
void cli_phase_end(struct cli *c, struct cli_phase *p);

/*
 * --json: print one event line. fields is a printf format producing the
 * members after "event" (e.g. "\"bytes\":%u"), or NULL.
 */
void cli_event(struct cli *c, const char *event, const char *fields, ...)
	__attribute__((format(printf, 3, 4)));
/* JSON-escape s into buf (always NUL-terminated). */
const char *cli_json_str(char *buf, size_t len, const char *s);

/* Whole file (or stdin for "-") into a malloc'd buffer. */
int cli_read_file(const char *path, uint8_t **buf, size_t *len, struct sb_diag *d);
/* Write buf to path ("-": stdout), via a temporary file and rename. */
int cli_write_file(const char *path, const uint8_t *buf, size_t len, struct sb_diag *d);

/*
 * Load "FILE" or "FILE@ADDR" (raw binary at ADDR) into img. fmt forces a
 * format; raw binaries without @ADDR load at default_base.
 */
int cli_load_image(const char *spec, enum sb_format fmt, uint32_t default_base,
		   struct sb_image *img, struct sb_diag *d);

/* Numbers: decimal, 0x hex, with optional K/M suffix (x1024). */
bool cli_parse_u32(const char *s, uint32_t *out);
/* "ADDR:LEN" or "ADDR..END" (END exclusive). */
bool cli_parse_range(const char *s, uint32_t *addr, uint32_t *len);

uint64_t cli_now_ms(void);
void cli_sleep_ms(unsigned ms);

#endif
