/* SPDX-License-Identifier: MIT */
/*
 * an3155_fast.c - `an3155 write --fast`: upload the RAM loader (stub/) with
 * the ROM's Write Memory, start it with Go, and run the write plan through
 * it (protocols/ldrhost.h): a higher baud rate, erase and write streamed
 * while the flash works, pages whose CRC already matches left alone, and
 * the verify as CRCs computed on the part.
 *
 * Whatever fails before the loader has touched the flash (upload, Go,
 * HELLO, a geometry that does not match, a baud rate the line cannot
 * carry) ends in a message and the ROM protocol, never in a failed job.
 * After that, a failure is the job's error, and the final verify is a CRC
 * over everything the image covers, so a loader mistake cannot pass as
 * success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an3155_tool.h"
#include "ldrhost.h"
#include "stub_blob.h"

/* The loader drives the L4R5's registers (RM0432): nothing else runs it. */
#define LOADER_PID 0x470

struct fast {
	struct a3_session *s;
	struct a3_fast_result *r;
	struct lh *h;
	struct lh_info info;
	unsigned baud;           /* line rate now */
	bool started;            /* Go was sent: the ROM is not listening any more */
};

static struct cli *cli_of(const struct fast *f)
{
	return &f->s->c->cli;
}

static void event(struct fast *f, const char *state, const char *detail)
{
	char esc[1024];

	cli_event(cli_of(f), "loader", "\"state\":\"%s\",\"detail\":\"%s\"", state,
		  cli_json_str(esc, sizeof(esc), detail));
}

/* Host back to the rate the ROM autobauded to (the ROM needs it after a reset). */
static void host_baud_back(struct fast *f)
{
	const struct sb_link *l = &f->s->link;

	if (f->baud != f->s->c->baud && l->ops->set_baud && l->ops->set_baud(l->h, f->s->c->baud) == SB_OK)
		f->baud = f->s->c->baud;
}

/*
 * Not through the loader after all. If Go was sent, the ROM must come
 * back: the loader resets the part itself when it finds no line (contract,
 * uncertain fact 1), a loader that runs but is not understood is reset by
 * the reset lines when they are wired (an3155_reconnect's hook). Nothing
 * but 0x7F goes to the part first: the ROM takes its baud rate from the
 * first byte it sees (protocol-facts A.1).
 */
static int fall_back(struct fast *f, const char *why)
{
	struct sb_diag d = { 0 };
	int err;

	cli_warn(cli_of(f), "--fast: %s; continuing over the ROM protocol", why);
	event(f, "fallback", why);
	if (!f->started)
		return SB_OK;
	host_baud_back(f);
	if ((err = an3155_reconnect(f->s->bl, &d)))
		return sb_diag_set(&f->s->d, err,
				   "%s, and the ROM loader does not answer its 0x7F either (%s): reset the part with BOOT0 high (or wire --nrst) and run again without --fast",
				   why, d.msg);
	return SB_OK;
}

/* ---- start ------------------------------------------------------------------ */

/* The image, its CRC-32 behind it (the loader checks itself, stub/start.c),
 * padded to the part's write unit. */
static int upload(struct fast *f)
{
	struct a3_session *s = f->s;
	unsigned unit = s->geom.write_unit ? s->geom.write_unit : 8;
	size_t n = sb_stub_len + 4, span;
	uint32_t start;
	uint8_t *raw = malloc(n), *buf;
	int err;

	if (!raw)
		return SB_ERR_NOMEM;
	memcpy(raw, sb_stub_image, sb_stub_len);
	uint32_t crc = lh_crc32(0, sb_stub_image, sb_stub_len);
	for (int i = 0; i < 4; i++)
		raw[sb_stub_len + i] = (uint8_t)(crc >> (8 * i));
	span = an3155_align_span(unit, sb_stub_addr, n, &start);
	if (!(buf = malloc(span))) {
		free(raw);
		return SB_ERR_NOMEM;
	}
	an3155_align_copy(unit, sb_stub_addr, raw, n, buf);
	/* RAM, unlike flash, takes a block again: a block the engine could not
	 * confirm (lost ACK, data that differs on read-back) is no loss here */
	for (int tries = 0; tries < 3; tries++) {
		a3_phase_begin(s, "load", span);
		err = an3155_write(s->bl, start, buf, span, &s->d);
		a3_phase_end(s);
		if (err != SB_ERR_VERIFY && err != SB_ERR_FRAMING)
			break;
		cli_info(cli_of(f), "loader upload: %s; uploading again", s->d.msg);
	}
	f->r->upload_bytes = span;
	free(raw);
	free(buf);
	return err;
}

