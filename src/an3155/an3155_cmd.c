/* SPDX-License-Identifier: MIT */
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

static const char *src_name(enum sb_fact_src src)
{
	static const char *const names[] = { "unknown", "chip", "device table", "options" };

	return names[src];
}

/* "WRP1A pages 0-3, WRP2A pages 256-257", "none" or "unknown". */
static void wrp_text(const struct sb_chip *ch, char *buf, size_t len)
{
	size_t n = 0;

	if (!ch->wrp_known) {
		snprintf(buf, len, "unknown (option bytes not readable)");
		return;
	}
	snprintf(buf, len, "none");
	for (unsigned i = 0; i < ch->nwrp && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s pages %u-%u", i ? ", " : "",
				      ch->wrp[i].name, ch->wrp[i].first, ch->wrp[i].last);
}

static void wrp_json(const struct sb_chip *ch, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "[");

	for (unsigned i = 0; i < ch->nwrp && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s{\"area\":\"%s\",\"first\":%u,\"last\":%u}",
				      i ? "," : "", ch->wrp[i].name, ch->wrp[i].first, ch->wrp[i].last);
	if (n < len)
		snprintf(buf + n, len - n, "]");
}

static void notes_json(const struct sb_chip *ch, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "[");
	char esc[400];

	for (unsigned i = 0; i < ch->nnotes && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s\"%s\"", i ? "," : "",
				      cli_json_str(esc, sizeof(esc), ch->notes[i]));
	if (n < len)
		snprintf(buf + n, len - n, "]");
}

static void print_protection(const struct a3_session *s)
{
	char wrp[256];
	int rdp = sb_chip_rdp(&s->chip);

	printf("protection  %s\n", s->protected ? "read protection active (level 1): reads refused"
				  : rdp < 0 ? "read protection unknown (option bytes not readable)"
				  : rdp ? "read protection set" : "none (level 0)");
	if (s->protected)
		return;
	wrp_text(&s->chip, wrp, sizeof(wrp));
	printf("write-prot  %s\n", wrp);
}

static void print_info_text(struct a3_session *s, const char *cmds, const char *geom, int bl_id)
{
	const struct an3155_info *i = an3155_info(s->bl);
	const struct sb_chip *ch = &s->chip;

	printf("bootloader  USART protocol v%u.%u", i->version >> 4, i->version & 0xF);
	if (bl_id >= 0)
		printf(", bootloader ID 0x%02X", bl_id);
	printf("\ncommands    %s\n", cmds);
	printf("part        PID 0x%03X %s\n", i->pid, s->part ? s->part->name : "(not in the device table)");
	if (s->have_geom)
		printf("flash       %u KB at 0x%08X (size from the %s): %s%s%s\n", s->geom.size / 1024,
		       s->geom.base, src_name(ch->size_src), ch->pages_known ? geom : "pages unknown",
		       ch->pages_known && ch->bank_src == SB_SRC_CHIP ? " (bank mode from the option bytes)" : "",
		       ch->pages_known ? "" : " (give --page-size to erase by page)");
	print_protection(s);
	if (s->optr >= 0)
		job_print_optr((uint32_t)s->optr);
	for (unsigned k = 0; k < ch->nnotes; k++)
		printf("note        %s\n", ch->notes[k]);
}

