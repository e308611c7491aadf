/* SPDX-License-Identifier: MIT */
/*
 * test_image.c - the sparse image model (add, merge, span, lookup), format
 * detection and dispatch, the raw binary loader, and the fixtures: every
 * format of the firmware gives the same image, and every file in
 * fixtures/bad gives exactly the error its README states.
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

static const uint8_t ramp[64] = {
	0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
};

/* Add ramp[addr - base ...] so that every byte's value is its offset. */
static int add_ramp(struct sb_image *img, uint32_t base, uint32_t off, size_t len,
		    struct sb_diag *d)
{
	return sb_image_add(img, base + off, ramp + off, len, "t", d);
}

static void assert_seg(const struct sb_image *img, size_t i, uint32_t addr, uint32_t len)
{
	assert_true(i < img->nseg);
	assert_int_equal(img->seg[i].addr, addr);
	assert_int_equal(img->seg[i].len, len);
}

static void test_add_sorted_and_merged(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	const uint32_t b = 0x08000000;

	sb_image_init(&img);
	assert_int_equal(add_ramp(&img, b, 40, 8, &d), SB_OK);
	assert_int_equal(add_ramp(&img, b, 0, 8, &d), SB_OK);
	assert_int_equal(add_ramp(&img, b, 20, 4, &d), SB_OK);
	assert_int_equal(img.nseg, 3);
	assert_seg(&img, 0, b, 8);
	assert_seg(&img, 1, b + 20, 4);
	assert_seg(&img, 2, b + 40, 8);
	/* Touching on the right, then on the left: merged. */
	assert_int_equal(add_ramp(&img, b, 24, 4, &d), SB_OK);
	assert_int_equal(add_ramp(&img, b, 16, 4, &d), SB_OK);
	assert_int_equal(img.nseg, 3);
	assert_seg(&img, 1, b + 16, 12);
	/* Bridging all three, overlapping with equal bytes. */
	assert_int_equal(add_ramp(&img, b, 4, 40, &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_seg(&img, 0, b, 48);
	assert_memory_equal(img.seg[0].data, ramp, 48);
	/* Zero length: nothing happens. */
	assert_int_equal(sb_image_add(&img, 0, NULL, 0, "t", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(sb_image_size(&img), 48);
	sb_image_free(&img);
	assert_int_equal(img.nseg, 0);
	assert_null(img.seg);
}

static void test_add_conflict(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	uint8_t other[8];

	sb_image_init(&img);
	assert_int_equal(add_ramp(&img, 0x08000000, 0, 16, &d), SB_OK);
	assert_int_equal(add_ramp(&img, 0x08000000, 32, 16, &d), SB_OK);
	memcpy(other, ramp + 12, 8);
	other[2] = 0xEE;  /* 0x0800000E */
	other[3] = 0xEF;
	assert_int_equal(sb_image_add(&img, 0x0800000C, other, 8, "x.hex", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "x.hex: data at 0x0800000E (0xEE) differs from data already there (0x0E)");
	assert_true(d.has_addr);
	assert_int_equal(d.addr, 0x0800000E);
	/* Unchanged. */
	assert_int_equal(img.nseg, 2);
	assert_seg(&img, 0, 0x08000000, 16);
	/* Conflict in the second of two touched segments. */
	uint8_t span[48];
	memcpy(span, ramp, 48);
	span[40] = 0;
	assert_int_equal(sb_image_add(&img, 0x08000000, span, 48, NULL, &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, "image: data at 0x08000028 (0x00)");
	assert_int_equal(img.nseg, 2);
	sb_image_free(&img);
}

static void test_add_wrap(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	sb_image_init(&img);
	assert_int_equal(sb_image_add(&img, 0xFFFFFFF0u, ramp, 32, "w", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "w: 32 bytes at 0xFFFFFFF0 run past the end of the 32-bit address space");
	assert_int_equal(sb_image_add(&img, 0xFFFFFFF0u, ramp, 16, "w", &d), SB_ERR_BAD_INPUT);
	assert_int_equal(img.nseg, 0);
	/* Up to 0xFFFFFFFE: the exclusive end still fits in 32 bits. */
	assert_int_equal(sb_image_add(&img, 0xFFFFFFF0u, ramp, 15, "w", &d), SB_OK);
	uint32_t lo, hi;
	sb_image_span(&img, &lo, &hi);
	assert_int_equal(lo, 0xFFFFFFF0u);
	assert_int_equal(hi, 0xFFFFFFFFu);
	sb_image_free(&img);
}

static void test_span_and_byte(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	uint32_t lo = 1, hi = 1;
	uint8_t v = 0;

	sb_image_init(&img);
	sb_image_span(&img, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
	assert_false(sb_image_byte(&img, 0, &v));
	assert_int_equal(add_ramp(&img, 0x100, 0, 4, &d), SB_OK);
	assert_int_equal(add_ramp(&img, 0x100, 10, 4, &d), SB_OK);
	sb_image_span(&img, &lo, &hi);
	assert_int_equal(lo, 0x100);
	assert_int_equal(hi, 0x10E);
	assert_false(sb_image_byte(&img, 0xFF, &v));
	assert_true(sb_image_byte(&img, 0x100, &v));
	assert_int_equal(v, 0);
	assert_true(sb_image_byte(&img, 0x103, &v));
	assert_int_equal(v, 3);
	assert_false(sb_image_byte(&img, 0x104, &v));
	assert_false(sb_image_byte(&img, 0x109, &v));
	assert_true(sb_image_byte(&img, 0x10D, NULL));
	assert_false(sb_image_byte(&img, 0x10E, &v));
	assert_int_equal(sb_image_size(&img), 8);
	sb_image_free(&img);
}

static void test_merge(void **state)
{
	(void)state;
	struct sb_image a, b;
	struct sb_diag d;

	sb_image_init(&a);
	sb_image_init(&b);
	assert_int_equal(add_ramp(&a, 0, 0, 8, &d), SB_OK);
	assert_int_equal(add_ramp(&b, 0, 8, 8, &d), SB_OK);
	assert_int_equal(add_ramp(&b, 0, 32, 8, &d), SB_OK);
	b.entry = 0x85;
	b.has_entry = true;
	assert_int_equal(sb_image_merge(&a, &b, "b", &d), SB_OK);
	assert_int_equal(a.nseg, 2);
	assert_seg(&a, 0, 0, 16);
	assert_true(a.has_entry);
	assert_int_equal(a.entry, 0x85);
	/* A conflict in src's second segment leaves dst as it was, first one too. */
	sb_image_free(&b);
	uint8_t bad[4] = { 50, 51, 52, 0 };
	assert_int_equal(sb_image_add(&b, 20, bad, 4, NULL, &d), SB_OK);
	assert_int_equal(sb_image_add(&b, 36, bad, 4, NULL, &d), SB_OK);
	assert_int_equal(sb_image_merge(&a, &b, "b", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "b: data at 0x00000024 (0x32) differs from data already there (0x24)");
	assert_int_equal(a.nseg, 2);
	assert_int_equal(sb_image_size(&a), 24);
	sb_image_free(&a);
	sb_image_free(&b);
}

static void test_formats(void **state)
{
	(void)state;
	const uint8_t elf[] = "\x7f" "ELF\1\1\1";
	const uint8_t dfu[] = "DfuSe\1";
	const uint8_t hex[] = "\r\n  :00000001FF\n";
	const uint8_t srec[] = "S00600004844521B\n";
	const uint8_t junk[] = "hello";

	assert_int_equal(sb_format_detect(elf, 7, "x.hex"), SB_FMT_ELF);
	assert_int_equal(sb_format_detect(dfu, 6, NULL), SB_FMT_DFU);
	assert_int_equal(sb_format_detect(hex, sizeof(hex) - 1, "fw.bin"), SB_FMT_IHEX);
	assert_int_equal(sb_format_detect(srec, sizeof(srec) - 1, NULL), SB_FMT_SREC);
	assert_int_equal(sb_format_detect(junk, 5, NULL), SB_FMT_AUTO);
	assert_int_equal(sb_format_detect(junk, 5, "a.dir/fw"), SB_FMT_AUTO);
	assert_int_equal(sb_format_detect(junk, 5, "dir/fw.BIN"), SB_FMT_BIN);
	assert_int_equal(sb_format_detect(junk, 5, "fw.hex"), SB_FMT_IHEX);
	assert_int_equal(sb_format_detect(junk, 5, "fw.s19"), SB_FMT_SREC);
	assert_int_equal(sb_format_detect(junk, 5, "fw.axf"), SB_FMT_ELF);
	assert_int_equal(sb_format_detect(junk, 5, "fw.dfu"), SB_FMT_DFU);
	assert_int_equal(sb_format_detect(NULL, 0, "fw.auto"), SB_FMT_AUTO);
	for (int f = SB_FMT_AUTO; f <= SB_FMT_DFU; f++)
		assert_int_equal(sb_format_parse(sb_format_name((enum sb_format)f)), f);
	assert_string_equal(sb_format_name(SB_FMT_IHEX), "ihex");
	assert_string_equal(sb_format_name((enum sb_format)99), "unknown");
	assert_int_equal(sb_format_parse("HEX"), SB_FMT_IHEX);
	assert_int_equal(sb_format_parse("mot"), SB_FMT_SREC);
	assert_int_equal(sb_format_parse("hexx"), -1);
	assert_int_equal(sb_format_parse(""), -1);
	assert_int_equal(sb_format_parse(NULL), -1);
}

static void test_load_bin_and_dispatch(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;
	const uint8_t text[] = "hello";

	sb_image_init(&img);
	assert_int_equal(sb_image_load(&img, SB_FMT_BIN, ramp, 64, "r.bin", 0x08004000, &d), SB_OK);
	assert_seg(&img, 0, 0x08004000, 64);
	assert_false(img.has_entry);
	/* Loading more into a non-empty image merges; a clash leaves it. */
	assert_int_equal(sb_image_load(&img, SB_FMT_AUTO, ramp, 8, "more.bin", 0x08004040, &d), SB_OK);
	assert_seg(&img, 0, 0x08004000, 72);
	assert_int_equal(sb_image_load(&img, SB_FMT_BIN, ramp + 1, 8, "clash.bin", 0x08004000, &d),
			 SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "clash.bin: data at 0x08004000 (0x01) differs from data already there (0x00)");
	assert_seg(&img, 0, 0x08004000, 72);
	sb_image_free(&img);

	assert_int_equal(sb_load_bin(&img, ramp, 0, 0x08000000, "e.bin", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "e.bin: offset 0x0: empty file (0 bytes)");
	assert_int_equal(sb_load_bin(&img, ramp, 64, 0xFFFFFFE0u, "top.bin", &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "top.bin: offset 0x0: 64 bytes at 0xFFFFFFE0 run past the end of the 32-bit address space");
	assert_int_equal(sb_image_load(&img, SB_FMT_AUTO, text, 5, "x.img", 0, &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, "x.img: unknown file format");
	assert_int_equal(sb_image_load(&img, (enum sb_format)42, text, 5, "x.img", 0, &d),
			 SB_ERR_BAD_INPUT);
	/* A broken .hex goes to the HEX parser, which names the line. */
	assert_int_equal(sb_image_load(&img, SB_FMT_AUTO, text, 5, "x.hex", 0, &d), SB_ERR_BAD_INPUT);
	assert_string_equal(d.msg, "x.hex:1: record does not start with ':'");
	assert_int_equal(img.nseg, 0);
}

/* ---- fixtures ------------------------------------------------------------- */

static uint8_t *read_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("SB_FIXTURES") ? getenv("SB_FIXTURES") : "fixtures";
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree or set SB_FIXTURES)", path);
	size_t cap = 1 << 20;
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	*len = fread(buf, 1, cap, f);
	assert_true(*len < cap);
	fclose(f);
	return buf;
}

static void load_fixture(struct sb_image *img, const char *name, int want_rc, struct sb_diag *d)
{
	size_t len;
	uint8_t *buf = read_fixture(name, &len);
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

	sb_image_init(img);
	memset(d, 0, sizeof(*d));
	int rc = sb_image_load(img, SB_FMT_AUTO, buf, len, base, 0x08000000, d);
	if (rc != want_rc)
		fail_msg("%s: rc %d (%s), expected %d", name, rc, d->msg, want_rc);
	free(buf);
}

/* fw.elf, fw.bin, fw.hex, fw.srec and fw.dfu are one image. */
static void test_fixture_formats_agree(void **state)
{
	(void)state;
	static const char *const names[] = { "fw.bin", "fw.hex", "fw.srec", "fw.dfu" };
	struct sb_image elf, other;
	struct sb_diag d;

	load_fixture(&elf, "fw.elf", SB_OK, &d);
	assert_int_equal(elf.nseg, 1);
	assert_int_equal(elf.seg[0].addr, 0x08000000);
	assert_true(elf.seg[0].len > 5 * 4096);  /* spans several 4 KB pages */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		load_fixture(&other, names[i], SB_OK, &d);
		assert_int_equal(other.nseg, 1);
		assert_int_equal(other.seg[0].addr, elf.seg[0].addr);
		assert_int_equal(other.seg[0].len, elf.seg[0].len);
		assert_memory_equal(other.seg[0].data, elf.seg[0].data, elf.seg[0].len);
		sb_image_free(&other);
	}
	/* HEX (05 record) and S-record (S7) carry the ELF's entry. */
	load_fixture(&other, "fw.hex", SB_OK, &d);
	assert_true(other.has_entry);
	assert_int_equal(other.entry, elf.entry);
	sb_image_free(&other);
	load_fixture(&other, "fw.srec", SB_OK, &d);
	assert_int_equal(other.entry, elf.entry);
	sb_image_free(&other);
	sb_image_free(&elf);
}

static void test_fixture_two_seg(void **state)
{
	(void)state;
	struct sb_image img;
	struct sb_diag d;

	load_fixture(&img, "two-seg.hex", SB_OK, &d);
	assert_int_equal(img.nseg, 2);
	assert_seg(&img, 0, 0x08000000, 0x10000);
	assert_seg(&img, 1, 0x08030000, 0x10000);
	sb_image_free(&img);
}

/* Next "== FILE" entry of the README from *p: file name, and the text after
 * "error: " or "loads: " (kind 'e' or 'l'). */
static bool next_entry(char **p, char **file, char **text, char *kind)
{
	char *line;

	*file = NULL;
	while ((line = strsep(p, "\n"))) {
		if (strncmp(line, "== ", 3) == 0) {
			*file = line + 3;
		} else if (*file && (strncmp(line, "error: ", 7) == 0 || strncmp(line, "loads: ", 7) == 0)) {
			*kind = line[0];
			*text = line + 7;
			return true;
		}
	}
	return false;
}

static void test_fixture_bad_readme(void **state)
{
	(void)state;
	size_t len, n = 0;
	char *readme = (char *)read_fixture("bad/README", &len), *p = readme, *file, *text;
	char kind, path[300], got[200];

	readme[len] = 0;
	while (next_entry(&p, &file, &text, &kind)) {
		struct sb_image img;
		struct sb_diag d;
		uint32_t lo, hi;
		snprintf(path, sizeof(path), "bad/%s", file);
		load_fixture(&img, path, kind == 'e' ? SB_ERR_BAD_INPUT : SB_OK, &d);
		if (kind == 'e') {
			if (strcmp(d.msg, text) != 0)
				fail_msg("%s:\n  got  %s\n  want %s", file, d.msg, text);
			assert_int_equal(img.nseg, 0);
		} else {
			sb_image_span(&img, &lo, &hi);
			snprintf(got, sizeof(got), "%llu bytes, %zu segment%s, 0x%08X-0x%08X",
				 (unsigned long long)sb_image_size(&img), img.nseg,
				 img.nseg == 1 ? "" : "s", (unsigned)lo, (unsigned)hi);
			if (strcmp(got, text) != 0)
				fail_msg("%s:\n  got  %s\n  want %s", file, got, text);
		}
		sb_image_free(&img);
		n++;
	}
	assert_true(n >= 15);
	free(readme);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_sorted_and_merged),
		cmocka_unit_test(test_add_conflict),
		cmocka_unit_test(test_add_wrap),
		cmocka_unit_test(test_span_and_byte),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_load_bin_and_dispatch),
		cmocka_unit_test(test_fixture_formats_agree),
		cmocka_unit_test(test_fixture_two_seg),
		cmocka_unit_test(test_fixture_bad_readme),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
