/* SPDX-License-Identifier: MIT */
/*
 * test_lineopts.c - line specs (gpio/linespec.h) and the shared line
 * settings (gpio/lineopts.h): options, environment, jig profiles,
 * precedence, opening through the fake libgpiod.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../fake/fake_gpiod.h"
#include "lineopts.h"

/* The job's sequences (entry, exit). */
static size_t job(const struct sb_lineopts *o, const struct sb_seq *seqs[2])
{
	return sb_lineopts_job(o, seqs);
}

/* ---- line specs ----------------------------------------------------------------- */

static void spec_ok(const char *text, const char *canon)
{
	struct sb_linespec s;
	struct sb_diag d = { .msg = "" };
	char buf[128];

	if (sb_linespec_parse(text, &s, &d))
		fail_msg("'%s': %s", text, d.msg);
	sb_linespec_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, canon);
}

static void spec_bad(const char *text, unsigned col, const char *word)
{
	struct sb_linespec s;
	struct sb_diag d = { .msg = "" };

	assert_int_equal(sb_linespec_parse(text, &s, &d), SB_ERR_BAD_INPUT);
	if (d.addr != col || !strstr(d.msg, word))
		fail_msg("'%s': column %lu '%s', expected %u '%s'", text, d.addr, d.msg, col, word);
	assert_int_equal(s.kind, SB_SPEC_NONE);
}

static void linespec_forms(void **state)
{
	struct sb_linespec s;
	char buf[64];
	(void)state;
	spec_ok("gpio:GPIO17", "gpio:GPIO17");
	spec_ok("GPIO:GPIO27:Open-Drain", "gpio:GPIO27:open-drain");
	spec_ok("gpio:gpiochip0:17:active-low", "gpio:gpiochip0:17:active-low");
	spec_ok("gpio:/dev/gpiochip4:17:inv:pull-up:init=1", "gpio:/dev/gpiochip4:17:active-low:pull-up:init=1");
	spec_ok("gpio:0:3:open-source:bias-disable:init=low", "gpio:0:3:open-source:bias-disable:init=0");
	spec_ok("gpio:GPIO5:active-low:active-high", "gpio:GPIO5");
	spec_ok("rts", "rts");
	spec_ok("DTR:inv", "dtr:inv");
	spec_ok("dtr:inverted:init=1", "dtr:inv:init=1");
	spec_ok("none", "none");
	assert_int_equal(sb_linespec_parse("gpio:gpiochip1:9", &s, NULL), 0);
	assert_int_equal(s.kind, SB_SPEC_GPIO);
	assert_string_equal(s.chip, "gpiochip1");
	assert_int_equal(s.offset, 9);
	sb_linespec_where(&s, buf, sizeof(buf));
	assert_string_equal(buf, "gpiochip1:9");
	assert_int_equal(sb_linespec_parse("dtr", &s, NULL), 0);
	sb_linespec_where(&s, buf, sizeof(buf));
	assert_string_equal(buf, "DTR");
	/* usual adapters: asserted = pin low */
	assert_int_equal(sb_linespec_modem_asserted(&s, 0), 1);
	assert_int_equal(sb_linespec_modem_asserted(&s, 1), 0);
	s.invert = true;
	assert_int_equal(sb_linespec_modem_asserted(&s, 1), 1);
}

static void linespec_errors(void **state)
{
	(void)state;
	spec_bad("GPIO17", 1, "unknown line kind 'GPIO17'");
	spec_bad("GPIO17", 1, "e.g. gpio:GPIO17");
	spec_bad("gpio", 1, "missing line");
	spec_bad("gpio:", 6, "missing line");
	spec_bad("gpio:17", 6, "a number is not a line");
	spec_bad("gpio:GPIO27:open-drian", 13, "unknown option 'open-drian'");
	spec_bad("gpio:GPIO27:open-drain:open-source", 24, "conflicting option");
	spec_bad("gpio:GPIO27:pull-up:pull-down", 21, "conflicting option");
	spec_bad("gpio:GPIO27:init=2", 13, "bad level");
	spec_bad("rts:active-low", 5, "unknown option 'active-low'");
	spec_bad("dtr:init=x", 5, "bad level");
	spec_bad("gpio:a:b:c:d:e:f:g:h:i:j:k:l:m", 28, "too many fields at 'l'");
	spec_bad("gpio:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 6,
		 "bad line name");
}

