/* SPDX-License-Identifier: MIT */
/*
 * dfuse_cmd.c - the flashing commands of the dfuse program: write, verify,
 * read, erase, leave; and the command table. The session is in
 * dfuse_session.c, list/info/option bytes in dfuse_info.c, pack/unpack in
 * dfuse_pack.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfuse_tool.h"
#include "job.h"

/* ---- shared ------------------------------------------------------------------------- */


/* Read protection refused the command: say how to get out of it. */
static int protected_hint(struct df_session *s, int err)
{
	size_t n = strlen(s->diag.msg);

	if (err == SB_ERR_PROTECTED && n + 100 < sizeof(s->diag.msg))
		snprintf(s->diag.msg + n, sizeof(s->diag.msg) - n,
			 "; 'dfuse write --read-unprotect --force' wipes the flash and removes it");
	return err;
}

/*
 * Memories a plain write must not treat as flash: option bytes reset the
 * part when written (protocol-facts B.5 exceptions: 'option-bytes --write'
 * handles that), and pages without the erase flag (B.9; OTP) can be
 * written once only.
 */
static int special_memory(struct df_session *s, int alt, const struct sb_image *img)
{
	const struct dfuse_layout *l = &s->layout[alt];

	if (alt == df_alt_named(s, "Option Bytes"))
		return sb_diag_set(&s->diag, SB_ERR_BAD_INPUT,
				   "\"%s\" is written with 'dfuse option-bytes --write FILE --force' (the part resets after it)",
				   l->name);
	if (s->c->job.erase == SB_ERASE_PAGES && dfuse_layout_check(l, img, DFUSE_MEM_ERASE, NULL)) {
		if (!s->c->job.force)
			return sb_diag_set(&s->diag, SB_ERR_BAD_INPUT,
					   "\"%s\" cannot be erased (one-time programmable?): add --force to write it anyway",
					   l->name);
		s->c->job.erase = SB_ERASE_NONE;
	}
	return SB_OK;
}

/* The alt for an image: --alt, else the one holding it ("Internal Flash" first). */
static int pick_alt(struct df_session *s, const struct sb_image *img, bool writing,
		    struct sb_geom *g)
{
	struct df_config *c = s->c;
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);
	int alt = -1, err;

	if (c->alt) {
		if ((alt = df_alt_by_option(s, c->alt)) < 0)
			return SB_ERR_BAD_INPUT;
		err = dfuse_layout_check(&s->layout[alt], img, DFUSE_MEM_WRITE, &s->diag);
	} else {
		err = dfuse_layout_pick(s->layout, s->nalts, img, NULL, &alt, &s->diag);
	}
	if (err) {
		/* a message naming the file at fault, against that alt or the flash */
		int flash = c->alt ? alt : df_alt_named(s, "Internal Flash");
		if (flash >= 0 && !dfuse_layout_geom(&s->layout[flash], g, NULL) &&
		    job_check(&f, img, g, &s->diag))
			return SB_ERR_BAD_INPUT;
		return err;
	}
	if ((err = df_alt_geom(s, alt, g)) || (err = job_check(&f, img, g, &s->diag)) ||
	    (writing && (err = special_memory(s, alt, img))))
		return err;
	return df_select_alt(s, alt);
}

/* ---- write --------------------------------------------------------------------------- */

/* Read back what the plan says flash must hold. */
static int verify_segments(struct df_session *s, struct sb_segment *seg, size_t n)
{
	struct sb_image view = { .seg = seg, .nseg = n, .cap = n };
	int err;

	df_phase_begin(s, "verify", sb_image_size(&view));
	err = dfuse_verify_image(s->d, &view, &s->diag);
	df_phase_end(s);
	return err;
}

/* Was the part blank (first double-word of the memory erased) before this write? */
static bool part_blank(struct df_session *s, const struct sb_geom *g)
{
	uint8_t b[8];
	size_t got = 0;

	if (dfuse_read(s->d, g->base, b, sizeof(b), &got, NULL) || got != sizeof(b))
		return false;
	for (size_t i = 0; i < sizeof(b); i++)
		if (b[i] != 0xFF)
			return false;
	return true;
}

