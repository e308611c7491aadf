/*
 * an3155_cmd.c - the commands of the an3155 program, one function each,
 * on a session (an3155_session.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an3155_tool.h"
#include "job.h"
#include "optbytes.h"

/* ---- info ------------------------------------------------------------- */

static int rdp_level(const struct a3_session *s)
{
	uint32_t rdp;

	if (s->protected)
		return 1;
	if (s->optr < 0)
		return 0;
	rdp = (uint32_t)s->optr & 0xFF;   /* 0xAA level 0, 0xCC level 2, else 1 (E.4) */
	return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

static void print_info_text(struct a3_session *s, const char *cmds, const char *geom, int bl_id)
{
	const struct an3155_info *i = an3155_info(s->bl);

	printf("bootloader  USART protocol v%u.%u", i->version >> 4, i->version & 0xF);
	if (bl_id >= 0)
		printf(", bootloader ID 0x%02X", bl_id);
	printf("\ncommands    %s\n", cmds);
	printf("part        PID 0x%03X %s\n", i->pid, s->part ? s->part->name : "(not in the device table)");
	if (s->have_geom)
		printf("flash       %u KB at 0x%08X%s: %s\n", s->geom.size / 1024, s->geom.base,
		       s->flash_kb ? "" : " (size from the device table)", geom);
	printf("protection  %s\n", s->protected ? "read protection active (level 1): reads refused"
					       : rdp_level(s) ? "read protection set" : "none (level 0)");
	if (s->optr >= 0)
		job_print_optr((uint32_t)s->optr);
}

static int cmd_info(struct a3_session *s)
{
	const struct an3155_info *i = an3155_info(s->bl);
	char cmds[256] = "", geom[128] = "", esc[256];
	size_t n = 0;
	int bl_id = -1;
	uint8_t b;

	for (unsigned k = 0; k < i->ncmd && n + 4 < sizeof(cmds); k++)
		n += (size_t)snprintf(cmds + n, sizeof(cmds) - n, "%s%02X", k ? " " : "", i->cmd[k]);
	if (s->have_geom)
		sb_geom_describe(&s->geom, geom, sizeof(geom));
	/* Bootloader ID: last-but-one byte of system memory (protocol-facts C). */
	if (s->part && !s->protected && s->part->sys_end &&
	    an3155_read(s->bl, s->part->sys_end - 2, &b, 1, NULL) == SB_OK)
		bl_id = b;
	if (s->c->cli.json) {
		cli_event(&s->c->cli, "info",
			  "\"version\":%u,\"commands\":\"%s\",\"pid\":%u,\"part\":\"%s\",\"bootloader_id\":%d,"
			  "\"flash_base\":%u,\"flash_size\":%u,\"geometry\":\"%s\",\"protected\":%s,\"optr\":%lld",
			  i->version, cmds, i->pid, s->part ? s->part->name : "", bl_id,
			  s->have_geom ? s->geom.base : 0, s->have_geom ? s->geom.size : 0,
			  cli_json_str(esc, sizeof(esc), geom), s->protected ? "true" : "false",
			  (long long)s->optr);
		return SB_OK;
	}
	print_info_text(s, cmds, geom, bl_id);
	return SB_OK;
}

/* ---- write / verify ------------------------------------------------------ */

static struct job_files files_of(const struct a3_config *c)
{
	return (struct job_files){ c->args, c->nargs, c->format, c->base };
}

static int check_files(struct a3_session *s)
{
	struct job_files f = files_of(s->c);

	return job_check(&f, &s->geom, &s->d);
}

static int do_erase_plan(struct a3_session *s, const struct sb_plan *p)
{
	uint16_t *pages;
	int err;

	if (p->mass_erase) {
		a3_phase_begin(s, "erase", 1);
		err = an3155_erase_special(s->bl, AN3155_ERASE_MASS, &s->d);
		a3_phase_end(s);
		return err;
	}
	if (p->npages == 0)
		return SB_OK;
	pages = malloc(p->npages * sizeof(*pages));
	if (!pages)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < p->npages; i++)
		pages[i] = (uint16_t)p->pages[i];
	a3_phase_begin(s, "erase", p->npages);
	err = an3155_erase_pages(s->bl, pages, p->npages, &s->d);
	a3_phase_end(s);
	free(pages);
	return err;
}

