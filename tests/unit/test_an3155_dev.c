/* SPDX-License-Identifier: MIT */
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

/* Host sends in[0..ni); the device must answer exactly `reply` (hex). */
static void chat_bytes(struct fx *f, const uint8_t *in, size_t ni, const char *what,
		       const char *reply)
{
	uint8_t want[600], got[600];
	size_t nw = unhex(reply, want), ng;

	an3155dev_input(f->d, in, ni);
	ng = an3155dev_output(f->d, got, sizeof got);
	if (ng != nw || memcmp(got, want, nw)) {
		fprintf(stderr, "host: %s\nwant: %s\ngot: ", what, reply);
		for (size_t i = 0; i < ng; i++)
			fprintf(stderr, "%02X ", got[i]);
		fprintf(stderr, "\n");
		fail();
	}
}

/* Host sends `host`; the device must answer exactly `reply` (hex). */
static void chat(struct fx *f, const char *host, const char *reply)
{
	uint8_t in[600];

	chat_bytes(f, in, unhex(host, in), host, reply);
}

/* A whole Write Memory of n bytes at addr (A.5); the replies must be `reply`. */
static void chat_write(struct fx *f, uint32_t addr, const uint8_t *data, size_t n,
		       const char *reply)
{
	uint8_t in[2 + 5 + 1 + 256 + 1], x = (uint8_t)(n - 1);
	size_t k = 0;

	in[k++] = 0x31;
	in[k++] = 0xCE;
	for (int i = 3; i >= 0; i--)
		in[k++] = (uint8_t)(addr >> (8 * i));
	in[k++] = in[2] ^ in[3] ^ in[4] ^ in[5];
	in[k++] = (uint8_t)(n - 1);
	for (size_t i = 0; i < n; i++) {
		in[k++] = data[i];
		x ^= data[i];
	}
	in[k++] = x;
	chat_bytes(f, in, k, "write block", reply);
}

