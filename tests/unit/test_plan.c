/* SPDX-License-Identifier: MIT */
/* Device table, geometry and write planning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "part.h"
#include "plan.h"

#define L4R_DUAL 0xFFEFF8AAu              /* factory OPTR: DBANK=1 */
#define L4R_SINGLE (0xFFEFF8AAu & ~(1u << 22))

static void geom_l4r(struct sb_geom *g, uint32_t kb, int64_t optr)
{
	const struct sb_part *p = sb_part_by_pid(0x470);
	assert_non_null(p);
	assert_int_equal(sb_geom_for_part(p, kb, optr, g, NULL), SB_OK);
}

static void test_l4r5_row(void **state)
{
	(void)state;
	const struct sb_part *p = sb_part_by_pid(0x470);
	assert_non_null(p);
	/* protocol-facts F.1: option bytes at 0x1FF00000, not 0x1FFF7800 */
	assert_int_equal(p->opt_start, 0x1FF00000);
	assert_int_equal(p->opt2_start, 0x1FF01000);
	assert_int_equal(p->ram_start, 0x20003200);
	assert_int_equal(p->flash_size_reg, 0x1FFF75E0);
	assert_int_equal(p->ob_kind, SB_OB_L4);
	assert_int_equal(p->write_unit, 8);
	assert_null(sb_part_by_pid(0x123));
}

static void test_l4r5_dual_bank(void **state)
{
	(void)state;
	struct sb_geom g;
	uint32_t page, pa, ps;
	geom_l4r(&g, 2048, L4R_DUAL);
	assert_int_equal(g.size, 2u << 20);
	assert_int_equal(g.bank2, 0x08100000);
	assert_int_equal(g.npages, 512);
	assert_true(sb_geom_page(&g, 0x08001000, &page, &pa, &ps));
	assert_int_equal(page, 1);
	assert_int_equal(ps, 4096);
	/* bank-2 pages follow bank-1 pages (protocol-facts A.5 Extended Erase) */
	assert_true(sb_geom_page(&g, 0x08100000, &page, &pa, &ps));
	assert_int_equal(page, 256);
	assert_true(sb_geom_page(&g, 0x081FFFFF, &page, &pa, &ps));
	assert_int_equal(page, 511);
	assert_false(sb_geom_page(&g, 0x08200000, &page, &pa, &ps));
	assert_int_equal(sb_geom_bank(&g, 0x08100000), 2);
}

static void test_l4r5_single_bank(void **state)
{
	(void)state;
	struct sb_geom g;
	uint32_t page, pa, ps;
	geom_l4r(&g, 0, L4R_SINGLE);  /* size from the table */
	assert_int_equal(g.bank2, 0);
	assert_int_equal(g.npages, 256);
	assert_true(sb_geom_page(&g, 0x08010000, &page, &pa, &ps));
	/* stm32flash would say page 32 (2 KB pages: serial-anchors 1.12); 8 KB pages make it 8 */
	assert_int_equal(page, 8);
	assert_int_equal(ps, 8192);
	assert_true(sb_geom_page_addr(&g, 255, &pa, &ps));
	assert_int_equal(pa, 0x081FE000);
}

static void test_l4r5_1mb_db1m(void **state)
{
	(void)state;
	struct sb_geom g;
	/* 1 MB variant: DB1M (bit 21) selects dual bank, bank 2 at 0x08080000 (facts C) */
	geom_l4r(&g, 1024, L4R_DUAL);
	assert_int_equal(g.bank2, 0x08080000);
	assert_int_equal(g.npages, 256);
	geom_l4r(&g, 1024, L4R_DUAL & ~(1u << 21));
	assert_int_equal(g.bank2, 0);
	assert_int_equal(g.npages, 128);
}

static void test_chip_larger_than_table(void **state)
{
	(void)state;
	struct sb_geom g;
	struct sb_diag d;
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x470), 4096, -1, &g, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "4096 KB"));
}

static void test_f4_sectors(void **state)
{
	(void)state;
	struct sb_geom g;
	uint32_t page, pa, ps;
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x413), 512, -1, &g, NULL), SB_OK);
	assert_int_equal(g.npages, 8);   /* 4x16 + 64 + 3x128 = 512 KB */
	assert_true(sb_geom_page(&g, 0x08020000, &page, &pa, &ps));
	assert_int_equal(page, 5);
	assert_int_equal(ps, 128 * 1024);
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x419), 2048, -1, &g, NULL), SB_OK);
	assert_true(sb_geom_page(&g, 0x08100000, &page, &pa, &ps));
	assert_int_equal(page, 12);
}

/* An image from (addr, len, fill) triples. */
static void make_image(struct sb_image *img, struct sb_segment *segs, uint8_t bufs[][4096],
		       const uint32_t (*spec)[3], size_t n)
{
	memset(img, 0, sizeof(*img));
	for (size_t i = 0; i < n; i++) {
		memset(bufs[i], (int)spec[i][2], spec[i][1]);
		segs[i] = (struct sb_segment){ spec[i][0], spec[i][1], bufs[i] };
	}
	img->seg = segs;
	img->nseg = img->cap = n;
}

