/* SPDX-License-Identifier: MIT */
/*
 * test_dfu_dev.c - the DfuSe device model (sim/dfu_dev.h) on a memory-only
 * board: descriptors, the DFU state machine, DfuSe commands and statuses,
 * read protection, leave and re-enumeration, the timing model on a clock
 * the test drives, fault injection, the sb_usb binding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "dfu_dev.h"
#include "sb_err.h"

enum { IDLE = 2, DNLOAD_SYNC = 3, DNBUSY = 4, DNLOAD_IDLE = 5, MANIFEST = 7, UPLOAD_IDLE = 9,
       ERROR = 10 };
enum { S_OK = 0, S_TARGET = 1, S_WRITE = 3, S_PROG = 6, S_VENDOR = 0x0B, S_UNKNOWN = 0x0E,
       S_STALLED = 0x0F };

#define FLASH 0x08000000u

struct fx {
	struct board *b;
	struct dfu_dev *d;
};

static struct fx *fx_new(uint32_t optr, const struct dfu_dev_faults *faults, bool timing)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct board_config bc = { .optr = optr };
	struct dfu_dev_config dc = { .index = 1, .timing = timing };

	if (faults)
		dc.faults = *faults;
	f->b = board_new(&bc);
	assert_non_null(f->b);
	f->d = dfu_dev_new(f->b, &dc);
	assert_non_null(f->d);
	return f;
}

static void fx_free(struct fx *f)
{
	dfu_dev_free(f->d);
	board_free(f->b);
	test_free(f);
}

static int setup(void **state)
{
	*state = fx_new(0, NULL, false);
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* ---- request helpers ---- */

static int ctl(struct dfu_dev *d, uint8_t type, uint8_t req, uint16_t val, uint8_t *data,
	       uint16_t len)
{
	const struct dfu_setup s = { type, req, val, 0, len };

	return dfu_dev_control(d, &s, data, 0, NULL);
}

static int dnload(struct dfu_dev *d, uint16_t block, const uint8_t *data, uint16_t len)
{
	uint8_t buf[2048];

	memcpy(buf, data, len);
	return ctl(d, 0x21, 1, block, buf, len);
}

/* GETSTATUS: returns the state; *status (may be NULL) the status byte. */
static int getstatus(struct dfu_dev *d, uint8_t *status, uint32_t *poll)
{
	uint8_t r[6];

	assert_int_equal(ctl(d, 0xA1, 3, 0, r, 6), 6);
	if (status)
		*status = r[0];
	if (poll)
		*poll = r[1] | r[2] << 8 | (uint32_t)r[3] << 16;
	return r[4];
}

/* DNLOAD + the two GETSTATUS of protocol-facts B.5; returns the final status. */
static uint8_t command(struct dfu_dev *d, uint16_t block, const uint8_t *data, uint16_t len)
{
	uint8_t st;

	assert_int_equal(dnload(d, block, data, len), len);
	assert_int_equal(dfu_dev_state(d), DNLOAD_SYNC);
	assert_int_equal(getstatus(d, &st, NULL), DNBUSY);
	assert_int_equal(st, S_OK);
	getstatus(d, &st, NULL);
	return st;
}

static uint8_t set_address(struct dfu_dev *d, uint32_t a)
{
	const uint8_t c[5] = { 0x21, (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16),
			       (uint8_t)(a >> 24) };
	return command(d, 0, c, 5);
}

static uint8_t erase_page(struct dfu_dev *d, uint32_t a)
{
	const uint8_t c[5] = { 0x41, (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16),
			       (uint8_t)(a >> 24) };
	return command(d, 0, c, 5);
}

static void clear(struct dfu_dev *d)
{
	assert_int_equal(ctl(d, 0x21, 4, 0, NULL, 0), 0);
	assert_int_equal(dfu_dev_state(d), IDLE);
}

static void abort_to_idle(struct dfu_dev *d)
{
	assert_int_equal(ctl(d, 0x21, 6, 0, NULL, 0), 0);
	assert_int_equal(dfu_dev_state(d), IDLE);
}

static int upload(struct dfu_dev *d, uint16_t block, uint8_t *out, uint16_t len)
{
	return ctl(d, 0xA1, 2, block, out, len);
}

/* ---- descriptors ---- */

static void test_device_descriptor(void **state)
{
	struct fx *f = *state;
	const uint8_t want[18] = { 18, 1, 0x00, 0x01, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xDF,
				   0x00, 0x22, 1, 2, 3, 1 };
	uint8_t buf[64];

	assert_int_equal(ctl(f->d, 0x80, 6, 0x0100, buf, 64), 18);
	assert_memory_equal(buf, want, 18);
}

