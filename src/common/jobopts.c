/* SPDX-License-Identifier: MIT */
/*
 * jobopts.c - the options an3155 and dfuse share (jobopts.h).
 */
#include "jobopts.h"

#include <string.h>

void job_opts_init(struct job_opts *o, uint32_t retries, bool read_first)
{
	memset(o, 0, sizeof(*o));
	o->retries = retries;
	o->format = SB_FMT_AUTO;
	o->erase = SB_ERASE_PAGES;
	o->verify = true;
	o->read_first = read_first;
}

static int choice(struct cli *cli, const char *opt, const char *arg, const char *const *names,
		  const char *all, int *out)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(arg, names[i])) {
			*out = i;
			return 0;
		}
	return cli_usage(cli, "--%s: '%s' is not %s", opt, arg, all);
}

/* Options with a value to check. */
static int valued(struct job_opts *o, struct cli *cli, int opt, const char *arg)
{
	static const char *const erase[] = { "pages", "none", "all", NULL };
	static const char *const plan[] = { "full", "read-first", NULL };
	int f = 0, r;

	switch (opt) {
	case JOB_OPT_RETRIES:
		if (cli_number(cli, "retries", arg, &o->retries) || o->retries > 100)
			return cli_usage(cli, "--retries: give 0 to 100");
		return 0;
	case 'f':
		if ((f = sb_format_parse(arg)) < 0)
			return cli_usage(cli, "--format: unknown format '%s' (bin, ihex, srec, elf, dfu)", arg);
		o->format = (enum sb_format)f;
		return 0;
	case 'a':
		o->has_base = true;
		return cli_number(cli, "base", arg, &o->base);
	case JOB_OPT_ERASE:
		/* in the order of enum sb_erase_mode: pages, none, all */
		r = choice(cli, "erase", arg, erase, "pages, all or none", &f);
		if (!r)
			o->erase = (enum sb_erase_mode)f;
		return r;
	case JOB_OPT_PLAN:
		r = choice(cli, "plan", arg, plan, "read-first or full", &f);
		if (!r)
			o->read_first = f == 1;
		return r;
	default:
		return -1;
	}
}

int job_opts_parse(struct job_opts *o, struct cli *cli, int opt, const char *arg)
{
	int r = valued(o, cli, opt, arg);

	if (r >= 0)
		return r;
	switch (opt) {
	case JOB_OPT_NO_VERIFY: o->verify = false; return 0;
	case JOB_OPT_KEEP_FF: o->keep_erased_blocks = true; return 0;
	case JOB_OPT_RUNP: o->read_unprotect = true; return 0;
	case 'n': o->dry_run = true; return 0;
	case JOB_OPT_PAGES: o->pages = arg; return 0;
	case JOB_OPT_ALL: o->all = true; return 0;
	case JOB_OPT_OB_WRITE: o->ob_write = arg; return 0;
	case JOB_OPT_OB_SET: o->ob_set = arg; return 0;
	case JOB_OPT_FORCE: o->force = true; return 0;
	case JOB_OPT_JSON: cli->json = true; return 0;
	case 'q': cli->verbosity = 0; return 0;
	case 'v': cli->verbosity = cli->verbosity < 1 ? 2 : cli->verbosity + 1; return 0;
	case JOB_OPT_TRACE: cli->trace = true; return 0;
	default: return -1;
	}
}
