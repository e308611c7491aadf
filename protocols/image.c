/* SPDX-License-Identifier: MIT */
/*
 * image.c - the sparse image model, format detection and the raw binary
 * loader. The text and binary format parsers live in ihex.c, srec.c, elf.c
 * and dfufile.c; they collect their data through imgbuild.c.
 */
#include "image.h"

#include <stdlib.h>
#include <string.h>

#include "imgbuild.h"

/* Exclusive end of the highest byte an image may hold (see image.h). */
#define ADDR_LIMIT 0xFFFFFFFFull

void sb_image_init(struct sb_image *img)
{
	memset(img, 0, sizeof(*img));
}

void sb_image_free(struct sb_image *img)
{
	for (size_t i = 0; i < img->nseg; i++)
		free(img->seg[i].data);
	free(img->seg);
	sb_image_init(img);
}

static uint64_t seg_end(const struct sb_segment *s)
{
	return (uint64_t)s->addr + s->len;
}

/* Index of the first segment whose end is >= addr (touching counts). */
static size_t first_touching(const struct sb_image *img, uint64_t addr)
{
	size_t lo = 0, hi = img->nseg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (seg_end(&img->seg[mid]) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first segment starting after end (touching counts as inside). */
static size_t first_after(const struct sb_image *img, size_t from, uint64_t end)
{
	size_t lo = from, hi = img->nseg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->seg[mid].addr <= end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *who_or(const char *who)
{
	return who ? who : "image";
}

static int check_range(uint32_t addr, size_t len, const char *who, struct sb_diag *diag)
{
	if ((uint64_t)addr + len > ADDR_LIMIT)
		return sb_diag_addr(diag, SB_ERR_BAD_INPUT, addr,
				    "%s: %zu bytes at 0x%08X run past the end of the 32-bit address space",
				    who_or(who), len, (unsigned)addr);
	return SB_OK;
}

/* Overlapping bytes of segments [lo, hi) and the new data must agree. */
static int check_overlap(const struct sb_image *img, size_t lo, size_t hi, uint32_t addr,
			 const uint8_t *data, size_t len, const char *who, struct sb_diag *diag)
{
	uint64_t end = (uint64_t)addr + len;

	for (size_t k = lo; k < hi; k++) {
		const struct sb_segment *s = &img->seg[k];
		uint64_t a = s->addr > addr ? s->addr : addr;
		uint64_t e = seg_end(s) < end ? seg_end(s) : end;
		for (; a < e; a++) {
			uint8_t was = s->data[a - s->addr], now = data[a - addr];
			if (was != now)
				return sb_diag_addr(diag, SB_ERR_BAD_INPUT, (unsigned long)a,
						    "%s: data at 0x%08X (0x%02X) differs from data already there (0x%02X)",
						    who_or(who), (unsigned)a, now, was);
		}
	}
	return SB_OK;
}

static int insert_segment(struct sb_image *img, size_t at, uint32_t addr, const uint8_t *data,
			  size_t len)
{
	if (img->nseg == img->cap) {
		size_t cap = img->cap ? img->cap * 2 : 8;
		struct sb_segment *s = realloc(img->seg, cap * sizeof(*s));
		if (!s)
			return SB_ERR_NOMEM;
		img->seg = s;
		img->cap = cap;
	}
	uint8_t *copy = malloc(len);
	if (!copy)
		return SB_ERR_NOMEM;
	memcpy(copy, data, len);
	memmove(&img->seg[at + 1], &img->seg[at], (img->nseg - at) * sizeof(img->seg[0]));
	img->seg[at] = (struct sb_segment){ .addr = addr, .len = (uint32_t)len, .data = copy };
	img->nseg++;
	return SB_OK;
}

/* Replace segments [lo, hi) by one covering them and the new data. */
static int join_segments(struct sb_image *img, size_t lo, size_t hi, uint32_t addr,
			 const uint8_t *data, size_t len)
{
	struct sb_segment *first = &img->seg[lo];
	uint64_t start = first->addr < addr ? first->addr : addr;
	uint64_t end = (uint64_t)addr + len;
	if (seg_end(&img->seg[hi - 1]) > end)
		end = seg_end(&img->seg[hi - 1]);

	/* Grow the first segment in place when it already starts the run. */
	uint8_t *buf = start == first->addr ? realloc(first->data, end - start) : malloc(end - start);
	if (!buf)
		return SB_ERR_NOMEM;
	if (start != first->addr) {
		memcpy(buf + (first->addr - start), first->data, first->len);
		free(first->data);
	}
	for (size_t k = lo + 1; k < hi; k++) {
		memcpy(buf + (img->seg[k].addr - start), img->seg[k].data, img->seg[k].len);
		free(img->seg[k].data);
	}
	memcpy(buf + (addr - start), data, len);
	*first = (struct sb_segment){ .addr = (uint32_t)start, .len = (uint32_t)(end - start),
				      .data = buf };
	memmove(&img->seg[lo + 1], &img->seg[hi], (img->nseg - hi) * sizeof(img->seg[0]));
	img->nseg -= hi - lo - 1;
	return SB_OK;
}

int sb_image_add(struct sb_image *img, uint32_t addr, const uint8_t *data, size_t len,
		 const char *who, struct sb_diag *diag)
{
	if (len == 0)
		return SB_OK;
	int rc = check_range(addr, len, who, diag);
	if (rc)
		return rc;
	uint64_t end = (uint64_t)addr + len;
	size_t lo = first_touching(img, addr);
	size_t hi = first_after(img, lo, end);
	rc = check_overlap(img, lo, hi, addr, data, len, who, diag);
	if (rc)
		return rc;
	rc = hi == lo ? insert_segment(img, lo, addr, data, len)
		      : join_segments(img, lo, hi, addr, data, len);
	if (rc)
		return sb_diag_set(diag, rc, "%s: out of memory adding %zu bytes at 0x%08X",
				   who_or(who), len, (unsigned)addr);
	return SB_OK;
}

int sb_image_merge(struct sb_image *dst, const struct sb_image *src, const char *who,
		   struct sb_diag *diag)
{
	/* Check every segment first so that a conflict leaves dst untouched;
	 * src's own segments never overlap each other. */
	for (size_t i = 0; i < src->nseg; i++) {
		const struct sb_segment *s = &src->seg[i];
		int rc = check_range(s->addr, s->len, who, diag);
		if (rc)
			return rc;
		size_t lo = first_touching(dst, s->addr);
		size_t hi = first_after(dst, lo, seg_end(s));
		rc = check_overlap(dst, lo, hi, s->addr, s->data, s->len, who, diag);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < src->nseg; i++) {
		const struct sb_segment *s = &src->seg[i];
		int rc = sb_image_add(dst, s->addr, s->data, s->len, who, diag);
		if (rc)
			return rc;
	}
	if (src->has_entry && !dst->has_entry) {
		dst->entry = src->entry;
		dst->has_entry = true;
	}
	return SB_OK;
}

uint64_t sb_image_size(const struct sb_image *img)
{
	uint64_t n = 0;

	for (size_t i = 0; i < img->nseg; i++)
		n += img->seg[i].len;
	return n;
}

void sb_image_span(const struct sb_image *img, uint32_t *lo, uint32_t *hi)
{
	uint32_t l = 0, h = 0;

	if (img->nseg) {
		l = img->seg[0].addr;
		h = (uint32_t)seg_end(&img->seg[img->nseg - 1]);
	}
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
}

bool sb_image_byte(const struct sb_image *img, uint32_t addr, uint8_t *out)
{
	size_t i = first_touching(img, (uint64_t)addr + 1);

	if (i == img->nseg || img->seg[i].addr > addr)
		return false;
	if (out)
		*out = img->seg[i].data[addr - img->seg[i].addr];
	return true;
}

int sb_load_bin(struct sb_image *img, const uint8_t *buf, size_t len, uint32_t base,
		const char *name, struct sb_diag *diag)
{
	struct sb_imgbuild b;
	int rc;

	sb_imgbuild_init(&b, name, false);
	if (len == 0)
		rc = sb_imgbuild_err(&b, diag, 0, "empty file (0 bytes)");
	else
		rc = sb_imgbuild_add_ref(&b, base, buf, len, 0, diag);
	if (rc) {
		sb_imgbuild_free(&b);
		return rc;
	}
	return sb_imgbuild_finish(&b, img, diag);
}

/* ---- formats ------------------------------------------------------------ */

static const char *const format_names[] = {
	[SB_FMT_AUTO] = "auto", [SB_FMT_BIN] = "bin", [SB_FMT_IHEX] = "ihex",
	[SB_FMT_SREC] = "srec", [SB_FMT_ELF] = "elf", [SB_FMT_DFU] = "dfu",
};

static const struct {
	const char *word;  /* also the file name extensions we recognise */
	enum sb_format fmt;
} format_words[] = {
	{ "auto", SB_FMT_AUTO }, { "bin", SB_FMT_BIN },   { "raw", SB_FMT_BIN },
	{ "ihex", SB_FMT_IHEX }, { "hex", SB_FMT_IHEX },  { "ihx", SB_FMT_IHEX },
	{ "srec", SB_FMT_SREC }, { "s19", SB_FMT_SREC },  { "s28", SB_FMT_SREC },
	{ "s37", SB_FMT_SREC },  { "mot", SB_FMT_SREC },  { "elf", SB_FMT_ELF },
	{ "axf", SB_FMT_ELF },   { "dfu", SB_FMT_DFU },
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool word_eq(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == 0 && *b == 0;
}

const char *sb_format_name(enum sb_format fmt)
{
	if ((unsigned)fmt >= sizeof(format_names) / sizeof(format_names[0]))
		return "unknown";
	return format_names[fmt];
}

int sb_format_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(format_words) / sizeof(format_words[0]); i++)
		if (word_eq(format_words[i].word, s))
			return (int)format_words[i].fmt;
	return -1;
}

static int by_extension(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;

	if (!dot || strchr(dot, '/'))
		return -1;
	int fmt = sb_format_parse(dot + 1);
	return fmt == SB_FMT_AUTO ? -1 : fmt;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum sb_format sb_format_detect(const uint8_t *buf, size_t len, const char *name)
{
	if (len >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0)
		return SB_FMT_ELF;
	if (len >= 5 && memcmp(buf, "DfuSe", 5) == 0)
		return SB_FMT_DFU;
	size_t i = 0;
	while (i < len && is_space(buf[i]))
		i++;
	if (i < len && buf[i] == ':')
		return SB_FMT_IHEX;
	if (i + 1 < len && buf[i] == 'S' && buf[i + 1] >= '0' && buf[i + 1] <= '9')
		return SB_FMT_SREC;
	/* Content says nothing: trust the extension, so that e.g. a broken
	 * .hex file gets the HEX parser's message naming its first line. */
	int fmt = by_extension(name);
	return fmt < 0 ? SB_FMT_AUTO : (enum sb_format)fmt;
}

int sb_image_load(struct sb_image *img, enum sb_format fmt, const uint8_t *buf, size_t len,
		  const char *name, uint32_t bin_base, struct sb_diag *diag)
{
	if (fmt == SB_FMT_AUTO)
		fmt = sb_format_detect(buf, len, name);
	switch (fmt) {
	case SB_FMT_BIN:
		return sb_load_bin(img, buf, len, bin_base, name, diag);
	case SB_FMT_IHEX:
		return sb_load_ihex(img, buf, len, name, diag);
	case SB_FMT_SREC:
		return sb_load_srec(img, buf, len, name, diag);
	case SB_FMT_ELF:
		return sb_load_elf(img, buf, len, name, diag);
	case SB_FMT_DFU:
		return sb_load_dfu(img, buf, len, name, diag);
	case SB_FMT_AUTO:
		break;
	}
	return sb_diag_set(diag, SB_ERR_BAD_INPUT,
			   "%s: unknown file format (not ELF, DfuSe, Intel HEX or S-record); "
			   "name the format, or use a .bin name for a raw binary", name ? name : "(input)");
}
