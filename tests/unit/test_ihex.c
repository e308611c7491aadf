/* SPDX-License-Identifier: MIT */
/*
 * test_ihex.c - Intel HEX loader: every record type, addressing modes,
 * merging, and each malformed-input message (file name and line).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
	return sb_load_ihex(img, (const uint8_t *)text, strlen(text), "t.hex", d);
}

/* Load text expecting failure; the message must contain want. */
static void expect_error(const char *text, const char *want)
{
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img, text, &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, want);
	assert_int_equal(img.nseg, 0);
	assert_null(img.seg);
	assert_false(img.has_entry);
}

static void test_data_and_entry(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	static const uint8_t want[4] = { 0x00, 0x00, 0x03, 0x20 };

	assert_int_equal(load(&img,
			      ":020000040800F2\n"
			      ":0400000000000320D9\n"
			      ":04000005080000856A\n"
			      ":00000001FF\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_int_equal(img.seg[0].len, 4);
	assert_memory_equal(img.seg[0].data, want, 4);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x08000085);
	sb_image_free(&img);
}

static void test_linear_upper_changes(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	uint8_t b;

	/* 0x0800FFFF then, after a new 04 record, 0x08010000: one segment. */
	assert_int_equal(load(&img,
			      ":020000040800F2\n"
			      ":01FFFF00AA57\n"
			      ":020000040801F1\n"
			      ":01000000BB44\n"
			      ":00000001FF\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x0800FFFF);
	assert_int_equal(img.seg[0].len, 2);
	assert_true(sb_image_byte(&img, 0x08010000, &b));
	assert_int_equal(b, 0xBB);
	sb_image_free(&img);
}

static void test_segment_addressing(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	uint8_t b;

	/* Segment 0x1000 -> base 0x10000; start segment CS=0x1000 IP=0x0010. */
	assert_int_equal(load(&img,
			      ":020000021000EC\n"
			      ":020010001122BB\n"
			      ":0400000310000010D9\n"
			      ":00000001FF\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x10010);
	assert_true(sb_image_byte(&img, 0x10011, &b));
	assert_int_equal(b, 0x22);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x10010);
	sb_image_free(&img);
}

static void test_segment_wraps_in_segment(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	uint8_t b;

	/* Offset 0xFFFE + 4 bytes in segment 0x1000 wraps to the segment's
	 * start (Intel HEX: SBA + ((DRLO + DRI) mod 64K)). */
	assert_int_equal(load(&img,
			      ":020000021000EC\n"
			      ":04FFFE0001020304F5\n"
			      ":00000001FF\n", &d), SB_OK);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.seg[0].addr, 0x10000);
	assert_int_equal(img.seg[0].len, 2);
	assert_int_equal(img.seg[1].addr, 0x1FFFE);
	assert_int_equal(img.seg[1].len, 2);
	assert_true(sb_image_byte(&img, 0x10001, &b));
	assert_int_equal(b, 0x04);
	sb_image_free(&img);
}

static void test_out_of_order_and_adjacent(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img,
			      ":020000040800F2\n"
			      ":020004000506EF\n"
			      ":020000000102FB\n"
			      ":020002000304F5\n"
			      ":00000001FF\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].len, 6);
	static const uint8_t want[6] = { 1, 2, 3, 4, 5, 6 };
	assert_memory_equal(img.seg[0].data, want, 6);
	sb_image_free(&img);
}

static void test_overlap_equal_ok(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img,
			      ":0400000001020304F2\n"
			      ":020001000203F8\n"
			      ":00000001FF\n", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].len, 4);
	sb_image_free(&img);
}

static void test_overlap_different(void **state)
{
	(void)state;
	/* Line 3 says 0x09 at 0x08000002; line 2 said 0x03. */
	expect_error(":020000040800F2\n"
		     ":0400000001020304F2\n"
		     ":020001000209F2\n"
		     ":00000001FF\n",
		     "t.hex:3: data at 0x08000002 (0x09) differs from line 2 (0x03)");
}

static void test_overlap_later_line_named(void **state)
{
	(void)state;
	struct sb_diag d;
	struct sb_image img;

	/* Line 2 covers 0x02..0x03; line 3 covers 0x00..0x03 and disagrees
	 * at 0x02. Line 3 sorts first by address, but is later in the file. */
	assert_int_equal(load(&img,
			      ":020002000304F5\n"
			      ":020002000304F5\n"
			      ":0400000001020904EC\n"
			      ":00000001FF\n", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "t.hex:3: data at 0x00000002 (0x09) differs from line 1 (0x03)");
	assert_true(d.has_addr);
	assert_int_equal(d.addr, 2);
	assert_int_equal(img.nseg, 0);
}

static void test_wrap(void **state)
{
	(void)state;
	expect_error(":02000004FFFFFC\n"
		     ":10FFF800000102030405060708090A0B0C0D0E0F81\n"
		     ":00000001FF\n",
		     "t.hex:2: 16 bytes at 0xFFFFFFF8 run past the end of the 32-bit address space");
	/* The very last byte is refused too (exclusive end must fit 32 bits). */
	expect_error(":02000004FFFFFC\n"
		     ":01FFFF00AA57\n"
		     ":00000001FF\n",
		     "t.hex:2: 1 bytes at 0xFFFFFFFF");
}

static void test_truncated_line(void **state)
{
	(void)state;
	expect_error(":020000040800F2\n"
		     ":100000000000032085000008810000\n"
		     ":00000001FF\n",
		     "t.hex:2: byte count 0x10 needs 16 data bytes, the record has 10");
	expect_error(":0000\n", "t.hex:1: record too short (2 bytes, at least 5)");
	expect_error(":020000040800F\n", "t.hex:1: odd number of hex digits (13)");
}

static void test_bad_checksum(void **state)
{
	(void)state;
	expect_error(":020000040800F2\n"
		     "\n"
		     ":0400000000000320D8\n"
		     ":00000001FF\n",
		     "t.hex:3: checksum 0xD8, expected 0xD9");
}

static void test_bad_digits(void **state)
{
	(void)state;
	expect_error(":0400000000G00320D9\n:00000001FF\n", "t.hex:1: bad hex digit 'G' in column 12");
	expect_error(":04000000000\x01" "0320D9\n", "t.hex:1: bad character 0x01 in column 13");
	expect_error("0400000000000320D9\n", "t.hex:1: record does not start with ':'");
}

static void test_record_types(void **state)
{
	(void)state;
	expect_error(":00000006FA\n", "t.hex:1: unknown record type 0x06");
	expect_error(":01000001AA54\n", "t.hex:1: end-of-file record with 1 data bytes (needs 0)");
	expect_error(":0300000408000FE2\n:00000001FF\n",
		     "t.hex:1: extended linear address record with 3 data bytes (needs 2)");
	expect_error(":0100000210ED\n", "t.hex:1: extended segment address record with 1 data bytes");
	expect_error(":020000050800F1\n", "t.hex:1: start linear address record with 2 data bytes");
	expect_error(":020000031000EB\n", "t.hex:1: start segment address record with 2 data bytes");
	expect_error(":04000005080000856A\n:04000005080000D916\n:00000001FF\n",
		     "t.hex:2: start address 0x080000D9 differs from 0x08000085 on line 1");
}

static void test_eof_rules(void **state)
{
	(void)state;
	expect_error(":0400000000000320D9\n",
		     "t.hex:1: missing end-of-file record (:00000001FF): file truncated?");
	expect_error("", "t.hex:1: missing end-of-file record");
	expect_error(":00000001FF\n\n:0400000000000320D9\n",
		     "t.hex:3: data after the end-of-file record on line 1");
}

static void test_line_endings(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	/* CRLF, LF, a lone CR, blank lines, trailing blanks, lower case, no
	 * final newline. */
	assert_int_equal(load(&img,
			      "\r\n:020000040800f2\r\n"
			      "\n   \n"
			      ":0400000000000320d9  \t\r"
			      ":04000400aabbccddea\n"
			      ":00000001FF", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_int_equal(img.seg[0].len, 8);
	assert_int_equal(img.seg[0].data[7], 0xDD);
	sb_image_free(&img);
	/* Line numbers count CRLF once and a lone CR once. */
	expect_error("\r\n\r\r\n:0400000000000320D8\r\n", "t.hex:4: checksum");
}

static void test_only_eof(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img, ":00000001FF\n", &d), SB_OK);
	assert_int_equal(img.nseg, 0);
	sb_image_free(&img);
}

/* Write n bytes of 16-byte records at 0x08000000, in file order fwd/back. */
static char *big_hex(size_t n, bool reverse)
{
	size_t nrec = n / 16, cap = nrec * 64 + 64, pos = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	for (size_t k = 0; k < nrec; k++) {
		size_t r = reverse ? nrec - 1 - k : k;
		uint32_t a = 0x08000000u + (uint32_t)(r * 16);
		unsigned hi = a >> 16, lo = a & 0xFFFF;
		unsigned sum = 2 + 4 + (hi >> 8) + (hi & 0xFF);
		pos += (size_t)sprintf(s + pos, ":02000004%04X%02X\n", hi, (0x100 - (sum & 0xFF)) & 0xFF);
		sum = 16 + (lo >> 8) + (lo & 0xFF);
		pos += (size_t)sprintf(s + pos, ":10%04X00", lo);
		for (int i = 0; i < 16; i++) {
			unsigned v = (unsigned)((r * 16 + (size_t)i) * 7 % 251);
			sum += v;
			pos += (size_t)sprintf(s + pos, "%02X", v);
		}
		pos += (size_t)sprintf(s + pos, "%02X\n", (0x100 - (sum & 0xFF)) & 0xFF);
		assert_true(pos + 64 < cap);
	}
	sprintf(s + pos, ":00000001FF\n");
	return s;
}

static void check_big(bool reverse)
{
	const size_t n = 2u << 20;
	char *text = big_hex(n, reverse);
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img, text, &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_int_equal(img.seg[0].len, n);
	for (size_t i = 0; i < n; i += 4099)
		assert_int_equal(img.seg[0].data[i], i * 7 % 251);
	sb_image_free(&img);
	free(text);
}

/* 2 MB of 16-byte records (131072 records, each after its own 04 record)
 * in file order and reversed: one segment, every byte in place. */
static void test_big_file(void **state)
{
	(void)state;
	check_big(false);
	check_big(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_and_entry),
		cmocka_unit_test(test_linear_upper_changes),
		cmocka_unit_test(test_segment_addressing),
		cmocka_unit_test(test_segment_wraps_in_segment),
		cmocka_unit_test(test_out_of_order_and_adjacent),
		cmocka_unit_test(test_overlap_equal_ok),
		cmocka_unit_test(test_overlap_different),
		cmocka_unit_test(test_overlap_later_line_named),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_truncated_line),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_bad_digits),
		cmocka_unit_test(test_record_types),
		cmocka_unit_test(test_eof_rules),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_only_eof),
		cmocka_unit_test(test_big_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
