/* SPDX-License-Identifier: MIT */
/*
 * ldrhost.c - host engine for the RAM loader protocol: frames, commands,
 * baud change. The streamed flash operations are in ldrhost_stream.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc.h"
#include "ldr_wire.h"
#include "ldrhost_priv.h"

/* ---- little helpers --------------------------------------------------------- */

uint32_t lh_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void lh_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

uint32_t lh_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	return ~sb_crc_jam(~crc, p, n);
}

uint64_t lh_now(const struct lh *h)
{
	return h->o.now_ms ? h->o.now_ms(h->o.now_ctx) : 0;
}

/* Milliseconds left until end; without a clock every wait is its full length. */
static unsigned left_ms(const struct lh *h, uint64_t end, unsigned full)
{
	uint64_t t;

	if (!h->o.now_ms)
		return full;
	t = lh_now(h);
	return t >= end ? 0 : (unsigned)(end - t);
}

/* Wire time of a frame with len payload bytes: 11 bit-times a byte (8E1). */
unsigned lh_frame_ms(const struct lh *h, size_t len)
{
	return (unsigned)((len + LDRW_OVERHEAD) * 11u * 1000u / h->baud) + 1u;
}

void lh_default_opts(struct lh_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->t = (struct lh_timeouts){
		.hello_ms = 1000, .resp_ms = 500, .quiet_ms = 1000, .crc_ms_per_mb = 4000,
		.confirm_ms = 200,
	};
	o->baud = 115200;
	o->retries = 5;
}

int lh_new(struct lh **out, const struct sb_link *link, const struct sb_log *log,
	   const struct lh_opts *opts)
{
	struct lh *h = calloc(1, sizeof(*h));

	if (!h)
		return SB_ERR_NOMEM;
	h->link = *link;
	if (log)
		h->log = *log;
	if (opts)
		h->o = *opts;
	else
		lh_default_opts(&h->o);
	h->baud = h->o.baud ? h->o.baud : 115200;
	*out = h;
	return SB_OK;
}

void lh_free(struct lh *h)
{
	free(h);
}

void lh_counters(const struct lh *h, struct lh_counters *c)
{
	*c = h->n;
	c->line_errs = h->line_errs;
}

/* ---- frames ------------------------------------------------------------------ */

int lh_send(struct lh *h, uint8_t cmd, uint8_t seq, const uint8_t *a, size_t na,
	    const uint8_t *b, size_t nb)
{
	size_t len = na + nb, n = 0;
	uint8_t *t = h->tx;
	int err;

	t[n++] = LDRW_SOF_HOST;
	t[n++] = (uint8_t)len;
	t[n++] = (uint8_t)(len >> 8);
	t[n++] = seq;
	t[n++] = cmd;
	t[n++] = (uint8_t)(0xFF ^ t[0] ^ t[1] ^ t[2] ^ t[3] ^ t[4]);
	if (na)
		memcpy(t + n, a, na);
	n += na;
	if (nb)
		memcpy(t + n, b, nb);
	n += nb;
	lh_put32(t + n, lh_crc32(0, t + 1, n - 1));
	n += 4;
	sb_log_hex(&h->log, "loader tx", t, n);
	err = h->link.ops->write(h->link.h, t, n, 2 * lh_frame_ms(h, len) + 1000);
	if (err == SB_OK) {
		uint64_t now = lh_now(h);
		h->n.tx += n;
		/* the line is a queue: this frame leaves after what is ahead of it */
		h->line_free = (h->line_free > now ? h->line_free : now) + lh_frame_ms(h, len);
	}
	return err;
}

int lh_send_raw(struct lh *h, uint8_t b, size_t n)
{
	uint8_t *t = h->tx;
	uint64_t now = lh_now(h);
	int err;

	if (n > sizeof(h->tx))
		n = sizeof(h->tx);
	memset(t, b, n);
	err = h->link.ops->write(h->link.h, t, n, 2 * lh_frame_ms(h, n) + 1000);
	if (err == SB_OK) {
		h->n.tx += n;
		h->line_free = (h->line_free > now ? h->line_free : now) + lh_frame_ms(h, n);
	}
	return err;
}