static int leave_after_write(struct df_session *s, const struct sb_image *img, bool was_blank)
{
	struct df_config *c = s->c;
	uint32_t lo, hi, addr;
	int err;

	sb_image_span(img, &lo, &hi);
	addr = c->has_leave_addr ? c->leave_addr : lo;
	if ((err = dfuse_leave(s->d, addr, &s->diag)))
		return err;
	s->gone = true;
	cli_info(&c->cli, "left DFU mode: the application at 0x%08X runs", addr);
	if (was_blank)
		cli_info(&c->cli, "the part was blank: its empty-check flag stays set until a power cycle, so a reset through NRST enters the ROM loader again");
	return SB_OK;
}

static int read_unprotect_first(struct df_session *s)
{
	struct df_config *c = s->c;
	unsigned wait = c->has_wait ? c->sel.wait_s : 30;
	int flash = df_alt_named(s, "Internal Flash");
	bool back;
	int err;

	if ((err = df_select_alt(s, flash >= 0 ? flash : 0)))
		return err;
	cli_info(&c->cli, "removing read protection: the part mass-erases its flash and resets");
	if ((err = dfuse_read_unprotect(s->d, &s->diag)))
		return err;
	if ((err = df_reopen_after_reset(s, wait, &back)))
		return err;
	if (!back)
		return sb_diag_set(&s->diag, SB_ERR_NO_DEVICE,
				   "read protection removed, but the device did not come back in DFU mode within %u s: BOOT0 must be high at the reset (or wire it: --boot0/--nrst)",
				   wait);
	cli_info(&c->cli, "the device is back, unprotected");
	return SB_OK;
}

static void write_result(struct df_session *s, const struct sb_plan *p, uint64_t t0)
{
	struct df_config *c = s->c;
	uint64_t ms = cli_now_ms() - t0;
	size_t erased = p->npages + p->nreerased;

	cli_event(&c->cli, "result",
		  "\"ok\":true,\"command\":\"write\",\"bytes\":%llu,\"written_bytes\":%llu,\"erased_pages\":%zu,"
		  "\"skipped_blocks\":%zu,\"plan\":\"%s\",\"read_bytes\":%llu,\"pages_skipped\":%zu,"
		  "\"pages_written\":%zu,\"pages_erased\":%zu,\"pages_reerased\":%zu,"
		  "\"verify\":\"%s\",\"leave\":%s,\"ms\":%llu",
		  (unsigned long long)p->image_bytes, (unsigned long long)p->write_bytes, erased,
		  p->nskipped, p->read_first ? "read-first" : "full", (unsigned long long)p->read_bytes,
		  p->nsame, p->nblank - p->nreerased, p->npages, p->nreerased,
		  c->job.verify ? "read-back" : "none", c->leave ? "true" : "false",
		  (unsigned long long)ms);
	if (p->read_first)
		cli_info(&c->cli, "pages: %zu unchanged, %zu written without erase, %zu erased and written, %zu erased again after a programming error",
			 p->nsame, p->nblank - p->nreerased, p->npages, p->nreerased);
	if (p->read_first && p->nsame == p->ntouched)
		cli_info(&c->cli, "the flash holds the image already: nothing erased or written, %.1f s",
			 (double)ms / 1000.0);
	else
		cli_info(&c->cli, "wrote %llu bytes (%zu blocks, %zu of 0xFF skipped), erased %zu page(s), %s, %.1f s",
			 (unsigned long long)p->image_bytes, p->nblocks, p->nskipped, erased,
			 c->job.verify ? "verified by read-back" : "not verified", (double)ms / 1000.0);
}

