/* SPDX-License-Identifier: MIT */
/*
 * test_ldr.c - the RAM loader's logic (stub/ldr_core.c, ldr_cmd.c, built
 * natively with -DLDR_NATIVE) on a register-level model of the part
 * (tests/fake/ldr_part.c), driven by the host engine (protocols/ldrhost*)
 * through a link that runs the loader while the host waits for bytes.
 * Time is simulated: every loader poll is 10 us.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "ldr_core.h"
#include "../fake/ldr_part.h"
#include "ldr_frame.h"
#include "ldr_wire.h"
#include "ldrhost.h"

/* ---- a link from the host engine to the loader on the model ------------------ */

struct tl {
	struct fpart *fp;
	struct ldr *ldr;
	struct ldr_hw hw;
	uint64_t us;
	bool dead;
	size_t kill_after;        /* loader stops after sending this many bytes (0: never) */
	size_t out_total;
	/* faults, per byte, from a fixed seed */
	unsigned drop_in, corrupt_in, drop_out, corrupt_out;   /* per 10000 */
	uint32_t rng;
	int drop_out_frames;      /* drop the next N device frames whole (SOF to SOF) */
	bool dropping;
	unsigned host_baud;
	bool refuse_baud;
};

static unsigned rnd(struct tl *t)
{
	t->rng = t->rng * 1103515245u + 12345u;
	return (t->rng >> 8) % 10000u;
}

static void step(struct tl *t)
{
	if (!t->dead && !fp_reset_requested(t->fp))
		ldr_poll(t->ldr);
	fp_tick(t->fp);
	t->us += 10;
	if (t->kill_after && t->out_total >= t->kill_after)
		t->dead = true;
}

static int tl_write(void *h, const uint8_t *buf, size_t n, unsigned timeout_ms)
{
	struct tl *t = h;

	(void)timeout_ms;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = buf[i];
		if (t->drop_in && rnd(t) < t->drop_in)
			continue;
		if (t->corrupt_in && rnd(t) < t->corrupt_in)
			b ^= (uint8_t)(1u << (rnd(t) % 8));
		fp_host_send(t->fp, &b, 1);
	}
	return 0;
}

/* One device byte through the output faults; false: dropped. */
static bool out_fault(struct tl *t, uint8_t *b)
{
	if (t->drop_out_frames > 0 || t->dropping) {
		if (*b == 0xA5 && !t->dropping) {
			t->dropping = true;
		} else if (*b == 0xA5 && t->dropping) {
			if (--t->drop_out_frames <= 0) {
				t->dropping = false;
				return true;
			}
		}
		return !t->dropping;
	}
	if (t->drop_out && rnd(t) < t->drop_out)
		return false;
	if (t->corrupt_out && rnd(t) < t->corrupt_out)
		*b ^= (uint8_t)(1u << (rnd(t) % 8));
	return true;
}

static int tl_read(void *h, uint8_t *buf, size_t n, unsigned timeout_ms)
{
	struct tl *t = h;
	uint64_t end = t->us + (uint64_t)timeout_ms * 1000u;
	size_t got = 0;

	for (;;) {
		uint8_t b;
		while (got < n && fp_host_recv(t->fp, &b, 1) == 1) {
			t->out_total++;
			if (out_fault(t, &b))
				buf[got++] = b;
		}
		if (got == n || t->us >= end)
			return (int)got;
		step(t);
	}
}

static int tl_flush(void *h)
{
	fp_host_flush(((struct tl *)h)->fp);
	return 0;
}

static int tl_set_baud(void *h, unsigned baud)
{
	struct tl *t = h;

	if (t->refuse_baud && baud > 500000)
		return -7;
	t->host_baud = baud;
	fp_set_host_baud(t->fp, baud);
	return 0;
}

static void tl_sleep(void *h, unsigned ms)
{
	struct tl *t = h;

	for (unsigned i = 0; i < ms * 100u; i++)
		step(t);
}

