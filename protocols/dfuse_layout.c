/* SPDX-License-Identifier: MIT */
/*
 * dfuse_layout.c - the DfuSe interface-string grammar (protocol-facts B.9)
 * and lookups over the parsed regions.
 */
#include "dfuse_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parser state: the string, the cursor, and where errors go. */
struct lp {
	const char *s;
	size_t i;
	struct sb_diag *diag;
	struct dfuse_layout *l;
	size_t cap;
};

static int lp_err(struct lp *p, const char *what)
{
	char c = p->s[p->i];

	if (c)
		return sb_diag_set(p->diag, SB_ERR_BAD_INPUT,
				   "memory layout \"%s\": column %zu: %s (found '%c')", p->s,
				   p->i + 1, what, c);
	return sb_diag_set(p->diag, SB_ERR_BAD_INPUT,
			   "memory layout \"%s\": column %zu: %s (found end of string)", p->s,
			   p->i + 1, what);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decimal, leading zeros allowed and meaning nothing: "0004" is 4, never
 * octal (protocol-facts B.9, "Numbers").
 */
static int lp_decimal(struct lp *p, uint32_t *out, const char *what)
{
	uint64_t v = 0;
	size_t start = p->i;

	if (!is_digit(p->s[p->i]))
		return lp_err(p, what);
	while (is_digit(p->s[p->i])) {
		v = v * 10 + (uint64_t)(p->s[p->i] - '0');
		if (v > UINT32_MAX) {
			p->i = start;
			return lp_err(p, "number too large");
		}
		p->i++;
	}
	*out = (uint32_t)v;
	return SB_OK;
}

static int lp_hex_address(struct lp *p, uint32_t *out)
{
	uint64_t v = 0;
	size_t start;

	if (p->s[p->i] != '0' || (p->s[p->i + 1] != 'x' && p->s[p->i + 1] != 'X'))
		return lp_err(p, "expected an address starting with 0x");
	p->i += 2;
	start = p->i;
	if (hex_value(p->s[p->i]) < 0)
		return lp_err(p, "expected hexadecimal digits after 0x");
	while (hex_value(p->s[p->i]) >= 0) {
		v = v * 16 + (uint64_t)hex_value(p->s[p->i]);
		if (v > UINT32_MAX) {
			p->i = start;
			return lp_err(p, "address larger than 32 bits");
		}
		p->i++;
	}
	*out = (uint32_t)v;
	return SB_OK;
}

/*
 * Multiplier then type letter. 'B' or ' ' means bytes; ST ROMs use both
 * (protocol-facts B.9, "Byte multiplier"). A type letter right after the
 * digits means bytes too (dfu-util accepts "040e": usb-anchors 1.4.2).
 */
static int lp_unit_type(struct lp *p, uint32_t *mult, uint8_t *flags)
{
	char c = p->s[p->i];

	*mult = 1;
	if (c == 'K')
		*mult = 1024;
	else if (c == 'M')
		*mult = 1024 * 1024;
	if (c == 'K' || c == 'M' || c == 'B' || c == ' ')
		p->i++;
	c = p->s[p->i];
	if (c < 'a' || c > 'g')
		return lp_err(p, "expected a memory type letter a-g");
	*flags = (uint8_t)(c & 7);  /* a=r ... g=rew: protocol-facts B.9 */
	p->i++;
	while (p->s[p->i] == ' ')
		p->i++;
	return SB_OK;
}

static int lp_push(struct lp *p, const struct dfuse_region *r)
{
	struct dfuse_layout *l = p->l;

	if (l->nregions == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 4;
		struct dfuse_region *n = realloc(l->region, cap * sizeof(*n));
		if (!n)
			return sb_diag_set(p->diag, SB_ERR_NOMEM, "out of memory");
		l->region = n;
		p->cap = cap;
	}
	l->region[l->nregions++] = *r;
	return SB_OK;
}

/* <count> "*" <size> <mult> <type>, placed at *addr, which it advances. */
static int lp_segment(struct lp *p, uint64_t *addr)
{
	struct dfuse_region r = { 0 };
	size_t col = p->i;
	uint32_t size = 0, mult = 1;
	uint64_t total;
	int rc;

	if ((rc = lp_decimal(p, &r.npages, "expected a page count")))
		return rc;
	if (p->s[p->i] != '*')
		return lp_err(p, "expected '*' after the page count");
	p->i++;
	if ((rc = lp_decimal(p, &size, "expected a page size")) ||
	    (rc = lp_unit_type(p, &mult, &r.flags)))
		return rc;
	/* size * mult < 2^52 and npages * that < 2^64: no overflow in the checks */
	total = (uint64_t)size * mult;
	if (total <= UINT32_MAX)
		total *= r.npages;
	if (r.npages == 0 || size == 0 || (uint64_t)size * mult > UINT32_MAX ||
	    *addr + total > (uint64_t)UINT32_MAX + 1) {
		p->i = col;
		return lp_err(p, "empty segment, or segment past the end of the "
			      "32-bit address space");
	}
	r.addr = (uint32_t)*addr;
	r.page_size = size * mult;
	*addr += total;
	return lp_push(p, &r);
}

/* "/" "0x" <addr> "/" <seg> { "," <seg> } */
static int lp_group(struct lp *p)
{
	uint32_t a = 0;
	uint64_t addr;
	int rc;

	p->i++;  /* the '/' seen by the caller */
	if ((rc = lp_hex_address(p, &a)))
		return rc;
	if (p->s[p->i] != '/')
		return lp_err(p, "expected '/' after the address");
	p->i++;
	addr = a;
	for (;;) {
		if ((rc = lp_segment(p, &addr)))
			return rc;
		if (p->s[p->i] != ',')
			return SB_OK;
		p->i++;
	}
}

static void lp_name(struct lp *p)
{
	size_t start = p->i, n;

	while (p->s[p->i] && p->s[p->i] != '/')
		p->i++;
	n = p->i - start;
	while (n > 0 && p->s[start + n - 1] == ' ')
		n--;
	if (n >= sizeof(p->l->name))
		n = sizeof(p->l->name) - 1;
	memcpy(p->l->name, p->s + start, n);
	p->l->name[n] = '\0';
}

int dfuse_layout_parse(struct dfuse_layout *l, const char *s, struct sb_diag *diag)
{
	struct lp p = { .s = s, .diag = diag, .l = l };
	int rc;

	memset(l, 0, sizeof(*l));
	if (s[0] != '@')
		return lp_err(&p, "expected '@' at the start of the layout");
	p.i = 1;
	lp_name(&p);
	if (p.s[p.i] != '/')
		return lp_err(&p, "expected '/' and an address after the name");
	while (p.s[p.i] == '/') {
		if ((rc = lp_group(&p))) {
			dfuse_layout_free(l);
			return rc;
		}
	}
	if (p.s[p.i]) {
		dfuse_layout_free(l);
		return lp_err(&p, "expected ',' or '/' or the end of the layout");
	}
	return SB_OK;
}

void dfuse_layout_free(struct dfuse_layout *l)
{
	free(l->region);
	l->region = NULL;
	l->nregions = 0;
}

/* ---- lookups ------------------------------------------------------------ */

uint64_t dfuse_region_end(const struct dfuse_region *r)
{
	return (uint64_t)r->addr + (uint64_t)r->npages * r->page_size;
}

const struct dfuse_region *dfuse_layout_find(const struct dfuse_layout *l, uint32_t addr)
{
	for (size_t i = 0; i < l->nregions; i++)
		if (addr >= l->region[i].addr && addr < dfuse_region_end(&l->region[i]))
			return &l->region[i];
	return NULL;
}

bool dfuse_layout_page(const struct dfuse_layout *l, uint32_t addr, uint32_t *page_addr,
		       uint32_t *page_size, uint8_t *flags)
{
	const struct dfuse_region *r = dfuse_layout_find(l, addr);

	if (!r)
		return false;
	if (page_addr)
		*page_addr = r->addr + (addr - r->addr) / r->page_size * r->page_size;
	if (page_size)
		*page_size = r->page_size;
	if (flags)
		*flags = r->flags;
	return true;
}

static void flag_letters(uint8_t flags, char out[4])
{
	out[0] = (flags & DFUSE_MEM_READ) ? 'r' : '-';
	out[1] = (flags & DFUSE_MEM_ERASE) ? 'e' : '-';
	out[2] = (flags & DFUSE_MEM_WRITE) ? 'w' : '-';
	out[3] = '\0';
}

/* Walk [addr, addr+len) region by region; fail at the first byte not covered with `need`. */
static int check_range(const struct dfuse_layout *l, uint32_t addr, uint32_t len, unsigned need,
		       struct sb_diag *diag)
{
	uint64_t a = addr, end = (uint64_t)addr + len;
	char have[4], want[4];

	while (a < end) {
		const struct dfuse_region *r = dfuse_layout_find(l, (uint32_t)a);
		if (!r)
			return sb_diag_addr(diag, SB_ERR_BAD_INPUT, (unsigned long)a,
					    "0x%08lX is outside the memory \"%s\"",
					    (unsigned long)a, l->name);
		if ((r->flags & need) != need) {
			flag_letters(r->flags, have);
			flag_letters((uint8_t)need, want);
			return sb_diag_addr(diag, SB_ERR_BAD_INPUT, (unsigned long)a,
					    "0x%08lX in \"%s\" is %s, needs %s", (unsigned long)a,
					    l->name, have, want);
		}
		a = dfuse_region_end(r);
	}
	return SB_OK;
}

int dfuse_layout_check(const struct dfuse_layout *l, const struct sb_image *img,
		       unsigned need, struct sb_diag *diag)
{
	for (size_t i = 0; i < img->nseg; i++) {
		int rc = check_range(l, img->seg[i].addr, img->seg[i].len, need, diag);
		if (rc)
			return rc;
	}
	return SB_OK;
}

static int pages_push(uint32_t **pages, size_t *n, size_t *cap, uint32_t page)
{
	if (*n && (*pages)[*n - 1] == page)
		return SB_OK;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		uint32_t *p = realloc(*pages, c * sizeof(*p));
		if (!p)
			return SB_ERR_NOMEM;
		*pages = p;
		*cap = c;
	}
	(*pages)[(*n)++] = page;
	return SB_OK;
}

