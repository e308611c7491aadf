/* SPDX-License-Identifier: MIT */
/*
 * test_an3155.c - the AN3155 host engine against scripted byte exchanges.
 * Byte strings follow protocol-facts.md A.3/A.5/A.5b; every script must be
 * used up (assert_script_done).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "an3155.h"
#include "crc.h"
#include "script_link.h"

/* ---- script pieces --------------------------------------------------------- */

/* Get / Get Version / Get ID of an L4R5 (facts A.4 "Expected Get reply", A.5b). */
#define GET_L4R5 \
	SL_TX(0x00, 0xFF), \
	SL_RX(0x79, 0x0B, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, \
	      0x82, 0x92, 0x79)
#define GV_GID_L4R5 \
	SL_TX(0x01, 0xFE), SL_RX(0x79, 0x31, 0x00, 0x00, 0x79), \
	SL_TX(0x02, 0xFD), SL_RX(0x79, 0x01, 0x04, 0x70, 0x79)
#define CONNECT_L4R5 SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), GET_L4R5, GV_GID_L4R5

/* A newer ROM that also lists Get Checksum 0xA1. */
#define CONNECT_CRC \
	SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), SL_TX(0x00, 0xFF), \
	SL_RX(0x79, 0x0C, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, \
	      0x82, 0x92, 0xA1, 0x79), \
	GV_GID_L4R5

/* An older ROM (v2.2, F1-like) with legacy Erase 0x43 instead of 0x44. */
#define CONNECT_LEGACY \
	SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), SL_TX(0x00, 0xFF), \
	SL_RX(0x79, 0x0B, 0x22, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43, 0x63, 0x73, \
	      0x82, 0x92, 0x79), \
	SL_TX(0x01, 0xFE), SL_RX(0x79, 0x22, 0x00, 0x00, 0x79), \
	SL_TX(0x02, 0xFD), SL_RX(0x79, 0x01, 0x04, 0x10, 0x79)

/*
 * Resync on an aligned ROM: drain, filler 02 (silence: the ROM holds it as an
 * opcode), 02 -> NACK (02 02 is no command pair, facts A.3). The engine's
 * filler is 0x02, not stm32flash's FF 00 (facts A.1 last row): see an3155.c.
 */
#define RESYNC SL_SILENCE(), SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_RX(0x1F)
/* After a timeout the resync does not wait for strays first. */
#define RESYNC_T SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_RX(0x1F)
/* After a Write Memory frame went unanswered, the first probe is a byte the
 * frame lacks (an3155.c a3_pick_probe): 0x10 for DATA_1_8's frame. */
#define RESYNC_D(p) SL_TX(p), SL_SILENCE(), SL_TX(0x02), SL_RX(0x1F)
/* The resync burst: 258 filler bytes (the longest Write Memory data phase). */
#define BURST_LEN 258
static uint8_t burst_02[BURST_LEN];
/* NACKs in a row (a burst answered in the command phase); filled in main(). */
static uint8_t nacks[BURST_LEN];

#define ADDR_08000000 SL_TX(0x08, 0x00, 0x00, 0x00, 0x08)
#define DATA_1_8 SL_TX(0x07, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0F)

/* ---- fixture --------------------------------------------------------------- */

struct fx {
	struct script_link *sl;
	struct an3155 *b;
	struct an3155_opts o;
	struct sb_diag d;
	struct sb_log log;
	char logbuf[16384];
	size_t loglen;
	unsigned resets;
	unsigned nprog;
	uint32_t prog_addr[8];
	size_t prog_done[8], prog_total[8];
};

static void log_cb(void *ctx, enum sb_log_level level, const char *msg)
{
	struct fx *f = ctx;
	size_t n = strlen(msg);

	(void)level;
	if (f->loglen + n + 2 < sizeof(f->logbuf)) {
		memcpy(f->logbuf + f->loglen, msg, n);
		f->loglen += n;
		f->logbuf[f->loglen++] = '\n';
		f->logbuf[f->loglen] = '\0';
	}
}

static int reset_cb(void *ctx)
{
	struct fx *f = ctx;

	f->resets++;
	return SB_OK;
}

static void progress_cb(void *ctx, uint32_t addr, size_t done, size_t total)
{
	struct fx *f = ctx;

	if (f->nprog < 8) {
		f->prog_addr[f->nprog] = addr;
		f->prog_done[f->nprog] = done;
		f->prog_total[f->nprog] = total;
	}
	f->nprog++;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->sl = sl_new();
	an3155_default_opts(&f->o);
	f->o.progress = progress_cb;
	f->o.progress_ctx = f;
	f->log = (struct sb_log){ .fn = log_cb, .ctx = f, .max = SB_LOG_TRACE };
	*state = f;
	return f->sl ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	an3155_free(f->b);
	sl_free(f->sl);
	free(f);
	return 0;
}

/* Load the script and create the engine with f->o. */
static void start(struct fx *f, const struct sl_step *steps)
{
	struct sb_link link = sl_link(f->sl);

	assert_int_equal(sl_add(f->sl, steps), 0);
	assert_int_equal(an3155_new(&f->b, &link, &f->log, &f->o), SB_OK);
}

static void connect_ok(struct fx *f)
{
	int r = an3155_connect(f->b, &f->d);

	if (r)
		fail_msg("connect: %s: %s / %s", sb_strerror(r), f->d.msg,
			 sl_error(f->sl) ? sl_error(f->sl) : "");
}

/* Like assert_int_equal on a return code, but says what the engine and the script said. */
#define assert_rc(f, call, want) do { \
		int rc_ = (call); \
		if (rc_ != (want)) \
			fail_msg("%s = %s, want %s; diag \"%s\"; script: %s", #call, \
				 sb_errname(rc_), sb_errname(want), (f)->d.msg, \
				 sl_error((f)->sl) ? sl_error((f)->sl) : "ok"); \
	} while (0)

static void assert_msg(const struct fx *f, const char *needle)
{
	if (!strstr(f->d.msg, needle))
		fail_msg("diag \"%s\" lacks \"%s\"", f->d.msg, needle);
}

/* ---- sync and identification ---------------------------------------------- */