/* ---- settings ------------------------------------------------------------------- */

struct env {
	const char *kv[16];
};

static const char *env_get(void *ctx, const char *name)
{
	struct env *e = ctx;
	size_t n = strlen(name), i;

	for (i = 0; e->kv[i]; i++)
		if (!strncmp(e->kv[i], name, n) && e->kv[i][n] == '=')
			return e->kv[i] + n + 1;
	return NULL;
}

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	fake_gpiod_setup("gpiochip0:32", NULL, NULL);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_lineopts.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[2][128];
	static int k;
	char *p = path[k++ % 2];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static const char *const pi_conf =
	"# jigs\n"
	"[ftdi]\n"
	"boot0 = rts\n"
	"nrst = dtr\n"
	"port = /dev/ttyUSB0\n"
	"\n"
	"[pi]\n"
	"  boot0 = gpio:GPIO17   \n"
	"nrst=\"gpio:GPIO27:open-drain\"\n"
	"; comment\n"
	"port = /dev/ttyAMA0\n"
	"baud = 57600\n"
	"pulse = 20ms\n";

static void options_and_blame(void **state)
{
	struct sb_lineopts o;
	struct sb_diag d = { .msg = "" };
	(void)state;
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_getopt(&o, SB_LO_OPT(SB_LO_NRST), "gpio:GPIO27:od", &d),
			 SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "--nrst: column 13: unknown option 'od'"));
	assert_int_equal(sb_lineopts_getopt(&o, SB_LO_OPT(SB_LO_ENTRY), "boot0=1 nrst=x", &d),
			 SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "--entry: column 14: bad level"));
	assert_int_equal(sb_lineopts_getopt(&o, SB_LO_OPT(SB_LO_PULSE), "10 ms", &d), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_lineopts_getopt(&o, 'v', "x", &d), 0);
	assert_int_equal(sb_lineopts_getopt(&o, SB_LO_OPT(SB_LO_PORT), "/dev/x", &d), 0);
	assert_int_equal(sb_lineopts_getopt(&o, SB_LO_OPT(SB_LO_BOOT0), "gpio:GPIO17", &d), 1);
	assert_string_equal(o.origin[SB_LO_BOOT0], "--boot0");
	assert_non_null(strstr(sb_lineopts_help(), "--stm32flash-i"));
}

static void env_then_profile_then_defaults(void **state)
{
	struct sb_lineopts o;
	struct sb_diag d = { .msg = "" };
	struct env e = { { "STMBOOT_NRST=gpio:GPIO22", "STMBOOT_JIG=pi", "STMBOOT_SETTLE=", NULL } };
	const char *files[] = { write_file("jigs.conf", pi_conf) };
	char buf[128];
	(void)state;
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_set(&o, SB_LO_PORT, "/dev/ttyS1", "--port", NULL), 0);
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &e, files, 1, &d), 0);
	/* option > environment > profile */
	assert_string_equal(o.val[SB_LO_PORT], "/dev/ttyS1");
	assert_string_equal(o.origin[SB_LO_NRST], "STMBOOT_NRST");
	sb_linespec_format(&o.nrst, buf, sizeof(buf));
	assert_string_equal(buf, "gpio:GPIO22");
	sb_linespec_format(&o.boot0, buf, sizeof(buf));
	assert_string_equal(buf, "gpio:GPIO17");
	assert_non_null(strstr(o.origin[SB_LO_BOOT0], "jig 'pi' ("));
	assert_non_null(strstr(o.origin[SB_LO_BOOT0], "jigs.conf:8)"));
	assert_string_equal(sb_lineopts_extra(&o, "baud"), "57600");
	assert_null(sb_lineopts_extra(&o, "parity"));
	assert_string_equal(o.jig_file, files[0]);
	/* pulse from the profile reaches the presets; empty STMBOOT_SETTLE is ignored */
	sb_seq_format(&o.entry, buf, sizeof(buf));
	assert_string_equal(buf, "boot0=1 nrst=0 wait=20ms nrst=1 wait=50ms");
	sb_seq_format(&o.exit, buf, sizeof(buf));
	assert_string_equal(buf, "boot0=0 nrst=0 wait=20ms nrst=1 wait=50ms");
	assert_true(o.has_exit);
	assert_true(sb_lineopts_wired(&o));
	{
		const struct sb_seq *j[2];
		size_t n = job(&o, j);

		assert_int_equal(n, 2);
		assert_false(sb_lineopts_needs_port(&o, j, n));
	}
	assert_string_equal(sb_lineopts_port(&o), "/dev/ttyS1");
}

