/* SPDX-License-Identifier: MIT */
/*
 * dfu_dev.c - DFU 1.1 + DfuSe state machine of the modelled L4R5 ROM
 * (protocol-facts B.2-B.8), bus presence, timing and fault injection.
 * Memory, commands and leave: dfu_mem.c; descriptors and standard
 * requests: dfu_desc.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfu_dev_priv.h"

#define FLASH_BASE 0x08000000u

/* USB 2.0 table 5-5: at most 13 full-speed 64-byte control transactions
 * per 1 ms frame, so about 77 us each. */
#define XACT_US 77u

enum { REQ_DETACH, REQ_DNLOAD, REQ_UPLOAD, REQ_GETSTATUS, REQ_CLRSTATUS, REQ_GETSTATE, REQ_ABORT };

void dfu_dlog(struct dfu_dev *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!d->cfg.log || !d->cfg.log->fn || d->cfg.log->max < SB_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->cfg.log->fn(d->cfg.log->ctx, SB_LOG_DEBUG, msg);
}

const char *dfu_dev_state_str(uint8_t state)
{
	static const char *const names[] = {
		"appIDLE", "appDETACH", "dfuIDLE", "dfuDNLOAD-SYNC", "dfuDNBUSY",
		"dfuDNLOAD-IDLE", "dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET",
		"dfuUPLOAD-IDLE", "dfuERROR",
	};
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

const char *dfu_dev_status_str(uint8_t status)
{
	static const char *const names[] = {
		"OK", "errTARGET", "errFILE", "errWRITE", "errERASE", "errCHECK_ERASED",
		"errPROG", "errVERIFY", "errADDRESS", "errNOTDONE", "errFIRMWARE",
		"errVENDOR", "errUSBR", "errPOR", "errUNKNOWN", "errSTALLEDPKT",
	};
	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "?";
}

/* ---- randomness for fault injection (xorshift32, per device) ---- */

static uint32_t rnd(struct dfu_dev *d)
{
	uint32_t x = d->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	d->rng = x;
	return x;
}

bool dfu_chance(struct dfu_dev *d, unsigned pct)
{
	if (pct == 0)
		return false;
	if (rnd(d) % 100 >= pct)
		return false;
	d->st.faults++;
	return true;
}

/* ---- bus presence ---- */

static void reset_dfu_state(struct dfu_dev *d)
{
	d->state = ST_IDLE;
	d->status = S_OK;
	d->ptr = FLASH_BASE;   /* B.6: default pointer 0x08000000 */
	d->alt = 0;
	d->buf_len = 0;
	d->busy_stalls_left = 0;
	if (d->cfg.faults.start_error) {
		d->state = ST_ERROR;
		d->status = S_UNKNOWN;
	}
}

void dfu_detach(struct dfu_dev *d, enum dfu_dev_event ev)
{
	d->connected = false;
	d->event = ev;
	d->st.detaches++;
	dfu_dlog(d, "device leaves the bus%s", ev == DFU_DEV_EV_VANISHED ? " (fault: vanished)" : "");
}

/* The mode a board must be in for personality as_app to be on the bus. */
static enum board_mode mode_of(bool as_app)
{
	return as_app ? BOARD_MODE_APP : BOARD_MODE_ROM;
}

bool dfu_dev_wants_bus(const struct dfu_dev *d)
{
	enum board_mode mode = board_mode(d->b);

	return !d->vanished && (mode == BOARD_MODE_ROM || (mode == BOARD_MODE_APP && d->cfg.app_dfu));
}

bool dfu_dev_reconnect(struct dfu_dev *d)
{
	if (d->connected)
		return true;
	if (!dfu_dev_wants_bus(d))
		return false;
	d->as_app = board_mode(d->b) == BOARD_MODE_APP;
	reset_dfu_state(d);
	dfu_desc_init(d);   /* DBANK may have changed with the options */
	d->resets_seen = board_reset_count(d->b);
	d->connected = true;
	d->st.enumerations++;
	if (d->as_app) {
		d->state = ST_APP_IDLE;
		d->status = S_OK;
		dfu_dlog(d, "device enumerates, the application as %04x:%04x (DFU run-time), serial %s",
			 d->cfg.app_vid, d->cfg.app_pid, d->serial);
	} else {
		dfu_dlog(d, "device enumerates, serial %s, %s", d->serial, d->layout[0]);
	}
	return true;
}

void dfu_dev_disconnect(struct dfu_dev *d)
{
	if (d->connected)
		dfu_detach(d, DFU_DEV_EV_DETACHED);
}

/* A reset or mode change made behind the model's back (pins, another side)
 * drops the device from the bus, as the real part re-enumerates. */
static bool check_board(struct dfu_dev *d)
{
	if (!d->connected)
		return false;
	if (board_reset_count(d->b) != d->resets_seen || board_mode(d->b) != mode_of(d->as_app)) {
		dfu_detach(d, DFU_DEV_EV_DETACHED);
		return false;
	}
	return true;
}

enum dfu_dev_event dfu_dev_take_event(struct dfu_dev *d)
{
	enum dfu_dev_event ev;

	check_board(d);
	ev = d->event;
	d->event = DFU_DEV_EV_NONE;
	return ev;
}

bool dfu_dev_connected(const struct dfu_dev *d) { return d->connected; }
bool dfu_dev_vanished(const struct dfu_dev *d) { return d->vanished; }

/* ---- class requests (B.2) ---- */

/* A request the state does not allow: STALL, dfuERROR / errSTALLEDPKT (DFU 1.1). */
static int stall(struct dfu_dev *d, uint8_t status)
{
	if (d->state != ST_ERROR)
		d->st.errors++;
	d->state = ST_ERROR;
	d->status = status;
	return DFU_DEV_STALL;
}

static int status_reply(uint8_t *data, uint8_t status, uint64_t poll_ms, uint8_t state)
{
	if (poll_ms > 0xFFFFFF)
		poll_ms = 0xFFFFFF;
	data[0] = status;
	data[1] = (uint8_t)poll_ms;
	data[2] = (uint8_t)(poll_ms >> 8);
	data[3] = (uint8_t)(poll_ms >> 16);
	data[4] = state;
	data[5] = 0;
	return 6;
}

/* First GETSTATUS after a DNLOAD: the command runs now, the reply says
 * dfuDNBUSY with the time it takes (B.5 step 2). */
static int getstatus_sync(struct dfu_dev *d, uint8_t *data)
{
	enum dfu_after after = AFTER_NONE;
	uint64_t poll_ms;
	int n;

	d->result = dfu_mem_run(d, &after);
	d->state = ST_DNBUSY;
	/* The L4 quirk (B.8) hits DfuSe commands (erase above all): a too
	 * short, but not zero, poll timeout, then STALLed polls. We report a
	 * quarter of the real time, at least 1 ms: dfu-util only retries a
	 * STALL after a non-zero one, and only for commands, not data blocks. */
	d->busy_stalls_left = d->block == 0 ? d->cfg.faults.busy_stalls : 0;
	poll_ms = d->cfg.timing ? (d->op_busy_us + 999) / 1000 : 0;
	if (d->busy_stalls_left)
		poll_ms = poll_ms / 4 ? poll_ms / 4 : 1;
	n = status_reply(data, S_OK, poll_ms, ST_DNBUSY);
	dfu_dlog(d, "  ran %s -> %s, busy %llu us", d->block ? "block" : "command",
	     dfu_dev_status_str(d->result), (unsigned long long)d->op_busy_us);
	if (after == AFTER_RESET && d->result == S_OK) {
		dfu_detach(d, DFU_DEV_EV_DETACHED);
		board_reset(d->b);
	}
	return n;
}

/* Second GETSTATUS: the result (B.5 step 3). The L4 quirk fault STALLs it
 * a few times first, without changing state (B.8). */
static int getstatus_busy(struct dfu_dev *d, uint8_t *data)
{
	if (d->busy_stalls_left) {
		d->busy_stalls_left--;
		d->st.faults++;
		dfu_dlog(d, "  fault: GETSTATUS STALLed while busy (L4 quirk)");
		return DFU_DEV_STALL;
	}
	if (d->result == S_OK) {
		d->state = ST_DNLOAD_IDLE;
	} else {
		d->state = ST_ERROR;
		d->st.errors++;
	}
	d->status = d->result;
	return status_reply(data, d->status, 0, d->state);
}

static int req_getstatus(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	int n;

	if (s->wLength < 6)
		return stall(d, S_STALLEDPKT);
	d->st.getstatus++;
	switch (d->state) {
	case ST_DNLOAD_SYNC:
		return getstatus_sync(d, data);
	case ST_DNBUSY:
		return getstatus_busy(d, data);
	case ST_MANIFEST_SYNC:
		/* B.7 step 3: report dfuMANIFEST, then disconnect and jump. */
		d->state = ST_MANIFEST;
		n = status_reply(data, S_OK, 0, ST_MANIFEST);
		dfu_mem_leave(d);
		return n;
	default:
		return status_reply(data, d->status, 0, d->state);
	}
}

static bool valid_command(const uint8_t *c, uint16_t len)
{
	switch (c[0]) {
	case 0x21: return len == 5;
	case 0x41: return len == 1 || len == 5;
	case 0x92: return len == 1;
	default: return false;
	}
}

static int req_dnload(struct dfu_dev *d, const struct dfu_setup *s, const uint8_t *data)
{
	if (d->state != ST_IDLE && d->state != ST_DNLOAD_IDLE)
		return stall(d, S_STALLEDPKT);
	if (s->wLength == 0) {
		/* B.7 step 2: leave, accepted in dfuIDLE and dfuDNLOAD-IDLE;
		 * wValue is don't-care (F.8). */
		d->state = ST_MANIFEST_SYNC;
		return 0;
	}
	if (s->wLength > DFU_XFER_SIZE || s->wValue == 1)
		return stall(d, S_STALLEDPKT);   /* B.6: block 1 is not valid */
	if (s->wValue == 0 && !valid_command(data, s->wLength))
		return stall(d, S_STALLEDPKT);   /* B.4: unsupported DfuSe command */
	memcpy(d->buf, data, s->wLength);
	d->buf_len = s->wLength;
	d->block = s->wValue;
	d->state = ST_DNLOAD_SYNC;
	return s->wLength;
}

/* UPLOAD wValue 0: Get Commands (B.5). State as in ST's DFU class: a buffer
 * of more than 3 bytes ends the upload (dfuIDLE). */
static int upload_commands(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	static const uint8_t cmds[4] = { 0x00, 0x21, 0x41, 0x92 };
	size_t n = s->wLength < sizeof(cmds) ? s->wLength : sizeof(cmds);

	memcpy(data, cmds, n);
	d->state = s->wLength > 3 ? ST_IDLE : ST_UPLOAD_IDLE;
	return (int)n;
}

static int req_upload(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	uint8_t st;
	int n;

	/* B.6: reads only from dfuIDLE or dfuUPLOAD-IDLE. */
	if (d->state != ST_IDLE && d->state != ST_UPLOAD_IDLE)
		return stall(d, S_STALLEDPKT);
	if (s->wLength > DFU_XFER_SIZE || s->wValue == 1)
		return stall(d, S_STALLEDPKT);
	if (s->wValue == 0)
		return upload_commands(d, s, data);
	n = dfu_mem_read(d, s->wValue, data, s->wLength, &st);
	if (n < 0)
		return stall(d, st);
	d->state = ST_UPLOAD_IDLE;
	d->st.uploads++;
	d->st.bytes_up += (unsigned)n;
	return n;
}

static int req_clrstatus(struct dfu_dev *d)
{
	if (d->state != ST_ERROR)
		return stall(d, S_STALLEDPKT);
	d->state = ST_IDLE;
	d->status = S_OK;
	return 0;
}

/* ABORT and (INF for the ROM) DETACH: back to dfuIDLE from the idle and
 * sync states; dfuDNBUSY counts as done here, since with the timing model a
 * request only arrives once the flash is idle. */
static int req_abort(struct dfu_dev *d)
{
	switch (d->state) {
	case ST_IDLE: case ST_DNLOAD_SYNC: case ST_DNBUSY: case ST_DNLOAD_IDLE:
	case ST_MANIFEST_SYNC: case ST_UPLOAD_IDLE:
		d->state = ST_IDLE;
		d->status = S_OK;
		return 0;
	default:
		return stall(d, S_STALLEDPKT);
	}
}

static bool direction_ok(const struct dfu_setup *s)
{
	bool in = (s->bmRequestType & 0x80) != 0;

	switch (s->bRequest) {
	case REQ_UPLOAD: case REQ_GETSTATUS: case REQ_GETSTATE:
		return in;
	default:
		return !in;
	}
}

static int class_request(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	if (s->wIndex != 0 || s->bRequest > REQ_ABORT || !direction_ok(s))
		return stall(d, S_STALLEDPKT);
	if (dfu_chance(d, d->cfg.faults.stall_pct)) {
		dfu_dlog(d, "  fault: request STALLed");
		return stall(d, S_STALLEDPKT);
	}
	switch (s->bRequest) {
	case REQ_DNLOAD: return req_dnload(d, s, data);
	case REQ_UPLOAD: return req_upload(d, s, data);
	case REQ_GETSTATUS: return req_getstatus(d, s, data);
	case REQ_CLRSTATUS: return req_clrstatus(d);
	case REQ_GETSTATE:
		if (s->wLength < 1)
			return stall(d, S_STALLEDPKT);
		data[0] = d->state;
		return 1;
	default: return req_abort(d);   /* DETACH, ABORT */
	}
}

/*
 * The application's DFU run-time interface (DFU 1.1 §5.1): GETSTATUS and
 * GETSTATE say appIDLE; DFU_DETACH makes it restart into the ROM loader:
 * with bitWillDetach it leaves the bus at once; without, it waits in
 * appDETACH for the host's USB reset (dfu_dev_usb_reset). The wait has no
 * end in the model (the real wDetachTimeOut would send it back to appIDLE:
 * INF, nothing here depends on it). Anything else is STALLed.
 */
static int app_request(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	if ((s->bmRequestType & 0x60) == 0x00)
		return dfu_desc_standard(d, s, data);
	if ((s->bmRequestType & 0x60) != 0x20 || s->wIndex != 0 || !direction_ok(s))
		return DFU_DEV_STALL;
	switch (s->bRequest) {
	case REQ_DETACH:
		if (d->cfg.app_waits_reset) {
			dfu_dlog(d, "  the application waits for a USB reset (appDETACH)");
			d->state = ST_APP_DETACH;
			return 0;
		}
		dfu_dlog(d, "  the application detaches (wDetachTimeOut %u ms): restarts in the ROM loader",
			 s->wValue);
		d->after_reply = true;
		return 0;
	case REQ_GETSTATUS:
		return s->wLength < 6 ? DFU_DEV_STALL : status_reply(data, S_OK, 0, d->state);
	case REQ_GETSTATE:
		if (s->wLength < 1)
			return DFU_DEV_STALL;
		data[0] = d->state;
		return 1;
	default:
		return DFU_DEV_STALL;
	}
}

/* ---- transfers ---- */

uint64_t dfu_dev_bus_us(size_t len)
{
	return (uint64_t)(2 + (len + 63) / 64) * XACT_US;
}

/* Timing: when the transfer may start. The pipe carries one transfer at a
 * time; a busy flash NAKs until done, except for the L4-quirk STALLs. */
static uint64_t transfer_start(struct dfu_dev *d, const struct dfu_setup *s, uint64_t now)
{
	uint64_t t = now > d->bus_free_us ? now : d->bus_free_us;
	bool quirk = s->bRequest == REQ_GETSTATUS && d->state == ST_DNBUSY && d->busy_stalls_left;

	if (!quirk && t < d->busy_until_us) {
		d->st.wait_us += d->busy_until_us - t;
		t = d->busy_until_us;
	}
	return t;
}

static int dispatch(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	switch (s->bmRequestType & 0x60) {
	case 0x00: return dfu_desc_standard(d, s, data);
	case 0x20: return class_request(d, s, data);
	default: return DFU_DEV_STALL;
	}
}

static void log_request(struct dfu_dev *d, const struct dfu_setup *s, int r)
{
	static const char *const names[] = { "DETACH", "DNLOAD", "UPLOAD", "GETSTATUS",
					     "CLRSTATUS", "GETSTATE", "ABORT" };
	const char *name = (s->bmRequestType & 0x60) == 0x20 && s->bRequest <= REQ_ABORT
		? names[s->bRequest] : "STD";

	dfu_dlog(d, "%-9s %02X %02X wValue=%u wIndex=%u wLength=%u -> %s%d, %s/%s", name,
	     s->bmRequestType, s->bRequest, s->wValue, s->wIndex, s->wLength,
	     r == DFU_DEV_STALL ? "STALL " : "", r < 0 ? 0 : r,
	     dfu_dev_state_str(d->state), dfu_dev_status_str(d->status));
}

int dfu_dev_control(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data,
		    uint64_t now_us, uint64_t *done_us)
{
	uint64_t start, done;
	int r;

	if (done_us)
		*done_us = now_us;
	if (!check_board(d))
		return DFU_DEV_GONE;
	if (d->cfg.faults.vanish_at && ++d->xfers == d->cfg.faults.vanish_at) {
		d->vanished = true;
		d->st.faults++;
		dfu_detach(d, DFU_DEV_EV_VANISHED);
		return DFU_DEV_GONE;
	}
	start = d->cfg.timing ? transfer_start(d, s, now_us) : now_us;
	d->op_busy_us = 0;
	d->st.requests++;
	r = d->as_app ? app_request(d, s, data) : dispatch(d, s, data);
	if (r == DFU_DEV_STALL)
		d->st.stalls++;
	log_request(d, s, r);
	if (d->cfg.timing) {
		done = start + dfu_dev_bus_us(r > 0 ? (size_t)r : 0);
		d->st.bus_us += done - start;
		d->bus_free_us = done;
		d->busy_until_us = done + d->op_busy_us;
		if (done_us)
			*done_us = done;
	}
	if (d->after_reply) {  /* the application's DETACH, once its status stage is done */
		d->after_reply = false;
		dfu_detach(d, DFU_DEV_EV_DETACHED);
		board_enter_rom(d->b);
	}
	return r;
}

int dfu_dev_set_alt(struct dfu_dev *d, unsigned interface, unsigned alt)
{
	if (!check_board(d))
		return DFU_DEV_GONE;
	if (interface != 0 || alt >= (d->as_app ? 1u : DFU_NUM_ALTS))
		return DFU_DEV_STALL;
	d->alt = alt;
	dfu_dlog(d, "SET_INTERFACE alt %u (%s)", alt, d->layout[alt]);
	return 0;
}

int dfu_dev_set_config(struct dfu_dev *d, unsigned config)
{
	if (!check_board(d))
		return DFU_DEV_GONE;
	if (config > 1)
		return DFU_DEV_STALL;
	d->config = (uint8_t)config;
	return 0;
}

/* A USB bus reset keeps the part in the ROM (INF): the DFU function starts over. */
int dfu_dev_usb_reset(struct dfu_dev *d)
{
	if (!check_board(d))
		return DFU_DEV_GONE;
	if (d->as_app && d->state == ST_APP_DETACH) {
		dfu_dlog(d, "USB reset in appDETACH: the application detaches, restarts in the ROM loader");
		dfu_detach(d, DFU_DEV_EV_DETACHED);
		board_enter_rom(d->b);
		return 0;
	}
	if (d->as_app) {  /* appIDLE: a bus reset does not concern the DFU function */
		dfu_dlog(d, "USB reset (the application carries on)");
		return 0;
	}
	reset_dfu_state(d);
	dfu_dlog(d, "USB reset");
	return 0;
}

/* ---- life cycle and introspection ---- */

struct dfu_dev *dfu_dev_new(struct board *b, const struct dfu_dev_config *cfg)
{
	struct dfu_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->b = b;
	d->cfg = *cfg;
	d->config = 1;
	d->rng = cfg->faults.seed * 2654435761u + cfg->index * 40503u + 1u;
	if (!d->rng)
		d->rng = 1;
	dfu_desc_init(d);
	board_take_busy_us(b);
	dfu_dev_reconnect(d);
	return d;
}

void dfu_dev_free(struct dfu_dev *d)
{
	free(d);
}

uint8_t dfu_dev_state(const struct dfu_dev *d) { return d->state; }
uint8_t dfu_dev_status(const struct dfu_dev *d) { return d->status; }
uint32_t dfu_dev_pointer(const struct dfu_dev *d) { return d->ptr; }
unsigned dfu_dev_alt(const struct dfu_dev *d) { return d->alt; }
void dfu_dev_stats(const struct dfu_dev *d, struct dfu_dev_stats *out) { *out = d->st; }