static const struct sb_link_ops tl_ops = {
	.write = tl_write, .read = tl_read, .flush = tl_flush, .sleep_ms = tl_sleep,
	.set_baud = tl_set_baud,
};

static uint64_t tl_now(void *ctx)
{
	return ((struct tl *)ctx)->us / 1000u;
}

struct rig {
	struct tl t;
	struct lh *h;
	struct lh_info info;
};

/* LDR_DEBUG=1 in the environment: the engine's messages with the simulated time. */
static void dbg_log(void *ctx, enum sb_log_level l, const char *m)
{
	const struct tl *t = ctx;

	if (!getenv("LDR_DEBUG"))
		return;
	fprintf(stderr, "[%llu us] %d %s (loader: rx_next %u, done_next %u, rx_state %u, rx_mode %u)\n",
		(unsigned long long)t->us, (int)l, m, t->ldr->rx_next, t->ldr->done_next,
		t->ldr->rx_state, t->ldr->rx_mode);
	fprintf(stderr, "   slot[rx_next]: have %u seq %u cmd %u len %u; tx ring %u..%u\n", t->ldr->slot[t->ldr->rx_next % 32].have, t->ldr->slot[t->ldr->rx_next % 32].seq, t->ldr->slot[t->ldr->rx_next % 32].cmd, t->ldr->slot[t->ldr->rx_next % 32].len, t->ldr->tx_tail, t->ldr->tx_head);
}

static struct rig *rig_new(const struct fp_cfg *cfg)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct lh_opts o;
	struct sb_link link;
	struct sb_log lg;

	r->t.fp = fp_new(cfg);
	r->t.ldr = calloc(1, sizeof(*r->t.ldr));
	r->t.hw = (struct ldr_hw){ fp_rd32, fp_wr32, fp_reset, r->t.fp };
	r->t.ldr->hw = &r->t.hw;
	r->t.rng = 12345;
	r->t.host_baud = cfg->baud ? cfg->baud : 115200;
	link = (struct sb_link){ &tl_ops, &r->t };
	lh_default_opts(&o);
	o.baud = r->t.host_baud;
	o.now_ms = tl_now;
	o.now_ctx = &r->t;
	lg = (struct sb_log){ dbg_log, &r->t, getenv("LDR_TRACE") ? SB_LOG_TRACE : SB_LOG_DEBUG };
	assert_int_equal(lh_new(&r->h, &link, &lg, &o), SB_OK);
	return r;
}

/* The loader starts (after Go) and the host takes its HELLO. */
static struct rig *rig_up(const struct fp_cfg *cfg)
{
	struct rig *r = rig_new(cfg);
	struct sb_diag d = { 0 };

	assert_int_equal(ldr_init(r->t.ldr), LDR_OK);
	assert_int_equal(lh_hello(r->h, &r->info, &d), SB_OK);
	return r;
}

static void rig_free(struct rig *r)
{
	const char *e = fp_error(r->t.fp);

	if (e)
		fail_msg("register misuse: %s", e);
	lh_free(r->h);
	fp_free(r->t.fp);
	free(r->t.ldr);
	free(r);
}

static uint8_t *pattern(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
	return p;
}

static int program(struct rig *r, uint32_t addr, const uint8_t *data, uint32_t len, bool erase,
		   struct sb_diag *d)
{
	struct lh_op ops[2];
	size_t n = 0;

	if (erase) {
		uint32_t p = r->info.page_size, a = addr / p * p;
		ops[n++] = (struct lh_op){ .kind = LH_ERASE, .addr = a,
					   .len = (addr + len + p - 1) / p * p - a };
	}
	ops[n++] = (struct lh_op){ .kind = LH_WRITE, .addr = addr, .len = len, .data = data,
				   .skip_erased = true };
	return lh_program(r->h, ops, n, d);
}

/* ---- identity and geometry ---------------------------------------------------- */