static void test_config_descriptor(void **state)
{
	struct fx *f = *state;
	const uint8_t func[9] = { 0x09, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01 };
	uint8_t buf[255], all[128];
	int n = ctl(f->d, 0x80, 6, 0x0200, buf, 255);

	assert_int_equal(n, 45);
	assert_int_equal(buf[2], 45);
	assert_int_equal(buf[7], 0xC0);   /* self-powered, as captured 0x2200 ROMs (issue 8) */
	/* GET_STATUS to the device agrees: bit 0 self-powered (USB 2.0 §9.4.5) */
	assert_int_equal(ctl(f->d, 0x80, 0, 0, buf, 2), 2);
	assert_int_equal(buf[0], 0x01);
	assert_int_equal(buf[1], 0x00);
	n = ctl(f->d, 0x80, 6, 0x0200, buf, 255);
	for (int alt = 0; alt < 3; alt++) {
		const uint8_t *i = buf + 9 + 9 * alt;
		assert_int_equal(i[1], 4);
		assert_int_equal(i[3], alt);
		assert_int_equal(i[5], 0xFE);
		assert_int_equal(i[6], 0x01);
		assert_int_equal(i[7], 0x02);
		assert_int_equal(i[8], 4 + alt);
	}
	assert_memory_equal(buf + 36, func, 9);
	/* sysfs "descriptors": device then configuration */
	assert_int_equal(dfu_dev_descriptors(f->d, all, sizeof(all)), 18 + 45);
	assert_memory_equal(all + 18, buf, 45);
	/* the functional descriptor on its own (GET_DESCRIPTOR type 0x21) */
	assert_int_equal(ctl(f->d, 0x81, 6, 0x2100, buf, 9), 9);
	assert_memory_equal(buf, func, 9);
}

static void string_of(struct dfu_dev *d, unsigned idx, char *out)
{
	uint8_t buf[255];
	int n = ctl(d, 0x80, 6, (uint16_t)(0x0300 | idx), buf, 255);

	assert_true(n >= 2);
	assert_int_equal(buf[0], n);
	assert_int_equal(buf[1], 3);
	for (int i = 2; i < n; i += 2)
		*out++ = (char)buf[i];
	*out = '\0';
}

static void test_strings(void **state)
{
	struct fx *f = *state;
	uint8_t langs[4];
	char s[128];

	assert_int_equal(ctl(f->d, 0x80, 6, 0x0300, langs, 4), 4);
	assert_int_equal(langs[2] | langs[3] << 8, 0x0409);
	string_of(f->d, 1, s);
	assert_string_equal(s, "STMicroelectronics");
	string_of(f->d, 2, s);
	assert_string_equal(s, "STM32  BOOTLOADER");
	string_of(f->d, 3, s);
	assert_int_equal(strlen(s), 12);
	assert_int_equal(strspn(s, "0123456789ABCDEF"), 12);
	assert_string_equal(s, dfu_dev_serial(f->d));
	string_of(f->d, 4, s);
	assert_string_equal(s, "@Internal Flash  /0x08000000/512*0004Kg");
	string_of(f->d, 5, s);
	assert_string_equal(s, "@Option Bytes  /0x1FF00000/01*040 e/0x1FF01000/01*040 e");
	string_of(f->d, 6, s);
	assert_string_equal(s, "@OTP Memory /0x1FFF7000/01*0001Ke");
	assert_int_equal(ctl(f->d, 0x80, 6, 0x0307, langs, 4), DFU_DEV_STALL);
}

static void test_serial_unique_per_index(void **state)
{
	struct fx *f = *state;
	struct dfu_dev_config dc = { .index = 2 };
	struct dfu_dev *d2 = dfu_dev_new(f->b, &dc);

	assert_non_null(d2);
	assert_string_not_equal(dfu_dev_serial(d2), dfu_dev_serial(f->d));
	assert_int_equal(strlen(dfu_dev_serial(d2)), 12);
	dfu_dev_free(d2);
}

static void test_single_bank_layout(void **state)
{
	struct fx *f = fx_new(0xFFEFF8AAu & ~(1u << 22), NULL, false);

	(void)state;
	assert_string_equal(dfu_dev_alt_name(f->d, 0), "@Internal Flash  /0x08000000/256*0008Kg");
	fx_free(f);
}

/* ---- state machine and commands ---- */

static void test_initial_state(void **state)
{
	struct fx *f = *state;
	uint8_t st, b;
	uint32_t poll;

	assert_true(dfu_dev_connected(f->d));
	assert_int_equal(getstatus(f->d, &st, &poll), IDLE);
	assert_int_equal(st, S_OK);
	assert_int_equal(poll, 0);
	assert_int_equal(ctl(f->d, 0xA1, 5, 0, &b, 1), 1);
	assert_int_equal(b, IDLE);
	assert_int_equal(dfu_dev_pointer(f->d), FLASH);
}

static void test_get_commands(void **state)
{
	struct fx *f = *state;
	const uint8_t want[4] = { 0x00, 0x21, 0x41, 0x92 };
	uint8_t buf[16];

	assert_int_equal(upload(f->d, 0, buf, 16), 4);
	assert_memory_equal(buf, want, 4);
	assert_int_equal(dfu_dev_state(f->d), IDLE);
}

static void test_set_address(void **state)
{
	struct fx *f = *state;

	assert_int_equal(set_address(f->d, 0x08004000), S_OK);
	assert_int_equal(dfu_dev_state(f->d), DNLOAD_IDLE);
	assert_int_equal(dfu_dev_pointer(f->d), 0x08004000);
}