static int do_write_plan(struct a3_session *s, const struct sb_plan *p)
{
	int err = SB_OK;

	a3_phase_begin(s, "write", p->write_bytes);
	for (size_t i = 0; i < p->nblocks && !err; i++) {
		const struct sb_plan_block *b = &p->blocks[i];
		err = an3155_write(s->bl, b->addr, b->data, b->len, &s->d);
		s->phase_base += b->len;
	}
	a3_phase_end(s);
	return err;
}

/*
 * Compare flash with segs (CRC through 0xA1 where the ROM has it, else
 * read-back). written: this job erased and wrote them, so a unit still
 * erased is programmed now (an3155_verify_written).
 */
static int do_verify(struct a3_session *s, const struct sb_segment *seg, size_t n, bool written)
{
	uint64_t total = 0;
	int err = SB_OK;

	for (size_t i = 0; i < n; i++)
		total += seg[i].len;
	a3_phase_begin(s, "verify", total);
	for (size_t i = 0; i < n && !err; i++) {
		err = (written ? an3155_verify_written : an3155_verify)(s->bl, seg[i].addr, seg[i].data,
								       seg[i].len, &s->d);
		s->phase_base += seg[i].len;
	}
	a3_phase_end(s);
	return err;
}

static const char *verify_method(const struct a3_session *s)
{
	return an3155_has(s->bl, AN3155_CMD_GET_CHECKSUM) ? "crc" : "read-back";
}

/* Was the part blank (first double-word erased) before this write? */
static bool part_blank(struct a3_session *s)
{
	uint8_t b[8];

	if (an3155_read(s->bl, s->geom.base, b, sizeof(b), NULL))
		return false;
	for (size_t i = 0; i < sizeof(b); i++)
		if (b[i] != 0xFF)
			return false;
	return true;
}

static int read_unprotect_first(struct a3_session *s)
{
	int err;

	cli_info(&s->c->cli, "removing read protection: the part mass-erases its flash");
	err = an3155_readout_unprotect(s->bl, &s->d);
	if (!err)
		err = an3155_reconnect(s->bl, &s->d);
	if (!err) {
		s->protected = false;
		err = a3_identify(s);
	}
	return err;
}

static void warn_boot_config(struct a3_session *s, const struct sb_plan *p)
{
	if (s->optr < 0)
		return;
	if ((s->optr >> 20 & 1) && s->geom.bank2 && p->nseg && p->seg[p->nseg - 1].addr < s->geom.bank2)
		cli_warn(&s->c->cli, "BFB2 is set: the part boots bank 2 (0x%08X) first when its vector table is valid; this image is in bank 1 only",
			 s->geom.bank2);
	if (!(s->optr >> 26 & 1))
		cli_warn(&s->c->cli, "nSWBOOT0=0: the BOOT0 pin is ignored, so reset lines cannot select the ROM loader");
}

static int go_after_write(struct a3_session *s, const struct sb_plan *p, bool was_blank)
{
	uint32_t addr = s->c->has_go_addr ? s->c->go_addr : p->seg[0].addr;
	int err = an3155_go(s->bl, addr, &s->d);

	if (!err && was_blank)
		cli_info(&s->c->cli, "the part was blank: its empty-check flag stays set until a power cycle, so a reset through NRST enters the ROM loader again");
	return err;
}

/* The plan over the ROM protocol: erase, write, verify. */
static int rom_write(struct a3_session *s, const struct sb_plan *p)
{
	int err = do_erase_plan(s, p);

	if (!err)
		err = do_write_plan(s, p);
	if (!err && s->c->verify)
		err = do_verify(s, p->seg, p->nseg, s->c->erase != SB_ERASE_NONE);
	return err;
}