static void test_connect_l4r5(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = { CONNECT_L4R5, SL_END() };
	const struct an3155_info *in;

	start(f, s);
	connect_ok(f);
	in = an3155_info(f->b);
	assert_true(in->fresh_sync);
	assert_int_equal(in->version, 0x31);
	assert_int_equal(in->ncmd, 11);
	assert_true(in->has_gv);
	assert_int_equal(in->gv_version, 0x31);
	assert_int_equal(in->gv_opt[0], 0);
	assert_int_equal(in->gv_opt[1], 0);
	assert_true(in->has_pid);
	assert_int_equal(in->pid, 0x470);
	assert_true(an3155_has(f->b, AN3155_CMD_EXT_ERASE));
	assert_false(an3155_has(f->b, AN3155_CMD_ERASE));
	assert_false(an3155_has(f->b, AN3155_CMD_GET_CHECKSUM));
	assert_script_done(f->sl);
	/* Every byte is traced (sb_log_hex at TRACE). */
	assert_non_null(strstr(f->logbuf, "an3155 tx 7F\n"));
	assert_non_null(strstr(f->logbuf, "an3155 rx 04 70\n"));
}

/* Timeout, second 0x7F, NACK = already synchronised (facts A.1). */
static void test_sync_already(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_SILENCE_WAIT(500), SL_TX(0x7F), SL_RX(0x1F),
		GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_false(an3155_info(f->b)->fresh_sync);
	assert_script_done(f->sl);
}

/* stm32loader accepts NACK to the first 0x7F as well (facts A.1). */
static void test_sync_nack_first(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x1F), GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_false(an3155_info(f->b)->fresh_sync);
	assert_script_done(f->sl);
}

/*
 * No answer at all: five 0x7F (a fresh ROM answers the first one it hears,
 * facts A.1), then one filler burst and three probes for a ROM still inside
 * a command that a killed client left half sent (an3155_conn.c); silence to
 * all of it is a ROM that is not there.
 */
#define SYNC_SILENT \
	SL_FLUSH(), SL_TX(0x7F), SL_SILENCE(), SL_TX(0x7F), SL_SILENCE(), \
	SL_TX(0x7F), SL_SILENCE(), SL_TX(0x7F), SL_SILENCE(), SL_TX(0x7F), SL_SILENCE(), \
	SL_TXN(burst_02, BURST_LEN), SL_SILENCE(), \
	SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_SILENCE()

static void test_sync_no_answer(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = { SYNC_SILENT, SYNC_SILENT, SL_END() };

	f->o.sync_tries = 2;
	start(f, s);
	assert_rc(f, an3155_connect(f->b, &f->d), SB_ERR_TIMEOUT);
	assert_msg(f, "no answer to 0x7F");
	assert_msg(f, "BOOT0");
	assert_msg(f, "TX/RX crossed");
	assert_script_done(f->sl);
}

/* The reset hook runs between attempts, bounded by sync_tries. A mis-locked
 * autobaud answers garbage; the rest of it is drained, one more 0x7F tried. */
static void test_sync_reset_hook(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SYNC_SILENT,
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x80), SL_SILENCE(),   /* mis-locked autobaud */
		SL_TX(0x7F), SL_RX(0x80), SL_SILENCE(),
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), GET_L4R5, GV_GID_L4R5, SL_END()
	};

	f->o.reset = reset_cb;
	f->o.reset_ctx = f;
	start(f, s);
	connect_ok(f);
	assert_int_equal(f->resets, 2);
	assert_script_done(f->sl);
}

static void test_sync_reset_hook_bounded(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = { SYNC_SILENT, SYNC_SILENT, SYNC_SILENT, SL_END() };

	f->o.reset = reset_cb;
	f->o.reset_ctx = f;
	start(f, s);
	assert_rc(f, an3155_connect(f->b, &f->d), SB_ERR_TIMEOUT);
	assert_int_equal(f->resets, 2);
	assert_script_done(f->sl);
}

/* Garbage twice in a row (the tail of a stray reply is drained once). */
static void test_sync_garbage(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0xFE, 0x00), SL_SILENCE(),
		SL_TX(0x7F), SL_RX(0xFE), SL_SILENCE(),
		SL_END()
	};

	f->o.sync_tries = 1;
	start(f, s);
	assert_rc(f, an3155_connect(f->b, &f->d), SB_ERR_FRAMING);
	assert_msg(f, "unexpected reply 0xFE to 0x7F");
	assert_msg(f, "parity");
	assert_msg(f, "8E1");
	assert_script_done(f->sl);
}

/* A reply a killed client left running is drained; the next 0x7F syncs. */
static void test_sync_after_stray_reply(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x12, 0x34, 0x56), SL_SILENCE(),
		SL_TX(0x7F), SL_RX(0x1F), GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_false(an3155_info(f->b)->fresh_sync);
	assert_script_done(f->sl);
}

/*
 * A killed client left a Write Memory waiting for its data: the 0x7F bytes
 * become data, the filler burst ends the frame (bad checksum: NACK, and the
 * rest of the burst is NACKed pairwise), a single 02 is then held as an
 * opcode and the next 02 is NACKed: aligned, and not a fresh sync.
 */
static void test_sync_fills_half_command(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_SILENCE(), SL_TX(0x7F), SL_SILENCE(),
		SL_TX(0x7F), SL_SILENCE(), SL_TX(0x7F), SL_SILENCE(), SL_TX(0x7F), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_RX(0x1F, 0x1F, 0x1F), SL_SILENCE(),
		SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_RX(0x1F),
		GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_false(an3155_info(f->b)->fresh_sync);
	assert_script_done(f->sl);
}

/*
 * A ROM that starts slowly misses the first 0x7F and ACKs the second; a
 * later 0x7F could be held as an opcode, so the engine re-aligns (facts A.1:
 * a synced ROM waits for the complement) before Get.
 */
static void test_sync_late_start(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_SILENCE(), SL_TX(0x7F), SL_RX(0x79),
		RESYNC, GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_true(an3155_info(f->b)->fresh_sync);
	assert_script_done(f->sl);
}

/* 0x7F is ACKed, Get is never answered, not even after resyncs: 8N1
 * adapter (serial-anchors 8.5). A single lost reply byte is retried first. */
static void test_get_timeout_after_ack(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), SL_TX(0x00, 0xFF), SL_SILENCE(),
		RESYNC_T, SL_TX(0x00, 0xFF), SL_SILENCE(),
		RESYNC_T, SL_TX(0x00, 0xFF), SL_SILENCE(), SL_END()
	};

	f->o.retries = 1;
	start(f, s);
	assert_rc(f, an3155_connect(f->b, &f->d), SB_ERR_TIMEOUT);
	assert_msg(f, "even parity");
	assert_script_done(f->sl);
}

