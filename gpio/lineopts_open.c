/* SPDX-License-Identifier: MIT */
/*
 * lineopts_open.c - resolving settings (environment, profile files,
 * defaults) and opening the lines (lineopts.h).
 */
#include "lineopts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_MAX (64 * 1024)
#define SYSTEM_PROFILE "/etc/stmboot/jigs.conf"

static const char *getv(sb_lo_getenv_fn env, void *ctx, const char *name)
{
	const char *v = env ? env(ctx, name) : NULL;

	return v && v[0] ? v : NULL;
}

static int from_env(struct sb_lineopts *o, sb_lo_getenv_fn env, void *ctx, struct sb_diag *d)
{
	const char *v;
	int i, rc;

	for (i = 0; i < SB_LO_NKEYS; i++) {
		const char *name = sb_lineopts_env_name((enum sb_lo_key)i);

		if (o->set[i] || !(v = getv(env, ctx, name)))
			continue;
		rc = sb_lineopts_set(o, (enum sb_lo_key)i, v, name, d);
		if (rc)
			return rc;
	}
	return SB_OK;
}

/* read_text's results besides SB_OK and an sb_err about the content. */
enum { TEXT_NONE = 1, TEXT_UNREADABLE = 2 };

/*
 * SB_OK and *text (malloc'd) when read; TEXT_NONE when the file does not
 * exist; TEXT_UNREADABLE when it cannot be opened or read (d says why);
 * else an sb_err (d says why: the file is too large, or no memory).
 */
static int read_text(const char *path, char **text, struct sb_diag *d)
{
	FILE *f = fopen(path, "r");
	size_t n;

	*text = NULL;
	if (!f && errno == ENOENT)
		return TEXT_NONE;
	if (!f) {
		sb_diag_set(d, SB_ERR_BAD_INPUT, "cannot read %s: %s", path, strerror(errno));
		return TEXT_UNREADABLE;
	}
	*text = malloc(PROFILE_MAX + 1);
	if (!*text) {
		fclose(f);
		return SB_ERR_NOMEM;
	}
	n = fread(*text, 1, PROFILE_MAX + 1, f);
	if (ferror(f)) {   /* e.g. a directory: opens, but does not read */
		int e = errno;
		fclose(f);
		free(*text);
		*text = NULL;
		sb_diag_set(d, SB_ERR_BAD_INPUT, "cannot read %s: %s", path, strerror(e));
		return TEXT_UNREADABLE;
	}
	fclose(f);
	(*text)[n > PROFILE_MAX ? PROFILE_MAX : n] = '\0';
	if (n > PROFILE_MAX) {
		free(*text);
		*text = NULL;
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: larger than %d bytes", path, PROFILE_MAX);
	}
	return 0;
}

static void append(char *buf, size_t n, const char *s)
{
	size_t k = strlen(buf);

	if (k < n)
		snprintf(buf + k, n - k, "%s%s", k ? ", " : "", s);
}

static int jig_missing(const char *jig, const char *files, const char *jigs, struct sb_diag *d)
{
	if (!files[0])
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "jig '%s': no profile file exists", jig);
	return sb_diag_set(d, SB_ERR_BAD_INPUT, "jig '%s' is not in %s (jigs there: %s)", jig, files,
			   jigs[0] ? jigs : "none");
}

/* Apply the selected (or the "default") jig from the first file that has it. */
static int from_profiles(struct sb_lineopts *o, const char *const *files, size_t nfiles,
			 struct sb_diag *d)
{
	const char *jig = o->set[SB_LO_JIG] ? o->val[SB_LO_JIG] : "default";
	char seen[512] = "", jigs[512] = "", names[256], *text;
	bool found = false;
	size_t i;
	int rc;

	if (!o->set[SB_LO_JIG] && (o->set[SB_LO_BOOT0] || o->set[SB_LO_NRST] ||
				   o->set[SB_LO_STM32FLASH]))
		return SB_OK;  /* lines chosen without a jig: no implicit default */
	for (i = 0; i < nfiles; i++) {
		rc = read_text(files[i], &text, d);
		if (rc == TEXT_NONE)
			continue;
		if (rc == TEXT_UNREADABLE && !o->explicit_config) {
			/* a default place that is not ours to read (another user's HOME);
			 * a file we can read but do not take (too large) is an error */
			sb_logf(o->log, SB_LOG_DEBUG, "jig profiles: skipping %s", d->msg);
			continue;
		}
		if (rc == TEXT_UNREADABLE)
			rc = SB_ERR_BAD_INPUT;
		o->in_file = rc != SB_OK;
		if (rc)
			return rc;
		append(seen, sizeof(seen), files[i]);
		sb_lineopts_list_jigs(text, names, sizeof(names));
		if (names[0])
			append(jigs, sizeof(jigs), names);
		rc = sb_lineopts_apply_profile(o, text, files[i], jig, &found, d);
		free(text);
		o->in_file = rc != SB_OK;
		if (rc)
			return rc;
		if (found) {
			snprintf(o->jig_file, sizeof(o->jig_file), "%s", files[i]);
			return SB_OK;
		}
	}
	return o->set[SB_LO_JIG] ? jig_missing(jig, seen, jigs, d) : SB_OK;
}

