/* SPDX-License-Identifier: MIT */
/*
 * patch.c - --patch ADDR=BYTES, serial-number formats, patching an image.
 */
#include "patch.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Hex digit pairs, blanks and colons between bytes allowed. */
static bool parse_hex(const char *s, struct sb_patch *p)
{
	int hi = -1;

	p->len = 0;
	for (; *s; s++) {
		if (hi < 0 && (*s == ':' || *s == ' '))
			continue;
		if (!isxdigit((unsigned char)*s) || (hi < 0 && p->len == SB_PATCH_MAX))
			return false;
		if (hi < 0) {
			hi = hexval((unsigned char)*s);
			continue;
		}
		p->data[p->len++] = (uint8_t)(hi << 4 | hexval((unsigned char)*s));
		hi = -1;
	}
	return hi < 0 && p->len > 0;
}

static void put_int(uint8_t *out, uint64_t v, unsigned size, bool big)
{
	for (unsigned i = 0; i < size; i++)
		out[big ? size - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* The integer types of --patch ADDR=TYPE:N and of a binary --sn-format TYPE
 * (which takes no u8). */
static const struct {
	const char *name;
	unsigned size;
	bool big;
} int_types[] = {
	{ "u8", 1, false }, { "u16", 2, false }, { "u32", 4, false }, { "u64", 8, false },
	{ "be16", 2, true }, { "be32", 4, true }, { "be64", 8, true },
};

#define NINT_TYPES (sizeof(int_types) / sizeof(int_types[0]))

/* "u32:N" and friends; 0 not such a prefix, 1 parsed, -1 bad. */
static int parse_typed(const char *s, struct sb_patch *p)
{
	uint64_t v;

	for (size_t i = 0; i < NINT_TYPES; i++) {
		size_t n = strlen(int_types[i].name);
		if (strncmp(s, int_types[i].name, n) || s[n] != ':')
			continue;
		if (!parse_u64(s + n + 1, &v) || (int_types[i].size < 8 && v >> (8 * int_types[i].size)))
			return -1;
		put_int(p->data, v, int_types[i].size, int_types[i].big);
		p->len = int_types[i].size;
		return 1;
	}
	return 0;
}

int sb_patch_parse(const char *arg, struct sb_patch *p, struct sb_diag *d)
{
	const char *eq = strchr(arg, '=');
	char addr[32];
	uint64_t a;
	int typed;

	memset(p, 0, sizeof(*p));
	if (!eq || (size_t)(eq - arg) >= sizeof(addr))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--patch %s: expected ADDR=BYTES", arg);
	memcpy(addr, arg, (size_t)(eq - arg));
	addr[eq - arg] = '\0';
	if (!parse_u64(addr, &a) || a > 0xFFFFFFFFu)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--patch %s: '%s' is not an address", arg, addr);
	p->addr = (uint32_t)a;
	if (!strncmp(eq + 1, "str:", 4)) {
		p->len = strlen(eq + 5);
		if (p->len == 0 || p->len > SB_PATCH_MAX)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "--patch %s: str: takes 1 to %d characters",
					   arg, SB_PATCH_MAX);
		memcpy(p->data, eq + 5, p->len);
	} else if ((typed = parse_typed(eq + 1, p)) < 0) {
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--patch %s: the number does not fit its type", arg);
	} else if (!typed && !parse_hex(eq + 1, p)) {
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "--patch %s: BYTES must be hex bytes (DEADBEEF, de:ad), u8/u16/u32/u64:N, be16/be32/be64:N or str:TEXT (at most %d bytes)",
				   arg, SB_PATCH_MAX);
	}
	if ((uint64_t)p->addr + p->len > 0xFFFFFFFFu)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--patch %s: reaches past the 32-bit address space", arg);
	return SB_OK;
}

int sb_image_patch(struct sb_image *img, uint32_t addr, const uint8_t *data, size_t len,
		   struct sb_diag *d)
{
	uint64_t end = (uint64_t)addr + len;

	/* Overwrite what the image holds there; sb_image_add then only adds the
	 * rest, every overlap being equal now. */
	for (size_t i = 0; i < img->nseg; i++) {
		struct sb_segment *s = &img->seg[i];
		uint64_t lo = s->addr > addr ? s->addr : addr;
		uint64_t hi = (uint64_t)s->addr + s->len < end ? (uint64_t)s->addr + s->len : end;
		if (lo < hi)
			memcpy(s->data + (lo - s->addr), data + (lo - addr), (size_t)(hi - lo));
	}
	return sb_image_add(img, addr, data, len, "--patch", d);
}

/* ---- serial numbers ---- */

/* One conversion %[0][width](u|d|x|X), "%%" literal; true if the template is fine. */
static bool text_template_ok(const char *t)
{
	int conv = 0;

	for (const char *p = t; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p != 'u' && *p != 'd' && *p != 'x' && *p != 'X')
			return false;
		conv++;
	}
	return conv == 1;
}

int sb_sn_parse(const char *spec, struct sb_snfmt *f, struct sb_diag *d)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < NINT_TYPES; i++) {
		if (int_types[i].size > 1 && !strcmp(spec, int_types[i].name)) {
			f->kind = SB_SN_BIN;
			f->size = int_types[i].size;
			f->big_endian = int_types[i].big;
			return SB_OK;
		}
	}
	if (strlen(spec) >= sizeof(f->fmt) || !text_template_ok(spec))
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "--sn-format %s: give u16, u32, u64, be16, be32, be64, or a text with one %%u, %%d, %%x or %%X (e.g. SN-%%06u), at most %zu characters",
				   spec, sizeof(f->fmt) - 1);
	f->kind = SB_SN_TEXT;
	snprintf(f->fmt, sizeof(f->fmt), "%s", spec);
	return SB_OK;
}

/* The template with its one conversion widened to 64 bits, then printed. */
static int render_text(const struct sb_snfmt *f, uint64_t v, char *buf, size_t len)
{
	char fmt[sizeof(f->fmt) + 8];
	size_t k = 0;

	for (const char *p = f->fmt; *p && k + 4 < sizeof(fmt); p++) {
		fmt[k++] = *p;
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			fmt[k++] = *++p;
			continue;
		}
		while (isdigit((unsigned char)p[1]))
			fmt[k++] = *++p;
		p++;
		fmt[k++] = 'l';
		fmt[k++] = 'l';
		fmt[k++] = *p == 'd' ? 'u' : *p;   /* the counter is never negative */
	}
	fmt[k] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return snprintf(buf, len, fmt, (unsigned long long)v);
#pragma GCC diagnostic pop
}

int sb_sn_render(const struct sb_snfmt *f, uint64_t value, uint8_t *out, size_t *len,
		 char *text, size_t textlen, struct sb_diag *d)
{
	char buf[SB_PATCH_MAX];
	int n;

	if (f->kind == SB_SN_BIN) {
		if (f->size < 8 && value >> (8 * f->size))
			return sb_diag_set(d, SB_ERR_BAD_INPUT,
					   "serial number %" PRIu64 " does not fit %u bytes (--sn-format)",
					   value, f->size);
		put_int(out, value, f->size, f->big_endian);
		*len = f->size;
		snprintf(text, textlen, "%" PRIu64, value);
		return SB_OK;
	}
	n = render_text(f, value, buf, sizeof(buf));
	if (n < 0 || (size_t)n + 1 > sizeof(buf))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "serial number text too long");
	memcpy(out, buf, (size_t)n + 1);   /* with its NUL: a C string for the firmware */
	*len = (size_t)n + 1;
	snprintf(text, textlen, "%s", buf);
	return SB_OK;
}
