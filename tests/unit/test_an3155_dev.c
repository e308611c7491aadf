/*
 * test_an3155_dev.c - the AN3155 device side (sim/an3155_dev.h) as scripted
 * byte dialogues: every exchange states the host's bytes and the exact
 * reply. Facts: protocol-facts A.1-A.7 (A.5b for the session rows).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "an3155_dev.h"
#include "board.h"

struct fx {
	struct board *b;
	struct an3155dev *d;
	enum an3155dev_fate fate;   /* for the hook tests */
	char last[160];
};

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (sscanf(s, " %2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += strspn(s, " ");
		s += 2;
	}
	return n;
}

/* Host sends `host`; the device must answer exactly `reply` (hex). */
static void chat(struct fx *f, const char *host, const char *reply)
{
	uint8_t in[600], want[600], got[600];
	size_t ni = unhex(host, in), nw = unhex(reply, want), ng;

	an3155dev_input(f->d, in, ni);
	ng = an3155dev_output(f->d, got, sizeof got);
	if (ng != nw || memcmp(got, want, nw)) {
		fprintf(stderr, "host: %s\nwant: %s\ngot: ", host, reply);
		for (size_t i = 0; i < ng; i++)
			fprintf(stderr, "%02X ", got[i]);
		fprintf(stderr, "\n");
		fail();
	}
}

static struct fx *setup_cfg(const struct board_config *bc, const struct an3155dev_config *dc)
{
	struct fx *f = calloc(1, sizeof *f);

	f->b = board_new(bc);
	assert_non_null(f->b);
	f->d = an3155dev_new(f->b, dc);
	assert_non_null(f->d);
	return f;
}

static int setup(void **state)
{
	struct board_config bc = { 0 };

	*state = setup_cfg(&bc, NULL);
	return 0;
}

static int setup_crc(void **state)
{
	struct board_config bc = { .offer_crc = true };

	*state = setup_cfg(&bc, NULL);
	return 0;
}

static int setup_silent(void **state)
{
	struct board_config bc = { 0 };
	struct an3155dev_config dc = { .silent_progerr = true };

	*state = setup_cfg(&bc, &dc);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	an3155dev_free(f->d);
	board_free(f->b);
	free(f);
	return 0;
}

static void synced(struct fx *f)
{
	chat(f, "7F", "79");
}

/* ---- A.5b session, row by row ---- */

static void a5b_session(void **state)
{
	struct fx *f = *state;
	uint8_t v[8];

	chat(f, "7F", "79");
	chat(f, "00 FF", "79 0B 31 00 01 02 11 21 31 44 63 73 82 92 79");
	chat(f, "02 FD", "79 01 04 70 79");
	chat(f, "11 EE", "79");
	chat(f, "1F FF 75 E0 75", "79");
	chat(f, "01 FE", "79 00 08");
	chat(f, "11 EE 40 02 20 20 42 03 FC", "79 79 79 AA F8 EF FF");
	chat(f, "44 BB", "79");
	chat(f, "FF FF 00", "79");
	chat(f, "31 CE 08 00 00 00 08", "79 79");
	chat(f, "07 01 02 03 04 05 06 07 08 0F", "79");
	assert_int_equal(board_read(f->b, 0x08000000, v, 8), BOARD_OK);
	assert_memory_equal(v, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	chat(f, "11 EE 08 00 00 00 08 00 FF", "79 79 79 01");
	chat(f, "21 DE 08 00 00 00 08", "79 79");
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_OFF);
	chat(f, "7F 00 FF", "");   /* the application does not speak AN3155 */
}

static void get_version(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "01 FE", "79 31 00 00 79");
}

/* ---- sync (A.1) ---- */

static void sync_again_nacked(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "7F", "1F");
	chat(f, "7F", "1F");
	assert_true(an3155dev_idle(f->d));
}

static void wrong_first_byte_locks_until_reset(void **state)
{
	struct fx *f = *state;

	chat(f, "FF", "");
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_LOCKED);
	chat(f, "7F 7F 00 FF", "");
	board_reset(f->b);
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_AWAIT_SYNC);
	chat(f, "7F", "79");
}

