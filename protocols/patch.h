/* SPDX-License-Identifier: MIT */
/*
 * patch.h - per-board data written into the image before the plan is made:
 * --patch ADDR=BYTES and serial numbers rendered by a format. Patched bytes
 * replace what the files hold there (the point of a placeholder in the
 * firmware) and are then erased, written and verified like everything else.
 *
 * Pure: parsing and rendering only; no I/O, no globals. Errors are
 * SB_ERR_BAD_INPUT with a diag naming the argument ("--patch 0x0800C000=zz:
 * ..."), or SB_ERR_NOMEM.
 */
#ifndef SB_PATCH_H
#define SB_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define SB_PATCH_MAX 256   /* bytes in one patch */

struct sb_patch {
	uint32_t addr;
	size_t len;
	uint8_t data[SB_PATCH_MAX];
};

/*
 * "ADDR=BYTES": ADDR a number (0x.. hex, decimal), BYTES one of
 *   hex bytes      "DEADBEEF", "de:ad:be:ef", "de ad be ef" (in this order)
 *   u8:N u16:N u32:N u64:N   a little-endian integer (how a Cortex-M reads it)
 *   be16:N be32:N be64:N     a big-endian integer
 *   str:TEXT       the characters of TEXT, no terminator
 * Data reaching past 0xFFFFFFFF is refused.
 */
int sb_patch_parse(const char *arg, struct sb_patch *p, struct sb_diag *d);

/* Put len bytes at addr into img, replacing bytes it already holds there. */
int sb_image_patch(struct sb_image *img, uint32_t addr, const uint8_t *data, size_t len,
		   struct sb_diag *d);

/* ---- serial numbers ---- */

enum sb_sn_kind { SB_SN_BIN, SB_SN_TEXT };

struct sb_snfmt {
	enum sb_sn_kind kind;
	unsigned size;        /* SB_SN_BIN: 2, 4 or 8 bytes */
	bool big_endian;      /* SB_SN_BIN */
	char fmt[64];         /* SB_SN_TEXT: the template */
};

/*
 * The format of --sn-format: "u16", "u32" (the default), "u64" little-endian,
 * "be16", "be32", "be64" big-endian, or a text template with exactly one
 * conversion %u, %d, %x or %X (optionally with 0 and a width, "SN-%06u";
 * "%%" is a percent sign), written as its characters followed by a NUL.
 */
int sb_sn_parse(const char *spec, struct sb_snfmt *f, struct sb_diag *d);

/*
 * Render value: the bytes to write (*len of them into out, cap at least
 * SB_PATCH_MAX) and a text for messages and the log ("SN-000042", or the
 * number in decimal for binary formats). A value that does not fit the
 * binary size is an error.
 */
int sb_sn_render(const struct sb_snfmt *f, uint64_t value, uint8_t *out, size_t *len,
		 char *text, size_t textlen, struct sb_diag *d);

#endif
