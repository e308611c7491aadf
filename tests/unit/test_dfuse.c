/* SPDX-License-Identifier: MIT */
/*
 * test_dfuse.c - the DfuSe host engine against scripted control transfers
 * (tests/unit/script_usb.h). Transfer size 16 keeps the data small.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfuse.h"
#include "dfuse_layout.h"
#include "script_usb.h"

#define XFER 16

enum { BUSY = DFU_STATE_DNBUSY, DN_IDLE = DFU_STATE_DNLOAD_IDLE, IDLE = DFU_STATE_IDLE,
       ERROR = DFU_STATE_ERROR };

struct fixture {
	struct script_usb *s;
	struct sb_usb usb;
	struct dfuse_config cfg;
	struct dfuse *d;
	struct sb_diag diag;
	char log[8192];
	struct dfuse_progress last;
	unsigned progress_calls;
};

static void log_fn(void *ctx, enum sb_log_level level, const char *msg)
{
	struct fixture *f = ctx;
	size_t n = strlen(f->log);

	(void)level;
	snprintf(f->log + n, sizeof(f->log) - n, "%s\n", msg);
}

static void progress_fn(void *ctx, const struct dfuse_progress *p)
{
	struct fixture *f = ctx;

	f->last = *p;
	f->progress_calls++;
}

static struct sb_log test_log;

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.s = script_usb_new();
	f.usb = script_usb_link(f.s);
	test_log = (struct sb_log){ .fn = log_fn, .ctx = &f, .max = SB_LOG_TRACE };
	f.cfg = (struct dfuse_config){ .interface = 0, .transfer_size = XFER, .log = &test_log,
				       .progress = progress_fn, .progress_ctx = &f };
	dfuse_timeouts_default(&f.cfg.to);
	f.cfg.to.retries = 0;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dfuse_free(f->d);
	script_usb_free(f->s);
	return 0;
}

/* The engine, created after the test has adjusted f->cfg. */
static struct dfuse *eng(struct fixture *f)
{
	if (!f->d)
		f->d = dfuse_new(&f->usb, &f->cfg);
	assert_non_null(f->d);
	return f->d;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void assert_sleeps(struct script_usb *s, const unsigned *want, size_t n)
{
	const unsigned *ms;
	size_t got = script_usb_sleeps(s, &ms);

	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ms[i], want[i]);
}

/* ---- names ------------------------------------------------------------------ */

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dfu_state_name(DFU_STATE_DNBUSY), "dfuDNBUSY");
	assert_string_equal(dfu_state_name(DFU_STATE_ERROR), "dfuERROR");
	assert_string_equal(dfu_state_name(11), "unknown");
	assert_string_equal(dfu_status_name(DFU_STATUS_ERR_VENDOR), "errVENDOR");
	assert_string_equal(dfu_status_name(DFU_STATUS_ERR_STALLEDPKT), "errSTALLEDPKT");
	assert_string_equal(dfu_status_name(0x10), "unknown");
}

/* ---- DfuSe commands: exact bytes and handshake --------------------------------- */

static void test_set_address_bytes(void **state)
{
	struct fixture *f = *state;

	script_command(f->s, (const uint8_t[]){ 0x21, 0x00, 0x00, 0x00, 0x08 }, 5, 0);
	assert_int_equal(dfuse_set_address(eng(f), 0x08000000, &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_mass_erase_bytes_and_poll(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 300, BUSY);
	script_status(f->s, 0, 450, BUSY);
	script_status(f->s, 0, 0, DN_IDLE);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_sleeps(f->s, (const unsigned[]){ 300, 450 }, 2);
}

static void test_erase_page_bytes(void **state)
{
	struct fixture *f = *state;

	script_command(f->s, (const uint8_t[]){ 0x41, 0x00, 0x10, 0x00, 0x08 }, 5, 22);
	assert_int_equal(dfuse_erase_page(eng(f), 0x08001000, &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_sleeps(f->s, (const unsigned[]){ 22 }, 1);
}

static void test_poll_timeout_24bit(void **state)
{
	struct fixture *f = *state;

	f->cfg.to.mass_erase_ms = 0;  /* no deadline */
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 0x012345, BUSY);
	script_status(f->s, 0, 0, DN_IDLE);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_sleeps(f->s, (const unsigned[]){ 0x012345 }, 1);
}

static void test_min_poll_floor(void **state)
{
	struct fixture *f = *state;

	f->cfg.to.min_poll_ms = 5;
	script_command(f->s, (const uint8_t[]){ 0x41, 0, 0, 0, 8 }, 5, 2);
	assert_int_equal(dfuse_erase_page(eng(f), 0x08000000, &f->diag), SB_OK);
	assert_sleeps(f->s, (const unsigned[]){ 5 }, 1);
	assert_script_done(f->s);
}

static void test_get_commands(void **state)
{
	struct fixture *f = *state;
	uint8_t cmds[8];
	size_t n = 0;

	script_upload(f->s, 0, 16, (const uint8_t[]){ 0x00, 0x21, 0x41, 0x92 }, 4);
	script_abort(f->s);
	assert_int_equal(dfuse_get_commands(eng(f), cmds, sizeof(cmds), &n, &f->diag), SB_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(cmds, ((const uint8_t[]){ 0x00, 0x21, 0x41, 0x92 }), 4);
	assert_script_done(f->s);
}

static void test_handshake_skipped_busy_is_state_error(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 0, DN_IDLE);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_ERR_STATE);
	assert_non_null(strstr(f->diag.msg, "dfuDNBUSY"));
	assert_script_done(f->s);
}

static void test_unexpected_state(void **state)
{
	struct fixture *f = *state;

	script_command(f->s, (const uint8_t[]){ 0x21, 0, 0, 0, 8 }, 5, 0);
	assert_int_equal(dfuse_set_address(eng(f), 0x08000000, NULL), SB_OK);
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 0, DFU_STATE_UPLOAD_IDLE);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_ERR_STATE);
	assert_non_null(strstr(f->diag.msg, "dfuUPLOAD-IDLE"));
	assert_script_done(f->s);
}