static void nrst_mid_command_restarts(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "31 CE 08 00", "79");
	board_set_pin(f->b, BOARD_PIN_NRST, 0);
	chat(f, "00 00", "");
	board_set_pin(f->b, BOARD_PIN_NRST, 1);
	chat(f, "7F", "79");
	chat(f, "02 FD", "79 01 04 70 79");
}

/* ---- framing and command set ---- */

static void bad_complement_and_unknown(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "00 00", "1F");       /* A.3: complement wrong */
	chat(f, "43 BC", "1F");       /* legacy Erase not offered (A.4) */
	chat(f, "A1 5E", "1F");       /* Get Checksum not on v3.1 */
	chat(f, "FF 00", "1F");       /* resync pattern (A.1) */
	chat(f, "50 AF", "1F");
	chat(f, "00 FF", "79 0B 31 00 01 02 11 21 31 44 63 73 82 92 79");
}

/* ---- Read Memory ---- */

static void read_rules(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "11 EE 1F FF 6F FE 71 00 FF", "79 79 79 95");  /* N = 0: one byte (F.10) */
	chat(f, "11 EE 30 00 00 00 30", "79 1F");                /* unmapped */
	chat(f, "11 EE 08 00 00 00 00", "79 1F");                /* address checksum */
	chat(f, "11 EE 08 00 00 00 08 03 FF", "79 79 1F");       /* length complement */
	chat(f, "11 EE 08 1F FF 80 68 FF 00", "79 79 1F");       /* runs past the flash */
	chat(f, "11 EE 1F F0 00 00 EF 03 FC", "79 79 79 AA F8 EF FF"); /* option bytes */
}

/* ---- Write Memory ---- */

static void write_rules(void **state)
{
	struct fx *f = *state;
	uint8_t v[4];

	synced(f);
	chat(f, "31 CE 08 00 00 02 0A", "79 1F");                /* not 4-byte aligned */
	chat(f, "31 CE 20 00 00 00 20", "79 1F");                /* ROM's RAM (C) */
	chat(f, "31 CE 1F FF 00 00 E0", "79 1F");                /* system memory */
	chat(f, "31 CE 20 00 32 00 12", "79 79");
	chat(f, "03 AA BB CC DD 03", "79");
	assert_int_equal(board_read(f->b, 0x20003200, v, 4), BOARD_OK);
	assert_memory_equal(v, "\xAA\xBB\xCC\xDD", 4);
	chat(f, "31 CE 08 00 00 00 08", "79 79");
	chat(f, "03 01 02 03 04 00", "1F");                      /* data checksum */
	chat(f, "31 CE 08 00 00 00 08", "79 79");
	chat(f, "03 01 02 03 04 07", "79");
	chat(f, "31 CE 08 00 00 04 0C", "79 79");
	chat(f, "03 05 06 07 08 0F", "1F");                      /* A.7: padded dw, NACKed */
	assert_int_equal(board_read(f->b, 0x08000004, v, 4), BOARD_OK);
	assert_memory_equal(v, "\xFF\xFF\xFF\xFF", 4);
}

static void write_twice_silent_ack(void **state)
{
	struct fx *f = *state;
	uint8_t v[4];

	synced(f);
	chat(f, "31 CE 08 00 00 00 08 03 01 02 03 04 07", "79 79 79");
	chat(f, "31 CE 08 00 00 00 08 03 05 06 07 08 0F", "79 79 79");  /* A.7 silent */
	assert_int_equal(board_read(f->b, 0x08000000, v, 4), BOARD_OK);
	assert_memory_equal(v, "\x01\x02\x03\x04", 4);
}

static void option_write_resets(void **state)
{
	struct fx *f = *state;

	synced(f);
	/* OPTR with DBANK cleared: 0xFFAFF8AA little-endian */
	chat(f, "31 CE 1F F0 00 00 EF", "79 79");
	chat(f, "03 AA F8 AF FF 01", "79");
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_AWAIT_SYNC);
	assert_false(board_dual_bank(f->b));
	chat(f, "00 FF", "");   /* first byte after reset is not 0x7F: locked */
}

/* ---- Extended Erase ---- */