/* Fresh sync, one byte of Get's reply lost: resync and ask again, no parity verdict. */
static void test_get_byte_lost_after_ack(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79),
		SL_TX(0x00, 0xFF), SL_RX(0x79, 0x0B, 0x31, 0x00, 0x01), SL_SILENCE(),
		RESYNC_T, GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_int_equal(an3155_info(f->b)->ncmd, 11);
	assert_script_done(f->sl);
}

/* A garbled code in the Get list (no checksum, facts A.5) is caught and Get repeated. */
static void test_get_list_garbled(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x1F),
		SL_TX(0x00, 0xFF), SL_RX(0x79, 0x0B, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44,
					  0x63, 0x73, 0x8A, 0x92, 0x79),
		RESYNC, GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_true(an3155_has(f->b, AN3155_CMD_READOUT_PROTECT));
	assert_script_done(f->sl);
}

/* Already synchronised, Get's reply garbled once: resync and ask again. */
static void test_get_retried(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x1F),
		SL_TX(0x00, 0xFF), SL_RX(0x79, 0x0B, 0x31), SL_SILENCE(),
		RESYNC_T, GET_L4R5, GV_GID_L4R5, SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_int_equal(an3155_info(f->b)->ncmd, 11);
	assert_script_done(f->sl);
}

static void test_not_connected(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = { SL_END() };
	uint8_t buf[4];

	start(f, s);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 4, &f->d), SB_ERR_STATE);
	assert_script_done(f->sl);
}

/* ---- Read Memory ------------------------------------------------------------- */

static void test_read_256(void **state)
{
	struct fx *f = *state;
	uint8_t dev[256], buf[256];

	for (int i = 0; i < 256; i++)
		dev[i] = (uint8_t)(i * 7 + 3);
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79),
		SL_TX(0xFF, 0x00), SL_RX(0x79), SL_RXN(dev, 256), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 256, &f->d), SB_OK);
	assert_memory_equal(buf, dev, 256);
	assert_int_equal(f->nprog, 1);
	assert_int_equal(f->prog_done[0], 256);
	assert_script_done(f->sl);
}

/* Flash-size register, 2 bytes (facts A.5b): 1F FF 75 E0 75, 01 FE. */
static void test_read_flash_size(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_RX(0x79), SL_TX(0x1F, 0xFF, 0x75, 0xE0, 0x75), SL_RX(0x79),
		SL_TX(0x01, 0xFE), SL_RX(0x79, 0x00, 0x08), SL_END()
	};
	uint8_t buf[2];

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x1FFF75E0, buf, 2, &f->d), SB_OK);
	assert_int_equal(buf[0] | buf[1] << 8, 0x0800);
	assert_script_done(f->sl);
}

/* 300 bytes: 256 + 44, split at the 256-byte boundary. */
static void test_read_split(void **state)
{
	struct fx *f = *state;
	uint8_t dev[300], buf[300];

	for (int i = 0; i < 300; i++)
		dev[i] = (uint8_t)(i ^ 0x5A);
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79),
		SL_TX(0xFF, 0x00), SL_RX(0x79), SL_RXN(dev, 256),
		SL_TX(0x11, 0xEE), SL_RX(0x79), SL_TX(0x08, 0x00, 0x01, 0x00, 0x09), SL_RX(0x79),
		SL_TX(0x2B, 0xD4), SL_RX(0x79), SL_RXN(dev + 256, 44), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 300, &f->d), SB_OK);
	assert_memory_equal(buf, dev, 300);
	assert_int_equal(f->nprog, 2);
	assert_int_equal(f->prog_addr[1], 0x08000100);
	assert_int_equal(f->prog_done[1], 300);
	assert_int_equal(f->prog_total[1], 300);
	assert_script_done(f->sl);
}

/* RDP level 1: NACK at the command byte (facts A.6). */
static void test_read_protected(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, SL_TX(0x11, 0xEE), SL_RX(0x1F), SL_END()
	};
	uint8_t buf[4];

	f->o.retries = 0;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 4, &f->d), SB_ERR_PROTECTED);
	assert_msg(f, "RDP");
	assert_true(f->d.has_addr);
	assert_int_equal(f->d.addr, 0x08000000);
	assert_script_done(f->sl);
}

/* With retries, one NACK could be noise: a second one after resync confirms RDP. */
static void test_read_protected_confirmed(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, SL_TX(0x11, 0xEE), SL_RX(0x1F), RESYNC,
		SL_TX(0x11, 0xEE), SL_RX(0x1F), RESYNC, SL_TX(0x11, 0xEE), SL_RX(0x1F), SL_END()
	};
	uint8_t buf[4];

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 4, &f->d), SB_ERR_PROTECTED);
	assert_script_done(f->sl);
}

/* A bad address is NACKed at the address stage every time: error names it. */
static void test_read_bad_address(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_RX(0x79), SL_TX(0x00, 0x00, 0x00, 0x00, 0x00), SL_RX(0x1F),
		SL_FLUSH(),
		SL_TX(0x11, 0xEE), SL_RX(0x79), SL_TX(0x00, 0x00, 0x00, 0x00, 0x00), SL_RX(0x1F),
		SL_FLUSH(),
		SL_TX(0x11, 0xEE), SL_RX(0x79), SL_TX(0x00, 0x00, 0x00, 0x00, 0x00), SL_RX(0x1F),
		SL_END()
	};
	uint8_t buf[4];

	/* Three NACKs at the address in a row are the answer: no resync between
	 * them (the ROM waits for a command after a NACK, facts A.2), no more tries. */
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0, buf, 4, &f->d), SB_ERR_NACK);
	assert_true(f->d.has_addr);
	assert_int_equal(f->d.addr, 0);
	assert_msg(f, "refused the address");
	assert_msg(f, "3 attempts");
	assert_script_done(f->sl);
}

/*
 * The reply stops short; the ROM was left holding one byte of ours, so the
 * first 02 of the resync completes a pair and is NACKed at once.
 */
static void test_read_short_reply_resync(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79),
		SL_TX(0x03, 0xFC), SL_RX(0x79, 0xAA), SL_SILENCE(),
		SL_TX(0x02), SL_RX(0xBB), SL_SILENCE(),          /* a late stray byte answers */
		SL_TX(0x02), SL_RX(0x1F), SL_SILENCE(),          /* confirmed: silence */
		SL_TX(0x11, 0xEE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79),
		SL_TX(0x03, 0xFC), SL_RX(0x79, 1, 2, 3, 4), SL_END()
	};
	uint8_t buf[4];

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 4, &f->d), SB_OK);
	assert_int_equal(buf[3], 4);
	assert_script_done(f->sl);
}