static void test_bad_address_err_target(void **state)
{
	struct fx *f = *state;

	assert_int_equal(set_address(f->d, 0x08200000), S_TARGET);
	assert_int_equal(dfu_dev_state(f->d), ERROR);
	assert_int_equal(dfu_dev_status(f->d), S_TARGET);
	clear(f->d);
	/* option bytes are not in alt 0's memory */
	assert_int_equal(set_address(f->d, 0x1FF00000), S_TARGET);
	clear(f->d);
	assert_int_equal(dfu_dev_set_alt(f->d, 0, 1), 0);
	assert_int_equal(set_address(f->d, 0x1FF00000), S_OK);
}

static void test_clrstatus_only_in_error(void **state)
{
	struct fx *f = *state;
	uint8_t st;

	assert_int_equal(ctl(f->d, 0x21, 4, 0, NULL, 0), DFU_DEV_STALL);
	assert_int_equal(getstatus(f->d, &st, NULL), ERROR);
	assert_int_equal(st, S_STALLED);
	clear(f->d);
}

static void test_requests_stall_in_wrong_state(void **state)
{
	struct fx *f = *state;
	const uint8_t c[5] = { 0x21, 0, 0, 0, 8 };
	uint8_t buf[16];

	assert_int_equal(dnload(f->d, 0, c, 5), 5);
	/* UPLOAD while a command waits for GETSTATUS */
	assert_int_equal(upload(f->d, 2, buf, 16), DFU_DEV_STALL);
	assert_int_equal(dfu_dev_status(f->d), S_STALLED);
	clear(f->d);
	/* block 1 is not valid (B.6); unknown DfuSe command (B.4) */
	assert_int_equal(dnload(f->d, 1, c, 5), DFU_DEV_STALL);
	clear(f->d);
	assert_int_equal(dnload(f->d, 0, (const uint8_t[]){ 0x55 }, 1), DFU_DEV_STALL);
	clear(f->d);
	assert_int_equal(upload(f->d, 1, buf, 16), DFU_DEV_STALL);
	clear(f->d);
}

static void test_erase_write_read(void **state)
{
	struct fx *f = *state;
	uint8_t data[2048], back[2048];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(erase_page(f->d, 0x08001000), S_OK);
	assert_int_equal(set_address(f->d, 0x08001000), S_OK);
	assert_int_equal(command(f->d, 2, data, 2048), S_OK);
	abort_to_idle(f->d);
	assert_int_equal(upload(f->d, 2, back, 2048), 2048);
	assert_memory_equal(back, data, 2048);
	assert_int_equal(dfu_dev_state(f->d), UPLOAD_IDLE);
	/* block 3 is pointer + 1 * wTransferSize (F.7: the fixed size) */
	assert_int_equal(upload(f->d, 3, back, 16), 16);
	memset(data, 0xFF, 16);
	assert_memory_equal(back, data, 16);
	abort_to_idle(f->d);
	/* the board's flash holds it */
	assert_int_equal(board_read(f->b, 0x08001000, back, 4), BOARD_OK);
	assert_int_equal(back[0], 3);
}