static int cmd_info(struct a3_session *s)
{
	const struct an3155_info *i = an3155_info(s->bl);
	char cmds[256] = "", geom[128] = "", esc[256], wrp[512], notes[1600];
	size_t n = 0;
	int bl_id = -1;
	uint8_t b;

	for (unsigned k = 0; k < i->ncmd && n + 4 < sizeof(cmds); k++)
		n += (size_t)snprintf(cmds + n, sizeof(cmds) - n, "%s%02X", k ? " " : "", i->cmd[k]);
	if (s->have_geom)
		sb_geom_describe(&s->geom, geom, sizeof(geom));
	/* Bootloader ID: in system memory, which Read Memory serves (protocol-facts
	 * A.5), where AN2606 puts it for the part (devtable.c; 0x1FFF6FFE on the
	 * L4R5, protocol-facts C); not read where no source says. */
	if (s->part && !s->protected && s->part->bl_id_addr &&
	    an3155_read(s->bl, s->part->bl_id_addr, &b, 1, NULL) == SB_OK)
		bl_id = b;
	if (s->c->cli.json) {
		wrp_json(&s->chip, wrp, sizeof(wrp));
		notes_json(&s->chip, notes, sizeof(notes));
		cli_event(&s->c->cli, "info",
			  "\"version\":%u,\"commands\":\"%s\",\"pid\":%u,\"part\":\"%s\",\"bootloader_id\":%d,"
			  "\"flash_base\":%u,\"flash_size\":%u,\"flash_size_source\":\"%s\",\"geometry\":\"%s\","
			  "\"pages_known\":%s,\"protected\":%s,\"rdp\":%d,\"optr\":%lld,"
			  "\"write_protection_known\":%s,\"write_protection\":%s,\"notes\":%s",
			  i->version, cmds, i->pid, s->part ? s->part->name : "", bl_id,
			  s->have_geom ? s->geom.base : 0, s->have_geom ? s->geom.size : 0,
			  src_name(s->chip.size_src), cli_json_str(esc, sizeof(esc), geom),
			  s->chip.pages_known ? "true" : "false", s->protected ? "true" : "false",
			  sb_chip_rdp(&s->chip), (long long)s->optr,
			  s->chip.wrp_known ? "true" : "false", wrp, notes);
		return SB_OK;
	}
	print_info_text(s, cmds, geom, bl_id);
	return SB_OK;
}

/* ---- write / verify ------------------------------------------------------ */

static int check_files(struct a3_session *s, const struct sb_image *img)
{
	struct job_files f = job_files_of(s->c->args, s->c->nargs, &s->c->job);

	return job_check(&f, img, &s->geom, &s->d);
}

/*
 * Erase the whole flash: a global mass erase, or on parts whose ROM has
 * none (L0/L1: stm32flash F_NO_ME, devtable.c) every page by number.
 */
int a3_erase_all(struct a3_session *s)
{
	uint16_t *pages;
	int err;

	if (!s->part || !(s->part->flags & SB_PART_NO_MASS_ERASE) || !s->chip.pages_known || !s->geom.npages) {
		a3_phase_begin(s, "erase", 1);
		err = an3155_erase_special(s->bl, AN3155_ERASE_MASS, &s->d);
		a3_phase_end(s);
		return err;
	}
	if (!(pages = malloc(s->geom.npages * sizeof(*pages))))
		return SB_ERR_NOMEM;
	for (uint32_t i = 0; i < s->geom.npages; i++)
		pages[i] = (uint16_t)i;
	cli_info(&s->c->cli, "%s has no mass erase in its ROM: erasing all %u pages", s->part->name,
		 s->geom.npages);
	a3_phase_begin(s, "erase", s->geom.npages);
	err = an3155_erase_pages(s->bl, pages, s->geom.npages, &s->d);
	a3_phase_end(s);
	free(pages);
	return err;
}

static int do_erase_plan(struct a3_session *s, const struct sb_plan *p)
{
	if (p->mass_erase)
		return a3_erase_all(s);
	if (p->npages == 0)
		return SB_OK;
	return a3_erase_pages(s, p->pages, p->npages, "erase", &s->d);
}

/* ---- page repair ------------------------------------------------------------ */

/*
 * A page this job erased that ends up holding other data than the image -
 * AN3155's XOR checksum misses two flips of the same bit in one frame, and
 * the ROM then ACKs and programs them (protocol-facts A.3), or a filler byte
 * completed a frame by chance - cannot be corrected in place: a double-word
 * is programmed once per erase (protocol-facts A.7). It can be erased and
 * written again, and that is what a careful host does before calling the
 * job failed: at most A3_PAGE_REPAIRS times a page, A3_JOB_REPAIRS in all.
 * Pages the job did not erase (--no-erase) are never repaired: their other
 * contents are not ours to erase.
 */
enum { A3_PAGE_REPAIRS = 2, A3_JOB_REPAIRS = 16 };

struct a3_job {
	const struct sb_plan *plan;
	uint32_t page[A3_JOB_REPAIRS];
	unsigned count[A3_JOB_REPAIRS], n, total;
	unsigned pages_repaired;
};

static bool plan_erased(const struct sb_plan *p, uint32_t page)
{
	if (p->mass_erase)
		return true;
	for (size_t i = 0; i < p->npages; i++)
		if (p->pages[i] == page)
			return true;
	return false;
}