/* The job on an open session (or, offline, s->d == NULL: plan only). */
static int write_job(struct df_session *s, const struct sb_image *img, const struct sb_geom *g,
		     uint64_t t0)
{
	struct df_config *c = s->c;
	struct sb_plan_opts po = { .block_size = s->d ? dfuse_transfer_size(s->d) : 2048,
				   .keep_erased_blocks = c->job.keep_erased_blocks, .erase = c->job.erase };
	struct sb_plan p;
	bool was_blank;
	int err;

	if ((err = sb_plan_build(img, g, &po, &p, &s->diag)))
		return err;
	/* a dry run of --read-unprotect: the flash will be erased, what it holds now does not count */
	if (c->job.read_first && !(c->job.read_unprotect && c->job.dry_run) && sb_plan_can_read_first(&p)) {
		if (!s->d)
			cli_info(&c->cli, "without a device every touched page is planned as erased and written (with one, the pages are read first)");
		else if ((err = df_plan_read_first(s, g, &p))) {
			sb_plan_free(&p);
			return err;
		}
	}
	job_print_plan(&c->cli, g, &p, c->job.verify);
	if (c->job.dry_run) {
		sb_plan_free(&p);
		return SB_OK;
	}
	was_blank = (c->leave || c->lines) && part_blank(s, g);
	err = df_plan_run(s, g, &p);
	if (!err && c->leave)
		err = leave_after_write(s, img, was_blank);
	if (!err)
		write_result(s, &p, t0);
	sb_plan_free(&p);
	return err;
}

/* --dry-run without a device: the L4R5 ROM's layout (protocol-facts B.1). */
static int write_offline(struct df_config *c, const struct sb_image *img)
{
	struct df_session s;
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);
	struct sb_geom g;
	int err;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.nalts = 1;
	cli_info(&c->cli, "no DFU device: planning for the STM32L4R5 ROM's layout \"%s\"", DF_L4R5_LAYOUT);
	err = dfuse_layout_parse(&s.layout[0], DF_L4R5_LAYOUT, &s.diag);
	if (!err)
		s.nparts = dfuse_match_parts(s.layout, 1, s.parts, 8);
	if (!err && !(err = df_alt_geom(&s, 0, &g)) &&
	    !(err = job_check(&f, img, &g, &s.diag)) &&
	    !(err = dfuse_layout_check(&s.layout[0], img, DFUSE_MEM_WRITE, &s.diag)))
		err = write_job(&s, img, &g, cli_now_ms());
	dfuse_layout_free(&s.layout[0]);
	return err ? cli_fail(&c->cli, err, &s.diag, "write") : EXIT_OK;
}

/* Is any DFU device there for --dry-run to ask? (Lines wired: enter and see.) */
static bool device_present(struct df_config *c)
{
	struct sb_usb_device *devs = NULL;
	size_t n = 0;

	if (c->lines)
		return true;
	if (sb_usb_list(&c->sel, &devs, &n, NULL))
		return false;
	free(devs);
	return n > 0;
}

int df_cmd_write(struct df_config *c)
{
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);
	struct df_session s;
	struct sb_image img;
	struct sb_diag d = { 0 };
	struct sb_geom g;
	uint64_t t0 = cli_now_ms();
	int err;

	if (c->job.read_unprotect && !c->job.force)
		return cli_usage(&c->cli, "--read-unprotect mass-erases the whole flash; add --force to do it");
	if (c->wait_app && !c->leave && !c->lines)
		return cli_usage(&c->cli, "--wait-app needs --leave or wired BOOT0/NRST lines to start the application");
	if ((err = job_load(&f, &img, &d)))   /* before the device is even looked for */
		return cli_fail(&c->cli, err, &d, NULL);
	if (c->job.dry_run && !device_present(c)) {
		err = write_offline(c, &img);
		sb_image_free(&img);
		return err;
	}
	err = df_session_open(&s, c);
	if (!err && c->job.read_unprotect && c->job.dry_run)   /* said, not done: a mass erase */
		cli_info(&c->cli, "dry run: --read-unprotect would first remove read protection, mass-erasing the whole flash; not done");
	else if (!err && c->job.read_unprotect)
		err = read_unprotect_first(&s);
	if (!err)
		err = pick_alt(&s, &img, true, &g);
	if (!err)
		err = write_job(&s, &img, &g, t0);
	sb_image_free(&img);
	return df_finish(&s, protected_hint(&s, err), "write");
}

/* ---- verify ---------------------------------------------------------------------------- */

