/* SPDX-License-Identifier: MIT */
/*
 * events.c - the job record, event lines and the factory log (events.h).
 */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobstop.h"
#include "sha256.h"

#define EV_MAX_FILES 64
#define EV_MAX_PHASES 16

struct ev_file {
	char name[256];
	uint64_t bytes;
	char sha[2 * SB_SHA256_LEN + 1];   /* "" until known */
	bool loaded;
};

struct ev_phase {
	char name[16];
	uint64_t first_ms, last_ms, done, total;
	bool open;                         /* events_phase_begin without end */
};

struct ev_record {
	bool active, result_done;
	struct cli *cli;
	const char *version, *command;
	char board[256];
	int log_fd, gang_fd;
	uint64_t t0;
	struct ev_file file[EV_MAX_FILES];
	size_t nfiles;
	struct ev_phase phase[EV_MAX_PHASES];
	size_t nphases;
	char chip[768];
	char *stash;                       /* the command's own result members */
	char extra[4096];                  /* events_result_add() */
	int fail_err;
	char fail_msg[700];
	char serial_text[96];
};

static struct ev_record ev = { .log_fd = -1, .gang_fd = -1 };

static uint64_t now_ms(void)
{
	return cli_now_ms();
}

/* UTC time as "2026-11-24T10:11:12.345Z". */
static void events_utc(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char s[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	/* tv_nsec < 1e9, so "% 1000" changes nothing: it shows -Wformat-truncation the width */
	snprintf(buf, len, "%s.%03ldZ", s, ts.tv_nsec / 1000000L % 1000);
}

bool events_active(void)
{
	return ev.active;
}

void events_set_board(const char *board)
{
	snprintf(ev.board, sizeof(ev.board), "%s", board ? board : "");
}

/* ---- writing lines ---- */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

static void output(struct cli *c, const char *event, const char *line, size_t len)
{
	if (c->json) {
		fflush(stdout);   /* in order with whatever went to stdout before */
		write_all(STDOUT_FILENO, line, len);
	}
	/* one write per line with O_APPEND: parallel jobs never interleave inside a line */
	if (ev.log_fd >= 0 && strcmp(event, "progress"))
		write_all(ev.log_fd, line, len);
}

void events_vemit(struct cli *c, const char *event, const char *fields, va_list ap)
{
	char *line = NULL, esc[600], ts[40];
	size_t len = 0;
	FILE *m;

	if (!c->json && ev.log_fd < 0)
		return;
	if (!(m = open_memstream(&line, &len)))
		return;
	fprintf(m, "{\"event\":\"%s\",\"program\":\"%s\"", event, c->prog);
	if (fields) {
		fputc(',', m);
		vfprintf(m, fields, ap);
	}
	if (ev.active && ev.board[0])
		fprintf(m, ",\"board\":\"%s\"", cli_json_str(esc, sizeof(esc), ev.board));
	events_utc(ts, sizeof(ts));
	fprintf(m, ",\"ts\":\"%s\"}\n", ts);
	if (fclose(m) == 0)
		output(c, event, line, len);
	free(line);
}

/* Emit an event whose members are already one string. */
static void emit(struct cli *c, const char *event, const char *members)
{
	cli_event(c, event, members ? "%s" : NULL, members);
}

void events_emit_now(const char *event, const char *members)
{
	if (ev.active && ev.cli)
		emit(ev.cli, event, members);
}

void events_result_add(const char *fmt, ...)
{
	size_t n = strlen(ev.extra);
	va_list ap;

	if (n + 2 >= sizeof(ev.extra))
		return;
	ev.extra[n++] = ',';
	va_start(ap, fmt);
	vsnprintf(ev.extra + n, sizeof(ev.extra) - n, fmt, ap);
	va_end(ap);
}

/* ---- files ---- */

/* "FILE@ADDR" names FILE (a raw binary at ADDR), as cli_load_image reads it. */
static void file_path(const char *spec, char *path, size_t len)
{
	const char *at = strrchr(spec, '@');
	uint32_t a;

	snprintf(path, len, "%s", spec);
	if (at && cli_parse_u32(at + 1, &a) && (size_t)(at - spec) < len)
		path[at - spec] = '\0';
}

static struct ev_file *file_named(const char *path)
{
	for (size_t i = 0; i < ev.nfiles; i++)
		if (!strcmp(ev.file[i].name, path))
			return &ev.file[i];
	if (ev.nfiles == EV_MAX_FILES)
		return NULL;
	snprintf(ev.file[ev.nfiles].name, sizeof(ev.file[0].name), "%s", path);
	return &ev.file[ev.nfiles++];
}

static void hash_file(const char *spec)
{
	char path[4096];
	struct ev_file *f;
	uint8_t *buf;
	size_t len;

	file_path(spec, path, sizeof(path));
	if (!(f = file_named(path)) || !strcmp(path, "-"))
		return;   /* stdin: hashed when read */
	if (cli_read_file(path, &buf, &len, NULL))
		return;   /* the loader reports it */
	f->bytes = len;
	sb_sha256_hex(buf, len, f->sha);
	free(buf);
}

int events_note_file(const char *path, const uint8_t *buf, size_t len, struct sb_diag *d)
{
	char sha[2 * SB_SHA256_LEN + 1];
	struct ev_file *f;

	if (!ev.active || !(f = file_named(path)))
		return SB_OK;
	sb_sha256_hex(buf, len, sha);
	if (f->sha[0] && strcmp(f->sha, sha))
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "%s changed while the job ran (SHA-256 %.12s... at the start, %.12s... now)",
				   path, f->sha, sha);
	snprintf(f->sha, sizeof(f->sha), "%s", sha);
	f->bytes = len;
	f->loaded = true;
	return SB_OK;
}