/*
 * A single byte answered by something other than a NACK is no proof of
 * alignment: here the ROM held four address bytes of a Read whose ACK was
 * lost, our first 02 completed the address and the XOR happened to match
 * (ACK). The ROM now waits for "N ~N": 02 (silence), 02 -> NACK, in step.
 */
static void test_resync_ack_then_nack(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_SILENCE(),
		SL_TX(0x02), SL_RX(0x79), SL_SILENCE(),
		SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_RX(0x1F), SL_SILENCE(),
		SL_TX(0x11, 0xEE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79),
		SL_TX(0x00, 0xFF), SL_RX(0x79, 0x42), SL_END()
	};
	uint8_t buf[1];

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 1, &f->d), SB_OK);
	assert_int_equal(buf[0], 0x42);
	assert_script_done(f->sl);
}

/*
 * A ROM deep in a long phase (here: an Extended Erase page list that our own
 * filler started, 02 02 = 0x203 pages, 1031 more bytes; facts A.5) stays
 * silent for the two single bytes and for three bursts; the fourth completes
 * the list: the checksum is wrong (NACK), and the last byte of the burst is
 * held as an opcode, so the next single 02 is NACKed at once.
 */
static void test_resync_burst(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x44, 0xBB), SL_SILENCE(),
		SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_RX(0x1F), SL_SILENCE(),
		SL_TX(0x02), SL_RX(0x1F), SL_SILENCE(),
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0x00, 0x00, 0x00, 0x07, 0x07), SL_RX(0x79),
		SL_END()
	};
	const uint16_t pages[] = { 7 };

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_erase_pages(f->b, pages, 1, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/*
 * The ROM is gone: resync gives up after resync_probes silent probes; after
 * two silent single bytes every further probe is a burst (bounded time).
 */
static void test_resync_lost(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_SILENCE(),
		SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_SILENCE(), SL_END()
	};
	uint8_t buf[1];

	f->o.resync_probes = 4;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 1, &f->d), SB_ERR_TIMEOUT);
	assert_msg(f, "no longer answers");
	assert_script_done(f->sl);
}

/* Answers that never are a NACK to a single byte (a babbling line) are
 * bounded too: 8 answered probes end the resync with a framing error. */
#define BABBLE1 SL_TX(0x02), SL_RX(0x79), SL_SILENCE()
#define BABBLE4 BABBLE1, BABBLE1, BABBLE1, BABBLE1

static void test_resync_babble(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_SILENCE(),
		BABBLE4, BABBLE4, BABBLE4, BABBLE4,   /* A3_ANSWERED_MAX answered probes */
		SL_END()
	};
	uint8_t buf[1];

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 1, &f->d), SB_ERR_FRAMING);
	assert_msg(f, "re-synchronisation failed");
	assert_script_done(f->sl);
}

/* ---- Write Memory ------------------------------------------------------------ */

static const uint8_t d18[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* facts A.5b: 31 CE, 08 00 00 00 08, 07 01..08 0F. */
static void test_write_8(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX_WAIT(1000, 0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_int_equal(f->nprog, 1);
	assert_int_equal(f->prog_addr[0], 0x08000000);
	assert_script_done(f->sl);
}

#define READBACK_8 \
	SL_TX(0x11, 0xEE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), SL_TX(0x07, 0xF8)

/* Final ACK lost, read-back shows the data: done, nothing re-sent. */
static void test_write_lost_ack_programmed(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_SILENCE(), RESYNC_D(0x10),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 7, 8), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* Final ACK lost, read-back shows erased flash: send again. */
static void test_write_lost_ack_erased(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_SILENCE(), RESYNC_D(0x10),
		READBACK_8, SL_RX(0x79, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* Final ACK lost, read-back shows other data, twice: SB_ERR_VERIFY at the first byte. */
static void test_write_lost_ack_other(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_SILENCE(), RESYNC_D(0x10),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 0, 0, 0, 0),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 0, 0, 0, 0), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_VERIFY);
	assert_true(f->d.has_addr);
	assert_int_equal(f->d.addr, 0x08000004);
	assert_msg(f, "0x08000004");
	assert_script_done(f->sl);
}

/* Final ACK lost, the read-back is garbled on the wire (Read Memory data has
 * no checksum, facts A.5): read again, it shows the data: done, not re-sent. */
static void test_write_lost_ack_garbled_readback(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_SILENCE(), RESYNC_D(0x10),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 0xA6, 7, 8),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 7, 8), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* Lost ACK on 16 bytes; the first double-word landed, the second did not:
 * only the second is sent again (a double-word is programmed once, facts A.7). */
static void test_write_lost_ack_partial(void **state)
{
	struct fx *f = *state;
	uint8_t data[16];

	for (int i = 0; i < 16; i++)
		data[i] = (uint8_t)(i + 1);
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79),
		SL_TX(0x0F, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x1F),
		SL_SILENCE(), RESYNC_D(0x20),
		SL_TX(0x11, 0xEE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), SL_TX(0x0F, 0xF0),
		SL_RX(0x79, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		      0xFF),
		SL_TX(0x31, 0xCE), SL_RX(0x79), SL_TX(0x08, 0x00, 0x00, 0x08, 0x00), SL_RX(0x79),
		SL_TX(0x07, 9, 10, 11, 12, 13, 14, 15, 16, 0x1F), SL_RX(0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, data, 16, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* A NACK to the data is a refused frame (bad checksum): sent again at once,
 * nothing read back (the ROM programs nothing it NACKs). */
static void test_write_nack_data_retried(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x1F), SL_FLUSH(),
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* Two data NACKs in a row may be a programming error (PROGERR, facts E.3):
 * look before sending again. Here the double-word already holds other data. */
static void test_write_nack_data_twice_reads_back(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x1F), SL_FLUSH(),
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x1F), SL_FLUSH(),
		READBACK_8, SL_RX(0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
		READBACK_8, SL_RX(0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
		SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_VERIFY);
	assert_msg(f, "cannot be programmed twice");
	assert_script_done(f->sl);
}

/*
 * A lost data byte: the ROM waits for one more, the first filler completes
 * the frame with a wrong checksum and is NACKed at once - the frame was
 * refused, nothing to read back.
 */
static void test_write_data_byte_lost(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_SILENCE(), SL_TX(0x10), SL_RX(0x1F),
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_null(strstr(f->logbuf, "read back"));
	assert_script_done(f->sl);
}

