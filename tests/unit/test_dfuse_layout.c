/* SPDX-License-Identifier: MIT */
/*
 * test_dfuse_layout.c - the DfuSe interface-string parser and its lookups
 * (protocol-facts B.1, B.9).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfuse_layout.h"

#define L4R5_FLASH "@Internal Flash  /0x08000000/512*0004Kg"
#define L4R5_OB "@Option Bytes  /0x1FF00000/01*040 e/0x1FF01000/01*040 e"
#define L4R5_OTP "@OTP Memory /0x1FFF7000/01*0001Ke"
#define F4_FLASH "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"

static struct dfuse_layout parse_ok(const char *s)
{
	struct dfuse_layout l;
	struct sb_diag diag = { 0 };
	int rc = dfuse_layout_parse(&l, s, &diag);

	if (rc)
		fail_msg("%s: %s", s, diag.msg);
	return l;
}

static void assert_region(const struct dfuse_region *r, uint32_t addr, uint32_t n,
			  uint32_t size, uint8_t flags)
{
	assert_int_equal(r->addr, addr);
	assert_int_equal(r->npages, n);
	assert_int_equal(r->page_size, size);
	assert_int_equal(r->flags, flags);
}

enum { R = DFUSE_MEM_READ, E = DFUSE_MEM_ERASE, W = DFUSE_MEM_WRITE };

/* ---- good strings ----------------------------------------------------------------- */

static void test_l4r5_flash(void **state)
{
	struct dfuse_layout l = parse_ok(L4R5_FLASH);

	(void)state;
	assert_string_equal(l.name, "Internal Flash");
	assert_int_equal(l.nregions, 1);
	assert_region(&l.region[0], 0x08000000, 512, 4096, R | E | W);
	assert_int_equal(dfuse_region_end(&l.region[0]), 0x08200000);
	dfuse_layout_free(&l);
}

static void test_l4r5_option_bytes_two_groups(void **state)
{
	struct dfuse_layout l = parse_ok(L4R5_OB);

	(void)state;
	assert_string_equal(l.name, "Option Bytes");
	assert_int_equal(l.nregions, 2);
	/* space multiplier = bytes; 'e' = readable + writeable */
	assert_region(&l.region[0], 0x1FF00000, 1, 40, R | W);
	assert_region(&l.region[1], 0x1FF01000, 1, 40, R | W);
	dfuse_layout_free(&l);
}

static void test_l4r5_otp(void **state)
{
	struct dfuse_layout l = parse_ok(L4R5_OTP);

	(void)state;
	assert_string_equal(l.name, "OTP Memory");
	assert_int_equal(l.nregions, 1);
	assert_region(&l.region[0], 0x1FFF7000, 1, 1024, R | W);
	dfuse_layout_free(&l);
}

static void test_f4_flash_segments(void **state)
{
	struct dfuse_layout l = parse_ok(F4_FLASH);

	(void)state;
	assert_int_equal(l.nregions, 3);
	assert_region(&l.region[0], 0x08000000, 4, 16384, R | E | W);
	assert_region(&l.region[1], 0x08010000, 1, 65536, R | E | W);
	assert_region(&l.region[2], 0x08020000, 7, 131072, R | E | W);
	dfuse_layout_free(&l);
}

static void test_f4_and_g4_option_bytes(void **state)
{
	struct dfuse_layout f4 = parse_ok("@Option Bytes  /0x1FFFC000/01*016 g");
	struct dfuse_layout g4 =
		parse_ok("@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e");

	(void)state;
	assert_region(&f4.region[0], 0x1FFFC000, 1, 16, R | E | W);
	assert_string_equal(g4.name, "Option Bytes");
	assert_int_equal(g4.nregions, 2);
	assert_region(&g4.region[0], 0x1FFF7800, 1, 48, R | W);
	assert_region(&g4.region[1], 0x1FFFF800, 1, 48, R | W);
	dfuse_layout_free(&f4);
	dfuse_layout_free(&g4);
}

static void test_leading_zeros_are_decimal(void **state)
{
	struct dfuse_layout l = parse_ok("@X/0x08000000/0010*0008Kg,010*010 a");

	(void)state;
	assert_region(&l.region[0], 0x08000000, 10, 8192, R | E | W);  /* not octal 8 */
	assert_region(&l.region[1], 0x08014000, 10, 10, R);
	dfuse_layout_free(&l);
}

