/* SPDX-License-Identifier: MIT */
/*
 * dfuse_pack.c - DfuSe .dfu files without a device: `dfuse pack` writes one
 * from any input format, `dfuse unpack` shows one and extracts its
 * elements. The file format itself is protocols/dfufile.c (UM0391,
 * protocol-facts D); this file only walks the element headers of a file
 * that sb_dfu_parse() has already checked, to show elements as stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dfuse_tool.h"
#include "job.h"

#define DFU_PREFIX_LEN 11     /* protocol-facts D.1 */
#define DFU_TARGET_LEN 274    /* D.2 */
#define DFU_ELEMENT_LEN 8     /* D.3 */
#define DFU_SUFFIX_LEN 16     /* D.4 */
#define L4_UNIT 8             /* elements padded to 8 bytes for the L4 (D.3, B.6) */

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- pack ------------------------------------------------------------------------------ */

/*
 * src with every segment widened to whole 8-byte units (0xFF, the erased
 * value, in the new bytes), into dst. Segments that then share a unit merge.
 */
static int pad_image(const struct sb_image *src, struct sb_image *dst, struct sb_diag *d)
{
	sb_image_init(dst);
	for (size_t i = 0; i < src->nseg; i++) {
		const struct sb_segment *s = &src->seg[i];
		uint32_t lo = s->addr & ~(uint32_t)(L4_UNIT - 1);
		uint64_t hi = ((uint64_t)s->addr + s->len + L4_UNIT - 1) & ~(uint64_t)(L4_UNIT - 1);
		size_t n = (size_t)(hi - lo);
		uint8_t *buf = malloc(n);
		int err;
		if (!buf)
			return sb_diag_set(d, SB_ERR_NOMEM, "out of memory");
		memset(buf, 0xFF, n);
		/* a neighbour's data in the shared unit, instead of padding */
		for (uint32_t a = lo; a < s->addr; a++)
			sb_image_byte(src, a, &buf[a - lo]);
		for (uint64_t a = (uint64_t)s->addr + s->len; a < hi; a++)
			sb_image_byte(src, (uint32_t)a, &buf[a - lo]);
		memcpy(buf + (s->addr - lo), s->data, s->len);
		err = sb_image_add(dst, lo, buf, n, "padding", d);
		free(buf);
		if (err)
			return err;
	}
	return SB_OK;
}

static int pack_target_alt(struct df_config *c, uint8_t *alt)
{
	uint32_t v = 0;

	if (c->alt && (!cli_parse_u32(c->alt, &v) || v > 255))
		return cli_usage(&c->cli, "pack: --alt takes the target's alt number (0-255), not a name");
	*alt = (uint8_t)v;
	return 0;
}

int df_cmd_pack(struct df_config *c)
{
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);
	struct sb_dfu_target t = { 0 };
	struct sb_dfu_file file = { c->vid, c->pid, c->bcd_device, 0x011A, &t, 1 };
	struct sb_image img;
	struct sb_diag d = { 0 };
	uint8_t *out = NULL;
	size_t outlen = 0;
	int err;

	if (!c->output)
		return cli_usage(&c->cli, "pack -o OUT.dfu FILE[@ADDR]...");
	if ((err = pack_target_alt(c, &t.alt)))
		return err;
	snprintf(t.name, sizeof(t.name), "%s", c->target_name);
	if ((err = job_load(&f, &img, &d)))
		return cli_fail(&c->cli, err, &d, NULL);
	err = pad_image(&img, &t.img, &d);
	if (!err && (err = sb_dfu_write(&file, &out, &outlen)))
		sb_diag_set(&d, err, "%s: cannot be written as a DfuSe file (over 4 GB?)", c->output);
	if (!err)
		err = cli_write_file(c->output, out, outlen, &d);
	if (!err) {
		cli_event(&c->cli, "result",
			  "\"ok\":true,\"command\":\"pack\",\"bytes\":%llu,\"file_bytes\":%zu,\"elements\":%zu,\"alt\":%u",
			  (unsigned long long)sb_image_size(&t.img), outlen, t.img.nseg, t.alt);
		cli_info(&c->cli, "wrote %s: %zu bytes, target alt %u \"%s\", %zu element(s) of %llu bytes, %04x:%04x bcdDevice 0x%04X",
			 c->output, outlen, t.alt, t.name, t.img.nseg,
			 (unsigned long long)sb_image_size(&t.img), c->vid, c->pid, c->bcd_device);
	}
	free(out);
	sb_image_free(&t.img);
	sb_image_free(&img);
	return err ? cli_fail(&c->cli, err, &d, "pack") : EXIT_OK;
}

/* ---- unpack ------------------------------------------------------------------------------ */

struct element {
	uint8_t alt;
	unsigned target, index;
	uint32_t addr, size;
	const uint8_t *data;
};

