/* SPDX-License-Identifier: MIT */
/*
 * job.c - input files, plan printing and page/range arguments shared by
 * an3155 and dfuse.
 */
#include "job.h"

#include <stdio.h>
#include <stdlib.h>

#include "events.h"
#include "prod.h"

struct region {
	uint32_t start, end;
};
static struct region allowed[4];
static size_t nallowed;

void job_allow_region(uint32_t start, uint32_t end)
{
	if (nallowed < sizeof(allowed) / sizeof(allowed[0]))
		allowed[nallowed++] = (struct region){ start, end };
}

bool job_region_allowed(uint32_t addr, uint64_t len)
{
	for (size_t i = 0; i < nallowed; i++)
		if (addr >= allowed[i].start && addr + len <= allowed[i].end)
			return true;
	return false;
}

/* sb_plan_check on the segments outside the allowed regions. */
static int check_flash(const struct sb_image *img, const struct sb_geom *g, const char *name,
		       struct sb_diag *d)
{
	struct sb_image rest = { 0 };
	int err;

	if (!nallowed)
		return sb_plan_check(img, g, name, d);
	rest.seg = calloc(img->nseg ? img->nseg : 1, sizeof(*rest.seg));
	if (!rest.seg)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < img->nseg; i++)
		if (!job_region_allowed(img->seg[i].addr, img->seg[i].len))
			rest.seg[rest.nseg++] = img->seg[i];
	err = sb_plan_check(&rest, g, name, d);
	free(rest.seg);
	return err;
}

int job_load(const struct job_files *f, struct sb_image *img, struct sb_diag *d)
{
	sb_image_init(img);
	if (f->n == 0)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "no input file given");
	for (int i = 0; i < f->n; i++) {
		struct sb_image one;
		int err;
		sb_image_init(&one);
		err = cli_load_image(f->names[i], f->format, f->base, &one, d);
		if (!err)
			err = sb_image_merge(img, &one, f->names[i], d);
		sb_image_free(&one);
		if (err) {
			sb_image_free(img);
			return err;
		}
	}
	if (img->nseg == 0) {
		sb_image_free(img);
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "%s: no data to write", f->names[0]);
	}
	return prod_apply(img, d);   /* per-board data, before any plan is made */
}

/* "-" or "-@ADDR": standard input, which can be read once. */
static bool from_stdin(const char *spec)
{
	return spec[0] == '-' && (spec[1] == '\0' || spec[1] == '@');
}

int job_check(const struct job_files *f, const struct sb_image *img, const struct sb_geom *g,
	      struct sb_diag *d)
{
	bool piped = false;
	int err;

	/* the merged image: when it fits, so does every file in it */
	if (!check_flash(img, g, f->names[0], d))
		return prod_check_geom(g, d);
	/* it does not: each file on its own, so that the message names the one at
	 * fault; standard input, which cannot be read again, is that one when no
	 * other file and no per-board data is */
	for (int i = 0; i < f->n; i++) {
		struct sb_image one;
		if (from_stdin(f->names[i])) {
			piped = true;
			continue;
		}
		sb_image_init(&one);
		err = cli_load_image(f->names[i], f->format, f->base, &one, d);
		if (!err)
			err = check_flash(&one, g, f->names[i], d);
		sb_image_free(&one);
		if (err)
			return err;
	}
	if ((err = prod_check_geom(g, d)) || !piped)
		return err;
	return check_flash(img, g, "-", d);
}

void job_page_ranges(const uint32_t *pages, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 24 < len;) {
		size_t j = i;
		while (j + 1 < n && pages[j + 1] == pages[j] + 1)
			j++;
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? ", " : "", pages[i]);
		if (j > i)
			used += (size_t)snprintf(buf + used, len - used, "-%u", pages[j]);
		i = j + 1;
		if (i < n && used + 24 >= len)
			snprintf(buf + used, len - used, ", ...");
	}
}

/* "pages 0-3, 8" of the touched pages with action a, into buf ("" when none). */
static size_t pages_with(const struct sb_plan *p, enum sb_page_action a, char *buf, size_t len)
{
	uint32_t *list = malloc((p->ntouched ? p->ntouched : 1) * sizeof(*list));
	size_t n = 0;

	buf[0] = '\0';
	if (!list)
		return 0;
	for (size_t i = 0; i < p->ntouched; i++)
		if (p->touched[i].action == a)
			list[n++] = p->touched[i].page;
	job_page_ranges(list, n, buf, len);
	free(list);
	return n;
}

/* What reading first found: the pages left alone and those written without erase. */
static void print_read_first(const struct sb_plan *p)
{
	char ranges[512];
	size_t n;

	printf("read first: %zu page(s), %llu bytes: %zu unchanged, %zu to write without erase, %zu to erase and write\n",
	       p->ntouched, (unsigned long long)p->read_bytes, p->nsame, p->nblank, p->npages);
	if ((n = pages_with(p, SB_PAGE_SAME, ranges, sizeof(ranges))))
		printf("unchanged: %zu page(s), neither erased nor written: pages %s\n", n, ranges);
	if ((n = pages_with(p, SB_PAGE_BLANK, ranges, sizeof(ranges))))
		printf("write without erase: %zu page(s): pages %s\n", n, ranges);
}

