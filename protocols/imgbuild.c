/* SPDX-License-Identifier: MIT */
/*
 * imgbuild.c - collect file data pieces, then sort, check and merge them
 * into an sb_image in one pass (see imgbuild.h for why).
 */
#include "imgbuild.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exclusive end of the highest byte an image may hold (see image.h). */
#define ADDR_LIMIT 0xFFFFFFFFull

struct sb_imgpiece {
	uint32_t addr;
	uint32_t len;
	size_t off;              /* into the pool, when ref is NULL */
	const uint8_t *ref;      /* caller's bytes, or NULL */
	unsigned long where;     /* line number or file offset */
};

void sb_imgbuild_init(struct sb_imgbuild *b, const char *name, bool lines)
{
	memset(b, 0, sizeof(*b));
	b->name = name ? name : "(input)";
	b->lines = lines;
}

void sb_imgbuild_free(struct sb_imgbuild *b)
{
	free(b->piece);
	free(b->pool);
	b->piece = NULL;
	b->pool = NULL;
	b->npiece = b->cappiece = b->used = b->cappool = 0;
}

__attribute__((format(printf, 6, 0)))
static int vformat(const struct sb_imgbuild *b, struct sb_diag *diag, bool has_addr,
		   unsigned long addr, unsigned long where, const char *fmt, va_list ap)
{
	char text[400];

	if (!diag)
		return SB_ERR_BAD_INPUT;
	vsnprintf(text, sizeof(text), fmt, ap);
	if (b->lines && has_addr)
		return sb_diag_addr(diag, SB_ERR_BAD_INPUT, addr, "%s:%lu: %s", b->name, where, text);
	if (b->lines)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT, "%s:%lu: %s", b->name, where, text);
	if (has_addr)
		return sb_diag_addr(diag, SB_ERR_BAD_INPUT, addr, "%s: offset 0x%lx: %s", b->name,
				    where, text);
	return sb_diag_set(diag, SB_ERR_BAD_INPUT, "%s: offset 0x%lx: %s", b->name, where, text);
}

int sb_imgbuild_err(const struct sb_imgbuild *b, struct sb_diag *diag, unsigned long where,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vformat(b, diag, false, 0, where, fmt, ap);
	va_end(ap);
	return rc;
}

__attribute__((format(printf, 5, 6)))
static int err_at(const struct sb_imgbuild *b, struct sb_diag *diag, unsigned long addr,
		  unsigned long where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vformat(b, diag, true, addr, where, fmt, ap);
	va_end(ap);
	return rc;
}

static int nomem(const struct sb_imgbuild *b, struct sb_diag *diag)
{
	return sb_diag_set(diag, SB_ERR_NOMEM, "%s: out of memory", b->name);
}

static int push_piece(struct sb_imgbuild *b, const struct sb_imgpiece *p, struct sb_diag *diag)
{
	if (b->npiece == b->cappiece) {
		size_t cap = b->cappiece ? b->cappiece * 2 : 64;
		struct sb_imgpiece *n = realloc(b->piece, cap * sizeof(*n));
		if (!n)
			return nomem(b, diag);
		b->piece = n;
		b->cappiece = cap;
	}
	b->piece[b->npiece++] = *p;
	return SB_OK;
}

static int check_piece(const struct sb_imgbuild *b, uint32_t addr, size_t len,
		       unsigned long where, struct sb_diag *diag)
{
	if ((uint64_t)addr + len > ADDR_LIMIT)
		return err_at(b, diag, addr, where,
			      "%zu bytes at 0x%08X run past the end of the 32-bit address space",
			      len, (unsigned)addr);
	return SB_OK;
}

int sb_imgbuild_add_ref(struct sb_imgbuild *b, uint32_t addr, const uint8_t *data, size_t len,
			unsigned long where, struct sb_diag *diag)
{
	int rc = check_piece(b, addr, len, where, diag);
	if (rc || len == 0)
		return rc;
	struct sb_imgpiece p = { .addr = addr, .len = (uint32_t)len, .ref = data, .where = where };
	return push_piece(b, &p, diag);
}

