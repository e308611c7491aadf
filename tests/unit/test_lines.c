/* SPDX-License-Identifier: MIT */
/*
 * test_lines.c - the runner, the libgpiod backend against the fake
 * libgpiod (tests/fake/fake_gpiod.c), the RTS/DTR backend against a
 * recording link, the mux, listing and probing, and the pin reports to a
 * board over the fake's socket.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "../fake/fake_gpiod.h"
#include "lines.h"

/* ---- helpers ------------------------------------------------------------------ */

static char sleeps[256];

static void record_sleep(void *ctx, uint32_t us)
{
	size_t k = strlen(sleeps);

	(void)ctx;
	snprintf(sleeps + k, sizeof(sleeps) - k, "%s%u", k ? " " : "", (unsigned)us);
}

static const struct sb_gpiod_opts gopts = { .consumer = "test", .sleep_us = record_sleep };

static struct sb_lines_bind mkbind(enum sb_line line, const char *spec, int init)
{
	struct sb_lines_bind b = { .line = line, .init = init };

	if (sb_linespec_parse(spec, &b.spec, NULL))
		fail_msg("bad spec %s", spec);
	return b;
}

static struct sb_seq seq(const char *text)
{
	struct sb_seq s;

	if (sb_seq_parse(text, NULL, &s, NULL))
		fail_msg("bad sequence %s", text);
	return s;
}

static int setup(void **state)
{
	(void)state;
	fake_gpiod_setup("gpiochip0:32", NULL, NULL);
	sleeps[0] = '\0';
	return 0;
}

static void assert_timeline(const char *expected)
{
	if (strcmp(fake_gpiod_timeline(), expected))
		fail_msg("timeline:\n%s\nexpected:\n%s", fake_gpiod_timeline(), expected);
}

static void open_pi(struct sb_lines *l, const char *boot0, const char *nrst, int b, int n)
{
	struct sb_lines_bind bs[2] = { mkbind(SB_LINE_BOOT0, boot0, b), mkbind(SB_LINE_NRST, nrst, n) };
	struct sb_diag d = { .msg = "" };

	if (sb_lines_gpiod_open(l, bs, 2, &gopts, &d))
		fail_msg("open: %s", d.msg);
}

/* ---- libgpiod backend --------------------------------------------------------------- */

static void gpiod_enter_timeline(void **state)
{
	struct sb_lines l;
	struct sb_seq s = seq("enter");
	struct sb_diag d = { .msg = "" };
	(void)state;
	fake_gpiod_setup("gpiochip0:32", "GPIO17=boot0,GPIO27=nrst", NULL);
	open_pi(&l, "gpio:GPIO17", "gpio:GPIO27:open-drain", 1, 0);
	assert_timeline("request gpiochip0:17 output=1\nPIN boot0 1\n"
			"request gpiochip0:27 output=0 open-drain\nPIN nrst 0\n");
	assert_int_equal(sb_lines_run(&l, &s, NULL, &d), 0);
	assert_string_equal(sleeps, "10000 50000");
	assert_int_equal(fake_gpiod_pin("GPIO27"), 1);
	sb_lines_close(&l);
	assert_timeline("request gpiochip0:17 output=1\nPIN boot0 1\n"
			"request gpiochip0:27 output=0 open-drain\nPIN nrst 0\n"
			"set gpiochip0:17 1\nPIN boot0 1\nset gpiochip0:27 0\nPIN nrst 0\n"
			"set gpiochip0:27 1\nPIN nrst 1\n"
			"release gpiochip0:27\nPIN nrst 1\nrelease gpiochip0:17\nPIN boot0 0\n");
	assert_int_equal(fake_gpiod_open_chips(), 0);
}