static void test_hello_dual_bank(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });

	(void)state;
	assert_int_equal(r->info.version, 1);
	assert_int_equal(r->info.usart, 1);
	assert_int_equal(r->info.flash_base, 0x08000000);
	assert_int_equal(r->info.flash_size, 2048 * 1024);
	assert_int_equal(r->info.page_size, 4096);
	assert_int_equal(r->info.bank2, 0x08100000);
	assert_int_equal(r->info.optr, 0xFFEFF8AA);
	assert_int_equal(r->info.data_max, 1024);
	assert_true(r->info.nslots >= 2);
	assert_int_equal(r->info.brr, 139);   /* 16 MHz / 115200 */
	rig_free(r);
}

static void test_geometry_single_bank_and_1mb(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ .optr = 0xFFAFF8AA });   /* DBANK = 0 */
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(r->info.page_size, 8192);
	assert_int_equal(r->info.bank2, 0);
	rig_free(r);
	r = rig_up(&(struct fp_cfg){ .flash_kb = 1024 });   /* DB1M = 1 */
	assert_int_equal(r->info.flash_size, 1024 * 1024);
	assert_int_equal(r->info.bank2, 0x08080000);
	assert_int_equal(r->info.page_size, 4096);
	assert_int_equal(lh_identify(r->h, &r->info, &d), SB_OK);
	assert_int_equal(r->info.bank2, 0x08080000);
	rig_free(r);
	/* an unprogrammed flash size register (0xFFFF) reads as 2 MB, protocol-facts E.1 */
	r = rig_up(&(struct fp_cfg){ .fsize_reg = 0xFFFF });
	assert_int_equal(r->info.flash_size, 2048 * 1024);
	rig_free(r);
}

static void test_no_usart_no_line(void **state)
{
	struct rig *r = rig_new(&(struct fp_cfg){ .usarts = 0 });

	(void)state;
	/* a USART with UE off: nothing to talk on (the caller resets) */
	fp_wr32(r->t.fp, 0x40013800, 0);
	assert_int_equal(ldr_init(r->t.ldr), LDR_NO_LINE);
	rig_free(r);
}

static void test_two_usarts_host_picks_one(void **state)
{
	struct rig *r = rig_new(&(struct fp_cfg){ .usarts = 3, .host_usart = 2 });
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(ldr_init(r->t.ldr), LDR_OK);
	assert_int_equal(lh_hello(r->h, &r->info, &d), SB_OK);
	assert_int_equal(r->info.nusart, 2);
	assert_int_equal(r->info.usart, 2);           /* the HELLO names the USART it came on */
	assert_int_equal(lh_identify(r->h, &r->info, &d), SB_OK);
	assert_int_equal(r->info.usart, 2);
	rig_free(r);
}

/* ---- streaming writes ------------------------------------------------------------ */

static void test_write_crc_read(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	const uint32_t addr = 0x08004000, len = 40 * 1024;
	uint8_t *data = pattern(len, 1), *back = malloc(len);
	uint32_t crc, a = addr, l = len;
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(program(r, addr, data, len, true, &d), SB_OK);
	assert_memory_equal(fp_flash(r->t.fp) + (addr - 0x08000000), data, len);
	assert_int_equal(fp_stats(r->t.fp)->erases, 10);
	assert_int_equal(fp_stats(r->t.fp)->double_programs, 0);
	assert_true(fp_stats(r->t.fp)->dcache_resets >= 1);
	assert_int_equal(lh_crc(r->h, &a, &l, 1, &crc, &d), SB_OK);
	assert_int_equal(crc, lh_crc32(0, data, len));
	assert_int_equal(lh_read(r->h, addr + 3, back, 3000, &d), SB_OK);   /* unaligned */
	assert_memory_equal(back, data + 3, 3000);
	free(data);
	free(back);
	rig_free(r);
}