/* Count a repair of page; false when its budget or the job's is spent. */
static bool take_repair(struct a3_job *j, uint32_t page)
{
	unsigned i = 0;

	while (i < j->n && j->page[i] != page)
		i++;
	if (i == j->n) {
		if (j->n == A3_JOB_REPAIRS)
			return false;
		j->page[j->n] = page;
		j->count[j->n++] = 0;
	}
	if (j->count[i] >= A3_PAGE_REPAIRS || j->total >= A3_JOB_REPAIRS)
		return false;
	j->count[i]++;
	j->total++;
	return true;
}

/* Erase the page holding addr and write the plan's blocks in it again, as
 * often as the budget allows while the rewrite itself meets garbage in that
 * page. *start: the page's first address. SB_ERR_VERIFY when it may not be
 * repaired. */
static int repair_page(struct a3_session *s, struct a3_job *j, uint32_t addr, uint32_t *start)
{
	uint32_t page, size;
	uint16_t p16;
	int err = SB_ERR_VERIFY;

	if (!j || !sb_geom_page(&s->geom, addr, &page, start, &size) || !plan_erased(j->plan, page))
		return SB_ERR_VERIFY;
	while (err == SB_ERR_VERIFY && s->d.has_addr && s->d.addr - *start < size &&
	       take_repair(j, page)) {
		cli_warn(&s->c->cli, "%s; page %u (0x%08X) was erased by this job: erasing and writing it again",
			 s->d.msg, page, *start);
		j->pages_repaired++;
		p16 = (uint16_t)page;
		err = an3155_erase_pages(s->bl, &p16, 1, &s->d);
		for (size_t i = 0; i < j->plan->nblocks && !err; i++) {
			const struct sb_plan_block *b = &j->plan->blocks[i];

			if (b->addr >= *start && b->addr - *start < size)
				err = an3155_write(s->bl, b->addr, b->data, b->len, &s->d);
		}
	}
	return err;
}

static int do_write_plan(struct a3_session *s, const struct sb_plan *p, struct a3_job *j)
{
	int err = SB_OK;

	a3_phase_begin(s, "write", p->write_bytes);
	for (size_t i = 0; i < p->nblocks && !err; i++) {
		const struct sb_plan_block *b = &p->blocks[i];
		uint32_t start, page, size;

		err = an3155_write(s->bl, b->addr, b->data, b->len, &s->d);
		s->phase.base += b->len;
		/* garbage a lost byte let through, which cannot be programmed over */
		if (err != SB_ERR_VERIFY || !s->d.has_addr ||
		    (err = repair_page(s, j, s->d.addr, &start)) != SB_OK)
			continue;
		/* the repair wrote the page's blocks: go on after the page */
		sb_geom_page(&s->geom, start, &page, &start, &size);
		while (i + 1 < p->nblocks && p->blocks[i + 1].addr - start < size)
			s->phase.base += p->blocks[++i].len;
	}
	a3_phase_end(s);
	return err;
}

/* Verify [addr, addr+len); a difference in a page the job erased is repaired
 * and the rest verified again from that page's start. */
static int verify_range(struct a3_session *s, struct a3_job *j, uint32_t addr,
			const uint8_t *data, size_t len)
{
	for (;;) {
		struct sb_diag mismatch;
		uint32_t start;
		size_t off;
		int err = (j ? an3155_verify_written : an3155_verify)(s->bl, addr, data, len, &s->d);

		if (err != SB_ERR_VERIFY || !s->d.has_addr)
			return err;
		mismatch = s->d;
		err = repair_page(s, j, s->d.addr, &start);
		if (err == SB_ERR_VERIFY && !s->d.has_addr)
			s->d = mismatch;
		if (err)
			return err;
		off = start > addr ? start - addr : 0;
		s->phase.base += off;
		addr += (uint32_t)off;
		data += off;
		len -= off;
	}
}

/*
 * Compare flash with segs (CRC through 0xA1 where the ROM has it, else
 * read-back). j: this job erased and wrote them, so a unit still erased is
 * programmed now (an3155_verify_written) and a page that differs is repaired.
 */
