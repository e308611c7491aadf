/* SPDX-License-Identifier: MIT */
/*
 * test_sersim.c - the serial side of the virtual board without the OS:
 * UART line model (sim/uart_line.h), fault spec and injection
 * (sim/faults.h), adapter and pin messages, timing, banner (sim/sersim.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board.h"
#include "faults.h"
#include "sersim.h"
#include "uart_line.h"

#define MS 1000000ull

/* ---- UART line model ---- */

static void line_identity_and_8n1(void **state)
{
	struct uart_frame e8 = { 115200, 8, 'E', 1 }, n8 = { 115200, 8, 'N', 1 };
	struct uart_frame e8b = { 115200, 8, 'E', 2 };
	struct uart_rx rx[8];
	const uint8_t sync = 0x7F, get[2] = { 0x00, 0xFF };

	(void)state;
	assert_true(uart_frames_match(&e8, &e8b));   /* only the first stop bit counts */
	assert_false(uart_frames_match(&n8, &e8));
	/* 0x7F sent 8N1: its stop bit reads as a correct even-parity bit */
	assert_int_equal(uart_resample(&n8, &e8, &sync, 1, rx, 8), 1);
	assert_int_equal(rx[0].data, 0x7F);
	assert_false(rx[0].parity_err);
	assert_false(rx[0].framing_err);
	/* 00 FF back to back, 8N1 into 8E1: 0x00 with both errors, 0xFF lost */
	assert_int_equal(uart_resample(&n8, &e8, get, 2, rx, 8), 1);
	assert_int_equal(rx[0].data, 0x00);
	assert_true(rx[0].parity_err);
	assert_true(rx[0].framing_err);
}

static void line_baud_mismatch(void **state)
{
	struct uart_frame slow = { 9600, 8, 'N', 1 }, fast = { 19200, 8, 'N', 1 };
	struct uart_rx rx[8];
	const uint8_t b = 0x55;

	(void)state;
	/* worked by hand: each slow bit is two fast bits */
	assert_int_equal(uart_resample(&slow, &fast, &b, 1, rx, 8), 2);
	assert_int_equal(rx[0].data, 0x66);
	assert_int_equal(rx[1].data, 0xE6);
}

/* ---- fault specs ---- */

static void fault_spec_grammar(void **state)
{
	static const char *const good[] = {
		"nack@write#3", "drop-out@write#2.last", "corrupt-in=0.001", "stall@erase#1,hang@go#1",
		"drop-in@#5.1", "nack-late@0x31#1", "drop-out@sync#1.1", "nack=0.5", "corrupt-out@read=1",
		"late@write#2:1500", "late=0.01:300", "late@write#2.last:1500", "late@sync#1:10",
		"late@read#1.3:600000,nack@go#1",
	};
	static const char *const bad[] = {
		"nack", "boom@write#1", "nack@frob#1", "nack@write#0", "nack@write#1=0.5",
		"drop-out@write#1", "drop-in@write#1.last", "nack@write#1.2", "corrupt-in=2",
		"nack@sync#1", "drop-in@write#x.1",
		"late@write#1", "late@write#1:0", "late=0.1:600001", "nack@write#1:5",
		"late@write#1:x", "late:5",
	};
	char err[128];
	struct faults *f;

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		f = faults_new(good[i], 1, err, sizeof err);
		if (!f)
			fail_msg("'%s' refused: %s", good[i], err);
		faults_free(f);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		f = faults_new(bad[i], 1, err, sizeof err);
		if (f)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err, "fault rule"));
	}
}

/* ---- sersim fixture ---- */

struct fx {
	struct board *b;
	struct sersim *s;
	char log[8192];
	uint64_t now;
};

static void log_cb(void *ctx, const char *line)
{
	struct fx *f = ctx;

	strncat(f->log, line, sizeof f->log - strlen(f->log) - 2);
	strcat(f->log, "\n");
}