static void test_double_program_err_prog(void **state)
{
	struct fx *f = *state;
	const uint8_t dw[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t back[8];

	assert_int_equal(set_address(f->d, 0x08000800), S_OK);
	assert_int_equal(command(f->d, 2, dw, 8), S_OK);
	assert_int_equal(command(f->d, 2, dw, 8), S_PROG);
	assert_int_equal(dfu_dev_state(f->d), ERROR);
	clear(f->d);
	assert_int_equal(board_read(f->b, 0x08000800, back, 8), BOARD_OK);
	assert_memory_equal(back, dw, 8);
}

/*
 * A double-word programmed with 0xFF reads erased but takes no data until
 * erased (protocol-facts E.3). The status the ROM reports is undocumented
 * (B.4): errPROG by default, errWRITE or no error at all by option; the
 * data stays unchanged in every case.
 */
static void reprogram_ff(enum dfu_dev_prog_error mode, uint8_t want)
{
	struct fx *f = fx_new(0, NULL, false);
	const uint8_t ff[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	const uint8_t dw[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t back[8];

	dfu_dev_free(f->d);
	struct dfu_dev_config dc = { .index = 1, .prog_error = mode };
	f->d = dfu_dev_new(f->b, &dc);
	assert_non_null(f->d);
	assert_int_equal(set_address(f->d, 0x08000800), S_OK);
	assert_int_equal(command(f->d, 2, ff, 8), S_OK);
	assert_int_equal(board_read(f->b, 0x08000800, back, 8), BOARD_OK);
	assert_memory_equal(back, ff, 8);            /* reads erased */
	assert_int_equal(command(f->d, 2, dw, 8), want);
	assert_int_equal(dfu_dev_state(f->d), want == S_OK ? DNLOAD_IDLE : ERROR);
	if (want != S_OK)
		clear(f->d);
	assert_int_equal(board_read(f->b, 0x08000800, back, 8), BOARD_OK);
	assert_memory_equal(back, ff, 8);            /* unchanged */
	assert_int_equal(erase_page(f->d, 0x08000000), S_OK);
	assert_int_equal(set_address(f->d, 0x08000800), S_OK);
	assert_int_equal(command(f->d, 2, dw, 8), S_OK);  /* after an erase it takes data */
	fx_free(f);
}

static void test_reprogram_ff_errprog(void **state)
{
	(void)state;
	reprogram_ff(DFU_DEV_PROG_ERRPROG, S_PROG);
}

static void test_reprogram_ff_errwrite(void **state)
{
	(void)state;
	reprogram_ff(DFU_DEV_PROG_ERRWRITE, S_WRITE);
}

static void test_reprogram_ff_silent(void **state)
{
	(void)state;
	reprogram_ff(DFU_DEV_PROG_SILENT, S_OK);
}

static void test_write_past_end_err_target(void **state)
{
	struct fx *f = *state;
	uint8_t data[64];

	memset(data, 0, sizeof(data));
	assert_int_equal(set_address(f->d, 0x081FFFE0), S_OK);
	assert_int_equal(command(f->d, 2, data, 64), S_TARGET);
	clear(f->d);
}

static void test_mass_erase(void **state)
{
	struct fx *f = *state;
	const uint8_t dw[8] = { 0 };
	uint8_t back[8];
	struct dfu_dev_stats st;

	assert_int_equal(set_address(f->d, 0x08100000), S_OK);
	assert_int_equal(command(f->d, 2, dw, 8), S_OK);
	assert_int_equal(command(f->d, 0, (const uint8_t[]){ 0x41 }, 1), S_OK);
	assert_int_equal(board_read(f->b, 0x08100000, back, 8), BOARD_OK);
	assert_int_equal(back[0], 0xFF);
	dfu_dev_stats(f->d, &st);
	assert_int_equal(st.mass_erases, 1);
}

static void test_otp_program_once(void **state)
{
	struct fx *f = *state;
	const uint8_t dw[8] = { 0xA5, 0, 0, 0, 0, 0, 0, 0 };

	assert_int_equal(dfu_dev_set_alt(f->d, 0, 2), 0);
	assert_int_equal(set_address(f->d, 0x1FFF7000), S_OK);
	assert_int_equal(command(f->d, 2, dw, 8), S_OK);
	assert_int_equal(command(f->d, 2, dw, 8), S_PROG);
	clear(f->d);
	/* OTP cannot be erased */
	assert_int_equal(erase_page(f->d, 0x1FFF7000), S_TARGET);
	clear(f->d);
}

/* ---- option bytes, leave, read protection: the device leaves the bus ---- */

static void write_optr(struct dfu_dev *d, uint32_t optr, bool whole)
{
	uint8_t ob[40];
	uint8_t st;

	memset(ob, 0xFF, sizeof(ob));
	for (int i = 0; i < 4; i++) {
		ob[i] = (uint8_t)(optr >> (8 * i));
		ob[4 + i] = (uint8_t)(~optr >> (8 * i));
	}
	assert_int_equal(dfu_dev_set_alt(d, 0, 1), 0);
	assert_int_equal(set_address(d, 0x1FF00000), S_OK);
	assert_int_equal(dnload(d, 2, ob, whole ? 40 : 8), whole ? 40 : 8);
	assert_int_equal(getstatus(d, &st, NULL), DNBUSY);
}

static void test_option_write_resets(void **state)
{
	struct fx *f = *state;
	uint8_t buf[6];

	write_optr(f->d, 0xFFEFF8AAu & ~(1u << 22), true);
	/* applied, board reset, device gone at once (B.5 exceptions) */
	assert_false(dfu_dev_connected(f->d));
	assert_int_equal(dfu_dev_take_event(f->d), DFU_DEV_EV_DETACHED);
	assert_int_equal(dfu_dev_take_event(f->d), DFU_DEV_EV_NONE);
	assert_int_equal(ctl(f->d, 0xA1, 3, 0, buf, 6), DFU_DEV_GONE);
	assert_false(board_dual_bank(f->b));
	assert_int_equal(board_mode(f->b), BOARD_MODE_ROM);
	/* BOOT0 high: it re-enumerates with the single-bank layout */
	assert_true(dfu_dev_reconnect(f->d));
	assert_string_equal(dfu_dev_alt_name(f->d, 0), "@Internal Flash  /0x08000000/256*0008Kg");
	assert_int_equal(getstatus(f->d, NULL, NULL), IDLE);
}

static void test_option_partial_write_refused(void **state)
{
	struct fx *f = *state;
	uint8_t st;

	write_optr(f->d, 0xFFEFF8AAu, false);
	assert_int_equal(getstatus(f->d, &st, NULL), ERROR);
	assert_int_equal(st, S_TARGET);
	assert_true(dfu_dev_connected(f->d));
}

static void test_option_upload(void **state)
{
	struct fx *f = *state;
	const uint8_t want[4] = { 0xAA, 0xF8, 0xEF, 0xFF };
	uint8_t buf[64];

	assert_int_equal(dfu_dev_set_alt(f->d, 0, 1), 0);
	assert_int_equal(set_address(f->d, 0x1FF00000), S_OK);
	abort_to_idle(f->d);
	/* the 40-byte area ends the read with a short packet */
	assert_int_equal(upload(f->d, 2, buf, 64), 40);
	assert_memory_equal(buf, want, 4);
}

static void write_vector(struct dfu_dev *d, uint32_t sp, uint32_t pc)
{
	uint8_t v[8];

	for (int i = 0; i < 4; i++) {
		v[i] = (uint8_t)(sp >> (8 * i));
		v[4 + i] = (uint8_t)(pc >> (8 * i));
	}
	assert_int_equal(set_address(d, 0x08004000), S_OK);
	assert_int_equal(command(d, 2, v, 8), S_OK);
}

static void leave(struct dfu_dev *d)
{
	uint8_t st;

	assert_int_equal(set_address(d, 0x08004000), S_OK);
	assert_int_equal(ctl(d, 0x21, 1, 2, NULL, 0), 0);
	assert_int_equal(getstatus(d, &st, NULL), MANIFEST);
	assert_int_equal(st, S_OK);
	assert_false(dfu_dev_connected(d));
	assert_int_equal(dfu_dev_take_event(d), DFU_DEV_EV_DETACHED);
}

static void test_leave_runs_application(void **state)
{
	struct fx *f = *state;

	write_vector(f->d, 0x20010000, 0x08004101);
	leave(f->d);
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(f->b), 0x08004000);
	assert_false(dfu_dev_reconnect(f->d));
}

static void test_leave_without_code_resets(void **state)
{
	struct fx *f = *state;
	unsigned resets = board_reset_count(f->b);

	leave(f->d);   /* erased flash at the pointer: no valid stack pointer */
	assert_int_equal(board_reset_count(f->b), resets + 1);
	assert_int_equal(board_mode(f->b), BOARD_MODE_ROM);
	assert_true(dfu_dev_reconnect(f->d));
}

static void test_rdp_err_vendor(void **state)
{
	struct fx *f = fx_new((0xFFEFF8AAu & ~0xFFu) | 0xBB, NULL, false);
	uint8_t buf[16], st;

	(void)state;
	assert_int_equal(board_rdp_level(f->b), 1);
	/* Set Address fails too (protocol-facts F.4) */
	assert_int_equal(set_address(f->d, FLASH), S_VENDOR);
	clear(f->d);
	assert_int_equal(upload(f->d, 2, buf, 16), DFU_DEV_STALL);
	assert_int_equal(getstatus(f->d, &st, NULL), ERROR);
	assert_int_equal(st, S_VENDOR);
	clear(f->d);
	assert_int_equal(erase_page(f->d, FLASH), S_VENDOR);
	clear(f->d);
	assert_int_equal(command(f->d, 0, (const uint8_t[]){ 0x41 }, 1), S_VENDOR);
	clear(f->d);
	/* Get Commands still works */
	assert_int_equal(upload(f->d, 0, buf, 16), 4);
	fx_free(f);
}

static void test_read_unprotect(void **state)
{
	struct fx *f = fx_new((0xFFEFF8AAu & ~0xFFu) | 0xBB, NULL, false);
	uint8_t st;

	(void)state;
	assert_int_equal(dnload(f->d, 0, (const uint8_t[]){ 0x92 }, 1), 1);
	assert_int_equal(getstatus(f->d, &st, NULL), DNBUSY);
	assert_false(dfu_dev_connected(f->d));
	assert_int_equal(dfu_dev_take_event(f->d), DFU_DEV_EV_DETACHED);
	assert_int_equal(board_rdp_level(f->b), 0);
	assert_true(dfu_dev_reconnect(f->d));
	assert_int_equal(set_address(f->d, FLASH), S_OK);
	fx_free(f);
}

static void test_board_reset_behind_back(void **state)
{
	struct fx *f = *state;
	uint8_t buf[6];

	board_reset(f->b);
	assert_int_equal(dfu_dev_take_event(f->d), DFU_DEV_EV_DETACHED);
	assert_int_equal(ctl(f->d, 0xA1, 3, 0, buf, 6), DFU_DEV_GONE);
	assert_true(dfu_dev_reconnect(f->d));
	assert_int_equal(getstatus(f->d, NULL, NULL), IDLE);
}

/* ---- timing model (the test's own clock: nothing depends on wall time) ---- */

static void test_timing_erase(void **state)
{
	struct fx *f = fx_new(0, NULL, true);
	const uint8_t c[5] = { 0x41, 0x00, 0x10, 0x00, 0x08 };
	const struct dfu_setup dn = { 0x21, 1, 0, 0, 5 }, gs = { 0xA1, 3, 0, 0, 6 };
	uint8_t buf[6];
	uint64_t done;
	struct dfu_dev_stats st;

	(void)state;
	memcpy(buf, c, 5);
	assert_int_equal(dfu_dev_control(f->d, &dn, buf, 1000000, &done), 5);
	assert_int_equal(done, 1000000 + dfu_dev_bus_us(5));
	assert_int_equal(dfu_dev_control(f->d, &gs, buf, done, &done), 6);
	assert_int_equal(buf[4], DNBUSY);
	assert_int_equal(buf[1] | buf[2] << 8, 25);   /* page erase ~25 ms (E.3) */
	/* polling 1 ms later waits for the flash: completes 25 ms after the reply */
	uint64_t reply = done;
	assert_int_equal(dfu_dev_control(f->d, &gs, buf, reply + 1000, &done), 6);
	assert_int_equal(buf[4], DNLOAD_IDLE);
	assert_true(done >= reply + 25000);
	dfu_dev_stats(f->d, &st);
	assert_int_equal(st.flash_us, 25000);
	assert_int_equal(st.wait_us, 24000);
	fx_free(f);
}

static void test_bus_time(void **state)
{
	(void)state;
	assert_int_equal(dfu_dev_bus_us(0), 2 * 77);
	assert_int_equal(dfu_dev_bus_us(2048), 34 * 77);
}

/* ---- fault injection ---- */

static void test_fault_parse(void **state)
{
	struct dfu_dev_faults fl = { .seed = 7 };

	(void)state;
	assert_int_equal(dfu_dev_parse_faults("stall=5,status=10,busystall=3,vanish=40,starterr",
					      &fl), 0);
	assert_int_equal(fl.stall_pct, 5);
	assert_int_equal(fl.status_pct, 10);
	assert_int_equal(fl.busy_stalls, 3);
	assert_int_equal(fl.vanish_at, 40);
	assert_true(fl.start_error);
	assert_int_equal(fl.seed, 7);
	assert_int_equal(dfu_dev_parse_faults("", &fl), 0);
	assert_int_equal(fl.stall_pct, 0);
	assert_int_equal(dfu_dev_parse_faults("stall=101", &fl), -1);
	assert_int_equal(dfu_dev_parse_faults("bogus=1", &fl), -1);
	assert_int_equal(dfu_dev_parse_faults("vanish=", &fl), -1);
	assert_int_equal(dfu_dev_parse_faults("stall=x", &fl), -1);
}

static void test_fault_busy_stalls(void **state)
{
	struct dfu_dev_faults fl = { .busy_stalls = 2 };
	struct fx *f = fx_new(0, &fl, false);
	const uint8_t c[5] = { 0x21, 0, 0, 0, 8 };
	uint8_t buf[6];
	uint32_t poll;

	(void)state;
	assert_int_equal(dnload(f->d, 0, c, 5), 5);
	assert_int_equal(getstatus(f->d, NULL, &poll), DNBUSY);
	assert_int_equal(poll, 1);   /* short but not zero (B.8) */
	assert_int_equal(ctl(f->d, 0xA1, 3, 0, buf, 6), DFU_DEV_STALL);
	assert_int_equal(ctl(f->d, 0xA1, 3, 0, buf, 6), DFU_DEV_STALL);
	assert_int_equal(dfu_dev_state(f->d), DNBUSY);   /* no dfuERROR: the L4 quirk */
	assert_int_equal(getstatus(f->d, NULL, NULL), DNLOAD_IDLE);
	/* data blocks are not affected (dfu-util has no workaround there) */
	assert_int_equal(dnload(f->d, 2, c, 5), 5);
	assert_int_equal(getstatus(f->d, NULL, &poll), DNBUSY);
	assert_int_equal(poll, 0);
	assert_int_equal(getstatus(f->d, NULL, NULL), DNLOAD_IDLE);
	fx_free(f);
}

static void test_fault_vanish(void **state)
{
	struct dfu_dev_faults fl = { .vanish_at = 3 };
	struct fx *f = fx_new(0, &fl, false);
	uint8_t buf[6];

	(void)state;
	assert_int_equal(getstatus(f->d, NULL, NULL), IDLE);
	assert_int_equal(getstatus(f->d, NULL, NULL), IDLE);
	assert_int_equal(ctl(f->d, 0xA1, 3, 0, buf, 6), DFU_DEV_GONE);
	assert_true(dfu_dev_vanished(f->d));
	assert_int_equal(dfu_dev_take_event(f->d), DFU_DEV_EV_VANISHED);
	assert_false(dfu_dev_reconnect(f->d));
	fx_free(f);
}

static void test_fault_start_error_and_stall(void **state)
{
	struct dfu_dev_faults fl = { .start_error = true, .stall_pct = 100, .seed = 3 };
	struct fx *f = fx_new(0, &fl, false);
	uint8_t buf[6];
	struct dfu_dev_stats st;

	(void)state;
	assert_int_equal(dfu_dev_state(f->d), ERROR);
	assert_int_equal(ctl(f->d, 0xA1, 3, 0, buf, 6), DFU_DEV_STALL);
	assert_int_equal(ctl(f->d, 0x21, 4, 0, NULL, 0), DFU_DEV_STALL);
	dfu_dev_stats(f->d, &st);
	assert_int_equal(st.stalls, 2);
	assert_int_equal(st.faults, 2);
	fx_free(f);
}

static void test_fault_status_not_run(void **state)
{
	struct dfu_dev_faults fl = { .status_pct = 100 };
	struct fx *f = fx_new(0, &fl, false);

	(void)state;
	assert_int_equal(set_address(f->d, 0x08004000), S_UNKNOWN);
	assert_int_equal(dfu_dev_pointer(f->d), FLASH);
	fx_free(f);
}

/* ---- sb_usb binding ---- */

static void test_sb_usb(void **state)
{
	struct fx *f = *state;
	struct sb_usb usb;
	uint8_t buf[6];

	dfu_dev_sb_usb(f->d, &usb);
	assert_int_equal(usb.ops->control(usb.h, 0xA1, 3, 0, 0, buf, 6, 100), 6);
	assert_int_equal(buf[4], IDLE);
	assert_int_equal(usb.ops->control(usb.h, 0x21, 4, 0, 0, NULL, 0, 100), SB_ERR_NACK);
	assert_int_equal(usb.ops->set_alt(usb.h, 0, 2), SB_OK);
	assert_int_equal(dfu_dev_alt(f->d), 2);
	assert_int_equal(usb.ops->set_alt(usb.h, 0, 3), SB_ERR_NACK);
	board_reset(f->b);
	assert_int_equal(usb.ops->control(usb.h, 0xA1, 3, 0, 0, buf, 6, 100), SB_ERR_NO_DEVICE);
}

/* ---- the application's DFU run-time personality (dfu_dev_config.app_dfu) ---- */

/* A board whose application (valid vector table at 0x08000000) offers DFU run-time as 1209:0001. */
static struct fx *app_fx(void)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct board_config bc = { 0 };
	struct dfu_dev_config dc = { .index = 1, .app_dfu = true, .app_vid = 0x1209, .app_pid = 0x0001 };
	const uint8_t vec[8] = { 0x00, 0x00, 0x01, 0x20, 0x01, 0x41, 0x00, 0x08 };

	f->b = board_new(&bc);
	assert_non_null(f->b);
	assert_int_equal(board_mode(f->b), BOARD_MODE_ROM);   /* empty flash: PEMPTY */
	assert_int_equal(board_write(f->b, FLASH, vec, sizeof(vec)), BOARD_OK);
	board_set_pin(f->b, BOARD_PIN_BOOT0, 0);
	board_power_cycle(f->b);
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	f->d = dfu_dev_new(f->b, &dc);
	assert_non_null(f->d);
	return f;
}

static void test_app_descriptors(void **state)
{
	struct fx *f = app_fx();
	const uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x09, 0x12, 0x01, 0x00,
				  0x00, 0x01, 1, 2, 3, 1 };
	const uint8_t intf[9] = { 9, 4, 0, 0, 0, 0xFE, 0x01, 0x01, 4 };
	uint8_t buf[255];
	uint16_t vid, pid, bcd;

	(void)state;
	assert_true(dfu_dev_connected(f->d));
	dfu_dev_ids(f->d, &vid, &pid, &bcd);
	assert_int_equal(vid, 0x1209);
	assert_int_equal(pid, 0x0001);
	assert_int_equal(bcd, 0x0100);
	assert_int_equal(ctl(f->d, 0x80, 6, 0x0100, buf, 64), 18);
	assert_memory_equal(buf, dev, 18);
	assert_int_equal(ctl(f->d, 0x80, 6, 0x0200, buf, 255), 27);
	assert_memory_equal(buf + 9, intf, 9);       /* DFU run-time: protocol 1 */
	assert_int_equal(buf[18 + 1], 0x21);         /* functional descriptor */
	assert_int_equal(buf[18 + 2] & 0x08, 0x08);  /* bitWillDetach */
	assert_int_equal(dfu_dev_set_alt(f->d, 0, 1), DFU_DEV_STALL);
	fx_free(f);
}

