/* SPDX-License-Identifier: MIT */
/*
 * test_patch.c - --patch ADDR=BYTES parsing, patching an image (replacing
 * bytes, extending, joining segments), serial-number formats and rendering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "patch.h"

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("message \"%s\" lacks \"%s\"", hay, needle);
}

static void expect_patch(const char *arg, uint32_t addr, const void *data, size_t len)
{
	struct sb_patch p;
	struct sb_diag d = { 0 };

	assert_int_equal(sb_patch_parse(arg, &p, &d), SB_OK);
	assert_int_equal(p.addr, addr);
	assert_int_equal(p.len, len);
	assert_memory_equal(p.data, data, len);
}

static void expect_bad(const char *arg, const char *want)
{
	struct sb_patch p;
	struct sb_diag d = { 0 };

	assert_int_equal(sb_patch_parse(arg, &p, &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, want);
}

static void test_parse(void **state)
{
	(void)state;
	expect_patch("0x0800C000=DEADBEEF", 0x0800C000, "\xDE\xAD\xBE\xEF", 4);
	expect_patch("0x0800C000=de:ad be", 0x0800C000, "\xDE\xAD\xBE", 3);
	expect_patch("134266880=u32:0x12345678", 0x0800C000, "\x78\x56\x34\x12", 4);
	expect_patch("0x100=be16:258", 0x100, "\x01\x02", 2);
	expect_patch("0x100=u64:1", 0x100, "\x01\0\0\0\0\0\0\0", 8);
	expect_patch("0x100=u8:255", 0x100, "\xFF", 1);
	expect_patch("0x100=str:AB=C", 0x100, "AB=C", 4);
	expect_bad("0x100", "expected ADDR=BYTES");
	expect_bad("zz=00", "'zz' is not an address");
	expect_bad("0x100=u8:256", "does not fit");
	expect_bad("0x100=u16:-1", "does not fit");
	expect_bad("0x100=ABC", "BYTES must be");
	expect_bad("0x100=", "BYTES must be");
	expect_bad("0x100=xy", "BYTES must be");
	expect_bad("0xFFFFFFFE=u32:1", "past the 32-bit");
	expect_bad("0x100000000=00", "not an address");
}

static void test_image_patch(void **state)
{
	(void)state;
	struct sb_image img;
	uint8_t a[16], b;
	struct sb_diag d = { 0 };

	memset(a, 0x11, sizeof(a));
	sb_image_init(&img);
	assert_int_equal(sb_image_add(&img, 0x1000, a, 16, NULL, NULL), SB_OK);
	assert_int_equal(sb_image_add(&img, 0x1020, a, 16, NULL, NULL), SB_OK);
	/* replaces 0x100C..0x100F, fills the gap, replaces 0x1020..0x1023: one segment */
	uint8_t p[24];
	memset(p, 0xAB, sizeof(p));
	assert_int_equal(sb_image_patch(&img, 0x100C, p, sizeof(p), &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x1000);
	assert_int_equal(img.seg[0].len, 0x30);
	assert_true(sb_image_byte(&img, 0x100B, &b) && b == 0x11);
	assert_true(sb_image_byte(&img, 0x100C, &b) && b == 0xAB);
	assert_true(sb_image_byte(&img, 0x1023, &b) && b == 0xAB);
	assert_true(sb_image_byte(&img, 0x1024, &b) && b == 0x11);
	/* outside every segment: a new one */
	assert_int_equal(sb_image_patch(&img, 0x2000, p, 2, &d), SB_OK);
	assert_int_equal(img.nseg, 2);
	sb_image_free(&img);
}

static void render(const char *fmt, uint64_t v, const void *bytes, size_t n, const char *text)
{
	struct sb_snfmt f;
	struct sb_diag d = { 0 };
	uint8_t out[SB_PATCH_MAX];
	char t[80];
	size_t len;

	assert_int_equal(sb_sn_parse(fmt, &f, &d), SB_OK);
	assert_int_equal(sb_sn_render(&f, v, out, &len, t, sizeof(t), &d), SB_OK);
	assert_int_equal(len, n);
	assert_memory_equal(out, bytes, n);
	assert_string_equal(t, text);
}

static void test_serial_formats(void **state)
{
	(void)state;
	struct sb_snfmt f;
	struct sb_diag d = { 0 };
	uint8_t out[SB_PATCH_MAX];
	char t[80];
	size_t len;

	render("u32", 0x01020304, "\x04\x03\x02\x01", 4, "16909060");
	render("be16", 0x0102, "\x01\x02", 2, "258");
	render("u64", 7, "\x07\0\0\0\0\0\0\0", 8, "7");
	render("SN-%06u", 42, "SN-000042", 10, "SN-000042");
	render("%X%%", 255, "FF%", 4, "FF%");
	assert_int_equal(sb_sn_parse("u16", &f, &d), SB_OK);
	assert_int_equal(sb_sn_render(&f, 65536, out, &len, t, sizeof(t), &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, "does not fit 2 bytes");
	assert_int_equal(sb_sn_parse("SN", &f, &d), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_sn_parse("u8", &f, &d), SB_ERR_BAD_INPUT);   /* --patch only */
	assert_int_equal(sb_sn_parse("u16:", &f, &d), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_sn_parse("%u-%u", &f, &d), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_sn_parse("%s", &f, &d), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_sn_parse("%n", &f, &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, "--sn-format");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_image_patch),
		cmocka_unit_test(test_serial_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
