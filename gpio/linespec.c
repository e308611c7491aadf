/* SPDX-License-Identifier: MIT */
/*
 * linespec.c - the line spec grammar of linespec.h.
 */
#include "linespec.h"

#include <stdio.h>
#include <string.h>

#define OPT_HINT_GPIO "(options: active-low, open-drain, open-source, push-pull, pull-up, " \
	"pull-down, bias-disable, init=0|1)"
#define OPT_HINT_MODEM "(options: inv, init=0|1)"

struct field {
	const char *p;
	size_t n;
	unsigned col;  /* 1-based */
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool field_is(struct field f, const char *word)
{
	size_t i;

	if (strlen(word) != f.n)
		return false;
	for (i = 0; i < f.n; i++)
		if (lower((unsigned char)f.p[i]) != word[i])
			return false;
	return true;
}

static bool all_digits(struct field f)
{
	size_t i;

	for (i = 0; i < f.n; i++)
		if (f.p[i] < '0' || f.p[i] > '9')
			return false;
	return f.n > 0 && f.n <= 5;
}

static unsigned field_uint(struct field f)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < f.n; i++)
		v = v * 10 + (unsigned)(f.p[i] - '0');
	return v;
}

static int bad(struct sb_diag *d, struct field f, const char *what, const char *text,
	       const char *hint)
{
	if (d)
		sb_diag_addr(d, SB_ERR_BAD_INPUT, f.col, "column %u: %s '%.*s' in '%.60s'%s%s", f.col,
			     what, (int)(f.n > 40 ? 40 : f.n), f.p, text, hint ? " " : "",
			     hint ? hint : "");
	return SB_ERR_BAD_INPUT;
}

void sb_linespec_init(struct sb_linespec *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = SB_SPEC_NONE;
	s->init = -1;
}

/* Split text at ':' into at most max fields; returns the count, or max+1 if more. */
static size_t split(const char *text, struct field *f, size_t max)
{
	size_t n = 0;
	const char *p = text, *c;

	for (;;) {
		if (n == max)
			return max + 1;
		c = strchr(p, ':');
		f[n] = (struct field){ p, c ? (size_t)(c - p) : strlen(p), (unsigned)(p - text) + 1 };
		n++;
		if (!c)
			return n;
		p = c + 1;
	}
}

static bool parse_init(struct field f, int *init)
{
	struct field v = { f.p + 5, f.n - 5, f.col + 5 };

	if (f.n < 5 || !field_is((struct field){ f.p, 5, f.col }, "init="))
		return false;
	if (field_is(v, "1") || field_is(v, "high"))
		*init = 1;
	else if (field_is(v, "0") || field_is(v, "low"))
		*init = 0;
	else
		*init = -2;
	return true;
}

static int set_drive(struct sb_linespec *s, enum sb_drive dr, bool *seen)
{
	if (*seen && s->drive != dr)
		return -1;
	*seen = true;
	s->drive = dr;
	return 0;
}

static int set_bias(struct sb_linespec *s, enum sb_bias b, bool *seen)
{
	if (*seen && s->bias != b)
		return -1;
	*seen = true;
	s->bias = b;
	return 0;
}

/* One GPIO option; 0 ok, 1 unknown, -1 conflicting, -2 bad init level. */
static int gpio_opt(struct sb_linespec *s, struct field f, bool *drive_seen, bool *bias_seen)
{
	int init;

	if (field_is(f, "active-low") || field_is(f, "inv") || field_is(f, "inverted"))
		s->invert = true;
	else if (field_is(f, "active-high"))
		s->invert = false;
	else if (field_is(f, "push-pull"))
		return set_drive(s, SB_DRIVE_PUSH_PULL, drive_seen);
	else if (field_is(f, "open-drain"))
		return set_drive(s, SB_DRIVE_OPEN_DRAIN, drive_seen);
	else if (field_is(f, "open-source"))
		return set_drive(s, SB_DRIVE_OPEN_SOURCE, drive_seen);
	else if (field_is(f, "pull-up"))
		return set_bias(s, SB_BIAS_PULL_UP, bias_seen);
	else if (field_is(f, "pull-down"))
		return set_bias(s, SB_BIAS_PULL_DOWN, bias_seen);
	else if (field_is(f, "bias-disable") || field_is(f, "no-bias"))
		return set_bias(s, SB_BIAS_DISABLE, bias_seen);
	else if (parse_init(f, &init))
		return init < 0 ? -2 : (s->init = init, 0);
	else
		return 1;
	return 0;
}

static int copy_field(char *dst, struct field f)
{
	if (f.n == 0 || f.n >= SB_LINESPEC_STR)
		return -1;
	memcpy(dst, f.p, f.n);
	dst[f.n] = '\0';
	return 0;
}

#define MAX_FIELDS 12

static int parse_gpio(const char *text, struct field *f, size_t n, struct sb_linespec *s,
		      struct sb_diag *d)
{
	bool drive_seen = false, bias_seen = false;
	size_t i = 1;
	int rc;

