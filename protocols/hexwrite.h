/* SPDX-License-Identifier: MIT */
/*
 * hexwrite.h - writing an image as Intel HEX or Motorola S-record text, the
 * formats `read` saves a dump in (-f ihex|srec, or a .hex/.srec name).
 * The loaders of image.h read the output back into the same image.
 *
 * Intel HEX: data records of 16 bytes that never cross a 64 KB boundary,
 * an extended linear address record (type 04) before each 64 KB region,
 * a start linear address record (type 05) when the image has an entry,
 * and the end-of-file record. S-record: an S0 header naming the tool,
 * S3 records (32-bit addresses) of 16 bytes, an S5 record count, and an
 * S7 termination record carrying the entry (0: none, as the loader reads it).
 * Lines end with "\n".
 *
 * Returns SB_OK and a malloc'd buffer (*out, *len; the caller frees it), or
 * SB_ERR_NOMEM. Pure: no I/O, no globals.
 */
#ifndef SB_HEXWRITE_H
#define SB_HEXWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

int sb_ihex_write(const struct sb_image *img, char **out, size_t *len);
int sb_srec_write(const struct sb_image *img, char **out, size_t *len);

#endif
