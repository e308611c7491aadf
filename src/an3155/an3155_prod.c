/* SPDX-License-Identifier: MIT */
/*
 * an3155_prod.c - the production-line hooks of an3155: the chip's identity
 * for the events, the smoke check after the application starts, gang
 * programming over several ports.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "an3155_tool.h"
#include "events.h"
#include "job.h"
#include "optbytes.h"

void a3_prod_chip(struct a3_session *s)
{
	const struct an3155_info *i = an3155_info(s->bl);
	const struct sb_part *p = i->has_pid ? sb_part_by_pid(i->pid) : NULL;
	char members[600], pid[16] = "null";

	if (i->has_pid)
		snprintf(pid, sizeof(pid), "%u", i->pid);
	/* The UID (0x1FFF7590, protocol-facts E.1) lies outside the areas the ROM
	 * documents as readable (A.5, Read Memory row): it is not asked for. */
	snprintf(members, sizeof(members),
		 "\"pid\":%s,\"part\":\"%s\",\"bootloader\":\"%u.%u\",\"uid\":null,"
		 "\"uid_note\":\"not readable: the AN3155 ROM does not document reads of 0x1FFF7590\"",
		 pid, p ? p->name : "", i->version >> 4, i->version & 0xF);
	events_chip(&s->c->cli, members);
}

/* Did this job start the application: Go, or the exit sequence after success? */
static bool app_started(const struct a3_session *s)
{
	const struct a3_config *c = s->c;

	if (c->job.dry_run)
		return false;
	if (!strcmp(c->command, "go"))
		return true;
	return !strcmp(c->command, "write") && (c->go || (c->lines && c->lo.has_exit));
}

int a3_prod_expect(struct a3_session *s, int err)
{
	struct a3_config *c = s->c;
	const struct sb_link *link = prod_expect_held();

	if (err || !c->prod.expect || !app_started(s))
		return err;
	if (!link && !s->link_open)
		return SB_OK;
	/* the application's output comes on the same port (or --expect-port), 8N1 */
	return prod_expect(&c->cli, link ? link : &s->link, c->prod.expect_port ? c->prod.expect_port : c->port,
			   c->prod.expect_baud ? c->prod.expect_baud : c->baud, &s->d);
}

/* ---- gang ------------------------------------------------------------------ */

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int add_spec(struct a3_config *c, char **boards, size_t *n, const char *spec)
{
	glob_t g;
	size_t before = *n;
	int rc = 0;

	if (!has_glob(spec))
		return gang_add(&c->cli, boards, n, spec, "boards");
	if (glob(spec, 0, NULL, &g)) {
		struct sb_diag d;
		sb_diag_set(&d, SB_ERR_NO_DEVICE, "no port matches %s", spec);
		return cli_fail(&c->cli, SB_ERR_NO_DEVICE, &d, "gang");
	}
	for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
		struct stat st;
		/* a glob names ports: other files that match it are not boards */
		if (stat(g.gl_pathv[i], &st) == 0 && S_ISCHR(st.st_mode))
			rc = gang_add(&c->cli, boards, n, g.gl_pathv[i], "boards");
	}
	globfree(&g);
	if (!rc && *n == before) {
		struct sb_diag d;
		sb_diag_set(&d, SB_ERR_NO_DEVICE, "no serial port matches %s", spec);
		return cli_fail(&c->cli, SB_ERR_NO_DEVICE, &d, "gang");
	}
	return rc;
}

/* The jig's "ports": paths or globs separated by blanks or commas. */
static int add_jig_ports(struct a3_config *c, char **boards, size_t *n, const char *list)
{
	char buf[SB_LO_VAL], *save = NULL;
	int rc = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, " \t,", &save); t && !rc; t = strtok_r(NULL, " \t,", &save))
		rc = add_spec(c, boards, n, t);
	return rc;
}

static int gang_usable(struct a3_config *c)
{
	static const char *const cmds[] = { "write", "verify", "erase", "go", NULL };
	int rc = gang_command(&c->cli, c->command, cmds);

	if (rc)
		return rc;
	if (c->lo.boot0.kind == SB_SPEC_GPIO || c->lo.nrst.kind == SB_SPEC_GPIO)
		return cli_usage(&c->cli, "gang: GPIO boot lines would be shared by every board; wire each board's BOOT0/NRST to its adapter's RTS/DTR, or run one job per board");
	return 0;
}

int a3_gang_boards(struct a3_config *c, char **boards, size_t *n)
{
	const char *jig = sb_lineopts_extra(&c->lo, "ports");
	int rc = 0;

	*n = 0;
	if (c->nport_args > 1 || (c->nport_args == 1 && has_glob(c->port_args[0]))) {
		for (size_t i = 0; i < c->nport_args && !rc; i++)
			rc = add_spec(c, boards, n, c->port_args[i]);
	} else if (!c->nport_args && jig) {
		rc = add_jig_ports(c, boards, n, jig);
	} else {
		return 0;
	}
	return rc ? rc : gang_usable(c);
}

static int gang_job(void *ctx, const char *board)
{
	struct a3_config *c = ctx;

	c->port = board;
	return a3_run(c);
}

int a3_gang(struct a3_config *c, char **boards, size_t n)
{
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);

	return gang_run_checked(&c->cli, &c->prod, c->command, &f, boards, n, gang_job, c);
}

/* ---- option-bytes --set ---------------------------------------------------- */

int a3_ob_set(struct a3_session *s, uint32_t bank1)
{
	uint8_t b[4];
	int err;

	/* the field table is the L4+ OPTR (protocol-facts E.4): 40-byte banks */
	if (!s->part || s->part->opt_end - s->part->opt_start != OB_L4_LEN)
		return sb_diag_set(&s->d, SB_ERR_UNSUPPORTED, "--set knows the STM32L4+ option bytes only; use --write");
	if ((err = an3155_read(s->bl, bank1, b, sizeof(b), &s->d)))
		return err;
	return ob_set_to_write(&s->c->cli, s->c->job.ob_set, ob_le32(b), s->c->job.force, &s->c->job.ob_write, &s->d);
}
