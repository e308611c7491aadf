/* SPDX-License-Identifier: MIT */
#include "crc.h"

uint32_t sb_crc_stm32(uint32_t crc, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t w = (uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8 |
			     (uint32_t)buf[i + 2] << 16 | (uint32_t)buf[i + 3] << 24;
		crc ^= w;
		for (int b = 0; b < 32; b++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
}

uint32_t sb_crc_jam(uint32_t crc, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		crc ^= buf[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
	}
	return crc;
}