static int do_verify(struct a3_session *s, const struct sb_segment *seg, size_t n, struct a3_job *j)
{
	uint64_t total = 0;
	int err = SB_OK;

	for (size_t i = 0; i < n; i++)
		total += seg[i].len;
	a3_phase_begin(s, "verify", total);
	for (size_t i = 0; i < n && !err; i++) {
		uint64_t base = s->phase.base;

		err = verify_range(s, j, seg[i].addr, seg[i].data, seg[i].len);
		s->phase.base = base + seg[i].len;
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

/* ---- write protection, found before anything is erased ---------------------- */

/* Append page to a "3-5, 9" list of runs. */
static void add_page(char *buf, size_t len, uint32_t page, uint32_t *run_first, uint32_t *prev,
		     bool *open)
{
	size_t n = strlen(buf);

	if (*open && page == *prev + 1) {
		*prev = page;
		return;
	}
	if (*open && *prev != *run_first)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "-%u", *prev);
	if (n < len)
		snprintf(buf + n, len - n, "%s%u", *open ? ", " : "", page);
	*run_first = *prev = page;
	*open = true;
}

/*
 * The ROM skips write-protected pages without an error (AN3155 §3.6: erase
 * and Write Memory are ACKed, the page keeps its data), so a write onto them
 * would only fail at verify, after everything else was erased. Refuse before
 * the first erase, naming the pages and the areas. pages[] ascending.
 */
static int check_wrp(struct a3_session *s, const uint32_t *pages, size_t n, bool mass)
{
	const struct sb_chip *ch = &s->chip;
	const struct sb_wrp_area *area = NULL;
	char list[256] = "", areas[64] = "";
	uint32_t first = 0, prev = 0;
	bool open = false;

	if (mass && ch->nwrp)   /* a protected page blocks a mass erase (RM0432 WRPERR) */
		return sb_diag_set(&s->d, SB_ERR_PROTECTED,
				   "the flash has write-protected pages (%s %u-%u): a mass erase would"
				   " fail; run 'an3155 write-unprotect' first (the part resets)",
				   ch->wrp[0].name, ch->wrp[0].first, ch->wrp[0].last);
	for (size_t i = 0; i < n; i++) {
		const struct sb_wrp_area *a = sb_chip_wrp(ch, pages[i]);

		if (!a)
			continue;
		add_page(list, sizeof(list), pages[i], &first, &prev, &open);
		if (a != area && strlen(areas) + 8 < sizeof(areas))
			snprintf(areas + strlen(areas), sizeof(areas) - strlen(areas), "%s%s",
				 area ? ", " : "", a->name);
		area = a;
	}
	if (!open)
		return SB_OK;
	if (prev != first)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "-%u", prev);
	return sb_diag_set(&s->d, SB_ERR_PROTECTED,
			   "%s %s %s write-protected (%s): the bootloader would skip %s"
			   " silently; nothing was erased. Run 'an3155 write-unprotect' first (the"
			   " part resets)", strpbrk(list, ",-") ? "pages" : "page", list,
			   strpbrk(list, ",-") ? "are" : "is", areas,
			   strpbrk(list, ",-") ? "them" : "it");
}

/* Pages the plan erases, or that its blocks write into when nothing is erased. */
static int plan_wrp(struct a3_session *s, const struct sb_plan *p)
{
	uint32_t *pages;
	size_t n = 0;
	int err;

	if (!s->chip.nwrp)
		return SB_OK;
	if (p->mass_erase || p->npages)
		return check_wrp(s, p->pages, p->npages, p->mass_erase);
	pages = calloc(p->nblocks ? p->nblocks * 2 : 1, sizeof(*pages));
	if (!pages)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < p->nblocks; i++) {
		uint32_t ends[2] = { p->blocks[i].addr, p->blocks[i].addr + p->blocks[i].len - 1 };

		for (int k = 0; k < 2; k++) {
			uint32_t pg, pa, ps;

			if (sb_geom_page(&s->geom, ends[k], &pg, &pa, &ps) && (!n || pages[n - 1] != pg))
				pages[n++] = pg;
		}
	}
	err = check_wrp(s, pages, n, false);
	free(pages);
	return err;
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

/*
 * Start the application once. With reset lines the exit sequence starts it
 * from a reset (a clean start), so Go is not sent too - unless an address
 * was given, or the part was blank before this write: its empty-check flag
 * may survive an NRST reset and bring the ROM back (protocol-facts C "Empty
 * check", INF). Then Go starts it and the lines are only parked (BOOT0 low,
 * NRST released) instead of running the exit sequence's reset.
 */