static void report_write(struct a3_session *s, const struct sb_plan *p, const struct a3_fast_result *fr,
			 uint64_t t0)
{
	struct a3_config *c = s->c;
	const char *how = !c->verify ? "none" : fr->used ? "loader-crc" : verify_method(s);
	size_t erased = fr->used ? fr->erased_pages : p->npages;
	uint64_t written = fr->used ? fr->written_bytes : p->write_bytes;

	if (fr->used)
		cli_event(&c->cli, "result",
			  "\"ok\":true,\"command\":\"write\",\"bytes\":%llu,\"written_bytes\":%llu,\"erased_pages\":%zu,"
			  "\"skipped_blocks\":%zu,\"verify\":\"%s\",\"via\":\"loader\",\"unchanged_pages\":%zu,"
			  "\"baud\":%u,\"upload_bytes\":%zu,\"loader_tx\":%llu,\"loader_rx\":%llu,"
			  "\"loader_exchanges\":%u,\"loader_resends\":%u,\"loader_line_errors\":%u,\"ms\":%llu",
			  (unsigned long long)p->image_bytes, (unsigned long long)written, erased, p->nskipped, how,
			  fr->unchanged_pages, fr->baud, fr->upload_bytes, (unsigned long long)fr->tx,
			  (unsigned long long)fr->rx, fr->exchanges, fr->resends, fr->line_errs,
			  (unsigned long long)(cli_now_ms() - t0));
	else
		cli_event(&c->cli, "result",
			  "\"ok\":true,\"command\":\"write\",\"bytes\":%llu,\"written_bytes\":%llu,\"erased_pages\":%zu,"
			  "\"skipped_blocks\":%zu,\"verify\":\"%s\",\"via\":\"rom\",\"ms\":%llu",
			  (unsigned long long)p->image_bytes, (unsigned long long)written, erased, p->nskipped, how,
			  (unsigned long long)(cli_now_ms() - t0));
	if (fr->used)
		cli_info(&c->cli, "wrote %llu bytes through the loader at %u baud (%zu page(s) already held them), erased %zu page(s), %s, %.1f s",
			 (unsigned long long)p->image_bytes, fr->baud, fr->unchanged_pages, erased,
			 c->verify ? "verified by CRC on the part" : "not verified",
			 (double)(cli_now_ms() - t0) / 1000.0);
	else
		cli_info(&c->cli, "wrote %llu bytes (%zu blocks, %zu of 0xFF skipped), erased %zu page(s), %s, %.1f s",
			 (unsigned long long)p->image_bytes, p->nblocks, p->nskipped, erased,
			 !c->verify ? "not verified"
				    : an3155_has(s->bl, AN3155_CMD_GET_CHECKSUM) ? "verified by CRC" : "verified by read-back",
			 (double)(cli_now_ms() - t0) / 1000.0);
}

static int write_connected(struct a3_session *s, const struct sb_image *img, uint64_t t0)
{
	struct a3_config *c = s->c;
	struct sb_plan_opts po = { .block_size = 256, .keep_erased_blocks = c->keep_erased_blocks, .erase = c->erase };
	struct a3_fast_result fr = { 0 };
	struct sb_plan p;
	bool was_blank = false;
	int err;

	if (c->read_unprotect && (err = read_unprotect_first(s)))
		return err;
	if (s->protected)
		return sb_diag_set(&s->d, SB_ERR_PROTECTED,
				   "read protection is active: writing is refused; 'an3155 write --read-unprotect --force' wipes the flash and removes it");
	if ((err = a3_need_geom(s)) || (err = check_files(s)))
		return err;
	if ((err = sb_plan_build(img, &s->geom, &po, &p, &s->d)))
		return err;
	job_print_plan(&c->cli, &s->geom, &p, c->verify);
	warn_boot_config(s, &p);
	if (c->dry_run) {
		sb_plan_free(&p);
		return SB_OK;
	}
	was_blank = c->go && part_blank(s);
	err = c->fast ? a3_fast_write(s, &p, &fr) : SB_OK;
	if (!err && !fr.used)
		err = rom_write(s, &p);
	if (!err && c->go)
		err = go_after_write(s, &p, was_blank);
	if (!err)
		report_write(s, &p, &fr, t0);
	sb_plan_free(&p);
	return err;
}