int sb_imgbuild_add(struct sb_imgbuild *b, uint32_t addr, const uint8_t *data, size_t len,
		    unsigned long where, struct sb_diag *diag)
{
	int rc = check_piece(b, addr, len, where, diag);
	if (rc || len == 0)
		return rc;
	if (len > b->cappool - b->used) {
		size_t cap = b->cappool ? b->cappool : 4096;
		while (cap - b->used < len)
			cap *= 2;
		uint8_t *n = realloc(b->pool, cap);
		if (!n)
			return nomem(b, diag);
		b->pool = n;
		b->cappool = cap;
	}
	memcpy(b->pool + b->used, data, len);
	struct sb_imgpiece p = { .addr = addr, .len = (uint32_t)len, .off = b->used, .where = where };
	b->used += len;
	return push_piece(b, &p, diag);
}

/* ---- finish ------------------------------------------------------------- */

static int piece_cmp(const void *a, const void *b)
{
	const struct sb_imgpiece *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->where != y->where)
		return x->where < y->where ? -1 : 1;
	return 0;
}

static void sort_pieces(struct sb_imgbuild *b)
{
	for (size_t i = 1; i < b->npiece; i++) {
		if (piece_cmp(&b->piece[i - 1], &b->piece[i]) > 0) {
			qsort(b->piece, b->npiece, sizeof(b->piece[0]), piece_cmp);
			return;
		}
	}
}

static const uint8_t *piece_data(const struct sb_imgbuild *b, const struct sb_imgpiece *p)
{
	return p->ref ? p->ref : b->pool + p->off;
}

static uint64_t piece_end(const struct sb_imgpiece *p)
{
	return (uint64_t)p->addr + p->len;
}

/* Where in the file a byte of piece p comes from. */
static unsigned long where_of(const struct sb_imgbuild *b, const struct sb_imgpiece *p,
			      uint64_t addr)
{
	return b->lines ? p->where : p->where + (unsigned long)(addr - p->addr);
}

/* A conflict: the lowest differing address found so far. */
struct conflict {
	bool found;
	uint64_t addr;
	size_t piece;   /* the piece whose byte disagreed */
	size_t first;   /* the first piece of its group (to find the earlier writer) */
};

/* Pieces [i, j) of one group go into buf (which starts at p[i].addr). */
static void fill_group(const struct sb_imgbuild *b, size_t i, size_t j, uint8_t *buf,
		       struct conflict *c)
{
	const struct sb_imgpiece *p = b->piece;
	uint64_t start = p[i].addr, written = start;

	for (size_t k = i; k < j; k++) {
		const uint8_t *d = piece_data(b, &p[k]);
		uint64_t end = piece_end(&p[k]);
		uint64_t same_end = end < written ? end : written;
		for (uint64_t a = p[k].addr; a < same_end; a++) {
			if (buf[a - start] == d[a - p[k].addr])
				continue;
			if (!c->found || a < c->addr)
				*c = (struct conflict){ true, a, k, i };
			break;
		}
		if (end > written) {
			uint64_t from = written > p[k].addr ? written : p[k].addr;
			memcpy(buf + (from - start), d + (from - p[k].addr), end - from);
			written = end;
		}
	}
}

/* One side of a conflict: where in the file, and the byte found there. */
struct side {
	unsigned long where;
	uint8_t val;
};

static struct side side_of(const struct sb_imgbuild *b, const struct sb_imgpiece *p,
			   uint64_t addr)
{
	return (struct side){ where_of(b, p, addr), piece_data(b, p)[addr - p->addr] };
}

static int report_conflict(const struct sb_imgbuild *b, const struct conflict *c,
			   struct sb_diag *diag)
{
	const struct sb_imgpiece *p = b->piece, *earlier = &p[c->piece];