static bool link_err(int err)
{
	return err == SB_ERR_IO || err == SB_ERR_NO_DEVICE || err == SB_ERR_NOMEM;
}

static uint64_t now_ms(void *ctx)
{
	(void)ctx;
	return cli_now_ms();
}

static void on_write(void *ctx, uint64_t done, uint64_t total)
{
	struct fast *f = ctx;

	cli_progress(cli_of(f), "write", done, total);
}

static int new_engine(struct fast *f)
{
	struct lh_opts o;

	lh_default_opts(&o);
	o.baud = f->s->c->baud;
	o.now_ms = now_ms;
	o.progress = on_write;
	o.progress_ctx = f;
	return lh_new(&f->h, &f->s->link, &f->s->c->cli.log, &o);
}

/*
 * HELLO, or else: the ROM (0x7F first), or else a loader whose HELLO was
 * damaged (it answers IDENTIFY). 1: fall back, the ROM answers.
 */
static int greet(struct fast *f)
{
	struct a3_session *s = f->s;
	struct sb_diag d = { 0 };
	int err = lh_hello(f->h, &f->info, &d);

	if (err == SB_OK)
		return SB_OK;
	sb_logf(&s->c->cli.log, SB_LOG_INFO, "loader: %s", d.msg);
	if (an3155_reconnect(s->bl, &s->d) == SB_OK) {
		f->started = false;   /* the ROM is back: the loader reset the part */
		fall_back(f, "the loader did not start (no HELLO; the part reset into its ROM loader)");
		return 1;
	}
	if (lh_identify(f->h, &f->info, &d) == SB_OK)
		return SB_OK;
	f->started = false;   /* nothing answers: there is nothing to fall back to */
	return sb_diag_set(&s->d, SB_ERR_TIMEOUT,
			   "--fast: the loader did not answer after Go (%s) and the ROM loader does not answer its 0x7F either: reset the part with BOOT0 high (or wire --nrst) and run again without --fast",
			   d.msg);
}

/* The loader reads the geometry from the part (FLASH_OPTR, flash size
 * register); the plan was made with the ROM session's. They must agree. */
/* Who sums the flash on the part (ldr_crc_unit_init): its CRC unit, or the loader's tables. */
static const char *crc_by(const struct fast *f)
{
	return f->info.crc_unit ? "by the CRC unit" : "in software";
}

static bool same_geometry(const struct fast *f, char *why, size_t len)
{
	const struct sb_geom *g = &f->s->geom;
	const struct lh_info *i = &f->info;

	if (i->flash_base == g->base && i->flash_size == g->size && g->nruns &&
	    i->page_size == g->run[0].size && i->bank2 == g->bank2)
		return true;
	snprintf(why, len, "the loader sees %u KB at 0x%08X in %u-byte pages (bank 2 at 0x%08X), the ROM session planned %u KB in %u-byte pages (bank 2 at 0x%08X)",
		 i->flash_size / 1024, i->flash_base, i->page_size, i->bank2, g->size / 1024,
		 g->nruns ? g->run[0].size : 0, g->bank2);
	return false;
}

