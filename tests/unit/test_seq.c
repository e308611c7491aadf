/* SPDX-License-Identifier: MIT */
/*
 * test_seq.c - the sequence grammars (gpio/seq.h): native, presets,
 * stm32flash -i, errors with column and token, formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "seq.h"

static char fmt_buf[1024];

/* Parse text (native) and return its canonical form; fails the test on error. */
static const char *canon(const char *text)
{
	struct sb_seq s;
	struct sb_diag d = { .msg = "" };
	int rc = sb_seq_parse(text, NULL, &s, &d);

	if (rc)
		fail_msg("'%s' did not parse: %s", text, d.msg);
	sb_seq_format(&s, fmt_buf, sizeof(fmt_buf));
	return fmt_buf;
}

/* Parse text expecting an error at col whose message contains word. */
static void expect_error(const char *text, unsigned col, const char *word)
{
	struct sb_seq s;
	struct sb_diag d = { .msg = "" };
	int rc = sb_seq_parse(text, NULL, &s, &d);

	assert_int_equal(rc, SB_ERR_BAD_INPUT);
	assert_true(d.has_addr);
	if (d.addr != col)
		fail_msg("'%s': column %lu, expected %u (%s)", text, d.addr, col, d.msg);
	if (!strstr(d.msg, word))
		fail_msg("'%s': message '%s' lacks '%s'", text, d.msg, word);
}

static void native_basic(void **state)
{
	struct sb_seq s;
	(void)state;
	assert_int_equal(sb_seq_parse("boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms", NULL, &s, NULL), 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.step[0].kind, SB_STEP_SET);
	assert_int_equal(s.step[0].line, SB_LINE_BOOT0);
	assert_int_equal(s.step[0].level, 1);
	assert_int_equal(s.step[0].col, 1);
	assert_int_equal(s.step[1].line, SB_LINE_NRST);
	assert_int_equal(s.step[1].col, 9);
	assert_int_equal(s.step[2].kind, SB_STEP_WAIT);
	assert_int_equal(s.step[2].us, 10000);
	assert_int_equal(s.step[4].us, 50000);
	assert_string_equal(canon("boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms"),
			    "boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms");
}

static void native_words(void **state)
{
	(void)state;
	assert_string_equal(canon("BOOT0=HIGH NRST=Low boot0=low nrst=high"),
			    "boot0=1 nrst=0 boot0=0 nrst=1");
	assert_string_equal(canon("  boot0=1,nrst=0;\twait=1ms\n,,nrst=1  "),
			    "boot0=1 nrst=0 wait=1ms nrst=1");
	assert_string_equal(canon("rts=1 dtr=0 brk=1 gpio17=1 GPIO4=0"),
			    "rts=1 dtr=0 brk=1 gpio17=1 gpio4=0");
	assert_string_equal(canon(""), "");
	assert_string_equal(canon(" ,; "), "");
}

static void durations(void **state)
{
	uint32_t us = 0;
	(void)state;
	assert_string_equal(canon("wait=10"), "wait=10ms");
	assert_string_equal(canon("wait=2s wait=500us wait=1500us wait=0 wait=2000ms"),
			    "wait=2s wait=500us wait=1500us wait=0ms wait=2s");
	assert_string_equal(canon("wait=3600s"), "wait=3600s");
	assert_int_equal(sb_seq_parse_duration("25ms", &us), 0);
	assert_int_equal(us, 25000);
	assert_int_equal(sb_seq_parse_duration("7", &us), 0);
	assert_int_equal(us, 7000);
	assert_int_equal(sb_seq_parse_duration("7 ms", &us), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_seq_parse_duration("", &us), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_seq_parse_duration("ms", &us), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_seq_parse_duration("99999999999999999999s", &us), SB_ERR_BAD_INPUT);
}

static void presets(void **state)
{
	struct sb_seq_timing t = { .pulse_us = 2000, .settle_us = 100000 };
	struct sb_seq s;
	enum sb_seq_preset p;
	(void)state;
	assert_string_equal(canon("enter"), "boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms");
	assert_string_equal(canon("run"), "boot0=0 nrst=0 wait=10ms nrst=1 wait=50ms");
	assert_string_equal(canon("reset"), "nrst=0 wait=10ms nrst=1 wait=50ms");
	assert_string_equal(canon("ENTER wait=1s run"),
			    "boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms wait=1s "
			    "boot0=0 nrst=0 wait=10ms nrst=1 wait=50ms");
	assert_int_equal(sb_seq_parse("enter", &t, &s, NULL), 0);
	sb_seq_format(&s, fmt_buf, sizeof(fmt_buf));
	assert_string_equal(fmt_buf, "boot0=1 nrst=0 wait=2ms nrst=1 wait=100ms");
	assert_int_equal(s.step[3].col, 1);
	assert_true(sb_seq_preset_lookup("Reset", &p));
	assert_int_equal(p, SB_SEQ_RESET);
	assert_false(sb_seq_preset_lookup("boot", &p));
}