static void erase_pages(void **state)
{
	struct fx *f = *state;
	uint8_t v[4];

	synced(f);
	chat(f, "31 CE 08 00 10 00 18 03 01 02 03 04 07", "79 79 79");
	chat(f, "44 BB", "79");
	chat(f, "00 01 00 00 00 01 00", "79");                   /* pages 0 and 1 (A.3) */
	assert_int_equal(board_read(f->b, 0x08001000, v, 4), BOARD_OK);
	assert_memory_equal(v, "\xFF\xFF\xFF\xFF", 4);
	chat(f, "44 BB 00 00 00 05 00", "79 1F");                /* checksum */
	chat(f, "44 BB 00 00 02 00 02", "79 1F");                /* page 512: none */
	chat(f, "44 BB FF F0 0F", "79 1F");                      /* reserved code */
	chat(f, "44 BB FF FE 01", "79 79");                      /* bank 1 */
	chat(f, "44 BB FF FD 02", "79 79");                      /* bank 2 */
	chat(f, "44 BB FF FF 01", "79 1F");                      /* special checksum */
}

static void erase_list_too_long(void **state)
{
	struct fx *f = *state;
	uint8_t in[2 + 2 * 513 + 1], out[4];
	uint8_t x = 0x02 ^ 0x00;

	synced(f);
	chat(f, "44 BB", "79");
	in[0] = 0x02;                  /* N = 512: 513 pages */
	in[1] = 0x00;
	for (int i = 0; i < 513; i++) {
		in[2 + 2 * i] = (uint8_t)(i % 512 >> 8);
		in[3 + 2 * i] = (uint8_t)(i % 512);
		x ^= in[2 + 2 * i] ^ in[3 + 2 * i];
	}
	in[sizeof in - 1] = x;
	an3155dev_input(f->d, in, sizeof in);
	assert_int_equal(an3155dev_output(f->d, out, sizeof out), 1);
	assert_int_equal(out[0], 0x1F);
	chat(f, "02 FD", "79 01 04 70 79");   /* still in step */
}

static void bank_erase_single_bank_nacked(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "31 CE 1F F0 00 00 EF 03 AA F8 AF FF 01", "79 79 79");  /* DBANK = 0 */
	synced(f);
	chat(f, "44 BB FF FE 01", "79 1F");
	chat(f, "44 BB 00 00 01 00 01", "79 1F");                /* page 256: none */
	chat(f, "44 BB 00 00 00 FF FF", "79 79");
}

/* ---- protection commands (A.4, A.5, A.6) ---- */

static void write_protect_flow(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "63 9C", "79");
	chat(f, "01 00 01 00", "79");            /* pages 0..1, then reset */
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_AWAIT_SYNC);
	synced(f);
	assert_true(board_page_protected(f->b, 1));
	chat(f, "44 BB 00 00 00 01 01", "79 1F");
	chat(f, "31 CE 08 00 00 00 08 03 01 02 03 04 07", "79 79 1F");
	chat(f, "63 9C 02 00 02 04 04", "79 1F");   /* three runs: two areas only */
	chat(f, "73 8C", "79 79");
	synced(f);
	chat(f, "44 BB 00 00 00 01 01", "79 79");
}

static void readout_protect_flow(void **state)
{
	struct fx *f = *state;
	uint8_t v[4];

	synced(f);
	chat(f, "31 CE 08 00 00 00 08 03 01 02 03 04 07", "79 79 79");
	chat(f, "82 7D", "79 79");
	synced(f);
	assert_int_equal(board_rdp_level(f->b), 1);
	chat(f, "11 EE", "1F");                   /* A.6: NACK at the first byte */
	chat(f, "31 CE", "1F");
	chat(f, "44 BB", "1F");
	chat(f, "21 DE", "1F");
	chat(f, "63 9C", "1F");
	chat(f, "82 7D", "1F");                   /* already protected */
	chat(f, "00 FF", "79 0B 31 00 01 02 11 21 31 44 63 73 82 92 79");
	chat(f, "01 FE", "79 31 00 00 79");
	chat(f, "02 FD", "79 01 04 70 79");
	chat(f, "92 6D", "79 79");
	synced(f);
	assert_int_equal(board_rdp_level(f->b), 0);
	assert_int_equal(board_read(f->b, 0x08000000, v, 4), BOARD_OK);
	assert_memory_equal(v, "\xFF\xFF\xFF\xFF", 4);   /* mass-erased */
}