static int go_after_write(struct a3_session *s, const struct sb_plan *p, bool was_blank)
{
	uint32_t addr = s->c->has_go_addr ? s->c->go_addr : p->seg[0].addr;
	int err;

	if (s->lines_open && !s->c->has_go_addr && !was_blank) {
		cli_info(&s->c->cli, "the exit sequence starts the application (no Go needed)");
		return SB_OK;
	}
	err = an3155_go(s->bl, addr, &s->d);
	if (!err)
		s->app_started = true;
	if (!err && was_blank && !s->lines_open)
		cli_info(&s->c->cli, "the part was blank: its empty-check flag stays set until a power cycle, so a reset through NRST enters the ROM loader again");
	return err;
}

/* The plan over the ROM protocol: read-first through the plan runner, or
 * erase, write and verify with page repair (j: this job's repairs). */
static int rom_write(struct a3_session *s, struct sb_plan *p, struct a3_job *j)
{
	struct a3_job *rep = s->c->job.erase != SB_ERASE_NONE ? j : NULL;
	int err;

	j->plan = p;
	if (p->read_first)
		return a3_plan_run(s, p);
	err = do_erase_plan(s, p);
	if (!err)
		err = do_write_plan(s, p, rep);
	if (!err && s->c->job.verify)
		err = do_verify(s, p->seg, p->nseg, rep);
	return err;
}

static void report_write(struct a3_session *s, const struct sb_plan *p, const struct a3_fast_result *fr,
			 const struct a3_job *j, uint64_t t0)
{
	char plan[256];

	struct a3_config *c = s->c;
	const char *how = !c->job.verify ? "none" : fr->used ? "loader-crc" : verify_method(s);
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
	else {
		a3_plan_json(p, plan, sizeof(plan));
		cli_event(&c->cli, "result",
			  "\"ok\":true,\"command\":\"write\",\"bytes\":%llu,\"written_bytes\":%llu,\"erased_pages\":%zu,"
			  "\"skipped_blocks\":%zu%s,\"verify\":\"%s\",\"via\":\"rom\",\"repaired_pages\":%u,\"ms\":%llu",
			  (unsigned long long)p->image_bytes, (unsigned long long)written, erased + p->nreerased,
			  p->nskipped, plan, how, j->pages_repaired, (unsigned long long)(cli_now_ms() - t0));
	}
	if (fr->used)
		cli_info(&c->cli, "wrote %llu bytes through the loader at %u baud (%zu page(s) already held them), erased %zu page(s), %s, %.1f s",
			 (unsigned long long)p->image_bytes, fr->baud, fr->unchanged_pages, erased,
			 c->job.verify ? "verified by CRC on the part" : "not verified",
			 (double)(cli_now_ms() - t0) / 1000.0);
	else
		cli_info(&c->cli, "wrote %llu bytes (%zu blocks, %zu of 0xFF skipped), erased %zu page(s), %s, %.1f s",
			 (unsigned long long)p->image_bytes, p->nblocks, p->nskipped, erased,
			 !c->job.verify ? "not verified" : !strcmp(how, "crc") ? "verified by CRC" : "verified by read-back",
			 (double)(cli_now_ms() - t0) / 1000.0);
}

