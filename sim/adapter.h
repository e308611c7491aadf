/* SPDX-License-Identifier: MIT */
/*
 * adapter.h - a USB-serial adapter whose DTR/RTS are wired to the board's
 * BOOT0 and NRST: the wiring map of `romsim serial --adapter` and `romsim
 * usb --adapter`, and the pin levels a host's modem-line change, first open
 * or last close gives. Pure code; the serial side (sersim_ctl.c) and the USB
 * side (src/romsim/usbsim_adapter.c) apply the levels to their board themselves.
 *
 * Map grammar (man/romsim.1):
 *   MAP  = WIRE { "," WIRE }        NULL or "": nothing wired
 *   WIRE = LINE "=" PIN [ ":inv" ]
 *   LINE = dtr | rts,  PIN = boot0 | nrst | none
 * Without ":inv" the pin is high while the line is asserted. A line not in
 * the map is not wired; two lines on one pin are refused.
 *
 * Line levels are "asserted" levels (1: TIOCM_DTR/TIOCM_RTS set), -1 for
 * "unchanged".
 */
#ifndef SIM_ADAPTER_H
#define SIM_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>

#include "board.h"

enum adapter_line { ADAPTER_DTR, ADAPTER_RTS, ADAPTER_NLINES };

struct adapter_map {
	struct {
		int pin;     /* enum board_pin, or -1: not wired */
		bool inv;    /* pin level = !asserted */
	} wire[ADAPTER_NLINES];
};

/* One pin level to apply. */
struct adapter_pin {
	enum board_pin pin;
	int level;
};

/* 0, or -1 with a message in err for a malformed map. */
int adapter_parse(struct adapter_map *m, const char *spec, char *err, size_t errlen);

/*
 * The arguments of a serial-shim "TIOCM dtr=0|1 rts=0|1" message (without
 * "TIOCM "), either key may be missing, into line[]. 0, or -1 for a value
 * other than 0 or 1 or an unknown key.
 */
int adapter_parse_tiocm(const char *args, int line[ADAPTER_NLINES]);

/*
 * The pin levels that line[] gives, in the order to apply them: BOOT0 first,
 * so that an NRST release in the same change samples the new BOOT0. Unwired
 * and unchanged lines give nothing. Returns the count written to out.
 */
size_t adapter_pins(const struct adapter_map *m, const int line[ADAPTER_NLINES],
		    struct adapter_pin out[ADAPTER_NLINES]);

/* Linux asserts DTR and RTS when a host opens the port and drops both at
 * the last close (HUPCL): the pin levels of that, as adapter_pins(). */
size_t adapter_host(const struct adapter_map *m, bool open, struct adapter_pin out[ADAPTER_NLINES]);

#endif