static void user_profile_wins(void **state)
{
	struct sb_lineopts o;
	struct env e = { { "STMBOOT_JIG=pi", NULL } };
	const char *files[2];
	(void)state;
	files[0] = write_file("user.conf", "[pi]\nnrst = dtr:inv\n");
	files[1] = write_file("system.conf", pi_conf);
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &e, files, 2, NULL), 0);
	/* the whole section comes from the first file that has it */
	assert_int_equal(o.nrst.kind, SB_SPEC_DTR);
	assert_true(o.nrst.invert);
	assert_int_equal(o.boot0.kind, SB_SPEC_NONE);
	{
		const struct sb_seq *j[2];
		size_t n = job(&o, j);

		assert_true(sb_lineopts_needs_port(&o, j, n));
		/* nothing wired uses it in a sequence that sets only boot0 */
		assert_false(sb_lineopts_needs_port(&o, j, 0));
	}
}

static void default_jig(void **state)
{
	struct sb_lineopts o;
	const char *files[1];
	(void)state;
	files[0] = write_file("d.conf", "[default]\nboot0 = rts\nnrst = dtr\n[other]\n");
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, files, 1, NULL), 0);
	assert_int_equal(o.boot0.kind, SB_SPEC_RTS);
	/* lines given without a jig: the default profile stays out */
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_set(&o, SB_LO_NRST, "gpio:GPIO4", "--nrst", NULL), 0);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, files, 1, NULL), 0);
	assert_int_equal(o.boot0.kind, SB_SPEC_NONE);
	/* no files at all: fine, nothing wired */
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_false(sb_lineopts_wired(&o));
}

static void profile_errors(void **state)
{
	struct sb_lineopts o;
	struct sb_diag d = { .msg = "" };
	struct env e = { { "STMBOOT_JIG=pj", NULL } };
	const char *files[2];
	bool found;
	(void)state;
	files[0] = write_file("a.conf", pi_conf);
	files[1] = write_file("b.conf", "[lab]\n");
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &e, files, 2, &d), SB_ERR_BAD_INPUT);
	assert_false(o.in_file);
	assert_non_null(strstr(d.msg, "jig 'pj' is not in"));
	assert_non_null(strstr(d.msg, "(jigs there: ftdi, pi, lab)"));

	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_apply_profile(&o, "[pi]\nboot0 gpio:GPIO17\n", "f.conf", "pi",
						   &found, &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "f.conf:2: expected '[jig]' or 'key = value'");
	assert_int_equal(sb_lineopts_apply_profile(&o, "[pi\n", "f.conf", "pi", &found, &d),
			 SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "f.conf:1: malformed section"));
	assert_int_equal(sb_lineopts_apply_profile(&o, "[pi]\n[x]\n[pi]\n", "f.conf", "pi", &found, &d),
			 SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "f.conf:3: jig 'pi' defined twice"));
	assert_int_equal(sb_lineopts_apply_profile(&o, "[pi]\njig = x\n", "f.conf", "pi", &found, &d),
			 SB_ERR_BAD_INPUT);
	assert_int_equal(sb_lineopts_apply_profile(&o, "[pi]\nnrst = gpio:X:od\n", "f.conf", "pi",
						   &found, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "jig 'pi' (f.conf:2): column 8: unknown option 'od'"));
	/* errors in other sections count too: the file is malformed */
	assert_int_equal(sb_lineopts_apply_profile(&o, "[pi]\n[x]\nbad\n", "f.conf", "pi", &found, &d),
			 SB_ERR_BAD_INPUT);

	files[0] = write_file("c.conf", "[pi]\nnrst = rts:bad\n");
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &(struct env){ { "STMBOOT_JIG=pi" } },
						   files, 1, &d), SB_ERR_BAD_INPUT);
	assert_true(o.in_file);
}