static void test_app_status_then_detach(void **state)
{
	struct fx *f = app_fx();
	unsigned resets = board_reset_count(f->b);
	uint8_t st, buf[8];

	(void)state;
	assert_int_equal(getstatus(f->d, &st, NULL), 0);  /* appIDLE */
	assert_int_equal(st, S_OK);
	assert_int_equal(ctl(f->d, 0xA1, 5, 0, buf, 1), 1);
	assert_int_equal(buf[0], 0);
	/* DfuSe requests mean nothing to the application */
	assert_int_equal(ctl(f->d, 0x21, 1, 0, buf, 5), DFU_DEV_STALL);
	assert_int_equal(ctl(f->d, 0xA1, 2, 2, buf, 8), DFU_DEV_STALL);
	assert_true(dfu_dev_connected(f->d));
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	/* DETACH: answered, then off the bus; the board restarts in its ROM
	 * although BOOT0 is low, and enumerates as the ROM's 0483:DF11 */
	assert_int_equal(ctl(f->d, 0x21, 0, 1000, NULL, 0), 0);
	assert_false(dfu_dev_connected(f->d));
	assert_int_equal(dfu_dev_take_event(f->d), DFU_DEV_EV_DETACHED);
	assert_int_equal(board_mode(f->b), BOARD_MODE_ROM);
	assert_int_equal(board_reset_count(f->b), resets + 1);
	assert_int_equal(board_get_pin(f->b, BOARD_PIN_BOOT0), 0);
	assert_true(dfu_dev_reconnect(f->d));
	assert_int_equal(ctl(f->d, 0x80, 6, 0x0100, buf, 8), 8);
	assert_int_equal(buf[7], 64);
	assert_int_equal(getstatus(f->d, &st, NULL), IDLE);
	fx_free(f);
}