static int read_n(struct lh *h, uint8_t *buf, size_t n, unsigned ms)
{
	int r = h->link.ops->read(h->link.h, buf, n, ms);

	if (r > 0) {
		h->n.rx += (uint64_t)r;
		sb_log_hex(&h->log, "loader rx", buf, (size_t)r);
	}
	return r;
}

static bool header_ok(const uint8_t *hd)
{
	uint8_t x = 0xFF;

	for (int i = 0; i < 5; i++)
		x ^= hd[i];
	return x == hd[5] && (unsigned)(hd[1] | hd[2] << 8) <= LDRW_MAX_PAYLOAD;
}

/* The rest of a frame whose start byte arrived: SB_ERR_FRAMING if damaged. */
static int frame_rest(struct lh *h, uint8_t *hd, struct lh_frame *f)
{
	uint8_t cb[4];
	unsigned len;
	int r;

	r = read_n(h, hd + 1, LDRW_HDR - 1, lh_frame_ms(h, 0) + 200);
	if (r < 0)
		return r;
	if (r < (int)LDRW_HDR - 1 || !header_ok(hd))
		return SB_ERR_FRAMING;
	len = (unsigned)(hd[1] | hd[2] << 8);
	r = len ? read_n(h, f->data, len, lh_frame_ms(h, len) + 200) : 0;
	if (r < 0)
		return r;
	if (r < (int)len)
		return SB_ERR_FRAMING;
	r = read_n(h, cb, 4, lh_frame_ms(h, 0) + 200);
	if (r < 0)
		return r;
	if (r < 4 || lh_get32(cb) != lh_crc32(lh_crc32(0, hd + 1, LDRW_HDR - 1), f->data, len))
		return SB_ERR_FRAMING;
	f->seq = hd[3];
	f->type = hd[4];
	f->len = (uint16_t)len;
	return SB_OK;
}

/*
 * Next frame from the loader, waiting up to wait_ms for its start byte
 * (0: only what has arrived). Bytes that are no start byte are skipped;
 * SB_ERR_FRAMING for a damaged frame, SB_ERR_TIMEOUT for none.
 */
int lh_recv(struct lh *h, struct lh_frame *f, unsigned wait_ms)
{
	uint64_t end = lh_now(h) + wait_ms;
	uint8_t hd[LDRW_HDR];

	for (unsigned junk = 0; junk < 65536u; junk++) {
		int r = read_n(h, hd, 1, left_ms(h, end, wait_ms));

		if (r < 0)
			return r;
		if (r == 0)
			return SB_ERR_TIMEOUT;
		if (hd[0] == LDRW_SOF_DEV)
			return frame_rest(h, hd, f);
	}
	return SB_ERR_FRAMING;
}

/* ---- errors the loader reports ------------------------------------------------- */

/* FLASH_SR error bits (RM0432 §3.7.5, protocol-facts E.2/E.3). */
static const struct {
	uint32_t bit;
	const char *name, *why;
} sr_bits[] = {
	{ 1u << 1, "OPERR", "operation error" },
	{ 1u << 3, "PROGERR", "double-word not erased" },
	{ 1u << 4, "WRPERR", "write-protected area" },
	{ 1u << 5, "PGAERR", "misaligned programming" },
	{ 1u << 6, "SIZERR", "wrong access size" },
	{ 1u << 7, "PGSERR", "programming sequence error" },
	{ 1u << 8, "MISERR", "fast programming data miss" },
	{ 1u << 9, "FASTERR", "fast programming error" },
	{ 1u << 14, "RDERR", "PCROP read error" },
	{ 1u << 15, "OPTVERR", "option validity error" },
};

static void sr_names(uint32_t sr, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(sr_bits) / sizeof(sr_bits[0]) && n < len; i++)
		if (sr & sr_bits[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s (%s)", n ? ", " : "",
					      sr_bits[i].name, sr_bits[i].why);
	if (!n)
		snprintf(buf, len, "no error bit set");
}

