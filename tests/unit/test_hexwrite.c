/* SPDX-License-Identifier: MIT */
/*
 * test_hexwrite.c - the Intel HEX and S-record writers, read back through
 * the loaders of image.h: segments, 64 KB region crossings, odd lengths,
 * the entry, exact record text for a small image.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hexwrite.h"
#include "image.h"

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + seed);
}

/* Two segments: 37 bytes before a 64 KB boundary and crossing it, 5 bytes far above. */
static void sample(struct sb_image *img, bool entry)
{
	uint8_t a[300], b[5];

	sb_image_init(img);
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 9);
	assert_int_equal(sb_image_add(img, 0x0800FFDB, a, sizeof(a), NULL, NULL), SB_OK);
	assert_int_equal(sb_image_add(img, 0x1FFF7000, b, sizeof(b), NULL, NULL), SB_OK);
	img->has_entry = entry;
	img->entry = entry ? 0x08000199 : 0;
}

static void same_image(const struct sb_image *a, const struct sb_image *b)
{
	assert_int_equal(a->nseg, b->nseg);
	for (size_t i = 0; i < a->nseg; i++) {
		assert_int_equal(a->seg[i].addr, b->seg[i].addr);
		assert_int_equal(a->seg[i].len, b->seg[i].len);
		assert_memory_equal(a->seg[i].data, b->seg[i].data, a->seg[i].len);
	}
	assert_int_equal(a->has_entry, b->has_entry);
	if (a->has_entry)
		assert_int_equal(a->entry, b->entry);
}

static void round_trip(int (*wr)(const struct sb_image *, char **, size_t *), enum sb_format fmt,
		       bool entry)
{
	struct sb_image img, back;
	struct sb_diag d = { 0 };
	char *text;
	size_t len;

	sample(&img, entry);
	assert_int_equal(wr(&img, &text, &len), SB_OK);
	assert_int_equal(strlen(text), len);
	sb_image_init(&back);
	assert_int_equal(sb_image_load(&back, fmt, (const uint8_t *)text, len, "t", 0, &d), SB_OK);
	assert_int_equal(sb_format_detect((const uint8_t *)text, len, NULL), fmt);
	same_image(&img, &back);
	free(text);
	sb_image_free(&img);
	sb_image_free(&back);
}

static void test_ihex_round_trip(void **state)
{
	(void)state;
	round_trip(sb_ihex_write, SB_FMT_IHEX, true);
	round_trip(sb_ihex_write, SB_FMT_IHEX, false);
}

static void test_srec_round_trip(void **state)
{
	(void)state;
	round_trip(sb_srec_write, SB_FMT_SREC, true);
	round_trip(sb_srec_write, SB_FMT_SREC, false);
}

/* Four bytes DE AD BE EF at 0x08000010, written by wr: exactly want. */
static void expect_text(int (*wr)(const struct sb_image *, char **, size_t *), const char *want)
{
	static const uint8_t d4[4] = { 0xDE, 0xAD, 0xBE, 0xEF };
	struct sb_image img;
	char *text;
	size_t len;

	sb_image_init(&img);
	assert_int_equal(sb_image_add(&img, 0x08000010, d4, 4, NULL, NULL), SB_OK);
	assert_int_equal(wr(&img, &text, &len), SB_OK);
	assert_string_equal(text, want);
	free(text);
	sb_image_free(&img);
}

static void test_ihex_records(void **state)
{
	(void)state;
	/* checksums: 0x100 - (sum of the record's bytes & 0xFF) */
	expect_text(sb_ihex_write, ":020000040800F2\n:04001000DEADBEEFB4\n:00000001FF\n");
}

static void test_srec_records(void **state)
{
	(void)state;
	/* S0 "stmboot"; S3 count 9 = 4 address + 4 data + 1 checksum (objcopy writes the same
	 * record); S5 one record; S7 no entry */
	expect_text(sb_srec_write, "S00A000073746D626F6F74ED\n"
				   "S30908000010DEADBEEFA6\n"
				   "S5030001FB\n"
				   "S70500000000FA\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ihex_round_trip),
		cmocka_unit_test(test_srec_round_trip),
		cmocka_unit_test(test_ihex_records),
		cmocka_unit_test(test_srec_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
