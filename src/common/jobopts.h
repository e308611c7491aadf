/* SPDX-License-Identifier: MIT */
/*
 * jobopts.h - the options an3155 and dfuse share: one table (JOB_LONGOPTS)
 * and one parser, so that the same option means the same thing, takes the
 * same values and gives the same message in both programs.
 */
#ifndef SB_JOBOPTS_H
#define SB_JOBOPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "image.h"
#include "plan.h"

struct job_opts {
	uint32_t retries;            /* --retries */
	enum sb_format format;       /* -f/--format; SB_FMT_AUTO: from the content */
	uint32_t base;               /* -a/--base: load address of raw binaries */
	bool has_base;
	enum sb_erase_mode erase;    /* --erase pages|all|none */
	bool verify;                 /* --no-verify clears it */
	bool keep_erased_blocks;     /* --keep-erased-blocks */
	bool read_first;             /* --plan read-first|full */
	bool read_unprotect;         /* --read-unprotect */
	bool dry_run;                /* -n/--dry-run */
	const char *pages;           /* erase --pages LIST */
	bool all;                    /* erase --all */
	bool force;                  /* --force */
	const char *ob_write;        /* option-bytes --write ARG */
	const char *ob_set;          /* option-bytes --set FIELD=VALUE,... */
};

/* getopt codes of the long-only shared options (above any program's own). */
enum {
	JOB_OPT_RETRIES = 0x2000, JOB_OPT_ERASE, JOB_OPT_NO_VERIFY, JOB_OPT_KEEP_FF,
	JOB_OPT_PLAN, JOB_OPT_RUNP, JOB_OPT_PAGES, JOB_OPT_ALL, JOB_OPT_OB_WRITE,
	JOB_OPT_OB_SET, JOB_OPT_FORCE, JOB_OPT_JSON, JOB_OPT_TRACE, JOB_OPT_VERSION,
};

/* The shared entries of a struct option table (short options: f a n q v h). */
#define JOB_LONGOPTS                                                           \
	{ "retries", required_argument, NULL, JOB_OPT_RETRIES },               \
	{ "format", required_argument, NULL, 'f' },                            \
	{ "base", required_argument, NULL, 'a' },                              \
	{ "erase", required_argument, NULL, JOB_OPT_ERASE },                   \
	{ "no-verify", no_argument, NULL, JOB_OPT_NO_VERIFY },                 \
	{ "keep-erased-blocks", no_argument, NULL, JOB_OPT_KEEP_FF },          \
	{ "plan", required_argument, NULL, JOB_OPT_PLAN },                     \
	{ "read-unprotect", no_argument, NULL, JOB_OPT_RUNP },                 \
	{ "dry-run", no_argument, NULL, 'n' },                                 \
	{ "pages", required_argument, NULL, JOB_OPT_PAGES },                   \
	{ "all", no_argument, NULL, JOB_OPT_ALL },                             \
	{ "write", required_argument, NULL, JOB_OPT_OB_WRITE },                \
	{ "set", required_argument, NULL, JOB_OPT_OB_SET },                    \
	{ "force", no_argument, NULL, JOB_OPT_FORCE },                         \
	{ "json", no_argument, NULL, JOB_OPT_JSON },                           \
	{ "quiet", no_argument, NULL, 'q' },                                   \
	{ "verbose", no_argument, NULL, 'v' },                                 \
	{ "trace", no_argument, NULL, JOB_OPT_TRACE },                         \
	{ "help", no_argument, NULL, 'h' },                                    \
	{ "version", no_argument, NULL, JOB_OPT_VERSION }

/* Defaults: verify, erase the touched pages, auto format; the rest per program. */
void job_opts_init(struct job_opts *o, uint32_t retries, bool read_first);

/*
 * Apply option opt (as getopt_long returns it) if it is a shared one.
 * Returns -1 when it is not, 0 when applied, or the exit status of a usage
 * error (already reported through cli). -h and --version are the caller's.
 */
int job_opts_parse(struct job_opts *o, struct cli *cli, int opt, const char *arg);

#endif