static int parse_specs_timing(struct sb_lineopts *o, struct sb_diag *d)
{
	int rc = SB_OK;

	if (o->set[SB_LO_BOOT0])
		rc = sb_linespec_parse(o->val[SB_LO_BOOT0], &o->boot0, d);
	if (!rc && o->set[SB_LO_NRST])
		rc = sb_linespec_parse(o->val[SB_LO_NRST], &o->nrst, d);
	if (!rc && o->set[SB_LO_PULSE])
		rc = sb_seq_parse_duration(o->val[SB_LO_PULSE], &o->timing.pulse_us);
	if (!rc && o->set[SB_LO_SETTLE])
		rc = sb_seq_parse_duration(o->val[SB_LO_SETTLE], &o->timing.settle_us);
	return rc;
}

/* A built-in default has no column to blame: its steps get column 0. */
static int parse_or_default(struct sb_lineopts *o, enum sb_lo_key key, const char *def,
			    struct sb_seq *s, struct sb_diag *d)
{
	size_t i;
	int rc = sb_seq_parse(o->set[key] ? o->val[key] : def, &o->timing, s, d);

	for (i = 0; !rc && !o->set[key] && i < s->n; i++)
		s->step[i].col = 0;
	return rc;
}

/* --stm32flash-i replaces entry and exit; without ':' there is no exit sequence. */
static int parse_sequences(struct sb_lineopts *o, struct sb_diag *d)
{
	int rc;

	if (o->set[SB_LO_STM32FLASH]) {
		rc = sb_seq_parse_stm32flash(o->val[SB_LO_STM32FLASH], &o->entry, &o->exit,
					     &o->has_exit, d);
		return rc;  /* cannot happen: checked by sb_lineopts_set() */
	}
	o->has_exit = true;
	rc = parse_or_default(o, SB_LO_ENTRY, "enter", &o->entry, d);
	if (!rc)
		rc = parse_or_default(o, SB_LO_EXIT, "run", &o->exit, d);
	return rc;
}

int sb_lineopts_resolve_files(struct sb_lineopts *o, sb_lo_getenv_fn env, void *env_ctx,
			      const char *const *files, size_t nfiles, struct sb_diag *d)
{
	int rc;

	o->in_file = false;
	rc = from_env(o, env, env_ctx, d);
	if (!rc)
		rc = from_profiles(o, files, nfiles, d);
	if (!rc)
		rc = parse_specs_timing(o, d);
	if (!rc)
		rc = parse_sequences(o, d);
	return rc;
}

int sb_lineopts_resolve(struct sb_lineopts *o, sb_lo_getenv_fn env, void *env_ctx,
			struct sb_diag *d)
{
	const char *cfg = o->set[SB_LO_CONFIG] ? o->val[SB_LO_CONFIG]
					       : getv(env, env_ctx, "STMBOOT_CONFIG");
	const char *xdg = getv(env, env_ctx, "XDG_CONFIG_HOME"), *home = getv(env, env_ctx, "HOME");
	char user[SB_LO_VAL + 32] = "";
	const char *files[2];
	size_t n = 0;

	if (cfg) {
		/* An explicit file must exist: a typo must not fall back to other files. */
		FILE *f = fopen(cfg, "r");

		if (!f) {
			o->in_file = true;
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "cannot read %s: %s", cfg,
					   strerror(errno));
		}
		fclose(f);
		files[n++] = cfg;
		o->explicit_config = true;
	} else {
		if (xdg)
			snprintf(user, sizeof(user), "%s/stmboot/jigs.conf", xdg);
		else if (home)
			snprintf(user, sizeof(user), "%s/.config/stmboot/jigs.conf", home);
		if (user[0])
			files[n++] = user;
		files[n++] = SYSTEM_PROFILE;
	}
	return sb_lineopts_resolve_files(o, env, env_ctx, files, n, d);
}

