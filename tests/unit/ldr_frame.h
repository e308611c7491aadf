/* SPDX-License-Identifier: MIT */
/*
 * ldr_frame.h - builds a loader-protocol frame (protocols/ldr_wire.h) for
 * the unit tests, with the CRC-32 function the test chooses.
 */
#ifndef TEST_LDR_FRAME_H
#define TEST_LDR_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The frame into buf (room for n + 10 bytes); returns its length. */
static inline size_t ldr_test_frame(uint8_t *buf, uint8_t sof, uint8_t seq, uint8_t type,
				    const uint8_t *p, size_t n,
				    uint32_t (*crc32)(const uint8_t *, size_t))
{
	uint32_t c;

	buf[0] = sof;
	buf[1] = (uint8_t)n;
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = seq;
	buf[4] = type;
	buf[5] = (uint8_t)(0xFF ^ buf[0] ^ buf[1] ^ buf[2] ^ buf[3] ^ buf[4]);
	if (n)
		memcpy(buf + 6, p, n);
	c = crc32(buf + 1, 5 + n);
	for (int i = 0; i < 4; i++)
		buf[6 + n + i] = (uint8_t)(c >> (8 * i));
	return 10 + n;
}

#endif
