/* SPDX-License-Identifier: MIT */
/*
 * fuzz_seq.c - libFuzzer target for the boot-line grammars: the native
 * sequence language, stm32flash's -i strings (gpio/seq.h) and line specs
 * (gpio/linespec.h). The first byte picks the grammar. Beyond "no crash,
 * no sanitizer report", it checks the properties the programs rely on:
 *   - an error names a column inside the text (1 .. length + 1);
 *   - a parsed sequence has at most SB_SEQ_MAX steps, levels 0/1, waits
 *     within SB_SEQ_MAX_WAIT_US;
 *   - format(parse(x)) parses again to the same text (native; stm32flash
 *     results in the native grammar; line specs).
 * Build and run: make fuzz (mk/gpio.mk).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linespec.h"
#include "seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static void check_seq(const struct sb_seq *s)
{
	size_t i;

	check(s->n <= SB_SEQ_MAX);
	for (i = 0; i < s->n; i++) {
		const struct sb_step *st = &s->step[i];

		if (st->kind == SB_STEP_SET) {
			check(st->level == 0 || st->level == 1);
			check(st->line < SB_LINE_COUNT);
			check(st->num <= SB_SEQ_MAX_GPIO);
		} else {
			check(st->kind == SB_STEP_WAIT && st->us <= SB_SEQ_MAX_WAIT_US);
		}
	}
}

/* The canonical text of s must parse back to itself. */
static void check_round_trip(const struct sb_seq *s)
{
	static char a[SB_SEQ_MAX * 24], b[SB_SEQ_MAX * 24];
	static struct sb_seq again;

	check(sb_seq_format(s, a, sizeof(a)) < sizeof(a));
	check(sb_seq_parse(a, NULL, &again, NULL) == SB_OK);
	check(again.n == s->n);
	sb_seq_format(&again, b, sizeof(b));
	check(!strcmp(a, b));
}

static void check_error(const struct sb_diag *d, size_t len)
{
	check(d->has_addr && d->addr >= 1 && d->addr <= len + 1);
	check(strstr(d->msg, "column") == d->msg);
}

static void fuzz_native(const char *text, size_t len)
{
	static struct sb_seq s;
	struct sb_diag d = { .msg = "" };

	if (sb_seq_parse(text, NULL, &s, &d) != SB_OK) {
		check_error(&d, len);
		return;
	}
	check_seq(&s);
	check_round_trip(&s);
}

static void fuzz_stm32flash(const char *text, size_t len)
{
	static struct sb_seq en, ex;
	struct sb_diag d = { .msg = "" };
	bool has_exit;

	if (sb_seq_parse_stm32flash(text, &en, &ex, &has_exit, &d) != SB_OK) {
		check_error(&d, len);
		return;
	}
	check(has_exit == (strchr(text, ':') != NULL));
	check_seq(&en);
	check_seq(&ex);
	check_round_trip(&en);
	check_round_trip(&ex);
}

static void fuzz_linespec(const char *text, size_t len)
{
	struct sb_linespec s, again;
	struct sb_diag d = { .msg = "" };
	char a[256], b[256];

	if (sb_linespec_parse(text, &s, &d) != SB_OK) {
		check_error(&d, len);
		return;
	}
	check(sb_linespec_format(&s, a, sizeof(a)) < sizeof(a));
	check(sb_linespec_parse(a, &again, NULL) == SB_OK);
	sb_linespec_format(&again, b, sizeof(b));
	check(!strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[2048];
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;
	memcpy(text, data + 1, len);
	text[len] = '\0';
	len = strlen(text);
	switch (data[0] % 3) {
	case 0: fuzz_native(text, len); break;
	case 1: fuzz_stm32flash(text, len); break;
	default: fuzz_linespec(text, len); break;
	}
	return 0;
}