static int cmd_write_offline(struct a3_config *c, const struct sb_image *img);

static int run_write(struct a3_config *c)
{
	struct sb_image img;
	struct a3_session s;
	struct sb_diag d = { 0 };
	uint64_t t0 = cli_now_ms();
	int err;

	if (c->read_unprotect && !c->force)
		return cli_usage(&c->cli, "--read-unprotect mass-erases the whole flash; add --force to do it");
	struct job_files f = files_of(c);

	if ((err = job_load(&f, &img, &d)))   /* before the port is even opened */
		return cli_fail(&c->cli, err, &d, NULL);
	if (c->dry_run && !c->port) {
		err = cmd_write_offline(c, &img);
		sb_image_free(&img);
		return err;
	}
	err = a3_session_open(&s, c);
	if (!err)
		err = write_connected(&s, &img, t0);
	sb_image_free(&img);
	return a3_finish(&s, err, "write");
}

/* --dry-run without a port: geometry from the options or the L4R5 row. */
static int cmd_write_offline(struct a3_config *c, const struct sb_image *img)
{
	struct a3_session s;
	int err;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.optr = -1;
	if (c->flash_size)
		err = a3_explicit_geom(&s);
	else {
		s.part = sb_part_by_pid(0x470);
		err = sb_geom_for_part(s.part, 0, -1, &s.geom, &s.d);
		s.have_geom = !err;
		cli_info(&c->cli, "no port: planning for %s with factory option bytes (give --port to ask the chip)",
			 s.part->name);
	}
	if (!err)
		err = write_connected(&s, img, cli_now_ms());
	return a3_finish(&s, err, "write");
}

static int run_verify(struct a3_config *c)
{
	struct sb_image img;
	struct a3_session s;
	struct sb_diag d = { 0 };
	int err;

	struct job_files f = files_of(c);

	if ((err = job_load(&f, &img, &d)))
		return cli_fail(&c->cli, err, &d, NULL);
	err = a3_session_open(&s, c);
	if (!err && s.protected)
		err = sb_diag_set(&s.d, SB_ERR_PROTECTED, "read protection is active: flash cannot be read");
	if (!err && !(err = a3_need_geom(&s)) && !(err = check_files(&s)))
		err = do_verify(&s, img.seg, img.nseg, false);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"verify\",\"bytes\":%llu,\"method\":\"%s\"",
			  (unsigned long long)sb_image_size(&img), verify_method(&s));
		cli_info(&c->cli, "verified %llu bytes: flash matches", (unsigned long long)sb_image_size(&img));
	}
	sb_image_free(&img);
	return a3_finish(&s, err, "verify");
}

/* ---- read, crc, go ------------------------------------------------------- */

static int run_read(struct a3_config *c)
{
	struct a3_session s;
	uint32_t addr, len;
	int used = job_parse_addr_len(c->args, c->nargs, 0, &addr, &len), err;
	uint8_t *buf;

	if (!used || c->nargs != used + 1)
		return cli_usage(&c->cli, "read ADDR LEN FILE (or read ADDR:LEN FILE)");
	if (!(buf = malloc(len)))
		return cli_fail(&c->cli, SB_ERR_NOMEM, NULL, "read");
	err = a3_session_open(&s, c);
	if (!err) {
		a3_phase_begin(&s, "read", len);
		err = an3155_read(s.bl, addr, buf, len, &s.d);
		a3_phase_end(&s);
	}
	if (!err)
		err = cli_write_file(c->args[used], buf, len, &s.d);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"read\",\"address\":%u,\"bytes\":%u", addr, len);
		cli_info(&c->cli, "read %u bytes from 0x%08X into %s", len, addr, c->args[used]);
	}
	free(buf);
	return a3_finish(&s, err, "read");
}

