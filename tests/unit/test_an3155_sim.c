/*
 * test_an3155_sim.c - the AN3155 host engine against the virtual board's
 * device side (sim/an3155_dev.h), in process (DESIGN.md testing tier 2).
 * The link is instantaneous: device replies are ready as soon as the host's
 * bytes are in, and "nothing pending" is a timeout. Faults come from the
 * device's hooks. Nothing depends on time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "an3155.h"
#include "an3155_dev.h"
#include "board.h"
#include "crc.h"

struct sim {
	struct board *bd;
	struct an3155dev *dev;
	struct an3155 *b;
	struct sb_diag d;
	/* faults */
	int drop_ack_of;          /* opcode whose next final ACK is lost, -1 none */
	int fate_code;            /* opcode that gets fate once, -1 none */
	enum an3155dev_fate fate;
	unsigned writes_ok, resets;
};

static int l_write(void *h, const uint8_t *buf, size_t n, unsigned ms)
{
	struct sim *s = h;

	(void)ms;
	an3155dev_input(s->dev, buf, n);
	return SB_OK;
}

static int l_read(void *h, uint8_t *buf, size_t n, unsigned ms)
{
	struct sim *s = h;

	(void)ms;
	return (int)an3155dev_output(s->dev, buf, n);
}

static int l_flush(void *h)
{
	struct sim *s = h;

	an3155dev_discard_output(s->dev);
	return SB_OK;
}

static const struct sb_link_ops sim_ops = { .write = l_write, .read = l_read, .flush = l_flush };

static void on_event(void *ctx, const struct an3155dev_event *ev)
{
	struct sim *s = ctx;

	if (ev->code == AN3155_CMD_WRITE && ev->ok)
		s->writes_ok++;
	if (ev->ok && ev->code == s->drop_ack_of) {
		an3155dev_discard_output(s->dev);   /* the final ACK never arrives */
		s->drop_ack_of = -1;
	}
}

static enum an3155dev_fate on_command(void *ctx, uint8_t code)
{
	struct sim *s = ctx;

	if (code != s->fate_code)
		return AN3155DEV_NORMAL;
	s->fate_code = -1;
	return s->fate;
}

static int reset_hook(void *ctx)
{
	struct sim *s = ctx;

	s->resets++;
	board_reset(s->bd);
	return SB_OK;
}

static int open_sim(void **state, bool offer_crc)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct board_config cfg = { .offer_crc = offer_crc };
	struct an3155dev_hooks hooks = { .on_command = on_command, .on_event = on_event };
	struct an3155_opts o;
	struct sb_link link;

	if (!s)
		return -1;
	s->drop_ack_of = s->fate_code = -1;
	s->bd = board_new(&cfg);
	if (!s->bd)
		return -1;
	board_set_pin(s->bd, BOARD_PIN_BOOT0, 1);
	board_reset(s->bd);
	s->dev = an3155dev_new(s->bd, NULL);
	hooks.ctx = s;
	an3155dev_set_hooks(s->dev, &hooks);
	link = (struct sb_link){ .ops = &sim_ops, .h = s };
	an3155_default_opts(&o);
	o.reset = reset_hook;
	o.reset_ctx = s;
	*state = s;
	return s->dev && an3155_new(&s->b, &link, NULL, &o) == SB_OK ? 0 : -1;
}

static int setup(void **state)
{
	return open_sim(state, false);
}

static int setup_crc(void **state)
{
	return open_sim(state, true);
}

static int teardown(void **state)
{
	struct sim *s = *state;

	an3155_free(s->b);
	an3155dev_free(s->dev);
	board_free(s->bd);
	free(s);
	return 0;
}

#define ok(s, call) do { \
		int rc_ = (call); \
		if (rc_ != SB_OK) \
			fail_msg("%s: %s: %s", #call, sb_errname(rc_), (s)->d.msg); \
	} while (0)

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