static void gpiod_held_until_close(void **state)
{
	struct sb_lines l;
	struct sb_seq s = seq("boot0=1");
	(void)state;
	open_pi(&l, "gpio:GPIO17", "gpio:GPIO27", 0, 1);
	assert_int_equal(sb_lines_run(&l, &s, NULL, NULL), 0);
	/* requested, not released, while open: the value lasts */
	assert_null(strstr(fake_gpiod_timeline(), "release"));
	assert_int_equal(fake_gpiod_open_chips(), 2);
	assert_int_equal(l.ops->get(l.h, SB_LINE_BOOT0, 0, NULL), 1);
	assert_int_equal(l.ops->get(l.h, SB_LINE_NRST, 0, NULL), 1);
	sb_lines_close(&l);
	assert_int_equal(fake_gpiod_open_chips(), 0);
}

static void gpiod_flags_and_offsets(void **state)
{
	struct sb_lines l;
	struct sb_seq s = seq("boot0=1 nrst=0");
	(void)state;
	fake_gpiod_setup("gpiochip0:32", "gpiochip0:5=boot0,GPIO6=nrst", NULL);
	open_pi(&l, "gpio:gpiochip0:5:active-low:pull-down", "gpio:0:6:open-source:bias-disable", 0, 1);
	assert_int_equal(sb_lines_run(&l, &s, NULL, NULL), 0);
	/* active-low: level 1 drives the line low; open-source at 0 releases the
	 * line, so NRST stays high (its pull-up): the wrong drive for NRST */
	assert_timeline("request gpiochip0:5 output=0 active-low pull-down\nPIN boot0 1\n"
			"request gpiochip0:6 output=1 open-source bias-disable\nPIN nrst 1\n"
			"set gpiochip0:5 1\nPIN boot0 0\nset gpiochip0:6 0\nPIN nrst 1\n");
	sb_lines_close(&l);
}

/* Pi 5: the header chip was gpiochip4 before kernel 6.6.45, gpiochip0 after (serial-anchors §5). */
static void gpiod_pi5_names_survive_renumbering(void **state)
{
	static const char *const layouts[] = {
		"gpiochip4:54:pinctrl-rp1,gpiochip10:32:soc:SOC",
		"gpiochip0:54:pinctrl-rp1,gpiochip10:32:soc:SOC",
	};
	static const char *const expect[] = { "request gpiochip4:17 output=0\n",
					      "request gpiochip0:17 output=0\n" };
	struct sb_lines_bind b = mkbind(SB_LINE_BOOT0, "gpio:GPIO17", 0);
	struct sb_lines l;
	size_t i;
	(void)state;
	for (i = 0; i < 2; i++) {
		fake_gpiod_setup(layouts[i], NULL, NULL);
		assert_int_equal(sb_lines_gpiod_open(&l, &b, 1, &gopts, NULL), 0);
		assert_timeline(expect[i]);
		sb_lines_close(&l);
	}
}

static void expect_open_error(const char *boot0, const char *nrst, int rc, const char *word)
{
	struct sb_lines_bind bs[2] = { mkbind(SB_LINE_BOOT0, boot0, 0), mkbind(SB_LINE_NRST, nrst, 1) };
	struct sb_diag d = { .msg = "" };
	struct sb_lines l;

	assert_int_equal(sb_lines_gpiod_open(&l, bs, 2, &gopts, &d), rc);
	if (!strstr(d.msg, word))
		fail_msg("message '%s' lacks '%s'", d.msg, word);
	assert_null(l.ops);
	assert_int_equal(fake_gpiod_open_chips(), 0);
	assert_null(strstr(fake_gpiod_timeline() + 0, "PIN"));
}

