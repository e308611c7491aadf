/* SPDX-License-Identifier: MIT */
/*
 * periph_crc.c - the CRC calculation unit (0x40023000), RM0432 chapter 14:
 * CRC_DR, CRC_IDR, CRC_CR (RESET, POLYSIZE, REV_IN, REV_OUT), CRC_INIT,
 * CRC_POL. The unit works MSB first on what is written to CRC_DR, after the
 * input bit reversal CRC_CR.REV_IN asks for; CRC_DR reads back the CRC,
 * bit-reversed with CRC_CR.REV_OUT. Its clock is RCC_AHB1ENR.CRCEN: without
 * it the registers read 0 and ignore writes, as on an unclocked AHB unit.
 * With mcu_config.crc_dead (romsim --crc-unit dead) the unit stays that way
 * whatever RCC says: the case of a part whose unit does not match the
 * manual, which code must notice and survive.
 *
 * Only 32-bit polynomials and 32-bit writes to CRC_DR are modelled; code that
 * uses others gets a bus fault naming what it did, not a wrong CRC.
 */
#include "mcu_priv.h"

#define R_DR 0x00u
#define R_IDR 0x04u
#define R_CR 0x08u
#define R_INIT 0x10u
#define R_POL 0x14u

#define CR_RESET (1u << 0)
#define CR_POLYSIZE (3u << 3)
#define CR_REV_IN_SHIFT 5
#define CR_REV_OUT (1u << 7)
#define CR_MASK (CR_POLYSIZE | (3u << CR_REV_IN_SHIFT) | CR_REV_OUT)

void crc_reset(struct mcu *m)
{
	/* RM0432 14.4 reset values */
	m->crc = (struct mcu_crc){ .dr = 0xFFFFFFFFu, .init = 0xFFFFFFFFu, .pol = 0x04C11DB7u };
}

static bool clocked(const struct mcu *m)
{
	return !m->cfg.crc_dead && rcc_crc_enabled(m);
}

static uint32_t rev_bits(uint32_t v, unsigned width)
{
	uint32_t r = 0;

	for (unsigned i = 0; i < width; i++)
		r |= ((v >> i) & 1u) << (width - 1 - i);
	return r;
}

/* CRC_CR.REV_IN: 00 none, 01 by byte, 10 by half-word, 11 by word. */
static uint32_t rev_in(uint32_t v, unsigned mode)
{
	unsigned w = mode == 1 ? 8 : mode == 2 ? 16 : 32;
	uint32_t r = 0;

	if (!mode)
		return v;
	for (unsigned sh = 0; sh < 32; sh += w)
		r |= rev_bits((v >> sh) & (uint32_t)((1ull << w) - 1), w) << sh;
	return r;
}

static void feed(struct mcu_crc *c, uint32_t v)
{
	c->dr ^= rev_in(v, (c->cr >> CR_REV_IN_SHIFT) & 3u);
	for (int i = 0; i < 32; i++)
		c->dr = c->dr & 0x80000000u ? (c->dr << 1) ^ c->pol : c->dr << 1;
}

int crc_read(struct mcu *m, uint32_t off, uint32_t *val)
{
	const struct mcu_crc *c = &m->crc;

	*val = 0;
	if (!clocked(m))
		return MCU_OK;
	switch (off) {
	case R_DR: *val = c->cr & CR_REV_OUT ? rev_bits(c->dr, 32) : c->dr; break;
	case R_IDR: *val = c->idr; break;
	case R_CR: *val = c->cr; break;
	case R_INIT: *val = c->init; break;
	case R_POL: *val = c->pol; break;
	}
	return MCU_OK;
}

const char *crc_narrow_refused(const struct mcu *m, uint32_t off)
{
	/* an unclocked unit ignores them like any write */
	return off == R_DR && clocked(m) ? "writes to CRC_DR (data of that width) are not modelled" : NULL;
}

int crc_write(struct mcu *m, uint32_t off, uint32_t val)
{
	struct mcu_crc *c = &m->crc;

	if (!clocked(m))
		return MCU_OK;
	switch (off) {
	case R_DR: feed(c, val); break;
	case R_IDR: c->idr = val; break;
	case R_CR:
		if (val & CR_POLYSIZE)
			return mcu_bus_fault(m, "write CRC_CR 0x%08X: only 32-bit polynomials are modelled", val);
		c->cr = val & CR_MASK;
		if (val & CR_RESET)
			c->dr = c->init;
		break;
	case R_INIT: c->init = val; break;
	case R_POL: c->pol = val; break;
	}
	return MCU_OK;
}