static struct fx *mk(const struct board_config *bc, const struct sersim_config *sc)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[128];

	f->b = board_new(bc);
	assert_non_null(f->b);
	f->s = sersim_new(f->b, sc, err, sizeof err);
	if (!f->s)
		fail_msg("sersim_new: %s", err);
	sersim_set_log(f->s, log_cb, f);
	return f;
}

static void rm(struct fx *f)
{
	sersim_free(f->s);
	board_free(f->b);
	free(f);
}

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;
	int k;

	while (sscanf(s, " %2x%n", &v, &k) == 1) {
		out[n++] = (uint8_t)v;
		s += k;
	}
	return n;
}

/* Host writes `host` in one chunk; everything due is compared to `reply`. */
static void chat(struct fx *f, const char *host, const char *reply)
{
	uint8_t in[600], want[600], got[600];
	size_t ni = unhex(host, in), nw = unhex(reply, want), ng;

	sersim_host_bytes(f->s, in, ni, f->now);
	ng = sersim_take_output(f->s, UINT64_MAX - 1, got, sizeof got);
	if (ng != nw || memcmp(got, want, nw)) {
		fprintf(stderr, "host: %s\nwant: %s\ngot: ", host, reply);
		for (size_t i = 0; i < ng; i++)
			fprintf(stderr, "%02X ", got[i]);
		fprintf(stderr, "\n");
		fail();
	}
}

static void msg(struct fx *f, const char *m, const char *want)
{
	char reply[64];

	sersim_message(f->s, m, reply, sizeof reply, f->now);
	assert_string_equal(reply, want);
}

/* ---- line settings through CFLAG ---- */

static void host_8n1_fails_like_hardware(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { 0 };
	struct fx *f = mk(&bc, &sc);

	(void)state;
	msg(f, "CFLAG speed=115200 bits=8 parity=none stop=1", "ok");
	chat(f, "7F", "79");        /* 0x7F happens to pass */
	chat(f, "00 FF", "");       /* the complement never arrives */
	msg(f, "CFLAG speed=115200 bits=8 parity=even stop=1", "ok");
	chat(f, "00", "1F");        /* the ROM was still waiting: 0x00 is not 0xFF */
	chat(f, "02 FD", "79 01 04 70 79");
	assert_non_null(strstr(f->log, "line: host 115200 8N1"));
	rm(f);
}

static void baud_change_after_autobaud_garbles(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { 0 };
	struct fx *f = mk(&bc, &sc);
	uint8_t got[64];

	(void)state;
	msg(f, "CFLAG speed=4098 bits=8 parity=even stop=1", "ok");  /* B115200 code */
	chat(f, "7F", "79");
	msg(f, "CFLAG speed=57600 bits=8 parity=even stop=1", "ok");
	sersim_host_bytes(f->s, (const uint8_t *)"\x02\xFD", 2, 0);
	assert_true(sersim_take_output(f->s, UINT64_MAX - 1, got, sizeof got) != 5 ||
		    memcmp(got, "\x79\x01\x04\x70\x79", 5));
	msg(f, "CFLAG speed=9 bits=8 parity=mark stop=1", "ok");
	msg(f, "CFLAG speed=115200 bits=9 parity=even stop=1", "error: bad CFLAG");
	msg(f, "CFLAG speed=115200 parity=weird", "error: bad parity");
	rm(f);
}

/* ---- adapter and pins ---- */

