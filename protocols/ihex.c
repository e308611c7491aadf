/* SPDX-License-Identifier: MIT */
/*
 * ihex.c - Intel HEX loader (Intel "Hexadecimal Object File Format
 * Specification", rev. A, 1988): record types 00 data, 01 end of file,
 * 02 extended segment address, 03 start segment address, 04 extended linear
 * address, 05 start linear address.
 *
 * Record: ':' LL AAAA TT DD.. CC, all hex; LL data bytes; CC makes the sum
 * of every byte from LL to CC zero modulo 256.
 */
#include "image.h"

#include <string.h>

#include "imgbuild.h"

#define REC_MAX (255 + 5)   /* LL + AAAA + TT + 255 data bytes + CC */

enum ihex_type {
	IHEX_DATA = 0x00,
	IHEX_EOF = 0x01,
	IHEX_ESA = 0x02,
	IHEX_SSA = 0x03,
	IHEX_ELA = 0x04,
	IHEX_SLA = 0x05,
};

struct ihex {
	struct sb_imgbuild b;
	struct sb_diag *diag;
	unsigned long line;
	uint32_t base;           /* from the last 02 or 04 record */
	bool segmented;          /* base came from an 02 record */
	unsigned long eof_line;  /* 0 until the 01 record */
	unsigned long entry_line;
};

struct record {
	uint8_t len, type;
	uint16_t off;
	const uint8_t *data;
};

static uint32_t be(const uint8_t *p, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Decode and check one line into rec (raw holds its bytes). */
static int decode(struct ihex *h, const uint8_t *s, size_t n, uint8_t raw[REC_MAX],
		  struct record *rec)
{
	if (s[0] != ':')
		return sb_imgbuild_err(&h->b, h->diag, h->line,
				       "record does not start with ':'");
	int rc = sb_textline_hex(&h->b, h->diag, h->line, s + 1, n - 1, 2, NULL);
	if (rc)
		return rc;
	size_t nbytes = (n - 1) / 2;
	if (nbytes < 5)
		return sb_imgbuild_err(&h->b, h->diag, h->line,
				       "record too short (%zu bytes, at least 5)", nbytes);
	sb_textline_hex(&h->b, h->diag, h->line, s + 1, 2, 2, raw);
	if (nbytes != (size_t)raw[0] + 5)
		return sb_imgbuild_err(&h->b, h->diag, h->line,
				       "byte count 0x%02X needs %u data bytes, the record has %zu",
				       raw[0], raw[0], nbytes > 5 ? nbytes - 5 : 0);
	sb_textline_hex(&h->b, h->diag, h->line, s + 1, n - 1, 2, raw);
	uint8_t sum = 0;
	for (size_t i = 0; i + 1 < nbytes; i++)
		sum = (uint8_t)(sum + raw[i]);
	uint8_t want = (uint8_t)(0x100 - sum);
	if (raw[nbytes - 1] != want)
		return sb_imgbuild_err(&h->b, h->diag, h->line, "checksum 0x%02X, expected 0x%02X",
				       raw[nbytes - 1], want);
	*rec = (struct record){ .len = raw[0], .off = (uint16_t)be(raw + 1, 2), .type = raw[3],
				.data = raw + 4 };
	return SB_OK;
}

static int data_record(struct ihex *h, const struct record *r)
{
	if (!h->segmented)
		return sb_imgbuild_add(&h->b, h->base + r->off, r->data, r->len, h->line, h->diag);
	/* Segment addressing wraps the offset inside the 64 KB segment
	 * (Intel HEX spec: address = SBA + ((DRLO + DRI) mod 64K)). */
	size_t first = 0x10000u - r->off < r->len ? 0x10000u - r->off : r->len;
	int rc = sb_imgbuild_add(&h->b, h->base + r->off, r->data, first, h->line, h->diag);
	if (rc || first == r->len)
		return rc;
	return sb_imgbuild_add(&h->b, h->base, r->data + first, r->len - first, h->line, h->diag);
}

static int need_len(struct ihex *h, const struct record *r, unsigned want, const char *what)
{
	if (r->len == want)
		return SB_OK;
	return sb_imgbuild_err(&h->b, h->diag, h->line, "%s record with %u data bytes (needs %u)",
			       what, r->len, want);
}

static int set_entry(struct ihex *h, uint32_t entry)
{
	if (h->b.has_entry && h->b.entry != entry)
		return sb_imgbuild_err(&h->b, h->diag, h->line,
				       "start address 0x%08X differs from 0x%08X on line %lu",
				       (unsigned)entry, (unsigned)h->b.entry, h->entry_line);
	h->b.entry = entry;
	h->b.has_entry = true;
	h->entry_line = h->line;
	return SB_OK;
}

static int record(struct ihex *h, const struct record *r)
{
	int rc;

	switch (r->type) {
	case IHEX_DATA:
		return data_record(h, r);
	case IHEX_EOF:
		rc = need_len(h, r, 0, "end-of-file");
		h->eof_line = h->line;
		return rc;
	case IHEX_ESA:
	case IHEX_ELA:
		rc = need_len(h, r, 2, r->type == IHEX_ESA ? "extended segment address"
							   : "extended linear address");
		h->segmented = r->type == IHEX_ESA;
		h->base = be(r->data, 2) << (h->segmented ? 4 : 16);
		return rc;
	case IHEX_SSA:  /* CS:IP, real-mode style: CS * 16 + IP */
		rc = need_len(h, r, 4, "start segment address");
		return rc ? rc : set_entry(h, (be(r->data, 2) << 4) + be(r->data + 2, 2));
	case IHEX_SLA:
		rc = need_len(h, r, 4, "start linear address");
		return rc ? rc : set_entry(h, be(r->data, 4));
	}
	return sb_imgbuild_err(&h->b, h->diag, h->line, "unknown record type 0x%02X", r->type);
}

static int parse(struct ihex *h, const uint8_t *buf, size_t len)
{
	struct sb_textline t;
	uint8_t raw[REC_MAX];
	struct record r = { 0 };

	sb_textline_init(&t, buf, len);
	while (sb_textline_next(&t)) {
		h->line = t.lineno;
		if (t.n == 0)
			continue;
		if (h->eof_line)
			return sb_imgbuild_err(&h->b, h->diag, h->line,
					       "data after the end-of-file record on line %lu",
					       h->eof_line);
		int rc = decode(h, t.s, t.n, raw, &r);
		if (!rc)
			rc = record(h, &r);
		if (rc)
			return rc;
	}
	if (!h->eof_line)
		return sb_imgbuild_err(&h->b, h->diag, t.lineno ? t.lineno : 1,
				       "missing end-of-file record (:00000001FF): file truncated?");
	return SB_OK;
}

int sb_load_ihex(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		 struct sb_diag *diag)
{
	struct ihex h;

	memset(&h, 0, sizeof(h));
	sb_imgbuild_init(&h.b, name, true);
	h.diag = diag;
	int rc = parse(&h, buf, len);
	if (rc) {
		sb_imgbuild_free(&h.b);
		return rc;
	}
	return sb_imgbuild_finish(&h.b, img, diag);
}