/* A Write Memory frame: N, data, XOR (facts A.3). */
static void make_frame(uint8_t *f, const uint8_t *data, size_t n)
{
	f[0] = (uint8_t)(n - 1);
	memcpy(f + 1, data, n);
	f[n + 1] = 0;
	for (size_t i = 0; i <= n; i++)
		f[n + 1] ^= f[i];
}

/* Adaptive frames: a data NACK halves the frame; the block goes out in two. */
static void test_write_frame_halves(void **state)
{
	struct fx *f = *state;
	static uint8_t data[256], f256[258], f128a[130], f128b[130];
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), SL_TXN(f256, 258),
		SL_RX(0x1F), SL_FLUSH(),
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), SL_TXN(f128a, 130),
		SL_RX(0x79),
		SL_TX(0x31, 0xCE), SL_RX(0x79), SL_TX(0x08, 0x00, 0x00, 0x80, 0x88), SL_RX(0x79),
		SL_TXN(f128b, 130), SL_RX(0x79), SL_END()
	};

	for (int i = 0; i < 256; i++)
		data[i] = (uint8_t)i;
	make_frame(f256, data, 256);
	make_frame(f128a, data, 128);
	make_frame(f128b, data + 128, 128);
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, data, 256, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* NACK at the address (a corrupted byte): nothing was programmed, resend at once. */
static void test_write_nack_addr_retried(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x1F), SL_FLUSH(),
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/*
 * The ACK of the ADDRESS is lost: the ROM sits in the data phase, waiting for
 * N, N+1 bytes and the checksum (facts A.5). The resync filler is taken as
 * that block: 02 (N = 2), 02, then from the burst 02 02 and the checksum 02,
 * whose XOR rule fails (02^02^02^02 = 00, not 02; facts A.3) -> NACK and
 * nothing is programmed. The other 253 bytes of the burst reach the command
 * phase: 126 pairs "02 02" are NACKed (127 NACKs in all), one 02 is held as an
 * opcode and the next single 02 completes it -> NACK: in step. Stage was
 * ADDRESS, so no read-back: the block is simply sent again.
 * (With stm32flash's FF 00 the ROM took FF as N = 256 bytes and the
 * FF/00 stream could pass the checksum: garbage programmed.)
 */
static void test_write_lost_addr_ack(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_SILENCE(),
		SL_TX(0x02), SL_SILENCE(), SL_TX(0x02), SL_SILENCE(),
		SL_TXN(burst_02, BURST_LEN), SL_RXN(nacks, 127), SL_SILENCE(),
		SL_TX(0x02), SL_RX(0x1F), SL_SILENCE(),
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x79), SL_END()
	};
	uint8_t blk[5];

	/* The five filler bytes the ROM takes as a Write Memory block are refused. */
	memset(blk, 0x02, sizeof(blk));
	assert_int_not_equal(blk[0] ^ blk[1] ^ blk[2] ^ blk[3], blk[4]);
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_int_equal(f->nprog, 1);
	assert_null(strstr(f->logbuf, "read back"));
	assert_script_done(f->sl);
}

/* Retries are bounded: the error names the block's address. */
static void test_write_retries_exhausted(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x1F), SL_END()
	};

	f->o.retries = 0;   /* no retries at all: the first failure is final */
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_NACK);
	assert_true(f->d.has_addr);
	assert_int_equal(f->d.addr, 0x08000000);
	assert_script_done(f->sl);
}

static void test_write_protected(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, SL_TX(0x31, 0xCE), SL_RX(0x1F), SL_END()
	};

	f->o.retries = 0;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_PROTECTED);
	assert_script_done(f->sl);
}

/* BUSY (0x76) while waiting for an ACK means keep waiting (facts A.2). */
static void test_write_busy(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x76, 0x76, 0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

static uint64_t clock_cb(void *ctx)
{
	uint64_t *t = ctx;

	return *t += 600;
}

/* With a clock, BUSY extends the wait only up to the command's deadline. */
static void test_write_busy_deadline(void **state)
{
	struct fx *f = *state;
	uint64_t t = 0;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX_WAIT(1000, 0x76), SL_RX(0x76), SL_END()
	};

	f->o.retries = 0;
	f->o.now_ms = clock_cb;
	f->o.now_ctx = &t;
	f->log.max = SB_LOG_DEBUG;   /* the trace of reply times reads the clock too */
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_TIMEOUT);
	assert_int_equal(f->d.addr, 0x08000000);
	assert_script_done(f->sl);
}

/* Misaligned for the 8-byte unit (facts A.7): refused before any byte is sent. */
static void test_write_misaligned(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = { CONNECT_L4R5, SL_END() };

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x08000004, d18, 8, &f->d), SB_ERR_BAD_INPUT);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 4, &f->d), SB_ERR_BAD_INPUT);
	assert_msg(f, "multiples of 8");
	assert_script_done(f->sl);
}

/* 264 bytes from 0x080000F8: blocks of 8 (to the 256 boundary) and 256. */
static void test_write_blocks(void **state)
{
	struct fx *f = *state;
	uint8_t data[264], blk2[258];

	for (int i = 0; i < 264; i++)
		data[i] = (uint8_t)(i * 3);
	blk2[0] = 0xFF;
	memcpy(blk2 + 1, data + 8, 256);
	blk2[257] = 0xFF;
	for (int i = 1; i < 257; i++)
		blk2[257] ^= blk2[i];
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), SL_TX(0x08, 0x00, 0x00, 0xF8, 0xF0), SL_RX(0x79),
		SL_TX(0x07, 0, 3, 6, 9, 12, 15, 18, 21, 0x07 ^ 0 ^ 3 ^ 6 ^ 9 ^ 12 ^ 15 ^ 18 ^ 21),
		SL_RX(0x79),
		SL_TX(0x31, 0xCE), SL_RX(0x79), SL_TX(0x08, 0x00, 0x01, 0x00, 0x09), SL_RX(0x79),
		SL_TXN(blk2, 258), SL_RX(0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write(f->b, 0x080000F8, data, 264, &f->d), SB_OK);
	assert_int_equal(f->nprog, 2);
	assert_int_equal(f->prog_addr[0], 0x080000F8);
	assert_int_equal(f->prog_done[0], 8);
	assert_int_equal(f->prog_addr[1], 0x08000100);
	assert_int_equal(f->prog_done[1], 264);
	assert_int_equal(f->prog_total[1], 264);
	assert_script_done(f->sl);
}

