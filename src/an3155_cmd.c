/*
 * an3155_cmd.c - the commands of the an3155 program: a session (port,
 * engine, part, geometry) and one function per command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an3155.h"
#include "an3155_tool.h"
#include "job.h"
#include "serial.h"

struct session {
	struct a3_config *c;
	struct sb_link link;
	bool link_open;
	struct an3155 *bl;
	const struct sb_part *part;
	struct sb_geom geom;
	bool have_geom;
	uint32_t flash_kb;     /* from the chip, 0: unknown */
	int64_t optr;          /* from the chip, -1: unread */
	bool protected;        /* Read Memory refused: RDP active */
	struct sb_diag d;
	const char *phase;     /* progress accounting across engine calls */
	uint64_t phase_base, phase_total;
	struct sb_lines lines; /* BOOT0/NRST, held for the whole job */
	bool lines_open;
	bool connected;        /* the ROM loader answered */
};

/* ---- session ------------------------------------------------------------ */

static void on_progress(void *ctx, uint32_t addr, size_t done, size_t total)
{
	struct session *s = ctx;

	(void)addr;
	(void)total;
	if (s->phase)
		cli_progress(&s->c->cli, s->phase, s->phase_base + done, s->phase_total);
}

static void phase_begin(struct session *s, const char *phase, uint64_t total)
{
	s->phase = phase;
	s->phase_base = 0;
	s->phase_total = total;
	cli_progress(&s->c->cli, phase, 0, total);
}

