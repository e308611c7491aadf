/* SPDX-License-Identifier: MIT */
/*
 * dfuse_int.h - internals shared by dfuse.c (requests, polling, commands)
 * and dfuse_data.c (blocks, reads, images). Not part of the library API.
 */
#ifndef SB_DFUSE_INT_H
#define SB_DFUSE_INT_H

#include "dfuse.h"

struct dfuse {
	struct sb_usb usb;
	struct dfuse_config cfg;
	uint16_t xfer;          /* transfer size in use */
	uint8_t unit;           /* flash programming unit, a power of two */
	uint8_t erased;         /* what erased flash reads */
	int state;              /* last DFU state seen or implied, -1 unknown */
	uint64_t vclock;        /* ms slept: the clock when ops->now_ms is NULL */
	uint8_t *out;           /* xfer bytes: copy of the block being sent */
	uint8_t *back;          /* xfer bytes: read-back of a failed block */
	/* what is being done, for messages */
	const char *op;
	uint32_t addr;
	bool has_addr;
	/* the DFU status of the last dfuERROR (0: none since it was cleared), and
	 * of the block behind dfuse_write()'s failure (dfuse_write_status) */
	uint8_t last_status, write_status;
	/* progress of the current phase */
	struct dfuse_progress prog;
	bool prog_nested;       /* an image-level call owns prog */
};

/* Flags of dfuse_i_poll(). */
enum {
	DFUSE_POLL_WILL_RESET = 1,  /* dfuDNBUSY or a vanished device ends the poll with SB_OK */
};

/* Name what is being done ("write", at addr) for the messages that follow. */
void dfuse_i_op(struct dfuse *d, const char *op, uint32_t addr, bool has_addr);

/* "<op> at 0xADDR: <fmt>" into diag (with diag->addr), returns err. */
int dfuse_i_fail(struct dfuse *d, struct sb_diag *diag, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One control transfer to the interface, TRACE-logged; returns bytes or error. */
int dfuse_i_xfer(struct dfuse *d, uint8_t type, uint8_t req, uint16_t value, uint8_t *buf,
		 uint16_t len);

/*
 * Diag for a failed request. A STALLed DNLOAD or UPLOAD is explained by a
 * GETSTATUS: dfuERROR with a status is cleared and mapped (errVENDOR ->
 * SB_ERR_PROTECTED, ...).
 */
int dfuse_i_req_fail(struct dfuse *d, uint8_t req, int rc, struct sb_diag *diag);

void dfuse_i_sleep(struct dfuse *d, unsigned ms);

/* GETSTATUS after a DNLOAD until the device is done (protocol-facts B.5, B.8). */
int dfuse_i_poll(struct dfuse *d, unsigned deadline_ms, unsigned flags, struct sb_diag *diag);

/* A DfuSe command in block 0 (n <= 5 bytes) with its handshake, once. */
int dfuse_i_command_once(struct dfuse *d, const uint8_t *cmd, uint16_t n, unsigned deadline_ms,
			 struct sb_diag *diag);

/* Set Address Pointer, once (runs inside retried operations). */
int dfuse_i_set_address_once(struct dfuse *d, uint32_t addr, struct sb_diag *diag);

/* Back to dfuIDLE (dfuse_start's work). */
int dfuse_i_to_idle(struct dfuse *d, struct sb_diag *diag);

/* Before a DNLOAD / an UPLOAD: ABORT out of the state that forbids it. */
int dfuse_i_ready_dnload(struct dfuse *d, struct sb_diag *diag);
int dfuse_i_ready_upload(struct dfuse *d, struct sb_diag *diag);

/*
 * The device reported dfuERROR with st: CLRSTATUS (only ever sent in
 * dfuERROR) and the mapped error (errVENDOR -> SB_ERR_PROTECTED, ...).
 */
int dfuse_i_status_error(struct dfuse *d, const struct dfu_status_reply *st,
			 struct sb_diag *diag);

/* Errors worth clearing and retrying (a STALL, a status error, a timeout). */
bool dfuse_i_retryable(int rc);

/* Log a failure that will be retried, then return to dfuIDLE. */
int dfuse_i_before_retry(struct dfuse *d, unsigned attempt, struct sb_diag *diag);

/* Start a phase (unless an image-level call owns it) / count n more units done. */
void dfuse_i_phase(struct dfuse *d, enum dfuse_phase phase, uint64_t total);
void dfuse_i_step(struct dfuse *d, uint32_t addr, uint64_t n);

#endif