/* CRCs over flash by the part's CRC unit when it passes the loader's test,
 * by the tables when the unit reads 0 (dead); the same answers either way,
 * also for a range that is not whole words (the tables take it). */
static void crc_unit_case(bool dead)
{
	struct rig *r = rig_up(&(struct fp_cfg){ .crc_dead = dead });
	const uint32_t addr = 0x08002000, len = 8 * 1024;
	uint8_t *data = pattern(len, 7);
	uint32_t a[2] = { addr, addr + 5 }, l[2] = { len, len - 9 }, crc[2];
	struct sb_diag d = { 0 };

	assert_int_equal(r->info.crc_unit, !dead);
	assert_int_equal(program(r, addr, data, len, true, &d), SB_OK);
	assert_int_equal(lh_crc(r->h, a, l, 2, crc, &d), SB_OK);
	assert_int_equal(crc[0], lh_crc32(0, data, len));
	assert_int_equal(crc[1], lh_crc32(0, data + 5, len - 9));
	if (dead)
		assert_int_equal(fp_stats(r->t.fp)->crc_words, 0);
	else   /* the whole-word range through the unit, plus the self-test's two words */
		assert_int_equal(fp_stats(r->t.fp)->crc_words, len / 4 + 2);
	free(data);
	rig_free(r);
}

static void test_crc_unit(void **state)
{
	(void)state;
	crc_unit_case(false);
	crc_unit_case(true);
}

static void test_write_bank2_single_bank_pages(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t *data = pattern(8192, 2);
	struct sb_diag d = { 0 };

	(void)state;
	/* the last page of bank 1 and the first of bank 2 (BKER) */
	assert_int_equal(program(r, 0x080FF000, data, 8192, true, &d), SB_OK);
	assert_memory_equal(fp_flash(r->t.fp) + 0xFF000, data, 8192);
	rig_free(r);
	r = rig_up(&(struct fp_cfg){ .optr = 0xFFAFF8AA });
	assert_int_equal(program(r, 0x081FE000, data, 8192, true, &d), SB_OK);
	assert_memory_equal(fp_flash(r->t.fp) + 0x1FE000, data, 8192);
	free(data);
	rig_free(r);
}

static void test_skip_erased_double_words(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t data[64];
	struct sb_diag d = { 0 };

	(void)state;
	memset(data, 0xFF, sizeof(data));
	data[17] = 0;   /* only the third double-word holds data */
	assert_int_equal(program(r, 0x08000000, data, sizeof(data), true, &d), SB_OK);
	assert_int_equal(fp_stats(r->t.fp)->programs, 1);
	assert_memory_equal(fp_flash(r->t.fp), data, sizeof(data));
	rig_free(r);
}

static void test_progerr_reported_and_rest_not_run(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t *data = pattern(4096, 3), *other = pattern(4096, 4);
	struct sb_diag d = { 0 };
	struct lh_op ops[2] = {
		{ .kind = LH_WRITE, .addr = 0x08000000, .len = 4096, .data = other },
		{ .kind = LH_WRITE, .addr = 0x08002000, .len = 4096, .data = other },
	};

	(void)state;
	assert_int_equal(program(r, 0x08000000, data, 4096, true, &d), SB_OK);
	/* the same double-words again, without an erase: PROGERR (protocol-facts E.3) */
	assert_int_equal(lh_program(r->h, ops, 2, &d), SB_ERR_NACK);
	assert_true(d.has_addr);
	assert_int_equal(d.addr, 0x08000000);
	assert_non_null(strstr(d.msg, "PROGERR"));
	assert_memory_equal(fp_flash(r->t.fp), data, 4096);
	/* the second operation came after the failure: not executed */
	assert_int_equal(fp_flash(r->t.fp)[0x2000], 0xFF);
	free(data);
	free(other);
	rig_free(r);
}