static void test_app_back_after_leave(void **state)
{
	struct fx *f = app_fx();
	uint16_t vid, pid, bcd;
	uint8_t st;

	(void)state;
	assert_int_equal(ctl(f->d, 0x21, 0, 1000, NULL, 0), 0);
	dfu_dev_take_event(f->d);
	assert_true(dfu_dev_reconnect(f->d));
	dfu_dev_ids(f->d, &vid, &pid, &bcd);
	assert_int_equal(pid, 0xDF11);
	/* leave to the application's vector table: it runs, and is on the bus again */
	assert_int_equal(set_address(f->d, FLASH), S_OK);
	assert_int_equal(ctl(f->d, 0x21, 1, 2, NULL, 0), 0);
	assert_int_equal(getstatus(f->d, &st, NULL), MANIFEST);
	assert_int_equal(dfu_dev_take_event(f->d), DFU_DEV_EV_DETACHED);
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	assert_true(dfu_dev_wants_bus(f->d));
	assert_true(dfu_dev_reconnect(f->d));
	dfu_dev_ids(f->d, &vid, &pid, &bcd);
	assert_int_equal(vid, 0x1209);
	assert_int_equal(getstatus(f->d, &st, NULL), 0);
	fx_free(f);
}

/* Without bitWillDetach: DETACH leads to appDETACH, the USB reset restarts it in the ROM. */
static void test_app_waits_for_reset(void **state)
{
	struct fx *f = app_fx();
	uint8_t st, buf[64];

	(void)state;
	dfu_dev_free(f->d);
	f->d = dfu_dev_new(f->b, &(struct dfu_dev_config){ .index = 1, .app_dfu = true,
			   .app_vid = 0x1209, .app_pid = 0x0001, .app_waits_reset = true });
	assert_int_equal(ctl(f->d, 0x80, 6, 0x2100, buf, 9), 9);
	assert_int_equal(buf[2] & 0x08, 0);            /* no bitWillDetach */
	assert_int_equal(ctl(f->d, 0x21, 0, 1000, NULL, 0), 0);
	assert_true(dfu_dev_connected(f->d));
	assert_int_equal(getstatus(f->d, &st, NULL), 1);  /* appDETACH */
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	assert_int_equal(dfu_dev_usb_reset(f->d), 0);
	assert_false(dfu_dev_connected(f->d));
	assert_int_equal(board_mode(f->b), BOARD_MODE_ROM);
	fx_free(f);
}