int dfuse_layout_pages(const struct dfuse_layout *l, const struct sb_image *img,
		       uint32_t **pages, size_t *n, struct sb_diag *diag)
{
	size_t cap = 0;
	int rc = dfuse_layout_check(l, img, 0, diag);

	*pages = NULL;
	*n = 0;
	for (size_t i = 0; !rc && i < img->nseg; i++) {
		uint64_t a = img->seg[i].addr, end = a + img->seg[i].len;
		while (!rc && a < end) {
			uint32_t pa = 0, ps = 0;
			if (!dfuse_layout_page(l, (uint32_t)a, &pa, &ps, NULL))
				break;  /* cannot happen: checked above */
			rc = pages_push(pages, n, &cap, pa);
			a = (uint64_t)pa + ps;
		}
	}
	if (rc == SB_ERR_NOMEM)
		sb_diag_set(diag, rc, "out of memory");
	if (rc) {
		free(*pages);
		*pages = NULL;
		*n = 0;
	}
	return rc;
}

/* ASCII case-insensitive equality (no locale: protocols/ makes no OS calls). */
static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
		char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

int dfuse_layout_pick(const struct dfuse_layout *alts, size_t n, const struct sb_image *img,
		      const char *prefer, int *alt, struct sb_diag *diag)
{
	int first = -1, named = -1;

	if (!prefer)
		prefer = "Internal Flash";
	for (size_t i = 0; i < n; i++) {
		if (dfuse_layout_check(&alts[i], img, DFUSE_MEM_WRITE, NULL))
			continue;
		if (first < 0)
			first = (int)i;
		if (named < 0 && name_eq(alts[i].name, prefer))
			named = (int)i;
	}
	if (named >= 0 || first >= 0) {
		*alt = named >= 0 ? named : first;
		return SB_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (name_eq(alts[i].name, prefer) || i + 1 == n)
			return dfuse_layout_check(&alts[i], img, DFUSE_MEM_WRITE, diag);
	return sb_diag_set(diag, SB_ERR_BAD_INPUT, "the device offers no memory layout");
}

/* Length of s without its trailing spaces. */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == ' ')
		n--;
	return n;
}