/* Option-byte bank 1 (E.4 layout: value, complement) with OPTR = optr. */
static void ob_bank1(uint32_t optr, uint8_t out[40])
{
	const uint32_t v[5] = { optr, 0xFFFFFFFFu, 0x00000000u, 0x000000FFu, 0x000000FFu };

	for (int slot = 0; slot < 5; slot++) {
		for (int i = 0; i < 4; i++) {
			out[8 * slot + i] = (uint8_t)(v[slot] >> (8 * i));
			out[8 * slot + 4 + i] = (uint8_t)(~v[slot] >> (8 * i));
		}
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

static int setup_dev(void **state, const struct an3155dev_config *dc)
{
	struct board_config bc = { 0 };

	*state = setup_cfg(&bc, dc);
	return 0;
}

static int setup_crc(void **state)
{
	const struct an3155dev_config dc = { .version = 0x33 };

	return setup_dev(state, &dc);
}

static int setup_crc_i2c(void **state)
{
	const struct an3155dev_config dc = { .version = 0x33, .crc_frame = AN3155DEV_CRC_I2C };

	return setup_dev(state, &dc);
}

static int setup_silent(void **state)
{
	const struct an3155dev_config dc = { .silent_progerr = true };

	return setup_dev(state, &dc);
}

static int setup_permissive(void **state)
{
	const struct an3155dev_config dc = { .permissive_reads = true };

	return setup_dev(state, &dc);
}

static int setup_sync_nack(void **state)
{
	const struct an3155dev_config dc = { .sync_nack = true };

	return setup_dev(state, &dc);
}

static int setup_wrp_nack(void **state)
{
	const struct an3155dev_config dc = { .wrp_nack = true };

	return setup_dev(state, &dc);
}

static int setup_ob_any(void **state)
{
	const struct an3155dev_config dc = { .ob_any = true };

	return setup_dev(state, &dc);
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

/* ---- part profiles (romsim --part): the row's ROM and memory rules ---- */

static int setup_part(void **state, uint16_t pid)
{
	struct board_config bc = { .pid = pid };

	*state = setup_cfg(&bc, NULL);
	return 0;
}

static int setup_f1(void **state) { return setup_part(state, 0x410); }
static int setup_l0(void **state) { return setup_part(state, 0x417); }
static int setup_h7(void **state) { return setup_part(state, 0x450); }
static int setup_f4(void **state) { return setup_part(state, 0x413); }

static void fill(struct fx *f, uint32_t addr, size_t n, uint8_t v)
{
	uint8_t d[256];

	memset(d, v, n);
	chat_write(f, addr, d, n, "79 79 79");
}

static bool flash_is(struct fx *f, uint32_t addr, size_t n, uint8_t v)
{
	uint8_t d[256];

	assert_int_equal(board_read(f->b, addr, d, n), BOARD_OK);
	for (size_t i = 0; i < n; i++)
		if (d[i] != v)
			return false;
	return true;
}

/* F1: USART protocol v2.2, Get lists the legacy Erase 0x43 and not 0x44
 * (A.4: mutually exclusive), Get ID 0x410; 0x43 erases 1-byte page numbers
 * or everything ("FF 00"); RAM below 0x20000200 is the ROM's (AN2606). */
static void part_f1_rom(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "00 FF", "79 0B 22 00 01 02 11 21 31 43 63 73 82 92 79");
	chat(f, "01 FE", "79 22 00 00 79");
	chat(f, "02 FD", "79 01 04 10 79");
	chat(f, "44 BB", "1F");
	fill(f, 0x08000400, 16, 0x5A);
	fill(f, 0x08000800, 16, 0x5A);
	chat(f, "43 BC", "79");
	chat(f, "00 01 01", "79");             /* N = 0, page 1, XOR */
	assert_true(flash_is(f, 0x08000400, 16, 0xFF));
	assert_true(flash_is(f, 0x08000800, 16, 0x5A));
	chat(f, "43 BC", "79");
	chat(f, "00 02 03", "1F");             /* bad checksum: nothing erased */
	assert_true(flash_is(f, 0x08000800, 16, 0x5A));
	chat(f, "43 BC", "79");
	chat(f, "00 80 80", "1F");             /* page 128 of a 128-page part */
	chat(f, "43 BC", "79");
	chat(f, "FF 00", "79");                /* global */
	assert_true(flash_is(f, 0x08000800, 16, 0xFF));
	chat(f, "31 CE", "79");
	chat(f, "20 00 01 00 21", "1F");       /* 0x20000100: the ROM's own RAM */
	chat(f, "31 CE", "79");
	chat(f, "20 00 02 00 22", "79");
}

/* L0: erased flash reads 0x00 (RM0377, OpenOCD stm32lx.c), 128-byte pages,
 * and the ROM has no global mass erase (stm32flash F_NO_ME). */
static void part_l0_rom(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "02 FD", "79 01 04 17 79");
	assert_true(flash_is(f, 0x08000000, 256, 0x00));
	fill(f, 0x08000000, 8, 0xA5);
	fill(f, 0x08000080, 8, 0xA5);
	chat(f, "44 BB", "79");
	chat(f, "00 00 00 00 00", "79");       /* page 0 */
	assert_true(flash_is(f, 0x08000000, 8, 0x00));
	assert_true(flash_is(f, 0x08000080, 8, 0xA5));
	chat(f, "44 BB", "79");
	chat(f, "FF FF 00", "1F");             /* no mass erase */
	assert_true(flash_is(f, 0x08000080, 8, 0xA5));
	chat(f, "44 BB", "79");
	chat(f, "FF FE 01", "1F");             /* no bank erase either */
}

/* H7: 256-bit flash words programmed once (RM0433): a write of part of
 * one marks the whole 32 bytes; bank erase 0xFFFD empties bank 2 only. */
static void part_h7_units(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "02 FD", "79 01 04 50 79");
	fill(f, 0x08000000, 8, 0x11);
	chat_write(f, 0x08000008, (const uint8_t *)"\x22\x22\x22\x22\x22\x22\x22\x22", 8, "79 79 1F");
	fill(f, 0x08000020, 8, 0x33);          /* the next word is free */
	fill(f, 0x08100000, 8, 0x44);          /* bank 2 at 0x08100000 */
	chat(f, "44 BB", "79");
	chat(f, "FF FD 02", "79");
	assert_true(flash_is(f, 0x08100000, 8, 0xFF));
	assert_true(flash_is(f, 0x08000020, 8, 0x33));
}

/* F4: Extended Erase numbers sectors: 5 is the first 128 KB one, at
 * 0x08020000 (RM0090 flash organization). */