static void adapter_maps_modem_lines(void **state)
{
	struct board_config bc = { .boot0_low = true };
	struct sersim_config sc = { .adapter = "rts=boot0,dtr=nrst:inv" };
	struct fx *f = mk(&bc, &sc);
	uint8_t app[8] = { 0, 0, 5, 0x20, 1, 2, 0, 8 };

	(void)state;
	assert_int_equal(board_write(f->b, 0x08000000, app, 8), BOARD_OK);
	msg(f, "PIN nrst 0", "ok");
	msg(f, "PIN nrst 1", "ok");
	msg(f, "MODE", "app");
	msg(f, "TIOCM dtr=1 rts=0", "ok");      /* DTR asserted, inverted: NRST low */
	msg(f, "MODE", "reset");
	msg(f, "TIOCM dtr=0 rts=1", "ok");      /* BOOT0 high, then NRST released */
	msg(f, "MODE", "rom");
	msg(f, "GET boot0", "1");
	chat(f, "7F", "79");
	sersim_host_close(f->s, 0);             /* HUPCL: both dropped -> NRST high(inv), BOOT0 low */
	msg(f, "GET boot0", "0");
	sersim_host_open(f->s, 0);              /* both raised: NRST low */
	msg(f, "MODE", "reset");
	assert_non_null(strstr(f->log, "pin: nrst=0"));
	rm(f);
}

static void adapter_map_errors(void **state)
{
	struct sersim_config sc = { .adapter = "rts=boot0,dtr=boot0" };
	struct board_config bc = { 0 };
	struct board *bd = board_new(&bc);
	char err[128];

	(void)state;
	assert_null(sersim_new(bd, &sc, err, sizeof err));
	sc.adapter = "cts=nrst";
	assert_null(sersim_new(bd, &sc, err, sizeof err));
	sc.adapter = "rts=nrst:invert";
	assert_null(sersim_new(bd, &sc, err, sizeof err));
	sc.adapter = NULL;
	sc.faults = "nack@nothing#1";
	assert_null(sersim_new(bd, &sc, err, sizeof err));
	board_free(bd);
}

static void pin_messages(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { 0 };
	struct fx *f = mk(&bc, &sc);

	(void)state;
	msg(f, "PIN nrst 0", "ok");
	msg(f, "MODE", "reset");
	chat(f, "7F", "");
	msg(f, "PIN nrst 1\n", "ok");
	msg(f, "GET nrst", "1");
	chat(f, "7F", "79");
	msg(f, "PIN reset 1", "error: unknown pin (boot0, nrst)");
	msg(f, "PIN boot0 2", "error: level must be 0 or 1");
	msg(f, "HELLO", "error: unknown message");
	msg(f, "POWER", "ok");
	chat(f, "7F", "79");
	rm(f);
}

/* ---- application banner ---- */

static void banner_when_app_starts(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .app_banner = "hello\n" };
	struct fx *f = mk(&bc, &sc);

	(void)state;
	chat(f, "7F", "79");
	chat(f, "31 CE 08 00 00 00 08 07 00 00 05 20 01 02 00 08 29", "79 79 79");
	chat(f, "21 DE 08 00 00 00 08", "79 79 68 65 6C 6C 6F 0A");
	msg(f, "PIN boot0 0", "ok");
	msg(f, "PIN nrst 0", "ok");
	msg(f, "PIN nrst 1", "ok");
	chat(f, "", "68 65 6C 6C 6F 0A");
	assert_non_null(strstr(f->log, "app: running from 0x08000000"));
	rm(f);
}

/* A banner at 9600 8N1 seen by a host at another setting: what the
 * resampled line gives, a character with a parity or framing error reading
 * 0x00 when the host checks parity (Linux INPCK, sim/sersim_ctl.c). The
 * bytes are the model's output as of this test, pinned. */
static void banner_seen_at(const char *cflag, const char *want, const char *logged)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .app_banner = "app 1.0 ready\n", .app_baud = 9600 };
	struct fx *f = mk(&bc, &sc);
	uint8_t got[8];

	chat(f, "7F", "79");
	chat(f, "31 CE 08 00 00 00 08 07 00 00 05 20 01 02 00 08 29", "79 79 79");
	sersim_host_bytes(f->s, (const uint8_t *)"\x21\xDE\x08\x00\x00\x00\x08", 7, f->now);
	assert_int_equal(sersim_take_output(f->s, f->now, got, sizeof got), 2);  /* ACK ACK */
	assert_true(sersim_next_due(f->s) > f->now);     /* the banner is not due yet */
	msg(f, cflag, "ok");                             /* the host's setting when it is */
	chat(f, "", want);
	if (logged)
		assert_non_null(strstr(f->log, logged));
	else
		assert_null(strstr(f->log, "garbled"));
	rm(f);
}