static void explicit_config_must_exist(void **state)
{
	struct sb_lineopts o;
	struct sb_diag d = { .msg = "" };
	char path[128];
	struct env e = { { "HOME=/nonexistent", NULL } };
	(void)state;
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_set(&o, SB_LO_CONFIG, path, "--config", NULL), 0);
	assert_int_equal(sb_lineopts_resolve(&o, env_get, &e, &d), SB_ERR_BAD_INPUT);
	assert_true(o.in_file);
	assert_non_null(strstr(d.msg, "No such file"));
	/* the per-user file under $XDG_CONFIG_HOME */
	snprintf(path, sizeof(path), "%s/stmboot", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file("stmboot/jigs.conf", "[bench]\nboot0 = rts\n");
	{
		char xdg[96], *kv[] = { xdg, "STMBOOT_JIG=bench", NULL };
		struct env e2 = { { kv[0], kv[1], NULL } };

		snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s", tmpdir);
		sb_lineopts_init(&o, "test");
		assert_int_equal(sb_lineopts_resolve(&o, env_get, &e2, &d), 0);
		assert_int_equal(o.boot0.kind, SB_SPEC_RTS);
	}
}

static void stm32flash_replaces_entry_exit(void **state)
{
	struct sb_lineopts o;
	char buf[128];
	(void)state;
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_set(&o, SB_LO_STM32FLASH, "-rts&dtr,-dtr", "--stm32flash-i", NULL), 0);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	sb_seq_format(&o.entry, buf, sizeof(buf));
	assert_string_equal(buf, "rts=0 dtr=1 wait=100ms dtr=0");
	assert_false(o.has_exit);
	{
		const struct sb_seq *j[2];

		assert_int_equal(job(&o, j), 1);
		assert_true(sb_lineopts_needs_port(&o, j, 1));
	}
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_set(&o, SB_LO_STM32FLASH, ":rts", "x", NULL), 0);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(o.entry.n, 0);
	assert_true(o.has_exit);
	assert_int_equal(o.exit.n, 1);
}

static void open_through_fake(void **state)
{
	struct sb_lineopts o;
	struct sb_lines l;
	struct sb_diag d = { .msg = "" };
	struct sb_gpiod_opts go = { .consumer = "test", .sleep_us = NULL };
	const struct sb_seq *j[2];
	size_t n;
	(void)state;
	sb_lineopts_init(&o, "test");
	sb_lineopts_set(&o, SB_LO_BOOT0, "gpio:GPIO17", "--boot0", NULL);
	sb_lineopts_set(&o, SB_LO_NRST, "gpio:GPIO27:open-drain", "--nrst", NULL);
	sb_lineopts_set(&o, SB_LO_PULSE, "0", "--pulse", NULL);
	sb_lineopts_set(&o, SB_LO_SETTLE, "0", "--settle", NULL);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, &d), 0);
	n = job(&o, j);
	assert_int_equal(sb_lineopts_open(&o, j, n, NULL, &go, &l, &d), 0);
	/* requested at the entry's first levels: no glitch on BOOT0 or NRST */
	assert_string_equal(fake_gpiod_timeline(), "request gpiochip0:17 output=1\n"
						   "request gpiochip0:27 output=0 open-drain\n");
	assert_int_equal(sb_lineopts_enter(&o, &l, NULL, &d), 0);
	assert_int_equal(sb_lineopts_exit(&o, &l, NULL, &d), 0);
	sb_lines_close(&l);
	assert_string_equal(fake_gpiod_timeline(),
			    "request gpiochip0:17 output=1\nrequest gpiochip0:27 output=0 open-drain\n"
			    "set gpiochip0:17 1\nset gpiochip0:27 0\nset gpiochip0:27 1\n"
			    "set gpiochip0:17 0\nset gpiochip0:27 0\nset gpiochip0:27 1\n"
			    "release gpiochip0:27\nrelease gpiochip0:17\n");
}

