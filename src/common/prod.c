/* SPDX-License-Identifier: MIT */
/*
 * prod.c - production-line options, per-board data and the smoke check (prod.h).
 */
#include "prod.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "events.h"
#include "gang.h"
#include "job.h"
#include "jobstop.h"
#include "serial.h"
#include "serialno.h"

static struct prod_opts *active;
static struct sb_link held;   /* --expect-port, open for the whole job */
static bool held_open;

void prod_init(struct prod_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->expect_timeout_s = 10;
	sb_sn_parse("u32", &po->sn, NULL);
}

static int num(const char *name, const char *arg, uint32_t *v, struct sb_diag *d)
{
	if (cli_parse_u32(arg, v))
		return 1;
	return sb_diag_set(d, SB_ERR_BAD_INPUT, "--%s: '%s' is not a number", name, arg);
}

int prod_getopt(struct prod_opts *po, int opt, const char *arg, struct sb_diag *d)
{
	uint32_t v;

	switch (opt - PROD_OPT(0)) {
	case PROD_LOG: po->log = arg; return 1;
	case PROD_PATCH:
		if (po->npatch == PROD_MAX_PATCH)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "--patch: at most %d", PROD_MAX_PATCH);
		if (sb_patch_parse(arg, &po->patch[po->npatch], d))
			return SB_ERR_BAD_INPUT;
		po->npatch++;
		return 1;
	case PROD_SN_COUNTER: po->sn_counter = arg; return 1;
	case PROD_SN_ADDR:
		po->has_sn_addr = true;
		return num("sn-addr", arg, &po->sn_addr, d);
	case PROD_SN_FORMAT: return sb_sn_parse(arg, &po->sn, d) ? SB_ERR_BAD_INPUT : 1;
	case PROD_EXPECT: po->expect = arg; return 1;
	case PROD_EXPECT_TIMEOUT:
		if (num("expect-timeout", arg, &v, d) < 0)
			return SB_ERR_BAD_INPUT;
		if (v == 0 || v > 3600)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "--expect-timeout: give 1 to 3600 seconds");
		po->expect_timeout_s = v;
		return 1;
	case PROD_EXPECT_BAUD:
		if (num("expect-baud", arg, &v, d) < 0)
			return SB_ERR_BAD_INPUT;
		if (v < 50 || v > 20000000)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "--expect-baud: '%s' is not a baud rate", arg);
		po->expect_baud = v;
		return 1;
	case PROD_EXPECT_PORT: po->expect_port = arg; return 1;
	default: return 0;
	}
}

const char *prod_help(void)
{
	return "Production line:\n"
	       "      --log FILE           append the --json events to FILE (also without --json)\n"
	       "      --patch ADDR=BYTES   write: put BYTES at ADDR into the image (hex bytes,\n"
	       "                           u16/u32/u64:N, be16/be32/be64:N, str:TEXT)\n"
	       "      --sn-counter FILE    write: take the next serial number from FILE (locked)\n"
	       "      --sn-addr ADDR       ... and put it at ADDR\n"
	       "      --sn-format FMT      u16, u32 (default), u64, be16, be32, be64, or a text\n"
	       "                           such as SN-%06u (written with a NUL)\n"
	       "      --expect REGEX       after the application starts, read its port until\n"
	       "                           REGEX matches (smoke check)\n"
	       "      --expect-timeout S   give up after S seconds (default 10)\n"
	       "      --expect-baud RATE   the application's baud rate, 8N1\n"
	       "      --expect-port PORT   the port the application prints on\n";
}

static bool listed(const char *command, const char *const *cmds)
{
	for (; cmds && *cmds; cmds++)
		if (!strcmp(command, *cmds))
			return true;
	return false;
}

int prod_validate(struct prod_opts *po, const char *command, const char *const *expect_cmds,
		  struct sb_diag *d)
{
	regex_t re;
	int rc;

	po->command = command;
	if ((po->npatch || po->sn_counter || po->has_sn_addr) && strcmp(command, "write"))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--patch and the serial-number options go with write");
	if (!po->sn_counter != !po->has_sn_addr)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--sn-counter FILE and --sn-addr ADDR go together");
	if ((po->expect_port || po->expect_baud) && !po->expect)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--expect-port and --expect-baud go with --expect REGEX");
	if (!po->expect)
		return SB_OK;
	if (!listed(command, expect_cmds))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--expect is a check after the application starts: not with %s",
				   command);
	if ((rc = regcomp(&re, po->expect, REG_EXTENDED | REG_NEWLINE | REG_NOSUB))) {
		char why[200];
		regerror(rc, &re, why, sizeof(why));
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--expect '%s': %s", po->expect, why);
	}
	regfree(&re);
	return SB_OK;
}

void prod_activate(struct prod_opts *po)
{
	active = po;
}

/* ---- per-board data ---- */