static void test_plan_pages_blocks_skip(void **state)
{
	(void)state;
	static uint8_t bufs[3][4096];
	struct sb_segment segs[3];
	struct sb_image img;
	struct sb_geom g;
	struct sb_plan p;
	const uint32_t spec[][3] = {
		{ 0x08000000, 1000, 0x11 },   /* ends mid double-word: padded to 1000 (already /8) */
		{ 0x08003FFD, 5, 0x22 },      /* straddles pages 3 and 4, unaligned on both sides */
		{ 0x08100000, 512, 0xFF },    /* bank 2, all 0xFF: pages erased, blocks skipped */
	};
	geom_l4r(&g, 2048, L4R_DUAL);
	make_image(&img, segs, bufs, spec, 3);
	struct sb_plan_opts o = { .block_size = 256 };
	assert_int_equal(sb_plan_build(&img, &g, &o, &p, NULL), SB_OK);
	assert_int_equal(p.npages, 4);
	assert_int_equal(p.pages[0], 0);
	assert_int_equal(p.pages[1], 3);
	assert_int_equal(p.pages[2], 4);
	assert_int_equal(p.pages[3], 256);
	assert_int_equal(p.nseg, 3);
	assert_int_equal(p.seg[1].addr, 0x08003FF8);
	assert_int_equal(p.seg[1].len, 16);
	assert_memory_equal(p.seg[1].data, "\xFF\xFF\xFF\xFF\xFF\x22\x22\x22", 8);
	assert_int_equal(p.seg[1].data[8], 0x22);
	assert_int_equal(p.seg[1].data[9], 0x22);
	assert_int_equal(p.seg[1].data[10], 0xFF);
	/* 1000 bytes -> 256+256+256+232; the 16 bytes split at the 256-byte boundary 0x08004000 */
	assert_int_equal(p.nblocks, 6);
	assert_int_equal(p.blocks[3].len, 232);
	assert_int_equal(p.blocks[4].addr, 0x08003FF8);
	assert_int_equal(p.blocks[4].len, 8);
	assert_int_equal(p.blocks[5].addr, 0x08004000);
	assert_int_equal(p.nskipped, 2);
	assert_int_equal(p.write_bytes, 1000 + 16);
	for (size_t i = 0; i < p.nblocks; i++) {
		assert_int_equal(p.blocks[i].addr % 8, 0);
		assert_int_equal(p.blocks[i].len % 8, 0);
		assert_true(p.blocks[i].len <= 256);
	}
	sb_plan_free(&p);
}

static void test_plan_merges_padding_neighbours(void **state)
{
	(void)state;
	static uint8_t bufs[2][4096];
	struct sb_segment segs[2];
	struct sb_image img;
	struct sb_geom g;
	struct sb_plan p;
	/* two segments sharing one double-word must become one write, never two */
	const uint32_t spec[][3] = { { 0x08000000, 3, 0xAA }, { 0x08000005, 3, 0xBB } };
	geom_l4r(&g, 2048, L4R_DUAL);
	make_image(&img, segs, bufs, spec, 2);
	struct sb_plan_opts o = { .block_size = 256 };
	assert_int_equal(sb_plan_build(&img, &g, &o, &p, NULL), SB_OK);
	assert_int_equal(p.nseg, 1);
	assert_int_equal(p.nblocks, 1);
	assert_memory_equal(p.blocks[0].data, "\xAA\xAA\xAA\xFF\xFF\xBB\xBB\xBB", 8);
	sb_plan_free(&p);
}

static void test_plan_check_outside(void **state)
{
	(void)state;
	static uint8_t bufs[1][4096];
	struct sb_segment segs[1];
	struct sb_image img;
	struct sb_geom g;
	struct sb_diag d;
	const uint32_t spec[][3] = { { 0x081FFFF0, 32, 0 } };
	geom_l4r(&g, 2048, L4R_DUAL);
	make_image(&img, segs, bufs, spec, 1);
	assert_int_equal(sb_plan_check(&img, &g, "fw.hex", &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "fw.hex"));
	assert_non_null(strstr(d.msg, "0x081FFFF0-0x0820000F"));
	assert_true(d.has_addr);
}

static void test_plan_unknown_pages(void **state)
{
	(void)state;
	static uint8_t bufs[1][4096];
	struct sb_segment segs[1];
	struct sb_image img;
	struct sb_geom g;
	struct sb_plan p;
	struct sb_diag d;
	const uint32_t spec[][3] = { { 0x08000000, 64, 1 } };
	make_image(&img, segs, bufs, spec, 1);
	assert_int_equal(sb_geom_explicit(0x08000000, 65536, 0, 4, &g, NULL), SB_OK);
	struct sb_plan_opts o = { .block_size = 256 };
	assert_int_equal(sb_plan_build(&img, &g, &o, &p, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "--page-size"));
	o.erase = SB_ERASE_NONE;
	assert_int_equal(sb_plan_build(&img, &g, &o, &p, &d), SB_OK);
	assert_int_equal(p.npages, 0);
	assert_int_equal(p.nblocks, 1);
	sb_plan_free(&p);
	assert_int_equal(sb_geom_explicit(0x08000000, 65536, 3000, 4, &g, &d), SB_ERR_BAD_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l4r5_row),
		cmocka_unit_test(test_l4r5_dual_bank),
		cmocka_unit_test(test_l4r5_single_bank),
		cmocka_unit_test(test_l4r5_1mb_db1m),
		cmocka_unit_test(test_chip_larger_than_table),
		cmocka_unit_test(test_f4_sectors),
		cmocka_unit_test(test_plan_pages_blocks_skip),
		cmocka_unit_test(test_plan_merges_padding_neighbours),
		cmocka_unit_test(test_plan_check_outside),
		cmocka_unit_test(test_plan_unknown_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