static void banner_garbled_by_host_setting(void **state)
{
	(void)state;
	banner_seen_at("CFLAG speed=19200 bits=8 parity=even stop=1",
		       "00 00 00 00 00 18 00 00 18 00 00 00 06 78 86 00 80",
		       "app: banner at 9600 8N1, host at 19200 8E1: 17 characters garbled");
	banner_seen_at("CFLAG speed=19200 bits=8 parity=none stop=1",
		       "06 06 06 06 98 E0 18 86 00 18 18 F8 66 78 06 06 78 86 86 06",
		       "app: banner at 9600 8N1, host at 19200 8N1: 20 characters garbled");
	banner_seen_at("CFLAG speed=9600 bits=8 parity=none stop=1",
		       "61 70 70 20 31 2E 30 20 72 65 61 64 79 0A", NULL);
}

/* ---- timing model ---- */

static void timing_model(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .timing = true, .baud = 115200, .latency_ms = 2 };
	struct fx *f = mk(&bc, &sc);
	uint64_t byte = 11ull * 1000000000u / 115200, due;
	uint8_t got[8];

	(void)state;
	sersim_host_bytes(f->s, (const uint8_t *)"\x7F", 1, 1000);
	due = sersim_next_due(f->s);
	assert_int_equal(due, 1000 + 2 * byte + 2 * MS);  /* in, out, latency */
	assert_int_equal(sersim_take_output(f->s, due - 1, got, 8), 0);
	assert_int_equal(sersim_take_output(f->s, due, got, 8), 1);
	assert_int_equal(sersim_next_due(f->s), UINT64_MAX);
	/* a page erase delays the final ACK by the flash busy time (E.3) */
	sersim_host_bytes(f->s, (const uint8_t *)"\x44\xBB", 2, 10 * MS);
	assert_int_equal(sersim_take_output(f->s, UINT64_MAX - 1, got, 8), 1);
	sersim_host_bytes(f->s, (const uint8_t *)"\x00\x00\x00\x00\x00", 5, 20 * MS);
	due = sersim_next_due(f->s);
	assert_int_equal(due, 20 * MS + 5 * byte + 25 * MS + byte + 2 * MS);
	rm(f);
}

/* ---- faults through sersim ---- */

static void fault_triggers(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .faults = "drop-out@sync#1.1,nack@get#1,"
					      "drop-out@write#2.last,corrupt-in@gid#1.2" };
	struct fx *f = mk(&bc, &sc);
	uint8_t v[4];

	(void)state;
	chat(f, "7F", "");                 /* ACK lost */
	chat(f, "7F", "");                 /* the ROM was synced after all: an opcode (A.1) */
	chat(f, "7F", "1F");               /* ... whose complement this is not */
	chat(f, "00 FF", "1F");
	chat(f, "00 FF", "79 0B 31 00 01 02 11 21 31 44 63 73 82 92 79");
	chat(f, "02 FD", "1F");            /* complement corrupted */
	chat(f, "02 FD", "79 01 04 70 79");
	chat(f, "31 CE 08 00 00 00 08 03 01 02 03 04 07", "79 79 79");
	chat(f, "31 CE 08 00 00 08 00 03 05 06 07 08 0F", "79 79");   /* final ACK lost */
	assert_int_equal(board_read(f->b, 0x08000008, v, 4), BOARD_OK);
	assert_memory_equal(v, "\x05\x06\x07\x08", 4);                 /* ...but written */
	assert_non_null(strstr(f->log, "fault: drop-out on write #2, byte 3 (0x79)"));
	assert_non_null(strstr(f->log, "fault: nack on get #1"));
	rm(f);
}

