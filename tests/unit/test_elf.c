/* SPDX-License-Identifier: MIT */
/*
 * test_elf.c - ELF loader: PT_LOAD at the physical address, .bss tails and
 * NOBITS segments not loaded, header and bounds checks with file offsets.
 * ELF files are built in memory; the last test loads fixtures/fw.elf.
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

#define PT_LOAD 1
#define PT_NOTE 4
#define PT_ARM_EXIDX 0x70000001u

struct ph {
	uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* A 1 KB ARM executable: header, n program headers at 52, and a
 * recognisable byte pattern (i * 7 + 1) everywhere after them. */
static uint8_t elf[1024];

static void make_elf(const struct ph *ph, unsigned n, uint32_t entry)
{
	for (size_t i = 0; i < sizeof(elf); i++)
		elf[i] = (uint8_t)(i * 7 + 1);
	memset(elf, 0, 52 + n * 32);
	memcpy(elf, "\x7f" "ELF", 4);
	elf[4] = 1;  /* ELFCLASS32 */
	elf[5] = 1;  /* ELFDATA2LSB */
	elf[6] = 1;  /* EV_CURRENT */
	put16(elf + 16, 2);   /* ET_EXEC */
	put16(elf + 18, 40);  /* EM_ARM */
	put32(elf + 20, 1);
	put32(elf + 24, entry);
	put32(elf + 28, 52);  /* e_phoff */
	put16(elf + 40, 52);  /* e_ehsize */
	put16(elf + 42, 32);  /* e_phentsize */
	put16(elf + 44, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = elf + 52 + 32 * i;
		put32(p, ph[i].type);
		put32(p + 4, ph[i].offset);
		put32(p + 8, ph[i].vaddr);
		put32(p + 12, ph[i].paddr);
		put32(p + 16, ph[i].filesz);
		put32(p + 20, ph[i].memsz);
	}
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("message \"%s\" lacks \"%s\"", hay, needle);
}

static int load(struct sb_image *img, size_t len, struct sb_diag *d)
{
	sb_image_init(img);
	memset(d, 0, sizeof(*d));
	return sb_load_elf(img, elf, len, "t.elf", d);
}