static int run_crc(struct a3_config *c)
{
	struct a3_session s;
	uint32_t addr, len, crc = 0;
	int used = job_parse_addr_len(c->args, c->nargs, 0, &addr, &len), err;

	if (!used || c->nargs != used)
		return cli_usage(&c->cli, "crc ADDR LEN (both multiples of 4)");
	if (addr % 4 || len % 4)
		return cli_usage(&c->cli, "crc: address and length must be multiples of 4");
	err = a3_session_open(&s, c);
	if (!err) {
		a3_phase_begin(&s, "crc", len);
		err = an3155_crc(s.bl, addr, len, &crc, &s.d);
		a3_phase_end(&s);
	}
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"crc\",\"address\":%u,\"bytes\":%u,\"crc\":%u",
			  addr, len, crc);
		if (!c->cli.json)
			printf("0x%08X\n", crc);
	}
	return a3_finish(&s, err, "crc");
}

static int run_go(struct a3_config *c)
{
	struct a3_session s;
	uint32_t addr = c->flash_base;
	int err;

	if (c->nargs > 1 || (c->nargs == 1 && !cli_parse_u32(c->args[0], &addr)))
		return cli_usage(&c->cli, "go [ADDR]");
	err = a3_session_open(&s, c);
	if (!err)
		err = an3155_go(s.bl, addr, &s.d);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"go\",\"address\":%u", addr);
		cli_info(&c->cli, "started the application at 0x%08X", addr);
	}
	return a3_finish(&s, err, "go");
}

/* ---- erase ---------------------------------------------------------------- */

static int erase_selected(struct a3_session *s)
{
	struct a3_config *c = s->c;
	uint32_t *pages, addr, len;
	uint16_t *p16;
	size_t n = 0;
	int err;

	if (c->all)
		return an3155_erase_special(s->bl, AN3155_ERASE_MASS, &s->d);
	if ((err = a3_need_geom(s)))
		return err;
	if (c->bank) {
		if (!s->geom.bank2)
			return sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "--bank: the part runs single-bank; use --all");
		return an3155_erase_special(s->bl, c->bank == 1 ? AN3155_ERASE_BANK1 : AN3155_ERASE_BANK2, &s->d);
	}
	if (!s->geom.npages)
		return sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "the page layout of this part is unknown: give --page-size, or use --all");
	pages = calloc(s->geom.npages, sizeof(*pages));
	p16 = calloc(s->geom.npages, sizeof(*p16));
	if (!pages || !p16)
		err = SB_ERR_NOMEM;
	else if (c->pages)
		err = job_parse_pages(&s->geom, c->pages, pages, &n, &s->d);
	else if (job_parse_addr_len(c->args, c->nargs, 0, &addr, &len))
		err = job_range_pages(&s->geom, addr, len, pages, &n, &s->d);
	else
		err = sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "bad range '%s'", c->args[0]);
	if (!err) {
		for (size_t i = 0; i < n; i++)
			p16[i] = (uint16_t)pages[i];
		a3_phase_begin(s, "erase", n);
		err = an3155_erase_pages(s->bl, p16, n, &s->d);
		a3_phase_end(s);
	}
	free(pages);
	free(p16);
	return err;
}