static void gpiod_errors_name_the_line(void **state)
{
	(void)state;
	expect_open_error("gpio:GPIO17", "gpio:GPIO99", SB_ERR_NO_DEVICE,
			  "nrst: no GPIO line named 'GPIO99' on gpiochip0 (32 lines)");
	expect_open_error("gpio:GPIO17", "gpio:GPIO99", SB_ERR_NO_DEVICE, "bootctl chips");
	/* boot0 was requested first and must have been released */
	assert_non_null(strstr(fake_gpiod_timeline(), "release gpiochip0:17"));
	expect_open_error("gpio:gpiochip9:1", "gpio:GPIO27", SB_ERR_NO_DEVICE,
			  "boot0: opening GPIO chip 'gpiochip9': No such file or directory");
	expect_open_error("gpio:gpiochip0:40", "gpio:GPIO27", SB_ERR_NO_DEVICE,
			  "gpiochip0 has 32 lines: offset 40 does not exist");
	expect_open_error("gpio:GPIO17", "gpio:gpiochip0:17", SB_ERR_BAD_INPUT,
			  "boot0 and nrst are both wired to gpiochip0:17");
	expect_open_error("rts", "gpio:GPIO27", SB_ERR_BAD_INPUT, "boot0 is not wired to a GPIO");
}

static void gpiod_busy_and_denied(void **state)
{
	(void)state;
	fake_gpiod_setup("gpiochip0:32", NULL, "GPIO27=gpioset");
	expect_open_error("gpio:GPIO17", "gpio:GPIO27", SB_ERR_NO_DEVICE,
			  "nrst: gpiochip0:27 is busy: held by 'gpioset'");
	fake_gpiod_setup("gpiochip0:32", NULL, NULL);
	fake_gpiod_fail("open", EACCES);
	expect_open_error("gpio:GPIO17", "gpio:GPIO27", SB_ERR_NO_DEVICE, "gpio group");
	fake_gpiod_setup(NULL, NULL, NULL);
	fake_gpiod_fail("request", EIO);
	expect_open_error("gpio:GPIO17", "gpio:GPIO27", SB_ERR_IO, "requesting gpiochip0:17");
}

static void gpiod_ambiguous_name(void **state)
{
	(void)state;
	fake_gpiod_setup("gpiochip0:8,gpiochip1:8", NULL, NULL);
	expect_open_error("gpio:GPIO3", "gpio:gpiochip1:4", SB_ERR_BAD_INPUT,
			  "'GPIO3' is on two chips, gpiochip0:3 and gpiochip1:3");
}

static void gpiod_no_chips(void **state)
{
	struct sb_diag d = { .msg = "" };
	struct sb_lines_bind b = mkbind(SB_LINE_NRST, "gpio:GPIO27", 1);
	struct sb_lines l;
	(void)state;
	fake_gpiod_setup("", NULL, NULL);
	assert_int_equal(sb_lines_gpiod_open(&l, &b, 1, &gopts, &d), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(d.msg, "this machine has no GPIO chips"));
}

static void runner_set_failure(void **state)
{
	struct sb_lines l;
	struct sb_seq s = seq("boot0=1 nrst=0 wait=5ms nrst=1");
	struct sb_diag d = { .msg = "" };
	(void)state;
	open_pi(&l, "gpio:GPIO17", "gpio:GPIO27", 1, 1);
	fake_gpiod_fail("set", EIO);
	assert_int_equal(sb_lines_run(&l, &s, NULL, &d), SB_ERR_IO);
	assert_non_null(strstr(d.msg, "setting boot0 (gpio:GPIO17, gpiochip0:17) to 1: setting "
				      "gpiochip0:17: Input/output error"));
	assert_string_equal(sleeps, "");  /* stopped at the first step */
	sb_lines_close(&l);
}

static void runner_checks_before_moving(void **state)
{
	struct sb_lines_bind b = mkbind(SB_LINE_BOOT0, "gpio:GPIO17", 0);
	struct sb_lines l;
	struct sb_seq s = seq("boot0=1 wait=1ms nrst=0");
	struct sb_diag d = { .msg = "" };
	(void)state;
	assert_int_equal(sb_lines_gpiod_open(&l, &b, 1, &gopts, NULL), 0);
	assert_int_equal(sb_lines_run(&l, &s, NULL, &d), SB_ERR_BAD_INPUT);
	assert_int_equal(d.addr, 18);
	assert_non_null(strstr(d.msg, "sets nrst (column 18) but no NRST line is configured"));
	assert_null(strstr(fake_gpiod_timeline(), "set "));
	s = seq("gpio5=1");
	assert_int_equal(sb_lines_run(&l, &s, NULL, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "gpio5"));
	sb_lines_close(&l);
}