static void part_f4_sectors(void **state)
{
	struct fx *f = *state;

	synced(f);
	fill(f, 0x0801FFF0, 16, 0x66);         /* the end of sector 4 (64 KB) */
	fill(f, 0x0803FFF0, 16, 0x66);         /* the end of sector 5 */
	chat(f, "44 BB", "79");
	chat(f, "00 00 00 05 05", "79");
	assert_true(flash_is(f, 0x0803FFF0, 16, 0xFF));
	assert_true(flash_is(f, 0x0801FFF0, 16, 0x66));
	chat(f, "44 BB", "79");
	chat(f, "00 00 00 0C 0C", "1F");       /* a 1 MB part has sectors 0-11 */
}

/* ---- A.5b session, row by row ---- */

/* The strict ROM: the flash-size word and FLASH_OPTR are NACKed at their
 * address (A.5 Read Memory: not in the documented list; FORUM L43x); the
 * option bytes carry the same OPTR. */
static void a5b_session(void **state)
{
	struct fx *f = *state;
	uint8_t v[8];

	chat(f, "7F", "79");
	chat(f, "00 FF", "79 0B 31 00 01 02 11 21 31 44 63 73 82 92 79");
	chat(f, "02 FD", "79 01 04 70 79");
	chat(f, "11 EE", "79");
	chat(f, "1F FF 75 E0 75", "1F");
	chat(f, "11 EE 40 02 20 20 42", "79 1F");
	chat(f, "11 EE 1F F0 00 00 EF 03 FC", "79 79 79 AA F8 EF FF");
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

/* --reads permissive: the A.5b rows as written (register reads INF). */
static void a5b_session_permissive(void **state)
{
	struct fx *f = *state;

	chat(f, "7F", "79");
	chat(f, "11 EE 1F FF 75 E0 75 01 FE", "79 79 79 00 08");
	chat(f, "11 EE 40 02 20 20 42 03 FC", "79 79 79 AA F8 EF FF");
	chat(f, "11 EE E0 04 20 00 C4 03 FC", "79 79 79 70 64 01 10");  /* DBGMCU_IDCODE */
	chat(f, "11 EE 1F FF 75 90 05 0B F4", "79 79 79 2B 00 3A 00 0B 51 38 35 38 33 35 20");
	chat(f, "11 EE 20 00 00 00 20", "79 1F");   /* the loader's RAM stays refused (C) */
}

static void get_version(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "01 FE", "79 31 00 00 79");
}

/* ---- sync (A.1) ---- */

/* Default: a repeated 0x7F is an opcode waiting for its complement. */
static void sync_again_waits(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "7F", "");
	assert_false(an3155dev_idle(f->d));
	chat(f, "7F", "1F");                 /* the second 0x7F is a wrong complement */
	assert_true(an3155dev_idle(f->d));
	chat(f, "7F 80", "1F");              /* right complement: no such command */
	chat(f, "7F", "");
	chat(f, "02", "1F");                 /* a command after it loses its first byte */
	chat(f, "FD", "");                   /* ... and its complement is taken as an opcode */
	chat(f, "02", "1F");
	chat(f, "02 FD", "79 01 04 70 79");  /* back in step */
}

/* --repeat-sync nack: NACK at once (A.1, the other observed behaviour). */
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
	chat(f, "11 EE 1F FF 70 00 90 03 FC", "79 79 79 FF FF FF FF");  /* OTP */
	chat(f, "11 EE 20 00 32 00 12 03 FC", "79 79 79 00 00 00 00");  /* SRAM above the ROM's */
	/* A.5: nothing else is documented as readable (strict default) */
	chat(f, "11 EE 1F FF 75 00 95", "79 1F");                /* package word */
	chat(f, "11 EE 1F FF 75 90 05", "79 1F");                /* UID */
	chat(f, "11 EE 1F FF 75 E0 75", "79 1F");                /* flash size */
	chat(f, "11 EE 40 02 20 00 62", "79 1F");                /* FLASH_ACR */
	chat(f, "11 EE E0 04 20 00 C4", "79 1F");                /* DBGMCU_IDCODE */
	chat(f, "11 EE 20 00 00 00 20", "79 1F");                /* the ROM's own RAM (C) */
	chat(f, "11 EE 20 00 31 FC 0D", "79 1F");
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
	const uint8_t five[5] = { 1, 2, 3, 4, 5 };

	synced(f);
	chat_write(f, 0x08000100, five, 3, "79 79 1F");          /* A.5: not a multiple of 4 */
	chat_write(f, 0x08000100, five, 5, "79 79 1F");
	chat_write(f, 0x1FFF7000, five, 3, "79 79 1F");          /* OTP too */
	chat_write(f, 0x20003200, five, 5, "79 79 1F");          /* and SRAM */
	assert_int_equal(board_read(f->b, 0x08000100, v, 4), BOARD_OK);
	assert_memory_equal(v, "\xFF\xFF\xFF\xFF", 4);          /* nothing padded, nothing written */
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