static void test_wrperr_is_protection(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ .wrp_start = 0x08010000, .wrp_end = 0x08011000 });
	uint8_t *data = pattern(4096, 5);
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(program(r, 0x08010000, data, 4096, true, &d), SB_ERR_PROTECTED);
	assert_non_null(strstr(d.msg, "WRPERR"));
	assert_int_equal(d.addr, 0x08010000);
	free(data);
	rig_free(r);
}

static void test_refuses_outside_flash(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ .flash_kb = 1024 });
	uint8_t data[16] = { 1 };
	uint32_t a = 0x08100000, l = 16, crc;
	struct sb_diag d = { 0 };
	struct lh_op op = { .kind = LH_WRITE, .addr = 0x08100000, .len = 16, .data = data };

	(void)state;
	assert_int_equal(lh_program(r->h, &op, 1, &d), SB_ERR_BAD_INPUT);
	assert_int_equal(fp_stats(r->t.fp)->programs, 0);
	assert_int_equal(lh_crc(r->h, &a, &l, 1, &crc, &d), SB_ERR_BAD_INPUT);
	/* option bytes and system memory are not flash: never programmed */
	op.addr = 0x1FF00000;
	assert_int_equal(lh_program(r->h, &op, 1, &d), SB_ERR_BAD_INPUT);
	rig_free(r);
}

/* ---- a noisy line ------------------------------------------------------------------ */

static void run_faults(unsigned drop_in, unsigned corrupt_in, unsigned drop_out, unsigned corrupt_out)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	const uint32_t len = 64 * 1024;
	uint8_t *data = pattern(len, 6);
	uint32_t a = 0x08020000, l = len, crc = 0;
	struct sb_diag d = { 0 };
	int err;

	r->t.drop_in = drop_in;
	r->t.corrupt_in = corrupt_in;
	r->t.drop_out = drop_out;
	r->t.corrupt_out = corrupt_out;
	err = program(r, 0x08020000, data, len, true, &d);
	if (err)
		fail_msg("program: %s", d.msg);
	assert_memory_equal(fp_flash(r->t.fp) + 0x20000, data, len);
	/* nothing was programmed twice although frames were resent */
	assert_int_equal(fp_stats(r->t.fp)->double_programs, 0);
	assert_int_equal(lh_crc(r->h, &a, &l, 1, &crc, &d), SB_OK);
	assert_int_equal(crc, lh_crc32(0, data, len));
	free(data);
	rig_free(r);
}

static void test_faults_host_to_loader(void **state)
{
	(void)state;
	run_faults(1, 1, 0, 0);   /* 1 in 10000 bytes dropped, 1 in 10000 flipped */
}

static void test_faults_loader_to_host(void **state)
{
	(void)state;
	run_faults(0, 0, 20, 20);
}

static void test_faults_both_ways(void **state)
{
	(void)state;
	run_faults(2, 2, 10, 10);
}

static void test_lost_statuses(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t *data = pattern(16384, 7);
	struct sb_diag d = { 0 };

	(void)state;
	r->t.drop_out_frames = 40;   /* every STATUS of the first frames is lost */
	assert_int_equal(program(r, 0x08000000, data, 16384, true, &d), SB_OK);
	assert_memory_equal(fp_flash(r->t.fp), data, 16384);
	assert_int_equal(fp_stats(r->t.fp)->double_programs, 0);
	free(data);
	rig_free(r);
}

/* ---- a loader that dies ---------------------------------------------------------------- */

static void test_dead_loader_times_out(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t *data = pattern(32768, 8);
	struct sb_diag d = { 0 };
	uint64_t t0 = r->t.us;

	(void)state;
	r->t.kill_after = r->t.out_total + 200;   /* a few STATUS frames, then silence */
	assert_int_equal(program(r, 0x08000000, data, 32768, true, &d), SB_ERR_TIMEOUT);
	assert_non_null(strstr(d.msg, "stopped answering"));
	assert_true(d.has_addr);
	/* bounded: a few quiet periods, not minutes */
	assert_true(r->t.us - t0 < 30ull * 1000 * 1000);
	free(data);
	rig_free(r);
}

