/* SPDX-License-Identifier: MIT */
/*
 * prod.h - the production-line options an3155 and dfuse share: --log,
 * per-board data (--patch, serial numbers), the smoke check (--expect).
 * Gang programming is gang.h; signals jobstop.h; the event record events.h.
 *
 * Like gpio/lineopts.h: the program puts PROD_LONGOPTS into its getopt
 * table and hands unknown option codes to prod_getopt(). Then
 * prod_validate() for the command, and prod_activate() so that the shared
 * job code (job_load, job_check) applies the per-board data: the bytes go
 * into the image before the plan is made, so they are erased, written and
 * verified like the rest of it.
 */
#ifndef SB_PROD_H
#define SB_PROD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "image.h"
#include "part.h"
#include "patch.h"
#include "sb_err.h"
#include "sb_link.h"
#include "sb_log.h"

struct cli;

enum prod_key {
	PROD_LOG, PROD_PATCH, PROD_SN_COUNTER, PROD_SN_ADDR, PROD_SN_FORMAT,
	PROD_EXPECT, PROD_EXPECT_TIMEOUT, PROD_EXPECT_BAUD, PROD_EXPECT_PORT, PROD_NKEYS
};

#define PROD_OPT(key) (0x4d00 + (key))
#define PROD_LONGOPTS                                                               \
	{ "log", required_argument, NULL, PROD_OPT(PROD_LOG) },                     \
	{ "patch", required_argument, NULL, PROD_OPT(PROD_PATCH) },                 \
	{ "sn-counter", required_argument, NULL, PROD_OPT(PROD_SN_COUNTER) },       \
	{ "sn-addr", required_argument, NULL, PROD_OPT(PROD_SN_ADDR) },             \
	{ "sn-format", required_argument, NULL, PROD_OPT(PROD_SN_FORMAT) },         \
	{ "expect", required_argument, NULL, PROD_OPT(PROD_EXPECT) },               \
	{ "expect-timeout", required_argument, NULL, PROD_OPT(PROD_EXPECT_TIMEOUT) }, \
	{ "expect-baud", required_argument, NULL, PROD_OPT(PROD_EXPECT_BAUD) },     \
	{ "expect-port", required_argument, NULL, PROD_OPT(PROD_EXPECT_PORT) }

#define PROD_MAX_PATCH 16
#define PROD_EXPECT_TEXT 4096   /* bytes of the application's output kept */

struct prod_opts {
	const char *log;                       /* --log FILE */
	struct sb_patch patch[PROD_MAX_PATCH];  /* --patch ADDR=BYTES */
	size_t npatch;
	const char *sn_counter;                /* --sn-counter FILE */
	uint32_t sn_addr;
	bool has_sn_addr;
	struct sb_snfmt sn;                    /* --sn-format (default u32) */
	const char *expect;                    /* --expect REGEX */
	unsigned expect_timeout_s;             /* default 10 */
	unsigned expect_baud;                  /* 0: the program's default */
	const char *expect_port;
	/* set by the program */
	bool dry_run;
	bool no_data;                          /* gang parent checking the files: no serial number */
	const char *command;
};

void prod_init(struct prod_opts *po);
/* 1: one of PROD_LONGOPTS, fine; 0: not ours; SB_ERR_BAD_INPUT with d set. */
int prod_getopt(struct prod_opts *po, int opt, const char *arg, struct sb_diag *d);
/* Help lines for PROD_LONGOPTS (static text ending in '\n'). */
const char *prod_help(void);
/*
 * Usage checks for command: per-board data only with write, --sn-counter
 * and --sn-addr together, --expect only with a command in expect_cmds
 * (NULL-terminated) and a regex that compiles. SB_ERR_BAD_INPUT with d set.
 */
int prod_validate(struct prod_opts *po, const char *command, const char *const *expect_cmds,
		  struct sb_diag *d);
/* Make po the options the job hooks use (one job per process). */
void prod_activate(struct prod_opts *po);

/* job_load(): the patches and the serial number into img (write only). */
int prod_apply(struct sb_image *img, struct sb_diag *d);
/* job_check(): each patched range inside the flash of g, or a region
 * job_allow_region() admitted; the message names the option. */
int prod_check_geom(const struct sb_geom *g, struct sb_diag *d);

/*
 * The smoke check on an open serial link: switch it to baud 8N1 (0: leave
 * it), read until regex matches or the timeout passes (or a signal), emit
 * an "expect" event and add it to the result. SB_ERR_EXPECT on timeout.
 */
int prod_expect(struct cli *c, const struct sb_link *link, const char *port, unsigned baud,
		struct sb_diag *d);

/*
 * The start of a job in main(), the same for an3155 and dfuse: signals
 * (jobstop.h), the "start" event with the input files (and the gang's
 * boards, n > 0), --log, and the --expect-port held open. 0, or the exit
 * status of a failure (reported; the result event emitted).
 */
int prod_start(struct cli *c, const char *version, const char *command, char *const *files,
	       int nfiles, char *const *boards, size_t nboards);

/* The --expect-port link prod_start() holds open (prod.c), or NULL. */
const struct sb_link *prod_expect_held(void);

#endif
