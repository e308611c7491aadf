/* SPDX-License-Identifier: MIT */
/*
 * image.h - the sparse firmware image and its file loaders.
 *
 * Every input format is parsed into one model: a sorted list of
 * non-overlapping, non-adjacent-merged segments at physical addresses.
 * Loaders work on a buffer already in memory (the program reads the file);
 * `name` is only used in messages. On failure a loader returns
 * SB_ERR_BAD_INPUT and fills diag with "NAME:LINE: ..." (text formats) or
 * "NAME: offset 0xOFF: ..." (binary formats); the image is then left empty
 * (as it was: loading into an image that already holds data merges the new
 * data with sb_image_add's rules, and a failure leaves the old data alone).
 * A conflict (same address, different data) also sets diag's address.
 * Out of memory is SB_ERR_NOMEM.
 *
 * Addresses are 32-bit and every segment's exclusive end fits in 32 bits:
 * data reaching past 0xFFFFFFFE (a wrap, or the very last byte) is refused,
 * so addr + len never overflows a uint32_t.
 *
 * Ownership: an image owns its segment array and every segment's data;
 * sb_image_free() releases them. Images are not thread-safe.
 */
#ifndef SB_IMAGE_H
#define SB_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_err.h"

struct sb_segment {
	uint32_t addr;
	uint32_t len;
	uint8_t *data;      /* len bytes, owned by the image */
};

struct sb_image {
	struct sb_segment *seg;  /* sorted by addr, never overlapping */
	size_t nseg;
	size_t cap;
	uint32_t entry;          /* start address from the file, if has_entry */
	bool has_entry;
};

enum sb_format {
	SB_FMT_AUTO = 0,  /* by content: ELF magic, "DfuSe", ':' lines, 'S' lines, else by
			   * extension, else error (bin needs explicit choice or .bin) */
	SB_FMT_BIN,
	SB_FMT_IHEX,
	SB_FMT_SREC,
	SB_FMT_ELF,
	SB_FMT_DFU,
};

void sb_image_init(struct sb_image *img);
void sb_image_free(struct sb_image *img);

/*
 * Add bytes at addr. Touching or overlapping an existing segment merges
 * with it; overlapping bytes must be equal, else SB_ERR_BAD_INPUT with diag
 * naming the first differing address ("who" names the source in the message;
 * NULL means "image"). On failure img is unchanged. Each call may copy the
 * segment it joins: to collect many small pieces, use a loader instead.
 */
int sb_image_add(struct sb_image *img, uint32_t addr, const uint8_t *data, size_t len,
		 const char *who, struct sb_diag *diag);

/* Merge every segment of src into dst with sb_image_add's rules; dst is
 * unchanged on failure. dst takes src's entry if it has none. */
int sb_image_merge(struct sb_image *dst, const struct sb_image *src, const char *who,
		   struct sb_diag *diag);

/* Total number of bytes in all segments. */
uint64_t sb_image_size(const struct sb_image *img);

/* Lowest and highest+1 address; both 0 for an empty image. */
void sb_image_span(const struct sb_image *img, uint32_t *lo, uint32_t *hi);

/* Byte at addr into *out: true if the image holds it. */
bool sb_image_byte(const struct sb_image *img, uint32_t addr, uint8_t *out);

/*
 * Guess the format from content, then from name's extension (.bin/.raw,
 * .hex/.ihex/.ihx, .srec/.s19/.s28/.s37/.mot, .elf/.axf, .dfu; name may be
 * NULL). Returns SB_FMT_AUTO when neither tells.
 */
enum sb_format sb_format_detect(const uint8_t *buf, size_t len, const char *name);
/* "bin", "ihex", ... and back; sb_format_parse (case-insensitive, also takes
 * the extensions above) returns -1 for unknown names. */
const char *sb_format_name(enum sb_format fmt);
int sb_format_parse(const char *s);

/*
 * Parse buf as fmt (SB_FMT_AUTO: detect) into img (freshly initialised, or
 * holding data to merge with). bin_base is the load address of raw binaries.
 */
int sb_image_load(struct sb_image *img, enum sb_format fmt, const uint8_t *buf, size_t len,
		  const char *name, uint32_t bin_base, struct sb_diag *diag);

/* An empty raw binary is an error (a failed build, most likely). */
int sb_load_bin(struct sb_image *img, const uint8_t *buf, size_t len, uint32_t base,
		const char *name, struct sb_diag *diag);
/* Needs the end-of-file record; 03/05 records set the entry. */
int sb_load_ihex(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		 struct sb_diag *diag);
/* S5/S6 counts are checked; an S7/S8/S9 record must end the file, and its
 * address is the entry unless it is 0 (what tools write for "none"). */
int sb_load_srec(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		 struct sb_diag *diag);
/* PT_LOAD segments with p_filesz > 0 at p_paddr (32-bit little-endian ARM
 * ELF); the p_memsz - p_filesz tail (.bss) is not loaded; e_entry (if not 0)
 * is the entry. A file with no such segment is an error. */
int sb_load_elf(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		struct sb_diag *diag);

/* ---- DfuSe .dfu files (UM0391; protocol-facts D) ----------------------- */

struct sb_dfu_target {
	uint8_t alt;
	char name[256];
	struct sb_image img;
};

struct sb_dfu_file {
	uint16_t vid, pid, bcd_device, bcd_dfu;
	struct sb_dfu_target *targets;  /* owned */
	size_t ntargets;
};

/* Parse a DfuSe file (CRC, sizes and signatures checked). Free with
 * sb_dfu_free(); on failure *out is left empty. bcd_dfu is always 0x011A. */
int sb_dfu_parse(struct sb_dfu_file *out, const uint8_t *buf, size_t len, const char *name,
		 struct sb_diag *diag);
void sb_dfu_free(struct sb_dfu_file *f);

/*
 * Serialise f into a malloc'd buffer (*out, *outlen; caller frees).
 * DFUImageSize is written without the suffix (protocol-facts F.3). Each
 * segment of a target's image becomes one element, unpadded; bTargetNamed is
 * 1 when name is not empty; bcd_dfu is ignored (always 0x011A). Returns
 * SB_ERR_BAD_INPUT for more than 255 targets or a file over 4 GB.
 */
int sb_dfu_write(const struct sb_dfu_file *f, uint8_t **out, size_t *outlen);

/* Load every alt-0 target of a .dfu into img (used by sb_image_load); other
 * alt settings are ignored, and a file without an alt-0 target is an error. */
int sb_load_dfu(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		struct sb_diag *diag);

#endif
