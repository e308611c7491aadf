/* SPDX-License-Identifier: MIT */
/*
 * dfuse.c - DFU requests, GETSTATUS polling and recovery (protocol-facts
 * B.2-B.4, B.8). The DfuSe commands are in dfuse_cmd.c, data in dfuse_data.c.
 */
#include "dfuse_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names --------------------------------------------------------------- */

static const char *const state_names[] = {
	"appIDLE", "appDETACH", "dfuIDLE", "dfuDNLOAD-SYNC", "dfuDNBUSY", "dfuDNLOAD-IDLE",
	"dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET", "dfuUPLOAD-IDLE",
	"dfuERROR",
};

static const char *const status_names[] = {
	"OK", "errTARGET", "errFILE", "errWRITE", "errERASE", "errCHECK_ERASED", "errPROG",
	"errVERIFY", "errADDRESS", "errNOTDONE", "errFIRMWARE", "errVENDOR", "errUSBR",
	"errPOR", "errUNKNOWN", "errSTALLEDPKT",
};

static const char *const request_names[] = {
	"DETACH", "DNLOAD", "UPLOAD", "GETSTATUS", "CLRSTATUS", "GETSTATE", "ABORT",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *dfu_state_name(int state)
{
	return state >= 0 && (size_t)state < COUNT(state_names) ? state_names[state] : "unknown";
}

const char *dfu_status_name(int status)
{
	return status >= 0 && (size_t)status < COUNT(status_names) ? status_names[status]
								    : "unknown";
}

static const char *request_name(uint8_t req)
{
	return req < COUNT(request_names) ? request_names[req] : "request";
}

/* ---- handle -------------------------------------------------------------- */

void dfuse_timeouts_default(struct dfuse_timeouts *t)
{
	*t = (struct dfuse_timeouts){
		.control_ms = 5000,
		.command_ms = 5000,
		.write_ms = 5000,
		.page_erase_ms = 5000,
		.mass_erase_ms = 60000,
		.min_poll_ms = 0,
		.stall_wait_ms = 10,
		.stall_retries = 3,
		.zero_polls = 100,
		.retries = 3,
		.run_blocks = 256,
	};
}

static bool timeouts_zero(const struct dfuse_timeouts *t)
{
	static const struct dfuse_timeouts zero;
	return !memcmp(t, &zero, sizeof(zero));
}

struct dfuse *dfuse_new(const struct sb_usb *usb, const struct dfuse_config *cfg)
{
	struct dfuse *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->usb = *usb;
	d->cfg = *cfg;
	if (timeouts_zero(&d->cfg.to))
		dfuse_timeouts_default(&d->cfg.to);
	/* wBlockNum is 16 bits and starts at 2 (protocol-facts B.6) */
	if (d->cfg.to.run_blocks == 0 || d->cfg.to.run_blocks > 0xFFFD)
		d->cfg.to.run_blocks = 0xFFFD;
	d->xfer = cfg->transfer_size ? cfg->transfer_size : 2048;  /* B.1 */
	/* a unit that is not a power of two would break the recovery arithmetic */
	d->unit = cfg->write_unit && !(cfg->write_unit & (cfg->write_unit - 1)) ? cfg->write_unit : 8;
	d->erased = cfg->erased_zero ? 0x00 : 0xFF;
	d->state = -1;
	d->out = malloc(d->xfer);
	d->back = malloc(d->xfer);
	if (!d->out || !d->back) {
		dfuse_free(d);
		return NULL;
	}
	return d;
}

void dfuse_free(struct dfuse *d)
{
	if (!d)
		return;
	free(d->out);
	free(d->back);
	free(d);
}

uint16_t dfuse_transfer_size(const struct dfuse *d)
{
	return d->xfer;
}

/* ---- messages, transfers, time ------------------------------------------- */

void dfuse_i_op(struct dfuse *d, const char *op, uint32_t addr, bool has_addr)
{
	d->op = op;
	d->addr = addr;
	d->has_addr = has_addr;
}

int dfuse_i_fail(struct dfuse *d, struct sb_diag *diag, int err, const char *fmt, ...)
{
	char detail[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (d->has_addr)
		return sb_diag_addr(diag, err, d->addr, "%s at 0x%08lX: %s", d->op,
				    (unsigned long)d->addr, detail);
	return sb_diag_set(diag, err, "%s: %s", d->op, detail);
}

static void trace(struct dfuse *d, char dir, uint8_t type, uint8_t req, uint16_t value,
		  uint16_t len, const uint8_t *buf, int n)
{
	char tag[64];

	if (!d->cfg.log || !d->cfg.log->fn || d->cfg.log->max < SB_LOG_TRACE)
		return;
	snprintf(tag, sizeof(tag), "usb%c %02X %02X %04X %04X %04X %-9s", dir, type, req, value,
		 d->cfg.interface, len, request_name(req));
	if (n < 0)
		sb_logf(d->cfg.log, SB_LOG_TRACE, "%s failed: %s", tag, sb_strerror(n));
	else
		sb_log_hex(d->cfg.log, tag, buf, (size_t)n);
}

int dfuse_i_xfer(struct dfuse *d, uint8_t type, uint8_t req, uint16_t value, uint8_t *buf,
		 uint16_t len)
{
	bool in = type & 0x80;
	int rc;

	if (!in)
		trace(d, '>', type, req, value, len, buf, len);
	rc = d->usb.ops->control(d->usb.h, type, req, value, d->cfg.interface, buf, len,
				 d->cfg.to.control_ms);
	if (in || rc < 0)
		trace(d, '<', type, req, value, len, buf, rc);
	if (rc >= 0 && !in && rc != len)
		return SB_ERR_IO;
	return rc;
}

void dfuse_i_sleep(struct dfuse *d, unsigned ms)
{
	if (ms == 0)
		return;
	if (d->usb.ops->sleep_ms)
		d->usb.ops->sleep_ms(d->usb.h, ms);
	d->vclock += ms;
}

static uint64_t clock_ms(struct dfuse *d)
{
	return d->usb.ops->now_ms ? d->usb.ops->now_ms(d->usb.h) : d->vclock;
}

static int transfer_fail(struct dfuse *d, uint8_t req, int rc, struct sb_diag *diag)
{
	if (rc == SB_ERR_NO_DEVICE)
		return dfuse_i_fail(d, diag, rc, "device gone (%s failed)", request_name(req));
	if (rc == SB_ERR_NACK)
		return dfuse_i_fail(d, diag, rc, "%s stalled", request_name(req));
	return dfuse_i_fail(d, diag, rc, "%s failed: %s", request_name(req), sb_strerror(rc));
}

/* ---- DFU requests -------------------------------------------------------- */

int dfuse_get_status(struct dfuse *d, struct dfu_status_reply *st, struct sb_diag *diag)
{
	uint8_t b[6];
	int rc = dfuse_i_xfer(d, DFU_REQ_IN, DFU_GETSTATUS, 0, b, sizeof(b));

	if (rc < 0)
		return transfer_fail(d, DFU_GETSTATUS, rc, diag);
	if (rc != (int)sizeof(b))
		return dfuse_i_fail(d, diag, SB_ERR_FRAMING, "GETSTATUS returned %d bytes, not 6",
				    rc);
	/* bStatus, bwPollTimeout (24-bit LE), bState, iString: protocol-facts B.2 */
	st->status = b[0];
	st->poll_ms = (uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16;
	st->state = b[4];
	st->istring = b[5];
	d->state = st->state;
	sb_logf(d->cfg.log, SB_LOG_DEBUG, "GETSTATUS: %s, %s, poll %lu ms",
		dfu_state_name(st->state), dfu_status_name(st->status), (unsigned long)st->poll_ms);
	return SB_OK;
}

int dfuse_get_state(struct dfuse *d, uint8_t *state, struct sb_diag *diag)
{
	int rc = dfuse_i_xfer(d, DFU_REQ_IN, DFU_GETSTATE, 0, state, 1);

	if (rc < 0)
		return transfer_fail(d, DFU_GETSTATE, rc, diag);
	if (rc != 1)
		return dfuse_i_fail(d, diag, SB_ERR_FRAMING, "GETSTATE returned no byte");
	d->state = *state;
	return SB_OK;
}

/* A request without data that ends in dfuIDLE when it succeeds. */
static int request_to_idle(struct dfuse *d, uint8_t req, struct sb_diag *diag)
{
	int rc = dfuse_i_xfer(d, DFU_REQ_OUT, req, 0, NULL, 0);

	if (rc < 0)
		return transfer_fail(d, req, rc, diag);
	d->state = DFU_STATE_IDLE;
	return SB_OK;
}

int dfuse_clear_status(struct dfuse *d, struct sb_diag *diag)
{
	return request_to_idle(d, DFU_CLRSTATUS, diag);
}

int dfuse_abort(struct dfuse *d, struct sb_diag *diag)
{
	return request_to_idle(d, DFU_ABORT, diag);
}

int dfuse_detach(struct dfuse *d, uint16_t timeout_ms, struct sb_diag *diag)
{
	int rc = dfuse_i_xfer(d, DFU_REQ_OUT, DFU_DETACH, timeout_ms, NULL, 0);

	return rc < 0 ? transfer_fail(d, DFU_DETACH, rc, diag) : SB_OK;
}

int dfuse_set_alt(struct dfuse *d, int alt, struct sb_diag *diag)
{
	int rc = d->usb.ops->set_alt(d->usb.h, d->cfg.interface, alt);

	if (rc < 0)
		return sb_diag_set(diag, rc, "selecting alternate setting %d of interface %u: %s",
				   alt, d->cfg.interface, sb_strerror(rc));
	d->state = -1;
	return SB_OK;
}

/*
 * The device is in dfuERROR: clear it (CLRSTATUS is only ever sent in
 * dfuERROR) and map the status (protocol-facts B.4; errVENDOR means read
 * protection on any command, F.4).
 */
int dfuse_i_status_error(struct dfuse *d, const struct dfu_status_reply *st,
			 struct sb_diag *diag)
{
	struct sb_diag ignored;
	const char *name = dfu_status_name(st->status);

	d->last_status = st->status;
	if (dfuse_clear_status(d, &ignored))
		sb_logf(d->cfg.log, SB_LOG_WARN, "CLRSTATUS failed: %s", ignored.msg);
	if (st->status == DFU_STATUS_ERR_VENDOR)
		return dfuse_i_fail(d, diag, SB_ERR_PROTECTED,
				    "read protection is active (errVENDOR)");
	if (st->status == DFU_STATUS_ERR_TARGET)
		return dfuse_i_fail(d, diag, SB_ERR_BAD_INPUT,
				    "the device rejected the address (errTARGET)");
	return dfuse_i_fail(d, diag, SB_ERR_NACK, "the device reported %s (status 0x%02X)", name,
			    st->status);
}

int dfuse_i_req_fail(struct dfuse *d, uint8_t req, int rc, struct sb_diag *diag)
{
	struct dfu_status_reply st;
	struct sb_diag ignored;

	if (rc != SB_ERR_NACK || (req != DFU_DNLOAD && req != DFU_UPLOAD))
		return transfer_fail(d, req, rc, diag);
	if (dfuse_get_status(d, &st, &ignored) == SB_OK && st.state == DFU_STATE_ERROR &&
	    st.status != DFU_STATUS_OK)
		return dfuse_i_status_error(d, &st, diag);
	return transfer_fail(d, req, rc, diag);
}

/* ---- GETSTATUS polling ---------------------------------------------------- */

struct poll {
	uint64_t start;
	unsigned deadline_ms;
	unsigned stalls;       /* STALLed GETSTATUS in a row */
	unsigned zeros;        /* dfuDNBUSY with bwPollTimeout 0 in a row */
	unsigned timeouts;     /* GETSTATUS transfers timed out in a row */
	uint32_t last_ms;      /* last bwPollTimeout reported */
	bool busy;             /* the device has been busy (or stalled) since the DNLOAD */
};

static int poll_wait(struct dfuse *d, struct poll *p, uint32_t ms, struct sb_diag *diag)
{
	if (ms < d->cfg.to.min_poll_ms)
		ms = d->cfg.to.min_poll_ms;
	dfuse_i_sleep(d, ms);
	if (p->deadline_ms && clock_ms(d) - p->start > p->deadline_ms)
		return dfuse_i_fail(d, diag, SB_ERR_TIMEOUT, "not finished after %u ms",
				    p->deadline_ms);
	return SB_OK;
}

/*
 * Some STM32L4 ROMs report too short a bwPollTimeout and STALL GETSTATUS
 * while still busy: reuse the last timeout and ask again, a bounded number
 * of times in a row (protocol-facts B.8, dfu-util allows 3).
 */
static int poll_stalled(struct dfuse *d, struct poll *p, struct sb_diag *diag)
{
	uint32_t wait = p->last_ms ? p->last_ms : d->cfg.to.stall_wait_ms;

	if (p->stalls >= d->cfg.to.stall_retries)
		return dfuse_i_fail(d, diag, SB_ERR_NACK, "GETSTATUS stalled %u times in a row",
				    p->stalls + 1);
	p->stalls++;
	p->busy = true;
	sb_logf(d->cfg.log, SB_LOG_DEBUG, "GETSTATUS stalled (%u of %u allowed), waiting %lu ms",
		p->stalls, d->cfg.to.stall_retries, (unsigned long)wait);
	return poll_wait(d, p, wait, diag);
}

static int poll_busy(struct dfuse *d, struct poll *p, const struct dfu_status_reply *st,
		     struct sb_diag *diag)
{
	p->busy = true;
	/* a device stuck in dfuDNBUSY with no timeout would spin forever (B.8) */
	if (st->poll_ms == 0 && ++p->zeros > d->cfg.to.zero_polls)
		return dfuse_i_fail(d, diag, SB_ERR_TIMEOUT,
				    "device stuck in dfuDNBUSY (%u polls with bwPollTimeout 0)",
				    p->zeros);
	if (st->poll_ms)
		p->zeros = 0;
	p->last_ms = st->poll_ms;
	return poll_wait(d, p, st->poll_ms, diag);
}

/*
 * A GETSTATUS that timed out while the device is busy: a part whose USB
 * stack stops answering during a long erase. Ask again (the transfer has
 * already waited control_ms) while the operation's deadline allows it;
 * the count bounds this when no clock advances.
 */
static bool poll_silent(struct dfuse *d, struct poll *p)
{
	unsigned max = p->deadline_ms / (d->cfg.to.control_ms ? d->cfg.to.control_ms : 1);

	if (!p->busy || p->timeouts >= max ||
	    (p->deadline_ms && clock_ms(d) - p->start > p->deadline_ms))
		return false;
	p->timeouts++;
	sb_logf(d->cfg.log, SB_LOG_DEBUG, "GETSTATUS timed out while busy (%u of %u), asking again",
		p->timeouts, max);
	return true;
}

/* The outcome of one GETSTATUS reply: 1 keep polling, else SB_OK or an error. */
static int poll_reply(struct dfuse *d, struct poll *p, const struct dfu_status_reply *st,
		      unsigned flags, struct sb_diag *diag)
{
	int rc;

	switch (st->state) {
	case DFU_STATE_DNBUSY:
		if (flags & DFUSE_POLL_WILL_RESET)
			return SB_OK;
		rc = poll_busy(d, p, st, diag);
		return rc ? rc : 1;
	case DFU_STATE_DNLOAD_IDLE:
		/* B.5: the first GETSTATUS after a DNLOAD must say dfuDNBUSY */
		if (!p->busy && !(flags & DFUSE_POLL_WILL_RESET))
			return dfuse_i_fail(d, diag, SB_ERR_STATE,
					    "device skipped dfuDNBUSY (went to dfuDNLOAD-IDLE)");
		if (st->status != DFU_STATUS_OK)
			return dfuse_i_fail(d, diag, SB_ERR_NACK, "dfuDNLOAD-IDLE with status %s",
					    dfu_status_name(st->status));
		return SB_OK;
	case DFU_STATE_ERROR:
		return dfuse_i_status_error(d, st, diag);
	default:
		return dfuse_i_fail(d, diag, SB_ERR_STATE, "unexpected state %s after DNLOAD",
				    dfu_state_name(st->state));
	}
}

int dfuse_i_poll(struct dfuse *d, unsigned deadline_ms, unsigned flags, struct sb_diag *diag)
{
	struct poll p = { .start = clock_ms(d), .deadline_ms = deadline_ms };
	struct dfu_status_reply st;
	int rc;

	for (;;) {
		rc = dfuse_get_status(d, &st, diag);
		if (rc && (flags & DFUSE_POLL_WILL_RESET) &&
		    (rc == SB_ERR_NO_DEVICE || rc == SB_ERR_IO))
			return SB_OK;  /* reset already under way: B.5 exceptions */
		if (rc == SB_ERR_NACK) {
			if ((rc = poll_stalled(d, &p, diag)))
				return rc;
			continue;
		}
		if (rc == SB_ERR_TIMEOUT && poll_silent(d, &p))
			continue;
		if (rc)
			return rc;
		p.stalls = p.timeouts = 0;
		if ((rc = poll_reply(d, &p, &st, flags, diag)) <= 0)
			return rc;
	}
}

/* ---- states -------------------------------------------------------------- */

int dfuse_i_to_idle(struct dfuse *d, struct sb_diag *diag)
{
	struct dfu_status_reply st = { 0 };
	int rc;

	for (int round = 0; round < 8; round++) {
		rc = dfuse_get_status(d, &st, diag);
		if (rc == SB_ERR_NACK) {  /* busy L4 ROM (B.8), or a stall left over */
			dfuse_i_sleep(d, d->cfg.to.stall_wait_ms);
			continue;
		}
		if (rc)
			return rc;
		switch (st.state) {
		case DFU_STATE_IDLE:
			return SB_OK;
		case DFU_STATE_ERROR:
			dfuse_clear_status(d, diag);
			break;
		case DFU_STATE_DNLOAD_SYNC:
		case DFU_STATE_DNLOAD_IDLE:
		case DFU_STATE_UPLOAD_IDLE:
			dfuse_abort(d, diag);
			break;
		case DFU_STATE_DNBUSY:
			dfuse_i_sleep(d, st.poll_ms > d->cfg.to.min_poll_ms ? st.poll_ms
									   : d->cfg.to.min_poll_ms);
			break;
		default:
			return dfuse_i_fail(d, diag, SB_ERR_STATE,
					    "device is in %s, not in DFU mode",
					    dfu_state_name(st.state));
		}
	}
	return dfuse_i_fail(d, diag, SB_ERR_STATE, "device does not return to dfuIDLE");
}

int dfuse_start(struct dfuse *d, struct sb_diag *diag)
{
	struct sb_diag local;

	dfuse_i_op(d, "start", 0, false);
	return dfuse_i_to_idle(d, diag ? diag : &local);
}

int dfuse_i_ready_dnload(struct dfuse *d, struct sb_diag *diag)
{
	return d->state == DFU_STATE_UPLOAD_IDLE ? dfuse_abort(d, diag) : SB_OK;
}

int dfuse_i_ready_upload(struct dfuse *d, struct sb_diag *diag)
{
	/* B.6: Set Address leaves dfuDNLOAD-IDLE; UPLOAD needs dfuIDLE */
	return d->state == DFU_STATE_DNLOAD_IDLE ? dfuse_abort(d, diag) : SB_OK;
}

bool dfuse_i_retryable(int rc)
{
	return rc == SB_ERR_NACK || rc == SB_ERR_TIMEOUT || rc == SB_ERR_IO ||
	       rc == SB_ERR_STATE || rc == SB_ERR_FRAMING;
}

int dfuse_i_before_retry(struct dfuse *d, unsigned attempt, struct sb_diag *diag)
{
	sb_logf(d->cfg.log, SB_LOG_WARN, "%s; retrying (%u of %u)", diag->msg, attempt,
		d->cfg.to.retries);
	return dfuse_i_to_idle(d, diag);
}
