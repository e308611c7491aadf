/* SPDX-License-Identifier: MIT */
/*
 * fuzz_image.c - libFuzzer target for the firmware-file layer (image.c,
 * ihex.c, srec.c, elf.c, dfufile.c). The first input byte picks the format
 * (mod 6, SB_FMT_AUTO..SB_FMT_DFU); for DfuSe the suffix CRC is fixed up
 * first so that the fuzzer reaches the structure behind it.
 *
 * Checked beyond "no crash": a failed load leaves the image empty; a
 * loaded image is sorted, non-empty per segment, non-touching and below
 * 2^32; and writing it as a .dfu and loading that gives the same image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_invariants(const struct sb_image *img)
{
	for (size_t i = 0; i < img->nseg; i++) {
		const struct sb_segment *s = &img->seg[i];
		if (s->len == 0 || (uint64_t)s->addr + s->len > 0xFFFFFFFFull)
			abort();
		if (i && (uint64_t)s[-1].addr + s[-1].len >= s->addr)
			abort();
	}
}

static void check_dfu_round_trip(const struct sb_image *img)
{
	struct sb_dfu_target t = { .alt = 0, .img = *img };
	struct sb_dfu_file f = { .targets = &t, .ntargets = 1 };
	struct sb_image back;
	struct sb_diag d;
	uint8_t *buf;
	size_t len;

	if (sb_dfu_write(&f, &buf, &len) != SB_OK)
		return;
	sb_image_init(&back);
	if (sb_load_dfu(&back, buf, len, "rt.dfu", &d) != SB_OK || back.nseg != img->nseg)
		abort();
	for (size_t i = 0; i < img->nseg; i++)
		if (back.seg[i].addr != img->seg[i].addr || back.seg[i].len != img->seg[i].len ||
		    memcmp(back.seg[i].data, img->seg[i].data, img->seg[i].len) != 0)
			abort();
	sb_image_free(&back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_image img;
	struct sb_diag d;

	if (size < 1)
		return 0;
	enum sb_format fmt = (enum sb_format)(data[0] % 6);
	size_t len = size - 1;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	if (fmt == SB_FMT_DFU && len >= 16) {
		uint32_t crc = sb_crc_jam(0xFFFFFFFFu, buf, len - 4);
		for (int i = 0; i < 4; i++)
			buf[len - 4 + i] = (uint8_t)(crc >> (8 * i));
	}
	sb_image_init(&img);
	int rc = sb_image_load(&img, fmt, buf, len, "fuzz", 0x08000000u, &d);
	free(buf);
	if (rc != SB_OK) {
		if (img.nseg || img.seg || img.has_entry)
			abort();
		return 0;
	}
	check_invariants(&img);
	check_dfu_round_trip(&img);
	sb_image_free(&img);
	return 0;
}
