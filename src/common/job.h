/* SPDX-License-Identifier: MIT */
/*
 * job.h - the parts of a flashing job that every program shares: loading
 * the input files, checking them against the flash, printing the plan,
 * page lists and address ranges from the command line.
 */
#ifndef SB_JOB_H
#define SB_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "jobopts.h"
#include "plan.h"

/* The input files of a job, as given on the command line. */
struct job_files {
	char *const *names;    /* "FILE" or "FILE@ADDR" */
	int n;
	enum sb_format format; /* SB_FMT_AUTO: from the content */
	uint32_t base;         /* load address of raw binaries without @ADDR */
};

/* The files of a command line: NAMES, and -f/--format and -a/--base from O. */
static inline struct job_files job_files_of(char *const *names, int n, const struct job_opts *o)
{
	return (struct job_files){ names, n, o->format, o->base };
}

/*
 * Load and merge every file into img (initialised here; free with
 * sb_image_free). Overlaps with different data and empty input are errors
 * naming the file. Nothing but the files is touched.
 */
int job_load(const struct job_files *f, struct sb_image *img, struct sb_diag *d);

/*
 * The image job_load() made from f against the flash and the per-board data
 * checks; when it does not fit, the message names the file at fault.
 */
int job_check(const struct job_files *f, const struct sb_image *img, const struct sb_geom *g,
	      struct sb_diag *d);

/*
 * Memory outside the flash that this job may write (an3155: OTP and SRAM
 * with --force): job_check() and the per-board data checks accept data
 * that lies wholly inside such a region. At most 4; process state.
 */
void job_allow_region(uint32_t start, uint32_t end);
bool job_region_allowed(uint32_t addr, uint64_t len);

/*
 * The output of `read` into path ("-": stdout): fmt from -f, else from the
 * name's extension (.hex, .srec, ...), else raw binary; only bin, ihex and
 * srec. Binary to a terminal is refused (SB_ERR_BAD_INPUT, before anything
 * is read from the part). src/common/dump.c.
 */
int job_dump_format(const char *path, enum sb_format fmt, enum sb_format *out, struct sb_diag *d);
int job_dump_write(const char *path, enum sb_format fmt, uint32_t addr, const uint8_t *buf,
		   size_t len, struct sb_diag *d);

/* The plan: a "plan" event with --json, else text on stdout (not with -q). */
void job_print_plan(struct cli *c, const struct sb_geom *g, const struct sb_plan *p, bool verify);

/* "0-15, 48-63" from an ascending page list. */
void job_page_ranges(const uint32_t *pages, size_t n, char *buf, size_t len);

/* "0-3,8" into linear page numbers (at most g->npages of them). */
int job_parse_pages(const struct sb_geom *g, const char *list, uint32_t *pages, size_t *n,
		    struct sb_diag *d);

/* A page-aligned range into page numbers (at most g->npages); unaligned is an error. */
int job_range_pages(const struct sb_geom *g, uint32_t addr, uint32_t len, uint32_t *pages,
		    size_t *n, struct sb_diag *d);

/*
 * ADDR LEN (two arguments) or ADDR:LEN / ADDR..END (one) at args[first]:
 * returns how many arguments it used, 0 if they are not a range.
 */
int job_parse_addr_len(char *const *args, int nargs, int first, uint32_t *addr, uint32_t *len);

/*
 * The L4/L4+/G4 FLASH_OPTR word (protocol-facts E.4) as `info` prints it:
 * "options     OPTR 0x...: RDP=.. DBANK=.. ..." and a warning line each for
 * nSWBOOT0=0 (the BOOT0 pin is ignored) and BFB2=1 (bank 2 boots first).
 */
void job_print_optr(uint32_t optr);
/* Just the decoded word ("0xFFEFF8AA: RDP=0xAA DBANK=1 ..."), into buf. */
void job_optr_text(uint32_t optr, char *buf, size_t len);

#endif
