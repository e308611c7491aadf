/* SPDX-License-Identifier: MIT */
/*
 * seq.c - the sequence grammars of seq.h.
 */
#include "seq.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Longest piece of a token quoted in a message. */
#define TOK_SHOW 40
/* stm32flash's ',' waits 100 ms (serial-anchors §1.5). */
#define STM32FLASH_COMMA_US 100000u

struct span {
	const char *p;
	size_t n;
};

static const char *const line_names[SB_LINE_COUNT] = {
	[SB_LINE_BOOT0] = "boot0", [SB_LINE_NRST] = "nrst", [SB_LINE_RTS] = "rts",
	[SB_LINE_DTR] = "dtr",     [SB_LINE_BRK] = "brk",   [SB_LINE_GPIO] = "gpio",
};

static const char *const preset_names[] = {
	[SB_SEQ_ENTER] = "enter", [SB_SEQ_RUN] = "run", [SB_SEQ_RESET] = "reset",
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z');
}

static bool span_is(struct span s, const char *word)
{
	size_t i;

	if (strlen(word) != s.n)
		return false;
	for (i = 0; i < s.n; i++)
		if (lower((unsigned char)s.p[i]) != word[i])
			return false;
	return true;
}

/* Message "column C: WHAT" with d->addr = C. */
static int bad(struct sb_diag *d, unsigned col, const char *what, struct span tok,
	       const char *hint)
{
	int show = (int)(tok.n > TOK_SHOW ? TOK_SHOW : tok.n);

	if (!d)
		return SB_ERR_BAD_INPUT;
	sb_diag_addr(d, SB_ERR_BAD_INPUT, col, "column %u: %s '%.*s%s'%s%s", col, what, show,
		     tok.p, tok.n > TOK_SHOW ? "..." : "", hint ? " " : "", hint ? hint : "");
	return SB_ERR_BAD_INPUT;
}

static int too_long(struct sb_diag *d, unsigned col, struct span tok)
{
	if (d)
		sb_diag_addr(d, SB_ERR_BAD_INPUT, col,
			     "column %u: sequence too long at '%.*s' (at most %d steps)", col,
			     (int)(tok.n > TOK_SHOW ? TOK_SHOW : tok.n), tok.p, SB_SEQ_MAX);
	return SB_ERR_BAD_INPUT;
}

void sb_seq_timing_default(struct sb_seq_timing *t)
{
	t->pulse_us = SB_SEQ_PULSE_US_DEFAULT;
	t->settle_us = SB_SEQ_SETTLE_US_DEFAULT;
}

void sb_seq_clear(struct sb_seq *s)
{
	s->n = 0;
}

static int push(struct sb_seq *s, struct sb_step st)
{
	if (s->n >= SB_SEQ_MAX)
		return SB_ERR_BAD_INPUT;
	s->step[s->n++] = st;
	return SB_OK;
}

static int push_set(struct sb_seq *s, enum sb_line line, unsigned num, int level, unsigned col)
{
	return push(s, (struct sb_step){ .kind = SB_STEP_SET, .line = line, .num = num,
					 .level = level, .col = col });
}

static int push_wait(struct sb_seq *s, uint32_t us, unsigned col)
{
	return push(s, (struct sb_step){ .kind = SB_STEP_WAIT, .us = us, .col = col });
}

int sb_seq_preset(struct sb_seq *s, enum sb_seq_preset p, const struct sb_seq_timing *t,
		  unsigned col)
{
	struct sb_seq_timing def;
	int rc = SB_OK;

	if (!t) {
		sb_seq_timing_default(&def);
		t = &def;
	}
	if (s->n + (p == SB_SEQ_RESET ? 4 : 5) > SB_SEQ_MAX)
		return SB_ERR_BAD_INPUT;
	if (p == SB_SEQ_ENTER || p == SB_SEQ_RUN)
		rc = push_set(s, SB_LINE_BOOT0, 0, p == SB_SEQ_ENTER, col);
	if (!rc)
		rc = push_set(s, SB_LINE_NRST, 0, 0, col);
	if (!rc)
		rc = push_wait(s, t->pulse_us, col);
	if (!rc)
		rc = push_set(s, SB_LINE_NRST, 0, 1, col);
	if (!rc)
		rc = push_wait(s, t->settle_us, col);
	return rc;
}

