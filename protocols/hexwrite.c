/* SPDX-License-Identifier: MIT */
/*
 * hexwrite.c - Intel HEX and Motorola S-record writers (hexwrite.h).
 */
#include "hexwrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_RECORD 16

/* A growing text buffer; a failed allocation sticks (checked at the end). */
struct text {
	char *p;
	size_t len, cap;
	int err;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->err)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *np;
		while (t->len + n + 1 > cap)
			cap *= 2;
		if (!(np = realloc(t->p, cap))) {
			t->err = SB_ERR_NOMEM;
			return;
		}
		t->p = np;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static int done(struct text *t, char **out, size_t *len)
{
	if (t->err || !t->p) {
		free(t->p);
		return SB_ERR_NOMEM;
	}
	*out = t->p;
	*len = t->len;
	return SB_OK;
}

/* ---- Intel HEX: ":LLAAAATT<data>CC", CC = two's complement of the byte sum ---- */

static void ihex_record(struct text *t, uint8_t type, uint16_t addr, const uint8_t *data, size_t n)
{
	char line[16 + 2 * 255];
	uint8_t sum = (uint8_t)(n + (addr >> 8) + (addr & 0xFF) + type);
	int k = snprintf(line, sizeof(line), ":%02X%04X%02X", (unsigned)n, addr, type);

	for (size_t i = 0; i < n; i++) {
		k += snprintf(line + k, sizeof(line) - (size_t)k, "%02X", data[i]);
		sum = (uint8_t)(sum + data[i]);
	}
	k += snprintf(line + k, sizeof(line) - (size_t)k, "%02X\n", (uint8_t)-sum);
	put(t, line, (size_t)k);
}

static void be_bytes(uint32_t v, uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

int sb_ihex_write(const struct sb_image *img, char **out, size_t *len)
{
	struct text t = { 0 };
	int64_t upper = -1;
	uint8_t b[4];

	for (size_t i = 0; i < img->nseg; i++) {
		const struct sb_segment *s = &img->seg[i];
		for (uint32_t off = 0; off < s->len;) {
			uint32_t a = s->addr + off;
			uint32_t n = s->len - off < PER_RECORD ? s->len - off : PER_RECORD;
			if (n > 0x10000 - (a & 0xFFFF))   /* a record stays inside its 64 KB region */
				n = 0x10000 - (a & 0xFFFF);
			if ((int64_t)(a >> 16) != upper) {
				upper = a >> 16;
				be_bytes(a >> 16, b, 2);
				ihex_record(&t, 0x04, 0, b, 2);
			}
			ihex_record(&t, 0x00, (uint16_t)a, s->data + off, n);
			off += n;
		}
	}
	if (img->has_entry) {
		be_bytes(img->entry, b, 4);
		ihex_record(&t, 0x05, 0, b, 4);
	}
	ihex_record(&t, 0x01, 0, NULL, 0);
	return done(&t, out, len);
}

/* ---- S-record: "Stcc<addr><data>ss", ss = ones' complement of the byte sum ---- */

static void srec_record(struct text *t, char type, uint32_t addr, int alen, const uint8_t *data,
			size_t n)
{
	char line[16 + 2 * 255];
	uint8_t a[4], sum;
	int k;

	be_bytes(addr, a, alen);
	sum = (uint8_t)(n + (size_t)alen + 1);
	k = snprintf(line, sizeof(line), "S%c%02X", type, (unsigned)(n + (size_t)alen + 1));
	for (int i = 0; i < alen; i++) {
		k += snprintf(line + k, sizeof(line) - (size_t)k, "%02X", a[i]);
		sum = (uint8_t)(sum + a[i]);
	}
	for (size_t i = 0; i < n; i++) {
		k += snprintf(line + k, sizeof(line) - (size_t)k, "%02X", data[i]);
		sum = (uint8_t)(sum + data[i]);
	}
	k += snprintf(line + k, sizeof(line) - (size_t)k, "%02X\n", (uint8_t)~sum);
	put(t, line, (size_t)k);
}

int sb_srec_write(const struct sb_image *img, char **out, size_t *len)
{
	static const char header[] = "stmboot";
	struct text t = { 0 };
	uint32_t count = 0;

	srec_record(&t, '0', 0, 2, (const uint8_t *)header, sizeof(header) - 1);
	for (size_t i = 0; i < img->nseg; i++) {
		const struct sb_segment *s = &img->seg[i];
		for (uint32_t off = 0; off < s->len; off += PER_RECORD, count++)
			srec_record(&t, '3', s->addr + off, 4, s->data + off,
				    s->len - off < PER_RECORD ? s->len - off : PER_RECORD);
	}
	/* S5 holds a 16-bit count; S6 (24 bits) beyond it */
	if (count <= 0xFFFF)
		srec_record(&t, '5', count, 2, NULL, 0);
	else if (count <= 0xFFFFFF)
		srec_record(&t, '6', count, 3, NULL, 0);
	srec_record(&t, '7', img->has_entry ? img->entry : 0, 4, NULL, 0);
	return done(&t, out, len);
}