/* ---- baud change ------------------------------------------------------------------------ */

static void test_baud_up(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t *data = pattern(8192, 9);
	unsigned now = 0, actual = 0;
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(lh_set_baud(r->h, 921600, &now, &actual, &d), SB_OK);
	assert_int_equal(now, 921600);
	assert_int_equal(fp_usart_baud(r->t.fp, 1), 941176);   /* 16 MHz / 17 */
	assert_int_equal(lh_identify(r->h, &r->info, &d), SB_OK);
	assert_true(r->info.cr1 & (1u << 29));                 /* FIFOEN at the new rate */
	/* the loader's estimate: from the ROM's BRR (139) and the nominal 115200 */
	assert_in_range(actual, 941176 - 941176 / 500, 941176 + 941176 / 500);
	assert_int_equal(program(r, 0x08000000, data, 8192, true, &d), SB_OK);
	assert_memory_equal(fp_flash(r->t.fp), data, 8192);
	assert_int_equal(fp_stats(r->t.fp)->garbled_in, 0);
	free(data);
	rig_free(r);
}

static void test_baud_over8(void **state)
{
	/* 16 MHz / 2 Mbaud = 8: only oversampling by 8 makes it (USARTDIV 16) */
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	unsigned now = 0, actual = 0;
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(lh_set_baud(r->h, 2000000, &now, &actual, &d), SB_OK);
	assert_int_equal(fp_usart_baud(r->t.fp, 1), 2000000);
	assert_int_equal(lh_identify(r->h, &r->info, &d), SB_OK);
	assert_true(r->info.cr1 & (1u << 15));
	rig_free(r);
	/* and back down from an OVER8 setting the "ROM" made */
	r = rig_up(&(struct fp_cfg){ .over8 = true });
	assert_int_equal(lh_set_baud(r->h, 460800, &now, &actual, &d), SB_OK);
	assert_int_equal(fp_usart_baud(r->t.fp, 1), 457143);   /* 16 MHz / 35 */
	rig_free(r);
}

static void test_baud_refused_stays(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	unsigned now = 0, actual = 0;
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(lh_set_baud(r->h, 4000000, &now, &actual, &d), SB_ERR_UNSUPPORTED);
	assert_int_equal(now, 115200);
	assert_int_equal(fp_usart_baud(r->t.fp, 1), 115108);
	assert_int_equal(lh_identify(r->h, &r->info, &d), SB_OK);
	rig_free(r);
}

static void test_baud_handshake_fails_falls_back(void **state)
{
	/* the cable cannot carry 921600: both ends must end up at 115200 */
	struct rig *r = rig_up(&(struct fp_cfg){ .max_line_baud = 500000 });
	uint8_t *data = pattern(8192, 10);
	unsigned now = 0, actual = 0;
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_not_equal(lh_set_baud(r->h, 921600, &now, &actual, &d), SB_OK);
	assert_int_equal(now, 115200);
	assert_int_equal(r->t.host_baud, 115200);
	assert_int_equal(fp_usart_baud(r->t.fp, 1), 115108);
	assert_int_equal(program(r, 0x08000000, data, 8192, true, &d), SB_OK);
	assert_memory_equal(fp_flash(r->t.fp), data, 8192);
	free(data);
	rig_free(r);
}

static void test_baud_port_refuses(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	unsigned now = 0, actual = 0;
	struct sb_diag d = { 0 };

	(void)state;
	r->t.refuse_baud = true;   /* the loader switched, the host's port cannot follow */
	assert_int_not_equal(lh_set_baud(r->h, 921600, &now, &actual, &d), SB_OK);
	assert_int_equal(now, 115200);
	assert_int_equal(fp_usart_baud(r->t.fp, 1), 115108);
	rig_free(r);
}