static int run_erase(struct a3_config *c)
{
	struct a3_session s;
	int chosen = (c->all != 0) + (c->bank != 0) + (c->pages != NULL) + (c->nargs > 0);
	int err;

	if (chosen != 1)
		return cli_usage(&c->cli, "erase: give exactly one of RANGE, --pages LIST, --bank N, --all");
	err = a3_session_open(&s, c);
	if (!err && s.protected)
		err = sb_diag_set(&s.d, SB_ERR_PROTECTED, "read protection is active: erase is refused (read-unprotect --force wipes the flash)");
	if (!err)
		err = erase_selected(&s);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"erase\"");
		cli_info(&c->cli, "erased");
	}
	return a3_finish(&s, err, "erase");
}

/* ---- protection ---------------------------------------------------------- */

static int run_protection(struct a3_config *c, const char *cmd)
{
	struct a3_session s;
	uint8_t codes[256];
	int err;

	if (!strcmp(cmd, "read-unprotect") && !c->force)
		return cli_usage(&c->cli, "read-unprotect mass-erases the whole flash and resets the part; add --force to do it");
	if (!strcmp(cmd, "read-protect") && !c->force)
		return cli_usage(&c->cli, "read-protect blocks reading and debugging, and undoing it erases the flash; add --force to do it");
	if (!strcmp(cmd, "write-protect")) {
		if (c->nargs == 0 || c->nargs > 256)
			return cli_usage(&c->cli, "write-protect CODE... (1 to 256 page/sector codes)");
		for (int i = 0; i < c->nargs; i++) {
			uint32_t v;
			if (!cli_parse_u32(c->args[i], &v) || v > 255)
				return cli_usage(&c->cli, "write-protect: '%s' is not a code 0..255", c->args[i]);
			codes[i] = (uint8_t)v;
		}
	} else if (c->nargs)
		return cli_usage(&c->cli, "%s takes no arguments", cmd);
	err = a3_session_open(&s, c);
	if (err == SB_OK || (err == SB_ERR_PROTECTED && !strcmp(cmd, "read-unprotect"))) {
		if (!strcmp(cmd, "read-protect"))
			err = an3155_readout_protect(s.bl, &s.d);
		else if (!strcmp(cmd, "read-unprotect"))
			err = an3155_readout_unprotect(s.bl, &s.d);
		else if (!strcmp(cmd, "write-protect"))
			err = an3155_write_protect(s.bl, codes, (size_t)c->nargs, &s.d);
		else
			err = an3155_write_unprotect(s.bl, &s.d);
		/* The ROM resets after these (protocol-facts A.4); confirm it came back. */
		if (!err)
			err = an3155_reconnect(s.bl, &s.d);
	}
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"%s\"", cmd);
		cli_info(&c->cli, "%s done; the part reset and the ROM loader answers again", cmd);
	}
	return a3_finish(&s, err, cmd);
}

/* ---- option bytes (STM32L4+ layout, protocol-facts C, E.4) ----------------- */

struct ob_bank {
	unsigned num;
	uint32_t addr;
	size_t len;
};

/* The part's option-byte banks; 0 when the table has no readable block. */
static size_t ob_banks(const struct a3_session *s, struct ob_bank b[2])
{
	const struct sb_part *p = s->part;
	size_t n = 0;

	if (p && p->opt_start && p->opt_end > p->opt_start)
		b[n++] = (struct ob_bank){ 1, p->opt_start, p->opt_end - p->opt_start };
	if (p && p->opt2_start && p->opt2_end > p->opt2_start)
		b[n++] = (struct ob_bank){ 2, p->opt2_start, p->opt2_end - p->opt2_start };
	return n;
}

static int ob_show(struct a3_session *s, const struct ob_bank *b, size_t n)
{
	uint8_t buf[256];
	char hex[800], esc[800];
	int err = SB_OK;

	for (size_t i = 0; i < n && !err; i++) {
		if ((err = an3155_read(s->bl, b[i].addr, buf, b[i].len, &s->d)))
			break;
		if (!s->c->cli.json) {
			ob_print(b[i].num, b[i].addr, buf, b[i].len);
			continue;
		}
		ob_hex(buf, b[i].len, hex, sizeof(hex));
		cli_event(&s->c->cli, "option-bytes", "\"bank\":%u,\"address\":%u,\"bytes\":\"%s\",\"word0\":%u",
			  b[i].num, b[i].addr, cli_json_str(esc, sizeof(esc), hex), ob_le32(buf));
	}
	return err;
}

