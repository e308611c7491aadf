/* SPDX-License-Identifier: MIT */
/*
 * test_an3155_sim.c - the AN3155 host engine against the virtual board's
 * device side (sim/an3155_dev.h), in process (DESIGN.md testing tier 2).
 * The link is instantaneous: device replies are ready as soon as the host's
 * bytes are in, and "nothing pending" is a timeout. Faults come from the
 * device's hooks, or from sim/faults.h (use_faults(): every byte goes through
 * faults_feed(), as in romsim serial). Nothing depends on time.
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
#include "faults.h"

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
	/* sim/faults.h injector between host and device (NULL: direct) */
	struct faults *fl;
	unsigned fired;           /* fault lines logged */
	uint8_t rxq[16384];       /* device replies that passed the faults */
	size_t rx_len;
};

/* One host byte through the faults; the replies that survive are queued. */
static void feed_faults(struct sim *s, uint8_t c)
{
	uint8_t out[600];
	size_t n = faults_feed(s->fl, c, out, sizeof(out));

	assert_true(n <= sizeof(s->rxq) - s->rx_len);
	memcpy(s->rxq + s->rx_len, out, n);
	s->rx_len += n;
}

static int l_write(void *h, const uint8_t *buf, size_t n, unsigned ms)
{
	struct sim *s = h;

	(void)ms;
	if (!s->fl) {
		an3155dev_input(s->dev, buf, n);
		return SB_OK;
	}
	for (size_t i = 0; i < n; i++)
		feed_faults(s, buf[i]);
	return SB_OK;
}

static int l_read(void *h, uint8_t *buf, size_t n, unsigned ms)
{
	struct sim *s = h;

	(void)ms;
	if (!s->fl)
		return (int)an3155dev_output(s->dev, buf, n);
	if (n > s->rx_len)
		n = s->rx_len;
	memcpy(buf, s->rxq, n);
	memmove(s->rxq, s->rxq + n, s->rx_len - n);
	s->rx_len -= n;
	return (int)n;
}

static int l_flush(void *h)
{
	struct sim *s = h;

	an3155dev_discard_output(s->dev);
	s->rx_len = 0;
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

static int open_sim(void **state, const struct an3155dev_config *dc)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct board_config cfg = { 0 };
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
	s->dev = an3155dev_new(s->bd, dc);
	hooks.ctx = s;
	an3155dev_set_hooks(s->dev, &hooks);
	link = (struct sb_link){ .ops = &sim_ops, .h = s };
	an3155_default_opts(&o);
	o.reset = reset_hook;
	o.reset_ctx = s;
	*state = s;
	return s->dev && an3155_new(&s->b, &link, NULL, &o) == SB_OK ? 0 : -1;
}

/* The strict L4R5 ROM (v3.1, no 0xA1). */
static int setup(void **state)
{
	return open_sim(state, NULL);
}

/* v3.3: 0xA1 in the AN3155 §3.13 frame (protocol-facts A.5 0xA1 row). */
static int setup_crc(void **state)
{
	const struct an3155dev_config dc = { .version = 0x33 };

	return open_sim(state, &dc);
}

/* v3.3 with stm32flash's (the I2C loader's) frame: CONFLICT F.6's other side. */
static int setup_crc_i2c(void **state)
{
	const struct an3155dev_config dc = { .version = 0x33, .crc_frame = AN3155DEV_CRC_I2C };

	return open_sim(state, &dc);
}