bool sb_seq_preset_lookup(const char *name, enum sb_seq_preset *p)
{
	struct span s = { name, strlen(name) };
	size_t i;

	for (i = 0; i < sizeof(preset_names) / sizeof(preset_names[0]); i++) {
		if (span_is(s, preset_names[i])) {
			*p = (enum sb_seq_preset)i;
			return true;
		}
	}
	return false;
}

/* Decimal digits only, value <= max. */
static bool parse_uint(struct span s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.n == 0)
		return false;
	for (i = 0; i < s.n; i++) {
		if (!is_digit((unsigned char)s.p[i]))
			return false;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* 0: ok; 1: malformed; 2: too long. */
static int parse_duration(struct span s, uint32_t *us)
{
	static const struct { const char *unit; uint32_t mult; } units[] = {
		{ "", 1000 }, { "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
	};
	size_t digits = 0, i;
	uint64_t v;

	while (digits < s.n && is_digit((unsigned char)s.p[digits]))
		digits++;
	if (!parse_uint((struct span){ s.p, digits }, UINT64_MAX / 10000000u, &v))
		return 1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!span_is((struct span){ s.p + digits, s.n - digits }, units[i].unit))
			continue;
		if (v > SB_SEQ_MAX_WAIT_US / units[i].mult)
			return 2;
		*us = (uint32_t)(v * units[i].mult);
		return 0;
	}
	return 1;
}

int sb_seq_parse_duration(const char *text, uint32_t *us)
{
	return parse_duration((struct span){ text, strlen(text) }, us) ? SB_ERR_BAD_INPUT : SB_OK;
}

static bool parse_level(struct span s, int *level)
{
	if (span_is(s, "1") || span_is(s, "high")) {
		*level = 1;
		return true;
	}
	if (span_is(s, "0") || span_is(s, "low")) {
		*level = 0;
		return true;
	}
	return false;
}

/* A line word: boot0, nrst, rts, dtr, brk or gpioN. */
static bool parse_line(struct span s, enum sb_line *line, unsigned *num)
{
	uint64_t v;
	int i;

	*num = 0;
	for (i = 0; i < SB_LINE_GPIO; i++) {
		if (span_is(s, line_names[i])) {
			*line = (enum sb_line)i;
			return true;
		}
	}
	if (s.n > 4 && span_is((struct span){ s.p, 4 }, "gpio") &&
	    parse_uint((struct span){ s.p + 4, s.n - 4 }, SB_SEQ_MAX_GPIO, &v)) {
		*line = SB_LINE_GPIO;
		*num = (unsigned)v;
		return true;
	}
	return false;
}

static int parse_word(struct span tok, unsigned col, const struct sb_seq_timing *t,
		      struct sb_seq *out, struct sb_diag *d)
{
	enum sb_seq_preset p;
	enum sb_line line;
	unsigned num;
	size_t i;

	for (i = 0; i < sizeof(preset_names) / sizeof(preset_names[0]); i++) {
		p = (enum sb_seq_preset)i;
		if (span_is(tok, preset_names[i]))
			return sb_seq_preset(out, p, t, col) ? too_long(d, col, tok) : SB_OK;
	}
	if (parse_line(tok, &line, &num))
		return bad(d, col, "missing level after", tok, "(write LINE=0 or LINE=1)");
	if (span_is(tok, "wait"))
		return bad(d, col, "missing duration after", tok, "(write wait=10ms)");
	return bad(d, col, "unknown word", tok,
		   "(expected boot0=, nrst=, wait= or a preset: enter, run, reset)");
}

