/* SPDX-License-Identifier: MIT */
/*
 * cli.c - messages, events, progress and file helpers of the programs.
 */
#include "cli.h"
#include "events.h"
#include "jobstop.h"
#include "lineopts.h"
#include "prod.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_exit_code(int err)
{
	switch (err) {
	case SB_OK: return EXIT_OK;
	case SB_ERR_NACK:
	case SB_ERR_FRAMING:
	case SB_ERR_UNSUPPORTED:
	case SB_ERR_STATE: return EXIT_PROTOCOL;
	case SB_ERR_TIMEOUT: return EXIT_TIMEOUT;
	case SB_ERR_PROTECTED: return EXIT_PROTECTED;
	case SB_ERR_VERIFY: return EXIT_VERIFY;
	case SB_ERR_BAD_INPUT: return EXIT_BAD_INPUT;
	case SB_ERR_IO: return EXIT_IO;
	case SB_ERR_NO_DEVICE: return EXIT_NO_DEVICE;
	case SB_ERR_EXPECT: return EXIT_EXPECT;
	case SB_ERR_INTERRUPTED: return jobstop_exit_code();
	default: return EXIT_INTERNAL;
	}
}

const char *cli_name(const struct cli *c)
{
	return c->name ? c->name : c->prog;
}

/* The prefix of messages: the name, or "name: BOARD" for one board of a gang. */
const char *cli_who(const struct cli *c)
{
	return c->label[0] ? c->label : cli_name(c);
}

static const char *level_word[] = { "error", "warning", "", "debug", "trace" };

static void log_cb(void *ctx, enum sb_log_level level, const char *msg)
{
	struct cli *c = ctx;
	size_t plen = strlen(c->prog);

	fflush(stdout);   /* whole lines, in order with stdout */
	cli_progress_done(c);
	/* the engine named itself already ("an3155: ..."): say the program once */
	if (!strncmp(msg, c->prog, plen) && !strncmp(msg + plen, ": ", 2))
		msg += plen + 2;
	if (level == SB_LOG_INFO)
		fprintf(stderr, "%s: %s\n", cli_who(c), msg);
	else
		fprintf(stderr, "%s: %s: %s\n", cli_who(c), level_word[level], msg);
}

void cli_init(struct cli *c, const char *prog)
{
	enum sb_log_level max = SB_LOG_WARN;

	c->prog = prog;
	if (c->verbosity >= 2)
		max = SB_LOG_INFO;
	if (c->verbosity >= 3)
		max = SB_LOG_DEBUG;
	if (c->trace)
		max = SB_LOG_TRACE;
	if (c->verbosity == 0 && !c->trace)
		max = SB_LOG_ERROR;
	c->log = (struct sb_log){ .fn = log_cb, .ctx = c, .max = max };
	c->bar = c->verbosity > 0 && !c->json && !c->gang_child && isatty(STDERR_FILENO);
	c->stdout_tty = isatty(STDOUT_FILENO);
	c->last_pct = -1;
}

static void vmsg(struct cli *c, const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);   /* keep messages in order with what went to stdout */
	cli_progress_done(c);
	fprintf(stderr, "%s: %s", cli_who(c), kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_info(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg(c, "", fmt, ap);
	va_end(ap);
}

void cli_warn(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, "warning: ", fmt, ap);
	va_end(ap);
}

const char *cli_json_str(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 7 < len; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(buf + n, len - n, "\\u%04x", ch);
		} else {
			buf[n++] = (char)ch;
		}
	}
	buf[n] = '\0';
	return buf;
}

void cli_event(struct cli *c, const char *event, const char *fields, ...)
{
	va_list ap;
	bool kept;

	if (!strcmp(event, "result")) {
		va_start(ap, fields);
		kept = events_stash_result(fields, ap);   /* one result event, at the end */
		va_end(ap);
		if (kept)
			return;
	}
	va_start(ap, fields);
	events_vemit(c, event, fields, ap);
	va_end(ap);
}