int df_cmd_verify(struct df_config *c)
{
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);
	struct df_session s;
	struct sb_image img;
	struct sb_diag d = { 0 };
	struct sb_geom g;
	int err;

	if ((err = job_load(&f, &img, &d)))
		return cli_fail(&c->cli, err, &d, NULL);
	err = df_session_open(&s, c);
	if (!err)
		err = pick_alt(&s, &img, false, &g);
	if (!err) {
		err = verify_segments(&s, img.seg, img.nseg);
		if (err == SB_ERR_PROTECTED)
			sb_diag_set(&s.diag, err, "read protection is active: memory cannot be read");
	}
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"verify\",\"bytes\":%llu,\"method\":\"read-back\"",
			  (unsigned long long)sb_image_size(&img));
		cli_info(&c->cli, "verified %llu bytes: memory matches", (unsigned long long)sb_image_size(&img));
	}
	sb_image_free(&img);
	return df_finish(&s, err, "verify");
}

/* ---- read ------------------------------------------------------------------------------- */

int df_cmd_read(struct df_config *c)
{
	struct df_session s;
	uint32_t addr, len;
	int used = job_parse_addr_len(c->args, c->nargs, 0, &addr, &len), alt, err;
	size_t got = 0;
	uint8_t *buf;
	enum sb_format fmt;

	if (!used || c->nargs != used + 1)
		return cli_usage(&c->cli, "read ADDR LEN FILE (or read ADDR:LEN FILE)");
	if (job_dump_format(c->args[used], c->job.format, &fmt, &s.diag))   /* before the device is asked */
		return cli_usage(&c->cli, "%s", s.diag.msg);
	if (!(buf = malloc(len)))
		return cli_fail(&c->cli, SB_ERR_NOMEM, NULL, "read");
	err = df_session_open(&s, c);
	if (!err && !(err = df_alt_for_range(&s, addr, len, DFUSE_MEM_READ, &alt)) &&
	    !(err = df_select_alt(&s, alt))) {
		df_phase_begin(&s, "read", len);
		err = dfuse_read(s.d, addr, buf, len, &got, &s.diag);
		df_phase_end(&s);
		if (!err && got < len)
			err = sb_diag_addr(&s.diag, SB_ERR_FRAMING, addr + (uint32_t)got,
					   "the device ended the read at 0x%08X, %u bytes short",
					   addr + (uint32_t)got, len - (uint32_t)got);
	}
	if (!err)
		err = job_dump_write(c->args[used], fmt, addr, buf, len, &s.diag);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"read\",\"address\":%u,\"bytes\":%u,\"format\":\"%s\"",
			  addr, len, sb_format_name(fmt));
		cli_info(&c->cli, "read %u bytes from 0x%08X into %s", len, addr, c->args[used]);
	}
	free(buf);
	return df_finish(&s, err, "read");
}

/* ---- erase ------------------------------------------------------------------------------- */

/* The pages the arguments name, as addresses of alt `alt`'s layout. */
static int erase_addresses(struct df_session *s, const struct sb_geom *g, uint32_t *addrs, size_t *n)
{
	struct df_config *c = s->c;
	uint32_t addr, len, size;
	int err;

	if (c->job.pages)
		err = job_parse_pages(g, c->job.pages, addrs, n, &s->diag);
	else if (job_parse_addr_len(c->args, c->nargs, 0, &addr, &len) == c->nargs)
		err = job_range_pages(g, addr, len, addrs, n, &s->diag);
	else
		err = sb_diag_set(&s->diag, SB_ERR_BAD_INPUT, "bad range '%s'", c->args[0]);
	for (size_t i = 0; !err && i < *n; i++)
		sb_geom_page_addr(g, addrs[i], &addrs[i], &size);
	return err;
}

static int erase_alt(struct df_session *s, int *alt)
{
	struct df_config *c = s->c;
	uint32_t addr, len;
	int flash = df_alt_named(s, "Internal Flash");

	if (c->nargs && job_parse_addr_len(c->args, c->nargs, 0, &addr, &len) == c->nargs)
		return df_alt_for_range(s, addr, len, DFUSE_MEM_ERASE, alt);
	if (c->alt)
		return (*alt = df_alt_by_option(s, c->alt)) < 0 ? SB_ERR_BAD_INPUT : SB_OK;
	*alt = flash >= 0 ? flash : 0;
	return SB_OK;
}