int lh_status_err(uint8_t st, uint32_t addr, uint32_t detail, const char *what, struct sb_diag *d)
{
	char bits[256];

	switch (st) {
	case LDRW_E_FLASH:
		sr_names(detail, bits, sizeof(bits));
		return sb_diag_addr(d, (detail & (1u << 4)) ? SB_ERR_PROTECTED : SB_ERR_NACK, addr,
				    "%s at 0x%08X failed: FLASH_SR error bits 0x%04X: %s", what, addr, detail, bits);
	case LDRW_E_ADDR:
		return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr, "%s: 0x%08X is outside the flash the loader sees", what, addr);
	case LDRW_E_ALIGN:
		return sb_diag_addr(d, SB_ERR_BAD_INPUT, addr, "%s: 0x%08X is not on a %u-byte boundary", what, addr, detail);
	case LDRW_E_LOCKED:
		return sb_diag_set(d, SB_ERR_STATE, "%s: FLASH_CR stays locked (0x%08X) after the key sequence: reset the part", what, detail);
	case LDRW_E_LEN:
		return sb_diag_set(d, SB_ERR_STATE, "%s: the loader refused the length", what);
	case LDRW_E_CMD:
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "%s: the loader does not know the command", what);
	case LDRW_E_BAUD:
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "%s: the loader's USART clock cannot make that rate (it would need USARTDIV %u)", what, detail);
	default:
		return sb_diag_set(d, SB_ERR_STATE, "%s: the loader answered status %u", what, st);
	}
}

/* ---- commands ---------------------------------------------------------------- */

/*
 * Send a non-queued command and wait for its RESP (same SEQ), resending on
 * silence or damage. A STATUS with NAK naming another SEQ means the loader
 * expects that one (a frame of ours was lost earlier): the command goes
 * again under that SEQ - every non-queued command may run twice.
 */
int lh_command(struct lh *h, uint8_t cmd, const uint8_t *p, size_t n, unsigned extra_ms,
	       unsigned tries, struct lh_frame *f, const char *what, struct sb_diag *d)
{
	unsigned wait = h->o.t.resp_ms + lh_frame_ms(h, n) + lh_frame_ms(h, LDRW_MAX_PAYLOAD) + extra_ms;
	int err = SB_ERR_TIMEOUT;

	for (unsigned t = 0, resequenced = 0; t < tries;) {
		bool again = false;

		if ((err = lh_send(h, cmd, h->seq, p, n, NULL, 0)))
			return sb_diag_set(d, err, "%s: cannot send to the loader: %s", what, sb_strerror(err));
		for (unsigned k = 0; k < 64; k++) {
			err = lh_recv(h, f, wait);
			if (err == SB_ERR_TIMEOUT || err == SB_ERR_FRAMING)
				break;
			if (err)
				return sb_diag_set(d, err, "%s: %s", what, sb_strerror(err));
			if (f->type == LDRW_T_RESP && f->seq == h->seq && f->len >= LDRW_RESP_HDR) {
				h->seq++;
				h->n.exchanges++;
				if (f->data[0] != LDRW_OK)
					return lh_status_err(f->data[0], 0, f->len >= 8 ? lh_get32(f->data + 4) : 0, what, d);
				return SB_OK;
			}
			if (f->type == LDRW_T_STATUS && f->len >= LDRW_ST_LEN &&
			    (f->data[LDRW_ST_FLAGS] & LDRW_SF_NAK) && f->data[LDRW_ST_RX_NEXT] != h->seq) {
				/* the loader did not take the frame: sending it again under
				 * the SEQ it expects is not a repeat, even for RESET */
				h->seq = f->data[LDRW_ST_RX_NEXT];
				again = resequenced++ < 4;
				err = SB_ERR_FRAMING;
				break;
			}
		}
		if (!again)
			t++;
		h->n.resends++;
		sb_logf(&h->log, SB_LOG_DEBUG, "loader: %s: %s, sending again", what,
			err == SB_ERR_TIMEOUT ? "no answer" : "damaged or out-of-order answer");
	}
	return sb_diag_set(d, err, "%s: the loader did not answer (%u tries at %u baud)", what, tries, h->baud);
}

static void parse_info(const uint8_t *p, struct lh_info *i)
{
	i->version = p[LDRW_INFO_VERSION];
	i->usart = p[LDRW_INFO_USART];
	i->nusart = p[LDRW_INFO_NUSART];
	i->crc_unit = p[LDRW_INFO_FLAGS] & LDRW_IF_CRC_UNIT;
	i->data_max = (unsigned)(p[LDRW_INFO_DATA_MAX] | p[LDRW_INFO_DATA_MAX + 1] << 8);
	i->nslots = (unsigned)(p[LDRW_INFO_NSLOTS] | p[LDRW_INFO_NSLOTS + 1] << 8);
	i->flash_base = lh_get32(p + LDRW_INFO_FLASH_BASE);
	i->flash_size = lh_get32(p + LDRW_INFO_FLASH_SIZE);
	i->page_size = lh_get32(p + LDRW_INFO_PAGE_SIZE);
	i->bank2 = lh_get32(p + LDRW_INFO_BANK2);
	i->optr = lh_get32(p + LDRW_INFO_OPTR);
	i->brr = lh_get32(p + LDRW_INFO_BRR);
	i->cr1 = lh_get32(p + LDRW_INFO_CR1);
	i->ram_buf = lh_get32(p + LDRW_INFO_RAM_BUF);
}