/* A whole bank at its base (C, E.4): applied, then a reset (A.4). */
static void option_write_resets(void **state)
{
	struct fx *f = *state;
	uint8_t bank[40];

	synced(f);
	ob_bank1(0xFFAFF8AAu, bank);                          /* DBANK cleared */
	chat_write(f, 0x1FF00000, bank, 40, "79 79 79");
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_AWAIT_SYNC);
	assert_false(board_dual_bank(f->b));
	chat(f, "00 FF", "");   /* first byte after reset is not 0x7F: locked */
}

/* Strict default: any other address or length in the option bytes is NACKed. */
static void option_write_partial_refused(void **state)
{
	struct fx *f = *state;
	uint8_t bank[40];

	synced(f);
	ob_bank1(0xFFAFF8AAu, bank);
	chat_write(f, 0x1FF00000, bank, 8, "79 79 1F");       /* part of the bank */
	chat(f, "31 CE 1F F0 00 18 F7", "79 1F");             /* WRP1A slot: not the base */
	chat(f, "31 CE 1F F0 10 08 F7", "79 1F");             /* bank 2, not its base */
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_IDLE);
	assert_true(board_dual_bank(f->b));
	board_reset(f->b);
	assert_true(board_dual_bank(f->b));                   /* nothing was staged */
}

/* --ob-writes any: a 4-byte OPTR write is merged into the bank and applied. */
static void option_write_partial_any(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "31 CE 1F F0 00 00 EF", "79 79");
	chat(f, "03 AA F8 AF FF 01", "79");
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_AWAIT_SYNC);
	assert_false(board_dual_bank(f->b));
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
	uint8_t bank[40];

	synced(f);
	ob_bank1(0xFFAFF8AAu, bank);                          /* DBANK = 0 */
	chat_write(f, 0x1FF00000, bank, 40, "79 79 79");
	synced(f);
	chat(f, "44 BB FF FE 01", "79 1F");
	chat(f, "44 BB 00 00 01 00 01", "79 1F");                /* page 256: none */
	chat(f, "44 BB 00 00 00 FF FF", "79 79");
}

/* ---- protection commands (A.4, A.5, A.6) ---- */

static void assert_word(struct fx *f, uint32_t addr, const char *want)
{
	uint8_t v[4];

	assert_int_equal(board_read(f->b, addr, v, 4), BOARD_OK);
	assert_memory_equal(v, want, 4);
}

/* Pages 0 and 1 (0x08000000-0x08001FFF) protected over data at 0x08001000 and 0x08002000. */
static void protect_pages_0_1(struct fx *f)
{
	synced(f);
	chat(f, "31 CE 08 00 10 00 18 03 11 22 33 44 47", "79 79 79");
	chat(f, "31 CE 08 00 20 00 28 03 11 22 33 44 47", "79 79 79");
	chat(f, "63 9C", "79");
	chat(f, "01 00 01 00", "79");            /* pages 0..1, then reset */
	assert_int_equal(an3155dev_phase(f->d), AN3155DEV_AWAIT_SYNC);
	synced(f);
	assert_true(board_page_protected(f->b, 1));
	assert_false(board_page_protected(f->b, 2));
}

