/* SPDX-License-Identifier: MIT */
/*
 * lineopts.c - options, environment and jig profiles for the boot lines
 * (lineopts.h).
 */
#include "lineopts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *env;
} keys[SB_LO_NKEYS] = {
	[SB_LO_BOOT0] = { "boot0", "STMBOOT_BOOT0" },
	[SB_LO_NRST] = { "nrst", "STMBOOT_NRST" },
	[SB_LO_PORT] = { "port", "STMBOOT_PORT" },
	[SB_LO_ENTRY] = { "entry", "STMBOOT_ENTRY" },
	[SB_LO_EXIT] = { "exit", "STMBOOT_EXIT" },
	[SB_LO_STM32FLASH] = { "stm32flash-i", "STMBOOT_STM32FLASH_I" },
	[SB_LO_PULSE] = { "pulse", "STMBOOT_PULSE" },
	[SB_LO_SETTLE] = { "settle", "STMBOOT_SETTLE" },
	[SB_LO_JIG] = { "jig", "STMBOOT_JIG" },
	[SB_LO_CONFIG] = { "config", "STMBOOT_CONFIG" },
};

void sb_lineopts_init(struct sb_lineopts *o, const char *consumer)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->consumer, sizeof(o->consumer), "%s", consumer ? consumer : "stmboot");
	sb_linespec_init(&o->boot0);
	sb_linespec_init(&o->nrst);
	sb_seq_timing_default(&o->timing);
}

const char *sb_lineopts_key_name(enum sb_lo_key key)
{
	return (unsigned)key < SB_LO_NKEYS ? keys[key].name : "?";
}

const char *sb_lineopts_env_name(enum sb_lo_key key)
{
	return (unsigned)key < SB_LO_NKEYS ? keys[key].env : "?";
}

bool sb_lineopts_key_lookup(const char *name, enum sb_lo_key *key)
{
	int i;

	for (i = 0; i < SB_LO_NKEYS; i++) {
		if (!strcmp(name, keys[i].name)) {
			*key = (enum sb_lo_key)i;
			return true;
		}
	}
	return false;
}

/* Re-blame a syntax error on where the value came from. */
static int blame(struct sb_diag *d, int rc, const char *origin)
{
	char msg[sizeof(d->msg)];

	if (!d)
		return rc;
	snprintf(msg, sizeof(msg), "%s", d->msg);
	d->has_addr = 0;
	return sb_diag_set(d, rc, "%s: %s", origin, msg);
}

/* Syntax check of one value. */
static int check_value(enum sb_lo_key key, const char *value, struct sb_diag *d)
{
	struct sb_linespec spec;
	struct sb_seq a, b;
	uint32_t us;
	bool has_exit;

	switch (key) {
	case SB_LO_BOOT0:
	case SB_LO_NRST:
		return sb_linespec_parse(value, &spec, d);
	case SB_LO_ENTRY:
	case SB_LO_EXIT:
		return sb_seq_parse(value, NULL, &a, d);
	case SB_LO_STM32FLASH:
		return sb_seq_parse_stm32flash(value, &a, &b, &has_exit, d);
	case SB_LO_PULSE:
	case SB_LO_SETTLE:
		if (sb_seq_parse_duration(value, &us))
			return sb_diag_set(d, SB_ERR_BAD_INPUT,
					   "bad duration '%s' (use e.g. 10ms, 2s, 500us)", value);
		return SB_OK;
	default:
		if (!value[0])
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "empty value");
		return SB_OK;
	}
}

int sb_lineopts_set(struct sb_lineopts *o, enum sb_lo_key key, const char *value,
		    const char *origin, struct sb_diag *d)
{
	int rc;

	if ((unsigned)key >= SB_LO_NKEYS)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "no such setting");
	if (strlen(value) >= SB_LO_VAL)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: value longer than %d characters",
				   origin, SB_LO_VAL - 1);
	rc = check_value(key, value, d);
	if (rc)
		return blame(d, rc, origin);
	snprintf(o->val[key], SB_LO_VAL, "%s", value);
	snprintf(o->origin[key], SB_LO_ORIGIN, "%s", origin);
	o->set[key] = true;
	return SB_OK;
}

int sb_lineopts_getopt(struct sb_lineopts *o, int c, const char *arg, struct sb_diag *d)
{
	char origin[32];
	enum sb_lo_key key = (enum sb_lo_key)(c - SB_LO_OPT(0));
	int rc;

	if (c < SB_LO_OPT(0) || c >= SB_LO_OPT(SB_LO_NKEYS) || key == SB_LO_PORT)
		return 0;
	snprintf(origin, sizeof(origin), "--%s", keys[key].name);
	rc = sb_lineopts_set(o, key, arg, origin, d);
	return rc ? rc : 1;
}

