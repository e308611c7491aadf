/* SPDX-License-Identifier: MIT */
/*
 * imgbuild.h - private to the file loaders (image.c, ihex.c, srec.c, elf.c,
 * dfufile.c): collect a file's data pieces, then sort and merge them once.
 *
 * Why: a HEX file is thousands of small records, possibly out of order.
 * Adding each to an sb_image would copy segments again and again; instead
 * every piece is appended to one growing pool (no allocation per record),
 * and sb_imgbuild_finish() sorts the pieces by address (O(n log n), O(n) when
 * already in order), checks overlaps and copies each byte once.
 *
 * Each piece remembers where it came from (a line number for text formats,
 * a file offset for binary ones) so that errors name the place in the file.
 *
 * Ownership: the builder owns its pool and piece list; finish() and free()
 * release them. Pieces added with sb_imgbuild_add_ref() point into the
 * caller's buffer, which must outlive finish().
 */
#ifndef SB_IMGBUILD_H
#define SB_IMGBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "sb_err.h"

struct sb_imgpiece;

struct sb_imgbuild {
	const char *name;           /* file name for messages */
	bool lines;                 /* where = line number (else file offset) */
	struct sb_imgpiece *piece;
	size_t npiece, cappiece;
	uint8_t *pool;
	size_t used, cappool;
	uint32_t entry;
	bool has_entry;
};

void sb_imgbuild_init(struct sb_imgbuild *b, const char *name, bool lines);
void sb_imgbuild_free(struct sb_imgbuild *b);

/* Copy len bytes for addr, found at `where` in the file. Rejects data that
 * would reach past 0xFFFFFFFF (see image.h). */
int sb_imgbuild_add(struct sb_imgbuild *b, uint32_t addr, const uint8_t *data, size_t len,
		    unsigned long where, struct sb_diag *diag);
/* As sb_imgbuild_add without copying: data must stay valid until finish(). */
int sb_imgbuild_add_ref(struct sb_imgbuild *b, uint32_t addr, const uint8_t *data, size_t len,
			unsigned long where, struct sb_diag *diag);

/*
 * Sort, merge and check the pieces, then put the result into img: moved in
 * when img is empty, else merged with sb_image_merge's rules. Always frees
 * the builder. On failure img is unchanged.
 */
int sb_imgbuild_finish(struct sb_imgbuild *b, struct sb_image *img, struct sb_diag *diag);

/*
 * Fill diag with "NAME:WHERE: message" (lines) or "NAME: offset 0xWHERE:
 * message" and return SB_ERR_BAD_INPUT.
 */
int sb_imgbuild_err(const struct sb_imgbuild *b, struct sb_diag *diag, unsigned long where,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- text formats (ihex.c, srec.c) -------------------------------------- */

/* Line iterator: LF, CRLF or a lone CR end a line; trailing blanks are cut. */
struct sb_textline {
	const uint8_t *buf;
	size_t len, pos;
	unsigned long lineno;   /* of the line in s/n, from 1 */
	const uint8_t *s;       /* the line, without its end and trailing blanks */
	size_t n;
};

void sb_textline_init(struct sb_textline *t, const uint8_t *buf, size_t len);
/* Next line into t->s/t->n; false at the end of the buffer. */
bool sb_textline_next(struct sb_textline *t);

/*
 * Decode the hex digits s[0..n) (n even) into out (NULL: only check them).
 * On a bad digit or an odd
 * count, report it for line `line` (column = col0 + index, from 1) and
 * return SB_ERR_BAD_INPUT.
 */
int sb_textline_hex(const struct sb_imgbuild *b, struct sb_diag *diag, unsigned long line,
		    const uint8_t *s, size_t n, size_t col0, uint8_t *out);

#endif