static void test_units_and_types(void **state)
{
	struct dfuse_layout l = parse_ok("@X/0x20000000/01*40Be,02*001Mb,1*2Kc,1*3Kd,1*1Kf,3*8a");

	(void)state;
	assert_int_equal(l.nregions, 6);
	assert_region(&l.region[0], 0x20000000, 1, 40, R | W);
	assert_region(&l.region[1], 0x20000028, 2, 1048576, E);
	assert_region(&l.region[2], 0x20200028, 1, 2048, R | E);
	assert_region(&l.region[3], 0x20200828, 1, 3072, W);
	assert_region(&l.region[4], 0x20201428, 1, 1024, E | W);
	/* type letter right after the digits: bytes (usb-anchors 1.4.2) */
	assert_region(&l.region[5], 0x20201828, 3, 8, R);
	dfuse_layout_free(&l);
}

static void test_hex_case_and_trailing_space(void **state)
{
	struct dfuse_layout l = parse_ok("@Flash/0X0800aBcD/1*1Kg ");

	(void)state;
	assert_region(&l.region[0], 0x0800ABCD, 1, 1024, R | E | W);
	dfuse_layout_free(&l);
}

static void test_region_at_top_of_address_space(void **state)
{
	struct dfuse_layout l = parse_ok("@Top/0xFFFFF000/1*4Kg");

	(void)state;
	assert_int_equal(dfuse_region_end(&l.region[0]), 0x100000000ull);
	assert_non_null(dfuse_layout_find(&l, 0xFFFFFFFF));
	dfuse_layout_free(&l);
}

/* ---- malformed strings: the column is named ------------------------------------------- */

