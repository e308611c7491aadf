/* SPDX-License-Identifier: MIT */
/*
 * test_srec.c - Motorola S-record loader: S0..S9, counts, entry, merging,
 * and each malformed-input message (file name and line).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("message \"%s\" lacks \"%s\"", hay, needle);
}

static int load(struct sb_image *img, const char *text, struct sb_diag *d)
{
	sb_image_init(img);
	memset(d, 0, sizeof(*d));
	return sb_load_srec(img, (const uint8_t *)text, strlen(text), "t.srec", d);
}

static void expect_error(const char *text, const char *want)
{
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img, text, &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, want);
	assert_int_equal(img.nseg, 0);
	assert_null(img.seg);
}

static void test_s1_s9(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	static const uint8_t want[4] = { 0xDE, 0xAD, 0xBE, 0xEF };

	assert_int_equal(load(&img,
			      "S00600004844521B\n"
			      "S1071000DEADBEEFB0\n"
			      "S5030001FB\n"
			      "S9030000FC\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x1000);
	assert_memory_equal(img.seg[0].data, want, 4);
	assert_false(img.has_entry);  /* S9 0000: no start address */
	sb_image_free(&img);
}

static void test_s2_s8_s6(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img,
			      "S2060800000102EE\n"
			      "S2060800020304E8\n"
			      "S604000002F9\n"
			      "S804080001F2\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x080000);
	assert_int_equal(img.seg[0].len, 4);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x080001);
	sb_image_free(&img);
}

static void test_s3_s7_out_of_order(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	assert_int_equal(load(&img,
			      "S307080000020304E7\n"
			      "S307080000000001EF\n"   /* 0x00 0x01 at 0x08000000 */
			      "S3060800000101EF\n"     /* equal overlap: ok */
			      "S705080000856D\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].len, 4);
	assert_int_equal(img.seg[0].data[1], 0x01);
	assert_int_equal(img.seg[0].data[3], 0x04);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x08000085);
	sb_image_free(&img);
}

static void test_overlap_different(void **state)
{
	(void)state;
	expect_error("S307080000000001EF\n"
		     "S3060800000109E7\n"
		     "S705080000856D\n",
		     "t.srec:2: data at 0x08000001 (0x09) differs from line 1 (0x01)");
}

static void test_wrap(void **state)
{
	(void)state;
	expect_error("S30DFFFFFFFC0102030405060708D5\n"
		     "S70500000000FA\n",
		     "t.srec:1: 8 bytes at 0xFFFFFFFC run past the end of the 32-bit address space");
}

static void test_counts(void **state)
{
	(void)state;
	expect_error("S1071000DEADBEEFB0\n"
		     "S5030002FA\n"
		     "S9030000FC\n",
		     "t.srec:2: S5 record count 2 does not match the 1 data records before it");
	expect_error("S604000005F6\nS9030000FC\n",
		     "t.srec:1: S6 record count 5 does not match the 0 data records before it");
}

static void test_checksum(void **state)
{
	(void)state;
	expect_error("S00600004844521B\n"
		     "S1071000DEADBEEFB1\n"
		     "S9030000FC\n",
		     "t.srec:2: checksum 0xB1, expected 0xB0");
}

static void test_truncated(void **state)
{
	(void)state;
	expect_error("S1071000DEADBE\n",
		     "t.srec:1: byte count 0x07 needs 7 bytes after it, the record has 5");
	/* Cut at a line boundary: no termination record. */
	expect_error("S00600004844521B\nS1071000DEADBEEFB0\n",
		     "t.srec:2: missing termination record (S7, S8 or S9): file truncated?");
	expect_error("S1\n", "t.srec:1: record has no byte count");
	expect_error("S304000000FB\nS9030000FC\n", "t.srec:1: byte count 0x04 too small for an S3 record");
}

static void test_bad_records(void **state)
{
	(void)state;
	expect_error("S4030000FC\n", "t.srec:1: unknown record type 'S4'");
	expect_error("SX030000FC\n", "t.srec:1: unknown record type 'SX'");
	expect_error("X1071000DEADBEEFB4\n", "t.srec:1: record does not start with 'S'");
	expect_error("S10710Z0DEADBEEFB4\n", "t.srec:1: bad hex digit 'Z' in column 7");
	expect_error("S9030000FC\nS1071000DEADBEEFB0\n",
		     "t.srec:2: data after the termination record on line 1");
}

static void test_line_endings(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img,
			      "\r\nS00600004844521b\r\n\r\n"
			      "s1071000DEADBEEFB4\r\n", &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, "t.srec:4: record does not start with 'S'");
	assert_int_equal(load(&img,
			      "\r\nS00600004844521b\r\n\r\n"
			      "S1071000deadbeefb0  \r\n"
			      "S9030000FC", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].data[3], 0xEF);
	sb_image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s1_s9),
		cmocka_unit_test(test_s2_s8_s6),
		cmocka_unit_test(test_s3_s7_out_of_order),
		cmocka_unit_test(test_overlap_different),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_line_endings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