/* The block --write asks for, checked to be one whole bank of this part. */
static int ob_new_block(struct a3_session *s, const struct ob_bank *b, size_t n, uint8_t *blk,
			size_t *len, const struct ob_bank **bank)
{
	enum ob_arg kind;
	uint32_t addr, optr;
	int err = ob_parse_write(s->c->ob_write, b[0].addr, &kind, blk, len, &addr, &optr, &s->d);

	if (err)
		return err;
	if (kind == OB_ARG_OPTR) {
		*len = b[0].len;
		if ((err = an3155_read(s->bl, b[0].addr, blk, b[0].len, &s->d)))
			return err;
		ob_set_optr(blk, optr);
	}
	for (size_t i = 0; i < n; i++)
		if (addr == b[i].addr && *len == b[i].len)
			*bank = &b[i];
	if (!*bank)
		return sb_diag_addr(&s->d, SB_ERR_BAD_INPUT, addr,
				    "option bytes are written one whole bank at a time: %zu bytes at 0x%08X is not a bank of %s (bank 1: %zu bytes at 0x%08X)",
				    *len, addr, s->part->name, b[0].len, b[0].addr);
	/* RDP 0xCC is level 2: permanent, the ROM loader is gone for good (E.4, A.6). */
	if ((*bank)->num == 1 && blk[0] == 0xCC)
		return sb_diag_set(&s->d, SB_ERR_BAD_INPUT,
				   "RDP 0xCC is read protection level 2, which can never be undone: stmboot does not set it");
	return SB_OK;
}

/*
 * Write Memory to the option bytes makes the ROM apply them and reset
 * (protocol-facts A.4, Write Memory row): reconnect and read them back.
 */
static int ob_write(struct a3_session *s, const struct ob_bank *b, size_t n)
{
	uint8_t blk[257], back[256];
	const struct ob_bank *bank = NULL;
	size_t len;
	int err = ob_new_block(s, b, n, blk, &len, &bank);

	if (err)
		return err;
	cli_info(&s->c->cli, "writing option-byte bank %u at 0x%08X; the part applies it and resets",
		 bank->num, bank->addr);
	err = an3155_write(s->bl, bank->addr, blk, len, &s->d);
	if (err && err != SB_ERR_TIMEOUT)   /* a reset before the last ACK is a timeout */
		return err;
	if ((err = an3155_reconnect(s->bl, &s->d)))
		return err;
	err = an3155_read(s->bl, bank->addr, back, len, &s->d);
	if (err == SB_ERR_PROTECTED && bank->num == 1 && blk[0] != 0xAA) {
		cli_info(&s->c->cli, "read protection is now active (RDP 0x%02X)", blk[0]);
		return SB_OK;
	}
	if (err)
		return err;
	if (ob_le32(back) != ob_le32(blk))
		return sb_diag_addr(&s->d, SB_ERR_VERIFY, bank->addr,
				    "after the reset the first option word reads 0x%08X, not 0x%08X",
				    ob_le32(back), ob_le32(blk));
	if (!s->c->cli.json)
		ob_print(bank->num, bank->addr, back, len);
	return SB_OK;
}