static int parse_assign(struct span tok, size_t eq, unsigned col, struct sb_seq *out,
			struct sb_diag *d)
{
	struct span key = { tok.p, eq }, val = { tok.p + eq + 1, tok.n - eq - 1 };
	unsigned vcol = col + (unsigned)eq + 1;
	enum sb_line line;
	unsigned num;
	uint32_t us;
	int level, rc;

	if (span_is(key, "wait")) {
		rc = parse_duration(val, &us);
		if (rc == 2)
			return bad(d, vcol, "wait longer than 3600s:", tok, NULL);
		if (rc)
			return bad(d, vcol, "bad duration in", tok, "(use e.g. 10ms, 2s, 500us)");
		rc = push_wait(out, us, col);
	} else if (parse_line(key, &line, &num)) {
		if (!parse_level(val, &level))
			return bad(d, vcol, "bad level in", tok, "(use 0, 1, low or high)");
		rc = push_set(out, line, num, level, col);
	} else {
		return bad(d, col, "unknown line in", tok,
			   "(lines: boot0, nrst; raw signals: rts, dtr, brk, gpioN)");
	}
	return rc ? too_long(d, col, tok) : SB_OK;
}

static bool is_sep(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';';
}

int sb_seq_parse(const char *text, const struct sb_seq_timing *t, struct sb_seq *out,
		 struct sb_diag *d)
{
	size_t pos = 0, start;
	const char *eq;
	struct span tok;
	int rc;

	sb_seq_clear(out);
	while (text[pos]) {
		while (text[pos] && is_sep((unsigned char)text[pos]))
			pos++;
		if (!text[pos])
			break;
		start = pos;
		while (text[pos] && !is_sep((unsigned char)text[pos]))
			pos++;
		tok = (struct span){ text + start, pos - start };
		eq = memchr(tok.p, '=', tok.n);
		if (eq)
			rc = parse_assign(tok, (size_t)(eq - tok.p), (unsigned)start + 1, out, d);
		else
			rc = parse_word(tok, (unsigned)start + 1, t, out, d);
		if (rc)
			return rc;
	}
	return SB_OK;
}

/* ---- stm32flash -i ------------------------------------------------------ */

static int add_comma_wait(struct sb_seq *s, unsigned col)
{
	struct sb_step *last = s->n ? &s->step[s->n - 1] : NULL;

	/* ",,,," is one 400 ms wait, not four steps (serial-anchors §1.5). */
	if (last && last->kind == SB_STEP_WAIT && last->us <= SB_SEQ_MAX_WAIT_US - STM32FLASH_COMMA_US) {
		last->us += STM32FLASH_COMMA_US;
		return SB_OK;
	}
	return push_wait(s, STM32FLASH_COMMA_US, col);
}

static int i_signal(struct span sig, bool neg, unsigned col, struct sb_seq *s, struct sb_diag *d)
{
	enum sb_line line;
	uint64_t v;
	unsigned num = 0;

	if (span_is(sig, "rts"))
		line = SB_LINE_RTS;
	else if (span_is(sig, "dtr"))
		line = SB_LINE_DTR;
	else if (span_is(sig, "brk"))
		line = SB_LINE_BRK;
	else if (parse_uint(sig, SB_SEQ_MAX_GPIO, &v))
		line = SB_LINE_GPIO, num = (unsigned)v;
	else
		return bad(d, col, "unknown signal", sig, "(use rts, dtr, brk or a GPIO number)");
	if (line == SB_LINE_BRK && neg)
		return SB_OK;  /* stm32flash: "-brk" is a no-op */
	if (push_set(s, line, num, !neg, col))
		return too_long(d, col, sig);
	return SB_OK;
}