static void assert_bad(const char *s, unsigned column, const char *words)
{
	struct dfuse_layout l;
	struct sb_diag diag = { 0 };
	char col[32];

	snprintf(col, sizeof(col), "column %u:", column);
	assert_int_equal(dfuse_layout_parse(&l, s, &diag), SB_ERR_BAD_INPUT);
	if (!strstr(diag.msg, col) || !strstr(diag.msg, words))
		fail_msg("\"%s\": got \"%s\", want %s ... %s", s, diag.msg, col, words);
	assert_null(l.region);
	assert_int_equal(l.nregions, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	assert_bad("Internal Flash/0x08000000/1*4Kg", 1, "'@'");
	assert_bad("@Flash", 7, "expected '/'");
	assert_bad("@Flash/08000000/1*4Kg", 8, "0x");
	assert_bad("@Flash/0x/1*4Kg", 10, "hexadecimal");
	assert_bad("@Flash/0x08000000", 18, "'/' after the address");
	assert_bad("@Flash/0x08000000/*4Kg", 19, "page count");
	assert_bad("@Flash/0x08000000/512x4Kg", 22, "'*'");
	assert_bad("@Flash/0x08000000/512*Kg", 23, "page size");
	assert_bad("@Flash/0x08000000/512*0004Kz", 28, "type letter");
	assert_bad("@Flash/0x08000000/512*0004K", 28, "type letter");
	assert_bad("@Flash/0x08000000/512*0004kg", 27, "type letter");
	assert_bad("@Flash/0x08000000/1*4Kg;", 24, "end of the layout");
	assert_bad("@Flash/0x08000000/1*4Kg,", 25, "page count");
	assert_bad("@Flash/0x08000000/1*4Kg/", 25, "0x");
	assert_bad("@F/0x108000000/1*4Kg", 6, "32 bits");
	assert_bad("@F/0x08000000/99999999999*4Kg", 15, "too large");
	assert_bad("@F/0x08000000/0*4Kg", 15, "empty segment");
	assert_bad("@F/0x08000000/1*0Kg", 15, "empty segment");
	assert_bad("@F/0xFFFFF000/2*4Kg", 15, "32-bit address space");
	assert_bad("@F/0x08000000/1*4Kg,4000*4096Mg", 21, "32-bit address space");
}

/* ---- lookups ------------------------------------------------------------------------- */

static void test_find_and_page(void **state)
{
	struct dfuse_layout l = parse_ok(F4_FLASH);
	uint32_t pa = 0, ps = 0;
	uint8_t fl = 0;

	(void)state;
	assert_true(dfuse_layout_page(&l, 0x08001234, &pa, &ps, &fl));
	assert_int_equal(pa, 0x08000000);
	assert_int_equal(ps, 16384);
	assert_int_equal(fl, R | E | W);
	assert_true(dfuse_layout_page(&l, 0x08010000, &pa, &ps, NULL));
	assert_int_equal(pa, 0x08010000);
	assert_int_equal(ps, 65536);
	assert_true(dfuse_layout_page(&l, 0x080FFFFF, &pa, &ps, NULL));
	assert_int_equal(pa, 0x080E0000);
	assert_false(dfuse_layout_page(&l, 0x08100000, &pa, &ps, NULL));
	assert_false(dfuse_layout_page(&l, 0x07FFFFFF, &pa, &ps, NULL));
	assert_ptr_equal(dfuse_layout_find(&l, 0x08020000), &l.region[2]);
	dfuse_layout_free(&l);
}

static void test_pages_touched(void **state)
{
	struct dfuse_layout l = parse_ok(L4R5_FLASH);
	uint8_t buf[0x20] = { 0 };
	struct sb_segment seg[3] = {
		{ 0x08000FF0, 0x20, buf },  /* pages 0 and 1 */
		{ 0x08001800, 0x10, buf },  /* page 1 again */
		{ 0x08005000, 0x01, buf },  /* page 5 */
	};
	struct sb_image img = { .seg = seg, .nseg = 3, .cap = 3 };
	uint32_t *pages = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(dfuse_layout_pages(&l, &img, &pages, &n, NULL), SB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(pages[0], 0x08000000);
	assert_int_equal(pages[1], 0x08001000);
	assert_int_equal(pages[2], 0x08005000);
	free(pages);
	dfuse_layout_free(&l);
}

static void test_pages_across_regions(void **state)
{
	struct dfuse_layout l = parse_ok(F4_FLASH);
	static uint8_t buf[0x2000];
	struct sb_segment seg = { 0x0800F000, sizeof(buf), buf };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };
	uint32_t *pages = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(dfuse_layout_pages(&l, &img, &pages, &n, NULL), SB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(pages[0], 0x0800C000);
	assert_int_equal(pages[1], 0x08010000);
	free(pages);
	dfuse_layout_free(&l);
}

static void test_pages_outside_fails(void **state)
{
	struct dfuse_layout l = parse_ok(L4R5_FLASH);
	uint8_t buf[0x20] = { 0 };
	struct sb_segment seg = { 0x081FFFF0, sizeof(buf), buf };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };
	struct sb_diag diag = { 0 };
	uint32_t *pages = (uint32_t *)1;
	size_t n = 1;

	(void)state;
	assert_int_equal(dfuse_layout_pages(&l, &img, &pages, &n, &diag), SB_ERR_BAD_INPUT);
	assert_null(pages);
	assert_int_equal(n, 0);
	assert_true(diag.has_addr);
	assert_int_equal(diag.addr, 0x08200000);
	assert_non_null(strstr(diag.msg, "0x08200000"));
	assert_non_null(strstr(diag.msg, "Internal Flash"));
	dfuse_layout_free(&l);
}

static void test_check_flags(void **state)
{
	struct dfuse_layout l = parse_ok("@Mixed/0x08000000/1*1Ka,1*1Kg");
	uint8_t buf[8] = { 0 };
	struct sb_segment seg = { 0x080003FC, sizeof(buf), buf };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };
	struct sb_diag diag = { 0 };

	(void)state;
	assert_int_equal(dfuse_layout_check(&l, &img, R, &diag), SB_OK);
	assert_int_equal(dfuse_layout_check(&l, &img, W, &diag), SB_ERR_BAD_INPUT);
	assert_int_equal(diag.addr, 0x080003FC);
	assert_non_null(strstr(diag.msg, "r--"));
	assert_non_null(strstr(diag.msg, "needs --w"));
	seg.addr = 0x08000400;
	assert_int_equal(dfuse_layout_check(&l, &img, W | E, &diag), SB_OK);
	dfuse_layout_free(&l);
}

static void test_pick_alt(void **state)
{
	struct dfuse_layout alts[3] = { parse_ok(L4R5_FLASH), parse_ok(L4R5_OB),
					parse_ok(L4R5_OTP) };
	uint8_t buf[16] = { 0 };
	struct sb_segment seg = { 0x08000000, sizeof(buf), buf };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };
	struct sb_diag diag = { 0 };
	int alt = -1;

	(void)state;
	assert_int_equal(dfuse_layout_pick(alts, 3, &img, NULL, &alt, &diag), SB_OK);
	assert_int_equal(alt, 0);
	seg.addr = 0x1FF01000;
	assert_int_equal(dfuse_layout_pick(alts, 3, &img, NULL, &alt, &diag), SB_OK);
	assert_int_equal(alt, 1);
	seg.addr = 0x1FFF7000;
	assert_int_equal(dfuse_layout_pick(alts, 3, &img, NULL, &alt, &diag), SB_OK);
	assert_int_equal(alt, 2);
	seg.addr = 0x30000000;
	assert_int_equal(dfuse_layout_pick(alts, 3, &img, NULL, &alt, &diag), SB_ERR_BAD_INPUT);
	assert_int_equal(diag.addr, 0x30000000);
	assert_non_null(strstr(diag.msg, "Internal Flash"));
	for (int i = 0; i < 3; i++)
		dfuse_layout_free(&alts[i]);
}