static void errors_name_column_and_token(void **state)
{
	(void)state;
	expect_error("boot0=1 nrts=0", 9, "'nrts=0'");
	expect_error("boot0=1 nrts=0", 9, "unknown line");
	expect_error("boot0=2", 7, "bad level");
	expect_error("boot0=2", 7, "'boot0=2'");
	expect_error("boot0=", 7, "bad level");
	expect_error("nrst=0 wait=10xs", 13, "'wait=10xs'");
	expect_error("nrst=0 wait=10xs", 13, "bad duration");
	expect_error("wait=3601s", 6, "longer than 3600s");
	expect_error("boot0", 1, "missing level");
	expect_error("enter wait", 7, "missing duration");
	expect_error("enter reboot", 7, "unknown word 'reboot'");
	expect_error("=1", 1, "unknown line");
	expect_error("gpio=1", 1, "unknown line");
	expect_error("gpio65536=1", 1, "unknown line");
	expect_error("boot0=1 boot0=high=1", 15, "bad level");
}

static void too_long(void **state)
{
	char text[SB_SEQ_MAX * 8 + 16] = "";
	struct sb_seq s;
	int i;
	(void)state;
	for (i = 0; i < SB_SEQ_MAX; i++)
		strcat(text, "nrst=1 ");
	assert_int_equal(sb_seq_parse(text, NULL, &s, NULL), 0);
	assert_int_equal(s.n, SB_SEQ_MAX);
	strcat(text, "nrst=0");
	expect_error(text, SB_SEQ_MAX * 7 + 1, "too long");
	/* 12 enters (60 steps) + reset (4) fit exactly; + enter (5) does not */
	assert_int_equal(sb_seq_parse("enter enter enter enter enter enter enter enter enter enter "
				      "enter enter reset", NULL, &s, NULL), 0);
	assert_int_equal(s.n, SB_SEQ_MAX);
	expect_error("enter enter enter enter enter enter enter enter enter enter enter enter enter",
		     73, "too long");
}

static void parse_i(const char *text, const char *entry, const char *exit, bool has_exit)
{
	struct sb_seq en, ex;
	struct sb_diag d = { .msg = "" };
	bool he = !has_exit;
	char a[256], b[256];

	if (sb_seq_parse_stm32flash(text, &en, &ex, &he, &d))
		fail_msg("'%s' did not parse: %s", text, d.msg);
	sb_seq_format(&en, a, sizeof(a));
	sb_seq_format(&ex, b, sizeof(b));
	assert_string_equal(a, entry);
	assert_string_equal(b, exit);
	assert_int_equal(he, has_exit);
}

static void stm32flash_forms(void **state)
{
	(void)state;
	/* The stm32flash man page examples (serial-anchors §1.5). */
	parse_i("-rts,-dtr,dtr:rts,-dtr,dtr", "rts=0 wait=100ms dtr=0 wait=100ms dtr=1",
		"rts=1 wait=100ms dtr=0 wait=100ms dtr=1", true);
	parse_i("4,-5,-3,3:-4,-3,3", "gpio4=1 wait=100ms gpio5=0 wait=100ms gpio3=0 wait=100ms gpio3=1",
		"gpio4=0 wait=100ms gpio3=0 wait=100ms gpio3=1", true);
	parse_i("-rts&-dtr,dtr", "rts=0 dtr=0 wait=100ms dtr=1", "", false);
	parse_i("rts,,,,dtr", "rts=1 wait=400ms dtr=1", "", false);
	parse_i(",,", "wait=200ms", "", false);
	parse_i("RTS&-DTR", "rts=1 dtr=0", "", false);
	parse_i("brk,-brk&dtr", "brk=1 wait=100ms dtr=1", "", false);
	parse_i("rts,", "rts=1 wait=100ms", "", false);
	parse_i("", "", "", false);
	parse_i(":", "", "", true);
}