static void test_align_helpers(void **state)
{
	uint32_t start_addr;
	uint8_t out[16];
	const uint8_t in[5] = { 1, 2, 3, 4, 5 };

	(void)state;
	assert_int_equal(an3155_align_span(8, 0x08000006, 5, &start_addr), 16);
	assert_int_equal(start_addr, 0x08000000);
	assert_int_equal(an3155_align_span(8, 0x08000008, 8, &start_addr), 8);
	assert_int_equal(start_addr, 0x08000008);
	an3155_align_copy(8, 0x08000006, in, 5, out);
	const uint8_t want[16] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5,
				   0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	assert_memory_equal(out, want, 16);
}

/* ---- verify and CRC --------------------------------------------------------- */

static void test_crc_vectors(void **state)
{
	const uint8_t w[4] = { 0x78, 0x56, 0x34, 0x12 }, z[4] = { 0 };

	(void)state;
	/* facts A.5, "CRC parameters" test vectors. */
	assert_int_equal(sb_crc_stm32(SB_CRC_STM32_INIT, w, 4), 0xDF8A8A2B);
	assert_int_equal(sb_crc_stm32(SB_CRC_STM32_INIT, z, 4), 0xC704DD7B);
	assert_int_equal(sb_crc_stm32(SB_CRC_STM32_INIT, d18, 8), 0xA3141BDA);
}

/* No 0xA1 on the L4R5: read back and compute on the host. */
static void test_crc_host(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 7, 8), SL_END()
	};
	uint32_t crc = 0;

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_crc(f->b, 0x08000000, 8, &crc, &f->d), SB_OK);
	assert_int_equal(crc, 0xA3141BDA);
	assert_script_done(f->sl);
}

/* Unlisted command: SB_ERR_UNSUPPORTED with nothing on the wire. */
static void test_checksum_unsupported(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = { CONNECT_L4R5, SL_END() };
	uint32_t crc;

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_get_checksum(f->b, 0x08000000, 8, &crc, &f->d), SB_ERR_UNSUPPORTED);
	assert_msg(f, "0xA1");
	assert_script_done(f->sl);
}

/* AN3155 §3.13 (facts A.5 0xA1 row): address, size in words (2), polynomial,
 * initial value, each + XOR and ACKed, then ACK + CRC + XOR. */
#define CHECKSUM_8_PARAMS \
	SL_TX(0xA1, 0x5E), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), \
	SL_TX(0x00, 0x00, 0x00, 0x02, 0x02), SL_RX(0x79)
#define CHECKSUM_8 CHECKSUM_8_PARAMS, \
	SL_TX(0x04, 0xC1, 0x1D, 0xB7, 0x6F), SL_RX(0x79), \
	SL_TX(0xFF, 0xFF, 0xFF, 0xFF, 0x00), SL_RX(0x79), SL_RX_WAIT(10000, 0x79)

/* The 0xA1 frame of the USART loader (facts A.5, F.6). */
static void test_checksum_frame(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_CRC, CHECKSUM_8, SL_RX(0xA3, 0x14, 0x1B, 0xDA, 0x76),
		CHECKSUM_8, SL_RX(0xA3, 0x14, 0x1B, 0xDA, 0x76), SL_END()
	};
	uint32_t crc = 0;

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_get_checksum(f->b, 0x08000000, 8, &crc, &f->d), SB_OK);
	assert_int_equal(crc, 0xA3141BDA);
	/* verify compares it with the host CRC of the data: no read-back needed. */
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* A reply whose XOR is wrong is a framing error, retried after resync. */
static void test_checksum_bad_xor(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_CRC, CHECKSUM_8, SL_RX(0xA3, 0x14, 0x1B, 0xDA, 0x00), RESYNC,
		READBACK_8, SL_RX(0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08), SL_END()
	};
	uint32_t crc = 0;

	/* A garbled CRC reply: no second try of 0xA1, the CRC is computed from a read-back. */
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_crc(f->b, 0x08000000, 8, &crc, &f->d), SB_OK);
	assert_int_equal(crc, 0xA3141BDA);
	assert_true(an3155_info(f->b)->crc_failed);
	assert_script_done(f->sl);
}

/*
 * A ROM that does not take the polynomial (another frame, facts F.6): one
 * NACK, then read-back; later verifies go straight to read-back.
 */
static void test_checksum_frame_refused(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_CRC, CHECKSUM_8_PARAMS, SL_TX(0x04, 0xC1, 0x1D, 0xB7, 0x6F), SL_RX(0x1F),
		SL_FLUSH(),
		READBACK_8, SL_RX(0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08),
		READBACK_8, SL_RX(0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* A ROM that waits silently at the polynomial: one short deadline, then read-back. */
static void test_checksum_frame_silent(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_CRC, CHECKSUM_8_PARAMS, SL_TX(0x04, 0xC1, 0x1D, 0xB7, 0x6F), SL_SILENCE(),
		RESYNC_T,
		READBACK_8, SL_RX(0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* The CRC least significant byte first (byte order: facts A.5, C1) still verifies. */
static void test_checksum_lsb_first(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_CRC, CHECKSUM_8, SL_RX(0xDA, 0x1B, 0x14, 0xA3, 0x76), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* A mismatch counts once two reads of the block agree. */
static void test_verify_readback_mismatch(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x77, 8),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x77, 8), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_VERIFY);
	assert_int_equal(f->d.addr, 0x08000006);
	assert_msg(f, "read 0x77, expected 0x07");
	assert_script_done(f->sl);
}

/* A byte garbled on the wire during the read-back: the second read matches. */
static void test_verify_garbled_once(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x77, 8),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 7, 8), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_non_null(strstr(f->logbuf, "reading it again"));
	assert_script_done(f->sl);
}

/* Each read garbles another byte: every byte was read right once, so the
 * flash holds the data (a garbled byte rarely turns into the right value). */
static void test_verify_garbled_twice(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x77, 8),
		READBACK_8, SL_RX(0x79, 0x81, 2, 3, 4, 5, 6, 7, 8), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* A byte that reads wrong, differently each time (retries 2): not a verify
 * mismatch but a line that garbles data (SB_ERR_FRAMING). */
static void test_verify_unstable(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x77, 8),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x78, 8),
		READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x79, 8), SL_END()
	};

	f->o.retries = 2;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_FRAMING);
	assert_msg(f, "3 reads");
	assert_true(f->d.has_addr);
	assert_int_equal(f->d.addr, 0x08000000);
	assert_script_done(f->sl);
}

