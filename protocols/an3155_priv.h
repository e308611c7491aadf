/* SPDX-License-Identifier: MIT */
/*
 * an3155_priv.h - internals shared by an3155.c, an3155_conn.c,
 * an3155_mem.c and an3155_cmd.c. Not part of the API; include an3155.h.
 */
#ifndef SB_AN3155_PRIV_H
#define SB_AN3155_PRIV_H

#include "an3155.h"

/* Reply bytes (facts A.2). */
enum { A3_ACK = 0x79, A3_NACK = 0x1F, A3_BUSY = 0x76 };

/* Largest Read/Write Memory payload (facts A.5: N+1 <= 256). */
enum { A3_BLOCK = 256 };

/* How far the last command got before it failed; decides what a retry must do. */
enum a3_stage {
	A3_ST_CMD,    /* command byte + complement, waiting for the first ACK */
	A3_ST_ADDR,   /* address + checksum */
	A3_ST_PARAM,  /* length / count parameter */
	A3_ST_DATA,   /* data sent (write, erase list), waiting for the final ACK */
	A3_ST_REPLY,  /* reading the ROM's reply bytes */
};

enum a3_state {
	A3_IDLE,            /* never connected */
	A3_READY,
	A3_RESET_PENDING,   /* the ROM reset itself: reconnect first */
	A3_LEFT,            /* Go: the application runs */
};

struct an3155 {
	struct sb_link link;
	struct sb_log log;
	struct an3155_opts o;
	struct an3155_info info;
	enum a3_state state;
	enum a3_stage stage;    /* of the command that failed last */
	int bad;                /* last unexpected reply byte, -1 none */
	unsigned attempts;      /* of the last a3_retry() */
	bool lost;              /* the last resync failed */
	bool refused;           /* the last command's address was NACKed 3 times in a row: refused */
	bool late_ack;          /* the last resync saw an ACK: a late reply */
	bool rejected;          /* the last resync's first probe was NACKed: the ROM was
				 * inside our frame and refused it (nothing programmed) */
	bool clean_sync;        /* the last resync ended on a single probe's NACK with no
				 * strays, late or burst answers: evidence for RDP counts */
	uint8_t probe;          /* first probe byte of the next resync; 0: the filler */
	/* Adaptive frames (an3155_mem.c): current Write/Read Memory frame sizes
	 * and the clean frames since they last changed. */
	unsigned wframe, rframe, wclean, rclean;
	/* The job's evidence: failed and good frames since connect. */
	unsigned job_fails, job_ok;
	size_t last_tx;         /* bytes of the last frame written (still on the wire) */
	unsigned settle_ms;     /* to sleep in the next reconnect */
	const char *reset_by;   /* name of the command that reset the ROM */
};

/* One attempt of a command; a3_retry() repeats it after a3_recover(). */
typedef int (*a3_once_fn)(struct an3155 *b, void *arg);

/* Link I/O with TRACE hex dumps. a3_rx returns SB_OK only for all n bytes. */
int a3_tx(struct an3155 *b, const uint8_t *buf, size_t n);
int a3_rx(struct an3155 *b, uint8_t *buf, size_t n, unsigned ms);
int a3_wait_ack(struct an3155 *b, unsigned ms);
void a3_sleep(struct an3155 *b, unsigned ms);
/* Discard received bytes (no-op if the link has no flush). */
int a3_flush(struct an3155 *b);

/* Command byte + complement and its ACK (facts A.3); stage CMD. */
int a3_cmd(struct an3155 *b, uint8_t code);
/* A 4-byte word big-endian + XOR (facts A.3) and its ACK, at stage st. */
int a3_word(struct an3155 *b, enum a3_stage st, uint32_t v);
/* Address as a3_word; stage ADDR. */
int a3_addr(struct an3155 *b, uint32_t addr);
/* Send a frame at a stage and wait for its ACK, the device working work_us
 * before it answers (a3_deadline; fixed_ms when the baud is unknown). */
int a3_send_acked(struct an3155 *b, enum a3_stage stage, const uint8_t *f, size_t n,
		  uint64_t work_us, unsigned fixed_ms);
/* Deadline in ms for rx reply bytes after the last frame written, with
 * work_us of device work (an3155.h, opts.baud); fixed_ms with no baud. */
unsigned a3_deadline(const struct an3155 *b, size_t rx, uint64_t work_us, unsigned fixed_ms);
/* XOR of n bytes (facts A.3). */
uint8_t a3_xor(const uint8_t *buf, size_t n);

/* Bring the ROM back to "waiting for a command" (facts A.1 last row). */
int a3_resync(struct an3155 *b);
/* The same after a failure err: after a timeout no strays are awaited. */
int a3_resync_after(struct an3155 *b, int err);
/* Choose the next resync's first probe byte for a frame that went unanswered (an3155.c). */
void a3_pick_probe(struct an3155 *b, const uint8_t *frame, size_t n);
/* One burst of filler and a few probes: end a command a killed client left
 * half sent, without a long resync when nothing answers (an3155_conn.c). */
int a3_fill_up(struct an3155 *b);

/*
 * Run once() up to 1 + opts.retries times while the failure is retryable
 * (NACK, timeout, framing), recovering between attempts with a3_recover()
 * (after a NACK past the command byte only a flush, else a resync).
 * rdp_gated: the command is refused under RDP level 1, so a NACK at its
 * command byte three times in a row (or on the last attempt) means
 * SB_ERR_PROTECTED (facts A.6; a3_rdp_nack).
 */
int a3_retry(struct an3155 *b, a3_once_fn once, void *arg, bool rdp_gated);
bool a3_retryable(int err);
/* After a failed attempt: nothing to do after a NACK (the ROM waits for a
 * command, facts A.2) but drop strays; a resync after anything else. */
int a3_recover(struct an3155 *b, int err);
/* Count NACKs at the address stage; true (and b->refused) at the third in a row. */
bool a3_addr_refused(struct an3155 *b, int err, unsigned *count);
/* Count NACKs at a command byte (count reset by other failures); true when
 * they mean read protection: three in a row, or one on the last attempt. */
bool a3_rdp_nack(struct an3155 *b, int err, unsigned *count, bool last);

/* SB_OK if connected and Get listed code; else SB_ERR_STATE / SB_ERR_UNSUPPORTED with diag. */
int a3_need(struct an3155 *b, uint8_t code, const char *name, struct sb_diag *d);

/* "command", "address", "parameter", "data" or "reply": for messages. */
const char *a3_stage_name(enum a3_stage s);

/* Fill diag for err from a command named what, at addr when has_addr. */
int a3_fail(struct an3155 *b, struct sb_diag *d, int err, const char *what,
	    uint32_t addr, bool has_addr);

/* The ROM will reset after this command: remember how long to settle. */
void a3_mark_reset(struct an3155 *b, const char *by, unsigned settle_ms);

void a3_progress(struct an3155 *b, uint32_t addr, size_t done, size_t total);

#endif