	if (n < 2 || f[1].n == 0)
		return bad(d, n < 2 ? f[0] : f[1], "missing line after", text,
			   "(write gpio:NAME or gpio:CHIP:OFFSET)");
	s->kind = SB_SPEC_GPIO;
	if (n >= 3 && all_digits(f[2])) {
		if (copy_field(s->chip, f[1]))
			return bad(d, f[1], "bad chip", text, NULL);
		s->offset = field_uint(f[2]);
		i = 3;
	} else if (all_digits(f[1])) {
		return bad(d, f[1], "a number is not a line:", text,
			   "(write gpio:GPIO17 for the line named GPIO17, or gpio:gpiochip0:17 "
			   "for offset 17 of gpiochip0; global sysfs numbers are not used)");
	} else {
		if (copy_field(s->name, f[1]))
			return bad(d, f[1], "bad line name", text, NULL);
		i = 2;
	}
	for (; i < n; i++) {
		rc = gpio_opt(s, f[i], &drive_seen, &bias_seen);
		if (rc == 1)
			return bad(d, f[i], "unknown option", text, OPT_HINT_GPIO);
		if (rc == -1)
			return bad(d, f[i], "conflicting option", text, NULL);
		if (rc == -2)
			return bad(d, f[i], "bad level in", text, "(init=0 or init=1)");
	}
	return SB_OK;
}

static int parse_modem(const char *text, struct field *f, size_t n, struct sb_linespec *s,
		       struct sb_diag *d)
{
	size_t i;
	int init;

	s->kind = field_is(f[0], "rts") ? SB_SPEC_RTS : SB_SPEC_DTR;
	for (i = 1; i < n; i++) {
		if (field_is(f[i], "inv") || field_is(f[i], "inverted")) {
			s->invert = true;
		} else if (parse_init(f[i], &init)) {
			if (init < 0)
				return bad(d, f[i], "bad level in", text, "(init=0 or init=1)");
			s->init = init;
		} else {
			return bad(d, f[i], "unknown option", text, OPT_HINT_MODEM);
		}
	}
	return SB_OK;
}

int sb_linespec_parse(const char *text, struct sb_linespec *out, struct sb_diag *d)
{
	struct field f[MAX_FIELDS + 1];
	size_t n = split(text, f, MAX_FIELDS + 1);
	int rc;

	sb_linespec_init(out);
	if (n > MAX_FIELDS)
		return bad(d, f[MAX_FIELDS], "too many fields at", text, NULL);
	if (field_is(f[0], "none") && n == 1)
		return SB_OK;
	if (field_is(f[0], "rts") || field_is(f[0], "dtr"))
		rc = parse_modem(text, f, n, out, d);
	else if (field_is(f[0], "gpio"))
		rc = parse_gpio(text, f, n, out, d);
	else
		rc = bad(d, f[0], "unknown line kind", text,
			 "(write gpio:NAME, gpio:CHIP:OFFSET, rts, dtr or none; e.g. gpio:GPIO17)");
	if (rc)
		sb_linespec_init(out);
	return rc;
}

static const char *const drive_words[] = { "", ":open-drain", ":open-source" };
static const char *const bias_words[] = { "", ":bias-disable", ":pull-up", ":pull-down" };

size_t sb_linespec_format(const struct sb_linespec *s, char *buf, size_t n)
{
	const char *init = s->init < 0 ? "" : s->init ? ":init=1" : ":init=0";
	int k;

	switch (s->kind) {
	case SB_SPEC_RTS:
	case SB_SPEC_DTR:
		k = snprintf(buf, n, "%s%s%s", s->kind == SB_SPEC_RTS ? "rts" : "dtr",
			     s->invert ? ":inv" : "", init);
		break;
	case SB_SPEC_GPIO:
		if (s->chip[0])
			k = snprintf(buf, n, "gpio:%s:%u", s->chip, s->offset);
		else
			k = snprintf(buf, n, "gpio:%s", s->name);
		if (k >= 0)
			k += snprintf((size_t)k < n ? buf + k : NULL, (size_t)k < n ? n - (size_t)k : 0,
				      "%s%s%s%s", s->invert ? ":active-low" : "",
				      drive_words[s->drive], bias_words[s->bias], init);
		break;
	default:
		k = snprintf(buf, n, "none");
		break;
	}
	return k < 0 ? 0 : (size_t)k;
}

size_t sb_linespec_where(const struct sb_linespec *s, char *buf, size_t n)
{
	int k;

	if (s->kind == SB_SPEC_GPIO && s->chip[0])
		k = snprintf(buf, n, "%s:%u", s->chip, s->offset);
	else if (s->kind == SB_SPEC_GPIO)
		k = snprintf(buf, n, "%s", s->name);
	else
		k = snprintf(buf, n, "%s", s->kind == SB_SPEC_RTS ? "RTS" :
			     s->kind == SB_SPEC_DTR ? "DTR" : "none");
	return k < 0 ? 0 : (size_t)k;
}

int sb_linespec_modem_asserted(const struct sb_linespec *s, int level)
{
	/* Usual TTL adapters: asserted drives RTS#/DTR# low (serial-anchors §1.5). */
	return s->invert ? level != 0 : level == 0;
}