/* ---- Go ---- */

static void go_rules(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "21 DE 1F FF 00 00 E0", "79 1F");  /* system memory: not flash/SRAM */
	chat(f, "21 DE 20 00 40 00 60", "79 79");
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(f->b), 0x20004000);
	board_set_pin(f->b, BOARD_PIN_NRST, 0);
	board_set_pin(f->b, BOARD_PIN_NRST, 1);   /* BOOT0 high: back to the ROM */
	chat(f, "7F", "79");
}

/* ---- Get Checksum 0xA1 (A.5, F.6: stm32flash frame) ---- */

static void crc_when_offered(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "00 FF", "79 0C 31 00 01 02 11 21 31 44 63 73 82 92 A1 79");
	chat(f, "31 CE 08 00 00 00 08 07 01 02 03 04 05 06 07 08 0F", "79 79 79");
	/* CRC of bytes 01..08 = 0xA3141BDA (A.5 test vector); X = A3^14^1B^DA = 76 */
	chat(f, "A1 5E 08 00 00 00 08", "79 79");
	chat(f, "00 00 00 08 08", "79 79 A3 14 1B DA 76");
	chat(f, "A1 5E 08 00 00 00 08 00 00 00 06 06", "79 79 1F");  /* not a multiple of 4 */
	chat(f, "A1 5E 08 00 00 02 0A", "79 1F");                     /* misaligned */
}

/* ---- fault hooks ---- */

static enum an3155dev_fate fate_hook(void *ctx, uint8_t code)
{
	struct fx *f = ctx;

	return code == 0x31 ? f->fate : AN3155DEV_NORMAL;
}

static void event_hook(void *ctx, const struct an3155dev_event *ev)
{
	struct fx *f = ctx;

	snprintf(f->last, sizeof f->last, "%s", ev->text);
}

static void fault_fates(void **state)
{
	struct fx *f = *state;
	struct an3155dev_hooks h = { fate_hook, event_hook, f };
	uint8_t v[4];

	an3155dev_set_hooks(f->d, &h);
	synced(f);
	assert_string_equal(f->last, "sync: ack");
	f->fate = AN3155DEV_NACK;
	chat(f, "31 CE", "1F");
	f->fate = AN3155DEV_NACK_LATE;
	chat(f, "31 CE 08 00 00 00 08 03 01 02 03 04 07", "79 79 1F");
	assert_int_equal(board_read(f->b, 0x08000000, v, 4), BOARD_OK);
	assert_memory_equal(v, "\xFF\xFF\xFF\xFF", 4);  /* nothing written */
	f->fate = AN3155DEV_STALL;
	chat(f, "31 CE", "");
	assert_true(an3155dev_idle(f->d));
	chat(f, "02 FD", "79 01 04 70 79");
	f->fate = AN3155DEV_HANG;
	chat(f, "31 CE", "");
	chat(f, "02 FD 7F", "");
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_HUNG);
	board_reset(f->b);
	synced(f);
	assert_true(an3155dev_commands_done(f->d) >= 6);
}

static void command_names(void **state)
{
	(void)state;
	assert_string_equal(an3155dev_cmd_name(0x31), "write");
	assert_string_equal(an3155dev_cmd_name(0x7F), "sync");
	assert_int_equal(an3155dev_cmd_code("erase"), 0x44);
	assert_int_equal(an3155dev_cmd_code("nope"), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a5b_session),
		T(get_version),
		T(sync_again_nacked),
		T(wrong_first_byte_locks_until_reset),
		T(nrst_mid_command_restarts),
		T(bad_complement_and_unknown),
		T(read_rules),
		T(write_rules),
		cmocka_unit_test_setup_teardown(write_twice_silent_ack, setup_silent, teardown),
		T(option_write_resets),
		T(erase_pages),
		T(erase_list_too_long),
		T(bank_erase_single_bank_nacked),
		T(write_protect_flow),
		T(readout_protect_flow),
		T(go_rules),
		cmocka_unit_test_setup_teardown(crc_when_offered, setup_crc, teardown),
		T(fault_fates),
		cmocka_unit_test(command_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