static void assert_flash(struct sim *s, uint32_t addr, const uint8_t *want, size_t n)
{
	uint8_t *got = malloc(n);

	assert_non_null(got);
	assert_int_equal(board_read(s->bd, addr, got, n), BOARD_OK);
	assert_memory_equal(got, want, n);
	free(got);
}

static void test_identify(void **state)
{
	struct sim *s = *state;
	const struct an3155_info *in;

	ok(s, an3155_connect(s->b, &s->d));
	in = an3155_info(s->b);
	assert_int_equal(in->pid, 0x470);
	assert_true(an3155_has(s->b, AN3155_CMD_EXT_ERASE));
	assert_false(an3155_has(s->b, AN3155_CMD_GET_CHECKSUM));
	/* A second connect finds the ROM already synchronised (facts A.1). */
	ok(s, an3155_connect(s->b, &s->d));
	assert_false(an3155_info(s->b)->fresh_sync);
}

static void test_write_verify_read(void **state)
{
	struct sim *s = *state;
	uint8_t data[1000], back[1000];
	uint32_t crc;

	fill(data, sizeof(data), 7);
	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_write(s->b, 0x08000100, data, sizeof(data), &s->d));
	ok(s, an3155_verify(s->b, 0x08000100, data, sizeof(data), &s->d));
	ok(s, an3155_read(s->b, 0x08000100, back, sizeof(back), &s->d));
	assert_memory_equal(back, data, sizeof(data));
	ok(s, an3155_crc(s->b, 0x08000100, sizeof(data), &crc, &s->d));
	assert_int_equal(crc, sb_crc_stm32(SB_CRC_STM32_INIT, data, sizeof(data)));
	assert_flash(s, 0x08000100, data, sizeof(data));
}

/* The ROM's CRC (0xA1, as the model frames it) equals the host's. */
static void test_checksum_cmd(void **state)
{
	struct sim *s = *state;
	uint8_t data[512];
	uint32_t crc;

	fill(data, sizeof(data), 3);
	ok(s, an3155_connect(s->b, &s->d));
	assert_true(an3155_has(s->b, AN3155_CMD_GET_CHECKSUM));
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	ok(s, an3155_get_checksum(s->b, 0x08000000, sizeof(data), &crc, &s->d));
	assert_int_equal(crc, sb_crc_stm32(SB_CRC_STM32_INIT, data, sizeof(data)));
	ok(s, an3155_verify(s->b, 0x08000000, data, sizeof(data), &s->d));
	data[300] ^= 1;
	assert_int_equal(an3155_verify(s->b, 0x08000000, data, sizeof(data), &s->d),
			 SB_ERR_VERIFY);
	assert_int_equal(s->d.addr, 0x0800012C);
}

/* Lost final ACK: read back, find the data, do not program twice (facts A.7). */
static void test_lost_ack(void **state)
{
	struct sim *s = *state;
	uint8_t data[256];
	struct board_stats st;

	fill(data, sizeof(data), 1);
	ok(s, an3155_connect(s->b, &s->d));
	s->drop_ack_of = AN3155_CMD_WRITE;
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	assert_int_equal(s->writes_ok, 1);
	board_stats(s->bd, &st);
	assert_int_equal(st.prog_errors, 0);
	assert_int_equal(st.dw_programmed, 256 / 8);
	assert_flash(s, 0x08000000, data, sizeof(data));
}

/* NACK after the data (nothing programmed): read back erased, send again. */
static void test_late_nack(void **state)
{
	struct sim *s = *state;
	uint8_t data[64];
	struct board_stats st;

	fill(data, sizeof(data), 9);
	ok(s, an3155_connect(s->b, &s->d));
	s->fate_code = AN3155_CMD_WRITE;
	s->fate = AN3155DEV_NACK_LATE;
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	board_stats(s->bd, &st);
	assert_int_equal(st.prog_errors, 0);
	assert_flash(s, 0x08000000, data, sizeof(data));
}