int cli_fail(struct cli *c, int err, const struct sb_diag *d, const char *what)
{
	char msg[700], esc[1400], done[400];
	const char *detail = d && d->msg[0] ? d->msg : sb_strerror(err);
	int code, sig = jobstop_signal();

	if (sig) {   /* whatever the engine made of the refused transfer: a stop on request */
		err = SB_ERR_INTERRUPTED;
		events_done_text(done, sizeof(done));
		snprintf(msg, sizeof(msg), "interrupted by %s at a block boundary: %s", jobstop_name(sig), done);
	} else {
		snprintf(msg, sizeof(msg), "%s%s%s", what ? what : "", what ? ": " : "", detail);
	}
	code = cli_exit_code(err);
	events_note_fail(err, msg);
	fflush(stdout);
	cli_progress_done(c);
	fprintf(stderr, "%s: error: %s\n", cli_who(c), msg);
	if (sig)
		cli_event(c, "error", "\"code\":\"%s\",\"exit\":%d,\"signal\":\"%s\",\"message\":\"%s\"",
			  sb_errname(err), code, jobstop_name(sig), cli_json_str(esc, sizeof(esc), msg));
	else if (d && d->has_addr)
		cli_event(c, "error", "\"code\":\"%s\",\"exit\":%d,\"address\":%lu,\"message\":\"%s\"",
			  sb_errname(err), code, d->addr, cli_json_str(esc, sizeof(esc), msg));
	else
		cli_event(c, "error", "\"code\":\"%s\",\"exit\":%d,\"message\":\"%s\"", sb_errname(err),
			  code, cli_json_str(esc, sizeof(esc), msg));
	return code;
}

