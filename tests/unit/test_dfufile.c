/* SPDX-License-Identifier: MIT */
/*
 * test_dfufile.c - DfuSe .dfu reader and writer (protocol-facts D): the
 * computed sample file byte for byte, round trips, both DFUImageSize
 * conventions, and each malformed-input message with its offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc.h"
#include "image.h"

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("message \"%s\" lacks \"%s\"", hay, needle);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_crc(uint8_t *buf, size_t len)
{
	put32(buf + len - 4, sb_crc_jam(0xFFFFFFFFu, buf, len - 4));
}

static void add(struct sb_image *img, uint32_t addr, const void *data, size_t len)
{
	assert_int_equal(sb_image_add(img, addr, data, len, NULL, NULL), SB_OK);
}

/* protocol-facts D "computed sample file": one target, alt 0, "ST...",
 * 01..08 at 0x08000000, 0483:DF11, bcdDevice 0. Writes it into *out. */
static void write_sample(uint8_t **out, size_t *len)
{
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct sb_dfu_target t = { .alt = 0, .name = "ST..." };
	struct sb_dfu_file f = { .vid = 0x0483, .pid = 0xDF11, .targets = &t, .ntargets = 1 };

	sb_image_init(&t.img);
	add(&t.img, 0x08000000, data, sizeof(data));
	assert_int_equal(sb_dfu_write(&f, out, len), SB_OK);
	sb_image_free(&t.img);
}

static void test_sample_file(void **state)
{
	(void)state;
	static const uint8_t prefix[11] = { 0x44, 0x66, 0x75, 0x53, 0x65, 0x01,
					    0x2D, 0x01, 0x00, 0x00, 0x01 };
	static const uint8_t suffix[16] = { 0x00, 0x00, 0x11, 0xDF, 0x83, 0x04, 0x1A, 0x01,
					    0x55, 0x46, 0x44, 0x10, 0xA9, 0xE0, 0x94, 0x85 };
	uint8_t *buf;
	size_t len;

	write_sample(&buf, &len);
	assert_int_equal(len, 317);
	assert_memory_equal(buf, prefix, sizeof(prefix));
	assert_memory_equal(buf + len - 16, suffix, sizeof(suffix));
	assert_memory_equal(buf + 11, "Target", 6);
	assert_int_equal(buf[11 + 7], 1);                      /* bTargetNamed */
	assert_int_equal(buf[11 + 266], 16);                   /* dwTargetSize */
	assert_int_equal(buf[11 + 270], 1);                    /* dwNbElements */
	free(buf);
}

static void test_round_trip(void **state)
{
	(void)state;
	static const uint8_t a[5] = { 0xA0, 0xA1, 0xA2, 0xA3, 0xA4 }, b[3] = { 0xB0, 0xB1, 0xB2 };
	struct sb_dfu_target t[2] = { { .alt = 0, .name = "Internal Flash" }, { .alt = 1 } };
	struct sb_dfu_file f = { .vid = 0x0483, .pid = 0xDF11, .bcd_device = 0x2200,
				 .targets = t, .ntargets = 2 }, g;
	struct sb_diag d;
	uint8_t *buf;
	size_t len;

	sb_image_init(&t[0].img);
	sb_image_init(&t[1].img);
	add(&t[0].img, 0x08000000, a, sizeof(a));
	add(&t[0].img, 0x08010000, b, sizeof(b));
	add(&t[1].img, 0x1FF00000, b, 2);
	assert_int_equal(sb_dfu_write(&f, &buf, &len), SB_OK);
	assert_int_equal(len, 11 + 2 * 274 + (8 + 5) + (8 + 3) + (8 + 2) + 16);
	assert_int_equal(buf[11 + 274 + 13 + 11 + 7], 0);      /* target 1 not named */

	assert_int_equal(sb_dfu_parse(&g, buf, len, "rt.dfu", &d), SB_OK);
	assert_int_equal(g.vid, 0x0483);
	assert_int_equal(g.pid, 0xDF11);
	assert_int_equal(g.bcd_device, 0x2200);
	assert_int_equal(g.bcd_dfu, 0x011A);
	assert_int_equal(g.ntargets, 2);
	assert_string_equal(g.targets[0].name, "Internal Flash");
	assert_string_equal(g.targets[1].name, "");
	assert_int_equal(g.targets[1].alt, 1);
	assert_int_equal(g.targets[0].img.nseg, 2);
	assert_int_equal(g.targets[0].img.seg[1].addr, 0x08010000);
	assert_memory_equal(g.targets[0].img.seg[1].data, b, 3);
	assert_int_equal(g.targets[1].img.seg[0].addr, 0x1FF00000);
	sb_dfu_free(&g);

	/* sb_load_dfu / sb_image_load take the alt-0 target only. */
	struct sb_image img;
	sb_image_init(&img);
	assert_int_equal(sb_image_load(&img, SB_FMT_AUTO, buf, len, "rt.dfu", 0, &d), SB_OK);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(sb_image_size(&img), 8);
	assert_false(sb_image_byte(&img, 0x1FF00000, NULL));
	sb_image_free(&img);
	free(buf);
	sb_image_free(&t[0].img);
	sb_image_free(&t[1].img);
}