static void test_baud_answer_lost(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	unsigned now = 0, actual = 0;
	struct sb_diag d = { 0 };

	(void)state;
	/* the loader's answer to BAUD is lost: it switched, the host did not */
	r->t.drop_out_frames = 1;
	assert_int_equal(lh_set_baud(r->h, 921600, &now, &actual, &d), SB_OK);
	assert_int_equal(now, 921600);
	assert_int_equal(fp_usart_baud(r->t.fp, 1), 941176);
	assert_int_equal(lh_identify(r->h, &r->info, &d), SB_OK);
	rig_free(r);
}

/* ---- reset ------------------------------------------------------------------------------- */

static void test_reset_after_answer(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	struct sb_diag d = { 0 };

	(void)state;
	assert_int_equal(lh_reset(r->h, &d), SB_OK);
	tl_sleep(&r->t, 1);
	assert_true(fp_reset_requested(r->t.fp));
	rig_free(r);
}

/* ---- frames the host engine would never send -------------------------------------- */

static uint32_t crc32_engine(const uint8_t *p, size_t n)
{
	return lh_crc32(0, p, n);
}

/* A host frame (ldr_wire.h), with the engine's CRC helper. */
static size_t frame(uint8_t *b, uint8_t seq, uint8_t cmd, const uint8_t *p, size_t n)
{
	return ldr_test_frame(b, LDRW_SOF_HOST, seq, cmd, p, n, crc32_engine);
}

/* The next frame from the loader (after running it a while): its type, payload in p. */
static int next_frame(struct rig *r, uint8_t *p, size_t *n, uint8_t *seq)
{
	uint8_t h[6], c[4];

	tl_sleep(&r->t, 2);
	do {
		if (tl_read(&r->t, h, 1, 100) != 1)
			return -1;
	} while (h[0] != 0xA5);
	if (tl_read(&r->t, h + 1, 5, 100) != 5)
		return -1;
	*n = (size_t)(h[1] | h[2] << 8);
	*seq = h[3];
	if (tl_read(&r->t, p, *n, 100) != (int)*n || tl_read(&r->t, c, 4, 100) != 4)
		return -1;
	return h[4];
}

static void test_damaged_header_gets_nak_at_once(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t f[64], p[64];
	size_t n = frame(f, 0, LDRW_CMD_IDENTIFY, NULL, 0), len;
	uint8_t seq;

	(void)state;
	f[1] ^= 0x04;   /* LEN 4: the header check fails, the loader does not wait for 4 bytes */
	tl_write(&r->t, f, n, 0);
	assert_int_equal(next_frame(r, p, &len, &seq), LDRW_T_STATUS);
	assert_true(p[LDRW_ST_FLAGS] & LDRW_SF_NAK);
	assert_int_equal(p[LDRW_ST_RX_NEXT], 0);
	f[1] ^= 0x04;   /* the intact frame right after is answered */
	tl_write(&r->t, f, n, 0);
	assert_int_equal(next_frame(r, p, &len, &seq), LDRW_T_RESP);
	assert_int_equal(seq, 0);
	rig_free(r);
}

static void test_repeat_and_rerun(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t f[64], p[64];
	size_t n = frame(f, 0, LDRW_CMD_IDENTIFY, NULL, 0), len;
	uint8_t seq;

	(void)state;
	tl_write(&r->t, f, n, 0);
	assert_int_equal(next_frame(r, p, &len, &seq), LDRW_T_RESP);
	/* the same SEQ again (its answer was lost): run again, answer again */
	tl_write(&r->t, f, n, 0);
	assert_int_equal(next_frame(r, p, &len, &seq), LDRW_T_RESP);
	assert_int_equal(seq, 0);
	/* a queued command repeated is not done twice: a STATUS only */
	uint8_t w[16 + 8] = { 0 };
	w[3] = 0x08;   /* 0x08000000 */
	memset(w + 8, 0x11, 16);
	n = frame(f, 1, LDRW_CMD_WRITE, w, sizeof(w));
	tl_write(&r->t, f, n, 0);
	tl_sleep(&r->t, 5);
	tl_write(&r->t, f, n, 0);
	tl_sleep(&r->t, 5);
	assert_int_equal(fp_stats(r->t.fp)->programs, 2);
	assert_int_equal(fp_stats(r->t.fp)->double_programs, 0);
	rig_free(r);
}