/* ---- stalls, deadlines, zero polls (protocol-facts B.8) ------------------------- */

static void test_stalled_status_then_success(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x41, 0x00, 0x20, 0x00, 0x08 }, 5);
	script_status(f->s, 0, 25, BUSY);
	script_status_fail(f->s, SB_ERR_NACK);
	script_status_fail(f->s, SB_ERR_NACK);
	script_status_fail(f->s, SB_ERR_NACK);
	script_status(f->s, 0, 0, DN_IDLE);
	assert_int_equal(dfuse_erase_page(eng(f), 0x08002000, &f->diag), SB_OK);
	assert_script_done(f->s);
	/* the last bwPollTimeout is reused after each stall */
	assert_sleeps(f->s, (const unsigned[]){ 25, 25, 25, 25 }, 4);
}

static void test_stall_on_first_status_counts_as_busy(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status_fail(f->s, SB_ERR_NACK);
	script_status(f->s, 0, 0, DN_IDLE);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_OK);
	assert_sleeps(f->s, (const unsigned[]){ 10 }, 1);  /* stall_wait_ms */
	assert_script_done(f->s);
}

static void test_too_many_stalls(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x41, 0x00, 0x20, 0x00, 0x08 }, 5);
	script_status(f->s, 0, 25, BUSY);
	for (int i = 0; i < 4; i++)
		script_status_fail(f->s, SB_ERR_NACK);
	assert_int_equal(dfuse_erase_page(eng(f), 0x08002000, &f->diag), SB_ERR_NACK);
	assert_non_null(strstr(f->diag.msg, "stalled 4 times"));
	assert_true(f->diag.has_addr);
	assert_int_equal(f->diag.addr, 0x08002000);
	assert_script_done(f->s);
}

static void test_too_many_stalls_then_retry_succeeds(void **state)
{
	struct fixture *f = *state;
	const uint8_t cmd[5] = { 0x41, 0x00, 0x20, 0x00, 0x08 };

	f->cfg.to.retries = 1;
	f->cfg.to.stall_retries = 1;
	script_dnload(f->s, 0, cmd, 5);
	script_status(f->s, 0, 25, BUSY);
	script_status_fail(f->s, SB_ERR_NACK);
	script_status_fail(f->s, SB_ERR_NACK);
	/* recovery: back to dfuIDLE (CLRSTATUS only because it says dfuERROR) */
	script_status(f->s, DFU_STATUS_ERR_STALLEDPKT, 0, ERROR);
	script_clrstatus(f->s);
	script_status(f->s, 0, 0, IDLE);
	script_command(f->s, cmd, 5, 25);
	assert_int_equal(dfuse_erase_page(eng(f), 0x08002000, &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_non_null(strstr(f->log, "retrying (1 of 1)"));
}

static void test_status_timeout_while_busy(void **state)
{
	struct fixture *f = *state;

	/* mass erase deadline 60 s, control 5 s: up to 12 silent polls while busy */
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 100, BUSY);
	script_status_fail(f->s, SB_ERR_TIMEOUT);
	script_status_fail(f->s, SB_ERR_TIMEOUT);
	script_status(f->s, 0, 0, DN_IDLE);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_status_timeout_bounded(void **state)
{
	struct fixture *f = *state;

	f->cfg.to.page_erase_ms = 10000;  /* 2 timeouts of 5 s allowed */
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41, 0, 0, 0, 8 }, 5);
	script_status(f->s, 0, 20, BUSY);
	for (int i = 0; i < 3; i++)
		script_status_fail(f->s, SB_ERR_TIMEOUT);
	assert_int_equal(dfuse_erase_page(eng(f), 0x08000000, &f->diag), SB_ERR_TIMEOUT);
	assert_script_done(f->s);
}

static void test_status_timeout_before_busy_fails(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status_fail(f->s, SB_ERR_TIMEOUT);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_ERR_TIMEOUT);
	assert_non_null(strstr(f->diag.msg, "GETSTATUS failed"));
	assert_script_done(f->s);
}

static void test_deadline(void **state)
{
	struct fixture *f = *state;

	f->cfg.to.mass_erase_ms = 100;
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 60, BUSY);
	script_status(f->s, 0, 60, BUSY);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_ERR_TIMEOUT);
	assert_non_null(strstr(f->diag.msg, "not finished after 100 ms"));
	assert_script_done(f->s);
}