static void patches_result(const struct prod_opts *po)
{
	char list[PROD_MAX_PATCH * (2 * SB_PATCH_MAX + 40)];
	size_t n = 0;

	if (!po->npatch)
		return;
	for (size_t i = 0; i < po->npatch; i++) {
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s{\"address\":%u,\"bytes\":\"", i ? "," : "",
				      po->patch[i].addr);
		for (size_t k = 0; k < po->patch[i].len; k++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%02x", po->patch[i].data[k]);
		n += (size_t)snprintf(list + n, sizeof(list) - n, "\"}");
	}
	events_result_add("\"patches\":[%s]", list);
}

static int take_serial(struct prod_opts *po, struct sb_image *img, struct sb_diag *d)
{
	uint8_t bytes[SB_PATCH_MAX];
	char text[80], esc[200], ctr[600], members[1000];
	uint64_t v;
	size_t len;
	int err = serialno_take(po->sn_counter, po->dry_run, &v, d);

	if (!err)
		err = sb_sn_render(&po->sn, v, bytes, &len, text, sizeof(text), d);
	if (!err)
		err = sb_image_patch(img, po->sn_addr, bytes, len, d);
	if (err)
		return err;
	events_set_serial_text(text);
	snprintf(members, sizeof(members),
		 "\"value\":%llu,\"text\":\"%s\",\"address\":%u,\"bytes\":%zu,\"counter\":\"%s\",\"taken\":%s",
		 (unsigned long long)v, cli_json_str(esc, sizeof(esc), text), po->sn_addr, len,
		 cli_json_str(ctr, sizeof(ctr), po->sn_counter), po->dry_run ? "false" : "true");
	events_emit_now("serial-number", members);   /* on record at once, whatever happens next */
	events_result_add("\"serial_number\":{%s}", members);
	return SB_OK;
}

int prod_apply(struct sb_image *img, struct sb_diag *d)
{
	struct prod_opts *po = active;
	int err;

	if (!po || po->no_data || !po->command || strcmp(po->command, "write"))
		return SB_OK;
	for (size_t i = 0; i < po->npatch; i++)
		if ((err = sb_image_patch(img, po->patch[i].addr, po->patch[i].data, po->patch[i].len, d)))
			return err;
	patches_result(po);
	return po->sn_counter ? take_serial(po, img, d) : SB_OK;
}

static int range_ok(const struct sb_geom *g, uint32_t addr, size_t len, const char *what,
		    struct sb_diag *d)
{
	if (job_region_allowed(addr, len) ||
	    ((uint64_t)addr >= g->base && (uint64_t)addr + len <= (uint64_t)g->base + g->size))
		return SB_OK;
	return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr, "%s: 0x%08X-0x%08llX is outside flash 0x%08X-0x%08llX",
			    what, addr, (unsigned long long)addr + len - 1, g->base,
			    (unsigned long long)g->base + g->size - 1);
}

int prod_check_geom(const struct sb_geom *g, struct sb_diag *d)
{
	struct prod_opts *po = active;
	char what[64];
	int err;

	if (!po || !po->command || strcmp(po->command, "write"))
		return SB_OK;
	for (size_t i = 0; i < po->npatch; i++) {
		snprintf(what, sizeof(what), "--patch 0x%08X", po->patch[i].addr);
		if ((err = range_ok(g, po->patch[i].addr, po->patch[i].len, what, d)))
			return err;
	}
	if (po->sn_counter)
		return range_ok(g, po->sn_addr, po->sn.kind == SB_SN_BIN ? po->sn.size : 1, "--sn-addr", d);
	return SB_OK;
}

/* ---- the smoke check ---- */

/* JSON text of the captured bytes: every byte outside printable ASCII escaped. */
static void json_bytes(const char *in, size_t n, char *out, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 8 < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch == '"' || ch == '\\')
			k += (size_t)snprintf(out + k, len - k, "\\%c", ch);
		else if (ch < 0x20 || ch > 0x7E)
			k += (size_t)snprintf(out + k, len - k, "\\u%04x", ch);
		else
			out[k++] = (char)ch;
	}
	out[k] = '\0';
}

struct capture {
	char text[PROD_EXPECT_TEXT + 1];
	size_t n;
};

/* Append what arrived, keeping the newest PROD_EXPECT_TEXT bytes; NULs
 * become '.' so that the regex sees one string. */
static void capture_add(struct capture *cap, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cap->n == PROD_EXPECT_TEXT) {
			memmove(cap->text, cap->text + 1, PROD_EXPECT_TEXT - 1);
			cap->n--;
		}
		cap->text[cap->n++] = buf[i] ? (char)buf[i] : '.';
	}
	cap->text[cap->n] = '\0';
}

static int read_until(const struct sb_link *link, regex_t *re, unsigned timeout_ms,
		      struct capture *cap, bool *matched)
{
	uint64_t deadline = cli_now_ms() + timeout_ms;
	uint8_t buf[256];