/* ---- opening ------------------------------------------------------------------------ */

/* stm32flash's -i drives its raw signals (rts, dtr, gpioN) without naming
 * BOOT0 or NRST, and works on its own there (serial-anchors 1.5). */
bool sb_lineopts_wired(const struct sb_lineopts *o)
{
	return o->boot0.kind != SB_SPEC_NONE || o->nrst.kind != SB_SPEC_NONE ||
	       o->set[SB_LO_STM32FLASH];
}

static bool is_modem(const struct sb_linespec *s)
{
	return s->kind == SB_SPEC_RTS || s->kind == SB_SPEC_DTR;
}

static bool uses_modem(const struct sb_seq *s)
{
	return sb_seq_uses(s, SB_LINE_RTS, 0) || sb_seq_uses(s, SB_LINE_DTR, 0);
}

static bool any_uses(const struct sb_seq *const *seqs, size_t n, enum sb_line line, unsigned num)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sb_seq_uses(seqs[i], line, num))
			return true;
	return false;
}

bool sb_lineopts_needs_port(const struct sb_lineopts *o, const struct sb_seq *const *seqs,
			    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (uses_modem(seqs[i]))
			return true;
	return (is_modem(&o->boot0) && any_uses(seqs, n, SB_LINE_BOOT0, 0)) ||
	       (is_modem(&o->nrst) && any_uses(seqs, n, SB_LINE_NRST, 0));
}

size_t sb_lineopts_job(const struct sb_lineopts *o, const struct sb_seq *seqs[2])
{
	seqs[0] = &o->entry;
	seqs[1] = &o->exit;
	return o->has_exit ? 2 : 1;
}

const char *sb_lineopts_port(const struct sb_lineopts *o)
{
	return o->set[SB_LO_PORT] ? o->val[SB_LO_PORT] : NULL;
}

static const struct sb_linespec *role_spec(const struct sb_lineopts *o, enum sb_line line)
{
	return line == SB_LINE_BOOT0 ? &o->boot0 : &o->nrst;
}

static const char *role_hint(enum sb_line line)
{
	return line == SB_LINE_BOOT0 ? "--boot0, STMBOOT_BOOT0 or a jig profile"
				     : "--nrst, STMBOOT_NRST or a jig profile";
}

int sb_lineopts_check(const struct sb_lineopts *o, const struct sb_seq *s, struct sb_diag *d)
{
	const struct sb_step *st;
	size_t i;

	for (i = 0; i < s->n; i++) {
		st = &s->step[i];
		if (st->kind != SB_STEP_SET || st->line > SB_LINE_NRST ||
		    role_spec(o, st->line)->kind != SB_SPEC_NONE)
			continue;
		if (st->col)
			return sb_diag_addr(d, SB_ERR_BAD_INPUT, st->col,
					    "the sequence sets %s (column %u) but no %s line is "
					    "configured (%s)", sb_line_name(st->line), st->col,
					    st->line == SB_LINE_BOOT0 ? "BOOT0" : "NRST",
					    role_hint(st->line));
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "the sequence sets %s but no %s line is "
				   "configured (%s)", sb_line_name(st->line),
				   st->line == SB_LINE_BOOT0 ? "BOOT0" : "NRST", role_hint(st->line));
	}
	if (sb_seq_uses(s, SB_LINE_BRK, 0))
		return sb_diag_set(d, SB_ERR_UNSUPPORTED,
				   "the sequence sends a break (brk): not supported; use rts/dtr or GPIO lines");
	return SB_OK;
}

/* Level to open line at: init=, else the first level the sequences set, else idle. */
static int init_level(const struct sb_linespec *spec, const struct sb_seq *const *seqs, size_t n,
		      enum sb_line line, unsigned num)
{
	size_t i;
	int lv;

	if (spec->init >= 0)
		return spec->init;
	for (i = 0; i < n; i++)
		if ((lv = sb_seq_first_level(seqs[i], line, num)) >= 0)
			return lv;
	return sb_lines_idle_level(line);
}

struct binds {
	struct sb_lines_bind gpio[8], modem[2];
	size_t ngpio, nmodem;
};