static void test_zero_poll_bound(void **state)
{
	struct fixture *f = *state;

	f->cfg.to.zero_polls = 3;
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	for (int i = 0; i < 4; i++)
		script_status(f->s, 0, 0, BUSY);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_ERR_TIMEOUT);
	assert_non_null(strstr(f->diag.msg, "stuck"));
	assert_script_done(f->s);
	assert_int_equal(script_usb_sleeps(f->s, NULL), 0);
}

static void test_zero_polls_reset_by_nonzero(void **state)
{
	struct fixture *f = *state;

	f->cfg.to.zero_polls = 1;
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 0, BUSY);
	script_status(f->s, 0, 3, BUSY);
	script_status(f->s, 0, 0, BUSY);
	script_status(f->s, 0, 0, DN_IDLE);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

/* ---- status errors --------------------------------------------------------------- */

static void test_err_target_clears_and_names_address(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x21, 0x00, 0x00, 0x00, 0x09 }, 5);
	script_status(f->s, 0, 0, BUSY);
	script_status(f->s, DFU_STATUS_ERR_TARGET, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_set_address(eng(f), 0x09000000, &f->diag), SB_ERR_BAD_INPUT);
	assert_true(f->diag.has_addr);
	assert_int_equal(f->diag.addr, 0x09000000);
	assert_non_null(strstr(f->diag.msg, "0x09000000"));
	assert_non_null(strstr(f->diag.msg, "errTARGET"));
	assert_script_done(f->s);
}

static void test_err_target_not_retried(void **state)
{
	struct fixture *f = *state;

	f->cfg.to.retries = 3;
	script_dnload(f->s, 0, (const uint8_t[]){ 0x41, 0x00, 0x00, 0x00, 0x09 }, 5);
	script_status(f->s, 0, 0, BUSY);
	script_status(f->s, DFU_STATUS_ERR_TARGET, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_erase_page(eng(f), 0x09000000, &f->diag), SB_ERR_BAD_INPUT);
	assert_script_done(f->s);
}

static void test_err_vendor_is_protected(void **state)
{
	struct fixture *f = *state;

	/* Set Address under RDP fails with errVENDOR (protocol-facts F.4) */
	script_dnload(f->s, 0, (const uint8_t[]){ 0x21, 0x00, 0x00, 0x00, 0x08 }, 5);
	script_status(f->s, 0, 0, BUSY);
	script_status(f->s, DFU_STATUS_ERR_VENDOR, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_set_address(eng(f), 0x08000000, &f->diag), SB_ERR_PROTECTED);
	assert_non_null(strstr(f->diag.msg, "read protection"));
	assert_script_done(f->s);
}

static void test_upload_stall_err_vendor_is_protected(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[XFER];

	f->cfg.to.retries = 2;
	script_set_address(f->s, 0x08000000);
	script_abort(f->s);
	script_upload_fail(f->s, 2, XFER, SB_ERR_NACK);
	script_status(f->s, DFU_STATUS_ERR_VENDOR, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_read(eng(f), 0x08000000, buf, sizeof(buf), NULL, &f->diag),
			 SB_ERR_PROTECTED);
	assert_script_done(f->s);
}

static void test_other_status_is_nack_named(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x41 }, 1);
	script_status(f->s, 0, 5, BUSY);
	script_status(f->s, DFU_STATUS_ERR_ERASE, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_ERR_NACK);
	assert_non_null(strstr(f->diag.msg, "errERASE"));
	assert_false(f->diag.has_addr);
	assert_script_done(f->s);
}

