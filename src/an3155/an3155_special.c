/* SPDX-License-Identifier: MIT */
/*
 * an3155_special.c - write: the parts of the image in OTP and in SRAM.
 *
 * The ROM's Write Memory takes OTP (0x1FFF7000-0x1FFF73FF on the L4+) and
 * the SRAM above the loader's own (from 0x20003200) as well as flash
 * (protocol-facts A.5 Read/Write Memory rows, C). Both are behind --force:
 * OTP double-words can be programmed once and never erased, so the plan
 * says so, a double-word that already holds other data is refused before
 * anything is written, and one that already holds the same data is left
 * alone; SRAM is lost at the next reset (use it with --go to run code).
 * Neither is erased; both are verified by reading back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an3155_tool.h"
#include "events.h"
#include "job.h"

enum kind { FLASH_OR_OTHER, OTP, SRAM };

static enum kind kind_of(const struct sb_part *p, uint32_t addr, uint32_t len)
{
	uint64_t end = (uint64_t)addr + len;

	if (p && p->otp_end && addr >= p->otp_start && end <= p->otp_end)
		return OTP;
	if (p && p->ram_end && addr >= p->ram_start && end <= p->ram_end)
		return SRAM;
	return FLASH_OR_OTHER;
}

static const char *kind_name(enum kind k)
{
	return k == OTP ? "otp" : "sram";
}

/* Move segments of kind k from img into out. */
static int move_segments(const struct sb_part *p, struct sb_image *img, struct sb_image *out,
			 struct sb_diag *d)
{
	size_t keep = 0;
	int err = SB_OK;

	for (size_t i = 0; i < img->nseg; i++) {
		struct sb_segment *s = &img->seg[i];
		if (kind_of(p, s->addr, s->len) == FLASH_OR_OTHER) {
			img->seg[keep++] = *s;
			continue;
		}
		if (!err)
			err = sb_image_add(out, s->addr, s->data, s->len, NULL, d);
		free(s->data);
	}
	img->nseg = keep;
	return err;
}

int a3_special_take(struct a3_session *s, struct sb_image *img, struct sb_image *special)
{
	const struct sb_part *p = s->part;
	struct a3_config *c = s->c;
	int err;

	sb_image_init(special);
	if (!p)
		return SB_OK;
	if ((err = move_segments(p, img, special, &s->d)) || !special->nseg)
		return err;
	if (!c->job.force) {
		const struct sb_segment *g = &special->seg[0];
		return sb_diag_addr(&s->d, SB_ERR_BAD_INPUT, g->addr, kind_of(p, g->addr, g->len) == OTP
				    ? "data at 0x%08X-0x%08X is in OTP, which is programmed once and can never be erased or changed: add --force to write it"
				    : "data at 0x%08X-0x%08X is in SRAM (lost at the next reset): add --force to write it",
				    g->addr, g->addr + g->len - 1);
	}
	job_allow_region(p->otp_start, p->otp_end);
	job_allow_region(p->ram_start, p->ram_end);
	if (!img->nseg && c->go && !c->has_go_addr) {
		if (kind_of(p, special->seg[0].addr, special->seg[0].len) != SRAM)
			return sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "--go: the image has no code to start; give --go-addr");
		c->go_addr = special->seg[0].addr;   /* code loaded into SRAM: its vector table */
		c->has_go_addr = true;
	}
	return SB_OK;
}

static void print_plan(struct a3_session *s, const struct sb_segment *g, enum kind k)
{
	struct cli *cli = &s->c->cli;

	cli_event(cli, "plan-memory", "\"memory\":\"%s\",\"address\":%u,\"bytes\":%u,\"one_time\":%s",
		  kind_name(k), g->addr, g->len, k == OTP ? "true" : "false");
	if (cli->json || cli->verbosity < 1 || cli->gang_child)
		return;
	if (k == OTP)
		printf("otp: 0x%08X-0x%08X, %u bytes: ONE-TIME PROGRAMMABLE - written once, never erased or changed again\n",
		       g->addr, g->addr + g->len - 1, g->len);
	else
		printf("sram: 0x%08X-0x%08X, %u bytes: lost at the next reset\n", g->addr, g->addr + g->len - 1, g->len);
	fflush(stdout);
}

