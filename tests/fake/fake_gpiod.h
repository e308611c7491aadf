/* SPDX-License-Identifier: MIT */
/*
 * fake_gpiod.h - a fake libgpiod for tests: the control side.
 *
 * tests/fake/fake_gpiod.c implements exactly the libgpiod v1 calls that
 * gpio/lines_gpiod1.c makes (fake_gpiod2.c the v2 calls of lines_gpiod2.c)
 * on a model of GPIO chips, so the real backend code runs without
 * /dev/gpiochip*. Unit tests link it directly; mk/gpio.mk also builds it as
 * a complete $(BUILD)/fakegpiod/libgpiod.so.2 for tests of the real
 * programs (LD_LIBRARY_PATH: a call it lacks fails at load time).
 *
 * Configuration (environment, read at the first libgpiod call unless a
 * test called fake_gpiod_setup()):
 *   FAKE_GPIOD_CHIPS  "NAME:N[:LABEL[:PREFIX]],..." chips with N lines named
 *                     PREFIX0..PREFIX(N-1) (default prefix GPIO, "-" for
 *                     unnamed lines). Default "gpiochip0:32" (a Pi header).
 *   FAKE_GPIOD_MAP    "LINE=[!]PIN,..." which board pin a line is wired to
 *                     (LINE: a name or CHIP:OFFSET; '!' = the jig inverts)
 *   FAKE_GPIOD_BUSY   "LINE=CONSUMER,..." lines held by another program
 *   FAKE_GPIOD_FAIL   "OP=ERRNO,..." make every OP fail (OP: open, request,
 *                     set, get; ERRNO: EACCES, EPERM, EIO, EBUSY, ENODEV)
 *   FAKE_GPIOD_LOG    append the timeline to this file
 *   FAKE_GPIOD_SOCK   report pin levels to the virtual board: a
 *                     SOCK_SEQPACKET unix socket, one "PIN boot0 1" message
 *                     per change, each answered "ok" before the call returns
 *
 * Timeline lines (also in FAKE_GPIOD_LOG):
 *   request gpiochip0:17 output=1 [active-low] [open-drain|open-source] [pull-up|pull-down|bias-disable]
 *   request gpiochip0:17 as-is
 *   set gpiochip0:17 0
 *   release gpiochip0:17
 *   PIN nrst 0                    (mapped lines only; the level at the board pin)
 * Pin levels are physical: active-low inverts; an open-drain line at 1 and
 * an open-source line at 0 are released, and a released line reads as its
 * pull (the bias, else NRST's internal pull-up -> 1, anything else -> 0,
 * the BOOT0 pull-down of the usual boards).
 *
 * Not thread-safe; global state (it is a fake).
 */
#ifndef FAKE_GPIOD_H
#define FAKE_GPIOD_H

/* Reset the model: chips, map and busy lines as in the variables above
 * (NULL: the default / none), no failures, empty timeline, no socket. */
void fake_gpiod_setup(const char *chips, const char *map, const char *busy);

/* Make every later call of op ("open", "request", "set", "get") fail with
 * err (0: stop failing). */
void fake_gpiod_fail(const char *op, int err);

/* Report pins to a board listening on this SOCK_SEQPACKET socket (NULL: stop). */
void fake_gpiod_sock(const char *path);

/* The timeline since setup, one event per line ("" if none). */
const char *fake_gpiod_timeline(void);

/* Chip handles currently open (leak checks). */
int fake_gpiod_open_chips(void);

/* Level at the board pin of line ("GPIO17" or "gpiochip0:17"), -1 if unknown. */
int fake_gpiod_pin(const char *line);

#endif
