/* SPDX-License-Identifier: MIT */
/*
 * linespec.h - where a board pin (BOOT0, NRST) is wired: the text of
 * "--boot0 SPEC", STMBOOT_BOOT0=SPEC and "boot0 = SPEC" in a jig profile.
 *
 *   SPEC  = none
 *         | ('rts' | 'dtr') { ':' MOPT }        a serial adapter's modem line
 *         | 'gpio:' LINE { ':' GOPT }           a Linux GPIO line (libgpiod)
 *   LINE  = NAME                                 a line name: GPIO17
 *         | CHIP ':' OFFSET                      gpiochip0:17, /dev/gpiochip4:17, 0:17
 *   MOPT  = inv | inverted | init=LEVEL
 *   GOPT  = active-low | active-high | inv | inverted
 *         | push-pull | open-drain | open-source
 *         | pull-up | pull-down | bias-disable | init=LEVEL
 *   LEVEL = 0 | 1 | low | high
 *
 * A LINE whose second field is all digits is CHIP:OFFSET, else a NAME (so
 * line names containing ':' cannot be used; none of the Raspberry Pi's do).
 *
 * Levels are the levels at the board pin. Inversion:
 *  - GPIO: not inverted, line driven high = pin high. 'active-low' (or
 *    'inv') is for jigs whose wiring inverts (a transistor pulling NRST):
 *    the line is requested active-low, so level 1 drives it low.
 *  - RTS/DTR: not inverted, ASSERTED = pin LOW, as on the usual TTL
 *    USB-UART adapters (FT232R, CP210x, CH340 drive RTS#/DTR# low when
 *    asserted; serial-anchors §1.5). 'inv' for adapters and wirings where
 *    asserted drives the pin high (RIOT-OS PR 18452 in serial-anchors §1.5).
 * Drive: NRST is open-drain on the part (it has its own pull-up), so
 * 'open-drain' is the safe choice for an NRST GPIO: level 1 releases it.
 *
 * Pure: no OS calls. Errors: SB_ERR_BAD_INPUT, diag "column C: ..." with
 * d->addr = C, as in seq.h.
 */
#ifndef SB_LINESPEC_H
#define SB_LINESPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "sb_err.h"

enum sb_linespec_kind {
	SB_SPEC_NONE = 0,  /* not wired */
	SB_SPEC_GPIO,
	SB_SPEC_RTS,
	SB_SPEC_DTR,
};

enum sb_drive { SB_DRIVE_PUSH_PULL = 0, SB_DRIVE_OPEN_DRAIN, SB_DRIVE_OPEN_SOURCE };
enum sb_bias { SB_BIAS_AS_IS = 0, SB_BIAS_DISABLE, SB_BIAS_PULL_UP, SB_BIAS_PULL_DOWN };

#define SB_LINESPEC_STR 64

struct sb_linespec {
	enum sb_linespec_kind kind;
	/* GPIO: by name (name set, chip empty) or by chip and offset. */
	char chip[SB_LINESPEC_STR];
	char name[SB_LINESPEC_STR];
	unsigned offset;
	enum sb_drive drive;
	enum sb_bias bias;
	bool invert;   /* see "Inversion" above */
	int init;      /* level to request/set first: 0, 1, or -1 = from the sequence */
};

/* The unwired spec (kind NONE, init -1). */
void sb_linespec_init(struct sb_linespec *s);

int sb_linespec_parse(const char *text, struct sb_linespec *out, struct sb_diag *d);

/* Canonical text ("gpio:gpiochip0:17:open-drain", "dtr:inv", "none"); returns
 * the full length, truncating to n bytes. */
size_t sb_linespec_format(const struct sb_linespec *s, char *buf, size_t n);

/* Short location for messages: "GPIO17", "gpiochip0:17", "RTS", "DTR". */
size_t sb_linespec_where(const struct sb_linespec *s, char *buf, size_t n);

/* RTS/DTR: 1 if the modem line must be asserted to put `level` on the pin. */
int sb_linespec_modem_asserted(const struct sb_linespec *s, int level);

#endif
