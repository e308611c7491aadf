/* SPDX-License-Identifier: MIT */
/*
 * test_ldrhost.c - the loader protocol's host engine (protocols/ldrhost*)
 * against scripted byte exchanges (script_link.h): frame layout, CRC,
 * resends on silence and damage, SEQ taken from a NAK, RESET never resent.
 * Frames are built here with a CRC-32 of the test's own (bitwise, from the
 * zlib definition), not the engine's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ldr_frame.h"
#include "ldr_wire.h"
#include "ldrhost.h"
#include "script_link.h"

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & -(c & 1u));
	}
	return ~c;
}

/* A frame (ldr_wire.h) into buf; returns its length. */
static size_t mk(uint8_t *buf, uint8_t sof, uint8_t seq, uint8_t type, const uint8_t *p, size_t n)
{
	return ldr_test_frame(buf, sof, seq, type, p, n, crc32_ref);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The info an L4R5 in dual-bank mode gives (RESP: status + 3 zero bytes first). */
static size_t info_resp(uint8_t *out, uint8_t seq)
{
	uint8_t p[LDRW_RESP_HDR + LDRW_INFO_LEN] = { 0 };
	uint8_t *i = p + LDRW_RESP_HDR;

	i[LDRW_INFO_VERSION] = LDRW_VERSION;
	i[LDRW_INFO_USART] = 1;
	i[LDRW_INFO_DATA_MAX] = 0x00;
	i[LDRW_INFO_DATA_MAX + 1] = 0x04;   /* 1024 */
	i[LDRW_INFO_NSLOTS] = 32;
	i[LDRW_INFO_NUSART] = 1;
	put32(i + LDRW_INFO_FLASH_BASE, 0x08000000);
	put32(i + LDRW_INFO_FLASH_SIZE, 2048 * 1024);
	put32(i + LDRW_INFO_PAGE_SIZE, 4096);
	put32(i + LDRW_INFO_BANK2, 0x08100000);
	put32(i + LDRW_INFO_OPTR, 0xFFEFF8AA);
	put32(i + LDRW_INFO_BRR, 139);
	return mk(out, LDRW_SOF_DEV, seq, LDRW_T_RESP, p, sizeof(p));
}

struct fx {
	struct script_link *sl;
	struct lh *h;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sb_link link;

	f->sl = sl_new();
	link = sl_link(f->sl);
	assert_int_equal(lh_new(&f->h, &link, NULL, NULL), SB_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	lh_free(f->h);
	sl_free(f->sl);
	free(f);
	return 0;
}

static void test_crc32_is_zlibs(void **state)
{
	(void)state;
	/* the check value of CRC-32 (ISO-HDLC, as zlib) */
	assert_int_equal(lh_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
	assert_int_equal(crc32_ref((const uint8_t *)"123456789", 9), 0xCBF43926u);
	/* chaining */
	assert_int_equal(lh_crc32(lh_crc32(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5),
			 0xCBF43926u);
}

static void test_identify_frame_and_answer(void **state)
{
	struct fx *f = *state;
	static uint8_t tx[16], rx[64];
	size_t ntx = mk(tx, LDRW_SOF_HOST, 0, LDRW_CMD_IDENTIFY, NULL, 0), nrx = info_resp(rx, 0);
	struct lh_info i;
	struct sb_diag d = { 0 };

	/* 5A 00 00 00 01 A4: SOF, LEN 0, SEQ 0, IDENTIFY, HCHK = FF^5A^01 */
	assert_int_equal(tx[5], 0xA4);
	sl_add(f->sl, (struct sl_step[]){ SL_TXN(tx, ntx), SL_RXN(rx, nrx), SL_END() });
	assert_int_equal(lh_identify(f->h, &i, &d), SB_OK);
	assert_int_equal(i.page_size, 4096);
	assert_int_equal(i.bank2, 0x08100000);
	assert_int_equal(i.nslots, 32);
	assert_int_equal(i.data_max, 1024);
	assert_int_equal(i.brr, 139);
	assert_script_done(f->sl);
}

static void test_silence_resends_same_seq(void **state)
{
	struct fx *f = *state;
	static uint8_t tx[16], rx[64], bad[64];
	size_t ntx = mk(tx, LDRW_SOF_HOST, 0, LDRW_CMD_IDENTIFY, NULL, 0), nrx = info_resp(rx, 0);
	struct sb_diag d = { 0 };

	memcpy(bad, rx, nrx);
	bad[nrx - 1] ^= 0x01;   /* a damaged CRC: not an answer */
	sl_add(f->sl, (struct sl_step[]){
		SL_TXN(tx, ntx), SL_SILENCE(),
		SL_TXN(tx, ntx), SL_RXN(bad, nrx),   /* damaged: sent again at once */
		SL_TXN(tx, ntx), SL_RXN(rx, nrx), SL_END() });
	assert_int_equal(lh_identify(f->h, NULL, &d), SB_OK);
	assert_script_done(f->sl);
}

static void test_nak_names_the_seq(void **state)
{
	struct fx *f = *state;
	static uint8_t tx0[16], tx5[16], st[64], rx[64], tx6[16], rx6[64];
	uint8_t s[LDRW_ST_LEN] = { 0 };
	size_t n0 = mk(tx0, LDRW_SOF_HOST, 0, LDRW_CMD_IDENTIFY, NULL, 0);
	size_t n5 = mk(tx5, LDRW_SOF_HOST, 5, LDRW_CMD_IDENTIFY, NULL, 0);
	size_t n6 = mk(tx6, LDRW_SOF_HOST, 6, LDRW_CMD_IDENTIFY, NULL, 0);
	size_t nst, nrx = info_resp(rx, 5), nrx6 = info_resp(rx6, 6);
	struct sb_diag d = { 0 };

	/* the loader expects SEQ 5 (frames of ours were lost before): NAK */
	s[LDRW_ST_RX_NEXT] = 5;
	s[LDRW_ST_DONE_NEXT] = 5;
	s[LDRW_ST_FLAGS] = LDRW_SF_NAK;
	nst = mk(st, LDRW_SOF_DEV, 0, LDRW_T_STATUS, s, sizeof(s));
	sl_add(f->sl, (struct sl_step[]){
		SL_TXN(tx0, n0), SL_RXN(st, nst),
		SL_TXN(tx5, n5), SL_RXN(rx, nrx),
		SL_TXN(tx6, n6), SL_RXN(rx6, nrx6), SL_END() });
	assert_int_equal(lh_identify(f->h, NULL, &d), SB_OK);
	assert_int_equal(lh_identify(f->h, NULL, &d), SB_OK);
	assert_script_done(f->sl);
}

static void test_reset_is_never_resent(void **state)
{
	struct fx *f = *state;
	static uint8_t tx[16];
	size_t ntx = mk(tx, LDRW_SOF_HOST, 0, LDRW_CMD_RESET, NULL, 0);
	struct sb_diag d = { 0 };

	/* a repeat could reach a ROM that has just started (protocol-facts A.1) */
	sl_add(f->sl, (struct sl_step[]){ SL_TXN(tx, ntx), SL_SILENCE(), SL_END() });
	assert_int_equal(lh_reset(f->h, &d), SB_ERR_TIMEOUT);
	assert_script_done(f->sl);
}

static void test_crc_refused_range(void **state)
{
	struct fx *f = *state;
	static uint8_t tx[32], rx[32];
	uint8_t p[8], r[LDRW_RESP_HDR] = { LDRW_E_ADDR };
	uint32_t a = 0x09000000, l = 16, crc;
	size_t ntx, nrx;
	struct sb_diag d = { 0 };

	put32(p, a);
	put32(p + 4, l);
	ntx = mk(tx, LDRW_SOF_HOST, 0, LDRW_CMD_CRC, p, 8);
	nrx = mk(rx, LDRW_SOF_DEV, 0, LDRW_T_RESP, r, sizeof(r));
	sl_add(f->sl, (struct sl_step[]){ SL_TXN(tx, ntx), SL_RXN(rx, nrx), SL_END() });
	assert_int_equal(lh_crc(f->h, &a, &l, 1, &crc, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "outside the flash"));
	assert_script_done(f->sl);
}

static void test_hello_of_another_version(void **state)
{
	struct fx *f = *state;
	static uint8_t rx[64];
	uint8_t p[LDRW_INFO_LEN] = { 0 };
	size_t nrx;
	struct sb_diag d = { 0 };

	p[LDRW_INFO_VERSION] = LDRW_VERSION + 1;
	nrx = mk(rx, LDRW_SOF_DEV, 0, LDRW_T_HELLO, p, sizeof(p));
	/* bytes before the start byte (the ROM's last ACK, noise) are skipped */
	sl_add(f->sl, (struct sl_step[]){ SL_RX(0x79, 0x00), SL_RXN(rx, nrx), SL_END() });
	assert_int_equal(lh_hello(f->h, NULL, &d), SB_ERR_STATE);
	assert_non_null(strstr(d.msg, "version"));
	assert_script_done(f->sl);
}

static void test_baud_without_set_baud_sends_nothing(void **state)
{
	struct fx *f = *state;
	unsigned now = 0, actual = 0;
	struct sb_diag d = { 0 };

	/* the script link has no set_baud: nothing may go to the loader */
	assert_int_equal(lh_set_baud(f->h, 921600, &now, &actual, &d), SB_ERR_UNSUPPORTED);
	assert_int_equal(now, 115200);
	assert_script_done(f->sl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_is_zlibs),
		cmocka_unit_test_setup_teardown(test_identify_frame_and_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence_resends_same_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nak_names_the_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_is_never_resent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crc_refused_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_of_another_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baud_without_set_baud_sends_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
