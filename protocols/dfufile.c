/* SPDX-License-Identifier: MIT */
/*
 * dfufile.c - DfuSe .dfu files (ST UM0391; layout in protocol-facts D):
 *
 *   prefix (11)  "DfuSe" bVersion=1 DFUImageSize(u32) bTargets(u8)
 *   per target (274 + dwTargetSize)
 *                "Target" bAlternateSetting(u8) bTargetNamed(u32)
 *                szTargetName[255] dwTargetSize(u32) dwNbElements(u32)
 *                per element: dwElementAddress(u32) dwElementSize(u32) data
 *   suffix (16)  bcdDevice idProduct idVendor bcdDFU(0x011A) "UFD" bLength=16
 *                dwCRC (JAMCRC of every byte before it)
 *
 * All fields little-endian. Errors name the file offset of the bad field.
 */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc.h"
#include "imgbuild.h"

#define PREFIX_LEN 11
#define TARGET_LEN 274
#define ELEMENT_LEN 8
#define SUFFIX_LEN 16
#define NAME_LEN 255
#define BCD_DFUSE 0x011A   /* protocol-facts D.4: selects the DfuSe layout */

struct reader {
	struct sb_imgbuild b;   /* only for message formatting and the element pieces */
	const uint8_t *buf;
	size_t len, end;        /* end: first byte of the suffix */
	struct sb_diag *diag;
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

#define FAIL(r, off, ...) sb_imgbuild_err(&(r)->b, (r)->diag, (unsigned long)(off), __VA_ARGS__)

static int check_prefix(struct reader *r)
{
	if (r->len < 5 || memcmp(r->buf, "DfuSe", 5) != 0)
		return FAIL(r, 0, "no \"DfuSe\" signature (not a DfuSe file; plain DFU files are not supported)");
	if (r->len < PREFIX_LEN + SUFFIX_LEN)
		return FAIL(r, 0, "file too short for a DfuSe file (%zu bytes, needs at least %d)",
			    r->len, PREFIX_LEN + SUFFIX_LEN);
	if (r->buf[5] != 1)
		return FAIL(r, 5, "DfuSe version %u (only 1 is defined)", r->buf[5]);
	return SB_OK;
}

static int check_suffix(struct reader *r, struct sb_dfu_file *f)
{
	const uint8_t *s = r->buf + r->end;

	if (memcmp(s + 8, "UFD", 3) != 0)
		return FAIL(r, r->end + 8, "bad suffix signature (expected \"UFD\")");
	if (s[11] != SUFFIX_LEN)
		return FAIL(r, r->end + 11, "suffix length %u (DfuSe uses %d)", s[11], SUFFIX_LEN);
	uint32_t want = le32(s + 12), got = sb_crc_jam(0xFFFFFFFFu, r->buf, r->len - 4);
	if (want != got)
		return FAIL(r, r->end + 12, "CRC 0x%08X in the file, 0x%08X computed: file corrupted",
			    (unsigned)want, (unsigned)got);
	f->bcd_device = le16(s);
	f->pid = le16(s + 2);
	f->vid = le16(s + 4);
	f->bcd_dfu = le16(s + 6);
	if (f->bcd_dfu != BCD_DFUSE)
		return FAIL(r, r->end + 6, "bcdDFU 0x%04X (a DfuSe file has 0x%04X)", f->bcd_dfu,
			    BCD_DFUSE);
	return SB_OK;
}

/* protocol-facts F.3: the size excludes the suffix, but dfu-util's
 * dfuse-pack.py includes it; accept both. */
static int check_image_size(struct reader *r)
{
	uint32_t size = le32(r->buf + 6);

	if (size == r->end || size == r->len)
		return SB_OK;
	if (size > r->len)
		return FAIL(r, 6, "DFUImageSize %u runs past the end of the file (%zu bytes)",
			    (unsigned)size, r->len);
	return FAIL(r, 6, "DFUImageSize %u matches neither the file without its suffix (%zu) nor with it (%zu)",
		    (unsigned)size, r->end, r->len);
}

static int read_elements(struct reader *r, unsigned t, size_t pos, size_t tend, uint32_t nelem)
{
	for (uint32_t e = 0; e < nelem; e++) {
		if (tend - pos < ELEMENT_LEN)
			return FAIL(r, pos, "element %u of target %u runs past the target's end (dwTargetSize)",
				    (unsigned)e, t);
		uint32_t addr = le32(r->buf + pos), size = le32(r->buf + pos + 4);
		if (size > tend - pos - ELEMENT_LEN)
			return FAIL(r, pos + 4, "element size %u runs past the end of target %u",
				    (unsigned)size, t);
		int rc = sb_imgbuild_add_ref(&r->b, addr, r->buf + pos + ELEMENT_LEN, size,
					     pos + ELEMENT_LEN, r->diag);
		if (rc)
			return rc;
		pos += ELEMENT_LEN + size;
	}
	if (pos != tend)
		return FAIL(r, pos, "target %u: %zu bytes after its last element (dwTargetSize too large)",
			    t, tend - pos);
	return SB_OK;
}

/* Read target t at *pos into tg; *pos moves past it. */
static int read_target(struct reader *r, unsigned t, size_t *pos, struct sb_dfu_target *tg)
{
	const uint8_t *p = r->buf + *pos;

	if (r->end - *pos < TARGET_LEN)
		return FAIL(r, *pos, "target %u runs past the end of the data", t);
	if (memcmp(p, "Target", 6) != 0)
		return FAIL(r, *pos, "target %u: no \"Target\" signature", t);
	tg->alt = p[6];
	if (le32(p + 7) != 0) {  /* bTargetNamed is a u32 (protocol-facts D.2) */
		memcpy(tg->name, p + 11, NAME_LEN);
		tg->name[NAME_LEN] = 0;
	}
	uint32_t size = le32(p + 266), nelem = le32(p + 270);
	size_t start = *pos + TARGET_LEN;
	if (size > r->end - start)
		return FAIL(r, *pos + 266, "target %u size %u runs past the end of the data", t,
			    (unsigned)size);
	int rc = read_elements(r, t, start, start + size, nelem);
	if (rc)
		return rc;
	*pos = start + size;
	return sb_imgbuild_finish(&r->b, &tg->img, r->diag);
}

static int read_targets(struct reader *r, struct sb_dfu_file *f)
{
	unsigned n = r->buf[10];
	size_t pos = PREFIX_LEN;

	f->targets = calloc(n ? n : 1, sizeof(*f->targets));
	if (!f->targets)
		return sb_diag_set(r->diag, SB_ERR_NOMEM, "%s: out of memory", r->b.name);
	for (unsigned t = 0; t < n; t++) {
		sb_image_init(&f->targets[t].img);
		f->ntargets++;
		sb_imgbuild_init(&r->b, r->b.name, false);
		int rc = read_target(r, t, &pos, &f->targets[t]);
		sb_imgbuild_free(&r->b);
		if (rc)
			return rc;
	}
	if (pos != r->end)
		return FAIL(r, pos, "%zu bytes after the last of %u targets", r->end - pos, n);
	return SB_OK;
}

int sb_dfu_parse(struct sb_dfu_file *out, const uint8_t *buf, size_t len, const char *name,
		 struct sb_diag *diag)
{
	struct reader r = { .buf = buf, .len = len, .diag = diag };