static int start(struct fast *f)
{
	struct a3_session *s = f->s;
	char why[400];
	int err;

	if ((err = upload(f))) {
		if (link_err(err))
			return err;
		snprintf(why, sizeof(why), "the loader upload failed (%s)", s->d.msg);
		return (err = fall_back(f, why)) ? err : 1;
	}
	err = an3155_go(s->bl, sb_stub_addr, &s->d);
	if (err == SB_ERR_NACK || link_err(err)) {
		if (link_err(err))
			return err;
		snprintf(why, sizeof(why), "Go to the loader was refused (%s)", s->d.msg);
		return (err = fall_back(f, why)) ? err : 1;
	}
	f->started = true;   /* also after a lost final ACK of Go: the loader may run */
	if ((err = new_engine(f)))
		return err;
	if ((err = greet(f)))
		return err;
	cli_info(cli_of(f), "loader: %zu bytes at 0x%08X running, on USART%u (BRR 0x%X), CRCs %s", sb_stub_len,
		 sb_stub_addr, f->info.usart, f->info.brr, crc_by(f));
	snprintf(why, sizeof(why), "USART%u, %u-byte pages, %u buffers, CRCs %s", f->info.usart,
		 f->info.page_size, f->info.nslots, crc_by(f));
	event(f, "started", why);
	if (!same_geometry(f, why, sizeof(why))) {
		lh_reset(f->h, NULL);
		return (err = fall_back(f, why)) ? err : 1;
	}
	return SB_OK;
}

/* --fast-baud: a failed change is no failure, the old rate stays. */
static int raise_baud(struct fast *f)
{
	struct a3_config *c = f->s->c;
	struct sb_diag d = { 0 };
	unsigned now = 0, actual = 0;
	char msg[sizeof(d.msg) + 64];
	int err;

	if (!c->fast_baud || c->fast_baud == f->baud)
		return SB_OK;
	err = lh_set_baud(f->h, c->fast_baud, &now, &actual, &d);
	if (now)
		f->baud = now;
	if (err == SB_OK) {
		cli_info(cli_of(f), "loader: now %u baud (the part's new BRR gives about %u)", now, actual);
		snprintf(msg, sizeof(msg), "%u", now);
		event(f, "baud", msg);
		return SB_OK;
	}
	if (!now)
		return sb_diag_set(&f->s->d, SB_ERR_TIMEOUT, "--fast-baud %u: %s", c->fast_baud, d.msg);
	cli_warn(cli_of(f), "--fast-baud %u: %s; staying at %u baud", c->fast_baud, d.msg, now);
	snprintf(msg, sizeof(msg), "%u baud failed, staying at %u: %s", c->fast_baud, now, d.msg);
	event(f, "baud-failed", msg);
	return SB_OK;
}

/* ---- delta: which pages already hold what the write would leave there ------- */

/* The page as the ROM path leaves it: erased, then the image's bytes. */
static void expected_page(const struct sb_plan *p, uint32_t addr, uint32_t size, uint8_t *buf)
{
	memset(buf, 0xFF, size);
	for (size_t i = 0; i < p->nseg; i++) {
		const struct sb_segment *sg = &p->seg[i];
		uint32_t a = sg->addr > addr ? sg->addr : addr;
		uint32_t e = sg->addr + sg->len < addr + size ? sg->addr + sg->len : addr + size;
		if (a < e)
			memcpy(buf + (a - addr), sg->data + (a - sg->addr), e - a);
	}
}

/* The part's CRC of n ranges, compared with the expected pages: same[i] for
 * the ranges whose CRC matches. Only ranges with same[i] already true count. */
static int compare_crcs(struct fast *f, const struct sb_plan *p, const uint32_t *addr,
			const uint32_t *len, const uint32_t *page_len, size_t n, bool *same)
{
	uint32_t *a = calloc(n, sizeof(*a)), *l = calloc(n, sizeof(*l)), *crc = calloc(n, sizeof(*crc));
	size_t *idx = calloc(n, sizeof(*idx)), k = 0;
	uint32_t max = 0;
	uint8_t *page = NULL;
	int err = SB_ERR_NOMEM;

	for (size_t i = 0; a && l && idx && i < n; i++) {
		max = page_len[i] > max ? page_len[i] : max;
		if (same[i]) {
			a[k] = addr[i];
			l[k] = len[i];
			idx[k++] = i;
		}
	}
	if (a && l && crc && idx && (page = malloc(max ? max : 1)))
		err = k ? lh_crc(f->h, a, l, k, crc, &f->s->d) : SB_OK;
	for (size_t j = 0; !err && j < k; j++) {
		size_t i = idx[j];
		expected_page(p, addr[i], page_len[i], page);
		same[i] = crc[j] == lh_crc32(0, page, len[i]);
	}
	free(a);
	free(l);
	free(crc);
	free(idx);
	free(page);
	return err;
}

