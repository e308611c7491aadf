/* SPDX-License-Identifier: MIT */
/*
 * bootctl.c - drive an STM32 board's BOOT0 and NRST from Linux GPIO lines
 * (libgpiod) or a serial adapter's RTS/DTR: enter the ROM loader, run the
 * application, reset, set levels, run sequences, show lines and chips.
 *
 * Thin: options into struct config, the line settings into struct
 * sb_lineopts (gpio/lineopts.h, shared with an3155 and dfuse), then the
 * library runs the sequence. See man/bootctl.1.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "events.h"
#include "lineopts.h"
#include "serial.h"

#ifndef STMBOOT_VERSION
#define STMBOOT_VERSION "0.1"
#endif

struct config {
	struct cli cli;
	struct sb_lineopts lo;
	const char *cmd;
	char **args;
	int nargs;
	bool hold;
	bool dry_run;
};

static const char usage_text[] =
	"Drive an STM32 board's BOOT0 and NRST lines through Linux GPIO (libgpiod)\n"
	"or a serial adapter's RTS/DTR.\n"
	"\n"
	"Commands:\n"
	"  enter                BOOT0 high, pulse NRST: start the ROM loader (the --entry sequence)\n"
	"  run                  BOOT0 low, pulse NRST: start the application (the --exit sequence)\n"
	"  reset                pulse NRST only\n"
	"  set LINE=LEVEL...    put levels on lines: boot0=1 nrst=0\n"
	"  seq SEQUENCE         run a sequence: 'boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms'\n"
	"  lines                the configured lines and their state where readable\n"
	"  chips                the GPIO chips of this machine and their line names\n"
	"\n"
	"Sequences: LINE=LEVEL (boot0, nrst; rts, dtr, gpioN raw), wait=DURATION (us, ms, s),\n"
	"and the presets enter, run, reset; separated by blanks, ',' or ';'.\n"
	"\n"
	"Options:\n"
	"  -p, --port PORT      serial port whose RTS/DTR are wired (STMBOOT_PORT)\n"
	"      --hold           after the command, keep the lines requested until SIGINT or SIGTERM\n"
	"  -n, --dry-run        print the sequence and the lines; touch nothing\n"
	"      --json           newline-delimited JSON events on stdout\n"
	"  -q, --quiet          errors only\n"
	"  -v, --verbose        show each step\n"
	"  -h, --help           this text\n"
	"      --version        program and libgpiod version\n"
	"\n";

enum { OPT_HOLD = 256, OPT_JSON, OPT_VERSION };

static const struct option longopts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	SB_LINEOPTS_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void print_help(const struct config *c)
{
	/* installed as stm32-bootctl (systemd's bootctl owns the name): say the name it runs by */
	printf("Usage: %s [OPTIONS] COMMAND [ARGS]\n", cli_name(&c->cli));
	fputs(usage_text, stdout);
	fputs(sb_lineopts_help(), stdout);
	fputs("\n", stdout);
	sb_exit_help(stdout);
}

#define usage(c, ...) cli_usage(&(c)->cli, __VA_ARGS__)

static int fail(struct config *c, int rc, const struct sb_diag *d, const char *what)
{
	return cli_fail_lines(&c->cli, c->lo.in_file, rc, d, what);
}

static int parse_option(struct config *c, int opt, const char *arg)
{
	struct sb_diag d = { .msg = "" };
	int rc;

	switch (opt) {
	case 'p':
		rc = sb_lineopts_set(&c->lo, SB_LO_PORT, arg, "--port", &d);
		return rc ? usage(c, "%s", d.msg) : 0;
	case OPT_HOLD: c->hold = true; return 0;
	case 'n': c->dry_run = true; return 0;
	case OPT_JSON: c->cli.json = true; return 0;
	case 'q': c->cli.verbosity = 0; return 0;
	case 'v': c->cli.verbosity++; return 0;
	default:
		rc = sb_lineopts_getopt(&c->lo, opt, arg, &d);
		if (rc == 1)
			return 0;
		return rc ? usage(c, "%s", d.msg) : usage(c, "unknown option");
	}
}