static void add_role(struct binds *b, const struct sb_lineopts *o,
		     const struct sb_seq *const *seqs, size_t n, enum sb_line line)
{
	const struct sb_linespec *spec = role_spec(o, line);
	struct sb_lines_bind bd = { .line = line, .spec = *spec,
				    .init = init_level(spec, seqs, n, line, 0) };

	if (!any_uses(seqs, n, line, 0))
		return;  /* wired but not used: leave it alone */
	if (spec->kind == SB_SPEC_GPIO)
		b->gpio[b->ngpio++] = bd;
	else if (is_modem(spec))
		b->modem[b->nmodem++] = bd;
}

/* Raw "gpioN" lines of the sequences become the lines named GPION. */
static int add_raw_gpio(struct binds *b, const struct sb_seq *const *seqs, size_t n,
			const struct sb_seq *src, struct sb_diag *d)
{
	struct sb_lines_bind bd;
	size_t i, k;

	for (i = 0; i < src->n; i++) {
		const struct sb_step *st = &src->step[i];

		if (st->kind != SB_STEP_SET || st->line != SB_LINE_GPIO)
			continue;
		for (k = 0; k < b->ngpio; k++)
			if (b->gpio[k].line == SB_LINE_GPIO && b->gpio[k].num == st->num)
				break;
		if (k < b->ngpio)
			continue;
		if (b->ngpio == sizeof(b->gpio) / sizeof(b->gpio[0]))
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "too many GPIO lines in the sequences");
		bd = (struct sb_lines_bind){ .line = SB_LINE_GPIO, .num = st->num };
		sb_linespec_init(&bd.spec);
		bd.spec.kind = SB_SPEC_GPIO;
		snprintf(bd.spec.name, sizeof(bd.spec.name), "GPIO%u", st->num);
		bd.init = init_level(&bd.spec, seqs, n, SB_LINE_GPIO, st->num);
		b->gpio[b->ngpio++] = bd;
	}
	return SB_OK;
}

static int open_parts(const struct sb_lineopts *o, const struct binds *b, bool modem,
		      const struct sb_link *link, const struct sb_gpiod_opts *gopts,
		      struct sb_lines *out, struct sb_diag *d)
{
	struct sb_gpiod_opts go = { .consumer = o->consumer };
	struct sb_lines parts[2];
	size_t n = 0;
	int rc = SB_OK;

	if (b->ngpio) {
		rc = sb_lines_gpiod_open(&parts[n], b->gpio, b->ngpio, gopts ? gopts : &go, d);
		n += rc == SB_OK;
	}
	if (!rc && modem) {
		rc = sb_lines_modem_open(&parts[n], link, b->modem, b->nmodem, d);
		n += rc == SB_OK;
	}
	if (rc) {
		while (n > 0)
			sb_lines_close(&parts[--n]);
		return rc;
	}
	if (n == 1) {
		*out = parts[0];
		return SB_OK;
	}
	return sb_lines_mux(out, parts, n, d);  /* n == 0: nothing to drive, waits only */
}

int sb_lineopts_open(const struct sb_lineopts *o, const struct sb_seq *const *seqs, size_t n,
		     const struct sb_link *link, const struct sb_gpiod_opts *gopts,
		     struct sb_lines *out, struct sb_diag *d)
{
	struct binds b = { .ngpio = 0 };
	size_t i;
	bool modem;
	int rc = SB_OK;

	*out = (struct sb_lines){ 0 };
	for (i = 0; !rc && i < n; i++)
		rc = sb_lineopts_check(o, seqs[i], d);
	if (rc)
		return rc;
	add_role(&b, o, seqs, n, SB_LINE_BOOT0);
	add_role(&b, o, seqs, n, SB_LINE_NRST);
	for (i = 0; !rc && i < n; i++)
		rc = add_raw_gpio(&b, seqs, n, seqs[i], d);
	if (rc)
		return rc;
	modem = sb_lineopts_needs_port(o, seqs, n);
	if (modem && (!link || !link->ops))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s needs a serial port (STMBOOT_PORT, the "
				   "program's port option, or port = in the jig profile)",
				   b.nmodem ? "a line wired to RTS/DTR" : "a sequence using rts/dtr");
	return open_parts(o, &b, modem, link, gopts, out, d);
}

int sb_lineopts_enter(const struct sb_lineopts *o, const struct sb_lines *l,
		      const struct sb_log *log, struct sb_diag *d)
{
	return sb_lines_run(l, &o->entry, log, d);
}

int sb_lineopts_exit(const struct sb_lineopts *o, const struct sb_lines *l,
		     const struct sb_log *log, struct sb_diag *d)
{
	return o->has_exit ? sb_lines_run(l, &o->exit, log, d) : SB_OK;
}