/* Default: ACK, protected pages left unchanged (AN3155 §3.6 as quoted in issue 8). */
static void write_protect_skips(void **state)
{
	struct fx *f = *state;
	const uint8_t d16[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

	protect_pages_0_1(f);
	chat(f, "44 BB 00 01 00 01 00 02 02", "79 79");        /* pages 1 and 2 */
	assert_word(f, 0x08001000, "\x11\x22\x33\x44");      /* page 1: protected, kept */
	assert_word(f, 0x08002000, "\xFF\xFF\xFF\xFF");      /* page 2: erased */
	chat(f, "31 CE 08 00 00 00 08 03 01 02 03 04 07", "79 79 79");
	assert_word(f, 0x08000000, "\xFF\xFF\xFF\xFF");      /* page 0: not written */
	chat_write(f, 0x08001FF8, d16, 16, "79 79 79");       /* across pages 1 and 2 */
	assert_word(f, 0x08001FF8, "\xFF\xFF\xFF\xFF");
	assert_word(f, 0x08002000, "\x09\x0A\x0B\x0C");      /* page 2 part written */
	chat(f, "44 BB FF FE 01", "79 1F");                   /* bank 1 mass erase: NACK (INF) */
	chat(f, "63 9C 02 00 02 04 04", "79 1F");   /* three runs: two areas only */
	chat(f, "73 8C", "79 79");
	synced(f);
	chat(f, "44 BB 00 00 00 01 01", "79 79");
	assert_word(f, 0x08001000, "\xFF\xFF\xFF\xFF");
}

/* --wrp nack: the model's old behaviour, nothing changed and a NACK. */
static void write_protect_nacks(void **state)
{
	struct fx *f = *state;

	protect_pages_0_1(f);
	chat(f, "44 BB 00 01 00 01 00 02 02", "79 1F");
	assert_word(f, 0x08001000, "\x11\x22\x33\x44");
	assert_word(f, 0x08002000, "\x11\x22\x33\x44");      /* nothing erased at all */
	chat(f, "31 CE 08 00 00 00 08 03 01 02 03 04 07", "79 79 1F");
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
	chat(f, "21 DE 20 00 00 00 20", "79 1F");  /* the ROM's own RAM (C) */
	chat(f, "21 DE 20 00 31 FC 0D", "79 1F");
	chat(f, "21 DE 20 00 40 00 60", "79 79");
	assert_int_equal(board_mode(f->b), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(f->b), 0x20004000);
	board_set_pin(f->b, BOARD_PIN_NRST, 0);
	board_set_pin(f->b, BOARD_PIN_NRST, 1);   /* BOOT0 high: back to the ROM */
	chat(f, "7F", "79");
}

/* ---- Get Checksum 0xA1 (A.5 0xA1 row, F.6) ---- */

/* v3.3, AN3155 §3.13 frame: size in words, polynomial, initial value. */
static void crc_when_offered(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "00 FF", "79 0C 33 00 01 02 11 21 31 44 63 73 82 92 A1 79");
	chat(f, "01 FE", "79 33 00 00 79");
	chat(f, "31 CE 08 00 00 00 08 07 01 02 03 04 05 06 07 08 0F", "79 79 79");
	/* CRC of bytes 01..08 = 0xA3141BDA (A.5 test vector); X = A3^14^1B^DA = 76 */
	chat(f, "A1 5E", "79");
	chat(f, "08 00 00 00 08", "79");
	chat(f, "00 00 00 02 02", "79");                        /* 2 words */
	chat(f, "04 C1 1D B7 6F", "79");                        /* polynomial */
	chat(f, "FF FF FF FF 00", "79 79 A3 14 1B DA 76");      /* initial value */
	/* the host's polynomial and initial value are used: 0x1EDC6F41, 0 */
	chat(f, "A1 5E 08 00 00 00 08 00 00 00 02 02 1E DC 6F 41 EC 00 00 00 00 00",
	     "79 79 79 79 79 79 CD F3 53 21 4C");
	chat(f, "A1 5E 08 00 00 00 08 00 00 00 00 00", "79 79 1F");  /* size 0 */
	chat(f, "A1 5E 08 00 00 00 08 00 08 00 01 09", "79 79 1F");  /* past the flash */
	chat(f, "A1 5E 08 00 00 00 08 00 00 00 02 02 04 C1 1D B7 00", "79 79 79 1F");
	chat(f, "A1 5E 08 00 00 02 0A", "79 1F");                     /* misaligned */
	chat(f, "A1 5E 40 02 20 20 42", "79 1F");                     /* not readable (A.5) */
	chat(f, "02 FD", "79 01 04 70 79");                           /* in step */
}

/* --crc-frame i2c: stm32flash's frame (the I2C loader's; CONFLICT F.6). */
static void crc_i2c_frame(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "31 CE 08 00 00 00 08 07 01 02 03 04 05 06 07 08 0F", "79 79 79");
	chat(f, "A1 5E 08 00 00 00 08", "79 79");
	chat(f, "00 00 00 08 08", "79 79 A3 14 1B DA 76");
	chat(f, "A1 5E 08 00 00 00 08 00 00 00 06 06", "79 79 1F");  /* not a multiple of 4 */
	chat(f, "A1 5E 08 00 00 02 0A", "79 1F");                     /* misaligned */
}