int cli_usage(struct cli *c, const char *fmt, ...)
{
	char msg[700], esc[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	cli_progress_done(c);
	fprintf(stderr, "%s: %s\nTry '%s --help'.\n", cli_who(c), msg, cli_name(c));
	events_note_fail(0, msg);
	cli_event(c, "error", "\"code\":\"usage\",\"exit\":%d,\"message\":\"%s\"", EXIT_USAGE,
		  cli_json_str(esc, sizeof(esc), msg));
	return EXIT_USAGE;
}

int cli_fail_lines(struct cli *c, bool in_file, int err, const struct sb_diag *d, const char *what)
{
	const char *detail = d && d->msg[0] ? d->msg : sb_strerror(err);

	if (err != SB_ERR_BAD_INPUT || in_file)
		return cli_fail(c, err, d, what);
	return cli_usage(c, "%s%s%s", what ? what : "", what ? ": " : "", detail);
}

int cli_number(struct cli *c, const char *name, const char *arg, uint32_t *out)
{
	if (cli_parse_u32(arg, out))
		return 0;
	return cli_usage(c, "--%s: '%s' is not a number", name, arg);
}

void cli_job_help(const char *text)
{
	/* the line options sit before "General:" and the exit status */
	const char *general = strstr(text, "General:");

	fwrite(text, 1, (size_t)(general - text), stdout);
	fputs(sb_lineopts_help(), stdout);
	fputs("\n", stdout);
	fputs(prod_help(), stdout);
	fputs("\n", stdout);
	fputs(general, stdout);
	sb_exit_help(stdout);
	exit(EXIT_OK);
}

#ifndef STMBOOT_VERSION
#define STMBOOT_VERSION "0.1"
#endif

/* One getopt_long step: 0 done with an option, 1 no more options, else exit status. */
static int next_option(struct cli *c, int argc, char **argv, const struct cli_args *a)
{
	int opt = getopt_long(argc, argv, a->shortopts, a->longopts, NULL);

	if (opt == -1)
		return 1;
	if (opt == 'h')
		cli_job_help(a->help);
	if (opt == a->version_opt) {
		printf("%s (stmboot) %s\n", c->prog, STMBOOT_VERSION);
		exit(EXIT_OK);
	}
	if (opt == '?')
		return cli_bad_option(c, argv);
	return a->option(a->ctx, opt, optarg) ? EXIT_USAGE : 0;
}

int cli_job_args(struct cli *c, int argc, char **argv, struct cli_args *a)
{
	int r;

	while (!(r = next_option(c, argc, argv, a)))
		;
	if (r != 1)
		return r;
	if (optind >= argc)
		return cli_usage(c, "no command given");
	a->command = argv[optind++];
	/* options may also follow the command word */
	while (optind < argc) {
		if (!(r = next_option(c, argc, argv, a)))
			continue;
		if (r != 1)
			return r;
		if (a->nargs == a->max_args)
			return cli_usage(c, "too many arguments");
		a->args[a->nargs++] = argv[optind++];
	}
	return 0;
}

static const char *env_get(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

int cli_resolve_lines(struct cli *c, struct sb_lineopts *lo, const char **port, bool *wired,
		      const struct sb_seq *job[2], size_t *njob)
{
	struct sb_diag d = { 0 };
	size_t i;
	int err = sb_lineopts_resolve(lo, env_get, NULL, &d);

	*njob = 0;
	if (err)
		return cli_fail_lines(c, lo->in_file, err, &d, NULL);
	*port = sb_lineopts_port(lo);
	*wired = sb_lineopts_wired(lo);
	*njob = *wired ? sb_lineopts_job(lo, job) : 0;
	for (i = 0; i < *njob; i++)
		if ((err = sb_lineopts_check(lo, job[i], &d)))
			return cli_fail_lines(c, lo->in_file, err, &d, NULL);
	return 0;
}

void cli_blame_wiring(const struct sb_lineopts *lo, int keep, const char *watch, struct sb_diag *d)
{
	char boot0[64], nrst[64], msg[sizeof(d->msg)];

	sb_linespec_where(&lo->boot0, boot0, sizeof(boot0));
	sb_linespec_where(&lo->nrst, nrst, sizeof(nrst));
	snprintf(msg, sizeof(msg),
		 "%.*s; the entry sequence drove BOOT0 on %s and NRST on %s: if these two are swapped or inverted (inv) the part never starts its ROM loader - try 'bootctl enter' with the same options and watch %s",
		 keep, d->msg, lo->boot0.kind ? boot0 : "(not wired)", lo->nrst.kind ? nrst : "(not wired)", watch);
	memcpy(d->msg, msg, sizeof(msg));
}

int cli_bad_option(struct cli *c, char **argv)
{
	/* getopt_long's own message is off (opterr = 0): one line, then the hint */
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (optopt > ' ' && optopt < 127 && strncmp(arg, "--", 2))
		return cli_usage(c, "unknown option or missing argument: -%c", optopt);
	return cli_usage(c, "unknown option or missing argument: %s", arg);
}

void cli_prescan(struct cli *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			c->json = true;
	opterr = 0;
}

uint64_t cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void cli_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* "12.3 KB/s" (bytes) or "3.5 pages/s" (erase counts pages). */
static void fmt_rate(char *buf, size_t n, const char *phase, double per_s)
{
	if (!strcmp(phase, "erase"))
		snprintf(buf, n, "%.1f pages/s", per_s);
	else if (per_s >= 1024.0 * 1024.0)
		snprintf(buf, n, "%.1f MB/s", per_s / (1024.0 * 1024.0));
	else
		snprintf(buf, n, "%.1f KB/s", per_s / 1024.0);
}

/* One frame: phase, bar, percent, count, rate and time left, then clear to the end. */
static void draw_bar(struct cli *c, int pct, uint64_t done, uint64_t total, uint64_t now)
{
	uint64_t ms = now - c->phase_t0;
	double per_s = ms ? (double)done * 1000.0 / (double)ms : 0.0;
	char rate[32] = "", left[32] = "";
	int w = pct * 24 / 100;

	if (done && ms >= 200) {
		fmt_rate(rate, sizeof(rate), c->phase, per_s);
		unsigned s = (unsigned)((double)(total - done) / per_s + 0.5);
		snprintf(left, sizeof(left), done < total ? "%u:%02u left" : "%u:%02u", s / 60, s % 60);
		if (done == total)
			snprintf(left, sizeof(left), "%u.%u s", (unsigned)(ms / 1000), (unsigned)(ms % 1000 / 100));
	}
	/* what this program wrote to stdout goes first, whole lines (a pipe to tee, say) */
	fflush(stdout);
	fprintf(stderr, "\r%-6s [%.*s%*s] %3d%% %llu/%llu  %s  %s\033[K", c->phase, w,
		"########################", 24 - w, "", pct, (unsigned long long)done,
		(unsigned long long)total, rate, left);
	fflush(stderr);
	c->bar_drawn = true;
}

void cli_progress(struct cli *c, const char *phase, uint64_t done, uint64_t total)
{
	int pct = total ? (int)(done * 100 / total) : 100;
	uint64_t now = cli_now_ms();

	events_note_progress(phase, done, total);
	if (c->phase != phase) {
		c->last_pct = -1;
		c->phase_t0 = now;
	}
	c->phase = phase;
	if (pct == c->last_pct || (done < total && now - c->last_ms < 100 && c->last_pct >= 0))
		return;
	c->last_pct = pct;
	c->last_ms = now;
	cli_event(c, "progress", "\"phase\":\"%s\",\"done\":%llu,\"total\":%llu", phase,
		  (unsigned long long)done, (unsigned long long)total);
	/*
	 * When stdout is not this terminal but may end on it (| tee, | cat), the
	 * reader may still be writing our plan lines: the bar waits a moment
	 * into the phase before its first frame, so that they do not land in it.
	 */
	if (c->bar && (c->bar_drawn || c->stdout_tty || now - c->phase_t0 >= 500))
		draw_bar(c, pct, done, total, now);
}

void cli_progress_done(struct cli *c)
{
	if (c->bar && c->bar_drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	c->bar_drawn = false;
	c->last_pct = -1;
	c->phase = NULL;
}

void cli_phase_begin(struct cli *c, struct cli_phase *p, const char *name, uint64_t total)
{
	p->name = name;
	p->base = 0;
	p->total = total;
	cli_progress(c, name, 0, total);
}

void cli_phase_report(struct cli *c, const struct cli_phase *p, uint64_t done)
{
	if (p->name)
		cli_progress(c, p->name, p->base + done, p->total);
}

void cli_phase_end(struct cli *c, struct cli_phase *p)
{
	if (!p->name)
		return;
	cli_progress(c, p->name, p->total, p->total);
	cli_progress_done(c);
	p->name = NULL;
}

int cli_read_file(const char *path, uint8_t **buf, size_t *len, struct sb_diag *d)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 1 << 16, n = 0;
	uint8_t *b;

	if (!f)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: %s", path, strerror(errno));
	b = malloc(cap);
	while (b) {
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *nb = realloc(b, cap *= 2);
		if (!nb)
			free(b);
		b = nb;
	}
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (!b)
		return sb_diag_set(d, SB_ERR_NOMEM, "%s: out of memory", path);
	if (bad) {
		free(b);
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: read error", path);
	}
	*buf = b;
	*len = n;
	return SB_OK;
}

int cli_write_file(const char *path, const uint8_t *buf, size_t len, struct sb_diag *d)
{
	char tmp[4096];
	int fd;

	if (!strcmp(path, "-"))
		return fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0
			       ? SB_OK : sb_diag_set(d, SB_ERR_IO, "stdout: write failed");
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return sb_diag_set(d, SB_ERR_IO, "%s: %s", path, strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return sb_diag_set(d, SB_ERR_IO, "%s: %s", path, strerror(e));
		}
		off += (size_t)w;
	}
	fchmod(fd, 0644);
	if (close(fd) || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return sb_diag_set(d, SB_ERR_IO, "%s: %s", path, strerror(e));
	}
	return SB_OK;
}

int cli_load_image(const char *spec, enum sb_format fmt, uint32_t default_base,
		   struct sb_image *img, struct sb_diag *d)
{
	char path[4096];
	const char *at = strrchr(spec, '@');
	uint32_t base = default_base;
	uint8_t *buf;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s", spec);
	if (at && cli_parse_u32(at + 1, &base)) {
		path[at - spec] = '\0';
		if (fmt == SB_FMT_AUTO)
			fmt = SB_FMT_BIN;
	}
	err = cli_read_file(path, &buf, &len, d);
	if (err)
		return err;
	err = events_note_file(path, buf, len, d);
	if (!err)
		err = sb_image_load(img, fmt, buf, len, path, base, d);
	free(buf);
	return err;
}

bool cli_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end == 'K' || *end == 'k') {
		v *= 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v *= 1024 * 1024;
		end++;
	}
	if (*end || v > 0xFFFFFFFFull)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_parse_range(const char *s, uint32_t *addr, uint32_t *len)
{
	char a[64];
	const char *sep = strstr(s, "..");
	size_t alen;
	uint32_t second;

	if (!sep)
		sep = strchr(s, ':');
	if (!sep || (alen = (size_t)(sep - s)) >= sizeof(a))
		return false;
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (!cli_parse_u32(a, addr) || !cli_parse_u32(sep + (*sep == ':' ? 1 : 2), &second))
		return false;
	if (*sep == ':') {
		*len = second;
		return (uint64_t)*addr + second <= 0x100000000ull;
	}
	if (second <= *addr)
		return false;
	*len = second - *addr;
	return true;
}