/* Without app_dfu the application is off the bus, as before. */
static void test_no_app_dfu_off_the_bus(void **state)
{
	struct fx *f = *state;
	const uint8_t vec[8] = { 0x00, 0x00, 0x01, 0x20, 0x01, 0x41, 0x00, 0x08 };

	assert_int_equal(board_write(f->b, FLASH, vec, sizeof(vec)), BOARD_OK);
	board_set_pin(f->b, BOARD_PIN_BOOT0, 0);
	board_power_cycle(f->b);
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	dfu_dev_take_event(f->d);
	assert_false(dfu_dev_connected(f->d));
	assert_false(dfu_dev_wants_bus(f->d));
	assert_false(dfu_dev_reconnect(f->d));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_device_descriptor),
		T(test_config_descriptor),
		T(test_strings),
		T(test_serial_unique_per_index),
		cmocka_unit_test(test_single_bank_layout),
		T(test_initial_state),
		T(test_get_commands),
		T(test_set_address),
		T(test_bad_address_err_target),
		T(test_clrstatus_only_in_error),
		T(test_requests_stall_in_wrong_state),
		T(test_erase_write_read),
		T(test_double_program_err_prog),
		T(test_reprogram_ff_errprog),
		T(test_reprogram_ff_errwrite),
		T(test_reprogram_ff_silent),
		T(test_write_past_end_err_target),
		T(test_mass_erase),
		T(test_otp_program_once),
		T(test_option_write_resets),
		T(test_option_partial_write_refused),
		T(test_option_upload),
		T(test_leave_runs_application),
		T(test_leave_without_code_resets),
		cmocka_unit_test(test_rdp_err_vendor),
		cmocka_unit_test(test_read_unprotect),
		T(test_board_reset_behind_back),
		cmocka_unit_test(test_timing_erase),
		cmocka_unit_test(test_bus_time),
		cmocka_unit_test(test_fault_parse),
		cmocka_unit_test(test_fault_busy_stalls),
		cmocka_unit_test(test_fault_vanish),
		cmocka_unit_test(test_fault_start_error_and_stall),
		cmocka_unit_test(test_fault_status_not_run),
		cmocka_unit_test(test_app_descriptors),
		cmocka_unit_test(test_app_status_then_detach),
		cmocka_unit_test(test_app_back_after_leave),
		cmocka_unit_test(test_app_waits_for_reset),
		T(test_no_app_dfu_off_the_bus),
		T(test_sb_usb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
