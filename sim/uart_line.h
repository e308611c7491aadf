/* SPDX-License-Identifier: MIT */
/*
 * uart_line.h - what a UART receiver makes of bytes sent by a transmitter
 * with other line settings (baud, data bits, parity, stop bits).
 *
 * The transmitter's bytes are laid out back to back as a bit stream (start
 * bit, data LSB first, parity, stop bits, then idle). The receiver waits for
 * a falling edge, checks the start bit at half a bit, and samples each bit in
 * its middle at its own rate; after sampling the stop bit it hunts for the
 * next falling edge. This is how a real UART behaves to first order, so a
 * host that opens the port 8N1, or at another speed than the ROM autobauded
 * to, sees the failures it would see on hardware. Pure code.
 */
#ifndef SIM_UART_LINE_H
#define SIM_UART_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uart_frame {
	unsigned baud;    /* bits per second, > 0 */
	unsigned bits;    /* data bits, 5..8 */
	char parity;      /* 'N', 'E', 'O', 'M' (mark) or 'S' (space) */
	unsigned stop;    /* 1 or 2 */
};

struct uart_rx {
	uint8_t data;
	bool parity_err;
	bool framing_err;
};

/* True if a receiver with rx decodes anything tx sends unchanged. */
bool uart_frames_match(const struct uart_frame *tx, const struct uart_frame *rx);

/*
 * Bytes in[0..n) sent back to back with tx, as received with rx. Returns
 * the number of received characters stored in out (at most max; a receiver
 * can see fewer characters than were sent, or more).
 */
size_t uart_resample(const struct uart_frame *tx, const struct uart_frame *rx,
		     const uint8_t *in, size_t n, struct uart_rx *out, size_t max);

#endif
