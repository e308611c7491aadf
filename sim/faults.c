/* SPDX-License-Identifier: MIT */
/*
 * faults.c - parse a fault spec (grammar in faults.h) and apply it byte by
 * byte around an AN3155 device. Random decisions come from a splitmix64
 * generator seeded once, so a run is reproducible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"

#define MAX_RULES 32
#define ANY_CMD (-1)
#define CPU_CMD 0x100    /* "cpu": bytes served by code on the CPU (sim/cpu.h) */
#define BYTE_LAST 0xFFFFFFFFu

enum action {
	A_DROP_IN, A_DROP_OUT, A_CORRUPT_IN, A_CORRUPT_OUT,
	A_NACK, A_NACK_LATE, A_STALL, A_HANG,
	A_CPU_HANG, A_CPU_RESET,
	A_LATE,
	A_TWIN_IN,
};

static const char *const action_names[] = {
	"drop-in", "drop-out", "corrupt-in", "corrupt-out",
	"nack", "nack-late", "stall", "hang",
	"cpu-hang", "cpu-reset",
	"late",
	"twin-in",
};

#define LATE_MAX_MS 600000u

struct rule {
	enum action action;
	int cmd;          /* opcode or ANY_CMD */
	unsigned nth;     /* 0: rate rule */
	uint32_t byte;    /* 1-based index or BYTE_LAST; 0 with rate rules */
	double rate;
	unsigned ms;      /* late: how long a reply is held back */
	int fired;
};

struct faults {
	struct rule rules[MAX_RULES];
	unsigned nrules;
	uint64_t rng;
	struct an3155dev *dev;
	void (*ev_fn)(void *ctx, const struct an3155dev_event *ev);
	void *ev_ctx;
	void (*log_fn)(void *ctx, const char *line);
	void *log_ctx;
	unsigned count[256];  /* per opcode (0x7F: sync) */
	unsigned late_ms;     /* the last faults_feed()'s reply: held back from late_from */
	uint8_t twin_mask;    /* twin-in: the XOR for host byte twin_idx of this command */
	uint32_t twin_idx;
	size_t late_from;
	unsigned count_any;   /* every command except the sync */
	int cur;              /* opcode of the command in progress, -1 none */
	unsigned cur_seq, cur_any, in_idx, out_idx;
	unsigned cpu_run, cpu_in, cpu_out;  /* runs of code since start; bytes in this run */
};

/* ---- random numbers: splitmix64 ---- */

static uint64_t next_rand(struct faults *f)
{
	uint64_t z = (f->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static bool chance(struct faults *f, double p)
{
	return (double)(next_rand(f) >> 11) * 0x1.0p-53 < p;
}

/* ---- parsing ---- */

static bool is_byte_action(enum action a)
{
	return a <= A_CORRUPT_OUT || a == A_TWIN_IN;
}

static bool is_cpu_action(enum action a)
{
	return a == A_CPU_HANG || a == A_CPU_RESET;
}

static bool is_fate_action(enum action a)
{
	return a >= A_NACK && a <= A_HANG;
}

static int parse_action(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
		if (strlen(action_names[i]) == n && !strncmp(s, action_names[i], n))
			return (int)i;
	return -1;
}

static int parse_cmd(const char *s, size_t n)
{
	char name[16];
	char *end;
	long v;

	if (n == 0)
		return ANY_CMD;
	if (n >= sizeof name)
		return -2;
	memcpy(name, s, n);
	name[n] = '\0';
	if (!strcmp(name, "cpu"))
		return CPU_CMD;
	if (!strncmp(name, "0x", 2)) {
		v = strtol(name, &end, 16);
		return *end || v < 0 || v > 255 ? -2 : (int)v;
	}
	v = an3155dev_cmd_code(name);
	return v < 0 ? -2 : (int)v;
}

static bool parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || v == 0 || v > 0xFFFFFFF)
		return false;
	*out = (unsigned)v;
	return true;
}

