/* SPDX-License-Identifier: MIT */
/*
 * sersim_cpu.c - code that Go (or an SRAM boot) starts, running on the CPU
 * model, with its USART on the line: host bytes reach the USART's receiver
 * one frame apart on the model's clock, the code's characters reach the host
 * through the line model (sersim_ctl.c) and the fault injector.
 *
 * Scheduling. The caller's loop calls scpu_tick() whenever it wakes; the
 * CPU runs in slices of 1 ms of its own clock (mcu.h), at most SLICES per
 * call. It does not burn the host's CPU while the code waits:
 *  - it polls a status register that something will change at a known
 *    time (a character arrives, TXE, BSY ends): its clock jumps there;
 *  - nothing pending, and it reads SysTick/DWT_CYCCNT: it sleeps 1 ms of
 *    real time per look, and that time passes on its clock (time-outs by
 *    timer work in real time);
 *  - nothing pending and its registers and stack top are the same at two
 *    looks (a pure polling loop): it sleeps until the host sends;
 *  - otherwise (a loop that counts) it runs, but while it waits for the
 *    host its clock may not run ahead of real time by more than 1 ms.
 * With the timing model on, its clock never runs more than 1 ms ahead of
 * real time at all, so its characters leave at the pace of the wire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "sersim_priv.h"

#define SLICES 64u
#define AHEAD_NS 1000000u           /* 1 ms */
#define TIMER_SLEEP_NS 1000000u
#define SRAM_BASE 0x20000000u
#define SRAM_END 0x200A0000u        /* protocol-facts E.1 */
#define FALLBACK_BAUD 115200u

static void on_tx(void *ctx, uint16_t c, uint64_t end_ns, const struct uart_frame *f);

static void mcu_log_cb(void *ctx, const char *line)
{
	sersim_log(ctx, "cpu: %s", line);
}

bool scpu_init(struct sersim *s, char *err, size_t errlen)
{
	struct mcu_config mc = s->cfg.mcu;
	struct mcu_hooks h = { .tx = on_tx, .log = mcu_log_cb, .ctx = s };

	if (!s->cfg.cpu)
		return true;
	mc.timing = s->cfg.timing;
	s->cpu.mcu = mcu_new(s->b, &mc);
	if (!s->cpu.mcu) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	mcu_set_hooks(s->cpu.mcu, &h);
	return true;
}

static void stop_engine(struct sersim *s)
{
	if (s->cpu.cpu)
		s->cfg.cpu->close(s->cpu.cpu);
	s->cpu.cpu = NULL;
}

void scpu_free(struct sersim *s)
{
	stop_engine(s);
	mcu_free(s->cpu.mcu);
	s->cpu.mcu = NULL;
}

bool scpu_active(const struct sersim *s)
{
	return s->cpu.state != SCPU_OFF;
}

static void halt(struct sersim *s, const char *why)
{
	sersim_log(s, "cpu: halted: %s", why);
	stop_engine(s);
	s->cpu.state = SCPU_HALTED;
	s->cpu.lost = 0;
}

/* ---- the line ---- */

static void log_frame(struct sersim *s)
{
	struct uart_frame f = mcu_line_frame(s->cpu.mcu);
	struct uart_frame *o = &s->cpu.frame;

	if (f.baud == o->baud && f.bits == o->bits && f.parity == o->parity && f.stop == o->stop)
		return;
	*o = f;
	sersim_log(s, "cpu: USART%u line %u baud %u%c%u%s", mcu_line_usart(s->cpu.mcu), f.baud,
		   f.bits, f.parity, f.stop,
		   s->host_known && !uart_frames_match(&f, &s->host) ? " (not the host's)" : "");
}

/* A character from the code's USART: faults, line model, then the host. */
static void on_tx(void *ctx, uint16_t c, uint64_t end_ns, const struct uart_frame *f)
{
	struct sersim *s = ctx;
	uint8_t b = (uint8_t)c, seen[8];
	uint64_t due = s->cfg.timing ? end_ns + s->latency_ns : s->cpu.now;
	size_t k;

	log_frame(s);
	if (!faults_cpu_out(s->faults, &b))
		return;
	k = sersim_line_tx(s, f, &b, 1, seen, sizeof seen);
	for (size_t i = 0; i < k; i++)
		sersim_push(s, seen[i], due);
}

/* Host characters reach the receiver one host frame apart, never before
 * the model's present (the code cannot have seen them earlier). */