struct logbuf {
	char text[1024];
};

static void log_cb(void *ctx, enum sb_log_level level, const char *msg)
{
	struct logbuf *b = ctx;
	size_t k = strlen(b->text);

	(void)level;
	snprintf(b->text + k, sizeof(b->text) - k, "%s\n", msg);
}

static void runner_logs_steps(void **state)
{
	struct logbuf buf = { "" };
	struct sb_log log = { log_cb, &buf, SB_LOG_INFO };
	struct sb_lines l;
	struct sb_seq s = seq("reset");
	(void)state;
	open_pi(&l, "gpio:GPIO17", "gpio:GPIO27:open-drain", 0, 0);
	assert_int_equal(sb_lines_run(&l, &s, &log, NULL), 0);
	assert_string_equal(buf.text, "nrst (gpio:GPIO27:open-drain, gpiochip0:27) = 0\nwait 10ms\n"
				      "nrst (gpio:GPIO27:open-drain, gpiochip0:27) = 1\nwait 50ms\n");
	sb_lines_close(&l);
}

/* ---- RTS/DTR backend ------------------------------------------------------------------ */

struct rec_link {
	char calls[512];
	int fail;
};

static int rec_set_modem(void *h, int dtr, int rts)
{
	struct rec_link *r = h;
	size_t k = strlen(r->calls);

	snprintf(r->calls + k, sizeof(r->calls) - k, "%smodem dtr=%d rts=%d", k ? "\n" : "", dtr, rts);
	return r->fail;
}

static void rec_sleep(void *h, unsigned ms)
{
	struct rec_link *r = h;
	size_t k = strlen(r->calls);

	snprintf(r->calls + k, sizeof(r->calls) - k, "%ssleep %u", k ? "\n" : "", ms);
}

static const struct sb_link_ops rec_ops = { .set_modem = rec_set_modem, .sleep_ms = rec_sleep };

static void modem_usual_wiring(void **state)
{
	struct rec_link r = { "", 0 };
	struct sb_link link = { &rec_ops, &r };
	struct sb_seq s = seq("enter");
	struct sb_lines_bind bs[2] = { mkbind(SB_LINE_BOOT0, "rts", 1), mkbind(SB_LINE_NRST, "dtr", 0) };
	struct sb_lines l;
	(void)state;
	assert_int_equal(sb_lines_modem_open(&l, &link, bs, 2, NULL), 0);
	/* at once, one call: BOOT0 high = RTS deasserted, NRST low = DTR asserted */
	assert_string_equal(r.calls, "modem dtr=1 rts=0");
	r.calls[0] = '\0';
	assert_int_equal(sb_lines_run(&l, &s, NULL, NULL), 0);
	assert_string_equal(r.calls, "modem dtr=-1 rts=0\nmodem dtr=1 rts=-1\nsleep 10\n"
				     "modem dtr=0 rts=-1\nsleep 50");
	assert_int_equal(l.ops->get(l.h, SB_LINE_NRST, 0, NULL), SB_ERR_UNSUPPORTED);
	sb_lines_close(&l);
}

static void modem_inverted_and_raw(void **state)
{
	struct rec_link r = { "", 0 };
	struct sb_link link = { &rec_ops, &r };
	struct sb_seq en, ex;
	struct sb_lines_bind bs[2] = { mkbind(SB_LINE_BOOT0, "dtr:inv", -1),
				       mkbind(SB_LINE_NRST, "rts:inverted", -1) };
	struct sb_lines l;
	bool has_exit;
	(void)state;
	assert_int_equal(sb_lines_modem_open(&l, &link, bs, 2, NULL), 0);
	/* idle levels: BOOT0 0 -> DTR (inverted) deasserted; NRST 1 -> RTS asserted */
	assert_string_equal(r.calls, "modem dtr=0 rts=1");
	r.calls[0] = '\0';
	assert_int_equal(sb_seq_parse_stm32flash("-rts&dtr,1500:", &en, &ex, &has_exit, NULL), 0);
	en.n = 3;  /* leave out the wait and gpio1500 */
	en.step[2] = (struct sb_step){ .kind = SB_STEP_WAIT, .us = 1500 };
	assert_int_equal(sb_lines_run(&l, &en, NULL, NULL), 0);
	assert_string_equal(r.calls, "modem dtr=-1 rts=0\nmodem dtr=1 rts=-1\nsleep 2");
	sb_lines_close(&l);
}

