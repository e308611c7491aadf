/* SPDX-License-Identifier: MIT */
/*
 * gang.c - one child process per board, the summary table (gang.h).
 */
#include "gang.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events.h"
#include "job.h"
#include "jobstop.h"
#include "prod.h"

struct board {
	const char *name;
	pid_t pid;
	int fd;                 /* read end of the summary pipe */
	uint64_t t0;
	bool running;
	int exit;
	unsigned long long ms;
	char serial[96];
	char msg[700];
};

/* In the child: the board's job with a fresh record, then exit. */
static void child(struct cli *c, struct board *b, int wfd, gang_job_fn job, void *ctx)
{
	int rc;

	jobstop_reset();
	c->gang_child = true;
	c->bar = false;
	snprintf(c->label, sizeof(c->label), "%s: %s", cli_name(c), b->name);
	events_child(c, b->name, wfd);
	rc = events_end(c, job(ctx, b->name));
	fflush(stdout);
	fflush(stderr);
	_exit(rc);
}

static int start(struct cli *c, struct board *all, size_t i, gang_job_fn job, void *ctx)
{
	struct board *b = &all[i];
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	b->t0 = cli_now_ms();
	b->pid = fork();
	if (b->pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (b->pid == 0) {
		for (size_t k = 0; k < i; k++)
			close(all[k].fd);   /* the other boards' summaries are not ours */
		close(p[0]);
		child(c, b, p[1], job, ctx);
	}
	close(p[1]);
	b->fd = p[0];
	b->running = true;
	return 0;
}

/* Field k (0-based) of a tab-separated line, into buf. */
static void field(const char *line, int k, char *buf, size_t len)
{
	const char *p = line;

	for (; k > 0 && p; k--)
		if ((p = strchr(p, '\t')))
			p++;
	snprintf(buf, len, "%.*s", p ? (int)strcspn(p, "\t\n") : 0, p ? p : "");
}

/* "exit \t ms \t serial \t message" from the child, or what its status says. */
static void collect(struct board *b, int status)
{
	char line[1200] = "", num[32];
	ssize_t got = 0, r;

	while ((r = read(b->fd, line + got, sizeof(line) - 1 - (size_t)got)) > 0 ||
	       (r < 0 && errno == EINTR))
		got += r > 0 ? r : 0;
	line[got > 0 ? got : 0] = '\0';
	close(b->fd);
	b->running = false;
	b->ms = (unsigned long long)(cli_now_ms() - b->t0);
	b->exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!got) {
		snprintf(b->msg, sizeof(b->msg), WIFSIGNALED(status) ? "the job died of signal %d"
				 : "the job ended without a summary (status %d)",
			 WIFSIGNALED(status) ? WTERMSIG(status) : b->exit);
		return;
	}
	field(line, 1, num, sizeof(num));
	b->ms = strtoull(num, NULL, 10);
	field(line, 2, b->serial, sizeof(b->serial));
	field(line, 3, b->msg, sizeof(b->msg));
}

static void wait_all(struct board *b, size_t n)
{
	size_t running = 0;
	bool passed_on = false;

	for (size_t i = 0; i < n; i++)
		running += b[i].running;
	while (running) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR) {
			/* a signal for the parent alone (kill PID): the children stop too;
			 * one they already had from the terminal changes nothing */
			for (size_t i = 0; !passed_on && i < n; i++)
				if (b[i].running && jobstop_signal())
					kill(b[i].pid, jobstop_signal());
			passed_on = passed_on || jobstop_signal();
			continue;
		}
		if (pid < 0)
			return;
		for (size_t i = 0; i < n; i++)
			if (b[i].running && b[i].pid == pid) {
				collect(&b[i], status);
				running--;
			}
	}
}

static void table(struct cli *c, const struct board *b, size_t n, size_t failed)
{
	if (c->json || c->verbosity < 1)
		return;
	printf("%-24s %-7s %4s %8s  %-14s %s\n", "board", "result", "exit", "seconds", "serial", "message");
	for (size_t i = 0; i < n; i++)
		printf("%-24s %-7s %4d %8.1f  %-14s %s\n", b[i].name, b[i].exit ? "FAILED" : "ok", b[i].exit,
		       (double)b[i].ms / 1000.0, b[i].serial[0] ? b[i].serial : "-", b[i].msg);
	printf("%zu board(s): %zu ok, %zu failed\n", n, n - failed, failed);
	fflush(stdout);
}