/*
 * First the CRC of each page's first 256 bytes: where the image changes a
 * page there, reading the rest of it is saved (an image on a blank or a
 * different part differs at once); then whole pages for those that agree.
 */
static int find_unchanged(struct fast *f, const struct sb_plan *p, bool *same)
{
	size_t n = p->npages;
	uint32_t *addr = calloc(n, sizeof(*addr)), *len = calloc(n, sizeof(*len));
	uint32_t *head = calloc(n, sizeof(*head));
	int err = addr && len && head ? SB_OK : SB_ERR_NOMEM;

	for (size_t i = 0; !err && i < n; i++) {
		sb_geom_page_addr(&f->s->geom, p->pages[i], &addr[i], &len[i]);
		head[i] = len[i] < 256 ? len[i] : 256;
		same[i] = true;
	}
	if (!err)
		err = compare_crcs(f, p, addr, head, len, n, same);
	if (!err)
		err = compare_crcs(f, p, addr, len, len, n, same);
	free(addr);
	free(len);
	free(head);
	return err;
}

/* ---- the operations -------------------------------------------------------------- */

struct ops {
	struct lh_op *op;
	size_t n, cap;
	uint64_t bytes;
};

static int add_op(struct ops *o, struct lh_op op)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct lh_op *q = realloc(o->op, cap * sizeof(*q));
		if (!q)
			return SB_ERR_NOMEM;
		o->op = q;
		o->cap = cap;
	}
	if (op.kind == LH_WRITE)
		o->bytes += op.len;
	o->op[o->n++] = op;
	return SB_OK;
}

/* The segments' bytes in [lo, hi) as writes. */
static int add_writes(struct ops *o, const struct sb_plan *p, uint32_t lo, uint64_t hi, bool skip)
{
	int err = SB_OK;

	for (size_t i = 0; i < p->nseg && !err; i++) {
		const struct sb_segment *sg = &p->seg[i];
		uint32_t a = sg->addr > lo ? sg->addr : lo;
		uint64_t e = (uint64_t)sg->addr + sg->len < hi ? (uint64_t)sg->addr + sg->len : hi;
		if (a < e)
			err = add_op(o, (struct lh_op){ .kind = LH_WRITE, .addr = a, .len = (uint32_t)(e - a),
							.data = sg->data + (a - sg->addr), .skip_erased = skip });
	}
	return err;
}

/* Erase each changed page, then write it, page after page: the erase of
 * one page runs while the data of the one before is still arriving. */
static int build_ops(struct fast *f, const struct sb_plan *p, const bool *same, struct ops *o)
{
	bool skip = !f->s->c->job.keep_erased_blocks;
	uint32_t addr, size;
	int err = SB_OK;

	if (!p->npages)
		return add_writes(o, p, 0, UINT64_MAX, skip);
	for (size_t i = 0; i < p->npages && !err; i++) {
		if (same[i])
			continue;
		sb_geom_page_addr(&f->s->geom, p->pages[i], &addr, &size);
		err = add_op(o, (struct lh_op){ .kind = LH_ERASE, .addr = addr, .len = size });
		if (!err)
			err = add_writes(o, p, addr, (uint64_t)addr + size, skip);
		f->r->erased_pages++;
	}
	return err;
}

/* Pages whose CRC already matches stay as they are; the rest is erased and
 * written. The writes are kept in o for the verify. */
static int program(struct fast *f, const struct sb_plan *p, struct ops *o)
{
	bool *same = calloc(p->npages ? p->npages : 1, sizeof(*same));
	char msg[128];
	int err = same ? SB_OK : SB_ERR_NOMEM;

	if (!err && p->npages && (err = find_unchanged(f, p, same)) == SB_OK) {
		for (size_t i = 0; i < p->npages; i++)
			f->r->unchanged_pages += same[i];
		snprintf(msg, sizeof(msg), "%zu of %zu page(s) unchanged", f->r->unchanged_pages, p->npages);
		cli_info(cli_of(f), "loader: %s: not erased, not written", msg);
		event(f, "delta", msg);
	}
	if (!err)
		err = build_ops(f, p, same, o);
	if (!err) {
		f->r->written_bytes = o->bytes;
		a3_phase_begin(f->s, "write", o->bytes);
		err = lh_program(f->h, o->op, o->n, &f->s->d);
		a3_phase_end(f->s);
	}
	free(same);
	return err;
}