static void modem_errors(void **state)
{
	struct rec_link r = { "", SB_ERR_IO };
	struct sb_link link = { &rec_ops, &r };
	struct sb_lines_bind two[2] = { mkbind(SB_LINE_BOOT0, "rts", 0), mkbind(SB_LINE_NRST, "rts:inv", 1) };
	struct sb_lines_bind g = mkbind(SB_LINE_NRST, "gpio:GPIO4", 1);
	struct sb_diag d = { .msg = "" };
	struct sb_link nomodem = { &(const struct sb_link_ops){ 0 }, NULL };
	struct sb_lines l;
	(void)state;
	assert_int_equal(sb_lines_modem_open(&l, &link, two, 2, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "boot0 and nrst are both wired to RTS"));
	assert_int_equal(sb_lines_modem_open(&l, &link, &g, 1, &d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(d.msg, "nrst is not wired to RTS or DTR"));
	assert_int_equal(sb_lines_modem_open(&l, &link, two, 1, &d), SB_ERR_IO);
	assert_non_null(strstr(d.msg, "setting DTR=-1 RTS=1"));
	assert_int_equal(sb_lines_modem_open(&l, &nomodem, two, 1, &d), SB_ERR_UNSUPPORTED);
	assert_int_equal(sb_lines_modem_open(&l, NULL, two, 1, &d), SB_ERR_BAD_INPUT);
	assert_null(l.ops);
}

/* ---- mux --------------------------------------------------------------------------------- */

static void mux_routes_lines(void **state)
{
	struct rec_link r = { "", 0 };
	struct sb_link link = { &rec_ops, &r };
	struct sb_lines_bind gb = mkbind(SB_LINE_BOOT0, "gpio:GPIO17", 1);
	struct sb_lines_bind mb = mkbind(SB_LINE_NRST, "dtr", 0);
	struct sb_lines parts[2], l;
	struct sb_seq s = seq("enter rts=1");
	char desc[80];
	(void)state;
	assert_int_equal(sb_lines_gpiod_open(&parts[0], &gb, 1, &gopts, NULL), 0);
	assert_int_equal(sb_lines_modem_open(&parts[1], &link, &mb, 1, NULL), 0);
	assert_int_equal(sb_lines_mux(&l, parts, 2, NULL), 0);
	assert_null(parts[0].ops);
	r.calls[0] = '\0';
	assert_int_equal(sb_lines_run(&l, &s, NULL, NULL), 0);
	/* waits go to the first part that sleeps: the GPIO backend's recorder */
	assert_string_equal(sleeps, "10000 50000");
	assert_string_equal(r.calls, "modem dtr=1 rts=-1\nmodem dtr=0 rts=-1\nmodem dtr=-1 rts=1");
	assert_timeline("request gpiochip0:17 output=1\nset gpiochip0:17 1\n");
	l.ops->describe(l.h, SB_LINE_NRST, 0, desc, sizeof(desc));
	assert_string_equal(desc, "dtr, asserted = low");
	assert_int_equal(l.ops->get(l.h, SB_LINE_BOOT0, 0, NULL), 1);
	sb_lines_close(&l);
	assert_int_equal(fake_gpiod_open_chips(), 0);
	{
		struct sb_lines many[SB_LINES_MUX_MAX + 1];

		memset(many, 0, sizeof(many));
		assert_int_equal(sb_lines_mux(&l, many, SB_LINES_MUX_MAX + 1, NULL), SB_ERR_BAD_INPUT);
	}
}

/* ---- listing and probing ---------------------------------------------------------------- */

struct listing {
	char text[2048];
	int chips, lines;
};

static int list_cb(void *ctx, const struct sb_gpio_chipinfo *c, const struct sb_gpio_lineinfo *li)
{
	struct listing *ls = ctx;
	size_t k = strlen(ls->text);

	if (!li) {
		ls->chips++;
		snprintf(ls->text + k, sizeof(ls->text) - k, "%s [%s] %u\n", c->name, c->label, c->nlines);
	} else {
		ls->lines++;
		if (li->used)
			snprintf(ls->text + k, sizeof(ls->text) - k, " %u %s %s%s\n", li->offset,
				 li->name, li->consumer, li->output ? " output" : "");
	}
	return 0;
}

static void list_chips_and_lines(void **state)
{
	struct listing ls = { "", 0, 0 };
	struct sb_lines_bind b = mkbind(SB_LINE_NRST, "gpio:GPIO3", 1);
	struct sb_lines l;
	(void)state;
	fake_gpiod_setup("gpiochip0:8:pinctrl-bcm2711,gpiochip1:2:raspberrypi-exp-gpio:-", NULL,
			 "gpiochip1:1=led");
	assert_int_equal(sb_lines_gpiod_open(&l, &b, 1, &gopts, NULL), 0);
	assert_int_equal(sb_gpiod_list(list_cb, &ls, NULL), 0);
	assert_int_equal(ls.chips, 2);
	assert_int_equal(ls.lines, 10);
	assert_string_equal(ls.text, "gpiochip0 [pinctrl-bcm2711] 8\n 3 GPIO3 test output\n"
				     "gpiochip1 [raspberrypi-exp-gpio] 2\n 1  led\n");
	sb_lines_close(&l);
	assert_int_equal(fake_gpiod_open_chips(), 0);
	fake_gpiod_setup("", NULL, NULL);
	assert_int_equal(sb_gpiod_list(list_cb, &ls, NULL), SB_ERR_NO_DEVICE);
	assert_non_null(sb_gpiod_version());
}

static void probe_reads_free_lines_only(void **state)
{
	struct sb_linespec spec;
	struct sb_gpio_lineinfo li;
	struct sb_diag d = { .msg = "" };
	(void)state;
	fake_gpiod_setup("gpiochip0:32", "GPIO27=nrst", "GPIO22=kernel");
	sb_linespec_parse("gpio:GPIO27", &spec, NULL);
	assert_int_equal(sb_gpiod_probe(&spec, &li, NULL), 0);
	assert_int_equal(li.value, 1);  /* released NRST: pulled up */
	assert_false(li.used);
	assert_string_equal(li.chip, "gpiochip0");
	assert_int_equal(li.offset, 27);
	assert_timeline("request gpiochip0:27 as-is\nrelease gpiochip0:27\n");
	sb_linespec_parse("gpio:gpiochip0:22", &spec, NULL);
	assert_int_equal(sb_gpiod_probe(&spec, &li, NULL), 0);
	assert_int_equal(li.value, -1);
	assert_true(li.used);
	assert_string_equal(li.consumer, "kernel");
	sb_linespec_parse("gpio:NOPE", &spec, NULL);
	assert_int_equal(sb_gpiod_probe(&spec, &li, &d), SB_ERR_NO_DEVICE);
	assert_int_equal(fake_gpiod_open_chips(), 0);
}

/* ---- pins reported to the board over the socket --------------------------------------------- */

struct board {
	int srv;
	char got[512];
	const char *answer;
};

static void *board_thread(void *arg)
{
	struct board *b = arg;
	char msg[64];
	ssize_t n;
	int c = accept(b->srv, NULL, NULL);

	while (c >= 0 && (n = recv(c, msg, sizeof(msg) - 1, 0)) > 0) {
		size_t k = strlen(b->got);

		msg[n] = '\0';
		snprintf(b->got + k, sizeof(b->got) - k, "%s\n", msg);
		send(c, b->answer, strlen(b->answer), MSG_NOSIGNAL);
	}
	if (c >= 0)
		close(c);
	return NULL;
}

static int board_start(struct board *b, pthread_t *t, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	b->srv = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (b->srv < 0 || bind(b->srv, (struct sockaddr *)&sa, sizeof(sa)) || listen(b->srv, 1))
		return -1;
	return pthread_create(t, NULL, board_thread, b);
}

static void pins_reach_the_board(void **state)
{
	char path[64];
	struct board b = { .answer = "ok" };
	struct sb_lines l;
	struct sb_seq s = seq("run");
	pthread_t t;
	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_lines.%d.sock", (int)getpid());
	assert_int_equal(board_start(&b, &t, path), 0);
	fake_gpiod_setup("gpiochip0:32", "GPIO17=boot0,GPIO27=!nrst", NULL);
	fake_gpiod_sock(path);
	open_pi(&l, "gpio:GPIO17", "gpio:GPIO27:active-low", 0, 1);
	assert_int_equal(sb_lines_run(&l, &s, NULL, NULL), 0);
	sb_lines_close(&l);
	fake_gpiod_sock(NULL);  /* closes the connection: the thread ends */
	pthread_join(t, NULL);
	close(b.srv);
	unlink(path);
	/* active-low line through an inverting jig: the board sees the sequence's levels */
	assert_string_equal(b.got, "PIN boot0 0\nPIN nrst 1\nPIN boot0 0\nPIN nrst 0\nPIN nrst 1\n"
				   "PIN nrst 1\nPIN boot0 0\n");
}

static void board_refusal_fails_the_call(void **state)
{
	char path[64];
	struct board b = { .answer = "error: no such pin" };
	struct sb_lines_bind bd = mkbind(SB_LINE_BOOT0, "gpio:GPIO17", 0);
	struct sb_diag d = { .msg = "" };
	struct sb_lines l;
	pthread_t t;
	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_lines.%d.sock", (int)getpid());
	assert_int_equal(board_start(&b, &t, path), 0);
	fake_gpiod_setup("gpiochip0:32", "GPIO17=boot0", NULL);
	fake_gpiod_sock(path);
	assert_int_equal(sb_lines_gpiod_open(&l, &bd, 1, &gopts, &d), SB_ERR_IO);
	assert_non_null(strstr(d.msg, "Input/output error"));
	fake_gpiod_sock(NULL);
	pthread_join(t, NULL);
	close(b.srv);
	unlink(path);
	assert_int_equal(fake_gpiod_open_chips(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(gpiod_enter_timeline, setup),
		cmocka_unit_test_setup(gpiod_held_until_close, setup),
		cmocka_unit_test_setup(gpiod_flags_and_offsets, setup),
		cmocka_unit_test_setup(gpiod_pi5_names_survive_renumbering, setup),
		cmocka_unit_test_setup(gpiod_errors_name_the_line, setup),
		cmocka_unit_test_setup(gpiod_busy_and_denied, setup),
		cmocka_unit_test_setup(gpiod_ambiguous_name, setup),
		cmocka_unit_test_setup(gpiod_no_chips, setup),
		cmocka_unit_test_setup(runner_set_failure, setup),
		cmocka_unit_test_setup(runner_checks_before_moving, setup),
		cmocka_unit_test_setup(runner_logs_steps, setup),
		cmocka_unit_test_setup(modem_usual_wiring, setup),
		cmocka_unit_test_setup(modem_inverted_and_raw, setup),
		cmocka_unit_test_setup(modem_errors, setup),
		cmocka_unit_test_setup(mux_routes_lines, setup),
		cmocka_unit_test_setup(list_chips_and_lines, setup),
		cmocka_unit_test_setup(probe_reads_free_lines_only, setup),
		cmocka_unit_test_setup(pins_reach_the_board, setup),
		cmocka_unit_test_setup(board_refusal_fails_the_call, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