static bool all_ff(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0xFF)
			return false;
	return true;
}

/*
 * OTP: each unit either holds the data already (skipped), is blank (written),
 * or holds other data (refused before anything is written).
 */
static int otp_units(struct a3_session *s, uint32_t start, const uint8_t *want, const uint8_t *now,
		     size_t len, unsigned unit, bool *todo)
{
	for (size_t off = 0; off < len; off += unit) {
		todo[off / unit] = memcmp(want + off, now + off, unit) != 0;
		if (todo[off / unit] && !all_ff(now + off, unit))
			return sb_diag_addr(&s->d, SB_ERR_VERIFY, start + off,
					    "OTP at 0x%08X is programmed already with other data: OTP cannot be changed",
					    (unsigned)(start + off));
	}
	return SB_OK;
}

/* The units todo marks (all with todo NULL); *written counts their bytes. */
static int write_units(struct a3_session *s, uint32_t start, const uint8_t *buf, size_t len,
		       unsigned unit, const bool *todo, size_t *written)
{
	int err = SB_OK;

	for (size_t off = 0; off < len && !err; off += unit) {
		if (todo && !todo[off / unit])
			continue;
		err = an3155_write(s->bl, start + (uint32_t)off, buf + off, unit, &s->d);
		s->phase.base += unit;
		*written += unit;
	}
	return err;
}

static int write_one(struct a3_session *s, const struct sb_segment *g, enum kind k, size_t *written)
{
	unsigned unit = s->geom.write_unit ? s->geom.write_unit : 8;
	uint32_t start;
	size_t len = an3155_align_span(unit, g->addr, g->len, &start);
	uint8_t *buf = malloc(len), *now = malloc(len);
	bool *todo = calloc(len / unit + 1, sizeof(*todo));
	int err = buf && now && todo ? SB_OK : SB_ERR_NOMEM;

	if (!err) {
		an3155_align_copy(unit, g->addr, g->data, g->len, buf);
		if (k == OTP && !(err = an3155_read(s->bl, start, now, len, &s->d)))
			err = otp_units(s, start, buf, now, len, unit, todo);
	}
	if (!err) {
		a3_phase_begin(s, kind_name(k), len);
		err = write_units(s, start, buf, len, unit, k == OTP ? todo : NULL, written);
		a3_phase_end(s);
	}
	if (!err)
		err = an3155_verify(s->bl, start, buf, len, &s->d);
	free(buf);
	free(now);
	free(todo);
	return err;
}

int a3_special_write(struct a3_session *s, const struct sb_image *special)
{
	uint64_t bytes[3] = { 0 };
	int err = SB_OK;

	for (size_t i = 0; i < special->nseg; i++)
		print_plan(s, &special->seg[i], kind_of(s->part, special->seg[i].addr, special->seg[i].len));
	if (s->c->job.dry_run || !special->nseg)
		return SB_OK;
	if (s->protected)
		return sb_diag_set(&s->d, SB_ERR_PROTECTED, "read protection is active: writing is refused");
	for (size_t i = 0; i < special->nseg && !err; i++) {
		enum kind k = kind_of(s->part, special->seg[i].addr, special->seg[i].len);
		size_t written = 0;
		err = write_one(s, &special->seg[i], k, &written);
		bytes[k] += written;
		if (!err)
			cli_info(&s->c->cli, written ? "%s: wrote and verified %u bytes at 0x%08X"
				 : "%s: the %u bytes at 0x%08X are there already (verified)", kind_name(k),
				 special->seg[i].len, special->seg[i].addr);
	}
	if (!err)
		events_result_add("\"otp_bytes\":%llu,\"sram_bytes\":%llu", (unsigned long long)bytes[OTP],
				  (unsigned long long)bytes[SRAM]);
	return err;
}