static int write_connected(struct a3_session *s, const struct sb_image *img, uint64_t t0)
{
	struct a3_config *c = s->c;
	struct sb_plan_opts po = { .block_size = 256, .keep_erased_blocks = c->job.keep_erased_blocks, .erase = c->job.erase };
	struct a3_fast_result fr = { 0 };
	struct sb_plan p;
	struct a3_job job = { 0 };
	bool was_blank = false;
	int err;

	if (c->job.read_unprotect && c->job.dry_run) {
		/* a dry run touches nothing: the unprotect (a mass erase) is only said */
		cli_info(&c->cli, "dry run: --read-unprotect would first remove read protection, mass-erasing the whole flash; not done");
		if (s->protected)
			return SB_OK;   /* a protected part shows nothing more before that */
	} else if (c->job.read_unprotect && (err = read_unprotect_first(s))) {
		return err;
	}
	if (s->protected)
		return sb_diag_set(&s->d, SB_ERR_PROTECTED,
				   "read protection is active: writing is refused; 'an3155 write --read-unprotect --force' wipes the flash and removes it");
	if ((err = a3_need_geom(s)) || (err = check_files(s, img)))
		return err;
	if ((err = sb_plan_build(img, &s->geom, &po, &p, &s->d)))
		return err;
	/* a dry run of --read-unprotect: the flash will be erased, what it holds now does not count */
	if (s->bl && c->job.read_first && !(c->job.read_unprotect && c->job.dry_run) && sb_plan_can_read_first(&p) &&
	    (err = a3_plan_read_first(s, &p))) {
		sb_plan_free(&p);
		return err;
	}
	job_print_plan(&c->cli, &s->geom, &p, c->job.verify);
	warn_boot_config(s, &p);
	if ((err = plan_wrp(s, &p))) {
		sb_plan_free(&p);
		return err;
	}
	if (c->job.dry_run) {
		sb_plan_free(&p);
		return SB_OK;
	}
	was_blank = c->go && part_blank(s);
	err = c->fast ? a3_fast_write(s, &p, &fr) : SB_OK;
	if (!err && !fr.used)
		err = rom_write(s, &p, &job);
	if (!err && c->go)
		err = go_after_write(s, &p, was_blank);
	if (!err)
		report_write(s, &p, &fr, &job, t0);
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

	if (c->job.read_unprotect && !c->job.force)
		return cli_usage(&c->cli, "--read-unprotect mass-erases the whole flash; add --force to do it");
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);

	if ((err = job_load(&f, &img, &d)))   /* before the port is even opened */
		return cli_fail(&c->cli, err, &d, NULL);
	if (c->job.dry_run && !c->port) {
		err = cmd_write_offline(c, &img);
		sb_image_free(&img);
		return err;
	}
	struct sb_image special = { 0 };

	err = a3_session_open(&s, c);
	if (!err)   /* OTP and SRAM, behind --force (an3155_special.c) */
		err = a3_special_take(&s, &img, &special);
	if (!err)
		err = a3_special_write(&s, &special);
	if (!err)
		err = write_connected(&s, &img, t0);
	sb_image_free(&img);
	sb_image_free(&special);
	return a3_finish(&s, err, "write");
}

/* --dry-run without a port: geometry from the options or the L4R5 row. */
static int cmd_write_offline(struct a3_config *c, const struct sb_image *img)
{
	struct a3_session s;
	int err;

	memset(&s, 0, sizeof(s));
	s.c = c;
	err = a3_offline_geom(&s, sb_part_by_pid(0x470));
	if (!err && !c->flash_size)
		cli_info(&c->cli, "no port: planning for %s with factory option bytes (give --port to ask the chip)",
			 s.part->name);
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

	struct job_files f = job_files_of(c->args, c->nargs, &c->job);

	if ((err = job_load(&f, &img, &d)))
		return cli_fail(&c->cli, err, &d, NULL);
	err = a3_session_open(&s, c);
	if (!err && s.protected)
		err = sb_diag_set(&s.d, SB_ERR_PROTECTED, "read protection is active: flash cannot be read");
	if (!err && !(err = a3_need_geom(&s)) && !(err = check_files(&s, &img)))
		err = do_verify(&s, img.seg, img.nseg, NULL);
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
	struct a3_fast_result fr = { 0 };
	enum sb_format fmt;

	if (!used || c->nargs != used + 1)
		return cli_usage(&c->cli, "read ADDR LEN FILE (or read ADDR:LEN FILE)");
	if (job_dump_format(c->args[used], c->job.format, &fmt, &s.d))   /* before the part is asked */
		return cli_usage(&c->cli, "%s", s.d.msg);
	if (!(buf = malloc(len)))
		return cli_fail(&c->cli, SB_ERR_NOMEM, NULL, "read");
	err = a3_session_open(&s, c);
	if (!err && c->fast)
		err = a3_fast_read(&s, addr, buf, len, &fr);
	if (!err && !fr.used) {
		a3_phase_begin(&s, "read", len);
		err = an3155_read(s.bl, addr, buf, len, &s.d);
		a3_phase_end(&s);
	}
	if (!err)
		err = job_dump_write(c->args[used], fmt, addr, buf, len, &s.d);
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"read\",\"address\":%u,\"bytes\":%u,\"format\":\"%s\",\"via\":\"%s\",\"baud\":%u",
			  addr, len, sb_format_name(fmt), fr.used ? "loader" : "rom", fr.used ? fr.baud : c->baud);
		if (fr.used)
			cli_info(&c->cli, "read %u bytes from 0x%08X into %s through the loader at %u baud", len, addr,
				 c->args[used], fr.baud);
		else
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
	s.app_started = !err;
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"go\",\"address\":%u", addr);
		cli_info(&c->cli, "started the application at 0x%08X", addr);
	}
	return a3_finish(&s, err, "go");
}