	*matched = false;
	while (!*matched && cli_now_ms() < deadline && !jobstop_signal()) {
		uint64_t left = deadline - cli_now_ms();
		int r = link->ops->read(link->h, buf, sizeof(buf), left < 100 ? (unsigned)left : 100);
		if (r < 0)
			return r;
		capture_add(cap, buf, (size_t)r);
		*matched = r > 0 && regexec(re, cap->text, 0, NULL, 0) == 0;
	}
	return jobstop_signal() ? SB_ERR_INTERRUPTED : SB_OK;
}

static void expect_report(struct cli *c, const struct prod_opts *po, const char *port, unsigned baud,
			  bool ok, uint64_t ms, const struct capture *cap)
{
	char text[6 * PROD_EXPECT_TEXT + 1], pat[600], p[600];

	json_bytes(cap->text, cap->n, text, sizeof(text));
	cli_json_str(pat, sizeof(pat), po->expect);
	cli_json_str(p, sizeof(p), port);
	cli_event(c, "expect", "\"ok\":%s,\"pattern\":\"%s\",\"port\":\"%s\",\"baud\":%u,\"timeout_ms\":%u,\"ms\":%llu,\"text\":\"%s\"",
		  ok ? "true" : "false", pat, p, baud, po->expect_timeout_s * 1000u, (unsigned long long)ms, text);
	events_result_add("\"expect\":{\"ok\":%s,\"pattern\":\"%s\",\"ms\":%llu,\"text\":\"%s\"}",
			  ok ? "true" : "false", pat, (unsigned long long)ms, text);
}

int prod_expect(struct cli *c, const struct sb_link *link, const char *port, unsigned baud,
		struct sb_diag *d)
{
	struct prod_opts *po = active;
	struct capture cap = { .n = 0 };
	uint64_t t0 = cli_now_ms();
	regex_t re;
	bool matched;
	int err;

	if (!po || !po->expect)
		return SB_OK;
	if (baud && (err = serial_set_frame(link, baud, 'N', d)))
		return err;
	if (regcomp(&re, po->expect, REG_EXTENDED | REG_NEWLINE | REG_NOSUB))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--expect: bad regex");
	events_phase_begin("expect");
	cap.text[0] = '\0';
	err = read_until(link, &re, po->expect_timeout_s * 1000u, &cap, &matched);
	events_phase_end("expect");
	regfree(&re);
	if (err)
		return err;
	expect_report(c, po, port, baud, matched, cli_now_ms() - t0, &cap);
	if (!matched) {
		char shown[300];
		json_bytes(cap.text, cap.n < 120 ? cap.n : 120, shown, sizeof(shown));
		return sb_diag_set(d, SB_ERR_EXPECT, "the application's output on %s did not match /%s/ within %u s; it printed %zu bytes: \"%s\"%s",
				   port, po->expect, po->expect_timeout_s, cap.n, shown, cap.n > 120 ? "..." : "");
	}
	cli_info(c, "smoke check: %s printed /%s/ after %.1f s", port, po->expect,
		 (double)(cli_now_ms() - t0) / 1000.0);
	return SB_OK;
}

static void release_held(void)
{
	if (held_open && held.ops->close)
		held.ops->close(held.h);
	held_open = false;
}

/*
 * --expect-port: open that port now and hold it until the program ends, so
 * that nothing the application prints after it starts is lost (a pty or
 * tty drops what arrives while no one has it open).
 */
static int prod_expect_hold(const struct sb_log *log, struct sb_diag *d)
{
	struct serial_opts so = { .baud = active && active->expect_baud ? active->expect_baud : 0,
				  .log = log, .cancelled = jobstop_armed };
	int err;

	if (!active || !active->expect || !active->expect_port || held_open)
		return SB_OK;
	if ((err = serial_open(active->expect_port, &so, &held, d)))
		return err;
	held_open = true;
	atexit(release_held);   /* the adapter's settings are restored at any exit */
	return SB_OK;
}

const struct sb_link *prod_expect_held(void)
{
	return held_open ? &held : NULL;
}

int prod_start(struct cli *c, const char *version, const char *command, char *const *files,
	       int nfiles, char *const *boards, size_t nboards)
{
	char members[8192] = "";
	struct sb_diag d = { 0 };

	jobstop_install();
	if (nboards)
		gang_start_members(boards, nboards, members, sizeof(members));
	if (events_begin(c, version, command, files, nfiles, active ? active->log : NULL,
			 nboards ? members : NULL, &d))
		return cli_fail(c, SB_ERR_IO, &d, NULL);
	if (prod_expect_hold(&c->log, &d))
		return events_end(c, cli_fail(c, SB_ERR_NO_DEVICE, &d, "--expect-port"));
	return 0;
}