/* twin-in on a command's last host byte: the twin would be the byte after
 * it, which belongs to the next command; that one goes through untouched. */
static void twin_in_stays_in_its_command(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .faults = "twin-in@gv#1.2" };
	struct fx *f = mk(&bc, &sc);

	(void)state;
	chat(f, "7F", "79");
	chat(f, "01 FE", "1F");                          /* complement corrupted */
	assert_non_null(strstr(f->log, "fault: twin-in on gv #1, byte 2 (0xFE)"));
	chat(f, "11 EE", "79");
	chat(f, "08 00 00 00 08", "79");                 /* byte 3 (0x08) not flipped */
	chat(f, "03 FC", "79 FF FF FF FF");
	assert_null(strstr(f->log, "the same flips"));
	rm(f);
}

static void run_random(const char *spec, uint64_t seed, uint8_t *out, size_t *n)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .faults = spec, .seed = seed };
	struct fx *f = mk(&bc, &sc);
	uint8_t in[64];

	in[0] = 0x7F;
	for (int i = 1; i + 1 < 64; i += 2) {
		in[i] = 0x02;
		in[i + 1] = 0xFD;
	}
	sersim_host_bytes(f->s, in, 63, 0);
	*n = sersim_take_output(f->s, UINT64_MAX - 1, out, 512);
	rm(f);
}

static void fault_rates_reproducible(void **state)
{
	uint8_t a[512], b[512], c[512];
	size_t na, nb, nc;

	(void)state;
	run_random("corrupt-out=0.3,drop-in=0.1", 7, a, &na);
	run_random("corrupt-out=0.3,drop-in=0.1", 7, b, &nb);
	run_random("corrupt-out=0.3,drop-in=0.1", 8, c, &nc);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	assert_true(na != nc || memcmp(a, c, na));
	run_random("nack@gid=1", 1, a, &na);
	assert_int_equal(na, 1 + 31);                /* every Get ID NACKed */
}

/* ---- replies held back: late ---- */

static void late_replies(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .faults = "late@write#1.last:1500,late@gid#1:300" };
	struct fx *f = mk(&bc, &sc);
	uint8_t got[8];

	(void)state;
	chat(f, "7F", "79");
	f->now = 10 * MS;
	sersim_host_bytes(f->s, (const uint8_t *)"\x31\xCE\x08\x00\x00\x00\x08", 7, f->now);
	sersim_host_bytes(f->s, (const uint8_t *)"\x03\x01\x02\x03\x04\x07", 6, f->now);
	assert_int_equal(sersim_take_output(f->s, f->now, got, 8), 2);  /* 79 79 on time */
	assert_int_equal(sersim_next_due(f->s), f->now + 1500 * MS);    /* the final ACK late */
	assert_int_equal(sersim_take_output(f->s, f->now + 1500 * MS - 1, got, 8), 0);
	/* the ROM is busy meanwhile: of "01 FE" the 0x01 waits in its receive
	 * register, 0xFE is lost (overrun); 0x01 is taken once the ACK is out */
	sersim_host_bytes(f->s, (const uint8_t *)"\x01\xFE", 2, f->now + 1100 * MS);
	assert_int_equal(sersim_take_output(f->s, f->now + 1500 * MS, got, 8), 1);
	assert_int_equal(got[0], 0x79);
	assert_non_null(strstr(f->log, "late: byte 0xFE lost, the ROM is busy (overrun)"));
	f->now = 1600 * MS;
	chat(f, "FE", "79 31 00 00 79");                  /* 0x01 was the opcode */
	/* without '.BYTE' every reply of the command: Get ID's one reply */
	sersim_host_bytes(f->s, (const uint8_t *)"\x02\xFD", 2, 2000 * MS);
	assert_int_equal(sersim_next_due(f->s), 2300 * MS);
	assert_int_equal(sersim_take_output(f->s, 2300 * MS, got, 8), 5);
	assert_non_null(strstr(f->log, "fault: late on write #1, byte 3 (0x79), 1500 ms"));
	assert_non_null(strstr(f->log, "fault: late on gid #1, 300 ms"));
	rm(f);
}

