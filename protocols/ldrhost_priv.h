/* SPDX-License-Identifier: MIT */
/*
 * ldrhost_priv.h - what ldrhost.c (frames, commands, baud change) and
 * ldrhost_stream.c (streamed flash operations) share.
 */
#ifndef SB_LDRHOST_PRIV_H
#define SB_LDRHOST_PRIV_H

#include "ldr_wire.h"
#include "ldrhost.h"

struct lh_frame {
	uint8_t type, seq;
	uint16_t len;
	uint8_t data[LDRW_MAX_PAYLOAD];
};

struct lh {
	struct sb_link link;
	struct sb_log log;
	struct lh_opts o;
	struct lh_info info;
	bool have_info;
	unsigned baud;           /* the link's rate now */
	uint8_t seq;             /* SEQ of the next new frame */
	uint64_t line_free;      /* ms when what was written has left at the line rate */
	unsigned line_errs;      /* characters the loader received damaged (last STATUS) */
	struct lh_counters n;
	uint8_t tx[LDRW_MAX_PAYLOAD + LDRW_OVERHEAD];
	struct lh_frame rx;
};

uint32_t lh_get32(const uint8_t *p);
void lh_put32(uint8_t *p, uint32_t v);
uint64_t lh_now(const struct lh *h);
unsigned lh_frame_ms(const struct lh *h, size_t len);
int lh_send(struct lh *h, uint8_t cmd, uint8_t seq, const uint8_t *a, size_t na,
	    const uint8_t *b, size_t nb);
int lh_recv(struct lh *h, struct lh_frame *f, unsigned wait_ms);
/* n bytes of value b, no frame (filler that ends a truncated frame). */
int lh_send_raw(struct lh *h, uint8_t b, size_t n);
int lh_command(struct lh *h, uint8_t cmd, const uint8_t *p, size_t n, unsigned extra_ms,
	       unsigned tries, struct lh_frame *f, const char *what, struct sb_diag *d);
/* The sb_err and sentence for a loader status code. */
int lh_status_err(uint8_t st, uint32_t addr, uint32_t detail, const char *what, struct sb_diag *d);

#endif
