/* SPDX-License-Identifier: MIT */
/*
 * dfuse_data.c - data blocks: writes (DNLOAD wBlockNum >= 2), reads
 * (UPLOAD), their recovery, and the image-level erase/write/verify
 * (protocol-facts B.6).
 */
#include "dfuse_int.h"
#include "dfuse_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- progress ------------------------------------------------------------- */

void dfuse_i_phase(struct dfuse *d, enum dfuse_phase phase, uint64_t total)
{
	if (d->prog_nested)
		return;
	d->prog = (struct dfuse_progress){ .phase = phase, .total = total };
}

void dfuse_i_step(struct dfuse *d, uint32_t addr, uint64_t n)
{
	d->prog.addr = addr;
	d->prog.done += n;
	if (d->cfg.progress)
		d->cfg.progress(d->cfg.progress_ctx, &d->prog);
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int check_range(struct dfuse *d, uint32_t addr, size_t len, struct sb_diag *diag)
{
	if ((uint64_t)addr + len > (uint64_t)UINT32_MAX + 1)
		return dfuse_i_fail(d, diag, SB_ERR_BAD_INPUT,
				    "%zu bytes run past the end of the address space", len);
	return SB_OK;
}

/* ---- reads ---------------------------------------------------------------- */

/*
 * One run of a read: Set Address, ABORT (UPLOAD needs dfuIDLE), UPLOAD
 * wBlockNum 2, 3, ... (protocol-facts B.6). Stops after run_blocks blocks,
 * before a short block that is not wBlockNum 2 (the F.7 ambiguity: see
 * dfuse_write in dfuse.h), or at a short packet (*end).
 */
static int read_run(struct dfuse *d, uint32_t a, uint8_t *buf, size_t len, bool progress,
		    size_t *got, bool *end, struct sb_diag *diag)
{
	unsigned blk = 2;
	int rc;

	*got = 0;
	dfuse_i_op(d, "read", a, true);
	if ((rc = dfuse_i_set_address_once(d, a, diag)) || (rc = dfuse_i_ready_upload(d, diag)))
		return rc;
	while (*got < len && blk - 2 < d->cfg.to.run_blocks) {
		size_t n = min_size(d->xfer, len - *got);
		if (n < d->xfer && blk > 2)
			break;
		dfuse_i_op(d, "read", a + (uint32_t)*got, true);
		rc = dfuse_i_xfer(d, DFU_REQ_IN, DFU_UPLOAD, (uint16_t)blk, buf + *got,
				  (uint16_t)n);
		if (rc < 0)
			return dfuse_i_req_fail(d, DFU_UPLOAD, rc, diag);
		d->state = DFU_STATE_UPLOAD_IDLE;
		if (progress)
			dfuse_i_step(d, a + (uint32_t)*got, (uint64_t)rc);
		*got += (size_t)rc;
		blk++;
		if ((size_t)rc < n) {
			*end = true;  /* a short packet ends the read (B.6) */
			break;
		}
	}
	return SB_OK;
}

static int read_range(struct dfuse *d, uint32_t addr, uint8_t *buf, size_t len, bool progress,
		      size_t *got, struct sb_diag *diag)
{
	size_t off = 0;
	unsigned fails = 0;
	bool end = false;
	int rc;

	while (off < len && !end) {
		size_t n;
		rc = read_run(d, addr + (uint32_t)off, buf + off, len - off, progress, &n, &end,
			      diag);
		off += n;
		if (rc) {
			fails = n ? 1 : fails + 1;
			if (!dfuse_i_retryable(rc) || fails > d->cfg.to.retries ||
			    (rc = dfuse_i_before_retry(d, fails, diag))) {
				*got = off;
				return rc;
			}
			continue;
		}
		/* B.6: ABORT at the end; the data is in, so a failed ABORT only needs clearing */
		if (dfuse_abort(d, diag) && (rc = dfuse_i_to_idle(d, diag)))
			return rc;
	}
	*got = off;
	return SB_OK;
}

int dfuse_read(struct dfuse *d, uint32_t addr, uint8_t *buf, size_t len, size_t *got,
	       struct sb_diag *diag)
{
	struct sb_diag local;
	size_t n = 0;
	int rc;

	if (!diag)
		diag = &local;
	dfuse_i_op(d, "read", addr, true);
	if ((rc = check_range(d, addr, len, diag)))
		return rc;
	dfuse_i_phase(d, DFUSE_PHASE_READ, len);
	rc = read_range(d, addr, buf, len, true, &n, diag);
	if (got)
		*got = n;
	return rc;
}

/* ---- writes --------------------------------------------------------------- */

static int send_block(struct dfuse *d, uint16_t blk, const uint8_t *data, uint16_t n,
		      unsigned flags, struct sb_diag *diag)
{
	int rc;

	memcpy(d->out, data, n);
	rc = dfuse_i_xfer(d, DFU_REQ_OUT, DFU_DNLOAD, blk, d->out, n);
	if (rc == SB_ERR_NO_DEVICE && (flags & DFUSE_POLL_WILL_RESET))
		return SB_OK;
	if (rc < 0)
		return dfuse_i_req_fail(d, DFU_DNLOAD, rc, diag);
	d->state = DFU_STATE_DNLOAD_SYNC;
	/* data blocks take the same DNBUSY -> DNLOAD-IDLE handshake (B.5) */
	return dfuse_i_poll(d, d->cfg.to.write_ms, flags, diag);
}

/*
 * A new run (Set Address, wBlockNum 2) at the start, after run_blocks
 * blocks (long before wBlockNum could wrap: usb-anchors §6.1), and for a
 * short block that would not be wBlockNum 2 (protocol-facts F.7).
 */
static bool new_run(const struct dfuse *d, unsigned blk, size_t n)
{
	return blk == 0 || blk - 2 >= d->cfg.to.run_blocks || (n < d->xfer && blk > 2);
}

/* Write [addr, addr+len); *done: bytes in blocks the device confirmed. */
static int write_runs(struct dfuse *d, uint32_t addr, const uint8_t *data, size_t len,
		      size_t *done, struct sb_diag *diag)
{
	unsigned blk = 0;
	int rc;

	*done = 0;
	while (*done < len) {
		size_t n = min_size(d->xfer, len - *done);
		uint32_t a = addr + (uint32_t)*done;
		dfuse_i_op(d, "write", a, true);
		if (new_run(d, blk, n)) {
			if ((rc = dfuse_i_set_address_once(d, a, diag)))
				return rc;
			blk = 2;
		}
		if ((rc = send_block(d, (uint16_t)blk, data + *done, (uint16_t)n, 0, diag)))
			return rc;
		blk++;
		*done += n;
		dfuse_i_step(d, a, n);
	}
	return SB_OK;
}

/*
 * A block failed at a. Flash units (double-words on L4, 32-byte words on
 * H7) cannot be programmed twice (protocol-facts E.3; the ROM answers
 * errWRITE/errPROG), so the block is read back before anything is sent
 * again: if it holds the data it is done (*skip = n); if it is erased
 * from some unit on, the rest is resent from there (*skip = that
 * offset); anything else is an error
 * naming the address. The device is already back in dfuIDLE.
 */
static int recover_block(struct dfuse *d, uint32_t a, const uint8_t *want, size_t n, int cause,
			 size_t *skip, struct sb_diag *diag)
{
	char why[sizeof(diag->msg)];
	size_t got, i, k;
	int rc;

	snprintf(why, sizeof(why), "%s", diag->msg);
	if ((rc = read_range(d, a, d->back, n, false, &got, diag)))
		return rc;
	dfuse_i_op(d, "write", a, true);
	if (got < n)
		return dfuse_i_fail(d, diag, cause,
				    "%s; reading the block back gave %zu of %zu bytes", why, got, n);
	for (i = 0; i < n && d->back[i] == want[i]; i++)
		;
	if (i == n) {
		sb_logf(d->cfg.log, SB_LOG_INFO, "block at 0x%08lX holds the data: done",
			(unsigned long)a);
		*skip = n;
		return SB_OK;
	}
	k = i - min_size(i, (a + i) & (d->unit - 1));  /* start of the unit holding byte i */
	for (size_t j = k; j < n; j++) {
		if (d->back[j] == d->erased)
			continue;
		dfuse_i_op(d, "write", a + (uint32_t)j, true);
		return dfuse_i_fail(d, diag, cause,
				    "%s; flash holds 0x%02X there (image 0x%02X) and cannot be "
				    "programmed again: erase the page and retry",
				    why, d->back[j], want[j]);
	}
	sb_logf(d->cfg.log, SB_LOG_INFO,
		"block at 0x%08lX: %zu of %zu bytes written, resending the rest", (unsigned long)a,
		k, n);
	*skip = k;
	return SB_OK;
}

static bool prog_status(uint8_t st)
{
	return st == DFU_STATUS_ERR_PROG || st == DFU_STATUS_ERR_WRITE;
}

uint8_t dfuse_write_status(const struct dfuse *d)
{
	return d->write_status;
}

int dfuse_write(struct dfuse *d, uint32_t addr, const uint8_t *data, size_t len,
		struct sb_diag *diag)
{
	struct sb_diag local;
	size_t off = 0, done = 0, skip = 0;
	uint64_t refused_at = UINT64_MAX;  /* a programming error there, and no progress since */
	unsigned fails = 0;
	int rc;

	if (!diag)
		diag = &local;
	d->write_status = 0;
	dfuse_i_op(d, "write", addr, true);
	if ((rc = check_range(d, addr, len, diag)))
		return rc;
	dfuse_i_phase(d, DFUSE_PHASE_WRITE, len);
	while (off < len) {
		d->last_status = 0;
		rc = write_runs(d, addr + (uint32_t)off, data + off, len - off, &done, diag);
		off += done;
		if (!rc)
			break;
		uint32_t a = addr + (uint32_t)off;
		uint8_t st = d->last_status;
		fails = done ? 1 : fails + 1;
		/* refused twice at the same place: the double-word is programmed (E.3) */
		if (!dfuse_i_retryable(rc) || fails > d->cfg.to.retries ||
		    (prog_status(st) && refused_at == a)) {
			d->write_status = st;
			return rc;
		}
		refused_at = prog_status(st) ? a : UINT64_MAX;
		int cause = rc;
		size_t n = min_size(d->xfer, len - off);
		if ((rc = dfuse_i_before_retry(d, fails, diag)) ||
		    (rc = recover_block(d, a, data + off, n, cause, &skip, diag))) {
			d->write_status = rc == cause ? st : 0;
			return rc;
		}
		off += skip;
		if (skip) {
			dfuse_i_step(d, a, skip);
			fails = 0;  /* the read-back showed progress: not the same failure again */
			refused_at = UINT64_MAX;
		}
	}
	return SB_OK;
}

int dfuse_write_will_reset(struct dfuse *d, uint32_t addr, const uint8_t *data, size_t len,
			   struct sb_diag *diag)
{
	struct sb_diag local;
	int rc;

	if (!diag)
		diag = &local;
	dfuse_i_op(d, "write", addr, true);
	if (len == 0 || len > d->xfer)
		return dfuse_i_fail(d, diag, SB_ERR_BAD_INPUT,
				    "%zu bytes: this memory takes one block of 1 to %u bytes", len,
				    d->xfer);
	if ((rc = dfuse_set_address(d, addr, diag)))
		return rc;
	dfuse_i_op(d, "write", addr, true);
	rc = send_block(d, 2, data, (uint16_t)len, DFUSE_POLL_WILL_RESET, diag);
	if (rc == SB_OK)
		d->state = -1;
	return rc;
}

/* ---- images --------------------------------------------------------------- */

static uint64_t image_bytes(const struct sb_image *img)
{
	uint64_t n = 0;

	for (size_t i = 0; i < img->nseg; i++)
		n += img->seg[i].len;
	return n;
}

int dfuse_erase_pages(struct dfuse *d, const uint32_t *pages, size_t n, struct sb_diag *diag)
{
	dfuse_i_phase(d, DFUSE_PHASE_ERASE, n);
	for (size_t i = 0; i < n; i++) {
		int rc = dfuse_erase_page(d, pages[i], diag);
		if (rc)
			return rc;
		dfuse_i_step(d, pages[i], 1);
	}
	return SB_OK;
}

/* Segment by segment; runs also restart at the layout's region edges. */
static int write_segments(struct dfuse *d, const struct sb_image *img,
			  const struct dfuse_layout *layout, struct sb_diag *diag)
{
	for (size_t i = 0; i < img->nseg; i++) {
		const struct sb_segment *s = &img->seg[i];
		uint64_t a = s->addr, end = (uint64_t)s->addr + s->len;
		while (a < end) {
			const struct dfuse_region *r =
				layout ? dfuse_layout_find(layout, (uint32_t)a) : NULL;
			uint64_t stop = r && dfuse_region_end(r) < end ? dfuse_region_end(r) : end;
			int rc = dfuse_write(d, (uint32_t)a, s->data + (a - s->addr),
					     (size_t)(stop - a), diag);
			if (rc)
				return rc;
			a = stop;
		}
	}
	return SB_OK;
}

int dfuse_write_image(struct dfuse *d, const struct sb_image *img,
		      const struct dfuse_layout *layout, struct sb_diag *diag)
{
	struct sb_diag local;
	int rc;

	d->prog = (struct dfuse_progress){ .phase = DFUSE_PHASE_WRITE, .total = image_bytes(img) };
	d->prog_nested = true;
	rc = write_segments(d, img, layout, diag ? diag : &local);
	d->prog_nested = false;
	return rc;
}

static int verify_segment(struct dfuse *d, const struct sb_segment *s, struct sb_diag *diag)
{
	uint8_t *buf = malloc(s->len ? s->len : 1);
	size_t got, i;
	int rc;

	if (!buf)
		return sb_diag_set(diag, SB_ERR_NOMEM, "out of memory");
	rc = read_range(d, s->addr, buf, s->len, true, &got, diag);
	for (i = 0; !rc && i < got && buf[i] == s->data[i]; i++)
		;
	dfuse_i_op(d, "verify", s->addr + (uint32_t)i, true);
	if (!rc && i < got)
		rc = dfuse_i_fail(d, diag, SB_ERR_VERIFY, "flash holds 0x%02X, image has 0x%02X",
				  buf[i], s->data[i]);
	else if (!rc && got < s->len)
		rc = dfuse_i_fail(d, diag, SB_ERR_VERIFY,
				  "the device ended the read %zu bytes short", s->len - got);
	free(buf);
	return rc;
}

int dfuse_verify_image(struct dfuse *d, const struct sb_image *img, struct sb_diag *diag)
{
	struct sb_diag local;
	int rc = SB_OK;

	if (!diag)
		diag = &local;
	d->prog = (struct dfuse_progress){ .phase = DFUSE_PHASE_VERIFY, .total = image_bytes(img) };
	d->prog_nested = true;
	for (size_t i = 0; !rc && i < img->nseg; i++)
		rc = verify_segment(d, &img->seg[i], diag);
	d->prog_nested = false;
	return rc;
}