static int teardown(void **state)
{
	struct sim *s = *state;

	faults_free(s->fl);
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

/* The ROM's CRC (0xA1 in the AN3155 §3.13 frame) equals the host's. */
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

/*
 * A ROM that takes 0xA1 in the other frame (CONFLICT F.6): whatever the
 * host sends, verify ends right (by falling back to reading back) and the
 * ROM is left in step for the next command.
 */
static void test_checksum_other_frame(void **state)
{
	struct sim *s = *state;
	uint8_t data[512], back[16];

	fill(data, sizeof(data), 3);
	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	ok(s, an3155_verify(s->b, 0x08000000, data, sizeof(data), &s->d));
	data[300] ^= 1;
	assert_int_equal(an3155_verify(s->b, 0x08000000, data, sizeof(data), &s->d),
			 SB_ERR_VERIFY);
	assert_int_equal(s->d.addr, 0x0800012C);
	ok(s, an3155_read(s->b, 0x08000000, back, sizeof(back), &s->d));
	assert_memory_equal(back, data, sizeof(back));
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

/* A block the ROM accepted short (units left erased) is completed by
 * an3155_verify_written; a unit holding other data is a verify error. */
static void test_verify_written_repairs_erased_units(void **state)
{
	struct sim *s = *state;
	uint8_t data[512];
	struct board_stats st;

	fill(data, sizeof(data), 3);
	ok(s, an3155_connect(s->b, &s->d));
	/* as if the ROM had taken only the first 200 bytes of each 256-byte block */
	ok(s, an3155_write(s->b, 0x08000000, data, 200, &s->d));
	ok(s, an3155_write(s->b, 0x08000100, data + 256, 200, &s->d));
	assert_int_equal(an3155_verify(s->b, 0x08000000, data, sizeof(data), &s->d), SB_ERR_VERIFY);
	assert_int_equal(s->d.addr, 0x080000C8);
	ok(s, an3155_verify_written(s->b, 0x08000000, data, sizeof(data), &s->d));
	assert_flash(s, 0x08000000, data, sizeof(data));
	board_stats(s->bd, &st);
	assert_int_equal(st.prog_errors, 0);
	/* other data where the image belongs cannot be fixed: the first byte is named */
	data[300] ^= 0x55;
	assert_int_equal(an3155_verify_written(s->b, 0x08000000, data, sizeof(data), &s->d),
			 SB_ERR_VERIFY);
	assert_int_equal(s->d.addr, 0x0800012C);
	board_stats(s->bd, &st);
	assert_int_equal(st.prog_errors, 0);
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

/* ---- faults from sim/faults.h (the romsim serial --faults grammar) ---------- */

static void count_fault(void *ctx, const char *line)
{
	struct sim *s = ctx;

	(void)line;
	s->fired++;
}

/* Route every byte through a fault injector with spec (seed 1). Call before
 * connecting: faults count commands from the sync on. */
static void use_faults(struct sim *s, const char *spec)
{
	char err[128] = "";

	s->fl = faults_new(spec, 1, err, sizeof(err));
	if (!s->fl)
		fail_msg("fault spec '%s': %s", spec, err);
	faults_set_log(s->fl, count_fault, s);
	faults_attach(s->fl, s->dev, on_event, s);
}

/*
 * A job like "an3155 write": erase pages 0-1 (8 KB), write 4 KB in 16
 * blocks, verify. Then the flash holds exactly the data, and the board saw
 * no programming error and exactly 4096 / 8 double-words programmed: no
 * garbage anywhere (the resync filler never completed a write block).
 */
static void run_job(struct sim *s, const char *spec)
{
	static uint8_t data[4096], ff[4096];
	const uint16_t pages[] = { 0, 1 };
	struct board_stats st;

	fill(data, sizeof(data), 13);
	memset(ff, 0xFF, sizeof(ff));
	use_faults(s, spec);
	ok(s, an3155_connect(s->b, &s->d));
	ok(s, an3155_erase_pages(s->b, pages, 2, &s->d));
	ok(s, an3155_write(s->b, 0x08000000, data, sizeof(data), &s->d));
	ok(s, an3155_verify(s->b, 0x08000000, data, sizeof(data), &s->d));
	if (!s->fired)
		fail_msg("fault '%s' never fired", spec);
	board_stats(s->bd, &st);
	assert_int_equal(st.prog_errors, 0);
	assert_int_equal(st.dw_programmed, sizeof(data) / 8);
	assert_flash(s, 0x08000000, data, sizeof(data));
	assert_flash(s, 0x08001000, ff, sizeof(ff));
}

/*
 * The bug romsim found (drop-out@write#3.2): the ACK of the third write's
 * ADDRESS is lost, the ROM waits in the data phase. The old FF/00 resync was
 * taken as a 256-byte block whose checksum could match: garbage programmed
 * at 0x08000200 and the job failed at verify. The 0x02 filler is NACKed.
 */
static void test_lost_address_ack(void **state)
{
	struct sim *s = *state;

	run_job(s, "drop-out@write#3.2");
	assert_int_equal(s->writes_ok, 16);
}

/* Every other place a reply or a host byte can go missing in that job. */
static void test_faults_in_job(void **state)
{
	static const char *const specs[] = {
		"drop-out@write#3.1",      /* opcode ACK lost: ROM in the address phase */
		"drop-out@write#3.last",   /* final ACK lost: read back, not re-sent */
		"drop-out@erase#1.1",      /* ROM in the Extended Erase count phase */
		"drop-out@erase#1.last",
		"drop-out@read#1.1",       /* verify read: ROM in the address phase */
		"drop-out@read#1.2",       /* ROM in the length phase */
		"drop-out@read#1.3",
		"corrupt-out@read#1.100",  /* read-back data garbled: read again */
		"corrupt-in@write#3.9",    /* data byte garbled: checksum NACK */
		"drop-in@write#3.4",       /* an address byte lost */
		"drop-in@write#3.20",      /* a data byte lost: the filler ends the block */
		"drop-in@erase#1.4",       /* a byte of the page list lost */
	};

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		void *st;

		assert_int_equal(setup(&st), 0);
		run_job(st, specs[i]);
		teardown(&st);
	}
	(void)state;
}

/*
 * The filler's promise (an3155.c, resync): in every phase in which the ROM
 * waits for host bytes, a run of 0x02 alone never completes a valid frame:
 * the first answer is a single NACK, nothing changed on the board, and the
 * ROM waits for a command again. The longest such run (Extended Erase,
 * 02 02 = 0x203 pages) fits in two single bytes and four 258-byte bursts.
 */
static void test_filler_nacked_in_every_phase(void **state)
{
	static const struct {
		const char *phase;
		uint8_t pre[20];
		size_t npre, fill;
	} ph[] = {
		{ "command", { 0 }, 0, 2 },
		{ "command after a lost 02 of Get ID", { 0xFD }, 1, 1 },
		{ "read address", { 0x11, 0xEE }, 2, 5 },
		{ "read length", { 0x11, 0xEE, 0x08, 0, 0, 0, 0x08 }, 7, 2 },
		{ "go address", { 0x21, 0xDE }, 2, 5 },
		{ "write address", { 0x31, 0xCE }, 2, 5 },
		{ "write data", { 0x31, 0xCE, 0x08, 0, 0, 0, 0x08 }, 7, 5 },
		{ "extended erase", { 0x44, 0xBB }, 2, 2 + 2 * 0x203 + 1 },
		{ "write protect", { 0x63, 0x9C }, 2, 5 },
		{ "checksum address", { 0xA1, 0x5E }, 2, 5 },
		{ "checksum size", { 0xA1, 0x5E, 0x08, 0, 0, 0, 0x08 }, 7, 5 },
		{ "checksum polynomial", { 0xA1, 0x5E, 0x08, 0, 0, 0, 0x08, 0, 0, 0, 2, 2 }, 12, 5 },
		{ "checksum initial value", { 0xA1, 0x5E, 0x08, 0, 0, 0, 0x08, 0, 0, 0, 2, 2,
					      0x04, 0xC1, 0x1D, 0xB7, 0x6F }, 17, 5 },
	};
	struct sim *s = *state;
	const uint8_t sync = 0x7F, fill02 = 0x02;

	an3155dev_input(s->dev, &sync, 1);
	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		struct board_stats before, after;
		uint8_t out[4];
		size_t fed = 0, got = 0;

		board_stats(s->bd, &before);
		an3155dev_input(s->dev, ph[i].pre, ph[i].npre);
		an3155dev_discard_output(s->dev);
		while (!got && fed < 2 + 4 * 258) {
			an3155dev_input(s->dev, &fill02, 1);
			fed++;
			got = an3155dev_output(s->dev, out, sizeof(out));
		}
		if (got != 1 || out[0] != 0x1F || fed != ph[i].fill)
			fail_msg("%s: %zu byte(s) answered after %zu filler bytes (want NACK after %zu)",
				 ph[i].phase, got, fed, ph[i].fill);
		assert_true(an3155dev_idle(s->dev));
		board_stats(s->bd, &after);
		assert_memory_equal(&before, &after, sizeof(before));
		assert_int_equal(board_mode(s->bd), BOARD_MODE_ROM);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identify),
		T(test_write_verify_read),
		cmocka_unit_test_setup_teardown(test_checksum_cmd, setup_crc, teardown),
		cmocka_unit_test_setup_teardown(test_checksum_other_frame, setup_crc_i2c, teardown),
		T(test_lost_ack),
		T(test_late_nack),
		T(test_stall),
		T(test_write_twice),
		T(test_verify_written_repairs_erased_units),
		T(test_erase),
		T(test_rdp_cycle),
		T(test_go),
		T(test_lost_address_ack),
		T(test_faults_in_job),
		cmocka_unit_test_setup_teardown(test_filler_nacked_in_every_phase, setup_crc,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