static int take_info(struct lh *h, const uint8_t *p, struct lh_info *info, struct sb_diag *d)
{
	struct lh_info i;

	parse_info(p, &i);
	if (i.version != LDRW_VERSION || !i.data_max || i.data_max > LDRW_DATA_MAX || !i.nslots ||
	    !i.page_size || (i.page_size & 7u))
		return sb_diag_set(d, SB_ERR_STATE, "the loader describes itself as version %u, %u-byte frames, %u buffers, %u-byte pages: not what this an3155 speaks",
				   i.version, i.data_max, i.nslots, i.page_size);
	h->info = i;
	h->have_info = true;
	if (info)
		*info = i;
	return SB_OK;
}

int lh_hello(struct lh *h, struct lh_info *info, struct sb_diag *d)
{
	uint64_t end = lh_now(h) + h->o.t.hello_ms;
	int err = SB_ERR_TIMEOUT;

	for (unsigned k = 0; k < 16; k++) {
		err = lh_recv(h, &h->rx, left_ms(h, end, h->o.t.hello_ms));
		if (err == SB_ERR_TIMEOUT)
			break;
		if (err == SB_OK && h->rx.type == LDRW_T_HELLO && h->rx.len >= LDRW_INFO_LEN) {
			h->n.exchanges++;
			return take_info(h, h->rx.data, info, d);
		}
	}
	return sb_diag_set(d, err == SB_ERR_TIMEOUT ? SB_ERR_TIMEOUT : SB_ERR_FRAMING,
			   "the loader did not say hello within %u ms after Go", h->o.t.hello_ms);
}

int lh_identify(struct lh *h, struct lh_info *info, struct sb_diag *d)
{
	int err = lh_command(h, LDRW_CMD_IDENTIFY, NULL, 0, 0, h->o.retries + 1, &h->rx, "identify", d);

	if (err)
		return err;
	if (h->rx.len < LDRW_RESP_HDR + LDRW_INFO_LEN)
		return sb_diag_set(d, SB_ERR_FRAMING, "identify: a short answer (%u bytes)", h->rx.len);
	return take_info(h, h->rx.data + LDRW_RESP_HDR, info, d);
}

int lh_crc(struct lh *h, const uint32_t *addr, const uint32_t *len, size_t n, uint32_t *crc,
	   struct sb_diag *d)
{
	uint8_t p[LDRW_MAX_RANGES * 8];

	for (size_t i = 0; i < n;) {
		size_t k = n - i < LDRW_MAX_RANGES ? n - i : LDRW_MAX_RANGES;
		uint64_t bytes = 0;
		int err;

		for (size_t j = 0; j < k; j++) {
			lh_put32(p + 8 * j, addr[i + j]);
			lh_put32(p + 8 * j + 4, len[i + j]);
			bytes += len[i + j];
		}
		err = lh_command(h, LDRW_CMD_CRC, p, 8 * k,
				 (unsigned)((bytes * h->o.t.crc_ms_per_mb) >> 20), h->o.retries + 1, &h->rx,
				 "CRC on the part", d);
		if (err)
			return err;
		if (h->rx.len < LDRW_RESP_HDR + 4 * k)
			return sb_diag_set(d, SB_ERR_FRAMING, "CRC on the part: a short answer");
		for (size_t j = 0; j < k; j++)
			crc[i + j] = lh_get32(h->rx.data + LDRW_RESP_HDR + 4 * j);
		i += k;
	}
	return SB_OK;
}