/* "#N[.BYTE]" part, already split at '#'. */
static const char *parse_nth(struct rule *r, char *s)
{
	char *dot = strchr(s, '.');

	if (dot)
		*dot++ = '\0';
	if (!parse_uint(s, &r->nth))
		return "bad command number after '#'";
	if (!dot)
		return is_byte_action(r->action) ? "byte actions with '#N' need '.BYTE' or '.last'" : NULL;
	if (is_fate_action(r->action))
		return "'.BYTE' only applies to byte actions, late and cpu-hang/cpu-reset";
	if (!strcmp(dot, "last")) {
		r->byte = BYTE_LAST;
		if (r->cmd == CPU_CMD)
			return "'.last' does not apply to bytes of the code on the CPU";
		return r->action == A_DROP_OUT || r->action == A_CORRUPT_OUT || r->action == A_LATE
			? NULL : "'.last' only applies to -out actions and late";
	}
	return parse_uint(dot, &r->byte) ? NULL : "bad byte number after '.'";
}

static const char *parse_rate(struct rule *r, const char *s)
{
	char *end;

	r->rate = strtod(s, &end);
	if (end == s || *end || !(r->rate >= 0.0 && r->rate <= 1.0))
		return "rate must be a number from 0 to 1";
	return NULL;
}

/* ":MS" of late, already split off at ':' (NULL: none given). */
static const char *parse_ms(struct rule *r, const char *ms)
{
	if (r->action != A_LATE)
		return ms ? "':MS' only applies to late" : NULL;
	if (!ms || !parse_uint(ms, &r->ms) || r->ms > LATE_MAX_MS)
		return "late needs ':MS', 1 to 600000 milliseconds";
	return NULL;
}

static const char *parse_rule(struct rule *r, char *s)
{
	char *colon = strchr(s, ':'), *eq, *at, *hash;
	const char *e;
	int v;

	memset(r, 0, sizeof *r);
	if (colon)
		*colon++ = '\0';
	eq = strchr(s, '=');
	if (eq)
		*eq++ = '\0';
	at = strchr(s, '@');
	v = parse_action(s, at ? (size_t)(at - s) : strlen(s));
	if (v < 0)
		return "unknown action";
	r->action = (enum action)v;
	r->cmd = ANY_CMD;
	if (at) {
		hash = strchr(++at, '#');
		r->cmd = parse_cmd(at, hash ? (size_t)(hash - at) : strlen(at));
		if (r->cmd == -2)
			return "unknown command name";
		if (hash && (e = parse_nth(r, hash + 1)))
			return e;
	}
	if (is_fate_action(r->action) && r->cmd == AN3155DEV_SYNC_BYTE)
		return "command actions do not apply to the sync";
	if ((e = parse_ms(r, colon)))
		return e;
	if (is_cpu_action(r->action) && r->cmd != CPU_CMD && r->cmd != ANY_CMD)
		return "cpu-hang and cpu-reset apply to the code on the CPU only ('@cpu#RUN[.BYTE]')";
	if (is_cpu_action(r->action)) {
		r->cmd = CPU_CMD;
		return eq ? "cpu-hang and cpu-reset take '#RUN', not a rate" :
		       r->nth ? NULL : "cpu-hang and cpu-reset need '#RUN'";
	}
	if (!is_byte_action(r->action) && r->cmd == CPU_CMD)
		return "command actions do not apply to the code on the CPU";
	if (r->action == A_TWIN_IN && (eq || !r->nth || r->byte == BYTE_LAST || r->cmd == CPU_CMD))
		return "twin-in needs '@CMD#N.BYTE'";
	if (eq)
		return r->nth ? "give either '#N' or '=RATE', not both" : parse_rate(r, eq);
	return r->nth ? NULL : "a rule needs '#N' or '=RATE'";
}