	/* The byte kept was written by the first piece of the group covering
	 * it; one always exists, since a conflict needs an earlier writer. */
	for (size_t k = c->first; k < c->piece; k++) {
		if (p[k].addr <= c->addr && c->addr < piece_end(&p[k])) {
			earlier = &p[k];
			break;
		}
	}
	struct side x = side_of(b, &p[c->piece], c->addr), y = side_of(b, earlier, c->addr);
	/* Name the place that comes later in the file first. */
	struct side later = x.where >= y.where ? x : y, first = x.where >= y.where ? y : x;
	return err_at(b, diag, c->addr, later.where,
		      b->lines ? "data at 0x%08X (0x%02X) differs from line %lu (0x%02X)"
			       : "data at 0x%08X (0x%02X) differs from offset 0x%lx (0x%02X)",
		      (unsigned)c->addr, later.val, first.where, first.val);
}

/* Build the segments of img from the sorted pieces. */
static int build(const struct sb_imgbuild *b, struct sb_image *img, struct sb_diag *diag)
{
	struct conflict c = { 0 };
	size_t ngroup = 0;

	for (size_t i = 0; i < b->npiece; ngroup++) {
		uint64_t end = piece_end(&b->piece[i]);
		size_t j = i + 1;
		for (; j < b->npiece && b->piece[j].addr <= end; j++)
			if (piece_end(&b->piece[j]) > end)
				end = piece_end(&b->piece[j]);
		uint8_t *buf = malloc(end - b->piece[i].addr);
		if (!buf)
			return nomem(b, diag);
		if (ngroup == img->cap) {
			size_t cap = img->cap ? img->cap * 2 : 8;
			struct sb_segment *s = realloc(img->seg, cap * sizeof(*s));
			if (!s) {
				free(buf);
				return nomem(b, diag);
			}
			img->seg = s;
			img->cap = cap;
		}
		img->seg[img->nseg++] = (struct sb_segment){
			.addr = b->piece[i].addr,
			.len = (uint32_t)(end - b->piece[i].addr),
			.data = buf,
		};
		fill_group(b, i, j, buf, &c);
		i = j;
	}
	return c.found ? report_conflict(b, &c, diag) : SB_OK;
}

int sb_imgbuild_finish(struct sb_imgbuild *b, struct sb_image *img, struct sb_diag *diag)
{
	struct sb_image tmp;

	sb_image_init(&tmp);
	sort_pieces(b);
	int rc = build(b, &tmp, diag);
	tmp.entry = b->entry;
	tmp.has_entry = b->has_entry;
	sb_imgbuild_free(b);
	if (rc) {
		sb_image_free(&tmp);
		return rc;
	}
	if (img->nseg == 0 && !img->has_entry) {
		sb_image_free(img);
		*img = tmp;
		return SB_OK;
	}
	rc = sb_image_merge(img, &tmp, b->name, diag);
	sb_image_free(&tmp);
	return rc;
}

/* ---- text lines ----------------------------------------------------------- */

void sb_textline_init(struct sb_textline *t, const uint8_t *buf, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->buf = buf;
	t->len = len;
}

bool sb_textline_next(struct sb_textline *t)
{
	if (t->pos >= t->len)
		return false;
	const uint8_t *s = t->buf + t->pos;
	size_t n = 0, rest = t->len - t->pos;
	while (n < rest && s[n] != '\n' && s[n] != '\r')
		n++;
	size_t next = n;
	if (next < rest && s[next] == '\r')
		next++;
	if (next < rest && s[next] == '\n' && (next == n || s[n] == '\r'))
		next++;
	t->pos += next;
	t->lineno++;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	t->s = s;
	t->n = n;
	return true;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int sb_textline_hex(const struct sb_imgbuild *b, struct sb_diag *diag, unsigned long line,
		    const uint8_t *s, size_t n, size_t col0, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (hexval(s[i]) >= 0)
			continue;
		if (s[i] > ' ' && s[i] < 0x7f)
			return sb_imgbuild_err(b, diag, line, "bad hex digit '%c' in column %zu",
					       s[i], col0 + i);
		return sb_imgbuild_err(b, diag, line, "bad character 0x%02X in column %zu", s[i],
				       col0 + i);
	}
	if (n % 2)
		return sb_imgbuild_err(b, diag, line, "odd number of hex digits (%zu)", n);
	for (size_t i = 0; out && i < n; i += 2)
		out[i / 2] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
	return SB_OK;
}