	memset(out, 0, sizeof(*out));
	sb_imgbuild_init(&r.b, name, false);
	int rc = check_prefix(&r);
	if (!rc) {
		r.end = len - SUFFIX_LEN;
		rc = check_suffix(&r, out);
	}
	if (!rc)
		rc = check_image_size(&r);
	if (!rc)
		rc = read_targets(&r, out);
	if (rc)
		sb_dfu_free(out);
	return rc;
}

void sb_dfu_free(struct sb_dfu_file *f)
{
	for (size_t i = 0; i < f->ntargets; i++)
		sb_image_free(&f->targets[i].img);
	free(f->targets);
	memset(f, 0, sizeof(*f));
}

/* ---- writing -------------------------------------------------------------- */

static uint64_t target_size(const struct sb_dfu_target *t)
{
	uint64_t n = 0;

	for (size_t i = 0; i < t->img.nseg; i++)
		n += ELEMENT_LEN + (uint64_t)t->img.seg[i].len;
	return n;
}

static size_t name_len(const char *name)
{
	size_t n = 0;

	while (n < NAME_LEN && name[n])
		n++;
	return n;
}

static uint8_t *write_target(uint8_t *p, const struct sb_dfu_target *t)
{
	size_t namelen = name_len(t->name);

	memset(p, 0, TARGET_LEN);
	memcpy(p, "Target", 6);
	p[6] = t->alt;
	put32(p + 7, namelen ? 1 : 0);
	memcpy(p + 11, t->name, namelen);
	put32(p + 266, (uint32_t)target_size(t));
	put32(p + 270, (uint32_t)t->img.nseg);
	p += TARGET_LEN;
	for (size_t i = 0; i < t->img.nseg; i++) {
		const struct sb_segment *s = &t->img.seg[i];
		put32(p, s->addr);
		put32(p + 4, s->len);
		memcpy(p + ELEMENT_LEN, s->data, s->len);
		p += ELEMENT_LEN + s->len;
	}
	return p;
}

int sb_dfu_write(const struct sb_dfu_file *f, uint8_t **out, size_t *outlen)
{
	uint64_t total = PREFIX_LEN + SUFFIX_LEN;

	*out = NULL;
	*outlen = 0;
	if (f->ntargets > 255)
		return SB_ERR_BAD_INPUT;
	for (size_t t = 0; t < f->ntargets; t++)
		total += TARGET_LEN + target_size(&f->targets[t]);
	if (total > 0xFFFFFFFFu)  /* DFUImageSize and dwTargetSize are u32 */
		return SB_ERR_BAD_INPUT;
	uint8_t *buf = malloc((size_t)total), *p = buf + PREFIX_LEN;
	if (!buf)
		return SB_ERR_NOMEM;
	memcpy(buf, "DfuSe", 5);
	buf[5] = 1;
	put32(buf + 6, (uint32_t)total - SUFFIX_LEN);  /* without the suffix: protocol-facts F.3 */
	buf[10] = (uint8_t)f->ntargets;
	for (size_t t = 0; t < f->ntargets; t++)
		p = write_target(p, &f->targets[t]);
	put16(p, f->bcd_device);
	put16(p + 2, f->pid);
	put16(p + 4, f->vid);
	put16(p + 6, BCD_DFUSE);  /* the layout above is only DfuSe with 0x011A */
	memcpy(p + 8, "UFD", 3);
	p[11] = SUFFIX_LEN;
	put32(p + 12, sb_crc_jam(0xFFFFFFFFu, buf, (size_t)total - 4));
	*out = buf;
	*outlen = (size_t)total;
	return SB_OK;
}

/* ---- loading into an image ---------------------------------------------- */

int sb_load_dfu(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		struct sb_diag *diag)
{
	struct sb_dfu_file f;
	struct sb_image all;
	char who[300];
	int rc = sb_dfu_parse(&f, buf, len, name, diag);

	if (rc)
		return rc;
	sb_image_init(&all);
	size_t nalt0 = 0;
	for (size_t t = 0; !rc && t < f.ntargets; t++) {
		if (f.targets[t].alt != 0)
			continue;
		nalt0++;
		snprintf(who, sizeof(who), "%s: target %zu", name ? name : "(input)", t);
		rc = sb_image_merge(&all, &f.targets[t].img, who, diag);
	}
	if (!rc && nalt0 == 0)
		rc = sb_diag_set(diag, SB_ERR_BAD_INPUT,
				 "%s: no target for alt setting 0 (internal flash) among its %zu targets",
				 name ? name : "(input)", f.ntargets);
	sb_dfu_free(&f);
	if (!rc && img->nseg == 0 && !img->has_entry) {
		sb_image_free(img);
		*img = all;
		return SB_OK;
	}
	if (!rc)
		rc = sb_image_merge(img, &all, name, diag);
	sb_image_free(&all);
	return rc;
}