static int erase_selected(struct df_session *s, size_t *count)
{
	struct sb_geom g;
	uint32_t *addrs;
	int alt, err;

	*count = 0;
	if ((err = erase_alt(s, &alt)) || (err = df_select_alt(s, alt)))
		return err;
	if (s->c->job.all) {
		df_phase_begin(s, "erase", 1);
		err = dfuse_mass_erase(s->d, &s->diag);
		df_phase_end(s);
		return err;
	}
	if ((err = df_alt_geom(s, alt, &g)))
		return err;
	if (!(addrs = calloc(g.npages ? g.npages : 1, sizeof(*addrs))))
		return SB_ERR_NOMEM;
	err = erase_addresses(s, &g, addrs, count);
	if (!err) {
		df_phase_begin(s, "erase", *count);
		err = dfuse_erase_pages(s->d, addrs, *count, &s->diag);
		df_phase_end(s);
	}
	free(addrs);
	return err;
}

int df_cmd_erase(struct df_config *c)
{
	struct df_session s;
	int chosen = (c->job.all != 0) + (c->job.pages != NULL) + (c->nargs > 0);
	size_t n = 0;
	int err;

	if (chosen != 1)
		return cli_usage(&c->cli, "erase: give exactly one of RANGE, --pages LIST, --all");
	if (c->nargs > 2)
		return cli_usage(&c->cli, "erase RANGE: ADDR:LEN, ADDR..END or ADDR LEN");
	if (c->job.all && !c->job.force)
		return cli_usage(&c->cli, "erase --all mass-erases the whole flash; add --force to do it");
	err = df_session_open(&s, c);
	if (!err)
		err = protected_hint(&s, erase_selected(&s, &n));
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"erase\",\"erased_pages\":%zu,\"mass_erase\":%s",
			  n, c->job.all ? "true" : "false");
		if (c->job.all)
			cli_info(&c->cli, "mass-erased");
		else
			cli_info(&c->cli, "erased %zu page(s)", n);
	}
	return df_finish(&s, err, "erase");
}

/* ---- leave ---------------------------------------------------------------------------------- */

int df_cmd_leave(struct df_config *c)
{
	struct df_session s;
	uint32_t addr = 0x08000000;  /* the ROM's default pointer: protocol-facts B.6 */
	bool has_addr = c->nargs == 1;
	int alt = -1, err;

	if (c->nargs > 1 || (has_addr && !cli_parse_u32(c->args[0], &addr)))
		return cli_usage(&c->cli, "leave [ADDR]");
	err = df_session_open(&s, c);
	if (!err && !has_addr) {
		int flash = df_alt_named(&s, "Internal Flash");
		if (flash >= 0 && s.layout[flash].nregions)
			addr = s.layout[flash].region[0].addr;
	}
	/* the pointer is set in an alt's memory: the one holding addr, else the flash's */
	if (!err && df_alt_for_range(&s, addr, 1, 0, &alt) && alt < 0)
		err = SB_ERR_BAD_INPUT;
	if (!err && !(err = df_select_alt(&s, alt)) && !(err = dfuse_leave(s.d, addr, &s.diag)))
		s.gone = true;
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"leave\",\"address\":%u", addr);
		cli_info(&c->cli, "left DFU mode: the application at 0x%08X runs", addr);
	}
	return df_finish(&s, err, "leave");
}

/* ---- commands --------------------------------------------------------------------------------- */

int df_run(struct df_config *c)
{
	static const struct {
		const char *name;
		int (*fn)(struct df_config *);
	} cmds[] = {
		{ "list", df_cmd_list }, { "info", df_cmd_info }, { "write", df_cmd_write },
		{ "verify", df_cmd_verify }, { "read", df_cmd_read }, { "erase", df_cmd_erase },
		{ "leave", df_cmd_leave }, { "detach", df_cmd_detach },
		{ "read-unprotect", df_cmd_read_unprotect },
		{ "option-bytes", df_cmd_option_bytes }, { "pack", df_cmd_pack },
		{ "unpack", df_cmd_unpack },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(c->command, cmds[i].name))
			return cmds[i].fn(c);
	return cli_usage(&c->cli, "unknown command '%s'", c->command);
}