/* ---- start-up delay ---- */

static void startup_delay(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .startup_ms = 100, .power_up_ns = 5 * MS };
	struct fx *f = mk(&bc, &sc);

	(void)state;
	f->now = 104 * MS;
	chat(f, "7F", "");                 /* lost: the ROM is still starting */
	f->now = 105 * MS;
	chat(f, "7F", "79");               /* autobaud from this one */
	msg(f, "PIN nrst 0", "ok");
	f->now = 200 * MS;
	msg(f, "PIN nrst 1", "ok");        /* a reset: another 100 ms */
	f->now = 299 * MS;
	chat(f, "7F", "");
	f->now = 300 * MS;
	chat(f, "7F", "79");
	assert_non_null(strstr(f->log, "startup: byte 0x7F lost, the ROM answers in 1 ms"));
	rm(f);
}

/* ---- half-finished commands and host sessions ---- */

/* The ROM knows nothing of the host's tty: a command left half done by one
 * session is still waiting for its bytes in the next. */
static void half_command_survives_sessions(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { 0 };
	struct fx *f = mk(&bc, &sc);
	uint8_t v[4];

	(void)state;
	sersim_host_open(f->s, 0);
	chat(f, "7F", "79");
	chat(f, "31 CE 08 00 00 00 08", "79 79");   /* the ROM now waits for N */
	sersim_host_close(f->s, 0);               /* the client is killed */
	sersim_host_open(f->s, 0);                /* the next one opens the port */
	chat(f, "03 01 02 03 04 07", "79");          /* ... and finishes the old command */
	assert_int_equal(board_read(f->b, 0x08000000, v, 4), BOARD_OK);
	assert_memory_equal(v, "\x01\x02\x03\x04", 4);
	chat(f, "31 CE 08 00 00 08 00", "79 79");
	sersim_host_close(f->s, 0);
	sersim_host_open(f->s, 0);
	chat(f, "7F", "");                        /* taken as N: 128 bytes still to come */
	rm(f);
}

/* ... unless the adapter's modem lines reset the board when the port closes. */
static void half_command_reset_by_lines(void **state)
{
	struct board_config bc = { 0 };
	struct sersim_config sc = { .adapter = "dtr=nrst" };
	struct fx *f = mk(&bc, &sc);

	(void)state;
	sersim_host_open(f->s, 0);
	chat(f, "7F", "79");
	chat(f, "31 CE 08 00 00 00 08", "79 79");
	sersim_host_close(f->s, 0);               /* DTR drops: NRST low */
	sersim_host_open(f->s, 0);                /* DTR up: the part restarts */
	chat(f, "7F", "79");
	chat(f, "02 FD", "79 01 04 70 79");
	rm(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_identity_and_8n1),
		cmocka_unit_test(line_baud_mismatch),
		cmocka_unit_test(fault_spec_grammar),
		cmocka_unit_test(host_8n1_fails_like_hardware),
		cmocka_unit_test(baud_change_after_autobaud_garbles),
		cmocka_unit_test(adapter_maps_modem_lines),
		cmocka_unit_test(adapter_map_errors),
		cmocka_unit_test(pin_messages),
		cmocka_unit_test(banner_when_app_starts),
		cmocka_unit_test(banner_garbled_by_host_setting),
		cmocka_unit_test(timing_model),
		cmocka_unit_test(fault_triggers),
		cmocka_unit_test(twin_in_stays_in_its_command),
		cmocka_unit_test(fault_rates_reproducible),
		cmocka_unit_test(late_replies),
		cmocka_unit_test(startup_delay),
		cmocka_unit_test(half_command_survives_sessions),
		cmocka_unit_test(half_command_reset_by_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
