/*
 * cli.h - what the programs share: exit codes, messages, --json events,
 * the progress bar, reading input files, parsing numbers.
 *
 * Only the programs in src/ use this; the library never prints.
 */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "sb_err.h"
#include "sb_log.h"

/* Exit codes, the same in every program (each man page's EXIT STATUS). */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_BAD_INPUT = 3,
	EXIT_NO_DEVICE = 4,
	EXIT_IO = 5,
	EXIT_PROTOCOL = 6,
	EXIT_TIMEOUT = 7,
	EXIT_PROTECTED = 8,
	EXIT_VERIFY = 9,
	EXIT_GANG = 10,        /* gang: at least one board failed (each board's code in the summary) */
	EXIT_EXPECT = 11,      /* --expect: the application's output did not match in time */
	/* interrupted by SIGINT / SIGTERM at a block boundary: 128 + signal, 130 / 143 */
	EXIT_INTERRUPTED_SIGINT = 130,
	EXIT_INTERRUPTED_SIGTERM = 143,
};

int cli_exit_code(int sb_err);

struct cli {
	const char *prog;      /* "an3155" */
	char label[300];       /* message prefix: prog, or "prog: BOARD" in a gang */
	bool gang_child;       /* one board of a gang: no plan text, no progress bar */
	int verbosity;         /* 0 -q, 1 normal, 2 -v, 3 -vv */
	bool trace;            /* --trace: byte dumps */
	bool json;             /* --json: events on stdout */
	bool bar;              /* progress bar on stderr (a terminal, not -q, not --json) */
	struct sb_log log;     /* hand this to the library */
	/* progress state */
	const char *phase;
	uint64_t last_ms;
	int last_pct;
};

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
/* Usage error: message, hint to --help; returns EXIT_USAGE. */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress of a phase ("erase", "write", "verify", "read"). */
void cli_progress(struct cli *c, const char *phase, uint64_t done, uint64_t total);
void cli_progress_done(struct cli *c);

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