static uint64_t arrival(struct sersim *s, const struct uart_frame *dev)
{
	uint64_t ns = s->host_known ? mcu_frame_ns(&s->host) : mcu_frame_ns(dev);
	uint64_t last = mcu_rx_last(s->cpu.mcu), now = mcu_now(s->cpu.mcu);

	if (!ns)
		ns = 11ull * 1000000000u / FALLBACK_BAUD;
	return last + ns > now ? last + ns : now;
}

/* A system reset from the code's side: the board starts what BOOT0 says. */
static void system_reset(struct sersim *s, const char *why, uint64_t now)
{
	sersim_log(s, "cpu: system reset %s", why);
	stop_engine(s);
	s->cpu.state = SCPU_HALTED;
	board_reset(s->b);
	sersim_follow_board(s, now);
}

static void apply_fate(struct sersim *s, enum faults_cpu_fate fate, uint64_t now)
{
	if (fate == FAULTS_CPU_HANG)
		halt(s, "hung by fault injection (silent until reset)");
	else if (fate == FAULTS_CPU_RESET)
		system_reset(s, "by fault injection", now);
}

/* Time asleep passes on the code's clock. */
static void wake(struct sersim *s, uint64_t now)
{
	if (s->cpu.state == SCPU_SLEEP || s->cpu.state == SCPU_WAIT_HOST) {
		mcu_add_ns(s->cpu.mcu, now > s->cpu.slept_at ? now - s->cpu.slept_at : 0);
		s->cpu.state = SCPU_RUN;
	}
}

void scpu_host_bytes(struct sersim *s, const uint8_t *buf, size_t n, uint64_t now)
{
	struct uart_frame dev;
	struct uart_rx *rx;
	size_t m;

	if (s->cpu.state == SCPU_HALTED) {
		if (!s->cpu.lost)
			sersim_log(s, "cpu: halted: host bytes are not read");
		s->cpu.lost += (unsigned)n;
		return;
	}
	wake(s, now);
	s->cpu.waiting = false;
	s->cpu.fp_valid = false;
	dev = mcu_line_frame(s->cpu.mcu);
	log_frame(s);
	rx = malloc((6 * n + 16) * sizeof *rx);
	if (!rx)
		return;
	m = sersim_line_rx(s, &dev, buf, n, rx, 6 * n + 16);
	for (size_t i = 0; i < m && s->cpu.state != SCPU_HALTED && s->cpu.state != SCPU_OFF; i++) {
		uint8_t c = rx[i].data;

		if (faults_cpu_in(s->faults, &c))
			mcu_rx_push(s->cpu.mcu, c, rx[i].parity_err, rx[i].framing_err, arrival(s, &dev));
		apply_fate(s, faults_cpu_fate_now(s->faults), now);
	}
	free(rx);
}

/* ---- start and stop ---- */

static unsigned handoff_baud(const struct sersim *s)
{
	if (s->rom_baud)
		return s->rom_baud;  /* what the ROM autobauded to */
	if (s->host_known)
		return s->host.baud;
	return s->cfg.baud ? s->cfg.baud : FALLBACK_BAUD;
}

static void start(struct sersim *s, bool from_go, uint64_t t)
{
	uint32_t entry = board_app_entry(s->b);
	char err[160];
	enum cpu_stop st;

	if (s->cfg.timing && s->tx_t > t)
		t = s->tx_t;  /* the ROM's last byte (Go's ACK) has left */
	if (from_go)
		mcu_rom_handoff(s->cpu.mcu, handoff_baud(s), t);
	else
		mcu_reset(s->cpu.mcu, t);  /* SRAM boot: nothing configured */
	s->cpu = (struct sersim_cpu){ .mcu = s->cpu.mcu, .state = SCPU_RUN, .now = s->cpu.now };
	sersim_log(s, "cpu: start at 0x%08X (%s, USART%u, %u Hz core clock)", (unsigned)entry,
		   from_go ? (s->cfg.mcu.go_deinit ? "Go, peripherals at reset values"
			      : "Go, USART and clocks as the ROM left them") : "SRAM boot",
		   mcu_line_usart(s->cpu.mcu), (unsigned)mcu_hclk_hz(s->cpu.mcu));
	log_frame(s);
	s->cpu.cpu = s->cfg.cpu->open(s->b, s->cpu.mcu, err, sizeof err);
	if (!s->cpu.cpu) {
		halt(s, err);
		return;
	}
	st = s->cfg.cpu->start(s->cpu.cpu, entry);
	if (st == CPU_STOP_HALT)
		halt(s, s->cfg.cpu->halt_reason(s->cpu.cpu));
	else
		apply_fate(s, faults_cpu_start(s->faults), t);
}