/* One part (entry or exit) of the -i string: text[from, to). */
static int i_part(const char *text, size_t from, size_t to, struct sb_seq *s, struct sb_diag *d)
{
	size_t p = from, start;
	bool neg;
	int rc;

	while (p < to) {
		unsigned col = (unsigned)p + 1;

		neg = text[p] == '-';
		if (neg)
			p++;
		start = p;
		while (p < to && is_alnum((unsigned char)text[p]))
			p++;
		if (p > start) {
			rc = i_signal((struct span){ text + start, p - start }, neg, col, s, d);
			if (rc)
				return rc;
		} else if (neg) {
			return bad(d, col, "'-' without a signal at", (struct span){ text + col - 1, 1 },
				   "(write -rts, -dtr or -N)");
		}
		if (p == to)
			break;
		if (text[p] == ',') {
			if (add_comma_wait(s, (unsigned)p + 1))
				return too_long(d, (unsigned)p + 1, (struct span){ text + p, 1 });
		} else if (text[p] != '&') {
			return bad(d, (unsigned)p + 1, "unexpected character",
				   (struct span){ text + p, 1 },
				   "(signals are separated by ',' (100 ms) or '&' (no delay))");
		}
		p++;
	}
	return SB_OK;
}

int sb_seq_parse_stm32flash(const char *text, struct sb_seq *entry, struct sb_seq *exit,
			    bool *has_exit, struct sb_diag *d)
{
	size_t len = strlen(text);
	const char *colon = strchr(text, ':'), *second;
	size_t split = colon ? (size_t)(colon - text) : len;
	int rc;

	sb_seq_clear(entry);
	sb_seq_clear(exit);
	*has_exit = colon != NULL;
	if (colon && (second = strchr(colon + 1, ':')) != NULL)
		return bad(d, (unsigned)(second - text) + 1, "second", (struct span){ second, 1 },
			   "(the form is ENTRY:EXIT)");
	rc = i_part(text, 0, split, entry, d);
	if (!rc && colon)
		rc = i_part(text, split + 1, len, exit, d);
	return rc;
}

/* ---- output and queries -------------------------------------------------- */

const char *sb_line_name(enum sb_line line)
{
	return (unsigned)line < SB_LINE_COUNT ? line_names[line] : "?";
}

size_t sb_seq_format_us(uint32_t us, char *buf, size_t n)
{
	int k;

	if (us && us % 1000000u == 0)
		k = snprintf(buf, n, "%" PRIu32 "s", us / 1000000u);
	else if (us % 1000u == 0)
		k = snprintf(buf, n, "%" PRIu32 "ms", us / 1000u);
	else
		k = snprintf(buf, n, "%" PRIu32 "us", us);
	return k < 0 ? 0 : (size_t)k;
}

static size_t format_step(const struct sb_step *st, char *buf, size_t n)
{
	char dur[24];
	int k;

	if (st->kind == SB_STEP_WAIT) {
		sb_seq_format_us(st->us, dur, sizeof(dur));
		k = snprintf(buf, n, "wait=%s", dur);
	} else if (st->line == SB_LINE_GPIO) {
		k = snprintf(buf, n, "gpio%u=%d", st->num, st->level);
	} else {
		k = snprintf(buf, n, "%s=%d", sb_line_name(st->line), st->level);
	}
	return k < 0 ? 0 : (size_t)k;
}

size_t sb_seq_format(const struct sb_seq *s, char *buf, size_t n)
{
	size_t len = 0, i;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		if (i)
			len += (size_t)snprintf(len < n ? buf + len : NULL, len < n ? n - len : 0, " ");
		len += format_step(&s->step[i], len < n ? buf + len : NULL, len < n ? n - len : 0);
	}
	return len;
}

static bool step_is(const struct sb_step *st, enum sb_line line, unsigned num)
{
	return st->kind == SB_STEP_SET && st->line == line && (line != SB_LINE_GPIO || st->num == num);
}

int sb_seq_first_level(const struct sb_seq *s, enum sb_line line, unsigned num)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (step_is(&s->step[i], line, num))
			return s->step[i].level;
	return -1;
}

bool sb_seq_uses(const struct sb_seq *s, enum sb_line line, unsigned num)
{
	return sb_seq_first_level(s, line, num) >= 0;
}

uint64_t sb_seq_total_us(const struct sb_seq *s)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->step[i].kind == SB_STEP_WAIT)
			total += s->step[i].us;
	return total;
}