static void phase_end(struct session *s)
{
	cli_progress(&s->c->cli, s->phase, s->phase_total, s->phase_total);
	cli_progress_done(&s->c->cli);
	s->phase = NULL;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Geometry from the user's --flash-size/--page-size, or NULL-part fallback. */
static int explicit_geom(struct session *s)
{
	struct a3_config *c = s->c;
	uint8_t unit = (uint8_t)(c->write_unit ? c->write_unit : s->part ? s->part->write_unit : 4);
	uint32_t base = c->has_flash_base || !s->part ? c->flash_base : s->part->flash_base;

	if (sb_geom_explicit(base, c->flash_size, c->page_size, unit, &s->geom, &s->d))
		return SB_ERR_BAD_INPUT;
	s->have_geom = true;
	return SB_OK;
}

/* Flash size register and FLASH_OPTR, where the part has them and RDP allows. */
static int read_chip_config(struct session *s)
{
	uint8_t b[4];
	int err;

	s->optr = -1;
	if (s->part->flash_size_reg) {
		err = an3155_read(s->bl, s->part->flash_size_reg, b, 2, &s->d);
		if (err == SB_ERR_PROTECTED) {
			s->protected = true;
			return SB_OK;
		}
		if (err)
			return err;
		s->flash_kb = (uint32_t)b[0] | (uint32_t)b[1] << 8;
		if (s->flash_kb == 0xFFFF || s->flash_kb == 0)  /* protocol-facts E.1: 0xFFFF -> table */
			s->flash_kb = 0;
	}
	if (s->part->optr_addr) {
		err = an3155_read(s->bl, s->part->optr_addr, b, 4, &s->d);
		if (err)
			return err;
		s->optr = le32(b);
	}
	return SB_OK;
}

static int identify(struct session *s)
{
	const struct an3155_info *info = an3155_info(s->bl);
	int err;

	s->part = info->has_pid ? sb_part_by_pid(info->pid) : NULL;
	s->have_geom = false;
	if (s->part && (err = read_chip_config(s)))
		return err;
	if (s->c->flash_size)
		return explicit_geom(s);
	if (s->part) {
		err = sb_geom_for_part(s->part, s->flash_kb, s->optr, &s->geom, &s->d);
		s->have_geom = !err;
		return err;
	}
	return SB_OK;
}

static uint64_t clock_ms(void *ctx)
{
	(void)ctx;
	return cli_now_ms();
}

/* The ROM autobauds once per reset (protocol-facts A.1): re-enter it through the lines. */
static int lines_reset(void *ctx)
{
	struct session *s = ctx;

	return sb_lineopts_enter(&s->c->lo, &s->lines, &s->c->cli.log, &s->d);
}

/* Hold the lines for the job and run the entry sequence. */
static int lines_enter(struct session *s)
{
	struct a3_config *c = s->c;
	const struct sb_seq *job[2];
	size_t n = sb_lineopts_job(&c->lo, job);
	bool modem = sb_lineopts_needs_port(&c->lo, job, n);
	int err = sb_lineopts_open(&c->lo, job, n, modem ? &s->link : NULL, NULL, &s->lines, &s->d);

	if (err)
		return err;
	s->lines_open = true;
	return sb_lineopts_enter(&c->lo, &s->lines, &c->cli.log, &s->d);
}

/* No answer although the lines were driven: point at the wiring, not at a bare timeout. */
static void blame_wiring(struct session *s, int err)
{
	char boot0[64], nrst[64], msg[sizeof(s->d.msg)];

	if (!s->lines_open || (err != SB_ERR_TIMEOUT && err != SB_ERR_FRAMING))
		return;
	sb_linespec_where(&s->c->lo.boot0, boot0, sizeof(boot0));
	sb_linespec_where(&s->c->lo.nrst, nrst, sizeof(nrst));
	snprintf(msg, sizeof(msg),
		 "%s; the entry sequence drove BOOT0 on %s and NRST on %s: if these two are swapped or inverted (inv) the part never starts its ROM loader - try 'bootctl enter' with the same options and watch the board",
		 s->d.msg, s->c->lo.boot0.kind ? boot0 : "(not wired)", s->c->lo.nrst.kind ? nrst : "(not wired)");
	memcpy(s->d.msg, msg, sizeof(msg));
}

static int session_open(struct session *s, struct a3_config *c)
{
	struct serial_opts so = { .baud = c->baud, .log = &c->cli.log, .keep_latency = c->keep_latency };
	struct an3155_opts o;
	int err;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->optr = -1;
	if (!c->port) {
		sb_diag_set(&s->d, SB_ERR_NO_DEVICE, "no port given: use --port PORT or set STMBOOT_PORT (see 'an3155 list')");
		return SB_ERR_NO_DEVICE;
	}
	err = serial_open(c->port, &so, &s->link, &s->d);
	if (err)
		return err;
	s->link_open = true;
	if (c->lines && (err = lines_enter(s)))
		return err;
	an3155_default_opts(&o);
	o.retries = c->retries;
	o.sync_tries = c->sync_tries ? c->sync_tries : 1;
	if (c->write_unit)
		o.write_unit = c->write_unit;
	o.progress = on_progress;
	o.progress_ctx = s;
	o.now_ms = clock_ms;  /* BUSY bytes extend a wait only up to its deadline */
	if (s->lines_open) {
		o.reset = lines_reset;
		o.reset_ctx = s;
	}
	if ((err = an3155_new(&s->bl, &s->link, &c->cli.log, &o))) {
		sb_diag_set(&s->d, err, "cannot set up the protocol engine: %s", sb_strerror(err));
		return err;
	}
	if ((err = an3155_connect(s->bl, &s->d))) {
		blame_wiring(s, err);
		return err;
	}
	s->connected = true;
	return identify(s);
}

/* After a successful job the exit sequence starts the application; after a
 * failure the part stays in the ROM loader for another try. */
static int session_close(struct session *s, int err)
{
	if (s->lines_open) {
		if (!err)
			err = sb_lineopts_exit(&s->c->lo, &s->lines, &s->c->cli.log, &s->d);
		else if (s->connected)
			cli_info(&s->c->cli, "the part was left in its ROM loader ('bootctl run' starts the application)");
		sb_lines_close(&s->lines);
		s->lines_open = false;
	}
	an3155_free(s->bl);
	s->bl = NULL;
	if (s->link_open && s->link.ops->close)
		s->link.ops->close(s->link.h);
	s->link_open = false;
	return err;
}

/* Close the session and turn err into the exit status, reporting it. */
static int finish(struct session *s, int err, const char *what)
{
	err = session_close(s, err);
	return err ? cli_fail(&s->c->cli, err, &s->d, what) : EXIT_OK;
}

static int need_geom(struct session *s)
{
	if (s->have_geom)
		return SB_OK;
	if (!s->part)
		return sb_diag_set(&s->d, SB_ERR_UNSUPPORTED,
				   "part with PID 0x%03X is not in the device table: give --flash-size (and --page-size to erase pages)",
				   an3155_info(s->bl)->pid);
	return sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "flash geometry unknown");
}