void scpu_follow(struct sersim *s, bool started, bool reset, uint64_t t)
{
	uint32_t entry = board_app_entry(s->b);

	if (!s->cpu.mcu)
		return;
	if (s->cpu.state != SCPU_OFF && (reset || board_mode(s->b) != BOARD_MODE_APP)) {
		sersim_log(s, "cpu: stopped by %s", reset ? "a reset" : "NRST");
		stop_engine(s);
		s->cpu.state = SCPU_OFF;
	}
	if (started && entry >= SRAM_BASE && entry < SRAM_END)
		start(s, !reset, t);
}

/* ---- running ---- */

/* Nothing will change by itself: how does the code wait for the host? */
static void wait_for_host(struct sersim *s, uint64_t now)
{
	uint64_t fp;

	if (!s->cpu.waiting) {
		s->cpu.waiting = true;
		s->cpu.anchor_vt = mcu_now(s->cpu.mcu);
		s->cpu.anchor_real = now;
	}
	if (mcu_timer_read(s->cpu.mcu)) {
		s->cpu.state = SCPU_SLEEP;  /* a time-out by timer: let real time pass */
		s->cpu.slept_at = now;
		s->cpu.wake = now + TIMER_SLEEP_NS;
		return;
	}
	fp = s->cfg.cpu->fingerprint(s->cpu.cpu);
	if (s->cpu.fp_valid && fp == s->cpu.fp) {
		s->cpu.state = SCPU_WAIT_HOST;  /* a pure polling loop */
		s->cpu.slept_at = now;
		return;
	}
	s->cpu.fp = fp;
	s->cpu.fp_valid = true;
}

static void on_poll(struct sersim *s, uint64_t now)
{
	uint64_t ev = mcu_next_event(s->cpu.mcu);

	if (ev != UINT64_MAX)
		mcu_advance_to(s->cpu.mcu, ev);
	else
		wait_for_host(s, now);
}

/* May it run now, or is its clock too far ahead of ours? */
static bool may_run(struct sersim *s, uint64_t now)
{
	uint64_t vt = mcu_now(s->cpu.mcu), limit = UINT64_MAX;

	if (s->cfg.timing)
		limit = now + AHEAD_NS;
	if (s->cpu.waiting) {
		uint64_t l = s->cpu.anchor_vt + (now - s->cpu.anchor_real) + AHEAD_NS;

		limit = l < limit ? l : limit;
	}
	if (vt <= limit)
		return true;
	s->cpu.state = SCPU_THROTTLE;
	s->cpu.wake = now + (vt - limit);
	return false;
}

static void run_slices(struct sersim *s, uint64_t now)
{
	for (unsigned i = 0; i < SLICES && s->cpu.state == SCPU_RUN && may_run(s, now); i++) {
		enum cpu_stop st = s->cfg.cpu->run(s->cpu.cpu, mcu_hclk_hz(s->cpu.mcu) / 1000u + 1);

		if (st == CPU_STOP_POLL)
			on_poll(s, now);
		else if (st == CPU_STOP_RESET)
			system_reset(s, "requested by the code (AIRCR.SYSRESETREQ or OBL_LAUNCH)", now);
		else if (st == CPU_STOP_HALT)
			halt(s, s->cfg.cpu->halt_reason(s->cpu.cpu));
	}
	if (s->cpu.state == SCPU_RUN || s->cpu.state == SCPU_THROTTLE)
		mcu_next_event(s->cpu.mcu);  /* characters due by now leave */
}

void scpu_tick(struct sersim *s, uint64_t now)
{
	s->cpu.now = now;
	if ((s->cpu.state == SCPU_THROTTLE || s->cpu.state == SCPU_SLEEP) && now >= s->cpu.wake) {
		if (s->cpu.state == SCPU_SLEEP)
			wake(s, now);
		s->cpu.state = SCPU_RUN;
	}
	if (s->cpu.state == SCPU_RUN)
		run_slices(s, now);
}

uint64_t scpu_next_wake(const struct sersim *s)
{
	switch (s->cpu.state) {
	case SCPU_RUN: return 0;
	case SCPU_THROTTLE: case SCPU_SLEEP: return s->cpu.wake;
	default: return UINT64_MAX;
	}
}