static int parse_spec(struct faults *f, const char *spec, char *err, size_t errlen)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	const char *e = NULL;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok && !e; tok = strtok_r(NULL, ",", &save)) {
		if (f->nrules == MAX_RULES)
			e = "too many rules";
		else if ((e = parse_rule(&f->rules[f->nrules], tok)) == NULL)
			f->nrules++;
		if (e)
			snprintf(err, errlen, "fault rule '%s': %s", tok, e);
	}
	free(copy);
	return e ? -1 : 0;
}

struct faults *faults_new(const char *spec, uint64_t seed, char *err, size_t errlen)
{
	struct faults *f = calloc(1, sizeof *f);

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->rng = seed;
	f->cur = -1;
	if (spec && *spec && parse_spec(f, spec, err, errlen) < 0) {
		free(f);
		return NULL;
	}
	return f;
}

void faults_free(struct faults *f)
{
	free(f);
}

void faults_set_log(struct faults *f, void (*fn)(void *ctx, const char *line), void *ctx)
{
	f->log_fn = fn;
	f->log_ctx = ctx;
}

/* ---- matching ---- */

static void log_fired(struct faults *f, const struct rule *r, const char *detail)
{
	char line[160];

	if (!f->log_fn)
		return;
	snprintf(line, sizeof line, "fault: %s on %s #%u%s", action_names[r->action],
		 an3155dev_cmd_name((uint8_t)f->cur), f->cur_seq, detail);
	f->log_fn(f->log_ctx, line);
}

/* Does rule r fire for the current command, at byte idx (0: command level)? */
static bool fires(struct faults *f, struct rule *r, uint32_t idx, bool last)
{
	unsigned seq = r->cmd == ANY_CMD ? f->cur_any : f->cur_seq;

	if (f->cur < 0 || (r->cmd != ANY_CMD && r->cmd != f->cur))
		return false;
	if (!r->nth) {
		if (r->cmd == ANY_CMD && !idx && f->cur == AN3155DEV_SYNC_BYTE)
			return false;
		return chance(f, r->rate);
	}
	if (r->fired || r->nth != seq)
		return false;
	if (idx && r->byte != idx && !(r->byte == BYTE_LAST && last))
		return false;
	r->fired = 1;
	return true;
}

static enum an3155dev_fate on_command(void *ctx, uint8_t code)
{
	static const enum an3155dev_fate fate[] = {
		[A_NACK] = AN3155DEV_NACK, [A_NACK_LATE] = AN3155DEV_NACK_LATE,
		[A_STALL] = AN3155DEV_STALL, [A_HANG] = AN3155DEV_HANG,
	};
	struct faults *f = ctx;

	(void)code;
	for (unsigned i = 0; i < f->nrules; i++) {
		struct rule *r = &f->rules[i];

		if (is_fate_action(r->action) && fires(f, r, 0, false)) {
			log_fired(f, r, "");
			return fate[r->action];
		}
	}
	return AN3155DEV_NORMAL;
}

static void on_event(void *ctx, const struct an3155dev_event *ev)
{
	struct faults *f = ctx;

	if (f->ev_fn)
		f->ev_fn(f->ev_ctx, ev);
}

void faults_attach(struct faults *f, struct an3155dev *d,
		   void (*ev_fn)(void *ctx, const struct an3155dev_event *ev), void *ev_ctx)
{
	struct an3155dev_hooks h = { .on_command = on_command, .on_event = on_event, .ctx = f };

	f->dev = d;
	f->ev_fn = ev_fn;
	f->ev_ctx = ev_ctx;
	an3155dev_set_hooks(d, &h);
}

/* Which command does byte c belong to? Starts a new one where the ROM is idle. */
static void track_input(struct faults *f, uint8_t c)
{
	enum an3155dev_phase ph = an3155dev_phase(f->dev);

	if (ph == AN3155DEV_BUSY) {
		f->in_idx++;
		return;
	}
	if (ph != AN3155DEV_AWAIT_SYNC && ph != AN3155DEV_IDLE) {
		f->cur = -1;
		return;
	}
	f->cur = ph == AN3155DEV_AWAIT_SYNC ? AN3155DEV_SYNC_BYTE : c;
	f->cur_seq = ++f->count[f->cur];
	if (f->cur != AN3155DEV_SYNC_BYTE)
		f->cur_any = ++f->count_any;
	f->in_idx = 1;
	f->out_idx = 0;
	f->twin_mask = 0;   /* a twin past the last command's end is not this one's */
}