static void expect_error(uint8_t *buf, size_t len, const char *want)
{
	struct sb_dfu_file f;
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(sb_dfu_parse(&f, buf, len, "t.dfu", &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, want);
	assert_int_equal(f.ntargets, 0);
	assert_null(f.targets);
	sb_image_init(&img);
	assert_int_equal(sb_load_dfu(&img, buf, len, "t.dfu", &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, want);
	assert_int_equal(img.nseg, 0);
}

static void test_size_with_suffix(void **state)
{
	(void)state;
	uint8_t *buf;
	size_t len;
	struct sb_dfu_file f;
	struct sb_diag d;

	/* dfu-util's dfuse-pack.py counts the suffix (protocol-facts F.3). */
	write_sample(&buf, &len);
	put32(buf + 6, (uint32_t)len);
	fix_crc(buf, len);
	assert_int_equal(sb_dfu_parse(&f, buf, len, "t.dfu", &d), SB_OK);
	assert_int_equal(f.targets[0].img.seg[0].len, 8);
	sb_dfu_free(&f);

	put32(buf + 6, 300);
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x6: DFUImageSize 300 matches neither the file "
			       "without its suffix (301) nor with it (317)");
	put32(buf + 6, 5000);
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x6: DFUImageSize 5000 runs past the end of the file (317 bytes)");
	free(buf);
}

static void test_bad_crc(void **state)
{
	(void)state;
	uint8_t *buf;
	size_t len;

	write_sample(&buf, &len);
	buf[11 + 274 + 8] ^= 0x40;
	expect_error(buf, len, "t.dfu: offset 0x139: CRC 0x8594E0A9 in the file, ");
	free(buf);
}

static void test_signatures(void **state)
{
	(void)state;
	uint8_t *buf;
	size_t len;

	write_sample(&buf, &len);
	expect_error(buf, 20, "t.dfu: offset 0x0: file too short for a DfuSe file (20 bytes, needs at least 27)");
	buf[0] = 'd';
	expect_error(buf, len, "t.dfu: offset 0x0: no \"DfuSe\" signature");
	buf[0] = 'D';
	buf[5] = 2;
	expect_error(buf, len, "t.dfu: offset 0x5: DfuSe version 2");
	buf[5] = 1;
	buf[len - 7] = 'X';
	expect_error(buf, len, "t.dfu: offset 0x135: bad suffix signature (expected \"UFD\")");
	buf[len - 7] = 'F';
	buf[len - 5] = 20;
	expect_error(buf, len, "t.dfu: offset 0x138: suffix length 20");
	buf[len - 5] = 16;
	buf[len - 10] = 0x00;  /* bcdDFU 0x0100: plain DFU */
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x133: bcdDFU 0x0100");
	buf[len - 10] = 0x1A;
	buf[11] = 't';
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0xb: target 0: no \"Target\" signature");
	free(buf);
}