static void test_pick_prefers_internal_flash(void **state)
{
	struct dfuse_layout alts[2] = { parse_ok("@Scratch /0x08000000/512*0004Kg"),
					parse_ok("@internal flash /0x08000000/512*0004Kg") };
	uint8_t buf[16] = { 0 };
	struct sb_segment seg = { 0x08000000, sizeof(buf), buf };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };
	int alt = -1;

	(void)state;
	assert_int_equal(dfuse_layout_pick(alts, 2, &img, NULL, &alt, NULL), SB_OK);
	assert_int_equal(alt, 1);
	assert_int_equal(dfuse_layout_pick(alts, 2, &img, "Scratch", &alt, NULL), SB_OK);
	assert_int_equal(alt, 0);
	assert_int_equal(dfuse_layout_pick(alts, 2, &img, "Nothing", &alt, NULL), SB_OK);
	assert_int_equal(alt, 0);
	dfuse_layout_free(&alts[0]);
	dfuse_layout_free(&alts[1]);
}

/* An alt by name: any case, trailing spaces ignored on both sides. */
static void test_named(void **state)
{
	struct dfuse_layout alts[3] = { parse_ok(L4R5_FLASH), parse_ok(L4R5_OB),
					parse_ok(L4R5_OTP) };

	(void)state;
	strcpy(alts[1].name, "Option Bytes   ");   /* as a layout built by hand may hold it */
	assert_int_equal(dfuse_layout_named(alts, 3, "Internal Flash"), 0);
	assert_int_equal(dfuse_layout_named(alts, 3, "internal FLASH  "), 0);
	assert_int_equal(dfuse_layout_named(alts, 3, "Option Bytes"), 1);
	assert_int_equal(dfuse_layout_named(alts, 3, "Internal"), -1);
	assert_int_equal(dfuse_layout_named(alts, 3, "Internal Flash x"), -1);
	assert_int_equal(dfuse_layout_named(alts, 1, "Option Bytes"), -1);
	for (int i = 0; i < 3; i++)
		dfuse_layout_free(&alts[i]);
}

static void test_geom(void **state)
{
	struct dfuse_layout l = parse_ok(F4_FLASH);
	struct sb_geom g;

	(void)state;
	assert_int_equal(dfuse_layout_geom(&l, &g, NULL), SB_OK);
	assert_int_equal(g.base, 0x08000000);
	assert_int_equal(g.size, 0x00100000);
	assert_int_equal(g.npages, 12);
	assert_int_equal(g.nruns, 3);
	assert_int_equal(g.write_unit, 8);
	assert_int_equal(g.run[1].addr, 0x08010000);
	assert_int_equal(g.run[1].first_page, 4);
	assert_int_equal(g.run[2].first_page, 5);
	assert_int_equal(g.run[2].size, 131072);
	dfuse_layout_free(&l);
}

/* The part, from the memory map alone (protocol-facts B.1, B.9). */
static size_t match(const char *flash, const char *ob, const struct sb_part **out, size_t max)
{
	struct dfuse_layout l[2];
	size_t n = 1, k;

	l[0] = parse_ok(flash);
	if (ob)
		l[n++] = parse_ok(ob);
	k = dfuse_match_parts(l, n, out, max);
	for (size_t i = 0; i < n; i++)
		dfuse_layout_free(&l[i]);
	return k;
}

static bool has_pid(const struct sb_part **p, size_t n, uint16_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i]->pid == pid)
			return true;
	return false;
}