/*
 * twin-in: the byte after the one twin-in corrupted gets the same XOR. Two
 * bytes of a frame flipped alike leave AN3155's XOR checksum right
 * (protocol-facts A.3): the ROM ACKs and programs the wrong data, which only
 * a verify finds - what a host's page repair is for.
 */
static bool twin_next(struct faults *f, uint8_t *c, uint32_t idx)
{
	char line[96];

	if (!f->twin_mask || idx != f->twin_idx)
		return false;
	if (f->log_fn) {
		snprintf(line, sizeof line, "fault: twin-in, byte %u (0x%02X): the same flips",
			 (unsigned)idx, *c);
		f->log_fn(f->log_ctx, line);
	}
	*c ^= f->twin_mask;
	f->twin_mask = 0;
	return true;
}

/* Apply byte rules of one direction; returns false if the byte is dropped. */
static bool byte_faults(struct faults *f, enum action drop, enum action corrupt,
			uint8_t *c, uint32_t idx, bool last)
{
	char detail[48];
	uint8_t mask;

	if (corrupt == A_CORRUPT_IN && twin_next(f, c, idx))
		return true;

	for (unsigned i = 0; i < f->nrules; i++) {
		struct rule *r = &f->rules[i];

		if ((r->action != drop && r->action != corrupt &&
		     !(r->action == A_TWIN_IN && corrupt == A_CORRUPT_IN)) || !fires(f, r, idx, last))
			continue;
		snprintf(detail, sizeof detail, ", byte %u (0x%02X)", (unsigned)idx, *c);
		log_fired(f, r, detail);
		if (r->action == drop)
			return false;
		mask = (uint8_t)(next_rand(f) % 255 + 1);  /* never a no-op */
		*c ^= mask;
		if (r->action == A_TWIN_IN) {   /* the same flips in the next byte: twin_next() */
			f->twin_mask = mask;
			f->twin_idx = idx + 1;
		}
	}
	return true;
}

/* A late rule without '.BYTE' holds back a whole reply of its command
 * (every reply of the Nth one, or each reply with its probability). */
static unsigned late_reply(struct faults *f)
{
	char detail[32];

	for (unsigned i = 0; i < f->nrules; i++) {
		struct rule *r = &f->rules[i];
		unsigned seq = r->cmd == ANY_CMD ? f->cur_any : f->cur_seq;
		bool hit;

		if (r->action != A_LATE || r->byte || f->cur < 0 ||
		    (r->cmd != ANY_CMD && r->cmd != f->cur))
			continue;
		/* a rule for any command leaves the sync alone; then the Nth, or by chance */
		hit = !(r->cmd == ANY_CMD && f->cur == AN3155DEV_SYNC_BYTE) &&
		      (r->nth ? r->nth == seq : chance(f, r->rate));
		if (hit) {
			snprintf(detail, sizeof detail, ", %u ms", r->ms);
			log_fired(f, r, detail);
			return r->ms;
		}
	}
	return 0;
}

/* A late rule with '.BYTE': true if it holds back reply byte idx (and what follows). */
static bool late_byte(struct faults *f, uint8_t c, uint32_t idx, bool last)
{
	char detail[64];

	for (unsigned i = 0; i < f->nrules; i++) {
		struct rule *r = &f->rules[i];

		if (r->action != A_LATE || !r->byte || !fires(f, r, idx, last))
			continue;
		snprintf(detail, sizeof detail, ", byte %u (0x%02X), %u ms", (unsigned)idx, c, r->ms);
		log_fired(f, r, detail);
		f->late_ms = r->ms;
		return true;
	}
	return false;
}