static void test_frame_beyond_buffers_is_full(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t f[64], p[64];
	size_t n = frame(f, 40, LDRW_CMD_IDENTIFY, NULL, 0), len;
	uint8_t seq;

	(void)state;
	/* SEQ 40 with 0 expected: 32 buffers cannot hold it */
	tl_write(&r->t, f, n, 0);
	assert_int_equal(next_frame(r, p, &len, &seq), LDRW_T_STATUS);
	assert_true(p[LDRW_ST_FLAGS] & LDRW_SF_FULL);
	rig_free(r);
}

static void test_gap_is_mapped(void **state)
{
	struct rig *r = rig_up(&(struct fp_cfg){ 0 });
	uint8_t f[64], p[64], e[8] = { 0 };
	size_t n, len;
	uint8_t seq;

	(void)state;
	e[3] = 0x08;
	e[5] = 0x10;   /* erase 0x08000000+0x1000 */
	/* frames 1 and 3 arrive, 0 and 2 were lost */
	n = frame(f, 1, LDRW_CMD_ERASE, e, 8);
	tl_write(&r->t, f, n, 0);
	assert_int_equal(next_frame(r, p, &len, &seq), LDRW_T_STATUS);
	n = frame(f, 3, LDRW_CMD_ERASE, e, 8);
	tl_write(&r->t, f, n, 0);
	assert_int_equal(next_frame(r, p, &len, &seq), LDRW_T_STATUS);
	assert_int_equal(p[LDRW_ST_RX_NEXT], 0);
	assert_true(p[LDRW_ST_FLAGS] & LDRW_SF_NAK);
	/* bit i: frame RX_NEXT + 1 + i is held: frames 1 and 3 */
	assert_int_equal(p[LDRW_ST_HAVE], 0x05);
	assert_int_equal(fp_stats(r->t.fp)->erases, 0);   /* nothing runs out of order */
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_dual_bank),
		cmocka_unit_test(test_geometry_single_bank_and_1mb),
		cmocka_unit_test(test_no_usart_no_line),
		cmocka_unit_test(test_two_usarts_host_picks_one),
		cmocka_unit_test(test_write_crc_read),
		cmocka_unit_test(test_crc_unit),
		cmocka_unit_test(test_write_bank2_single_bank_pages),
		cmocka_unit_test(test_skip_erased_double_words),
		cmocka_unit_test(test_progerr_reported_and_rest_not_run),
		cmocka_unit_test(test_wrperr_is_protection),
		cmocka_unit_test(test_refuses_outside_flash),
		cmocka_unit_test(test_faults_host_to_loader),
		cmocka_unit_test(test_faults_loader_to_host),
		cmocka_unit_test(test_faults_both_ways),
		cmocka_unit_test(test_lost_statuses),
		cmocka_unit_test(test_dead_loader_times_out),
		cmocka_unit_test(test_baud_up),
		cmocka_unit_test(test_baud_over8),
		cmocka_unit_test(test_baud_refused_stays),
		cmocka_unit_test(test_baud_handshake_fails_falls_back),
		cmocka_unit_test(test_baud_port_refuses),
		cmocka_unit_test(test_baud_answer_lost),
		cmocka_unit_test(test_reset_after_answer),
		cmocka_unit_test(test_damaged_header_gets_nak_at_once),
		cmocka_unit_test(test_repeat_and_rerun),
		cmocka_unit_test(test_frame_beyond_buffers_is_full),
		cmocka_unit_test(test_gap_is_mapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