/* ---- info ------------------------------------------------------------- */

static void optr_text(uint32_t optr, char *buf, size_t len)
{
	/* FLASH_OPTR bits of the L4/L4+/G4 (protocol-facts E.4) */
	snprintf(buf, len, "0x%08X: RDP=0x%02X DBANK=%u DB1M=%u BFB2=%u nBOOT0=%u nSWBOOT0=%u nBOOT1=%u",
		 optr, optr & 0xFF, optr >> 22 & 1, optr >> 21 & 1, optr >> 20 & 1, optr >> 27 & 1,
		 optr >> 26 & 1, optr >> 23 & 1);
}

static int rdp_level(const struct session *s)
{
	uint32_t rdp;

	if (s->protected)
		return 1;
	if (s->optr < 0)
		return 0;
	rdp = (uint32_t)s->optr & 0xFF;   /* 0xAA level 0, 0xCC level 2, else 1 (E.4) */
	return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

static void print_info_text(struct session *s, const char *cmds, const char *geom, int bl_id)
{
	const struct an3155_info *i = an3155_info(s->bl);
	char opt[160];

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
	if (s->optr >= 0) {
		optr_text((uint32_t)s->optr, opt, sizeof(opt));
		printf("options     OPTR %s\n", opt);
		if (!(s->optr >> 26 & 1))
			printf("warning     nSWBOOT0=0: the BOOT0 pin is ignored, nBOOT0=%u decides\n",
			       (unsigned)(s->optr >> 27 & 1));
		if (s->optr >> 20 & 1)
			printf("warning     BFB2=1: the ROM boots bank 2 first when its vector table is valid\n");
	}
}

static int cmd_info(struct session *s)
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

static int check_files(struct session *s)
{
	struct job_files f = files_of(s->c);

	return job_check(&f, &s->geom, &s->d);
}

static int do_erase_plan(struct session *s, const struct sb_plan *p)
{
	uint16_t *pages;
	int err;

	if (p->mass_erase) {
		phase_begin(s, "erase", 1);
		err = an3155_erase_special(s->bl, AN3155_ERASE_MASS, &s->d);
		phase_end(s);
		return err;
	}
	if (p->npages == 0)
		return SB_OK;
	pages = malloc(p->npages * sizeof(*pages));
	if (!pages)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < p->npages; i++)
		pages[i] = (uint16_t)p->pages[i];
	phase_begin(s, "erase", p->npages);
	err = an3155_erase_pages(s->bl, pages, p->npages, &s->d);
	phase_end(s);
	free(pages);
	return err;
}

static int do_write_plan(struct session *s, const struct sb_plan *p)
{
	int err = SB_OK;

	phase_begin(s, "write", p->write_bytes);
	for (size_t i = 0; i < p->nblocks && !err; i++) {
		const struct sb_plan_block *b = &p->blocks[i];
		err = an3155_write(s->bl, b->addr, b->data, b->len, &s->d);
		s->phase_base += b->len;
	}
	phase_end(s);
	return err;
}