int dfuse_layout_named(const struct dfuse_layout *alts, size_t n, const char *name)
{
	size_t ln = trimmed_len(name);

	for (size_t i = 0; i < n; i++)
		if (trimmed_len(alts[i].name) == ln && !strncasecmp(alts[i].name, name, ln))
			return (int)i;
	return -1;
}

int dfuse_layout_geom(const struct dfuse_layout *l, struct sb_geom *g, struct sb_diag *diag)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	uint32_t page = 0;

	memset(g, 0, sizeof(*g));
	if (l->nregions == 0 || l->nregions > SB_GEOM_MAX_RUNS)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "memory \"%s\": %zu regions, the planner takes 1 to %d", l->name,
				   l->nregions, SB_GEOM_MAX_RUNS);
	for (size_t i = 0; i < l->nregions; i++) {
		const struct dfuse_region *r = &l->region[i];
		g->run[i] = (struct sb_page_run){ r->addr, r->npages, r->page_size, page };
		page += r->npages;
		lo = r->addr < lo ? r->addr : lo;
		hi = dfuse_region_end(r) > hi ? dfuse_region_end(r) : hi;
	}
	if (hi - lo > UINT32_MAX)
		return sb_diag_set(diag, SB_ERR_BAD_INPUT, "memory \"%s\" spans 4 GiB", l->name);
	g->base = (uint32_t)lo;
	g->size = (uint32_t)(hi - lo);
	g->npages = page;
	g->nruns = (unsigned)l->nregions;
	g->write_unit = 8;  /* L4 double-word: protocol-facts B.6 "L4 granularity" */
	g->erased_value = 0xFF;
	g->erased_known = true;
	return SB_OK;
}

void dfuse_layout_describe(const struct dfuse_layout *l, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < l->nregions && off < len; i++) {
		const struct dfuse_region *r = &l->region[i];
		bool kb = r->page_size % 1024 == 0;
		char fl[4];
		int k;

		flag_letters(r->flags, fl);
		k = snprintf(buf + off, len - off, "0x%08lX-0x%08lX %lu x %lu %s %s\n",
			     (unsigned long)r->addr, (unsigned long)(dfuse_region_end(r) - 1),
			     (unsigned long)r->npages,
			     (unsigned long)(kb ? r->page_size / 1024 : r->page_size),
			     kb ? "KB" : "B", fl);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}
