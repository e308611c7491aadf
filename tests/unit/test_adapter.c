/* SPDX-License-Identifier: MIT */
/*
 * test_adapter.c - the DTR/RTS wiring shared by both sides of the virtual
 * board (sim/adapter.h): the map grammar, TIOCM reports, and the pin levels
 * and their order for changes, host open and last close.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "adapter.h"

static struct adapter_map parse_ok(const char *spec)
{
	struct adapter_map m;
	char err[128] = "";

	assert_int_equal(adapter_parse(&m, spec, err, sizeof err), 0);
	assert_string_equal(err, "");
	return m;
}

static void map_grammar(void **state)
{
	struct adapter_map m = parse_ok("rts=boot0,dtr=nrst:inv");

	(void)state;
	assert_int_equal(m.wire[ADAPTER_RTS].pin, BOARD_PIN_BOOT0);
	assert_false(m.wire[ADAPTER_RTS].inv);
	assert_int_equal(m.wire[ADAPTER_DTR].pin, BOARD_PIN_NRST);
	assert_true(m.wire[ADAPTER_DTR].inv);
	m = parse_ok("dtr=none,rts=nrst");
	assert_int_equal(m.wire[ADAPTER_DTR].pin, -1);
	assert_int_equal(m.wire[ADAPTER_RTS].pin, BOARD_PIN_NRST);
	m = parse_ok("dtr=boot0,dtr=nrst");         /* the last word for a line wins */
	assert_int_equal(m.wire[ADAPTER_DTR].pin, BOARD_PIN_NRST);
	m = parse_ok(NULL);
	assert_int_equal(m.wire[ADAPTER_DTR].pin, -1);
	assert_int_equal(m.wire[ADAPTER_RTS].pin, -1);
	m = parse_ok("");
	assert_int_equal(m.wire[ADAPTER_RTS].pin, -1);
}

static void map_errors(void **state)
{
	static const char *const bad[] = {
		"rts=boot0,dtr=boot0", "cts=nrst", "rts=nrst:invert", "rts", "rts=", "=boot0",
		"rts=boot1", "rts=boot0:inv:inv", "rts=boot0;dtr=nrst", "RTS=boot0",
	};
	struct adapter_map m;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(adapter_parse(&m, bad[i], err, sizeof err), -1);
		assert_non_null(strstr(err, bad[i]));
		assert_non_null(strstr(err, "rts=boot0,dtr=nrst:inv"));
	}
}

static void tiocm_messages(void **state)
{
	int line[ADAPTER_NLINES];

	(void)state;
	assert_int_equal(adapter_parse_tiocm("dtr=1 rts=0", line), 0);
	assert_int_equal(line[ADAPTER_DTR], 1);
	assert_int_equal(line[ADAPTER_RTS], 0);
	assert_int_equal(adapter_parse_tiocm("rts=1\n", line), 0);
	assert_int_equal(line[ADAPTER_DTR], -1);       /* not reported: unchanged */
	assert_int_equal(line[ADAPTER_RTS], 1);
	assert_int_equal(adapter_parse_tiocm("", line), 0);
	assert_int_equal(line[ADAPTER_DTR], -1);
	assert_int_equal(line[ADAPTER_RTS], -1);
	assert_int_equal(adapter_parse_tiocm("dtr=2", line), -1);
	assert_int_equal(adapter_parse_tiocm("dtr=10", line), -1);
	assert_int_equal(adapter_parse_tiocm("dtr=", line), -1);
	assert_int_equal(adapter_parse_tiocm("dtr", line), -1);
	assert_int_equal(adapter_parse_tiocm("cts=1", line), -1);
	assert_int_equal(adapter_parse_tiocm("dtr=1 rts=x", line), -1);
}

/* Pins for a change, as "boot0=1 nrst=0" in application order. */
static const char *pins_text(const struct adapter_map *m, int dtr, int rts)
{
	static char buf[64];
	const int line[ADAPTER_NLINES] = { [ADAPTER_DTR] = dtr, [ADAPTER_RTS] = rts };
	struct adapter_pin p[ADAPTER_NLINES];
	size_t n = adapter_pins(m, line, p), k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s=%d", i ? " " : "",
				      board_pin_name(p[i].pin), p[i].level);
	return buf;
}

static void pins_boot0_first(void **state)
{
	struct adapter_map usual = parse_ok("rts=boot0,dtr=nrst:inv");
	struct adapter_map swapped = parse_ok("dtr=boot0,rts=nrst:inv");

	(void)state;
	assert_string_equal(pins_text(&usual, 1, 0), "boot0=0 nrst=0");
	assert_string_equal(pins_text(&usual, 0, 1), "boot0=1 nrst=1");
	/* DTR comes before RTS in the message, BOOT0 still goes first */
	assert_string_equal(pins_text(&swapped, 0, 1), "boot0=0 nrst=0");
	assert_string_equal(pins_text(&swapped, 1, -1), "boot0=1");
	assert_string_equal(pins_text(&usual, 1, -1), "nrst=0");
	assert_string_equal(pins_text(&usual, -1, -1), "");
}

static void pins_unwired(void **state)
{
	struct adapter_map m = parse_ok("rts=nrst,dtr=none");

	(void)state;
	assert_string_equal(pins_text(&m, 1, 1), "nrst=1");
	m = parse_ok(NULL);
	assert_string_equal(pins_text(&m, 1, 1), "");
}

static void host_open_and_close(void **state)
{
	struct adapter_map m = parse_ok("rts=boot0,dtr=nrst:inv");
	struct adapter_pin p[ADAPTER_NLINES];

	(void)state;
	/* open asserts both: BOOT0 high, NRST held low (the part in reset) */
	assert_int_equal(adapter_host(&m, true, p), 2);
	assert_int_equal(p[0].pin, BOARD_PIN_BOOT0);
	assert_int_equal(p[0].level, 1);
	assert_int_equal(p[1].pin, BOARD_PIN_NRST);
	assert_int_equal(p[1].level, 0);
	/* the last close drops both: BOOT0 low first, then NRST released */
	assert_int_equal(adapter_host(&m, false, p), 2);
	assert_int_equal(p[0].pin, BOARD_PIN_BOOT0);
	assert_int_equal(p[0].level, 0);
	assert_int_equal(p[1].pin, BOARD_PIN_NRST);
	assert_int_equal(p[1].level, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_grammar),
		cmocka_unit_test(map_errors),
		cmocka_unit_test(tiocm_messages),
		cmocka_unit_test(pins_boot0_first),
		cmocka_unit_test(pins_unwired),
		cmocka_unit_test(host_open_and_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