/*
 * Compare flash with segs (CRC through 0xA1 where the ROM has it, else
 * read-back). written: this job erased and wrote them, so a unit still
 * erased is programmed now (an3155_verify_written).
 */
static int do_verify(struct session *s, const struct sb_segment *seg, size_t n, bool written)
{
	uint64_t total = 0;
	int err = SB_OK;

	for (size_t i = 0; i < n; i++)
		total += seg[i].len;
	phase_begin(s, "verify", total);
	for (size_t i = 0; i < n && !err; i++) {
		err = (written ? an3155_verify_written : an3155_verify)(s->bl, seg[i].addr, seg[i].data,
								       seg[i].len, &s->d);
		s->phase_base += seg[i].len;
	}
	phase_end(s);
	return err;
}

static const char *verify_method(const struct session *s)
{
	return an3155_has(s->bl, AN3155_CMD_GET_CHECKSUM) ? "crc" : "read-back";
}

/* Was the part blank (first double-word erased) before this write? */
static bool part_blank(struct session *s)
{
	uint8_t b[8];

	if (an3155_read(s->bl, s->geom.base, b, sizeof(b), NULL))
		return false;
	for (size_t i = 0; i < sizeof(b); i++)
		if (b[i] != 0xFF)
			return false;
	return true;
}

static int read_unprotect_first(struct session *s)
{
	int err;

	cli_info(&s->c->cli, "removing read protection: the part mass-erases its flash");
	err = an3155_readout_unprotect(s->bl, &s->d);
	if (!err)
		err = an3155_reconnect(s->bl, &s->d);
	if (!err) {
		s->protected = false;
		err = identify(s);
	}
	return err;
}

static void warn_boot_config(struct session *s, const struct sb_plan *p)
{
	if (s->optr < 0)
		return;
	if ((s->optr >> 20 & 1) && s->geom.bank2 && p->nseg && p->seg[p->nseg - 1].addr < s->geom.bank2)
		cli_warn(&s->c->cli, "BFB2 is set: the part boots bank 2 (0x%08X) first when its vector table is valid; this image is in bank 1 only",
			 s->geom.bank2);
	if (!(s->optr >> 26 & 1))
		cli_warn(&s->c->cli, "nSWBOOT0=0: the BOOT0 pin is ignored, so reset lines cannot select the ROM loader");
}

static int go_after_write(struct session *s, const struct sb_plan *p, bool was_blank)
{
	uint32_t addr = s->c->has_go_addr ? s->c->go_addr : p->seg[0].addr;
	int err = an3155_go(s->bl, addr, &s->d);

	if (!err && was_blank)
		cli_info(&s->c->cli, "the part was blank: its empty-check flag stays set until a power cycle, so a reset through NRST enters the ROM loader again");
	return err;
}

static int write_connected(struct session *s, const struct sb_image *img, uint64_t t0)
{
	struct a3_config *c = s->c;
	struct sb_plan_opts po = { .block_size = 256, .keep_erased_blocks = c->keep_erased_blocks, .erase = c->erase };
	struct sb_plan p;
	bool was_blank = false;
	int err;

	if (c->read_unprotect && (err = read_unprotect_first(s)))
		return err;
	if (s->protected)
		return sb_diag_set(&s->d, SB_ERR_PROTECTED,
				   "read protection is active: writing is refused; 'an3155 write --read-unprotect --force' wipes the flash and removes it");
	if ((err = need_geom(s)) || (err = check_files(s)))
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
	err = do_erase_plan(s, &p);
	if (!err)
		err = do_write_plan(s, &p);
	if (!err && c->verify)
		err = do_verify(s, p.seg, p.nseg, c->erase != SB_ERASE_NONE);
	if (!err && c->go)
		err = go_after_write(s, &p, was_blank);
	if (!err) {
		cli_event(&c->cli, "result",
			  "\"ok\":true,\"command\":\"write\",\"bytes\":%llu,\"written_bytes\":%llu,\"erased_pages\":%zu,"
			  "\"skipped_blocks\":%zu,\"verify\":\"%s\",\"ms\":%llu",
			  (unsigned long long)p.image_bytes, (unsigned long long)p.write_bytes, p.npages, p.nskipped,
			  c->verify ? verify_method(s) : "none", (unsigned long long)(cli_now_ms() - t0));
		cli_info(&c->cli, "wrote %llu bytes (%zu blocks, %zu of 0xFF skipped), erased %zu page(s), %s, %.1f s",
			 (unsigned long long)p.image_bytes, p.nblocks, p.nskipped, p.npages,
			 c->verify ? (an3155_has(s->bl, AN3155_CMD_GET_CHECKSUM) ? "verified by CRC" : "verified by read-back")
				   : "not verified",
			 (double)(cli_now_ms() - t0) / 1000.0);
	}
	sb_plan_free(&p);
	return err;
}

