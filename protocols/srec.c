/* SPDX-License-Identifier: MIT */
/*
 * srec.c - Motorola S-record loader (as documented in the srec(5) page of
 * SREC/srecord and written by GNU objcopy -O srec).
 *
 * Record: 'S' T CC AAAA.. DD.. KK, all hex after the type digit. CC counts
 * the address, data and checksum bytes; KK is the ones' complement of the
 * low byte of the sum of CC, address and data.
 *   S0 header (ignored)      S1/S2/S3 data, 16/24/32-bit address
 *   S5/S6 count of the data records so far (16/24-bit), checked
 *   S7/S8/S9 termination with the start address (32/24/16-bit)
 * S4 is reserved. A file must end with a termination record, so that a
 * file cut at a line boundary is still detected as truncated.
 */
#include "image.h"

#include <string.h>

#include "imgbuild.h"

#define REC_MAX (1 + 255)   /* CC + up to 255 counted bytes */

struct srec {
	struct sb_imgbuild b;
	struct sb_diag *diag;
	unsigned long line;
	unsigned long ndata;     /* S1/S2/S3 records so far */
	unsigned long end_line;  /* line of the S7/S8/S9 record, 0 before it */
};

struct record {
	int type;
	uint32_t addr;
	const uint8_t *data;
	size_t len;
};

/* Address bytes per record type; 0 for the reserved S4 (srec(5)). */
static const uint8_t addr_len[10] = { 2, 2, 3, 4, 0, 2, 3, 4, 3, 2 };

static int decode(struct srec *r, const uint8_t *s, size_t n, uint8_t raw[REC_MAX],
		  struct record *rec)
{
	if (s[0] != 'S')
		return sb_imgbuild_err(&r->b, r->diag, r->line, "record does not start with 'S'");
	if (n < 2 || s[1] < '0' || s[1] > '9' || s[1] == '4')
		return sb_imgbuild_err(&r->b, r->diag, r->line, "unknown record type 'S%c'",
				       n < 2 ? '?' : (s[1] > ' ' && s[1] < 0x7f ? s[1] : '?'));
	int type = s[1] - '0';
	int rc = sb_textline_hex(&r->b, r->diag, r->line, s + 2, n - 2, 3, NULL);
	if (rc)
		return rc;
	size_t nbytes = (n - 2) / 2;
	if (nbytes < 1)
		return sb_imgbuild_err(&r->b, r->diag, r->line, "record has no byte count");
	sb_textline_hex(&r->b, r->diag, r->line, s + 2, 2, 3, raw);
	if (nbytes != (size_t)raw[0] + 1)
		return sb_imgbuild_err(&r->b, r->diag, r->line,
				       "byte count 0x%02X needs %u bytes after it, the record has %zu",
				       raw[0], raw[0], nbytes - 1);
	if (raw[0] < addr_len[type] + 1)
		return sb_imgbuild_err(&r->b, r->diag, r->line,
				       "byte count 0x%02X too small for an S%d record", raw[0], type);
	sb_textline_hex(&r->b, r->diag, r->line, s + 2, n - 2, 3, raw);
	uint8_t sum = 0;
	for (size_t i = 0; i + 1 < nbytes; i++)
		sum = (uint8_t)(sum + raw[i]);
	uint8_t want = (uint8_t)~sum;
	if (raw[nbytes - 1] != want)
		return sb_imgbuild_err(&r->b, r->diag, r->line, "checksum 0x%02X, expected 0x%02X",
				       raw[nbytes - 1], want);
	uint32_t addr = 0;
	for (int i = 0; i < addr_len[type]; i++)
		addr = addr << 8 | raw[1 + i];
	*rec = (struct record){ .type = type, .addr = addr, .data = raw + 1 + addr_len[type],
				.len = nbytes - 2 - addr_len[type] };
	return SB_OK;
}

static int record(struct srec *r, const struct record *rec)
{
	switch (rec->type) {
	case 0:
		return SB_OK;
	case 1:
	case 2:
	case 3:
		r->ndata++;
		return sb_imgbuild_add(&r->b, rec->addr, rec->data, rec->len, r->line, r->diag);
	case 5:
	case 6:
		if (rec->addr != r->ndata)
			return sb_imgbuild_err(&r->b, r->diag, r->line,
					       "S%d record count %u does not match the %lu data records before it",
					       rec->type, (unsigned)rec->addr, r->ndata);
		return SB_OK;
	default:  /* 7, 8, 9 */
		r->end_line = r->line;
		/* Every termination record carries an address; 0 is what tools
		 * write when there is no start address, so it means none. */
		r->b.entry = rec->addr;
		r->b.has_entry = rec->addr != 0;
		return SB_OK;
	}
}

static int parse(struct srec *r, const uint8_t *buf, size_t len)
{
	struct sb_textline t;
	uint8_t raw[REC_MAX];
	struct record rec = { 0 };

	sb_textline_init(&t, buf, len);
	while (sb_textline_next(&t)) {
		r->line = t.lineno;
		if (t.n == 0)
			continue;
		if (r->end_line)
			return sb_imgbuild_err(&r->b, r->diag, r->line,
					       "data after the termination record on line %lu",
					       r->end_line);
		int rc = decode(r, t.s, t.n, raw, &rec);
		if (!rc)
			rc = record(r, &rec);
		if (rc)
			return rc;
	}
	if (!r->end_line)
		return sb_imgbuild_err(&r->b, r->diag, t.lineno ? t.lineno : 1,
				       "missing termination record (S7, S8 or S9): file truncated?");
	return SB_OK;
}

int sb_load_srec(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		 struct sb_diag *diag)
{
	struct srec r;

	memset(&r, 0, sizeof(r));
	sb_imgbuild_init(&r.b, name, true);
	r.diag = diag;
	int rc = parse(&r, buf, len);
	if (rc) {
		sb_imgbuild_free(&r.b);
		return rc;
	}
	return sb_imgbuild_finish(&r.b, img, diag);
}
