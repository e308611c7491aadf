/* SPDX-License-Identifier: MIT */
/*
 * ldrhost_stream.c - lh_program(): erase and write operations streamed to
 * the loader with a window of frames in flight (selective repeat on the
 * frames' sequence numbers), so that the line and the flash work at the
 * same time.
 *
 * Every frame of an operation is one queued command. The loader answers a
 * STATUS when it takes a frame and another when it has executed it; both
 * carry RX_NEXT (the next SEQ it expects), DONE_NEXT (everything before is
 * done) and a map of the frames it holds after a gap, so one lost STATUS
 * costs nothing. The host keeps at most the window of frames that are not
 * done, and sends again exactly the frames the map says are missing - once
 * per time they could have arrived: every frame behind on the line would
 * otherwise be thrown away with the one lost (the operating system and the
 * adapter hold a whole window). After a quiet period it sends the oldest
 * frame not taken again, or the oldest not done as a probe: the loader
 * knows it already and answers with a STATUS.
 */
#include <stdlib.h>

#include "ldrhost_priv.h"

#define LH_MAX_SENDS 16u           /* copies of one frame before the line is called too noisy */

struct lh_fr {
	uint8_t cmd;
	uint32_t addr, len;        /* WRITE: data bytes; ERASE: one page */
	const uint8_t *data;
	uint32_t flags;
	uint64_t arrive;           /* ms: sent last, it has arrived by then */
	unsigned sends;
};

struct stream {
	struct lh *h;
	struct lh_fr *fr;
	size_t n;
	uint8_t s0;                /* SEQ of fr[0] */
	size_t next, acked, done;  /* frames sent / taken by the loader / executed */
	unsigned quiet;            /* quiet periods without a word from the loader */
	unsigned stall;            /* quiet periods since the last operation finished */
	uint64_t bytes, total;     /* write bytes done / in all */
};

static int check_ops(const struct lh *h, const struct lh_op *ops, size_t n, size_t *nframes,
		     struct sb_diag *d)
{
	uint32_t page = h->info.page_size, chunk = h->info.data_max & ~7u;

	*nframes = 0;
	if (!h->have_info || !page || !chunk)
		return sb_diag_set(d, SB_ERR_STATE, "the loader has not described the flash yet");
	for (size_t i = 0; i < n; i++) {
		const struct lh_op *o = &ops[i];
		if (o->kind == LH_ERASE && (o->addr % page || o->len % page || !o->len))
			return sb_diag_addr(d, SB_ERR_BAD_INPUT, o->addr,
					    "erase 0x%08X+%u: not whole %u-byte pages", o->addr, o->len, page);
		if (o->kind == LH_WRITE && (o->addr % 8u || o->len % 8u || !o->len || !o->data))
			return sb_diag_addr(d, SB_ERR_BAD_INPUT, o->addr,
					    "write 0x%08X+%u: not whole double-words", o->addr, o->len);
		*nframes += o->kind == LH_ERASE ? o->len / page : (o->len + chunk - 1) / chunk;
	}
	return SB_OK;
}

static void make_frames(const struct lh *h, const struct lh_op *ops, size_t n, struct stream *s)
{
	uint32_t page = h->info.page_size, chunk = h->info.data_max & ~7u;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct lh_op *o = &ops[i];
		uint32_t step = o->kind == LH_ERASE ? page : chunk;

		for (uint32_t off = 0; off < o->len; off += step, k++) {
			struct lh_fr *f = &s->fr[k];
			f->addr = o->addr + off;
			f->len = o->len - off < step ? o->len - off : step;
			if (o->kind == LH_ERASE) {
				f->cmd = LDRW_CMD_ERASE;
				continue;
			}
			f->cmd = LDRW_CMD_WRITE;
			f->data = o->data + off;
			f->flags = o->skip_erased ? LDRW_WF_SKIP_ERASED : 0;
			s->total += f->len;
		}
	}
}

static int send_frame(struct stream *s, size_t i)
{
	struct lh_fr *f = &s->fr[i];
	uint8_t p[8];
	int err;

	lh_put32(p, f->addr);
	lh_put32(p + 4, f->cmd == LDRW_CMD_WRITE ? f->flags : f->len);
	f->sends++;
	err = lh_send(s->h, f->cmd, (uint8_t)(s->s0 + i), p, 8, f->data,
		      f->cmd == LDRW_CMD_WRITE ? f->len : 0);
	/* a STATUS naming it missing before then is about an earlier copy */
	f->arrive = s->h->line_free + s->h->o.t.resp_ms / 10u;
	return err;
}

