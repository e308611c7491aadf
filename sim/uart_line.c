/* SPDX-License-Identifier: MIT */
/*
 * uart_line.c - bit-level model of a UART link with mismatched settings.
 *
 * Time is counted in units of 1 / (2 * tx.baud * rx.baud) s so that both
 * bit grids are integers: a transmitted bit lasts 2 * rx.baud units, half a
 * received bit lasts tx.baud units.
 */
#include <stdlib.h>

#include "uart_line.h"

struct stream {
	const uint8_t *bits;  /* one level (0/1) per transmitted bit */
	uint64_t nbits;
	uint64_t tx_bit;      /* units per transmitted bit */
};

static unsigned frame_bits(const struct uart_frame *f)
{
	return 1 + f->bits + (f->parity != 'N') + f->stop;
}

static bool parity_bit(uint8_t data, unsigned bits, char parity)
{
	unsigned ones = 0;

	if (parity == 'M' || parity == 'S')
		return parity == 'M';  /* mark: always 1, space: always 0 */
	for (unsigned i = 0; i < bits; i++)
		ones += (data >> i) & 1;
	return parity == 'E' ? ones & 1 : !(ones & 1);
}

bool uart_frames_match(const struct uart_frame *tx, const struct uart_frame *rx)
{
	/* Receivers check only the first stop bit; extra ones look like idle. */
	return tx->baud == rx->baud && tx->bits == rx->bits && tx->parity == rx->parity;
}

static uint8_t *encode(const struct uart_frame *tx, const uint8_t *in, size_t n, uint64_t *nbits)
{
	unsigned fb = frame_bits(tx);
	uint8_t *bits = malloc(n * fb + 1), *p = bits;

	if (!bits)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		*p++ = 0;  /* start */
		for (unsigned b = 0; b < tx->bits; b++)
			*p++ = (in[i] >> b) & 1;
		if (tx->parity != 'N')
			*p++ = parity_bit(in[i], tx->bits, tx->parity);
		for (unsigned s = 0; s < tx->stop; s++)
			*p++ = 1;
	}
	*nbits = (uint64_t)(p - bits);
	return bits;
}

static int level(const struct stream *s, uint64_t t)
{
	uint64_t k = t / s->tx_bit;

	return k < s->nbits ? s->bits[k] : 1;  /* idle line is high */
}

/* First falling edge at or after t; false if the line stays high. */
static bool next_edge(const struct stream *s, uint64_t t, uint64_t *edge)
{
	for (uint64_t k = (t + s->tx_bit - 1) / s->tx_bit; k < s->nbits; k++) {
		int before = k ? s->bits[k - 1] : 1;

		if (before == 1 && s->bits[k] == 0) {
			*edge = k * s->tx_bit;
			return true;
		}
	}
	return false;
}

/* Sample one character starting at edge; returns the time of its stop sample. */
static uint64_t sample(const struct stream *s, const struct uart_frame *rx, uint64_t half,
		       uint64_t edge, struct uart_rx *out)
{
	unsigned j = 1;
	uint8_t data = 0;

	for (unsigned b = 0; b < rx->bits; b++, j++)
		data |= (uint8_t)(level(s, edge + (2 * j + 1) * half) << b);
	out->data = data;
	out->parity_err = false;
	if (rx->parity != 'N') {
		out->parity_err = level(s, edge + (2 * j + 1) * half) != parity_bit(data, rx->bits, rx->parity);
		j++;
	}
	out->framing_err = level(s, edge + (2 * j + 1) * half) != 1;
	return edge + (2 * j + 1) * half;
}

size_t uart_resample(const struct uart_frame *tx, const struct uart_frame *rx,
		     const uint8_t *in, size_t n, struct uart_rx *out, size_t max)
{
	struct stream s = { .tx_bit = 2ull * rx->baud };
	uint64_t half = tx->baud, t = 0, edge;
	size_t got = 0;
	uint8_t *bits = encode(tx, in, n, &s.nbits);

	if (!bits)
		return 0;
	s.bits = bits;
	while (got < max && next_edge(&s, t, &edge)) {
		if (level(&s, edge + half) != 0) {  /* false start: noise, not a start bit */
			t = edge + 1;
			continue;
		}
		t = sample(&s, rx, half, edge, &out[got++]);
	}
	free(bits);
	return got;
}