/* v3.1 (the default) neither lists nor takes 0xA1. */
static void crc_not_on_v31(void **state)
{
	struct fx *f = *state;

	synced(f);
	chat(f, "A1 5E", "1F");
	chat(f, "01 FE", "79 31 00 00 79");
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

/* Hooks: fate_hook for Write Memory, the last event's text in f->last. */
static void watch(struct fx *f)
{
	struct an3155dev_hooks h = { fate_hook, event_hook, f };

	an3155dev_set_hooks(f->d, &h);
}

/* The log lines of Extended Erase (romsim's log; tests/cli grep them). */
static void erase_log_lines(void **state)
{
	struct fx *f = *state;

	watch(f);
	protect_pages_0_1(f);
	chat(f, "44 BB 00 01 00 01 00 02 02", "79 79");
	assert_string_equal(f->last, "erase 2 pages from 1: ack, 1 write-protected pages left unchanged");
	chat(f, "44 BB 00 00 00 03 03", "79 79");
	assert_string_equal(f->last, "erase 1 pages from 3: ack");
	chat(f, "44 BB 00 00 02 00 02", "79 1F");
	assert_string_equal(f->last, "erase: 1 pages: address not allowed: nack");
}

static void erase_log_lines_wrp_nack(void **state)
{
	struct fx *f = *state;

	watch(f);
	protect_pages_0_1(f);
	chat(f, "44 BB 00 01 00 01 00 02 02", "79 1F");
	assert_string_equal(f->last, "erase: 2 pages: page write-protected (WRPERR): nack");
}

/* ... and of the legacy Erase 0x43 (F1). */
static void legacy_erase_log_lines(void **state)
{
	struct fx *f = *state;

	watch(f);
	synced(f);
	chat(f, "43 BC 00 01 01", "79 79");
	assert_string_equal(f->last, "legacy-erase 1 pages from 1: ack");
	chat(f, "43 BC 01 02 05 06", "79 79");
	assert_string_equal(f->last, "legacy-erase 2 pages from 2: ack");
	chat(f, "43 BC 00 80 80", "79 1F");
	assert_string_equal(f->last, "legacy-erase: 1 pages: page 128: address not allowed: nack");
	chat(f, "43 BC 01 01 80 80", "79 1F");
	assert_string_equal(f->last, "legacy-erase: 2 pages: page 128: address not allowed: nack");
}

static void fault_fates(void **state)
{
	struct fx *f = *state;
	uint8_t v[4];

	watch(f);
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
		cmocka_unit_test_setup_teardown(a5b_session_permissive, setup_permissive, teardown),
		T(get_version),
		T(sync_again_waits),
		cmocka_unit_test_setup_teardown(sync_again_nacked, setup_sync_nack, teardown),
		T(wrong_first_byte_locks_until_reset),
		T(nrst_mid_command_restarts),
		T(bad_complement_and_unknown),
		T(read_rules),
		T(write_rules),
		cmocka_unit_test_setup_teardown(write_twice_silent_ack, setup_silent, teardown),
		T(option_write_resets),
		T(option_write_partial_refused),
		cmocka_unit_test_setup_teardown(option_write_partial_any, setup_ob_any, teardown),
		T(erase_pages),
		T(erase_list_too_long),
		T(bank_erase_single_bank_nacked),
		T(write_protect_skips),
		cmocka_unit_test_setup_teardown(write_protect_nacks, setup_wrp_nack, teardown),
		T(readout_protect_flow),
		T(go_rules),
		cmocka_unit_test_setup_teardown(crc_when_offered, setup_crc, teardown),
		cmocka_unit_test_setup_teardown(crc_i2c_frame, setup_crc_i2c, teardown),
		T(crc_not_on_v31),
		T(fault_fates),
		T(erase_log_lines),
		cmocka_unit_test_setup_teardown(erase_log_lines_wrp_nack, setup_wrp_nack, teardown),
		cmocka_unit_test_setup_teardown(legacy_erase_log_lines, setup_f1, teardown),
		cmocka_unit_test(command_names),
		cmocka_unit_test_setup_teardown(part_f1_rom, setup_f1, teardown),
		cmocka_unit_test_setup_teardown(part_l0_rom, setup_l0, teardown),
		cmocka_unit_test_setup_teardown(part_h7_units, setup_h7, teardown),
		cmocka_unit_test_setup_teardown(part_f4_sectors, setup_f4, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