/* -1: go on; else the exit status. */
static int parse_config(int argc, char **argv, struct config *c)
{
	int opt, rc;

	cli_prescan(&c->cli, argc, argv);
	while ((opt = getopt_long(argc, argv, "+p:nqvh", longopts, NULL)) != -1) {
		if (opt == 'h') {
			print_help(c);
			return EXIT_OK;
		}
		if (opt == OPT_VERSION) {
			printf("bootctl (stmboot) %s, libgpiod %s\n", STMBOOT_VERSION, sb_gpiod_version());
			return EXIT_OK;
		}
		if (opt == '?')
			return cli_bad_option(&c->cli, argv);
		rc = parse_option(c, opt, optarg);
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return usage(c, "missing command (enter, run, reset, set, seq, lines, chips)");
	c->cmd = argv[optind];
	c->args = argv + optind + 1;
	c->nargs = argc - optind - 1;
	return -1;
}

static const char *env_get(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

/* ---- chips ---------------------------------------------------------------------- */

struct chips_out {
	struct config *c;
	int nchips;
	int nlines;   /* lines printed in the current chip's JSON array */
};

static void chips_json_close(struct chips_out *o)
{
	if (o->nchips)
		printf("]}\n");
}

static int chips_cb(void *ctx, const struct sb_gpio_chipinfo *chip, const struct sb_gpio_lineinfo *li)
{
	struct chips_out *o = ctx;
	char e1[128], e2[128];

	if (o->c->cli.json && !li) {
		chips_json_close(o);
		printf("{\"event\":\"chip\",\"program\":\"bootctl\",\"name\":\"%s\",\"label\":\"%s\","
		       "\"lines\":%u,\"names\":[", cli_json_str(e1, sizeof(e1), chip->name),
		       cli_json_str(e2, sizeof(e2), chip->label), chip->nlines);
		o->nlines = 0;
	} else if (o->c->cli.json) {
		printf("%s\"%s\"", o->nlines++ ? "," : "", cli_json_str(e1, sizeof(e1), li->name));
	} else if (!li) {
		printf("%s [%s] %u lines\n", chip->name, chip->label, chip->nlines);
	} else if (!li->used) {
		printf("  %3u %s\n", li->offset, li->name[0] ? li->name : "-");
	} else {
		printf("  %3u %-16s used by %s, %s%s\n", li->offset, li->name[0] ? li->name : "-",
		       li->consumer[0] ? li->consumer : "?", li->output ? "output" : "input",
		       li->active_low ? ", active-low" : "");
	}
	o->nchips += !li;
	return 0;
}

static int cmd_chips(struct config *c)
{
	struct chips_out o = { .c = c };
	struct sb_diag d = { .msg = "" };
	int rc = sb_gpiod_list(chips_cb, &o, &d);

	if (c->cli.json)
		chips_json_close(&o);
	fflush(stdout);
	return rc ? cli_fail(&c->cli, rc, &d, "chips") : EXIT_OK;
}

/* ---- lines ---------------------------------------------------------------------- */

static const char *dir_word(const struct sb_gpio_lineinfo *li)
{
	return li->output ? "output" : "input";
}

static int show_gpio(struct config *c, const char *role, const struct sb_linespec *s,
		     const char *spec, const char *origin)
{
	struct sb_gpio_lineinfo li;
	struct sb_diag d = { .msg = "" };
	char e[5][160];
	const char *level;
	int rc = sb_gpiod_probe(s, &li, &d);

	if (rc) {
		cli_event(&c->cli, "line", "\"line\":\"%s\",\"spec\":\"%s\",\"origin\":\"%s\","
			  "\"backend\":\"gpio\",\"error\":\"%s\"", role,
			  cli_json_str(e[0], sizeof(e[0]), spec), cli_json_str(e[1], sizeof(e[1]), origin),
			  cli_json_str(e[2], sizeof(e[2]), d.msg));
		if (!c->cli.json)
			printf("%-6s %-28s %s  (%s)\n", role, spec, d.msg, origin);
		return rc;
	}
	/* level at the pin: the line's value, inverted when the wiring inverts */
	level = li.value < 0 ? "null" : (li.value ^ s->invert) ? "1" : "0";
	cli_event(&c->cli, "line", "\"line\":\"%s\",\"spec\":\"%s\",\"origin\":\"%s\",\"backend\":"
		  "\"gpio\",\"chip\":\"%s\",\"offset\":%u,\"name\":\"%s\",\"direction\":\"%s\","
		  "\"used\":%s,\"consumer\":\"%s\",\"level\":%s", role,
		  cli_json_str(e[0], sizeof(e[0]), spec), cli_json_str(e[1], sizeof(e[1]), origin),
		  cli_json_str(e[2], sizeof(e[2]), li.chip), li.offset,
		  cli_json_str(e[3], sizeof(e[3]), li.name), dir_word(&li), li.used ? "true" : "false",
		  cli_json_str(e[4], sizeof(e[4]), li.consumer), level);
	if (!c->cli.json)
		printf("%-6s %-28s %s:%u %-7s %s%s%s  (%s)\n", role, spec, li.chip, li.offset,
		       dir_word(&li), li.value < 0 ? "level ?" : (li.value ^ s->invert) ? "level 1" : "level 0",
		       li.used ? ", held by " : ", free", li.used ? li.consumer : "", origin);
	return SB_OK;
}

static void show_other(struct config *c, const char *role, const struct sb_linespec *s,
		       const char *spec, const char *origin)
{
	const char *port = sb_lineopts_port(&c->lo);
	char e[3][300];

	if (s->kind == SB_SPEC_NONE) {
		cli_event(&c->cli, "line", "\"line\":\"%s\",\"spec\":\"none\",\"backend\":\"none\"", role);
		if (!c->cli.json)
			printf("%-6s none\n", role);
		return;
	}
	cli_event(&c->cli, "line", "\"line\":\"%s\",\"spec\":\"%s\",\"origin\":\"%s\",\"backend\":"
		  "\"modem\",\"port\":\"%s\",\"level\":null", role, cli_json_str(e[0], sizeof(e[0]), spec),
		  cli_json_str(e[1], sizeof(e[1]), origin), cli_json_str(e[2], sizeof(e[2]), port ? port : ""));
	if (!c->cli.json)
		printf("%-6s %-28s %s of %s, asserted = pin %s, not readable  (%s)\n", role, spec,
		       s->kind == SB_SPEC_RTS ? "RTS" : "DTR", port ? port : "(no port set)",
		       s->invert ? "high" : "low", origin);
}

static int show_line(struct config *c, enum sb_lo_key key, const struct sb_linespec *s)
{
	const char *role = sb_lineopts_key_name(key);
	const char *origin = c->lo.set[key] ? c->lo.origin[key] : "not set";
	char spec[160];

	sb_linespec_format(s, spec, sizeof(spec));
	if (s->kind == SB_SPEC_GPIO)
		return show_gpio(c, role, s, spec, origin);
	show_other(c, role, s, spec, origin);
	return SB_OK;
}

static void show_seq(struct config *c, const char *name, const struct sb_seq *s, bool present)
{
	char text[1024], e[2100];

	if (present)
		sb_seq_format(s, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "(none)");
	cli_event(&c->cli, "sequence", "\"name\":\"%s\",\"steps\":\"%s\"", name,
		  cli_json_str(e, sizeof(e), text));
	if (!c->cli.json)
		printf("%-6s %s\n", name, text);
}

static int cmd_lines(struct config *c)
{
	int rc = show_line(c, SB_LO_BOOT0, &c->lo.boot0);
	int rc2 = show_line(c, SB_LO_NRST, &c->lo.nrst);

	show_seq(c, "entry", &c->lo.entry, true);
	show_seq(c, "exit", &c->lo.exit, c->lo.has_exit);
	fflush(stdout);
	rc = rc ? rc : rc2;
	return rc ? cli_exit_code(rc) : EXIT_OK;
}

/* ---- running sequences ---------------------------------------------------------------- */

/* Show where a sequence error is: the text and a caret under the column. */
static void caret(struct config *c, const char *text, const struct sb_diag *d)
{
	if (c->cli.json || !d->has_addr || d->addr < 1 || d->addr > strlen(text) + 1)
		return;
	fprintf(stderr, "  %s\n  %*s^\n", text, (int)d->addr - 1, "");
}

static int join_args(struct config *c, char *buf, size_t n)
{
	size_t k = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < c->nargs; i++) {
		int w = snprintf(buf + k, n - k, "%s%s", i ? " " : "", c->args[i]);

		if (w < 0 || (size_t)w >= n - k)
			return usage(c, "%s: arguments too long", c->cmd);
		k += (size_t)w;
	}
	return 0;
}

/* The sequence a command runs; returns -1 when s is ready, else an exit status. */
static int command_seq(struct config *c, struct sb_seq *s)
{
	char text[2048];
	struct sb_diag d = { .msg = "" };
	int rc;

	if (!strcmp(c->cmd, "enter") || !strcmp(c->cmd, "run") || !strcmp(c->cmd, "reset")) {
		if (c->nargs)
			return usage(c, "%s takes no arguments", c->cmd);
		if (!strcmp(c->cmd, "enter"))
			*s = c->lo.entry;
		else if (!strcmp(c->cmd, "run"))
			*s = c->lo.exit;  /* empty when --stm32flash-i has no exit part */
		else
			sb_seq_clear(s), sb_seq_preset(s, SB_SEQ_RESET, &c->lo.timing, 0);
		return -1;
	}
	if (strcmp(c->cmd, "set") && strcmp(c->cmd, "seq"))
		return usage(c, "unknown command '%s' (enter, run, reset, set, seq, lines, chips)", c->cmd);
	if (!c->nargs)
		return usage(c, "%s needs %s", c->cmd, !strcmp(c->cmd, "set") ? "LINE=LEVEL..." : "a SEQUENCE");
	rc = join_args(c, text, sizeof(text));
	if (rc)
		return rc;
	rc = sb_seq_parse(text, &c->lo.timing, s, &d);
	if (rc) {
		rc = usage(c, "bad sequence: %s", d.msg);
		caret(c, text, &d);
		return rc;
	}
	return -1;
}

static void dry_run(struct config *c, const struct sb_seq *s)
{
	char text[1024], e[2100];
	const char *port = sb_lineopts_port(&c->lo);

	sb_seq_format(s, text, sizeof(text));
	cli_event(&c->cli, "plan", "\"command\":\"%s\",\"sequence\":\"%s\",\"hold\":%s", c->cmd,
		  cli_json_str(e, sizeof(e), text), c->hold ? "true" : "false");
	if (c->cli.json)
		return;
	printf("sequence %s\n", text[0] ? text : "(empty)");
	sb_linespec_format(&c->lo.boot0, text, sizeof(text));
	printf("boot0    %s  (%s)\n", text, c->lo.set[SB_LO_BOOT0] ? c->lo.origin[SB_LO_BOOT0] : "not set");
	sb_linespec_format(&c->lo.nrst, text, sizeof(text));
	printf("nrst     %s  (%s)\n", text, c->lo.set[SB_LO_NRST] ? c->lo.origin[SB_LO_NRST] : "not set");
	if (port)
		printf("port     %s  (%s)\n", port, c->lo.origin[SB_LO_PORT]);
	fflush(stdout);
}

static int open_port(struct config *c, const struct sb_seq *s, struct sb_link *link)
{
	struct serial_opts so = { .log = &c->cli.log };
	struct sb_diag d = { .msg = "" };
	const char *port = sb_lineopts_port(&c->lo);
	int rc;

	*link = (struct sb_link){ 0 };
	if (!sb_lineopts_needs_port(&c->lo, &s, 1))
		return EXIT_OK;
	if (!port)
		return usage(c, "lines on RTS/DTR need a serial port: give --port PORT or set STMBOOT_PORT");
	rc = serial_open(port, &so, link, &d);
	return rc ? cli_fail(&c->cli, rc, &d, "opening the port") : EXIT_OK;
}

/* Wait for SIGINT, SIGTERM or SIGHUP (blocked since before the lines were opened). */
static void hold(struct config *c, const sigset_t *set)
{
	int sig = 0;

	cli_event(&c->cli, "holding", NULL);
	cli_info(&c->cli, "holding the lines; SIGINT (Ctrl-C) or SIGTERM releases them");
	while (sigwait(set, &sig) != 0)
		;
	cli_info(&c->cli, "%s: releasing the lines", strsignal(sig));
}

static int drive(struct config *c, const struct sb_seq *s, const struct sb_link *link)
{
	struct sb_lines lines;
	struct sb_diag d = { .msg = "" };
	char text[1024], e[2100];
	sigset_t set;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (c->hold)
		sigprocmask(SIG_BLOCK, &set, NULL);
	rc = sb_lineopts_open(&c->lo, &s, 1, link, NULL, &lines, &d);
	if (rc)
		return fail(c, rc, &d, "opening the lines");
	rc = sb_lines_run(&lines, s, &c->cli.log, &d);
	if (!rc && c->hold)
		hold(c, &set);
	sb_lines_close(&lines);
	if (rc)
		return fail(c, rc, &d, c->cmd);
	sb_seq_format(s, text, sizeof(text));
	cli_event(&c->cli, "result", "\"command\":\"%s\",\"sequence\":\"%s\",\"ok\":true", c->cmd,
		  cli_json_str(e, sizeof(e), text));
	return EXIT_OK;
}

static int cmd_sequence(struct config *c)
{
	struct sb_seq s;
	struct sb_link link;
	int rc = command_seq(c, &s);

	if (rc >= 0)
		return rc;
	if (c->dry_run) {
		dry_run(c, &s);
		return EXIT_OK;
	}
	if (!s.n) {
		cli_info(&c->cli, "%s: nothing to do (empty sequence)", c->cmd);
		return EXIT_OK;
	}
	if (!strcmp(c->cmd, "set") && !c->hold &&
	    (c->lo.boot0.kind == SB_SPEC_GPIO || c->lo.nrst.kind == SB_SPEC_GPIO))
		cli_info(&c->cli, "note: a GPIO level is undefined once bootctl exits; --hold keeps it");
	rc = open_port(c, &s, &link);
	if (rc)
		return rc;
	rc = drive(c, &s, &link);
	if (link.ops && link.ops->close)
		link.ops->close(link.h);
	return rc;
}

/* The command, after the options: its exit status. */
static int run(struct config *c)
{
	struct sb_diag d = { .msg = "" };
	int rc;

	if (!strcmp(c->cmd, "chips"))
		return c->nargs ? usage(c, "chips takes no arguments") : cmd_chips(c);
	rc = sb_lineopts_resolve(&c->lo, env_get, NULL, &d);
	if (rc)
		return fail(c, rc, &d, "line settings");
	if (!strcmp(c->cmd, "lines"))
		return c->nargs ? usage(c, "lines takes no arguments") : cmd_lines(c);
	return cmd_sequence(c);
}

int main(int argc, char **argv)
{
	struct config c = { .cli = { .verbosity = 1 } };
	struct sb_diag d = { .msg = "" };
	int rc;

	sb_lineopts_init(&c.lo, "bootctl");
	cli_init(&c.cli, "bootctl");
	c.cli.name = argc > 0 && strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	rc = parse_config(argc, argv, &c);
	if (rc >= 0)
		return rc;
	cli_init(&c.cli, "bootctl");
	c.lo.log = &c.cli.log;
	if (events_begin(&c.cli, STMBOOT_VERSION, c.cmd, NULL, 0, NULL, NULL, &d))
		return fail(&c, SB_ERR_IO, &d, "events");
	return events_end(&c.cli, run(&c));
}