/* With retries 0 the only read decides. */
static void test_verify_no_retries(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, READBACK_8, SL_RX(0x79, 1, 2, 3, 4, 5, 6, 0x77, 8), SL_END()
	};

	f->o.retries = 0;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_verify(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_VERIFY);
	assert_int_equal(f->d.addr, 0x08000006);
	assert_script_done(f->sl);
}

/* ---- erase ------------------------------------------------------------------- */

/* Pages 0 and 1 -> 00 01 00 00 00 01 00 (facts A.3); deadline scales with pages. */
static void test_erase_pages(void **state)
{
	struct fx *f = *state;
	const uint16_t pages[] = { 0, 1 };
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00),
		SL_RX_WAIT(1000 + 2 * 5000, 0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_erase_pages(f->b, pages, 2, &f->d), SB_OK);
	assert_script_done(f->sl);
}

/* Five pages with erase_chunk 2: three commands with their own checksums. */
static void test_erase_split(void **state)
{
	struct fx *f = *state;
	const uint16_t pages[] = { 0, 1, 2, 3, 0x1FF };
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00),
		SL_RX(0x79),
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00),
		SL_RX(0x79),
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0x00, 0x00, 0x01, 0xFF, 0xFE), SL_RX(0x79),
		SL_END()
	};

	f->o.erase_chunk = 2;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_erase_pages(f->b, pages, 5, &f->d), SB_OK);
	assert_int_equal(f->nprog, 3);
	assert_int_equal(f->prog_addr[2], 0x1FF);
	assert_int_equal(f->prog_done[2], 5);
	assert_int_equal(f->prog_total[2], 5);
	assert_script_done(f->sl);
}

/* Erase is idempotent: a lost final ACK is retried after resync. */
static void test_erase_retry(void **state)
{
	struct fx *f = *state;
	const uint16_t pages[] = { 7 };
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0x00, 0x00, 0x00, 0x07, 0x07), SL_SILENCE(),
		RESYNC_T,
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0x00, 0x00, 0x00, 0x07, 0x07), SL_RX(0x79),
		SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_erase_pages(f->b, pages, 1, &f->d), SB_OK);
	assert_script_done(f->sl);
}

static void test_erase_mass_and_banks(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0xFF, 0xFF, 0x00), SL_RX_WAIT(35000, 0x79),
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0xFF, 0xFE, 0x01), SL_RX_WAIT(35000, 0x79),
		SL_TX(0x44, 0xBB), SL_RX(0x79), SL_TX(0xFF, 0xFD, 0x02), SL_RX_WAIT(35000, 0x79),
		SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_erase_special(f->b, AN3155_ERASE_MASS, &f->d), SB_OK);
	assert_rc(f, an3155_erase_special(f->b, AN3155_ERASE_BANK1, &f->d), SB_OK);
	assert_rc(f, an3155_erase_special(f->b, AN3155_ERASE_BANK2, &f->d), SB_OK);
	/* Reserved codes (facts A.5) never reach the wire. */
	assert_rc(f, an3155_erase_special(f->b, 0xFFF0, &f->d), SB_ERR_BAD_INPUT);
	const uint16_t bad[] = { 3, 0xFFF5 };
	assert_rc(f, an3155_erase_pages(f->b, bad, 2, &f->d), SB_ERR_BAD_INPUT);
	assert_script_done(f->sl);
}

/* RDP: erase NACKed at the command byte. */
static void test_erase_protected(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, SL_TX(0x44, 0xBB), SL_RX(0x1F), SL_END()
	};

	f->o.retries = 0;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_erase_special(f->b, AN3155_ERASE_MASS, &f->d), SB_ERR_PROTECTED);
	assert_script_done(f->sl);
}

/* Only 0x43 listed: 1-byte pages, "FF 00" global, no bank codes (facts A.5). */
static void test_erase_legacy(void **state)
{
	struct fx *f = *state;
	const uint16_t pages[] = { 0, 1 }, big[] = { 256 };
	const struct sl_step s[] = {
		CONNECT_LEGACY,
		SL_TX(0x43, 0xBC), SL_RX(0x79), SL_TX(0x01, 0x00, 0x01, 0x00), SL_RX(0x79),
		SL_TX(0x43, 0xBC), SL_RX(0x79), SL_TX(0xFF, 0x00), SL_RX_WAIT(35000, 0x79),
		SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_int_equal(an3155_info(f->b)->pid, 0x410);
	assert_rc(f, an3155_erase_pages(f->b, pages, 2, &f->d), SB_OK);
	assert_rc(f, an3155_erase_special(f->b, AN3155_ERASE_MASS, &f->d), SB_OK);
	assert_rc(f, an3155_erase_special(f->b, AN3155_ERASE_BANK2, &f->d), SB_ERR_UNSUPPORTED);
	assert_rc(f, an3155_erase_pages(f->b, big, 1, &f->d), SB_ERR_BAD_INPUT);
	assert_script_done(f->sl);
}

/* A ROM with no erase command at all: refused without a byte. */
static void test_erase_unsupported(void **state)
{
	struct fx *f = *state;
	const uint16_t pages[] = { 0 };
	const struct sl_step s[] = {
		SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79),
		SL_TX(0x00, 0xFF), SL_RX(0x79, 0x03, 0x10, 0x00, 0x02, 0x11, 0x79),
		SL_TX(0x02, 0xFD), SL_RX(0x79, 0x01, 0x04, 0x70, 0x79), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_false(an3155_info(f->b)->has_gv);
	assert_rc(f, an3155_erase_pages(f->b, pages, 1, &f->d), SB_ERR_UNSUPPORTED);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_UNSUPPORTED);
	assert_rc(f, an3155_go(f->b, 0x08000000, &f->d), SB_ERR_UNSUPPORTED);
	assert_rc(f, an3155_readout_unprotect(f->b, &f->d), SB_ERR_UNSUPPORTED);
	assert_script_done(f->sl);
}

/* ---- Go and protection ----------------------------------------------------- */

static void test_go(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5, SL_TX(0x21, 0xDE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), SL_END()
	};
	uint8_t buf[1];

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_go(f->b, 0x08000000, &f->d), SB_OK);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 1, &f->d), SB_ERR_STATE);
	assert_msg(f, "Go");
	assert_script_done(f->sl);
}