static void test_stalled_dnload_explained_and_retried(void **state)
{
	struct fixture *f = *state;
	const uint8_t cmd[5] = { 0x21, 0x00, 0x00, 0x00, 0x08 };

	f->cfg.to.retries = 1;
	script_dnload_fail(f->s, 0, cmd, 5, SB_ERR_NACK);
	script_status(f->s, DFU_STATUS_ERR_STALLEDPKT, 0, ERROR);
	script_clrstatus(f->s);
	script_status(f->s, 0, 0, IDLE);
	script_command(f->s, cmd, 5, 0);
	assert_int_equal(dfuse_set_address(eng(f), 0x08000000, &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_non_null(strstr(f->log, "errSTALLEDPKT"));
}

static void test_retries_bounded(void **state)
{
	struct fixture *f = *state;
	const uint8_t cmd[1] = { 0x41 };

	f->cfg.to.retries = 2;
	for (int i = 0; i < 3; i++) {
		script_dnload(f->s, 0, cmd, 1);
		script_status(f->s, 0, 1, BUSY);
		script_status(f->s, DFU_STATUS_ERR_ERASE, 0, ERROR);
		script_clrstatus(f->s);
		if (i < 2)
			script_status(f->s, 0, 0, IDLE);
	}
	assert_int_equal(dfuse_mass_erase(eng(f), &f->diag), SB_ERR_NACK);
	assert_script_done(f->s);
}

static void test_no_device(void **state)
{
	struct fixture *f = *state;
	const uint8_t cmd[5] = { 0x41, 0x00, 0x00, 0x00, 0x08 };

	f->cfg.to.retries = 3;
	script_dnload(f->s, 0, cmd, 5);
	script_status_fail(f->s, SB_ERR_NO_DEVICE);
	assert_int_equal(dfuse_erase_page(eng(f), 0x08000000, &f->diag), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(f->diag.msg, "device gone"));
	assert_non_null(strstr(f->diag.msg, "0x08000000"));
	assert_script_done(f->s);
}

/* ---- start (protocol-facts B.8: may come up in dfuERROR) -------------------------- */

static void test_start_clears_error(void **state)
{
	struct fixture *f = *state;

	script_status(f->s, DFU_STATUS_ERR_FIRMWARE, 0, ERROR);
	script_clrstatus(f->s);
	script_status(f->s, 0, 0, IDLE);
	assert_int_equal(dfuse_start(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_start_aborts_upload_idle(void **state)
{
	struct fixture *f = *state;

	script_status(f->s, 0, 0, DFU_STATE_UPLOAD_IDLE);
	script_abort(f->s);
	script_status(f->s, 0, 0, IDLE);
	assert_int_equal(dfuse_start(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_start_idle_no_clrstatus(void **state)
{
	struct fixture *f = *state;

	script_status(f->s, 0, 0, IDLE);
	assert_int_equal(dfuse_start(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_start_runtime_mode_refused(void **state)
{
	struct fixture *f = *state;

	script_status(f->s, 0, 0, DFU_STATE_APP_IDLE);
	assert_int_equal(dfuse_start(eng(f), &f->diag), SB_ERR_STATE);
	assert_non_null(strstr(f->diag.msg, "appIDLE"));
	assert_script_done(f->s);
}

/* ---- writes: block numbering and runs --------------------------------------------- */

static void test_write_block_numbering(void **state)
{
	struct fixture *f = *state;
	uint8_t data[3 * XFER];

	fill(data, sizeof(data), 1);
	script_set_address(f->s, 0x08000000);
	script_block(f->s, 2, data, XFER, 3);
	script_block(f->s, 3, data + XFER, XFER, 3);
	script_block(f->s, 4, data + 2 * XFER, XFER, 3);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_sleeps(f->s, (const unsigned[]){ 3, 3, 3 }, 3);
	assert_int_equal(f->last.phase, DFUSE_PHASE_WRITE);
	assert_int_equal(f->last.done, sizeof(data));
	assert_int_equal(f->last.total, sizeof(data));
	assert_int_equal(f->progress_calls, 3);
}

static void test_write_short_tail_gets_own_run(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2 * XFER + 8];

	/* protocol-facts F.7: a short block goes out only as wBlockNum 2 */
	fill(data, sizeof(data), 2);
	script_set_address(f->s, 0x08000000);
	script_block(f->s, 2, data, XFER, 0);
	script_block(f->s, 3, data + XFER, XFER, 0);
	script_set_address(f->s, 0x08000020);
	script_block(f->s, 2, data + 2 * XFER, 8, 0);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_write_short_single_block(void **state)
{
	struct fixture *f = *state;
	uint8_t data[8];

	fill(data, sizeof(data), 3);
	script_set_address(f->s, 0x08000100);
	script_block(f->s, 2, data, 8, 0);
	assert_int_equal(dfuse_write(eng(f), 0x08000100, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_write_run_limit(void **state)
{
	struct fixture *f = *state;
	uint8_t data[5 * XFER];

	f->cfg.to.run_blocks = 2;
	fill(data, sizeof(data), 4);
	script_set_address(f->s, 0x08000000);
	script_block(f->s, 2, data, XFER, 0);
	script_block(f->s, 3, data + XFER, XFER, 0);
	script_set_address(f->s, 0x08000020);
	script_block(f->s, 2, data + 2 * XFER, XFER, 0);
	script_block(f->s, 3, data + 3 * XFER, XFER, 0);
	script_set_address(f->s, 0x08000040);
	script_block(f->s, 2, data + 4 * XFER, XFER, 0);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_write_past_4g_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t data[32] = { 0 };

	assert_int_equal(dfuse_write(eng(f), 0xFFFFFFF0, data, sizeof(data), &f->diag),
			 SB_ERR_BAD_INPUT);
	assert_script_done(f->s);
}

static void test_write_image_segment_and_region_edges(void **state)
{
	struct fixture *f = *state;
	struct dfuse_layout l;
	uint8_t a[3 * XFER], b[XFER];
	struct sb_segment seg[2] = { { 0x08000010, sizeof(a), a }, { 0x08000100, sizeof(b), b } };
	struct sb_image img = { .seg = seg, .nseg = 2, .cap = 2 };

	/* two regions: 0x08000000-0x0800001F and 0x08000020-... */
	assert_int_equal(dfuse_layout_parse(&l, "@Flash /0x08000000/1*032 g,8*032 g", &f->diag),
			 SB_OK);
	fill(a, sizeof(a), 5);
	fill(b, sizeof(b), 6);
	script_set_address(f->s, 0x08000010);
	script_block(f->s, 2, a, XFER, 0);
	script_set_address(f->s, 0x08000020);      /* region edge */
	script_block(f->s, 2, a + XFER, XFER, 0);
	script_block(f->s, 3, a + 2 * XFER, XFER, 0);
	script_set_address(f->s, 0x08000100);      /* segment edge */
	script_block(f->s, 2, b, XFER, 0);
	assert_int_equal(dfuse_write_image(eng(f), &img, &l, &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_int_equal(f->last.done, sizeof(a) + sizeof(b));
	assert_int_equal(f->last.total, sizeof(a) + sizeof(b));
	dfuse_layout_free(&l);
}

/* ---- writes: failure and read-back ------------------------------------------------- */

/* Block 3 (at 0x08000010) fails with errPROG; the engine clears and reads it back. */
static void script_block3_fails(struct fixture *f, const uint8_t *data)
{
	script_set_address(f->s, 0x08000000);
	script_block(f->s, 2, data, XFER, 0);
	script_dnload(f->s, 3, data + XFER, XFER);
	script_status(f->s, 0, 1, BUSY);
	script_status(f->s, DFU_STATUS_ERR_PROG, 0, ERROR);
	script_clrstatus(f->s);
	script_status(f->s, 0, 0, IDLE);              /* back to dfuIDLE */
	script_set_address(f->s, 0x08000010);         /* read back the failed block */
	script_abort(f->s);
}

static void test_failed_block_already_written(void **state)
{
	struct fixture *f = *state;
	uint8_t data[3 * XFER];

	f->cfg.to.retries = 1;
	fill(data, sizeof(data), 7);
	script_block3_fails(f, data);
	script_upload(f->s, 2, XFER, data + XFER, XFER);  /* holds the data */
	script_abort(f->s);
	script_set_address(f->s, 0x08000020);
	script_block(f->s, 2, data + 2 * XFER, XFER, 0);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
	assert_int_equal(f->last.done, sizeof(data));
}

static void test_failed_block_erased_is_resent(void **state)
{
	struct fixture *f = *state;
	uint8_t data[3 * XFER], erased[XFER];

	f->cfg.to.retries = 1;
	fill(data, sizeof(data), 8);
	memset(erased, 0xFF, sizeof(erased));
	script_block3_fails(f, data);
	script_upload(f->s, 2, XFER, erased, XFER);
	script_abort(f->s);
	script_set_address(f->s, 0x08000010);
	script_block(f->s, 2, data + XFER, XFER, 0);
	script_block(f->s, 3, data + 2 * XFER, XFER, 0);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
}

/*
 * A double-word programmed with 0xFF reads erased but is refused again and
 * again (protocol-facts E.3): the block goes out twice, not retries + 1
 * times, and dfuse_write_status() names the status (errPROG or errWRITE,
 * B.4) for the caller's fallback.
 */
static void refused_twice(struct fixture *f, uint8_t status)
{
	uint8_t data[3 * XFER], erased[XFER];

	f->cfg.to.retries = 5;
	fill(data, sizeof(data), 8);
	memset(erased, 0xFF, sizeof(erased));
	script_block3_fails(f, data);                 /* errPROG at 0x08000010 */
	script_upload(f->s, 2, XFER, erased, XFER);   /* it still reads erased: resent */
	script_abort(f->s);
	script_set_address(f->s, 0x08000010);
	script_dnload(f->s, 2, data + XFER, XFER);
	script_status(f->s, 0, 1, BUSY);
	script_status(f->s, status, 0, ERROR);        /* refused again: given up */
	script_clrstatus(f->s);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag),
			 SB_ERR_NACK);
	assert_int_equal(dfuse_write_status(eng(f)), status);
	assert_true(f->diag.has_addr);
	assert_int_equal(f->diag.addr, 0x08000010);
	assert_script_done(f->s);
}

static void test_refused_twice_errprog(void **state)
{
	refused_twice(*state, DFU_STATUS_ERR_PROG);
}

static void test_refused_twice_errwrite(void **state)
{
	refused_twice(*state, DFU_STATUS_ERR_WRITE);
}

/* Any other failure leaves no programming status behind. */
static void test_write_status_cleared(void **state)
{
	struct fixture *f = *state;
	uint8_t data[XFER];

	f->cfg.to.retries = 0;
	fill(data, sizeof(data), 3);
	script_set_address(f->s, 0x08000000);
	script_dnload_fail(f->s, 2, data, XFER, SB_ERR_TIMEOUT);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag),
			 SB_ERR_TIMEOUT);
	assert_int_equal(dfuse_write_status(eng(f)), 0);
	assert_script_done(f->s);
}

static void test_failed_block_half_written_resends_tail(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2 * XFER], back[XFER];

	f->cfg.to.retries = 1;
	fill(data, sizeof(data), 9);
	memcpy(back, data + XFER, 8);       /* first double-word programmed */
	memset(back + 8, 0xFF, 8);
	script_set_address(f->s, 0x08000000);
	script_block(f->s, 2, data, XFER, 0);
	script_dnload(f->s, 3, data + XFER, XFER);
	script_status(f->s, 0, 1, BUSY);
	script_status(f->s, DFU_STATUS_ERR_PROG, 0, ERROR);
	script_clrstatus(f->s);
	script_status(f->s, 0, 0, IDLE);
	script_set_address(f->s, 0x08000010);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, back, XFER);
	script_abort(f->s);
	script_set_address(f->s, 0x08000018);
	script_block(f->s, 2, data + XFER + 8, 8, 0);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
}

/* The first differing byte is mid double-word: resend from the double-word's start. */
static void test_failed_block_resend_is_dword_aligned(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2 * XFER], back[XFER];

	f->cfg.to.retries = 1;
	fill(data, sizeof(data), 9);
	data[XFER + 8] = 0xFF;              /* equal to erased flash */
	data[XFER + 9] = 0xFF;
	memcpy(back, data + XFER, 8);
	memset(back + 8, 0xFF, 8);
	script_set_address(f->s, 0x08000000);
	script_block(f->s, 2, data, XFER, 0);
	script_dnload_fail(f->s, 3, data + XFER, XFER, SB_ERR_TIMEOUT);
	script_status(f->s, 0, 0, IDLE);
	script_set_address(f->s, 0x08000010);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, back, XFER);
	script_abort(f->s);
	script_set_address(f->s, 0x08000018);
	script_block(f->s, 2, data + XFER + 8, 8, 0);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_failed_block_conflict_names_address(void **state)
{
	struct fixture *f = *state;
	uint8_t data[3 * XFER], back[XFER];

	f->cfg.to.retries = 1;
	fill(data, sizeof(data), 10);
	memset(back, 0xFF, sizeof(back));
	back[12] = 0x00;   /* 0x0800001C holds something else */
	script_block3_fails(f, data);
	script_upload(f->s, 2, XFER, back, XFER);
	script_abort(f->s);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag),
			 SB_ERR_NACK);
	assert_true(f->diag.has_addr);
	assert_int_equal(f->diag.addr, 0x0800001C);
	assert_non_null(strstr(f->diag.msg, "0x0800001C"));
	assert_non_null(strstr(f->diag.msg, "errPROG"));
	assert_non_null(strstr(f->diag.msg, "erase the page"));
	assert_script_done(f->s);
}

static void test_failed_block_no_retries(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2 * XFER];

	fill(data, sizeof(data), 11);
	script_set_address(f->s, 0x08000000);
	script_block(f->s, 2, data, XFER, 0);
	script_dnload(f->s, 3, data + XFER, XFER);
	script_status(f->s, 0, 1, BUSY);
	script_status(f->s, DFU_STATUS_ERR_WRITE, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_write(eng(f), 0x08000000, data, sizeof(data), &f->diag),
			 SB_ERR_NACK);
	assert_int_equal(f->diag.addr, 0x08000010);
	assert_non_null(strstr(f->diag.msg, "errWRITE"));
	assert_script_done(f->s);
}

static void test_write_will_reset(void **state)
{
	struct fixture *f = *state;
	uint8_t ob[8];

	fill(ob, sizeof(ob), 12);
	script_set_address(f->s, 0x1FF00000);
	script_dnload(f->s, 2, ob, sizeof(ob));
	script_status(f->s, 0, 50, BUSY);
	assert_int_equal(dfuse_write_will_reset(eng(f), 0x1FF00000, ob, sizeof(ob), &f->diag),
			 SB_OK);
	assert_script_done(f->s);
}

/* ---- reads ----------------------------------------------------------------------- */

static void test_read_with_tail(void **state)
{
	struct fixture *f = *state;
	uint8_t mem[2 * XFER + 8], buf[sizeof(mem)];
	size_t got = 0;

	fill(mem, sizeof(mem), 13);
	script_set_address(f->s, 0x08000000);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, mem, XFER);
	script_upload(f->s, 3, XFER, mem + XFER, XFER);
	script_abort(f->s);
	script_set_address(f->s, 0x08000020);
	script_abort(f->s);
	script_upload(f->s, 2, 8, mem + 2 * XFER, 8);
	script_abort(f->s);
	assert_int_equal(dfuse_read(eng(f), 0x08000000, buf, sizeof(buf), &got, &f->diag), SB_OK);
	assert_int_equal(got, sizeof(mem));
	assert_memory_equal(buf, mem, sizeof(mem));
	assert_int_equal(f->last.phase, DFUSE_PHASE_READ);
	assert_int_equal(f->last.done, sizeof(mem));
	assert_script_done(f->s);
}

static void test_read_short_packet_ends(void **state)
{
	struct fixture *f = *state;
	uint8_t mem[XFER + 5], buf[3 * XFER];
	size_t got = 0;

	fill(mem, sizeof(mem), 14);
	script_set_address(f->s, 0x08000000);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, mem, XFER);
	script_upload(f->s, 3, XFER, mem + XFER, 5);   /* short packet: the end */
	script_abort(f->s);
	assert_int_equal(dfuse_read(eng(f), 0x08000000, buf, sizeof(buf), &got, &f->diag), SB_OK);
	assert_int_equal(got, sizeof(mem));
	assert_memory_equal(buf, mem, sizeof(mem));
	assert_script_done(f->s);
}

static void test_read_one_block(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[XFER];

	/* a read's Set Address needs dfuIDLE or dfuDNLOAD-IDLE; after it, ABORT (B.6) */
	script_set_address(f->s, 0x08000000);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, (const uint8_t[XFER]){ 0 }, XFER);
	script_abort(f->s);
	assert_int_equal(dfuse_read(eng(f), 0x08000000, buf, sizeof(buf), NULL, &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_read_stall_retried(void **state)
{
	struct fixture *f = *state;
	uint8_t mem[2 * XFER], buf[sizeof(mem)];

	f->cfg.to.retries = 1;
	fill(mem, sizeof(mem), 15);
	script_set_address(f->s, 0x08000000);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, mem, XFER);
	script_upload_fail(f->s, 3, XFER, SB_ERR_NACK);
	script_status(f->s, DFU_STATUS_ERR_STALLEDPKT, 0, ERROR);
	script_clrstatus(f->s);
	script_status(f->s, 0, 0, IDLE);
	script_set_address(f->s, 0x08000010);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, mem + XFER, XFER);
	script_abort(f->s);
	assert_int_equal(dfuse_read(eng(f), 0x08000000, buf, sizeof(buf), NULL, &f->diag), SB_OK);
	assert_memory_equal(buf, mem, sizeof(mem));
	assert_script_done(f->s);
}

static void test_verify_mismatch_names_address(void **state)
{
	struct fixture *f = *state;
	uint8_t data[XFER], flash[XFER];
	struct sb_segment seg = { 0x08000400, sizeof(data), data };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };

	fill(data, sizeof(data), 16);
	memcpy(flash, data, sizeof(flash));
	flash[9] ^= 0x40;
	script_set_address(f->s, 0x08000400);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, flash, XFER);
	script_abort(f->s);
	assert_int_equal(dfuse_verify_image(eng(f), &img, &f->diag), SB_ERR_VERIFY);
	assert_true(f->diag.has_addr);
	assert_int_equal(f->diag.addr, 0x08000409);
	assert_non_null(strstr(f->diag.msg, "0x08000409"));
	assert_int_equal(f->last.phase, DFUSE_PHASE_VERIFY);
	assert_script_done(f->s);
}

static void test_verify_ok(void **state)
{
	struct fixture *f = *state;
	uint8_t data[XFER];
	struct sb_segment seg = { 0x08000400, sizeof(data), data };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };

	fill(data, sizeof(data), 17);
	script_set_address(f->s, 0x08000400);
	script_abort(f->s);
	script_upload(f->s, 2, XFER, data, XFER);
	script_abort(f->s);
	assert_int_equal(dfuse_verify_image(eng(f), &img, &f->diag), SB_OK);
	assert_script_done(f->s);
}

/* ---- erase pages -------------------------------------------------------------------- */

static void test_erase_pages_progress(void **state)
{
	struct fixture *f = *state;
	const uint32_t pages[2] = { 0x08000000, 0x08001000 };

	script_command(f->s, (const uint8_t[]){ 0x41, 0x00, 0x00, 0x00, 0x08 }, 5, 20);
	script_command(f->s, (const uint8_t[]){ 0x41, 0x00, 0x10, 0x00, 0x08 }, 5, 20);
	assert_int_equal(dfuse_erase_pages(eng(f), pages, 2, &f->diag), SB_OK);
	assert_int_equal(f->last.phase, DFUSE_PHASE_ERASE);
	assert_int_equal(f->last.done, 2);
	assert_int_equal(f->last.total, 2);
	assert_int_equal(f->last.addr, 0x08001000);
	assert_script_done(f->s);
}

/* ---- leave (protocol-facts B.7) ------------------------------------------------------ */

static void script_leave_start(struct fixture *f, uint32_t addr)
{
	script_set_address(f->s, addr);
	script_dnload(f->s, 0, NULL, 0);
}

static void test_leave_disconnect_is_success(void **state)
{
	struct fixture *f = *state;

	script_leave_start(f, 0x08000000);
	script_status_fail(f->s, SB_ERR_NO_DEVICE);
	assert_int_equal(dfuse_leave(eng(f), 0x08000000, &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_leave_stall_is_success(void **state)
{
	struct fixture *f = *state;

	script_leave_start(f, 0x08004000);
	script_status_fail(f->s, SB_ERR_NACK);
	assert_int_equal(dfuse_leave(eng(f), 0x08004000, &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_leave_manifest_is_success(void **state)
{
	struct fixture *f = *state;

	script_leave_start(f, 0x08000000);
	script_status(f->s, 0, 0, DFU_STATE_MANIFEST);
	assert_int_equal(dfuse_leave(eng(f), 0x08000000, &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_leave_gone_at_dnload_is_success(void **state)
{
	struct fixture *f = *state;

	script_set_address(f->s, 0x08000000);
	script_expect(f->s, 0x21, 1, 0, 0, NULL, 0, SB_ERR_NO_DEVICE);
	assert_int_equal(dfuse_leave(eng(f), 0x08000000, &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_leave_error_status_fails(void **state)
{
	struct fixture *f = *state;

	script_leave_start(f, 0x08000000);
	script_status(f->s, DFU_STATUS_ERR_TARGET, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_leave(eng(f), 0x08000000, &f->diag), SB_ERR_BAD_INPUT);
	assert_script_done(f->s);
}

/* ---- read unprotect (protocol-facts B.5 exceptions) ------------------------------------ */

static void test_read_unprotect_expects_reset(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x92 }, 1);
	script_status(f->s, 0, 100, BUSY);
	/* nothing after: the device resets, a second GETSTATUS would fail */
	assert_int_equal(dfuse_read_unprotect(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_read_unprotect_gone_at_first_poll(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x92 }, 1);
	script_status_fail(f->s, SB_ERR_NO_DEVICE);
	assert_int_equal(dfuse_read_unprotect(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_read_unprotect_refused(void **state)
{
	struct fixture *f = *state;

	script_dnload(f->s, 0, (const uint8_t[]){ 0x92 }, 1);
	script_status(f->s, DFU_STATUS_ERR_UNKNOWN, 0, ERROR);
	script_clrstatus(f->s);
	assert_int_equal(dfuse_read_unprotect(eng(f), &f->diag), SB_ERR_NACK);
	assert_non_null(strstr(f->diag.msg, "errUNKNOWN"));
	assert_script_done(f->s);
}

/* ---- misc ----------------------------------------------------------------------------- */

static void test_trace_hex_dump(void **state)
{
	struct fixture *f = *state;

	script_set_address(f->s, 0x08000000);
	assert_int_equal(dfuse_set_address(eng(f), 0x08000000, &f->diag), SB_OK);
	assert_non_null(strstr(f->log, "usb> 21 01 0000 0000 0005 DNLOAD    21 00 00 00 08"));
	assert_non_null(strstr(f->log, "usb< A1 03 0000 0000 0006 GETSTATUS 00 00 00 00 04 00"));
	assert_script_done(f->s);
}

static void test_set_alt_and_interface(void **state)
{
	struct fixture *f = *state;

	f->cfg.interface = 1;
	script_usb_interface(f->s, 1);
	script_set_alt(f->s, 1, 2, SB_OK);
	script_status(f->s, 0, 0, IDLE);
	assert_int_equal(dfuse_set_alt(eng(f), 2, &f->diag), SB_OK);
	assert_int_equal(dfuse_start(eng(f), &f->diag), SB_OK);
	assert_script_done(f->s);
}

static void test_script_detects_wrong_bytes(void **state)
{
	struct fixture *f = *state;

	/* the fake itself must catch a wrong command byte */
	script_command(f->s, (const uint8_t[]){ 0x21, 0x00, 0x00, 0x00, 0x08 }, 5, 0);
	assert_int_not_equal(dfuse_set_address(eng(f), 0x08000004, &f->diag), SB_OK);
	assert_false(script_usb_done(f->s));
	assert_non_null(strstr(script_usb_error(f->s), "byte 1"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_names),
		T(test_set_address_bytes),
		T(test_mass_erase_bytes_and_poll),
		T(test_erase_page_bytes),
		T(test_poll_timeout_24bit),
		T(test_min_poll_floor),
		T(test_get_commands),
		T(test_handshake_skipped_busy_is_state_error),
		T(test_unexpected_state),
		T(test_stalled_status_then_success),
		T(test_stall_on_first_status_counts_as_busy),
		T(test_too_many_stalls),
		T(test_too_many_stalls_then_retry_succeeds),
		T(test_status_timeout_while_busy),
		T(test_status_timeout_bounded),
		T(test_status_timeout_before_busy_fails),
		T(test_deadline),
		T(test_zero_poll_bound),
		T(test_zero_polls_reset_by_nonzero),
		T(test_err_target_clears_and_names_address),
		T(test_err_target_not_retried),
		T(test_err_vendor_is_protected),
		T(test_upload_stall_err_vendor_is_protected),
		T(test_other_status_is_nack_named),
		T(test_stalled_dnload_explained_and_retried),
		T(test_retries_bounded),
		T(test_no_device),
		T(test_start_clears_error),
		T(test_start_aborts_upload_idle),
		T(test_start_idle_no_clrstatus),
		T(test_start_runtime_mode_refused),
		T(test_write_block_numbering),
		T(test_write_short_tail_gets_own_run),
		T(test_write_short_single_block),
		T(test_write_run_limit),
		T(test_write_past_4g_refused),
		T(test_write_image_segment_and_region_edges),
		T(test_failed_block_already_written),
		T(test_failed_block_erased_is_resent),
		T(test_refused_twice_errprog),
		T(test_refused_twice_errwrite),
		T(test_write_status_cleared),
		T(test_failed_block_half_written_resends_tail),
		T(test_failed_block_resend_is_dword_aligned),
		T(test_failed_block_conflict_names_address),
		T(test_failed_block_no_retries),
		T(test_write_will_reset),
		T(test_read_with_tail),
		T(test_read_short_packet_ends),
		T(test_read_one_block),
		T(test_read_stall_retried),
		T(test_verify_mismatch_names_address),
		T(test_verify_ok),
		T(test_erase_pages_progress),
		T(test_leave_disconnect_is_success),
		T(test_leave_stall_is_success),
		T(test_leave_manifest_is_success),
		T(test_leave_gone_at_dnload_is_success),
		T(test_leave_error_status_fails),
		T(test_read_unprotect_expects_reset),
		T(test_read_unprotect_gone_at_first_poll),
		T(test_read_unprotect_refused),
		T(test_trace_hex_dump),
		T(test_set_alt_and_interface),
		T(test_script_detects_wrong_bytes),
	};

	return cmocka_run_group_tests_name("dfuse", tests, NULL, NULL);
}