static void expect_error(size_t len, const char *want)
{
	struct sb_image img;
	struct sb_diag d;

	assert_int_equal(load(&img, len, &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, want);
	assert_int_equal(img.nseg, 0);
	assert_null(img.seg);
}

/* Text at 0x08000000, .data run at 0x20000000 but loaded (LMA) right after
 * it at 0x08000100, with a .bss tail (memsz > filesz); a NOBITS-only
 * segment; non-LOAD segments. Only the file bytes go in, at p_paddr. */
static void test_lma_and_bss(void **state)
{
	(void)state;
	const struct ph ph[] = {
		{ PT_LOAD, 0x100, 0x08000000, 0x08000000, 0x100, 0x100 },
		{ PT_LOAD, 0x200, 0x20000000, 0x08000100, 0x20, 0x400 },
		{ PT_LOAD, 0x220, 0x20000400, 0x20000400, 0, 0x1000 },
		{ PT_NOTE, 0x300, 0, 0, 0x10, 0x10 },
		{ PT_ARM_EXIDX, 0x310, 0x08000120, 0x08000120, 0x8, 0x8 },
	};
	struct sb_image img;
	struct sb_diag d;

	make_elf(ph, 5, 0x08000085);
	assert_int_equal(load(&img, sizeof(elf), &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_int_equal(img.seg[0].len, 0x120);
	assert_memory_equal(img.seg[0].data, elf + 0x100, 0x120);
	assert_false(sb_image_byte(&img, 0x20000000, NULL));
	assert_false(sb_image_byte(&img, 0x08000120, NULL));
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x08000085);
	sb_image_free(&img);
}

static void test_gap_between_segments(void **state)
{
	(void)state;
	const struct ph ph[] = {
		{ PT_LOAD, 0x100, 0x08000000, 0x08000000, 0x10, 0x10 },
		{ PT_LOAD, 0x110, 0x08001000, 0x08001000, 0x10, 0x10 },
	};
	struct sb_image img;
	struct sb_diag d;

	make_elf(ph, 2, 0);
	assert_int_equal(load(&img, sizeof(elf), &d), SB_OK);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.seg[1].addr, 0x08001000);
	assert_false(img.has_entry);
	sb_image_free(&img);
}

static void test_ph_table_past_end(void **state)
{
	(void)state;
	const struct ph ph[] = {
		{ PT_LOAD, 0x100, 0x08000000, 0x08000000, 0x10, 0x10 },
		{ PT_LOAD, 0x110, 0x08001000, 0x08001000, 0x10, 0x10 },
	};

	make_elf(ph, 2, 0);
	expect_error(100, "t.elf: offset 0x34: program header table (2 entries of 32 bytes) "
			  "runs past the end of the file (100 bytes)");
	put32(elf + 28, 0xFFFFFFF0u);  /* e_phoff far away: no wrap */
	expect_error(sizeof(elf), "t.elf: offset 0xfffffff0: program header table");
}

static void test_segment_past_end(void **state)
{
	(void)state;
	const struct ph ph[] = {
		{ PT_LOAD, 0x100, 0x08000000, 0x08000000, 0x10, 0x10 },
		{ PT_LOAD, 0x3F0, 0x08001000, 0x08001000, 0x20, 0x20 },
	};

	make_elf(ph, 2, 0);
	expect_error(sizeof(elf), "t.elf: offset 0x54: segment 1 data (offset 0x3f0, 0x20 bytes) "
				  "runs past the end of the file (1024 bytes)");
	const struct ph huge[] = { { PT_LOAD, 0xFFFFFFF0u, 0, 0x08000000, 0x20, 0x20 } };
	make_elf(huge, 1, 0);
	expect_error(sizeof(elf), "t.elf: offset 0x34: segment 0 data (offset 0xfffffff0");
}

static void test_bad_segments(void **state)
{
	(void)state;
	const struct ph more_file[] = { { PT_LOAD, 0x100, 0, 0x08000000, 0x20, 0x10 } };
	const struct ph wrap[] = { { PT_LOAD, 0x100, 0, 0xFFFFFFF0u, 0x20, 0x20 } };
	const struct ph none[] = { { PT_LOAD, 0x100, 0x20000000, 0x20000000, 0, 0x100 } };
	const struct ph clash[] = {
		{ PT_LOAD, 0x100, 0x08000000, 0x08000000, 0x20, 0x20 },
		{ PT_LOAD, 0x200, 0x08000010, 0x08000010, 0x20, 0x20 },
	};

	make_elf(more_file, 1, 0);
	expect_error(sizeof(elf), "t.elf: offset 0x34: segment 0 has more file bytes (0x20) than memory bytes (0x10)");
	make_elf(wrap, 1, 0);
	expect_error(sizeof(elf), "t.elf: offset 0x100: 32 bytes at 0xFFFFFFF0 run past the end of the 32-bit address space");
	make_elf(none, 1, 0);
	expect_error(sizeof(elf), "t.elf: offset 0x34: no loadable data");
	/* 0x08000010 comes from offset 0x110 in segment 0 and 0x200 in
	 * segment 1; the pattern differs there. */
	make_elf(clash, 2, 0);
	expect_error(sizeof(elf), "t.elf: offset 0x200: data at 0x08000010 (0x01) differs from offset 0x110 (0x71)");
}

static void test_bad_headers(void **state)
{
	(void)state;
	const struct ph ph[] = { { PT_LOAD, 0x100, 0x08000000, 0x08000000, 0x10, 0x10 } };

	make_elf(ph, 1, 0);
	expect_error(40, "t.elf: offset 0x0: file too short for an ELF header (40 bytes, needs 52)");
	elf[0] = 'X';
	expect_error(sizeof(elf), "t.elf: offset 0x0: not an ELF file");
	make_elf(ph, 1, 0);
	elf[4] = 2;
	expect_error(sizeof(elf), "t.elf: offset 0x4: not a 32-bit ELF file (class 2)");
	make_elf(ph, 1, 0);
	elf[5] = 2;
	expect_error(sizeof(elf), "t.elf: offset 0x5: not a little-endian ELF file (data 2)");
	make_elf(ph, 1, 0);
	elf[6] = 0;
	expect_error(sizeof(elf), "t.elf: offset 0x6: unknown ELF version 0");
	make_elf(ph, 1, 0);
	put16(elf + 18, 3);
	expect_error(sizeof(elf), "t.elf: offset 0x12: not an ARM ELF file (e_machine 3)");
	make_elf(ph, 0, 0);
	expect_error(sizeof(elf), "t.elf: offset 0x1c: no program headers");
	make_elf(ph, 1, 0);
	put16(elf + 42, 16);
	expect_error(sizeof(elf), "t.elf: offset 0x2a: program header size 16 (needs at least 32)");
	make_elf(ph, 1, 0);
	put16(elf + 44, 0xFFFF);
	expect_error(sizeof(elf), "t.elf: offset 0x2c: extended program header numbering");
}

static uint8_t *read_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("SB_FIXTURES") ? getenv("SB_FIXTURES") : "fixtures";
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree or set SB_FIXTURES)", path);
	uint8_t *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* The firmware fixture: one run from 0x08000000; .data's initial value sits
 * in flash after .rodata; .bss (1 KB scratch) is not in the image. */
static void test_fixture(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_fixture("fw.elf", &len);
	struct sb_image img;
	struct sb_diag d;

	sb_image_init(&img);
	assert_int_equal(sb_load_elf(&img, buf, len, "fw.elf", &d), SB_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_in_range(img.seg[0].len, 20 * 1024, 24 * 1024);
	const uint8_t *v = img.seg[0].data;
	uint32_t sp = v[0] | v[1] << 8 | v[2] << 16 | (uint32_t)v[3] << 24;
	uint32_t reset = v[4] | v[5] << 8 | v[6] << 16 | (uint32_t)v[7] << 24;
	assert_in_range(sp, 0x20000004, 0x20030000);  /* top of SRAM1 at most */
	assert_true(img.has_entry);
	assert_int_equal(img.entry, reset);
	assert_true(reset & 1);  /* Thumb */
	assert_non_null(memmem(img.seg[0].data, img.seg[0].len, "hello from .data", 16));
	assert_false(sb_image_byte(&img, 0x20000000, NULL));
	sb_image_free(&img);
	/* Cut inside the first segment's data. */
	assert_int_equal(sb_load_elf(&img, buf, 4096, "fw.elf", &d), SB_ERR_BAD_INPUT);
	assert_contains(d.msg, "fw.elf: offset 0x34: segment 0 data");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lma_and_bss),
		cmocka_unit_test(test_gap_between_segments),
		cmocka_unit_test(test_ph_table_past_end),
		cmocka_unit_test(test_segment_past_end),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_fixture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