/* A stalled command (no reply at all) is resynchronised and re-sent. */
static void test_stall(void **state)
{
	struct sim *s = *state;
	uint8_t data[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, back[16];

	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	s->fate_code = AN3155_CMD_READ;
	s->fate = AN3155DEV_STALL;
	ok(s, an3155_read(s->b, 0x08000000, back, sizeof(back), &s->d));
	assert_memory_equal(back, data, sizeof(data));
}

/* A double-word written twice is refused by the model; the engine names it. */
static void test_write_twice(void **state)
{
	struct sim *s = *state;
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_write(s->b, 0x08000000, data, 8, &s->d));
	data[0] = 0;
	assert_int_not_equal(an3155_write(s->b, 0x08000000, data, 8, &s->d), SB_OK);
	assert_true(s->d.has_addr);
	assert_int_equal(s->d.addr, 0x08000000);
}

static void test_erase(void **state)
{
	struct sim *s = *state;
	uint8_t data[8192], ff[8192];
	const uint16_t pages[] = { 0, 1 };

	fill(data, sizeof(data), 5);
	memset(ff, 0xFF, sizeof(ff));
	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	ok(s, an3155_erase_pages(s->b, pages, 1, &s->d));     /* 4 KB pages, dual bank */
	assert_flash(s, 0x08000000, ff, 4096);
	assert_flash(s, 0x08001000, data + 4096, 4096);
	ok(s, an3155_erase_pages(s->b, pages + 1, 1, &s->d));
	assert_flash(s, 0x08001000, ff, 4096);
	ok(s, an3155_write(s->b, 0x08000000, data, 64, &s->d));
	ok(s, an3155_erase_special(s->b, AN3155_ERASE_BANK1, &s->d));
	assert_flash(s, 0x08000000, ff, 64);
	ok(s, an3155_write(s->b, 0x08100000, data, 64, &s->d));
	ok(s, an3155_erase_special(s->b, AN3155_ERASE_MASS, &s->d));
	assert_flash(s, 0x08100000, ff, 64);
}

/* Protect, reconnect, see RDP, unprotect, reconnect, write: one run. */
static void test_rdp_cycle(void **state)
{
	struct sim *s = *state;
	uint8_t data[32], buf[4];

	fill(data, sizeof(data), 11);
	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	ok(s, an3155_readout_protect(s->b, &s->d));
	ok(s, an3155_reconnect(s->b, &s->d));
	assert_int_equal(board_rdp_level(s->bd), 1);
	assert_int_equal(an3155_read(s->b, 0x08000000, buf, 4, &s->d), SB_ERR_PROTECTED);
	assert_int_equal(an3155_readout_protect(s->b, &s->d), SB_ERR_PROTECTED);
	ok(s, an3155_readout_unprotect(s->b, &s->d));
	ok(s, an3155_reconnect(s->b, &s->d));
	assert_int_equal(board_rdp_level(s->bd), 0);
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));   /* erased by RDP 1->0 */
	assert_flash(s, 0x08000000, data, sizeof(data));
}

static void test_go(void **state)
{
	struct sim *s = *state;
	uint8_t vec[8] = { 0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08 };

	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_write(s->b, 0x08000000, vec, 8, &s->d));
	ok(s, an3155_go(s->b, 0x08000000, &s->d));
	assert_int_equal(board_mode(s->bd), BOARD_MODE_APP);
	ok(s, an3155_reconnect(s->b, &s->d));                /* reset hook -> ROM (BOOT0 high) */
	assert_int_equal(s->resets, 1);
	assert_int_equal(board_mode(s->bd), BOARD_MODE_ROM);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identify),
		T(test_write_verify_read),
		cmocka_unit_test_setup_teardown(test_checksum_cmd, setup_crc, teardown),
		T(test_lost_ack),
		T(test_late_nack),
		T(test_stall),
		T(test_write_twice),
		T(test_erase),
		T(test_rdp_cycle),
		T(test_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