size_t faults_feed(struct faults *f, uint8_t c, uint8_t *out, size_t max)
{
	uint8_t reply[600];
	size_t n, kept = 0;
	bool ended;

	track_input(f, c);
	if (byte_faults(f, A_DROP_IN, A_CORRUPT_IN, &c, f->in_idx, false))
		an3155dev_input(f->dev, &c, 1);
	n = an3155dev_output(f->dev, reply, sizeof reply);
	ended = an3155dev_idle(f->dev);
	f->late_from = 0;
	f->late_ms = n ? late_reply(f) : 0;
	for (size_t i = 0; i < n; i++) {
		bool last = ended && i + 1 == n;

		if (f->cur >= 0) {
			if (!byte_faults(f, A_DROP_OUT, A_CORRUPT_OUT, &reply[i], ++f->out_idx, last))
				continue;
			if (!f->late_ms && late_byte(f, reply[i], f->out_idx, last))
				f->late_from = kept;
		}
		if (kept < max)
			out[kept++] = reply[i];
	}
	return kept;
}

unsigned faults_late(const struct faults *f, size_t *from)
{
	*from = f->late_from;
	return f->late_ms;
}

/* ---- bytes of code running on the CPU ---- */

enum faults_cpu_fate faults_cpu_start(struct faults *f)
{
	f->cpu_run++;
	f->cpu_in = f->cpu_out = 0;
	return faults_cpu_fate_now(f);
}

/* A cpu-hang/cpu-reset rule for this run and the bytes received so far. */
enum faults_cpu_fate faults_cpu_fate_now(struct faults *f)
{
	char line[96];

	for (unsigned i = 0; i < f->nrules; i++) {
		struct rule *r = &f->rules[i];

		if (!is_cpu_action(r->action) || r->fired || r->nth != f->cpu_run || r->byte != f->cpu_in)
			continue;
		r->fired = 1;
		if (f->log_fn) {
			snprintf(line, sizeof line, "fault: %s on cpu run #%u after %u byte(s)",
				 action_names[r->action], f->cpu_run, f->cpu_in);
			f->log_fn(f->log_ctx, line);
		}
		return r->action == A_CPU_HANG ? FAULTS_CPU_HANG : FAULTS_CPU_RESET;
	}
	return FAULTS_CPU_RUN;
}

/* Byte rules for the code's bytes: rate rules for any command or "cpu",
 * "#RUN.BYTE" rules for "cpu". */
static bool cpu_fires(struct faults *f, struct rule *r, unsigned idx)
{
	if (r->cmd != ANY_CMD && r->cmd != CPU_CMD)
		return false;
	if (!r->nth)
		return chance(f, r->rate);
	if (r->cmd != CPU_CMD || r->fired || r->nth != f->cpu_run || r->byte != idx)
		return false;
	r->fired = 1;
	return true;
}

static bool cpu_byte(struct faults *f, enum action drop, enum action corrupt, uint8_t *c,
		     unsigned idx)
{
	char line[112];

	for (unsigned i = 0; i < f->nrules; i++) {
		struct rule *r = &f->rules[i];

		if ((r->action != drop && r->action != corrupt) || !cpu_fires(f, r, idx))
			continue;
		if (f->log_fn) {
			snprintf(line, sizeof line, "fault: %s on cpu run #%u, byte %u (0x%02X)",
				 action_names[r->action], f->cpu_run, idx, *c);
			f->log_fn(f->log_ctx, line);
		}
		if (r->action == drop)
			return false;
		*c ^= (uint8_t)(next_rand(f) % 255 + 1);
	}
	return true;
}

bool faults_cpu_in(struct faults *f, uint8_t *c)
{
	return cpu_byte(f, A_DROP_IN, A_CORRUPT_IN, c, ++f->cpu_in);
}

bool faults_cpu_out(struct faults *f, uint8_t *c)
{
	return cpu_byte(f, A_DROP_OUT, A_CORRUPT_OUT, c, ++f->cpu_out);
}