static void test_sizes_inside(void **state)
{
	(void)state;
	uint8_t *buf;
	size_t len;

	write_sample(&buf, &len);
	put32(buf + 11 + 266, 17);  /* dwTargetSize one too big */
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x115: target 0 size 17 runs past the end of the data");
	put32(buf + 11 + 266, 16);
	put32(buf + 11 + 274 + 4, 9);  /* dwElementSize one too big */
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x121: element size 9 runs past the end of target 0");
	put32(buf + 11 + 274 + 4, 8);
	put32(buf + 11 + 270, 2);  /* a second element that is not there */
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x12d: element 1 of target 0 runs past the target's end");
	put32(buf + 11 + 270, 0);  /* no elements: the 16 bytes are left over */
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x11d: target 0: 16 bytes after its last element");
	put32(buf + 11 + 270, 1);
	buf[10] = 2;  /* bTargets says 2 */
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0x12d: target 1 runs past the end of the data");
	buf[10] = 0;  /* bTargets says 0: the target is trailing junk */
	fix_crc(buf, len);
	expect_error(buf, len, "t.dfu: offset 0xb: 290 bytes after the last of 0 targets");
	free(buf);
}

static void test_alt_selection(void **state)
{
	(void)state;
	static const uint8_t x[4] = { 1, 2, 3, 4 }, y[4] = { 1, 2, 9, 4 };
	struct sb_dfu_target t[3] = { { .alt = 1 }, { .alt = 0 }, { .alt = 0 } };
	struct sb_dfu_file f = { .targets = t, .ntargets = 1 };
	struct sb_image img;
	struct sb_diag d;
	uint8_t *buf;
	size_t len;

	for (int i = 0; i < 3; i++)
		sb_image_init(&t[i].img);
	add(&t[0].img, 0x1FF00000, x, 4);
	add(&t[1].img, 0x08000000, x, 4);
	add(&t[2].img, 0x08000004, x, 4);
	assert_int_equal(sb_dfu_write(&f, &buf, &len), SB_OK);
	sb_image_init(&img);
	assert_int_equal(sb_load_dfu(&img, buf, len, "t.dfu", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "t.dfu: no target for alt setting 0 (internal flash) among its 1 targets");
	assert_int_equal(img.nseg, 0);
	free(buf);

	f.ntargets = 3;  /* two alt-0 targets, touching: merged into one run */
	assert_int_equal(sb_dfu_write(&f, &buf, &len), SB_OK);
	sb_image_init(&img);
	assert_int_equal(sb_load_dfu(&img, buf, len, "t.dfu", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].len, 8);
	sb_image_free(&img);
	free(buf);

	sb_image_free(&t[2].img);  /* two alt-0 targets that disagree */
	add(&t[2].img, 0x08000000, y, 4);
	assert_int_equal(sb_dfu_write(&f, &buf, &len), SB_OK);
	assert_int_equal(sb_load_dfu(&img, buf, len, "t.dfu", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "t.dfu: target 2: data at 0x08000002 (0x09) differs from data already there (0x03)");
	assert_int_equal(img.nseg, 0);
	free(buf);
	for (int i = 0; i < 3; i++)
		sb_image_free(&t[i].img);
}

static void test_writer_limits(void **state)
{
	(void)state;
	struct sb_dfu_target *t = calloc(256, sizeof(*t));
	struct sb_dfu_file f = { .targets = t, .ntargets = 256 };
	uint8_t *buf = (uint8_t *)&f;
	size_t len = 1;

	assert_non_null(t);
	assert_int_equal(sb_dfu_write(&f, &buf, &len), SB_ERR_BAD_INPUT);
	assert_null(buf);
	assert_int_equal(len, 0);
	f.ntargets = 255;  /* empty targets: 255 * 274 bytes */
	assert_int_equal(sb_dfu_write(&f, &buf, &len), SB_OK);
	assert_int_equal(len, 11 + 255 * 274 + 16);
	struct sb_dfu_file g;
	struct sb_diag d;
	assert_int_equal(sb_dfu_parse(&g, buf, len, "many.dfu", &d), SB_OK);
	assert_int_equal(g.ntargets, 255);
	sb_dfu_free(&g);
	free(buf);
	free(t);
}

static void test_jamcrc_vectors(void **state)
{
	(void)state;
	static const uint8_t v[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

	/* protocol-facts D.4 test vectors. */
	assert_int_equal(sb_crc_jam(0xFFFFFFFFu, v, 9), 0xBF105461u);
	assert_int_equal(sb_crc_jam(0xFFFFFFFFu, (const uint8_t *)"123456789", 9), 0x340BC6D9u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_file),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_size_with_suffix),
		cmocka_unit_test(test_bad_crc),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_sizes_inside),
		cmocka_unit_test(test_alt_selection),
		cmocka_unit_test(test_writer_limits),
		cmocka_unit_test(test_jamcrc_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