static int run_option_bytes(struct a3_config *c)
{
	struct a3_session s;
	struct ob_bank b[2] = { 0 };
	size_t n = 0;
	int err;

	if (c->nargs)
		return cli_usage(&c->cli, "option-bytes takes no arguments (--write ARG to change them)");
	if (c->ob_write && !c->force)
		return cli_usage(&c->cli, "option-bytes --write changes how the part boots and protects itself, and resets it; add --force to do it");
	err = a3_session_open(&s, c);
	if (!err && !(n = ob_banks(&s, b)))
		err = sb_diag_set(&s.d, SB_ERR_UNSUPPORTED, "the device table has no option-byte block for this part");
	if (!err && s.protected)
		err = sb_diag_set(&s.d, SB_ERR_PROTECTED, "read protection is active: the option bytes cannot be read (read-unprotect --force wipes the flash and clears it)");
	if (!err)
		err = c->ob_write ? ob_write(&s, b, n) : ob_show(&s, b, n);
	if (!err)
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"option-bytes\",\"written\":%s",
			  c->ob_write ? "true" : "false");
	return a3_finish(&s, err, "option-bytes");
}

/* ---- list, parts --------------------------------------------------------- */

static int run_list(struct a3_config *c)
{
	struct serial_port_info *ports;
	size_t n;
	struct sb_diag d = { 0 };
	char e1[256], e2[256];
	int err = serial_list(&ports, &n, &d);

	if (err)
		return cli_fail(&c->cli, err, &d, "list");
	for (size_t i = 0; i < n; i++) {
		const struct serial_port_info *p = &ports[i];
		if (c->cli.json)
			cli_event(&c->cli, "port", "\"path\":\"%s\",\"description\":\"%s\",\"usb\":%s,\"vid\":%u,\"pid\":%u",
				  cli_json_str(e1, sizeof(e1), p->path), cli_json_str(e2, sizeof(e2), p->description),
				  p->usb ? "true" : "false", p->vid, p->pid);
		else if (p->usb)
			printf("%-20s usb:%04x:%04x%s%s  %s\n", p->path, p->vid, p->pid, p->serial ? ":" : "",
			       p->serial ? p->serial : "", p->description ? p->description : "");
		else
			printf("%-20s %s\n", p->path, p->description ? p->description : "");
	}
	if (n == 0 && !c->cli.json)
		cli_info(&c->cli, "no serial ports found");
	serial_list_free(ports, n);
	return EXIT_OK;
}

static int run_parts(struct a3_config *c)
{
	size_t n;
	const struct sb_part *t = sb_part_table(&n);

	for (size_t i = 0; i < n; i++) {
		struct sb_geom g;
		char geom[128] = "";
		if (sb_geom_for_part(&t[i], 0, -1, &g, NULL) == SB_OK)
			sb_geom_describe(&g, geom, sizeof(geom));
		if (c->cli.json)
			cli_event(&c->cli, "part", "\"pid\":%u,\"name\":\"%s\",\"flash_kb\":%u,\"geometry\":\"%s\",\"source\":\"%s\"",
				  t[i].pid, t[i].name, t[i].flash_kb, geom, t[i].source);
		else
			printf("0x%03X  %-26s %5u KB  %s\n", t[i].pid, t[i].name, t[i].flash_kb, geom);
	}
	return EXIT_OK;
}

static int run_info(struct a3_config *c)
{
	struct a3_session s;
	int err = a3_session_open(&s, c);

	if (!err)
		err = cmd_info(&s);
	return a3_finish(&s, err, "info");
}

int a3_run(struct a3_config *c)
{
	static const struct {
		const char *name;
		int (*fn)(struct a3_config *);
	} cmds[] = {
		{ "info", run_info }, { "write", run_write }, { "verify", run_verify },
		{ "read", run_read }, { "erase", run_erase }, { "crc", run_crc }, { "go", run_go },
		{ "list", run_list }, { "parts", run_parts }, { "option-bytes", run_option_bytes },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(c->command, cmds[i].name))
			return cmds[i].fn(c);
	if (!strcmp(c->command, "read-protect") || !strcmp(c->command, "read-unprotect") ||
	    !strcmp(c->command, "write-protect") || !strcmp(c->command, "write-unprotect"))
		return run_protection(c, c->command);
	return cli_usage(&c->cli, "unknown command '%s'", c->command);
}
