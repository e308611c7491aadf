/* SPDX-License-Identifier: MIT */
/*
 * crc.h - the two CRC-32 flavours the bootloaders use.
 */
#ifndef SB_CRC_H
#define SB_CRC_H

#include <stddef.h>
#include <stdint.h>

/*
 * STM32 CRC unit default (protocol-facts A.5, "CRC parameters"): poly
 * 0x04C11DB7, init 0xFFFFFFFF, no reflection, no final XOR, data taken as
 * 32-bit little-endian words, MSB first. n must be a multiple of 4.
 * Chain by passing the previous result as crc; start with SB_CRC_STM32_INIT.
 */
#define SB_CRC_STM32_INIT 0xFFFFFFFFu
/* Its polynomial (protocol-facts A.5 "CRC parameters"), as sent to Get Checksum. */
#define SB_CRC_STM32_POLY 0x04C11DB7u
uint32_t sb_crc_stm32(uint32_t crc, const uint8_t *buf, size_t n);

/*
 * DfuSe suffix CRC (protocol-facts D.4): reflected CRC-32, init 0xFFFFFFFF,
 * no final XOR ("JAMCRC"). Chain like sb_crc_stm32; start with 0xFFFFFFFF.
 */
uint32_t sb_crc_jam(uint32_t crc, const uint8_t *buf, size_t n);

#endif