static void files_json(FILE *m)
{
	char esc[600];

	fputs("[", m);
	for (size_t i = 0; i < ev.nfiles; i++) {
		const struct ev_file *f = &ev.file[i];
		fprintf(m, "%s{\"name\":\"%s\",", i ? "," : "", cli_json_str(esc, sizeof(esc), f->name));
		if (f->sha[0])
			fprintf(m, "\"bytes\":%llu,\"sha256\":\"%s\"}", (unsigned long long)f->bytes, f->sha);
		else
			fputs("\"bytes\":null,\"sha256\":null}", m);
	}
	fputs("]", m);
}

/* ---- start ---- */

static int open_log(const char *log, struct sb_diag *d)
{
	if (!log)
		return SB_OK;
	ev.log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (ev.log_fd < 0)
		return sb_diag_set(d, SB_ERR_IO, "--log %s: %s", log, strerror(errno));
	return SB_OK;
}

static void emit_start(struct cli *c, const char *extra)
{
	char *members = NULL, esc[300], host[256] = "";
	size_t len = 0;
	FILE *m = open_memstream(&members, &len);

	if (!m)
		return;
	gethostname(host, sizeof(host) - 1);
	fprintf(m, "\"command\":\"%s\",\"version\":\"%s\",\"host\":\"%s\",\"process\":%ld,\"files\":",
		ev.command, ev.version, cli_json_str(esc, sizeof(esc), host), (long)getpid());
	files_json(m);
	if (extra)
		fprintf(m, ",%s", extra);
	if (fclose(m) == 0)
		emit(c, "start", members);
	free(members);
}

int events_begin(struct cli *c, const char *version, const char *command, char *const *files,
		 int nfiles, const char *log, const char *extra, struct sb_diag *d)
{
	int err = open_log(log, d);

	if (err)
		return err;
	ev.active = true;
	ev.cli = c;
	ev.version = version;
	ev.command = command;
	ev.t0 = now_ms();
	for (int i = 0; i < nfiles; i++)
		hash_file(files[i]);
	emit_start(c, extra);
	events_phase_begin("connect");
	return SB_OK;
}

/* ---- phases ---- */