int lh_read(struct lh *h, uint32_t addr, uint8_t *buf, size_t len, struct sb_diag *d)
{
	unsigned chunk = h->have_info ? h->info.data_max : LDRW_DATA_MAX;
	uint8_t p[8];

	while (len) {
		uint32_t k = (uint32_t)(len < chunk ? len : chunk);
		int err;

		lh_put32(p, addr);
		lh_put32(p + 4, k);
		err = lh_command(h, LDRW_CMD_READ, p, 8, lh_frame_ms(h, k), h->o.retries + 1, &h->rx,
				 "read through the loader", d);
		if (err)
			return err;
		if (h->rx.len != LDRW_RESP_HDR + k)
			return sb_diag_addr(d, SB_ERR_FRAMING, addr, "read 0x%08X: %u bytes instead of %u",
					    addr, h->rx.len - LDRW_RESP_HDR, k);
		memcpy(buf, h->rx.data + LDRW_RESP_HDR, k);
		buf += k;
		addr += k;
		len -= k;
	}
	return SB_OK;
}

int lh_reset(struct lh *h, struct sb_diag *d)
{
	/* once: a repeat could reach the ROM, whose autobaud takes any first byte (facts A.1) */
	return lh_command(h, LDRW_CMD_RESET, NULL, 0, 0, 1, &h->rx, "reset", d);
}

/* ---- baud change ------------------------------------------------------------- */

static int host_rate(struct lh *h, unsigned rate)
{
	int err = h->link.ops->set_baud(h->link.h, rate);

	if (err == SB_OK) {
		h->baud = rate;
		if (h->link.ops->flush)
			h->link.ops->flush(h->link.h);
	}
	return err;
}

/* CONFIRM at the new rate, then one more command that commits it. */
static int confirm(struct lh *h, struct sb_diag *d)
{
	int err = SB_ERR_TIMEOUT;

	for (unsigned t = 0; t < 3 && err; t++) {
		if ((err = lh_send(h, LDRW_CMD_CONFIRM, h->seq, NULL, 0, NULL, 0)))
			return err;
		err = lh_recv(h, &h->rx, h->o.t.confirm_ms + lh_frame_ms(h, LDRW_RESP_HDR));
		if (!err && (h->rx.type != LDRW_T_RESP || h->rx.seq != h->seq))
			err = SB_ERR_FRAMING;
	}
	if (err)
		return err;
	h->seq++;
	return lh_identify(h, NULL, d);
}

/* Where does the loader answer now? The old rate first (a failed switch
 * sends it back there on the noise our frames make at its new rate). */
static int find_rate(struct lh *h, unsigned old, unsigned rate, unsigned *now_rate)
{
	unsigned try[2] = { old, rate };

	for (int i = 0; i < 2; i++) {
		if (host_rate(h, try[i]) == SB_OK && lh_identify(h, NULL, NULL) == SB_OK) {
			*now_rate = try[i];
			return SB_OK;
		}
	}
	*now_rate = 0;
	return SB_ERR_TIMEOUT;
}

int lh_set_baud(struct lh *h, unsigned rate, unsigned *now_rate, unsigned *actual,
		struct sb_diag *d)
{
	unsigned old = h->baud;
	uint8_t p[8];
	int err;

	*now_rate = old;
	*actual = 0;
	if (!h->link.ops->set_baud)
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "this link cannot change its baud rate");
	lh_put32(p, old);
	lh_put32(p + 4, rate);
	if ((err = lh_command(h, LDRW_CMD_BAUD, p, 8, 0, h->o.retries + 1, &h->rx, "baud change", d)))
		return err;
	if (h->rx.len >= LDRW_RESP_HDR + 12)
		*actual = lh_get32(h->rx.data + LDRW_RESP_HDR + 4);
	err = host_rate(h, rate);
	if (err)
		sb_diag_set(d, err, "the port refused %u baud", rate);
	else if ((err = confirm(h, d)) == SB_OK) {
		*now_rate = rate;
		return SB_OK;
	} else
		sb_diag_set(d, err, "no answer from the loader at %u baud", rate);
	sb_logf(&h->log, SB_LOG_INFO, "loader: %s; going back to %u baud", d ? d->msg : "baud change failed", old);
	if (find_rate(h, old, rate, now_rate))
		return sb_diag_set(d, SB_ERR_TIMEOUT, "the loader answers neither at %u nor at %u baud after a baud change", old, rate);
	if (*now_rate == rate)
		return SB_OK;
	return err ? err : SB_ERR_TIMEOUT;
}