static int cmd_write_offline(struct a3_config *c, const struct sb_image *img);

static int run_write(struct a3_config *c)
{
	struct sb_image img;
	struct session s;
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
	err = session_open(&s, c);
	if (!err)
		err = write_connected(&s, &img, t0);
	sb_image_free(&img);
	return finish(&s, err, "write");
}

/* --dry-run without a port: geometry from the options or the L4R5 row. */
static int cmd_write_offline(struct a3_config *c, const struct sb_image *img)
{
	struct session s;
	int err;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.optr = -1;
	if (c->flash_size)
		err = explicit_geom(&s);
	else {
		s.part = sb_part_by_pid(0x470);
		err = sb_geom_for_part(s.part, 0, -1, &s.geom, &s.d);
		s.have_geom = !err;
		cli_info(&c->cli, "no port: planning for %s with factory option bytes (give --port to ask the chip)",
			 s.part->name);
	}
	if (!err)
		err = write_connected(&s, img, cli_now_ms());
	return finish(&s, err, "write");
}

static int run_verify(struct a3_config *c)
{
	struct sb_image img;
	struct session s;
	struct sb_diag d = { 0 };
	int err;

	struct job_files f = files_of(c);

	if ((err = job_load(&f, &img, &d)))
		return cli_fail(&c->cli, err, &d, NULL);
	err = session_open(&s, c);
	if (!err && s.protected)
		err = sb_diag_set(&s.d, SB_ERR_PROTECTED, "read protection is active: flash cannot be read");
	if (!err && !(err = need_geom(&s)) && !(err = check_files(&s)))
		err = do_verify(&s, img.seg, img.nseg, false);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"verify\",\"bytes\":%llu,\"method\":\"%s\"",
			  (unsigned long long)sb_image_size(&img), verify_method(&s));
		cli_info(&c->cli, "verified %llu bytes: flash matches", (unsigned long long)sb_image_size(&img));
	}
	sb_image_free(&img);
	return finish(&s, err, "verify");
}

/* ---- read, crc, go ------------------------------------------------------- */

static int run_read(struct a3_config *c)
{
	struct session s;
	uint32_t addr, len;
	int used = job_parse_addr_len(c->args, c->nargs, 0, &addr, &len), err;
	uint8_t *buf;

	if (!used || c->nargs != used + 1)
		return cli_usage(&c->cli, "read ADDR LEN FILE (or read ADDR:LEN FILE)");
	if (!(buf = malloc(len)))
		return cli_fail(&c->cli, SB_ERR_NOMEM, NULL, "read");
	err = session_open(&s, c);
	if (!err) {
		phase_begin(&s, "read", len);
		err = an3155_read(s.bl, addr, buf, len, &s.d);
		phase_end(&s);
	}
	if (!err)
		err = cli_write_file(c->args[used], buf, len, &s.d);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"read\",\"address\":%u,\"bytes\":%u", addr, len);
		cli_info(&c->cli, "read %u bytes from 0x%08X into %s", len, addr, c->args[used]);
	}
	free(buf);
	return finish(&s, err, "read");
}