/* Readout unprotect, then reconnect (settle, sync, Get) and write in one run. */
static void test_readout_unprotect_reconnect(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x92, 0x6D), SL_RX(0x79), SL_RX_WAIT(35000, 0x79),
		SL_SLEEP(2000), SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), GET_L4R5,
		SL_TX(0x31, 0xCE), SL_RX(0x79), ADDR_08000000, SL_RX(0x79), DATA_1_8,
		SL_RX(0x79), SL_END()
	};

	f->o.reset = reset_cb;
	f->o.reset_ctx = f;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_readout_unprotect(f->b, &f->d), SB_OK);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_ERR_STATE);
	assert_msg(f, "readout unprotect");
	assert_rc(f, an3155_reconnect(f->b, &f->d), SB_OK);
	assert_int_equal(f->resets, 1);
	assert_int_equal(an3155_info(f->b)->pid, 0x470);
	assert_rc(f, an3155_write(f->b, 0x08000000, d18, 8, &f->d), SB_OK);
	assert_int_equal(sl_sleep_total(f->sl), 2000);
	assert_script_done(f->sl);
}

/* Readout unprotect is allowed under RDP, and runs with RDP'd reads before it. */
static void test_protected_then_unprotect(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x11, 0xEE), SL_RX(0x1F),
		SL_TX(0x92, 0x6D), SL_RX(0x79), SL_RX(0x79),
		SL_END()
	};
	uint8_t buf[4];

	f->o.retries = 0;
	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_read(f->b, 0x08000000, buf, 4, &f->d), SB_ERR_PROTECTED);
	assert_rc(f, an3155_readout_unprotect(f->b, &f->d), SB_OK);
	assert_script_done(f->sl);
}

static void test_write_protect_frames(void **state)
{
	struct fx *f = *state;
	const uint8_t codes[] = { 0, 1 };
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x63, 0x9C), SL_RX(0x79), SL_TX(0x01, 0x00, 0x01, 0x00),
		SL_RX_WAIT(1000, 0x79),
		SL_SLEEP(100), SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), GET_L4R5,
		SL_TX(0x73, 0x8C), SL_RX(0x79), SL_RX(0x79),
		SL_SLEEP(100), SL_FLUSH(), SL_TX(0x7F), SL_RX(0x79), GET_L4R5,
		SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_write_protect(f->b, codes, 2, &f->d), SB_OK);
	assert_rc(f, an3155_reconnect(f->b, &f->d), SB_OK);
	assert_rc(f, an3155_write_unprotect(f->b, &f->d), SB_OK);
	assert_rc(f, an3155_reconnect(f->b, &f->d), SB_OK);
	assert_rc(f, an3155_write_protect(f->b, codes, 0, &f->d), SB_ERR_BAD_INPUT);
	assert_script_done(f->sl);
}

/* Readout protect on a part already protected: NACK at the first byte. */
static void test_readout_protect(void **state)
{
	struct fx *f = *state;
	const struct sl_step s[] = {
		CONNECT_L4R5,
		SL_TX(0x82, 0x7D), SL_RX(0x1F), RESYNC, SL_TX(0x82, 0x7D), SL_RX(0x1F),
		RESYNC, SL_TX(0x82, 0x7D), SL_RX(0x1F), SL_END()
	};

	start(f, s);
	connect_ok(f);
	assert_rc(f, an3155_readout_protect(f->b, &f->d), SB_ERR_PROTECTED);
	assert_script_done(f->sl);
}

static void test_bad_opts(void **state)
{
	struct fx *f = *state;
	struct sb_link link = sl_link(f->sl);
	struct an3155 *b = (struct an3155 *)1;

	f->o.write_unit = 6;
	assert_int_equal(an3155_new(&b, &link, NULL, &f->o), SB_ERR_BAD_INPUT);
	assert_null(b);
	f->o.write_unit = 8;
	f->o.erase_chunk = 512;
	assert_int_equal(an3155_new(&b, &link, NULL, &f->o), SB_ERR_BAD_INPUT);
	assert_int_equal(an3155_new(&b, &link, NULL, NULL), SB_OK);
	an3155_free(b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_connect_l4r5),
		T(test_sync_already),
		T(test_sync_nack_first),
		T(test_sync_no_answer),
		T(test_sync_reset_hook),
		T(test_sync_reset_hook_bounded),
		T(test_sync_garbage),
		T(test_sync_after_stray_reply),
		T(test_sync_fills_half_command),
		T(test_sync_late_start),
		T(test_get_timeout_after_ack),
		T(test_get_byte_lost_after_ack),
		T(test_get_list_garbled),
		T(test_get_retried),
		T(test_not_connected),
		T(test_read_256),
		T(test_read_flash_size),
		T(test_read_split),
		T(test_read_protected),
		T(test_read_protected_confirmed),
		T(test_read_bad_address),
		T(test_read_short_reply_resync),
		T(test_resync_ack_then_nack),
		T(test_resync_burst),
		T(test_resync_lost),
		T(test_resync_babble),
		T(test_write_8),
		T(test_write_lost_ack_programmed),
		T(test_write_lost_ack_erased),
		T(test_write_lost_ack_other),
		T(test_write_lost_ack_garbled_readback),
		T(test_write_lost_ack_partial),
		T(test_write_nack_data_retried),
		T(test_write_nack_data_twice_reads_back),
		T(test_write_data_byte_lost),
		T(test_write_frame_halves),
		T(test_write_nack_addr_retried),
		T(test_write_lost_addr_ack),
		T(test_write_retries_exhausted),
		T(test_write_protected),
		T(test_write_busy),
		T(test_write_busy_deadline),
		T(test_write_misaligned),
		T(test_write_blocks),
		T(test_align_helpers),
		T(test_crc_vectors),
		T(test_crc_host),
		T(test_checksum_unsupported),
		T(test_checksum_frame),
		T(test_checksum_bad_xor),
		T(test_checksum_frame_refused),
		T(test_checksum_frame_silent),
		T(test_checksum_lsb_first),
		T(test_verify_readback_mismatch),
		T(test_verify_garbled_once),
		T(test_verify_garbled_twice),
		T(test_verify_unstable),
		T(test_verify_no_retries),
		T(test_erase_pages),
		T(test_erase_split),
		T(test_erase_retry),
		T(test_erase_mass_and_banks),
		T(test_erase_protected),
		T(test_erase_legacy),
		T(test_erase_unsupported),
		T(test_go),
		T(test_readout_unprotect_reconnect),
		T(test_protected_then_unprotect),
		T(test_write_protect_frames),
		T(test_readout_protect),
		T(test_bad_opts),
	};

	memset(burst_02, 0x02, sizeof(burst_02));
	memset(nacks, 0x1F, sizeof(nacks));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
