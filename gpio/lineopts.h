/* SPDX-License-Identifier: MIT */
/*
 * lineopts.h - boot/reset line settings shared by bootctl, an3155 and
 * dfuse: command-line options, environment variables and named jig
 * profiles, resolved into line specs and entry/exit sequences, then opened
 * as a struct sb_lines.
 *
 * Precedence, per setting: command-line option > environment variable >
 * jig profile > built-in default. Every setting remembers where it came
 * from ("--nrst", "STMBOOT_NRST", "jig 'pi' (/etc/stmboot/jigs.conf:4)")
 * so that messages can say which one to fix.
 *
 * Jig profiles: INI-style files, the per-user file first, then the
 * system-wide one (or only the --config file); the first file holding the
 * section wins, whole:
 *     # ~/.config/stmboot/jigs.conf
 *     [pi]
 *     boot0 = gpio:GPIO17
 *     nrst  = gpio:GPIO27:open-drain
 *     port  = /dev/ttyAMA0
 * Keys are the option names below, plus the extras the programs read
 * (sb_lineopts_extra): "baud" (a number: the serial rate) and "ports" (the
 * ports of a gang, paths or globs separated by blanks or commas). Any other
 * key, in any section, is an error naming the file and line, and so is a
 * bad value. A section named "default" is used when nothing selects lines
 * at all. A default file that exists but cannot be opened or read (another
 * user's HOME) is skipped with a debug message; an explicit --config that
 * cannot be read is an error, and so is any profile file larger than 64 KiB.
 *
 * Typical use in a program:
 *     struct sb_lineopts lo;
 *     sb_lineopts_init(&lo, "an3155");
 *     ... getopt_long with SB_LINEOPTS_LONGOPTS in the table;
 *         in the default: case, rc = sb_lineopts_getopt(&lo, c, optarg, &d) ...
 *     sb_lineopts_resolve(&lo, env_fn, NULL, &d);
 *     const struct sb_seq *job[2];
 *     size_t n = sb_lineopts_job(&lo, job);
 *     if (sb_lineopts_needs_port(&lo, job, n)) open the port -> link;
 *     sb_lineopts_open(&lo, job, n, &link, NULL, &lines, &d);
 *     sb_lineopts_enter(&lo, &lines, log, &d);  ... job ...
 *     sb_lineopts_exit(&lo, &lines, log, &d);
 *     sb_lines_close(&lines);  then close the link.
 *
 * Errors: SB_ERR_BAD_INPUT for a bad value, unknown jig or malformed
 * profile (in_file tells the last two apart: exit code 3 for a bad file,
 * 2 for usage), SB_ERR_NO_DEVICE / SB_ERR_IO from the backends. Not
 * thread-safe; no global state. Reads files and the environment only in
 * sb_lineopts_resolve().
 */
#ifndef SB_LINEOPTS_H
#define SB_LINEOPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "lines.h"

enum sb_lo_key {
	SB_LO_BOOT0,       /* --boot0 SPEC            STMBOOT_BOOT0 */
	SB_LO_NRST,        /* --nrst SPEC             STMBOOT_NRST */
	SB_LO_PORT,        /* the program's own port option; STMBOOT_PORT; not in the longopts */
	SB_LO_ENTRY,       /* --entry SEQUENCE        STMBOOT_ENTRY   (default "enter") */
	SB_LO_EXIT,        /* --exit SEQUENCE         STMBOOT_EXIT    (default "run") */
	SB_LO_STM32FLASH,  /* --stm32flash-i ENTRY:EXIT  STMBOOT_STM32FLASH_I */
	SB_LO_PULSE,       /* --pulse DURATION        STMBOOT_PULSE   (NRST low in presets) */
	SB_LO_SETTLE,      /* --settle DURATION       STMBOOT_SETTLE  (wait after release) */
	SB_LO_JIG,         /* --jig NAME              STMBOOT_JIG */
	SB_LO_CONFIG,      /* --config FILE           STMBOOT_CONFIG */
	SB_LO_NKEYS
};

/* getopt_long values of the shared options (above any short option). */
#define SB_LO_OPT(key) (0x4c00 + (key))
#define SB_LINEOPTS_LONGOPTS                                                       \
	{ "boot0", required_argument, NULL, SB_LO_OPT(SB_LO_BOOT0) },              \
	{ "nrst", required_argument, NULL, SB_LO_OPT(SB_LO_NRST) },                \
	{ "entry", required_argument, NULL, SB_LO_OPT(SB_LO_ENTRY) },              \
	{ "exit", required_argument, NULL, SB_LO_OPT(SB_LO_EXIT) },                \
	{ "stm32flash-i", required_argument, NULL, SB_LO_OPT(SB_LO_STM32FLASH) },  \
	{ "pulse", required_argument, NULL, SB_LO_OPT(SB_LO_PULSE) },              \
	{ "settle", required_argument, NULL, SB_LO_OPT(SB_LO_SETTLE) },            \
	{ "jig", required_argument, NULL, SB_LO_OPT(SB_LO_JIG) },                  \
	{ "config", required_argument, NULL, SB_LO_OPT(SB_LO_CONFIG) }

#define SB_LO_VAL 256
#define SB_LO_ORIGIN 160
#define SB_LO_MAX_EXTRA 16

struct sb_lo_extra {
	char key[32];
	char val[SB_LO_VAL];
	char origin[SB_LO_ORIGIN];
};

