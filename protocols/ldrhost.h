/* SPDX-License-Identifier: MIT */
/*
 * ldrhost.h - host engine for the RAM loader protocol (ldr_wire.h; the
 * loader itself is stub/). an3155 uploads the loader with the ROM's Write
 * Memory and starts it with Go; from then on this engine talks to it.
 *
 * Like the AN3155 engine it talks only through a struct sb_link, logs
 * through a struct sb_log ("loader tx"/"loader rx" byte dumps at TRACE),
 * and never prints, exits or keeps globals. Every function returns SB_OK
 * or a negative enum sb_err and fills diag with a sentence:
 *   SB_ERR_TIMEOUT      the loader did not answer (after opts.retries resends)
 *   SB_ERR_FRAMING      only damaged frames came back
 *   SB_ERR_NACK         the flash reported an error (FLASH_SR bits named;
 *                       diag->addr is the double-word or page)
 *   SB_ERR_PROTECTED    the flash reported WRPERR (write protection)
 *   SB_ERR_BAD_INPUT    the loader refused a range (outside its flash, not on
 *                       a page or double-word boundary)
 *   SB_ERR_UNSUPPORTED  the loader cannot do it (a baud rate its USART clock
 *                       cannot make; a link that cannot change its rate)
 *   SB_ERR_STATE        FLASH_CR stayed locked; a reply that makes no sense
 *
 * Frames carry a CRC-32 and a sequence number; a lost or damaged frame is
 * sent again, and the loader recognises a repeat, so nothing is programmed
 * twice. Threads: one thread per handle.
 */
#ifndef SB_LDRHOST_H
#define SB_LDRHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_err.h"
#include "sb_link.h"
#include "sb_log.h"

/* What the loader says about itself and the part (HELLO, IDENTIFY). */
struct lh_info {
	unsigned version;        /* LDRW_VERSION */
	unsigned usart;          /* 1..3: the USART it talks on, 0 before the host spoke */
	unsigned nusart;         /* USARTs it found enabled */
	bool crc_unit;           /* it computes CRCs with the part's CRC unit */
	unsigned data_max;       /* data bytes per WRITE/READ frame */
	unsigned nslots;         /* frames it can hold: the window */
	uint32_t flash_base, flash_size, page_size;
	uint32_t bank2;          /* 0: single bank */
	uint32_t optr, brr, cr1, ram_buf;
};

/* Deadlines in ms; each bounds a wait when something is wrong. */
struct lh_timeouts {
	unsigned hello_ms;       /* HELLO after Go (default 1000) */
	unsigned resp_ms;        /* answer to a short command, on top of its wire time (500) */
	unsigned quiet_ms;       /* no STATUS while flash operations are outstanding, on top
				  * of two frame times (1000; a page erase takes 25-40 ms) */
	unsigned crc_ms_per_mb;  /* CRC over flash computed by the part (4000: a table CRC
				  * at 4 MHz, the slowest clock the ROM might leave) */
	unsigned confirm_ms;     /* one CONFIRM try at a new baud rate (200) */
};

typedef void (*lh_progress_fn)(void *ctx, uint64_t done, uint64_t total);

struct lh_opts {
	struct lh_timeouts t;
	unsigned baud;           /* rate the link runs at now (frame times); default 115200 */
	unsigned retries;        /* resends of one frame (default 5) */
	unsigned window;         /* frames in flight; 0: the loader's nslots (at most 64) */
	/* Monotonic clock in ms (required for streaming deadlines; NULL: every wait
	 * counts as its full timeout). */
	uint64_t (*now_ms)(void *ctx);
	void *now_ctx;
	lh_progress_fn progress; /* lh_program(): bytes written of the total */
	void *progress_ctx;
};

/* A flash operation for lh_program(). */
enum lh_op_kind { LH_ERASE = 1, LH_WRITE = 2 };

struct lh_op {
	enum lh_op_kind kind;
	uint32_t addr, len;      /* ERASE: whole pages; WRITE: multiples of 8 */
	const uint8_t *data;     /* WRITE */
	bool skip_erased;        /* WRITE: all-0xFF double-words are not programmed */
};

struct lh;

void lh_default_opts(struct lh_opts *o);

/* link and log are copied; link->h and log->ctx are borrowed and must
 * outlive the handle. opts NULL: defaults. *out is freed with lh_free(). */
int lh_new(struct lh **out, const struct sb_link *link, const struct sb_log *log,
	   const struct lh_opts *opts);
void lh_free(struct lh *h);

/* Wait for the HELLO the loader sends when it starts (after Go). */
int lh_hello(struct lh *h, struct lh_info *info, struct sb_diag *diag);
int lh_identify(struct lh *h, struct lh_info *info, struct sb_diag *diag);

/*
 * Change the baud rate of both ends to `rate`: the loader computes its new
 * BRR from its current BRR and the two rates, answers at the old rate and
 * switches; the host switches (link->ops->set_baud) and confirms at the new
 * rate. On any failure both ends go back to the old rate. *now_rate is the
 * rate the line runs at afterwards (rate, the old rate, or 0 when the
 * loader answers at neither) and *actual the rate the loader's BRR gives.
 * SB_OK only when the line runs at `rate`.
 */
int lh_set_baud(struct lh *h, unsigned rate, unsigned *now_rate, unsigned *actual,
		struct sb_diag *diag);

/* CRC-32 (zlib) of n ranges, computed by the part. */
int lh_crc(struct lh *h, const uint32_t *addr, const uint32_t *len, size_t n, uint32_t *crc,
	   struct sb_diag *diag);
int lh_read(struct lh *h, uint32_t addr, uint8_t *buf, size_t len, struct sb_diag *diag);

/*
 * Run the operations in order, streamed: up to the window of frames in
 * flight while the part erases and programs the earlier ones. Erases go
 * one page per frame, writes in data_max chunks. Returns when every
 * operation is done, or with the first failure the loader reports (the
 * later operations are not executed).
 */
int lh_program(struct lh *h, const struct lh_op *ops, size_t n, struct sb_diag *diag);

/* The loader answers, then resets the part (SCB AIRCR): with BOOT0 high
 * the ROM loader runs again and needs its 0x7F. Never resent. */
int lh_reset(struct lh *h, struct sb_diag *diag);

/* CRC-32 as the loader computes it (zlib): lh_crc32(0, p, n), chainable. */
uint32_t lh_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* What crossed the line so far (for `make bench`'s floor and for tests). */
struct lh_counters {
	uint64_t tx, rx;         /* bytes sent and received, resends included */
	unsigned exchanges;      /* request-answer round trips (HELLO counts one) */
	unsigned resends;        /* frames sent again */
	unsigned line_errs;      /* characters the loader received with PE/FE/NE or lost to an overrun */
};
void lh_counters(const struct lh *h, struct lh_counters *c);

#endif