/* ---- verify: CRC on the part; a mismatch is located --------------------------- */

/* The first differing byte of a range whose CRC differs. */
static int locate(struct fast *f, const struct lh_op *w)
{
	uint32_t chunk = f->info.data_max;
	uint8_t *buf = malloc(chunk);
	int err = SB_OK;

	if (!buf)
		return SB_ERR_NOMEM;
	for (uint32_t off = 0; off < w->len && !err; off += chunk) {
		uint32_t k = w->len - off < chunk ? w->len - off : chunk, a = w->addr + off;
		uint32_t crc;
		if ((err = lh_crc(f->h, &a, &k, 1, &crc, &f->s->d)) || crc == lh_crc32(0, w->data + off, k))
			continue;
		if ((err = lh_read(f->h, a, buf, k, &f->s->d)))
			break;
		for (uint32_t i = 0; i < k; i++)
			if (buf[i] != w->data[off + i]) {
				free(buf);
				return sb_diag_addr(&f->s->d, SB_ERR_VERIFY, a + i,
						    "verify: 0x%08X holds 0x%02X, the image 0x%02X (CRC computed by the loader on the part)",
						    a + i, buf[i], w->data[off + i]);
			}
	}
	free(buf);
	if (!err)
		err = sb_diag_addr(&f->s->d, SB_ERR_VERIFY, w->addr,
				   "verify: the CRC of 0x%08X-0x%08X differs from the image, but no byte read back does: the line garbles reads",
				   w->addr, w->addr + w->len - 1);
	return err;
}

/*
 * Everything written, by CRC on the part. The pages found unchanged were
 * checked by the same kind of CRC over the whole page in this job (expected
 * content: the image over erased flash) and not touched since.
 */
static int verify(struct fast *f, const struct ops *o)
{
	uint32_t *addr = calloc(o->n + 1, sizeof(*addr)), *len = calloc(o->n + 1, sizeof(*len));
	uint32_t *crc = calloc(o->n + 1, sizeof(*crc));
	const struct lh_op **w = calloc(o->n + 1, sizeof(*w));
	size_t n = 0;
	int err = addr && len && crc && w ? SB_OK : SB_ERR_NOMEM;

	for (size_t i = 0; !err && i < o->n; i++)
		if (o->op[i].kind == LH_WRITE) {
			w[n] = &o->op[i];
			addr[n] = o->op[i].addr;
			len[n++] = o->op[i].len;
		}
	a3_phase_begin(f->s, "verify", o->bytes);
	if (!err && n)
		err = lh_crc(f->h, addr, len, n, crc, &f->s->d);
	for (size_t i = 0; !err && i < n; i++)
		if (crc[i] != lh_crc32(0, w[i]->data, w[i]->len))
			err = locate(f, w[i]);
	a3_phase_end(f->s);
	free(addr);
	free(len);
	free(crc);
	free(w);
	return err;
}

/* ---- leaving ------------------------------------------------------------------- */

/*
 * The loader resets the part; with BOOT0 high the ROM loader runs again,
 * as after a job over the ROM protocol. With --go the ROM's own Go starts
 * the application (the documented way, protocol-facts A.5), so the
 * session reconnects to it first.
 */
static int leave(struct fast *f, bool need_rom)
{
	struct sb_diag d = { 0 };

	if (lh_reset(f->h, &d))
		cli_warn(cli_of(f), "loader: no answer to reset (%s); the part may still run the loader: reset it (NRST) before the next job",
			 d.msg);
	host_baud_back(f);
	event(f, "reset", "the part resets into its ROM loader");
	return need_rom ? an3155_reconnect(f->s->bl, &f->s->d) : SB_OK;
}

static void count(struct fast *f)
{
	struct lh_counters n;

	lh_counters(f->h, &n);
	f->r->tx = n.tx;
	f->r->rx = n.rx;
	f->r->exchanges = n.exchanges;
	f->r->resends = n.resends;
	f->r->line_errs = n.line_errs;
}