static void open_errors(void **state)
{
	const struct sb_seq *one[1];
	struct sb_lineopts o;
	struct sb_lines l;
	struct sb_diag d = { .msg = "" };
	(void)state;
	sb_lineopts_init(&o, "test");
	one[0] = &o.entry;
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(sb_lineopts_open(&o, one, 1, NULL, NULL, &l, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "sets boot0 but no BOOT0 line is configured"));
	/* nothing to drive: an empty set of lines */
	assert_int_equal(sb_lineopts_open(&o, one, 0, NULL, NULL, &l, &d), 0);
	assert_true(l.ops != NULL && !l.ops->has(l.h, SB_LINE_NRST, 0));
	sb_lines_close(&l);
	/* enter needs BOOT0: the column and the option to use, before anything opens */
	sb_lineopts_set(&o, SB_LO_NRST, "gpio:GPIO27", "--nrst", NULL);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(sb_lineopts_open(&o, one, 1, NULL, NULL, &l, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "sets boot0 but no BOOT0 line is configured (--boot0"));
	/* a sequence the user wrote: the column too */
	sb_lineopts_set(&o, SB_LO_ENTRY, "nrst=0 boot0=1", "--entry", NULL);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(sb_lineopts_open(&o, one, 1, NULL, NULL, &l, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "sets boot0 (column 8) but no BOOT0"));
	assert_string_equal(fake_gpiod_timeline(), "");
	/* RTS/DTR need the port's link */
	sb_lineopts_init(&o, "test");
	sb_lineopts_set(&o, SB_LO_NRST, "dtr", "--nrst", NULL);
	sb_lineopts_set(&o, SB_LO_ENTRY, "reset", "--entry", NULL);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(sb_lineopts_open(&o, one, 1, NULL, NULL, &l, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "needs a serial port"));
	/* brk is parsed (stm32flash) but cannot be sent */
	sb_lineopts_init(&o, "test");
	sb_lineopts_set(&o, SB_LO_STM32FLASH, "brk", "--stm32flash-i", NULL);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(sb_lineopts_check(&o, &o.entry, &d), SB_ERR_UNSUPPORTED);
}

static void stm32flash_gpio_numbers_are_line_names(void **state)
{
	const struct sb_seq *j[2];
	struct sb_lineopts o;
	struct sb_lines l;
	struct sb_diag d = { .msg = "" };
	struct sb_gpiod_opts go = { .consumer = "test" };
	(void)state;
	sb_lineopts_init(&o, "test");
	sb_lineopts_set(&o, SB_LO_STM32FLASH, "4&-3&3:-4", "--stm32flash-i", NULL);
	assert_int_equal(sb_lineopts_resolve_files(&o, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(sb_lineopts_open(&o, j, job(&o, j), NULL, &go, &l, &d), 0);
	assert_int_equal(sb_lineopts_enter(&o, &l, NULL, &d), 0);
	assert_int_equal(sb_lineopts_exit(&o, &l, NULL, &d), 0);
	sb_lines_close(&l);
	assert_string_equal(fake_gpiod_timeline(),
			    "request gpiochip0:4 output=1\nrequest gpiochip0:3 output=0\n"
			    "set gpiochip0:4 1\nset gpiochip0:3 0\nset gpiochip0:3 1\nset gpiochip0:4 0\n"
			    "release gpiochip0:3\nrelease gpiochip0:4\n");
}

/* Unknown keys anywhere and bad extra values are errors naming the file and line. */
static void profile_keys_checked(void **state)
{
	struct sb_lineopts o;
	struct sb_diag d = { .msg = "" };
	bool found;
	(void)state;
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_apply_profile(&o, "[a]\nboot0 = rts\n[b]\nnrts = dtr\n", "j.conf", "a",
						   &found, &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "j.conf:4: unknown key 'nrts' (keys: boot0, nrst, port, ports, baud,"
			    " entry, exit, stm32flash-i, pulse, settle)");
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_apply_profile(&o, "[a]\nbaud = fast\n", "j.conf", "a", &found, &d),
			 SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "(j.conf:2): baud = 'fast': not a baud rate"));
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_apply_profile(&o, "[a]\nports = , \n", "j.conf", "a", &found, &d),
			 SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "(j.conf:2): ports"));
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_apply_profile(&o, "[a]\nbaud = 57600\nports = /dev/ttyUSB*\n", "j.conf",
						   "a", &found, &d), SB_OK);
	assert_string_equal(sb_lineopts_extra(&o, "ports"), "/dev/ttyUSB*");
}