void job_print_plan(struct cli *c, const struct sb_geom *g, const struct sb_plan *p, bool verify)
{
	char ranges[512], geom[128];

	events_note_plan(p);
	cli_event(c, "plan",
		  "\"plan\":\"%s\",\"image_bytes\":%llu,\"erase_pages\":%zu,\"mass_erase\":%s,\"erase_bytes\":%llu,"
		  "\"blocks\":%zu,\"write_bytes\":%llu,\"skipped_blocks\":%zu,\"read_bytes\":%llu,"
		  "\"pages_skipped\":%zu,\"pages_written\":%zu,\"verify_bytes\":%llu",
		  p->read_first ? "read-first" : "full", (unsigned long long)p->image_bytes, p->npages,
		  p->mass_erase ? "true" : "false", (unsigned long long)p->erase_bytes, p->nblocks,
		  (unsigned long long)p->write_bytes, p->nskipped, (unsigned long long)p->read_bytes,
		  p->nsame, p->nblank, (unsigned long long)p->verify_bytes);
	if (c->json || c->verbosity < 1 || (c->gang_child && c->verbosity < 2))
		return;
	sb_geom_describe(g, geom, sizeof(geom));
	printf("flash: %u KB at 0x%08X, %s\n", g->size / 1024, g->base, geom);
	for (size_t i = 0; i < p->nseg; i++)
		printf("segment 0x%08X-0x%08X (%u bytes)\n", p->seg[i].addr,
		       p->seg[i].addr + p->seg[i].len - 1, p->seg[i].len);
	if (p->read_first)
		print_read_first(p);
	if (p->mass_erase)
		printf("erase: mass erase of the whole flash\n");
	else if (p->npages) {
		job_page_ranges(p->pages, p->npages, ranges, sizeof(ranges));
		printf("erase: %zu page(s), %llu bytes: pages %s\n", p->npages,
		       (unsigned long long)p->erase_bytes, ranges);
	} else
		printf("erase: none\n");
	printf("write: %zu block(s), %llu bytes; %zu block(s) of 0xFF skipped\n", p->nblocks,
	       (unsigned long long)p->write_bytes, p->nskipped);
	if (verify)
		printf("verify: after writing, %llu bytes\n", (unsigned long long)p->verify_bytes);
	else if (p->nblank)
		printf("verify: off (--no-verify), but pages written without erase are read back\n");
	else
		printf("verify: off (--no-verify)\n");
	fflush(stdout);
}

int job_parse_pages(const struct sb_geom *g, const char *list, uint32_t *pages, size_t *n,
		    struct sb_diag *d)
{
	const char *p = list;

	*n = 0;
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 0), b = a;
		if (end == p)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "--pages: bad page list '%s'", list);
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 0);
			if (end == p || b < a)
				return sb_diag_set(d, SB_ERR_BAD_INPUT, "--pages: bad range in '%s'", list);
		}
		for (unsigned long k = a; k <= b; k++) {
			if (k >= g->npages || *n == g->npages)
				return sb_diag_set(d, SB_ERR_BAD_INPUT,
						   "--pages: page %lu does not exist (the part has %u pages)",
						   k, g->npages);
			pages[(*n)++] = (uint32_t)k;
		}
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "--pages: unexpected '%c' in '%s'", *p, list);
	}
	return SB_OK;
}

int job_range_pages(const struct sb_geom *g, uint32_t addr, uint32_t len, uint32_t *pages,
		    size_t *n, struct sb_diag *d)
{
	uint32_t page, pa, ps;
	uint64_t end = (uint64_t)addr + len;

	*n = 0;
	for (uint64_t a = addr; a < end; a = (uint64_t)pa + ps) {
		if (!sb_geom_page(g, (uint32_t)a, &page, &pa, &ps))
			return sb_diag_addr(d, SB_ERR_BAD_INPUT, (unsigned long)a,
					    "0x%08llX is outside flash", (unsigned long long)a);
		if (pa != a || (uint64_t)pa + ps > end)
			return sb_diag_addr(d, SB_ERR_BAD_INPUT, (unsigned long)a,
					    "the range is not page aligned: the page at 0x%08X is %u bytes; erase whole pages only",
					    pa, ps);
		if (*n == g->npages)
			return SB_ERR_BAD_INPUT;
		pages[(*n)++] = page;
	}
	return SB_OK;
}

int job_parse_addr_len(char *const *args, int nargs, int first, uint32_t *addr, uint32_t *len)
{
	if (nargs > first && cli_parse_range(args[first], addr, len))
		return 1;
	if (nargs > first + 1 && cli_parse_u32(args[first], addr) &&
	    cli_parse_u32(args[first + 1], len) && *len && (uint64_t)*addr + *len <= 0x100000000ull)
		return 2;
	return 0;
}

void job_optr_text(uint32_t optr, char *buf, size_t len)
{
	snprintf(buf, len, "0x%08X: RDP=0x%02X DBANK=%u DB1M=%u BFB2=%u nBOOT0=%u nSWBOOT0=%u nBOOT1=%u",
		 optr, optr & 0xFF, optr >> 22 & 1, optr >> 21 & 1, optr >> 20 & 1, optr >> 27 & 1,
		 optr >> 26 & 1, optr >> 23 & 1);
}

void job_print_optr(uint32_t optr)
{
	char opt[160];

	job_optr_text(optr, opt, sizeof(opt));
	printf("options     OPTR %s\n", opt);
	if (!(optr >> 26 & 1))
		printf("warning     nSWBOOT0=0: the BOOT0 pin is ignored, nBOOT0=%u decides\n",
		       (unsigned)(optr >> 27 & 1));
	if (optr >> 20 & 1)
		printf("warning     BFB2=1: the ROM boots bank 2 first when its vector table is valid\n");
}
