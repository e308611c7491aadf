/* SPDX-License-Identifier: MIT */
/*
 * an3155_dev_crc.c - Get Checksum (0xA1) on a ROM of protocol v3.3 or
 * later, in the two frames of protocol-facts CONFLICT F.6:
 *
 *   USART (AN3155 §3.13, A.5 0xA1 row; the default):
 *     A1 5E | ACK | address(4) X | ACK | size in 32-bit words(4) X | ACK |
 *     polynomial(4) X | ACK | initial value(4) X | ACK | ACK CRC(4) X
 *   I2C (stm32flash's; AN4221):
 *     A1 5E | ACK | address(4) X | ACK | length in bytes(4) X | ACK ACK CRC(4) X
 *
 * All fields MSB first; X is the XOR of the field's bytes. The CRC is the
 * STM32 CRC unit's (A.5 "CRC parameters"): 32-bit little-endian words fed
 * MSB first, no reflection, no final XOR; the USART frame takes the
 * polynomial and initial value from the host, the I2C frame uses the
 * unit's defaults (0x04C11DB7, 0xFFFFFFFF).
 */
#include <stdio.h>

#include "an3155_dev_priv.h"

#define CRC_POLY_DEFAULT 0x04C11DB7u  /* A.5 CRC parameters */
#define CRC_INIT_DEFAULT 0xFFFFFFFFu

/* ---- the STM32 CRC unit over memory ---- */

static void crc_table(uint32_t poly, uint32_t t[256])
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? c << 1 ^ poly : c << 1;
		t[i] = c;
	}
}

/* Word by word: the little-endian word's most significant byte first. */
static uint32_t crc_mem(struct an3155dev *d, uint32_t addr, uint32_t len, uint32_t poly,
			uint32_t crc)
{
	uint32_t t[256];
	uint8_t chunk[256];

	crc_table(poly, t);
	for (uint32_t done = 0; done < len; done += sizeof chunk) {
		uint32_t k = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;

		board_read(d->b, addr + done, chunk, k);
		for (uint32_t w = 0; w < k; w += 4)
			for (int i = 3; i >= 0; i--)
				crc = crc << 8 ^ t[(crc >> 24) ^ chunk[w + (uint32_t)i]];
	}
	return crc;
}

/* ---- dialogue ---- */

/* A 4-byte field and its XOR into *v; NACKs and ends the command if bad. */
static bool take_field(struct an3155dev *d, const char *what, uint32_t *v)
{
	if (adev_xor(d->buf, 4) != d->buf[4]) {
		adev_fail(d, "0x%08X: bad %s checksum", d->addr, what);
		return false;
	}
	*v = adev_be32(d->buf);
	return true;
}

/* Both frames end the same: the last field's ACK, then ACK + CRC + XOR. */
static void crc_answer(struct an3155dev *d, uint32_t crc)
{
	adev_ack(d);
	adev_ack(d);
	for (int i = 3; i >= 0; i--)
		adev_put(d, (uint8_t)(crc >> (8 * i)));
	adev_put(d, (uint8_t)(crc ^ crc >> 8 ^ crc >> 16 ^ crc >> 24));
	adev_finish(d, true, "crc 0x%08X+%u: 0x%08X", d->addr, (unsigned)d->len, (unsigned)crc);
}

static void crc_init(struct an3155dev *d)
{
	uint32_t init;

	if (!take_field(d, "initial value", &init) || adev_late_nack(d))
		return;
	crc_answer(d, crc_mem(d, d->addr, d->len, d->poly, init));
}

static void crc_poly(struct an3155dev *d)
{
	if (!take_field(d, "polynomial", &d->poly))
		return;
	adev_ack(d);
	adev_expect(d, 5, crc_init);
}

/* A whole number of words (A.5: the CRC unit takes 32-bit words) in one area. */
static bool crc_range_ok(struct an3155dev *d)
{
	return d->len && !(d->len & 3) && adev_serves_range(d, d->addr, d->len) &&
	       board_check(d->b, d->addr, d->len, false) == BOARD_OK;
}

static void crc_size(struct an3155dev *d)
{
	uint32_t words;

	if (!take_field(d, "size", &words))
		return;
	d->len = words <= 0x3FFFFFFFu ? words * 4 : 0;
	if (!crc_range_ok(d)) {
		adev_fail(d, "0x%08X+%u words: size refused", d->addr, (unsigned)words);
		return;
	}
	adev_ack(d);
	adev_expect(d, 5, crc_poly);
}

static void crc_len_i2c(struct an3155dev *d)
{
	if (!take_field(d, "length", &d->len))
		return;
	if (!crc_range_ok(d)) {
		adev_fail(d, "0x%08X+%u: length refused", d->addr, (unsigned)d->len);
		return;
	}
	if (adev_late_nack(d))
		return;
	crc_answer(d, crc_mem(d, d->addr, d->len, CRC_POLY_DEFAULT, CRC_INIT_DEFAULT));
}

static void crc_addr(struct an3155dev *d)
{
	if (!adev_take_addr(d)) {
		adev_fail(d, "bad address checksum");
		return;
	}
	if ((d->addr & 3) || !adev_serves_read(d, d->addr) ||
	    board_check(d->b, d->addr, 4, false) != BOARD_OK) {
		adev_fail(d, "0x%08X: address refused", d->addr);
		return;
	}
	adev_ack(d);
	adev_expect(d, 5, d->cfg.crc_frame == AN3155DEV_CRC_I2C ? crc_len_i2c : crc_size);
}

void adev_cmd_crc(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 5, crc_addr);
}
