/* SPDX-License-Identifier: MIT */
/*
 * test_script_link.c - the scripted byte link (tests/unit/script_link.h)
 * catches what it promises to catch, so engine tests can rely on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sb_err.h"
#include "script_link.h"

static struct script_link *make(const struct sl_step *steps)
{
	struct script_link *sl = sl_new();

	assert_non_null(sl);
	assert_int_equal(sl_add(sl, steps), 0);
	return sl;
}

static void test_exchange(void **state)
{
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79, 0x01), SL_RX(0x02), SL_SILENCE(),
		SL_SLEEP(5), SL_MODEM(1, 0), SL_END()
	};
	struct script_link *sl = make(s);
	struct sb_link l = sl_link(sl);
	uint8_t buf[8];

	(void)state;
	assert_int_equal(l.ops->flush(l.h), SB_OK);
	assert_int_equal(l.ops->write(l.h, (const uint8_t[]){ 0x7F }, 1, 10), SB_OK);
	assert_int_equal(l.ops->read(l.h, buf, 2, 10), 2);      /* spans nothing: 79 01 */
	assert_int_equal(l.ops->read(l.h, buf, 4, 10), 1);      /* 02, then silence */
	assert_int_equal(buf[0], 0x02);
	l.ops->sleep_ms(l.h, 5);
	assert_int_equal(l.ops->set_modem(l.h, 1, 0), SB_OK);
	l.ops->close(l.h);
	assert_int_equal(sl_closed(sl), 1);
	assert_int_equal(sl_sleep_total(sl), 5);
	assert_null(sl_check_done(sl));
	sl_free(sl);
}

static void test_wrong_byte(void **state)
{
	const struct sl_step s[] = { SL_TX(0x00, 0xFF), SL_END() };
	struct script_link *sl = make(s);
	struct sb_link l = sl_link(sl);

	(void)state;
	assert_int_equal(l.ops->write(l.h, (const uint8_t[]){ 0x00, 0xFE }, 2, 10), SB_ERR_IO);
	assert_non_null(strstr(sl_check_done(sl), "engine wrote 0xFE"));
	/* Everything fails after a mismatch. */
	assert_int_equal(l.ops->flush(l.h), SB_ERR_IO);
	sl_free(sl);
}

static void test_unused_steps(void **state)
{
	const struct sl_step s[] = { SL_TX(0x11), SL_RX(0x79), SL_END() };
	struct script_link *sl = make(s);
	struct sb_link l = sl_link(sl);

	(void)state;
	assert_int_equal(l.ops->write(l.h, (const uint8_t[]){ 0x11 }, 1, 10), SB_OK);
	assert_null(sl_error(sl));
	assert_non_null(strstr(sl_check_done(sl), "1 step(s) unused"));
	sl_free(sl);
}

/* Reading past the device's words without SL_SILENCE is a script error, not a timeout. */
static void test_read_into_tx(void **state)
{
	const struct sl_step s[] = { SL_RX(0x79), SL_TX(0x01), SL_END() };
	struct script_link *sl = make(s);
	struct sb_link l = sl_link(sl);
	uint8_t buf[2];

	(void)state;
	assert_int_equal(l.ops->read(l.h, buf, 2, 10), SB_ERR_IO);
	assert_non_null(strstr(sl_error(sl), "add SL_SILENCE()"));
	sl_free(sl);
}

/* Writing while the device's reply is unread is an error; flush drops it. */
static void test_write_over_rx_and_flush(void **state)
{
	const struct sl_step s[] = { SL_RX(0x55), SL_FLUSH(), SL_TX(0x7F), SL_RX(0x1F), SL_END() };
	struct script_link *sl = make(s), *sl2 = make(s);
	struct sb_link l = sl_link(sl), l2 = sl_link(sl2);

	(void)state;
	assert_int_equal(l.ops->write(l.h, (const uint8_t[]){ 0x7F }, 1, 10), SB_ERR_IO);
	assert_int_equal(l2.ops->flush(l2.h), SB_OK);
	assert_int_equal(l2.ops->write(l2.h, (const uint8_t[]){ 0x7F }, 1, 10), SB_OK);
	assert_non_null(sl_check_done(sl2));   /* the 1F is still unread */
	sl_free(sl);
	sl_free(sl2);
}

static void test_wait_and_sleep_checks(void **state)
{
	const struct sl_step s[] = { SL_RX_WAIT(1000, 0x79), SL_SLEEP(7), SL_END() };
	struct script_link *sl = make(s), *sl2 = make(s);
	struct sb_link l = sl_link(sl), l2 = sl_link(sl2);
	uint8_t c;

	(void)state;
	assert_int_equal(l.ops->read(l.h, &c, 1, 999), SB_ERR_IO);   /* deadline too short */
	assert_int_equal(l2.ops->read(l2.h, &c, 1, 1000), 1);
	l2.ops->sleep_ms(l2.h, 8);
	assert_non_null(strstr(sl_check_done(sl2), "slept 8 ms"));
	sl_free(sl);
	sl_free(sl2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_wrong_byte),
		cmocka_unit_test(test_unused_steps),
		cmocka_unit_test(test_read_into_tx),
		cmocka_unit_test(test_write_over_rx_and_flush),
		cmocka_unit_test(test_wait_and_sleep_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