/* Send frame i again unless its last copy may still be on its way. */
static int resend(struct stream *s, size_t i, bool now)
{
	if (!now && s->h->o.now_ms && lh_now(s->h) < s->fr[i].arrive)
		return SB_OK;
	if (s->fr[i].sends >= LH_MAX_SENDS)
		return SB_ERR_FRAMING;
	s->h->n.resends++;
	return send_frame(s, i);
}

/* The frames a STATUS names missing: RX_NEXT, and the ones its map skips.
 * A damaged copy of RX_NEXT that has just arrived: RX_NEXT at once. */
static int resend_missing(struct stream *s, long rx, uint32_t have, bool damaged)
{
	int top = 31, err = SB_OK;

	while (top > 0 && !(have & (1u << (top - 1))))
		top--;
	for (int i = -1; i < top && !err; i++) {
		size_t k = (size_t)(rx + 1 + i);
		if (k >= s->next)
			break;
		if (i < 0 || !(have & (1u << i)))
			err = resend(s, k, i < 0 && damaged);
	}
	return err;
}

/* Frame index of a SEQ the loader names, or -1 outside [done, next]. */
static long index_of(const struct stream *s, uint8_t seq)
{
	uint8_t d = (uint8_t)(seq - (uint8_t)(s->s0 + s->done));

	return d <= s->next - s->done ? (long)(s->done + d) : -1;
}

static int failed(struct stream *s, const uint8_t *st, struct sb_diag *d)
{
	long i = index_of(s, st[LDRW_ST_ERR_SEQ]);
	const char *what = i >= 0 && s->fr[i].cmd == LDRW_CMD_ERASE ? "erasing the page" : "programming";

	return lh_status_err(st[LDRW_ST_ERR], lh_get32(st + LDRW_ST_ERR_ADDR),
			     lh_get32(st + LDRW_ST_ERR_DETAIL), what, d);
}

static int too_noisy(struct stream *s, int err, struct sb_diag *d)
{
	const struct lh_fr *f = &s->fr[s->acked < s->n ? s->acked : s->done];

	if (err == SB_ERR_FRAMING)
		return sb_diag_addr(d, err, f->addr,
				    "the frame for 0x%08X was sent %u times and never arrived intact: the line is too noisy at %u baud",
				    f->addr, LH_MAX_SENDS, s->h->baud);
	return sb_diag_set(d, err, "cannot send to the loader: %s", sb_strerror(err));
}

static int on_status(struct stream *s, const struct lh_frame *f, struct sb_diag *d)
{
	const uint8_t *st = f->data;
	long rx, dn;
	int err;

	if (f->type != LDRW_T_STATUS || f->len < LDRW_ST_LEN)
		return SB_OK;
	if (st[LDRW_ST_ERR])
		return failed(s, st, d);
	s->h->line_errs = (unsigned)(st[LDRW_ST_LINE_ERRS] | st[LDRW_ST_LINE_ERRS + 1] << 8);
	rx = index_of(s, st[LDRW_ST_RX_NEXT]);
	dn = index_of(s, st[LDRW_ST_DONE_NEXT]);
	if (dn > (long)s->done) {
		for (size_t i = s->done; i < (size_t)dn; i++)
			s->bytes += s->fr[i].cmd == LDRW_CMD_WRITE ? s->fr[i].len : 0;
		s->done = (size_t)dn;
		s->quiet = s->stall = 0;
		if (s->h->o.progress)
			s->h->o.progress(s->h->o.progress_ctx, s->bytes, s->total);
	}
	if (rx > (long)s->acked) {
		s->acked = (size_t)rx;
		s->quiet = 0;
	}
	if (s->acked < s->done)
		s->acked = s->done;
	/* frames were lost or found no buffer: send those again */
	s->quiet = 0;   /* it answers: only a loader that says nothing is lost */
	if (rx >= 0 && (st[LDRW_ST_FLAGS] & (LDRW_SF_NAK | LDRW_SF_FULL)) && (size_t)rx < s->next &&
	    (err = resend_missing(s, rx, lh_get32(st + LDRW_ST_HAVE), st[LDRW_ST_FLAGS] & LDRW_SF_DAMAGED)))
		return too_noisy(s, err, d);
	return SB_OK;
}

/* Everything that has arrived, without waiting. */
static int take_news(struct stream *s, struct sb_diag *d)
{
	for (unsigned k = 0; k < 256; k++) {
		int err = lh_recv(s->h, &s->h->rx, 0);

		if (err == SB_ERR_TIMEOUT)
			return SB_OK;
		if (err == SB_ERR_FRAMING)
			continue;
		if (err)
			return sb_diag_set(d, err, "loader: %s", sb_strerror(err));
		if ((err = on_status(s, &s->h->rx, d)))
			return err;
	}
	return SB_OK;
}