struct sb_lineopts {
	/* Raw settings (sb_lineopts_set / _resolve). */
	char val[SB_LO_NKEYS][SB_LO_VAL];
	char origin[SB_LO_NKEYS][SB_LO_ORIGIN];
	bool set[SB_LO_NKEYS];
	struct sb_lo_extra extra[SB_LO_MAX_EXTRA];
	size_t nextra;
	char consumer[32];
	char jig_file[SB_LO_VAL];  /* file the jig came from, "" if none */
	bool in_file;              /* the last error was in a profile file */
	const struct sb_log *log;  /* debug messages (skipped files); NULL: none */
	bool explicit_config;      /* the files were named (--config, STMBOOT_CONFIG) */

	/* Resolved by sb_lineopts_resolve(). */
	struct sb_linespec boot0, nrst;
	struct sb_seq_timing timing;
	struct sb_seq entry, exit;
	bool has_exit;             /* false: no exit sequence (stm32flash -i without ':') */
};

typedef const char *(*sb_lo_getenv_fn)(void *ctx, const char *name);

/* Empty settings; consumer is the GPIO consumer label ("bootctl"). */
void sb_lineopts_init(struct sb_lineopts *o, const char *consumer);

/* Option/key name ("boot0", "stm32flash-i") of a key, and back. */
const char *sb_lineopts_key_name(enum sb_lo_key key);
bool sb_lineopts_key_lookup(const char *name, enum sb_lo_key *key);
/* Environment variable of a key ("STMBOOT_BOOT0"). */
const char *sb_lineopts_env_name(enum sb_lo_key key);

/*
 * Set a key (replacing an earlier value) and check its syntax at once,
 * so a bad value is blamed on origin ("--nrst: column 6: ...").
 */
int sb_lineopts_set(struct sb_lineopts *o, enum sb_lo_key key, const char *value,
		    const char *origin, struct sb_diag *d);

/*
 * For the default: branch of a getopt_long loop: 1 if c was one of
 * SB_LINEOPTS_LONGOPTS and its value is fine, 0 if c is not ours, or a
 * negative error (d says what).
 */
int sb_lineopts_getopt(struct sb_lineopts *o, int c, const char *arg, struct sb_diag *d);

/* Help lines for SB_LINEOPTS_LONGOPTS (static text, ends with '\n'). */
const char *sb_lineopts_help(void);

/*
 * Environment, then jig profile, then defaults; then parse every spec and
 * sequence. env may be NULL (no environment; tests). Profile files:
 * $STMBOOT_CONFIG or --config only, else $XDG_CONFIG_HOME (or
 * $HOME/.config)/stmboot/jigs.conf then /etc/stmboot/jigs.conf.
 */
int sb_lineopts_resolve(struct sb_lineopts *o, sb_lo_getenv_fn env, void *env_ctx,
			struct sb_diag *d);

/* sb_lineopts_resolve with an explicit list of profile files (tests, tools). */
int sb_lineopts_resolve_files(struct sb_lineopts *o, sb_lo_getenv_fn env, void *env_ctx,
			      const char *const *files, size_t nfiles, struct sb_diag *d);

/*
 * Pure: apply section [jig] of profile text (from fname, for messages) to
 * every key not set yet. *found says whether the section exists.
 * Malformed text: SB_ERR_BAD_INPUT naming fname:line.
 */
int sb_lineopts_apply_profile(struct sb_lineopts *o, const char *text, const char *fname,
			      const char *jig, bool *found, struct sb_diag *d);

/* Section names of a profile text, ", "-separated into buf (for messages). */
void sb_lineopts_list_jigs(const char *text, char *buf, size_t n);

/* A profile key this module does not use ("baud"); NULL if absent. */
const char *sb_lineopts_extra(const struct sb_lineopts *o, const char *key);

/* Whether BOOT0 or NRST is wired, or --stm32flash-i drives raw signals. */
bool sb_lineopts_wired(const struct sb_lineopts *o);

/*
 * The sequences of a flashing job, in the order they run: entry, then exit
 * when there is one. Returns their count (1 or 2).
 */
size_t sb_lineopts_job(const struct sb_lineopts *o, const struct sb_seq *seqs[2]);

/* Whether running the n sequences needs the serial port's link (RTS/DTR). */
bool sb_lineopts_needs_port(const struct sb_lineopts *o, const struct sb_seq *const *seqs,
			    size_t n);

/*
 * Check, before anything is opened, that every boot0/nrst step of s has a
 * wired line (message names the column and the option to use), and that
 * s sends no break (not supported).
 */
int sb_lineopts_check(const struct sb_lineopts *o, const struct sb_seq *s, struct sb_diag *d);

/* The port setting, or NULL. */
const char *sb_lineopts_port(const struct sb_lineopts *o);

/*
 * Open (request and hold) every line the n sequences set: the ones the
 * caller will run, in order (sb_lineopts_job() for a flashing job). Each
 * line opens at the first level the sequences give it (its init=
 * overrides), so opening causes no glitch; wired lines no sequence uses
 * stay untouched. Every sequence is checked (sb_lineopts_check) before
 * anything is opened. link: the open serial port when needs_port (its
 * modem lines are set right here), else NULL. gopts: NULL for the
 * defaults (consumer from init). Sequences without any line give an
 * empty set of lines (waits only).
 */
int sb_lineopts_open(const struct sb_lineopts *o, const struct sb_seq *const *seqs, size_t n,
		     const struct sb_link *link, const struct sb_gpiod_opts *gopts,
		     struct sb_lines *out, struct sb_diag *d);

/* Run the entry / exit sequence (exit: nothing if !has_exit). */
int sb_lineopts_enter(const struct sb_lineopts *o, const struct sb_lines *l,
		      const struct sb_log *log, struct sb_diag *d);
int sb_lineopts_exit(const struct sb_lineopts *o, const struct sb_lines *l,
		     const struct sb_log *log, struct sb_diag *d);

#endif