/* Element n of a checked file (walking the headers), false past the last. */
static bool element_at(const uint8_t *buf, size_t len, size_t n, struct element *e)
{
	size_t pos = DFU_PREFIX_LEN, end = len - DFU_SUFFIX_LEN, k = 0;
	unsigned ntargets = buf[10];

	for (unsigned t = 0; t < ntargets && pos + DFU_TARGET_LEN <= end; t++) {
		uint32_t nelem = le32(buf + pos + 270);
		uint8_t alt = buf[pos + 6];
		pos += DFU_TARGET_LEN;
		for (uint32_t i = 0; i < nelem && pos + DFU_ELEMENT_LEN <= end; i++) {
			uint32_t size = le32(buf + pos + 4);
			if (size > end - pos - DFU_ELEMENT_LEN)
				return false;
			if (k++ == n) {
				*e = (struct element){ alt, t, i, le32(buf + pos), size, buf + pos + DFU_ELEMENT_LEN };
				return true;
			}
			pos += DFU_ELEMENT_LEN + size;
		}
	}
	return false;
}

static int extract_one(struct df_config *c, const char *dir, const struct element *e, struct sb_diag *d)
{
	char path[4096];
	struct stat st;
	int err;

	if (e->alt)
		snprintf(path, sizeof(path), "%s/alt%u-0x%08X.bin", dir, e->alt, e->addr);
	else
		snprintf(path, sizeof(path), "%s/0x%08X.bin", dir, e->addr);
	/* two elements at one address (several targets): do not overwrite */
	for (unsigned k = 2; stat(path, &st) == 0 && k < 100; k++)
		snprintf(path + strlen(path) - 4, sizeof(path) - strlen(path) + 4, "-%u.bin", k);
	if ((err = cli_write_file(path, e->data, e->size, d)))
		return err;
	if (!c->cli.json && c->cli.verbosity > 0)
		printf("  extracted %s\n", path);
	return SB_OK;
}

static void show_header(struct df_config *c, const char *name, const struct sb_dfu_file *f)
{
	char esc[600];

	cli_event(&c->cli, "dfu-file", "\"file\":\"%s\",\"vid\":%u,\"pid\":%u,\"bcd_device\":%u,\"bcd_dfu\":%u,\"targets\":%zu",
		  cli_json_str(esc, sizeof(esc), name), f->vid, f->pid, f->bcd_device, f->bcd_dfu, f->ntargets);
	if (c->cli.json)
		return;
	printf("%s: DfuSe file, %zu target(s), %04x:%04x, bcdDevice 0x%04X%s, bcdDFU 0x%04X, CRC ok\n",
	       name, f->ntargets, f->vid, f->pid, f->bcd_device, f->bcd_device == 0xFFFF ? " (any)" : "",
	       f->bcd_dfu);
}

static void show_element(struct df_config *c, const struct sb_dfu_file *f, const struct element *e)
{
	char esc[600];
	const struct sb_dfu_target *t = &f->targets[e->target];

	cli_event(&c->cli, "element", "\"target\":%u,\"alt\":%u,\"name\":\"%s\",\"index\":%u,\"address\":%u,\"bytes\":%u",
		  e->target, e->alt, cli_json_str(esc, sizeof(esc), t->name), e->index, e->addr, e->size);
	if (c->cli.json)
		return;
	if (e->index == 0)
		printf("target %u: alt %u \"%s\", %llu bytes\n", e->target, e->alt, t->name,
		       (unsigned long long)sb_image_size(&t->img));
	printf("  element %u: 0x%08X-0x%08X (%u bytes)\n", e->index, e->addr,
	       e->size ? e->addr + e->size - 1 : e->addr, e->size);
}

static int unpack_file(struct df_config *c, const uint8_t *buf, size_t len, const char *dir,
		       struct sb_diag *d)
{
	struct sb_dfu_file f;
	struct element e;
	size_t n = 0;
	int err = sb_dfu_parse(&f, buf, len, c->args[0], d);

	if (err)
		return err;
	show_header(c, c->args[0], &f);
	for (; !err && element_at(buf, len, n, &e); n++) {
		show_element(c, &f, &e);
		if (dir)
			err = extract_one(c, dir, &e, d);
	}
	if (!err)
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"unpack\",\"elements\":%zu,\"extracted\":%s",
			  n, dir ? "true" : "false");
	sb_dfu_free(&f);
	return err;
}

int df_cmd_unpack(struct df_config *c)
{
	const char *dir = c->output ? c->output : c->extract ? "." : NULL;
	struct sb_diag d = { 0 };
	uint8_t *buf;
	size_t len;
	int err;

	if (c->nargs != 1)
		return cli_usage(&c->cli, "unpack FILE.dfu [-o DIR | --extract]");
	if (dir && mkdir(dir, 0777) && errno != EEXIST)
		return cli_fail(&c->cli, SB_ERR_IO, NULL, dir);
	if ((err = cli_read_file(c->args[0], &buf, &len, &d)))
		return cli_fail(&c->cli, err, &d, NULL);
	err = unpack_file(c, buf, len, dir, &d);
	free(buf);
	return err ? cli_fail(&c->cli, err, &d, "unpack") : EXIT_OK;
}