static int fill_window(struct stream *s, size_t window, struct sb_diag *d)
{
	while (s->next < s->n && s->next - s->done < window) {
		int err = send_frame(s, s->next);

		if (err)
			return sb_diag_set(d, err, "cannot send to the loader: %s", sb_strerror(err));
		s->next++;
		if ((err = take_news(s, d)))
			return err;
	}
	return SB_OK;
}

/* Nothing heard for a while: resend what was not taken, or probe. */
static int quiet(struct stream *s, struct sb_diag *d)
{
	const struct lh_fr *f = &s->fr[s->done];
	int err;

	if (++s->quiet > s->h->o.retries)
		return sb_diag_addr(d, SB_ERR_TIMEOUT, f->addr,
				    "the loader stopped answering during %s 0x%08X (%u resends at %u baud)",
				    f->cmd == LDRW_CMD_ERASE ? "the erase of page" : "the write at",
				    f->addr, s->h->o.retries, s->h->baud);
	if (++s->stall > 3 * s->h->o.retries)
		return sb_diag_addr(d, SB_ERR_TIMEOUT, f->addr,
				    "the loader answers but does not finish %s 0x%08X",
				    f->cmd == LDRW_CMD_ERASE ? "the erase of page" : "the write at", f->addr);
	s->h->n.resends++;
	sb_logf(&s->h->log, SB_LOG_DEBUG, "loader: quiet at frame %zu of %zu (%zu taken, %zu sent), sending again",
		s->done, s->n, s->acked, s->next);
	/* A frame that lost a byte leaves the loader waiting for one more: a
	 * frame's worth of zeros (no start byte) ends it, so that the copy
	 * sent next is not swallowed too. */
	if (s->acked < s->next && (err = lh_send_raw(s->h, 0, LDRW_MAX_PAYLOAD + LDRW_OVERHEAD)))
		return too_noisy(s, err, d);
	return (err = resend(s, s->acked < s->next ? s->acked : s->done, true)) ? too_noisy(s, err, d) : SB_OK;
}

/*
 * How long silence may last before something is resent. The loader
 * answers every frame it takes and every operation it finishes, so news
 * comes at least once a frame time; more only while it works on an
 * operation it took (a page erase: 25-40 ms).
 */
static unsigned quiet_wait(const struct stream *s)
{
	const struct lh *h = s->h;
	uint64_t now = lh_now(h);
	unsigned frames = 2 * lh_frame_ms(h, LDRW_MAX_PAYLOAD);

	/* and what is still queued on the line ahead of the answer */
	if (h->o.now_ms && h->line_free > now)
		frames += (unsigned)(h->line_free - now);

	if (s->done < s->acked)
		return h->o.t.quiet_ms + frames;
	return h->o.t.resp_ms + frames;
}

static int run(struct stream *s, struct sb_diag *d)
{
	struct lh *h = s->h;
	size_t window = h->o.window ? h->o.window : h->info.nslots;
	unsigned damaged = 0;
	int err;

	if (window > h->info.nslots)
		window = h->info.nslots;
	if (window > 64)
		window = 64;   /* SEQ is 8 bits: keep far below half its range */
	while (s->done < s->n) {
		if ((err = fill_window(s, window, d)))
			return err;
		if (s->done == s->n)
			break;
		err = lh_recv(h, &h->rx, quiet_wait(s));
		if (err == SB_OK) {
			damaged = 0;
			if ((err = on_status(s, &h->rx, d)))
				return err;
		} else if (err == SB_ERR_FRAMING) {
			if (++damaged > 64)
				return sb_diag_set(d, SB_ERR_FRAMING, "only damaged frames from the loader");
		} else if (err != SB_ERR_TIMEOUT) {
			return sb_diag_set(d, err, "loader: %s", sb_strerror(err));
		} else if ((err = quiet(s, d))) {
			return err;
		}
	}
	return SB_OK;
}

int lh_program(struct lh *h, const struct lh_op *ops, size_t n, struct sb_diag *d)
{
	struct stream s = { .h = h, .s0 = h->seq };
	int err = check_ops(h, ops, n, &s.n, d);

	if (err || !s.n)
		return err;
	if (!(s.fr = calloc(s.n, sizeof(*s.fr))))
		return SB_ERR_NOMEM;
	make_frames(h, ops, n, &s);
	err = run(&s, d);
	h->seq = (uint8_t)(s.s0 + (err ? s.acked : s.n));
	free(s.fr);
	return err;
}