/* A default file that cannot be opened or read is skipped; the next one is used. */
static void unreadable_default_skipped(void **state)
{
	struct sb_lineopts o;
	struct sb_diag d = { .msg = "" };
	char dir[] = "/tmp/lineopts-dirXXXXXX", under_file[160];
	const char *files[2];
	struct env e = { { "STMBOOT_JIG=pi", NULL } };
	(void)state;
	assert_non_null(mkdtemp(dir));
	files[0] = dir;   /* opens, but reading fails (EISDIR) even for root */
	files[1] = write_file("jigs.conf", pi_conf);
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &e, files, 2, &d), SB_OK);
	assert_string_equal(o.jig_file, files[1]);
	sb_lineopts_init(&o, "test");
	o.explicit_config = true;   /* named by --config: an error */
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &e, files, 2, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "cannot read"));
	rmdir(dir);
	/* does not open (ENOTDIR, even for root): skipped too */
	snprintf(under_file, sizeof(under_file), "%s/jigs.conf", files[1]);
	files[0] = under_file;
	sb_lineopts_init(&o, "test");
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &e, files, 2, &d), SB_OK);
	assert_string_equal(o.jig_file, files[1]);
}

/* A default file that reads but is too large is an error naming it, not skipped. */
static void oversized_default_is_an_error(void **state)
{
	struct sb_lineopts o;
	struct sb_diag d = { .msg = "" };
	const char *files[2];
	char *big = malloc(64 * 1024 + 2), want[200];
	struct env e = { { "STMBOOT_JIG=pi", NULL } };
	(void)state;
	assert_non_null(big);
	memset(big, '#', 64 * 1024 + 1);   /* one comment line of 65537 bytes */
	big[64 * 1024 + 1] = '\0';
	files[0] = write_file("big.conf", big);
	files[1] = write_file("jigs.conf", pi_conf);
	free(big);
	sb_lineopts_init(&o, "test");
	assert_false(o.explicit_config);
	assert_int_equal(sb_lineopts_resolve_files(&o, env_get, &e, files, 2, &d), SB_ERR_BAD_INPUT);
	snprintf(want, sizeof(want), "%s: larger than 65536 bytes", files[0]);
	assert_string_equal(d.msg, want);
	assert_true(o.in_file);
	assert_string_equal(o.jig_file, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(profile_keys_checked),
		cmocka_unit_test_setup_teardown(unreadable_default_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(oversized_default_is_an_error, setup, teardown),
		cmocka_unit_test(linespec_forms),
		cmocka_unit_test(linespec_errors),
		cmocka_unit_test_setup_teardown(options_and_blame, setup, teardown),
		cmocka_unit_test_setup_teardown(env_then_profile_then_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(user_profile_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(default_jig, setup, teardown),
		cmocka_unit_test_setup_teardown(profile_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(explicit_config_must_exist, setup, teardown),
		cmocka_unit_test_setup_teardown(stm32flash_replaces_entry_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(open_through_fake, setup, teardown),
		cmocka_unit_test_setup_teardown(open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(stm32flash_gpio_numbers_are_line_names, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