/* ---- erase ---------------------------------------------------------------- */

/* A bank erase with a protected page in that bank fails as a whole (WRPERR). */
static int bank_wrp(struct a3_session *s, int bank)
{
	const struct sb_page_run *r = &s->geom.run[bank == 1 ? 0 : 1];
	uint32_t pages[2];

	for (unsigned i = 0; i < s->chip.nwrp; i++) {
		const struct sb_wrp_area *a = &s->chip.wrp[i];

		if (a->last >= r->first_page && a->first < r->first_page + r->count) {
			pages[0] = a->first > r->first_page ? a->first : r->first_page;
			pages[1] = pages[0];
			return check_wrp(s, pages, 1, false);
		}
	}
	return SB_OK;
}

static int erase_selected(struct a3_session *s)
{
	struct a3_config *c = s->c;
	uint32_t *pages, addr, len;
	size_t n = 0;
	int err;

	if (c->job.all)
		return (err = check_wrp(s, NULL, 0, true)) ? err : a3_erase_all(s);
	if ((err = a3_need_geom(s)))
		return err;
	if (c->bank) {
		if (!s->geom.bank2)
			return sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "--bank: the part runs single-bank; use --all");
		if ((err = bank_wrp(s, c->bank)))
			return err;
		return an3155_erase_special(s->bl, c->bank == 1 ? AN3155_ERASE_BANK1 : AN3155_ERASE_BANK2, &s->d);
	}
	if (!s->geom.npages)
		return sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "the page layout of this part is unknown: give --page-size, or use --all");
	pages = calloc(s->geom.npages, sizeof(*pages));
	if (!pages)
		err = SB_ERR_NOMEM;
	else if (c->job.pages)
		err = job_parse_pages(&s->geom, c->job.pages, pages, &n, &s->d);
	else if (job_parse_addr_len(c->args, c->nargs, 0, &addr, &len))
		err = job_range_pages(&s->geom, addr, len, pages, &n, &s->d);
	else
		err = sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "bad range '%s'", c->args[0]);
	if (!err)
		err = check_wrp(s, pages, n, false);
	if (!err)
		err = a3_erase_pages(s, pages, n, "erase", &s->d);
	free(pages);
	return err;
}

static int run_erase(struct a3_config *c)
{
	struct a3_session s;
	int chosen = (c->job.all != 0) + (c->bank != 0) + (c->job.pages != NULL) + (c->nargs > 0);
	int err;

	if (chosen != 1)
		return cli_usage(&c->cli, "erase: give exactly one of RANGE, --pages LIST, --bank N, --all");
	if ((c->job.all || c->bank) && !c->job.force)
		return cli_usage(&c->cli, "erase %s mass-erases %s; add --force to do it",
				 c->job.all ? "--all" : "--bank", c->job.all ? "the whole flash" : "a whole bank");
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

	if (!strcmp(cmd, "read-unprotect") && !c->job.force)
		return cli_usage(&c->cli, "read-unprotect mass-erases the whole flash and resets the part; add --force to do it");
	if (!strcmp(cmd, "read-protect") && !c->job.force)
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
	int err = ob_parse_write(s->c->job.ob_write, b[0].addr, &kind, blk, len, &addr, &optr, &s->d);

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
	if ((err = ob_opts_check(&c->cli, &c->job, "option-bytes --write changes how the part boots and protects itself, and resets it; add --force to do it")))
		return err;
	err = a3_session_open(&s, c);
	if (!err && !(n = ob_banks(&s, b)))
		err = sb_diag_set(&s.d, SB_ERR_UNSUPPORTED, "the device table has no option-byte block for this part");
	if (!err && s.protected)
		err = sb_diag_set(&s.d, SB_ERR_PROTECTED, "read protection is active: the option bytes cannot be read (read-unprotect --force wipes the flash and clears it)");
	if (!err && c->job.ob_set)
		err = a3_ob_set(&s, b[0].addr);   /* fields by name -> the --write 0xOPTR path */
	if (!err)
		err = c->job.ob_write ? ob_write(&s, b, n) : c->job.ob_set ? SB_OK : ob_show(&s, b, n);
	if (!err)
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"option-bytes\",\"written\":%s",
			  c->job.ob_write ? "true" : "false");
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