static bool usable_part(struct fast *f, char *why, size_t len)
{
	struct a3_session *s = f->s;
	const struct an3155_info *i = an3155_info(s->bl);

	if (!i->has_pid || i->pid != LOADER_PID) {
		snprintf(why, len, "the loader runs on STM32L4R/L4S parts (PID 0x%03X), this is PID 0x%03X",
			 LOADER_PID, i->pid);
		return false;
	}
	if (!an3155_has(s->bl, AN3155_CMD_GO) || !an3155_has(s->bl, AN3155_CMD_WRITE)) {
		snprintf(why, len, "the ROM does not offer Write Memory and Go");
		return false;
	}
	return true;
}

static bool usable(struct fast *f, const struct sb_plan *p, char *why, size_t len)
{
	if (!usable_part(f, why, len))
		return false;
	if (!p->nseg) {
		snprintf(why, len, "nothing to write");
		return false;
	}
	return true;
}

/*
 * Start the loader, raise the baud, run job through it, and leave (the ROM
 * answers again afterwards when need_rom). SB_OK without r->used: it fell
 * back, the caller goes on over the ROM protocol.
 */
static int through_loader(struct fast *f, int (*job)(struct fast *f, void *arg), void *arg, bool need_rom)
{
	int err = start(f);

	if (err == 1 || (err == SB_OK && !f->h))
		err = SB_OK;
	else if (err == SB_OK) {
		f->r->used = true;
		if (!(err = raise_baud(f)))
			err = job(f, arg);
		f->r->baud = f->baud;
		if (!err)
			err = leave(f, need_rom);
		else
			leave(f, false);
		count(f);
	}
	lh_free(f->h);
	return err;
}

static int write_job(struct fast *f, void *arg)
{
	struct ops o = { 0 };
	int err = program(f, arg, &o);

	if (!err && f->s->c->job.verify)
		err = verify(f, &o);
	free(o.op);
	return err;
}

int a3_fast_write(struct a3_session *s, struct sb_plan *p, struct a3_fast_result *r)
{
	struct fast f = { .s = s, .r = r, .baud = s->c->baud };
	char why[200];
	int err;

	memset(r, 0, sizeof(*r));
	if (!usable(&f, p, why, sizeof(why)))
		return fall_back(&f, why);
	/* a mass erase is the ROM's (one command); the loader only writes then */
	if (p->mass_erase) {
		if ((err = a3_erase_all(s)))
			return err;
		p->mass_erase = false;   /* done: a fallback must not erase again */
		r->mass_erased = true;
	}
	return through_loader(&f, write_job, p, s->c->go);
}

/* ---- read --fast ------------------------------------------------------------- */

struct read_args {
	uint32_t addr, len;
	uint8_t *buf;
};

/* Frames of data_max bytes, lock-step, progress every 16 KB. */
static int read_job(struct fast *f, void *arg)
{
	const struct read_args *a = arg;
	uint32_t addr = a->addr, len = a->len;
	uint8_t *buf = a->buf;
	struct a3_session *s = f->s;
	int err = SB_OK;

	a3_phase_begin(s, "read", len);
	for (uint32_t done = 0; done < len && !err;) {
		uint32_t k = len - done < 16384u ? len - done : 16384u;

		err = lh_read(f->h, addr + done, buf + done, k, &s->d);
		done += err ? 0 : k;
		cli_phase_report(&s->c->cli, &s->phase, done);
	}
	a3_phase_end(s);
	return err;
}

int a3_fast_read(struct a3_session *s, uint32_t addr, uint8_t *buf, uint32_t len, struct a3_fast_result *r)
{
	struct fast f = { .s = s, .r = r, .baud = s->c->baud };
	const struct sb_geom *g = &s->geom;
	char why[200];

	memset(r, 0, sizeof(*r));
	if (!usable_part(&f, why, sizeof(why)))
		return fall_back(&f, why);
	/* the loader reads flash only (stub/ldr_cmd.c in_flash) */
	if (!s->have_geom || addr < g->base || (uint64_t)addr + len > (uint64_t)g->base + g->size) {
		snprintf(why, sizeof(why), "the loader reads flash only, and 0x%08X+%u is not all flash", addr, len);
		return fall_back(&f, why);
	}
	return through_loader(&f, read_job, &(struct read_args){ addr, len, buf }, false);
}