/* The two forms stm32flash 0.7 rejects or mishandles (serial-anchors §1.5). */
static void stm32flash_empty_parts(void **state)
{
	(void)state;
	parse_i(":rts", "", "rts=1", true);
	parse_i(":-dtr,dtr", "", "dtr=0 wait=100ms dtr=1", true);
	parse_i("rts:", "rts=1", "", true);
	parse_i("-rts,dtr,-dtr:", "rts=0 wait=100ms dtr=1 wait=100ms dtr=0", "", true);
}

static void expect_i_error(const char *text, unsigned col, const char *word)
{
	struct sb_seq en, ex;
	struct sb_diag d = { .msg = "" };
	bool he;

	assert_int_equal(sb_seq_parse_stm32flash(text, &en, &ex, &he, &d), SB_ERR_BAD_INPUT);
	if (d.addr != col || !strstr(d.msg, word))
		fail_msg("'%s': got column %lu '%s', expected %u '%s'", text, d.addr, d.msg, col, word);
}

static void stm32flash_errors(void **state)
{
	(void)state;
	expect_i_error("rts:dtr:rts", 8, "second ':'");
	expect_i_error("-rts,rst", 6, "unknown signal 'rst'");
	expect_i_error("rts dtr", 4, "unexpected character ' '");
	expect_i_error("rts;dtr", 4, "unexpected character ';'");
	expect_i_error("-,rts", 1, "'-' without a signal");
	expect_i_error("rts:-", 5, "'-' without a signal");
	expect_i_error("99999", 1, "unknown signal");
	expect_i_error("gpio4", 1, "unknown signal 'gpio4'");
	expect_i_error("rts:dtr,x", 9, "unknown signal 'x'");
}

static void round_trip(void **state)
{
	static const char *const texts[] = {
		"enter", "run wait=1s reset", "rts=1 dtr=0 wait=1500us gpio7=1 brk=1", "wait=3600s",
	};
	struct sb_seq a, b;
	char t1[512], t2[512];
	size_t i, k;
	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(sb_seq_parse(texts[i], NULL, &a, NULL), 0);
		sb_seq_format(&a, t1, sizeof(t1));
		assert_int_equal(sb_seq_parse(t1, NULL, &b, NULL), 0);
		sb_seq_format(&b, t2, sizeof(t2));
		assert_string_equal(t1, t2);
		assert_int_equal(a.n, b.n);
		for (k = 0; k < a.n; k++) {
			assert_int_equal(a.step[k].kind, b.step[k].kind);
			assert_int_equal(a.step[k].level, b.step[k].level);
			assert_int_equal(a.step[k].us, b.step[k].us);
		}
	}
	/* Truncation still reports the full length and terminates. */
	assert_int_equal(sb_seq_parse("enter", NULL, &a, NULL), 0);
	k = sb_seq_format(&a, t1, 8);
	assert_int_equal(k, strlen("boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms"));
	assert_string_equal(t1, "boot0=1");
}

static void queries(void **state)
{
	struct sb_seq s;
	char buf[16];
	(void)state;
	assert_int_equal(sb_seq_parse("nrst=0 gpio5=1 enter", NULL, &s, NULL), 0);
	assert_int_equal(sb_seq_first_level(&s, SB_LINE_NRST, 0), 0);
	assert_int_equal(sb_seq_first_level(&s, SB_LINE_BOOT0, 0), 1);
	assert_int_equal(sb_seq_first_level(&s, SB_LINE_GPIO, 5), 1);
	assert_int_equal(sb_seq_first_level(&s, SB_LINE_GPIO, 6), -1);
	assert_int_equal(sb_seq_first_level(&s, SB_LINE_RTS, 0), -1);
	assert_true(sb_seq_uses(&s, SB_LINE_BOOT0, 0));
	assert_false(sb_seq_uses(&s, SB_LINE_DTR, 0));
	assert_int_equal(sb_seq_total_us(&s), 60000);
	sb_seq_format_us(1000000, buf, sizeof(buf));
	assert_string_equal(buf, "1s");
	sb_seq_format_us(1001000, buf, sizeof(buf));
	assert_string_equal(buf, "1001ms");
	assert_string_equal(sb_line_name(SB_LINE_NRST), "nrst");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(native_basic),
		cmocka_unit_test(native_words),
		cmocka_unit_test(durations),
		cmocka_unit_test(presets),
		cmocka_unit_test(errors_name_column_and_token),
		cmocka_unit_test(too_long),
		cmocka_unit_test(stm32flash_forms),
		cmocka_unit_test(stm32flash_empty_parts),
		cmocka_unit_test(stm32flash_errors),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(queries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
