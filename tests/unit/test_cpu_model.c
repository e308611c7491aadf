/* SPDX-License-Identifier: MIT */
/*
 * test_cpu_model.c - the CPU model (sim/cpu.h) on the Unicorn engine: what it
 * will run on. It maps the L4R5's SRAM (SRAM2 aliased at 0x10000000,
 * protocol-facts E.1) and mcu.h is the L4R5's peripherals, so a board of
 * another part is refused with a message instead of mapping past its SRAM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board.h"
#include "cpu.h"
#include "mcu.h"

/* A CPU for a board of PID pid: NULL (message in err) if refused. */
static struct cpu *cpu_for(uint16_t pid, char *err, size_t errlen)
{
	struct board_config bc = { .pid = pid };
	struct mcu_config mc = { .rom_usart = 1 };
	struct board *b = board_new(&bc);
	struct mcu *m;
	struct cpu *c;

	assert_non_null(b);
	m = mcu_new(b, &mc);
	assert_non_null(m);
	c = cpu_new(b, m, err, errlen);
	cpu_free(c);
	mcu_free(m);
	board_free(b);
	return c;
}

static void l4r5_only(void **state)
{
	char err[160] = "";

	(void)state;
	assert_non_null(cpu_for(0, err, sizeof err));
	assert_non_null(cpu_for(0x470, err, sizeof err));
	assert_string_equal(err, "");
	assert_null(cpu_for(0x410, err, sizeof err));        /* F1: 20 KB of SRAM */
	assert_non_null(strstr(err, "STM32L4R5's (PID 0x470)"));
	assert_non_null(strstr(err, "PID 0x410"));
	assert_null(cpu_for(0x471, err, sizeof err));        /* L4P5: 320 KB, other peripherals */
	assert_non_null(strstr(err, "PID 0x471"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(l4r5_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