static void test_match_parts(void **state)
{
	const struct sb_part *p[16];
	struct dfuse_layout l;
	struct sb_geom g;
	size_t n;

	(void)state;
	/* L4R5 ROM, dual bank (B.1): one row */
	n = match("@Internal Flash  /0x08000000/512*0004Kg",
		  "@Option Bytes  /0x1FF00000/01*040 e/0x1FF01000/01*040 e", p, 16);
	assert_int_equal(n, 1);
	assert_int_equal(p[0]->pid, 0x470);
	/* single-bank 2 MB of 8 KB pages: U5, H5, H7A3... too, until the option area says */
	n = match("@Internal Flash  /0x08000000/256*08Kg", NULL, p, 16);
	assert_true(n > 1 && has_pid(p, n, 0x470) && has_pid(p, n, 0x482));
	n = match("@Internal Flash  /0x08000000/256*08Kg", "@Option Bytes  /0x1FF00000/01*040 e", p, 16);
	assert_int_equal(n, 1);
	/* a 1 MB L4R in dual-bank mode, or an L4P */
	n = match("@Internal Flash  /0x08000000/256*04Kg", "@Option Bytes  /0x1FF00000/01*040 e", p, 16);
	assert_true(n >= 1 && has_pid(p, n, 0x470) && has_pid(p, n, 0x471));
	/* F4 ROM (B.9): every 1 MB F2/F4 fits; the option area keeps them all */
	n = match(F4_FLASH, "@Option Bytes  /0x1FFFC000/01*016 g", p, 16);
	assert_true(has_pid(p, n, 0x413) && has_pid(p, n, 0x411) && has_pid(p, n, 0x441));
	assert_false(has_pid(p, n, 0x470));
	/* G4 (B.9): the option-byte address drops the F3/F1 rows with 256 x 2 KB */
	n = match("@Internal Flash  /0x08000000/256*02Kg",
		  "@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e", p, 16);
	assert_true(has_pid(p, n, 0x469) && has_pid(p, n, 0x479));
	assert_false(has_pid(p, n, 0x446));
	/* an option address no row has narrows nothing */
	n = match("@Internal Flash  /0x08000000/256*02Kg", "@Option Bytes  /0x40000000/01*016 e", p, 16);
	assert_true(has_pid(p, n, 0x446) && has_pid(p, n, 0x469));
	/* no row has a 32 KB sector after four of 16 KB, or flash at 0x00000000 */
	assert_int_equal(match("@Internal Flash  /0x08000000/04*016Kg,01*032Kg", NULL, p, 16), 0);
	assert_int_equal(match("@Internal Flash  /0x00000000/64*02Kg", NULL, p, 16), 0);
	/* H7: 32-byte units for the planner */
	n = match("@Internal Flash  /0x08000000/16*128Kg", NULL, p, 16);
	assert_int_equal(n, 1);
	assert_int_equal(p[0]->pid, 0x450);
	l = parse_ok("@Internal Flash  /0x08000000/16*128Kg");
	assert_int_equal(dfuse_layout_geom(&l, &g, NULL), SB_OK);
	dfuse_geom_for_parts(&g, p, n);
	assert_int_equal(g.write_unit, 32);
	dfuse_layout_free(&l);
	/* L0: erased is 0x00; rows that disagree leave it unknown */
	n = match("@Internal Flash  /0x08000000/512*128 g", NULL, p, 16);
	assert_true(n >= 1 && has_pid(p, n, 0x417));
	l = parse_ok("@Internal Flash  /0x08000000/512*128 g");
	assert_int_equal(dfuse_layout_geom(&l, &g, NULL), SB_OK);
	dfuse_geom_for_parts(&g, p, n);
	assert_int_equal(g.erased_value, 0x00);
	assert_true(g.erased_known);
	p[1] = sb_part_by_pid(0x470);
	dfuse_geom_for_parts(&g, p, 2);
	assert_false(g.erased_known);
	assert_int_equal(g.write_unit, 8);
	dfuse_layout_free(&l);
}

static void test_describe(void **state)
{
	struct dfuse_layout l = parse_ok(L4R5_OB);
	char buf[256];

	(void)state;
	dfuse_layout_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "0x1FF00000-0x1FF00027 1 x 40 B r-w\n"
				 "0x1FF01000-0x1FF01027 1 x 40 B r-w\n");
	dfuse_layout_free(&l);
	l = parse_ok(L4R5_FLASH);
	dfuse_layout_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "0x08000000-0x081FFFFF 512 x 4 KB rew\n");
	dfuse_layout_free(&l);
	dfuse_layout_free(&l);  /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l4r5_flash),
		cmocka_unit_test(test_l4r5_option_bytes_two_groups),
		cmocka_unit_test(test_l4r5_otp),
		cmocka_unit_test(test_f4_flash_segments),
		cmocka_unit_test(test_f4_and_g4_option_bytes),
		cmocka_unit_test(test_leading_zeros_are_decimal),
		cmocka_unit_test(test_units_and_types),
		cmocka_unit_test(test_hex_case_and_trailing_space),
		cmocka_unit_test(test_region_at_top_of_address_space),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_find_and_page),
		cmocka_unit_test(test_pages_touched),
		cmocka_unit_test(test_pages_across_regions),
		cmocka_unit_test(test_pages_outside_fails),
		cmocka_unit_test(test_check_flags),
		cmocka_unit_test(test_pick_alt),
		cmocka_unit_test(test_pick_prefers_internal_flash),
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_geom),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_match_parts),
	};

	return cmocka_run_group_tests_name("dfuse_layout", tests, NULL, NULL);
}