static void result_members(const struct board *b, size_t n)
{
	char *list = NULL, e1[600], e2[1400], e3[200];
	size_t len = 0;
	FILE *m = open_memstream(&list, &len);

	if (!m)
		return;
	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s{\"board\":\"%s\",\"ok\":%s,\"exit\":%d,\"ms\":%llu,\"serial\":\"%s\",\"message\":\"%s\"}",
			i ? "," : "", cli_json_str(e1, sizeof(e1), b[i].name), b[i].exit ? "false" : "true",
			b[i].exit, b[i].ms, cli_json_str(e3, sizeof(e3), b[i].serial),
			cli_json_str(e2, sizeof(e2), b[i].msg));
	if (fclose(m) == 0)
		events_result_add("\"boards\":[%s]", list);
	free(list);
}

int gang_run(struct cli *c, char *const *boards, size_t n, gang_job_fn job, void *ctx)
{
	struct board *b = calloc(n, sizeof(*b));
	size_t failed = 0;
	char msg[160];
	int rc;

	if (!b)
		return cli_fail(c, SB_ERR_NOMEM, NULL, "gang");
	for (size_t i = 0; i < n; i++) {
		b[i].name = boards[i];
		b[i].fd = -1;
		if (start(c, b, i, job, ctx) < 0) {
			b[i].exit = EXIT_IO;
			snprintf(b[i].msg, sizeof(b[i].msg), "cannot start its job: %s", strerror(errno));
		}
	}
	wait_all(b, n);
	for (size_t i = 0; i < n; i++)
		failed += b[i].exit != 0;
	table(c, b, n, failed);
	result_members(b, n);
	rc = jobstop_signal() ? jobstop_exit_code() : failed ? EXIT_GANG : EXIT_OK;
	if (failed) {
		snprintf(msg, sizeof(msg), "%zu of %zu boards failed", failed, n);
		events_note_fail(jobstop_signal() ? SB_ERR_INTERRUPTED : 0, msg);
		if (!c->json)
			fprintf(stderr, "%s: error: %s\n", cli_who(c), msg);
	}
	free(b);
	return rc;
}

int gang_run_checked(struct cli *c, struct prod_opts *po, const char *command, const struct job_files *f,
		     char *const *boards, size_t n, gang_job_fn job, void *ctx)
{
	struct sb_image img;
	struct sb_diag d = { 0 };
	bool files = !strcmp(command, "write") || !strcmp(command, "verify");
	int err = SB_OK;

	po->no_data = true;
	if (files)
		err = job_load(f, &img, &d);
	po->no_data = false;
	if (err)
		return cli_fail(c, err, &d, NULL);
	if (files)
		sb_image_free(&img);
	return gang_run(c, boards, n, job, ctx);
}

int gang_add(struct cli *c, char **boards, size_t *n, const char *board, const char *noun)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(boards[i], board))
			return 0;
	if (*n == GANG_MAX_BOARDS)
		return cli_usage(c, "gang: at most %d %s", GANG_MAX_BOARDS, noun);
	if (!(boards[(*n)++] = strdup(board)))
		return cli_fail(c, SB_ERR_NOMEM, NULL, "gang");
	return 0;
}

void gang_start_members(char *const *boards, size_t n, char *buf, size_t len)
{
	char esc[600];
	size_t k = (size_t)snprintf(buf, len, "\"gang\":true,\"boards\":[");

	for (size_t i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s\"%s\"", i ? "," : "",
				      cli_json_str(esc, sizeof(esc), boards[i]));
	if (k < len)
		snprintf(buf + k, len - k, "]");
}

int gang_command(struct cli *c, const char *command, const char *const *cmds)
{
	char list[200] = "";
	size_t k = 0;

	for (size_t i = 0; cmds[i]; i++) {
		if (!strcmp(command, cmds[i]))
			return 0;
		k += (size_t)snprintf(list + k, sizeof(list) - k, "%s%s", i ? ", " : "", cmds[i]);
	}
	return cli_usage(c, "gang: several boards run %s, not %s", list, command);
}