static int run_crc(struct a3_config *c)
{
	struct session s;
	uint32_t addr, len, crc = 0;
	int used = job_parse_addr_len(c->args, c->nargs, 0, &addr, &len), err;

	if (!used || c->nargs != used)
		return cli_usage(&c->cli, "crc ADDR LEN (both multiples of 4)");
	if (addr % 4 || len % 4)
		return cli_usage(&c->cli, "crc: address and length must be multiples of 4");
	err = session_open(&s, c);
	if (!err) {
		phase_begin(&s, "crc", len);
		err = an3155_crc(s.bl, addr, len, &crc, &s.d);
		phase_end(&s);
	}
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"crc\",\"address\":%u,\"bytes\":%u,\"crc\":%u",
			  addr, len, crc);
		if (!c->cli.json)
			printf("0x%08X\n", crc);
	}
	return finish(&s, err, "crc");
}

static int run_go(struct a3_config *c)
{
	struct session s;
	uint32_t addr = c->flash_base;
	int err;

	if (c->nargs > 1 || (c->nargs == 1 && !cli_parse_u32(c->args[0], &addr)))
		return cli_usage(&c->cli, "go [ADDR]");
	err = session_open(&s, c);
	if (!err)
		err = an3155_go(s.bl, addr, &s.d);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"go\",\"address\":%u", addr);
		cli_info(&c->cli, "started the application at 0x%08X", addr);
	}
	return finish(&s, err, "go");
}

/* ---- erase ---------------------------------------------------------------- */

static int erase_selected(struct session *s)
{
	struct a3_config *c = s->c;
	uint32_t *pages, addr, len;
	uint16_t *p16;
	size_t n = 0;
	int err;

	if (c->all)
		return an3155_erase_special(s->bl, AN3155_ERASE_MASS, &s->d);
	if ((err = need_geom(s)))
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
		phase_begin(s, "erase", n);
		err = an3155_erase_pages(s->bl, p16, n, &s->d);
		phase_end(s);
	}
	free(pages);
	free(p16);
	return err;
}

static int run_erase(struct a3_config *c)
{
	struct session s;
	int chosen = (c->all != 0) + (c->bank != 0) + (c->pages != NULL) + (c->nargs > 0);
	int err;

	if (chosen != 1)
		return cli_usage(&c->cli, "erase: give exactly one of RANGE, --pages LIST, --bank N, --all");
	err = session_open(&s, c);
	if (!err && s.protected)
		err = sb_diag_set(&s.d, SB_ERR_PROTECTED, "read protection is active: erase is refused (read-unprotect --force wipes the flash)");
	if (!err)
		err = erase_selected(&s);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"erase\"");
		cli_info(&c->cli, "erased");
	}
	return finish(&s, err, "erase");
}

/* ---- protection ---------------------------------------------------------- */

static int run_protection(struct a3_config *c, const char *cmd)
{
	struct session s;
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
	err = session_open(&s, c);
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
	return finish(&s, err, cmd);
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
	struct session s;
	int err = session_open(&s, c);

	if (!err)
		err = cmd_info(&s);
	return finish(&s, err, "info");
}

int a3_run(struct a3_config *c)
{
	static const struct {
		const char *name;
		int (*fn)(struct a3_config *);
	} cmds[] = {
		{ "info", run_info }, { "write", run_write }, { "verify", run_verify },
		{ "read", run_read }, { "erase", run_erase }, { "crc", run_crc }, { "go", run_go },
		{ "list", run_list }, { "parts", run_parts },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(c->command, cmds[i].name))
			return cmds[i].fn(c);
	if (!strcmp(c->command, "read-protect") || !strcmp(c->command, "read-unprotect") ||
	    !strcmp(c->command, "write-protect") || !strcmp(c->command, "write-unprotect"))
		return run_protection(c, c->command);
	return cli_usage(&c->cli, "unknown command '%s'", c->command);
}
