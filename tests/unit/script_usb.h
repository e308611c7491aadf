/* SPDX-License-Identifier: MIT */
/*
 * script_usb.h - a scripted USB control pipe (struct sb_usb) for engine
 * tests. Implementation: tests/fake/script_usb.c (no cmocka inside, so any
 * test binary can link it).
 *
 * A script is the list of control transfers the engine under test must
 * make, in order, each with the device's answer. The fake checks
 * bmRequestType, bRequest, wValue, wIndex, wLength and, for OUT transfers,
 * every data byte. It answers IN transfers with canned bytes (fewer than
 * wLength is a short packet) and can fail any transfer with an sb_err code:
 * SB_ERR_NACK is a STALL, SB_ERR_NO_DEVICE a device that went away.
 * set_alt calls are steps too. sleep_ms calls are not steps: they are
 * recorded (script_usb_sleeps) and advance a virtual clock that now_ms
 * returns, so deadline tests take no real time.
 *
 * After the first mismatch every later call fails with SB_ERR_IO, and
 * script_usb_error() describes the mismatch. A test ends with
 * assert_script_done(s): no mismatch and every step used.
 *
 *   struct script_usb *s = script_usb_new();
 *   script_command(s, (const uint8_t[]){ 0x41 }, 1, 20);  // mass erase, busy 20 ms
 *   struct sb_usb usb = script_usb_link(s);
 *   ... run the engine on usb ...
 *   assert_script_done(s);
 *   script_usb_free(s);
 *
 * Ownership: script_usb_new() returns a script freed with script_usb_free();
 * step data is copied. Not thread-safe.
 */
#ifndef TEST_SCRIPT_USB_H
#define TEST_SCRIPT_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_link.h"

struct script_usb;

struct script_usb *script_usb_new(void);
void script_usb_free(struct script_usb *s);

/* The ops table and handle to give the engine. close is NULL. */
struct sb_usb script_usb_link(struct script_usb *s);

/* wIndex every following step expects (default 0). */
void script_usb_interface(struct script_usb *s, uint16_t windex);

/*
 * Any control transfer. OUT (type bit 7 clear): data/n are the bytes
 * expected (n must equal wlength). IN: data/n are the reply (n <= wlength).
 * result 0: the transfer succeeds (returns wlength for OUT, n for IN);
 * negative: the transfer fails with that sb_err code and no data.
 */
void script_expect(struct script_usb *s, uint8_t type, uint8_t req, uint16_t value,
		   uint16_t wlength, const uint8_t *data, size_t n, int result);

/* DFU requests (bRequest per protocol-facts B.2). */
void script_dnload(struct script_usb *s, uint16_t block, const uint8_t *data, size_t n);
void script_dnload_fail(struct script_usb *s, uint16_t block, const uint8_t *data, size_t n,
			int err);
void script_upload(struct script_usb *s, uint16_t block, uint16_t wlength, const uint8_t *reply,
		   size_t n);
void script_upload_fail(struct script_usb *s, uint16_t block, uint16_t wlength, int err);
void script_status(struct script_usb *s, uint8_t status, uint32_t poll_ms, uint8_t state);
void script_status_fail(struct script_usb *s, int err);
void script_clrstatus(struct script_usb *s);
void script_abort(struct script_usb *s);
void script_getstate(struct script_usb *s, uint8_t state);
/* set_alt(interface, alt) with result (0 or an sb_err). */
void script_set_alt(struct script_usb *s, int interface, int alt, int result);

/*
 * A DfuSe command that succeeds: DNLOAD block 0 with cmd, GETSTATUS
 * dfuDNBUSY (bwPollTimeout poll_ms), GETSTATUS dfuDNLOAD-IDLE.
 */
void script_command(struct script_usb *s, const uint8_t *cmd, size_t n, uint32_t poll_ms);
/* script_command with 21 + little-endian addr, poll 0. */
void script_set_address(struct script_usb *s, uint32_t addr);
/* A data block that succeeds: DNLOAD block, busy poll_ms, dfuDNLOAD-IDLE. */
void script_block(struct script_usb *s, uint16_t block, const uint8_t *data, size_t n,
		  uint32_t poll_ms);

/* Sleeps so far (ms each, in order) and their count. */
size_t script_usb_sleeps(const struct script_usb *s, const unsigned **ms);
/* The virtual clock: sum of sleeps. */
uint64_t script_usb_now(const struct script_usb *s);

/* True when no mismatch happened and every step was used. */
bool script_usb_done(const struct script_usb *s);
/* What went wrong ("" if nothing). */
const char *script_usb_error(struct script_usb *s);

/* For cmocka tests (needs <cmocka.h> included first). */
#define assert_script_done(s)                                          \
	do {                                                           \
		if (!script_usb_done(s))                               \
			fail_msg("script_usb: %s", script_usb_error(s)); \
	} while (0)

#endif