/* Compact layout of p in one bank mode at its largest size, or "" when it has none. */
static void part_mode(const struct sb_part *p, bool dual, char *buf, size_t len)
{
	struct sb_geom g;

	buf[0] = '\0';
	if (sb_geom_for_mode(p, 0, dual, &g, NULL) == SB_OK)
		sb_geom_compact(&g, buf, len);
}

static void part_json(struct a3_config *c, const struct sb_part *p, const char *single, const char *dual)
{
	char e[4][400];

	cli_event(&c->cli, "part",
		  "\"pid\":%u,\"name\":\"%s\",\"family\":\"%s\",\"flash_base\":%u,\"flash_kb\":%u,"
		  "\"single_bank\":\"%s\",\"dual_bank\":\"%s\",\"factory_mode\":\"%s\",\"write_unit\":%u,"
		  "\"erased\":%s,\"erase_command\":%u,\"protocol\":%u,\"mass_erase\":%s,\"ram_start\":%u,"
		  "\"ram_end\":%u,\"option_bytes\":%u,\"option_bytes_end\":%u,\"option_bytes2\":%u,"
		  "\"option_bytes2_end\":%u,\"flash_size_register\":%u,\"source\":\"%s\"",
		  p->pid, cli_json_str(e[0], sizeof(e[0]), p->name), p->family, p->flash_base, p->flash_kb,
		  cli_json_str(e[1], sizeof(e[1]), single), cli_json_str(e[2], sizeof(e[2]), dual),
		  sb_part_factory_dual(p) ? "dual" : "single", p->write_unit,
		  p->flags & SB_PART_ERASED_UNSURE ? "null" : p->flags & SB_PART_ERASED_ZERO ? "0" : "255",
		  p->erase_cmd, p->usart_ver, p->flags & SB_PART_NO_MASS_ERASE ? "false" : "true",
		  p->ram_start, p->ram_end, p->opt_start, p->opt_end, p->opt2_start, p->opt2_end,
		  p->flash_size_reg, cli_json_str(e[3], sizeof(e[3]), p->source));
}

/* One line: PID, name, family, size, layouts (factory mode marked *), unit, erase. */
static void part_text(const struct sb_part *p, const char *single, const char *dual)
{
	char modes[300];
	bool fdual = sb_part_factory_dual(p);

	if (*single && *dual)
		snprintf(modes, sizeof(modes), "single%s %s | dual%s %s", fdual ? "" : "*", single,
			 fdual ? "*" : "", dual);
	else
		snprintf(modes, sizeof(modes), "%s", *single ? single : dual);
	printf("0x%03X  %-28s %-4s %5uK  unit %-2u  0x%02X  %s\n", p->pid, p->name, p->family, p->flash_kb,
	       p->write_unit, p->erase_cmd, modes);
}

static int run_parts(struct a3_config *c)
{
	size_t n, shown = 0;
	const struct sb_part *t = sb_part_table(&n);
	struct sb_diag d = { 0 };

	if (c->nargs > 1)
		return cli_usage(&c->cli, "parts takes at most one filter (a name, family or PID)");
	for (size_t i = 0; i < n; i++) {
		char single[160], dual[160];
		if (c->nargs && !sb_part_matches(&t[i], c->args[0]))
			continue;
		part_mode(&t[i], false, single, sizeof(single));
		part_mode(&t[i], true, dual, sizeof(dual));
		if (c->cli.json)
			part_json(c, &t[i], single, dual);
		else if (!shown)
			printf("PID    part                         fam   flash  write    erase layout (* factory bank mode)\n");
		if (!c->cli.json)
			part_text(&t[i], single, dual);
		shown++;
	}
	if (!shown)
		return cli_fail(&c->cli, sb_diag_set(&d, SB_ERR_BAD_INPUT,
						     "no part in the device table matches '%s'", c->args[0]),
				&d, "parts");
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
