/* SPDX-License-Identifier: MIT */
/*
 * dfuse_plan.c - a write plan carried out on a DfuSe device: the flash ops
 * the library's plan runner uses (protocols/plan.h), reading the touched
 * pages first, and the run itself (erase, write, verify, the fallback).
 */
#include <stdlib.h>
#include <string.h>

#include "dfuse_tool.h"

/* The session and the geometry of the selected alt setting, for the ops. */
struct df_flash {
	struct df_session *s;
	const struct sb_geom *g;
};

static void fl_phase(void *ctx, const char *name, uint64_t total)
{
	struct df_flash *x = ctx;

	df_phase_begin(x->s, name, total);
}

static void fl_phase_end(void *ctx)
{
	struct df_flash *x = ctx;

	df_phase_end(x->s);
}

static int fl_read(void *ctx, uint32_t addr, uint8_t *buf, size_t len, struct sb_diag *d)
{
	struct df_flash *x = ctx;
	size_t got = 0;
	int err = dfuse_read(x->s->d, addr, buf, len, &got, d);

	if (!err && got < len)
		err = sb_diag_addr(d, SB_ERR_FRAMING, addr + (uint32_t)got,
				   "the device ended the read at 0x%08X, %zu bytes short",
				   addr + (uint32_t)got, len - got);
	x->s->phase.base += len;
	return err;
}

static int fl_erase(void *ctx, const uint32_t *pages, size_t n, struct sb_diag *d)
{
	struct df_flash *x = ctx;
	uint32_t *addrs = malloc((n ? n : 1) * sizeof(*addrs)), size;
	int err;

	if (!addrs)
		return SB_ERR_NOMEM;
	const char *shown = x->s->phase.name;
	for (size_t i = 0; i < n; i++)
		sb_geom_page_addr(x->g, pages[i], &addrs[i], &size);
	/* the fallback's erase inside the write phase: its page count is no progress */
	if (shown && strcmp(shown, "erase"))
		x->s->phase.name = NULL;
	err = dfuse_erase_pages(x->s->d, addrs, n, d);
	x->s->phase.name = shown;
	free(addrs);
	return err;
}

static int fl_mass_erase(void *ctx, struct sb_diag *d)
{
	struct df_flash *x = ctx;

	return dfuse_mass_erase(x->s->d, d);
}

/*
 * How much of a run from a goes to one dfuse_write: up to the end of its
 * region of the layout (the address arithmetic of B.6 holds within one),
 * and, when the engine's transfer blocks from a would not line up with
 * page edges, up to the end of a's page. Then a block the device refuses
 * lies in one page, the page the failure's address names (plan.h: the
 * fallback erases only that page).
 */
static size_t piece_len(const struct df_flash *x, uint32_t a, size_t left)
{
	const struct dfuse_region *r = dfuse_layout_find(&x->s->layout[x->s->alt], a);
	uint32_t xfer = dfuse_transfer_size(x->s->d), page, pa, ps;
	uint64_t end = (uint64_t)a + left;

	if (r && dfuse_region_end(r) < end)
		end = dfuse_region_end(r);
	if (sb_geom_page(x->g, a, &page, &pa, &ps) && ((a - pa) % xfer || ps % xfer) &&
	    (uint64_t)pa + ps < end)
		end = (uint64_t)pa + ps;
	return (size_t)(end - a);
}

/*
 * A run of blocks: one Set Address per piece, not per block (B.6, F.7).
 * errPROG or errWRITE for a block is the refusal the plan runner's
 * fallback looks for (protocol-facts B.4: which one the ROM uses is not
 * documented, so both count).
 */
static int fl_write(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool *refused,
		    struct sb_diag *d)
{
	struct df_flash *x = ctx;

	for (size_t off = 0; off < len;) {
		size_t n = piece_len(x, addr + (uint32_t)off, len - off);
		int err = dfuse_write(x->s->d, addr + (uint32_t)off, data + off, n, d);
		if (err) {
			uint8_t st = dfuse_write_status(x->s->d);
			*refused = st == DFU_STATUS_ERR_PROG || st == DFU_STATUS_ERR_WRITE;
			return err;
		}
		x->s->phase.base += n;
		off += n;
	}
	return SB_OK;
}

static int fl_verify(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool erased,
		     struct sb_diag *d)
{
	struct df_flash *x = ctx;
	struct sb_segment seg = { addr, (uint32_t)len, (uint8_t *)data };
	struct sb_image view = { .seg = &seg, .nseg = 1, .cap = 1 };
	int err;

	(void)erased;
	err = dfuse_verify_image(x->s->d, &view, d);
	x->s->phase.base += len;
	return err;
}

static const struct sb_flash_ops df_flash_ops = {
	.read = fl_read,
	.erase = fl_erase,
	.mass_erase = fl_mass_erase,
	.write = fl_write,
	.verify = fl_verify,
	.phase = fl_phase,
	.phase_end = fl_phase_end,
};

int df_plan_read_first(struct df_session *s, const struct sb_geom *g, struct sb_plan *p)
{
	struct df_flash x = { s, g };
	struct sb_flash f = { &df_flash_ops, &x, &s->c->cli.log };

	return sb_plan_read_first(p, &f, &s->diag);
}

int df_plan_run(struct df_session *s, const struct sb_geom *g, struct sb_plan *p)
{
	struct df_flash x = { s, g };
	struct sb_flash f = { &df_flash_ops, &x, &s->c->cli.log };

	return sb_plan_run(p, &f, s->c->job.verify, &s->diag);
}