const char *sb_lineopts_help(void)
{
	return "Boot lines (SPEC: gpio:NAME, gpio:CHIP:OFFSET, rts, dtr or none, with options\n"
	       "  :active-low :open-drain :open-source :pull-up :pull-down :init=0|1 :inv):\n"
	       "      --boot0 SPEC         where BOOT0 is wired (STMBOOT_BOOT0)\n"
	       "      --nrst SPEC          where NRST is wired (STMBOOT_NRST)\n"
	       "      --jig NAME           take the lines from jig profile NAME (STMBOOT_JIG)\n"
	       "      --config FILE        read jig profiles from FILE only (STMBOOT_CONFIG)\n"
	       "      --entry SEQUENCE     sequence entering the ROM loader (default: enter)\n"
	       "      --exit SEQUENCE      sequence starting the application (default: run)\n"
	       "      --stm32flash-i ENTRY:EXIT  entry and exit in stm32flash's -i syntax\n"
	       "      --pulse DURATION     NRST low time in presets (default 10ms)\n"
	       "      --settle DURATION    wait after NRST rises in presets (default 50ms)\n";
}

/* ---- profiles --------------------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Copy the first line of p into buf; returns the next line or NULL. */
static const char *next_line(const char *p, char *buf, size_t n, bool *too_long)
{
	const char *e = strchr(p, '\n');
	size_t len = e ? (size_t)(e - p) : strlen(p);

	*too_long = len >= n;
	if (len >= n)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return e ? e + 1 : NULL;
}

/* "[name]" -> name, or NULL. */
static char *section_name(char *line)
{
	size_t n = strlen(line);

	if (n < 3 || line[0] != '[' || line[n - 1] != ']')
		return NULL;
	line[n - 1] = '\0';
	return trim(line + 1);
}

static int add_extra(struct sb_lineopts *o, const char *key, const char *val, const char *origin,
		     struct sb_diag *d)
{
	struct sb_lo_extra *x;

	if (sb_lineopts_extra(o, key))
		return SB_OK;
	if (o->nextra == SB_LO_MAX_EXTRA)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: too many keys", origin);
	x = &o->extra[o->nextra++];
	snprintf(x->key, sizeof(x->key), "%s", key);
	snprintf(x->val, sizeof(x->val), "%s", val);
	snprintf(x->origin, sizeof(x->origin), "%s", origin);
	return SB_OK;
}

static bool baud_ok(const char *val)
{
	char *end;
	unsigned long v = strtoul(val, &end, 10);

	return *val >= '1' && *val <= '9' && !*end && v >= 50 && v <= 20000000;
}

static bool ports_ok(const char *val)
{
	return val[strspn(val, " \t,")] != '\0';
}

/* Keys a profile may hold besides the line settings, with their checks;
 * they go with "port", so messages list them after it. */
static const struct {
	const char *name;
	bool (*ok)(const char *val);
	const char *bad;   /* why a value fails ok() */
} extras[] = {
	{ "ports", ports_ok, "no port given" },
	{ "baud", baud_ok, "not a baud rate (50 to 20000000)" },
};

#define NEXTRAS (sizeof(extras) / sizeof(extras[0]))

static int extra_lookup(const char *key)
{
	for (size_t i = 0; i < NEXTRAS; i++)
		if (!strcmp(key, extras[i].name))
			return (int)i;
	return -1;
}

/* The line settings a profile may hold: not the ones that choose it. */
static bool in_profile(enum sb_lo_key k)
{
	return k != SB_LO_JIG && k != SB_LO_CONFIG;
}

/* Append ", name" (or name first) to the list in buf at *len. */
static void put_key(char *buf, size_t n, size_t *len, const char *name)
{
	if (*len < n)
		*len += (size_t)snprintf(buf + *len, n - *len, "%s%s", *len ? ", " : "", name);
}

/* "boot0, nrst, port, ports, baud, ...": the keys a profile may hold. */
static void profile_keys(char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int k = 0; k < SB_LO_NKEYS; k++) {
		if (!in_profile((enum sb_lo_key)k))
			continue;
		put_key(buf, n, &len, keys[k].name);
		if (k == SB_LO_PORT)
			for (size_t i = 0; i < NEXTRAS; i++)
				put_key(buf, n, &len, extras[i].name);
	}
}