static struct ev_phase *phase_named(const char *name)
{
	for (size_t i = 0; i < ev.nphases; i++)
		if (!strcmp(ev.phase[i].name, name))
			return &ev.phase[i];
	if (ev.nphases == EV_MAX_PHASES)
		return NULL;
	struct ev_phase *p = &ev.phase[ev.nphases++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->first_ms = p->last_ms = now_ms();
	return p;
}

void events_phase_begin(const char *phase)
{
	struct ev_phase *p;

	if (ev.active && (p = phase_named(phase)))
		p->open = true;
}

void events_phase_end(const char *phase)
{
	struct ev_phase *p;

	if (!ev.active)
		return;
	for (size_t i = 0; i < ev.nphases; i++) {
		p = &ev.phase[i];
		if (!strcmp(p->name, phase) && p->open) {
			p->last_ms = now_ms();
			p->open = false;
		}
	}
}

void events_note_progress(const char *phase, uint64_t done, uint64_t total)
{
	struct ev_phase *p;
	bool closed = jobstop_armed(NULL);

	jobstop_boundary();   /* progress is reported between blocks */
	/* once the gate is closed nothing moves: a phase's closing report
	 * ("all done") must not count what was refused */
	if (!ev.active || !phase || closed || !(p = phase_named(phase)))
		return;
	events_phase_end("connect");
	p->last_ms = now_ms();
	p->done = done;
	p->total = total;
}

static void phases_json(FILE *m)
{
	uint64_t now = now_ms();

	fputs("{", m);
	for (size_t i = 0; i < ev.nphases; i++) {
		const struct ev_phase *p = &ev.phase[i];
		fprintf(m, "%s\"%s\":%llu", i ? "," : "", p->name,
			(unsigned long long)((p->open ? now : p->last_ms) - p->first_ms));
	}
	fputs("}", m);
}

void events_chip(struct cli *c, const char *members)
{
	events_phase_end("connect");
	if (!ev.active)
		return;
	snprintf(ev.chip, sizeof(ev.chip), "%s", members);
	emit(c, "identity", members);
}

bool events_phase_progress(const char *name, uint64_t *done, uint64_t *total)
{
	for (size_t i = 0; i < ev.nphases; i++)
		if (!strcmp(ev.phase[i].name, name)) {
			*done = ev.phase[i].done;
			*total = ev.phase[i].total;
			return true;
		}
	return false;
}

/* ---- result ---- */

void events_note_fail(int err, const char *msg)
{
	ev.fail_err = err;
	snprintf(ev.fail_msg, sizeof(ev.fail_msg), "%s", msg);
}

/* Length of the JSON value at s (string, number, literal, array, object). */
static size_t value_len(const char *s)
{
	int depth = 0;
	bool str = false;
	size_t i = 0;

	for (; s[i]; i++) {
		char ch = s[i];
		if (str) {
			if (ch == '\\' && s[i + 1])
				i++;
			else if (ch == '"')
				str = false;
			if (!str && !depth)
				return i + 1;
			continue;
		}
		if (ch == '"')
			str = true;
		else if (ch == '[' || ch == '{')
			depth++;
		else if (ch == ']' || ch == '}')
			depth--;
		else if (ch == ',' && depth == 0)
			return i;
		if (depth == 0 && (ch == ']' || ch == '}'))
			return i + 1;
	}
	return i;
}

/* The command's members, without the ones the record sets itself. */
static void stash_json(FILE *m)
{
	const char *p = ev.stash;

	while (p && *p == '"') {
		const char *colon = strstr(p, "\":");
		if (!colon)
			return;
		size_t klen = (size_t)(colon + 2 - p), vlen = value_len(colon + 2);
		bool own = !strncmp(p, "\"ok\":", 5) || !strncmp(p, "\"command\":", 10) ||
			   !strncmp(p, "\"exit\":", 7);
		if (!own)
			fprintf(m, ",%.*s", (int)(klen + vlen), p);
		p = colon + 2 + vlen;
		if (*p == ',')
			p++;
	}
}

static void result_members(FILE *m, int rc)
{
	char esc[1400];

	fprintf(m, "\"ok\":%s,\"exit\":%d,\"command\":\"%s\"", rc ? "false" : "true", rc, ev.command);
	stash_json(m);
	fprintf(m, ",\"version\":\"%s\",\"total_ms\":%llu,\"phases_ms\":", ev.version,
		(unsigned long long)(now_ms() - ev.t0));
	phases_json(m);
	fputs(",\"files\":", m);
	files_json(m);
	if (ev.chip[0])
		fprintf(m, ",\"identity\":{%s}", ev.chip);
	fputs(ev.extra, m);
	if (rc)
		fprintf(m, ",\"error\":{\"code\":\"%s\",\"message\":\"%s\"}",
			ev.fail_err ? sb_errname(ev.fail_err) : rc == EXIT_USAGE ? "usage"
				: rc == EXIT_GANG ? "gang" : "unknown",
			cli_json_str(esc, sizeof(esc), ev.fail_msg));
}

/* One line for the gang parent: exit, ms, serial number, message. */
static void gang_summary(int rc)
{
	char line[1024];
	int n;

	if (ev.gang_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%d\t%llu\t%s\t%s\n", rc,
		     (unsigned long long)(now_ms() - ev.t0), ev.serial_text, rc ? ev.fail_msg : "");
	write_all(ev.gang_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	close(ev.gang_fd);
	ev.gang_fd = -1;
}

int events_end(struct cli *c, int rc)
{
	char *members = NULL;
	size_t len = 0;
	FILE *m;

	if (!ev.active || ev.result_done)
		return rc;
	ev.result_done = true;
	events_phase_end("connect");
	if ((m = open_memstream(&members, &len))) {
		result_members(m, rc);
		if (fclose(m) == 0)
			emit(c, "result", members);
		free(members);
	}
	gang_summary(rc);
	free(ev.stash);
	ev.stash = NULL;
	events_plan_forget();
	return rc;
}

/* cli_event() keeps the command's result members for events_end(). */
bool events_stash_result(const char *fields, va_list ap)
{
	char *s = NULL;

	if (!ev.active || ev.result_done)
		return false;
	if (vasprintf(&s, fields ? fields : "", ap) < 0)
		return true;
	free(ev.stash);
	ev.stash = s;
	return true;
}

/* ---- gang children ---- */


void events_child(struct cli *c, const char *board, int fd)
{
	ev.gang_fd = fd;
	ev.result_done = false;
	ev.nphases = 0;
	ev.chip[0] = ev.extra[0] = ev.fail_msg[0] = ev.serial_text[0] = '\0';
	ev.fail_err = 0;
	ev.t0 = now_ms();
	for (size_t i = 0; i < ev.nfiles; i++)
		ev.file[i].loaded = false;
	events_set_board(board);
	emit_start(c, NULL);
	events_phase_begin("connect");
}

void events_set_serial_text(const char *text)
{
	snprintf(ev.serial_text, sizeof(ev.serial_text), "%s", text);
}