/*
 * "key = value" -> key and value, in place. line is trimmed and holds '='.
 * The key ends at the first '=', spaces and tabs before it cut; the value is
 * trimmed and loses one pair of double quotes around it.
 */
static void split_kv(char *line, char **key, char **val)
{
	char *eq = strchr(line, '='), *e = eq;
	size_t n;

	while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	*key = line;
	*val = trim(eq + 1);
	n = strlen(*val);
	if (n >= 2 && (*val)[0] == '"' && (*val)[n - 1] == '"') {
		(*val)[n - 1] = '\0';
		++*val;
	}
}

/* A key of any section must be one we know; an empty one only in the wanted section. */
static int check_key(const char *key, bool in, const char *fname, unsigned lineno,
		     const char *origin, struct sb_diag *d)
{
	enum sb_lo_key k;
	char list[128];

	if (!key[0])
		return in ? sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: missing key before '='", origin)
			  : SB_OK;
	if (sb_lineopts_key_lookup(key, &k) || extra_lookup(key) >= 0)
		return SB_OK;
	profile_keys(list, sizeof(list));
	return sb_diag_set(d, SB_ERR_BAD_INPUT, "%.100s:%u: unknown key '%.63s' (keys: %s)", fname,
			   lineno, key, list);
}

/* A known key's value, from the wanted section. */
static int apply_kv(struct sb_lineopts *o, const char *key, const char *val, const char *origin,
		    struct sb_diag *d)
{
	enum sb_lo_key k;
	int x;

	if (!sb_lineopts_key_lookup(key, &k)) {
		x = extra_lookup(key);
		if (!extras[x].ok(val))
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: %s = '%s': %s", origin, key, val,
					   extras[x].bad);
		return add_extra(o, key, val, origin, d);
	}
	if (!in_profile(k))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: '%s' cannot be set in a profile",
				   origin, key);
	if (o->set[k])
		return SB_OK;
	return sb_lineopts_set(o, k, val, origin, d);
}

int sb_lineopts_apply_profile(struct sb_lineopts *o, const char *text, const char *fname,
			      const char *jig, bool *found, struct sb_diag *d)
{
	char buf[SB_LO_VAL + 64], origin[SB_LO_ORIGIN], *line, *name, *key, *val;
	const char *p = text;
	bool in = false, too_long;
	unsigned lineno = 0;
	int rc = SB_OK;

	*found = false;
	while (!rc && p) {
		p = next_line(p, buf, sizeof(buf), &too_long);
		lineno++;
		snprintf(origin, sizeof(origin), "jig '%.40s' (%.80s:%u)", jig, fname, lineno);
		line = trim(buf);
		if (too_long)
			rc = sb_diag_set(d, SB_ERR_BAD_INPUT, "%.100s:%u: line too long", fname, lineno);
		else if (!line[0] || line[0] == '#' || line[0] == ';')
			continue;
		else if ((name = section_name(line)) != NULL) {
			in = !strcmp(name, jig);
			if (in && *found)
				rc = sb_diag_set(d, SB_ERR_BAD_INPUT, "%.100s:%u: jig '%.40s' defined twice",
						 fname, lineno, jig);
			*found = *found || in;
		} else if (line[0] == '[')
			rc = sb_diag_set(d, SB_ERR_BAD_INPUT, "%.100s:%u: malformed section header",
					 fname, lineno);
		else if (!strchr(line, '='))
			rc = sb_diag_set(d, SB_ERR_BAD_INPUT,
					 "%.100s:%u: expected '[jig]' or 'key = value'", fname, lineno);
		else {
			split_kv(line, &key, &val);
			if (!(rc = check_key(key, in, fname, lineno, origin, d)) && in)
				rc = apply_kv(o, key, val, origin, d);
		}
	}
	return rc;
}

void sb_lineopts_list_jigs(const char *text, char *buf, size_t n)
{
	char line[SB_LO_VAL + 64], *name, *t;
	const char *p = text;
	size_t k = 0;
	bool too_long;

	if (n)
		buf[0] = '\0';
	while (p) {
		p = next_line(p, line, sizeof(line), &too_long);
		t = trim(line);
		if ((name = section_name(t)) != NULL && k < n)
			k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", name);
	}
}

const char *sb_lineopts_extra(const struct sb_lineopts *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->nextra; i++)
		if (!strcmp(o->extra[i].key, key))
			return o->extra[i].val;
	return NULL;
}
