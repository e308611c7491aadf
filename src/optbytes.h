/*
 * optbytes.h - the STM32L4+ option-byte block as both programs show and
 * change it (protocol-facts E.4): per bank 40 bytes, five 8-byte slots of
 * a value word and its complement.
 */
#ifndef SB_OPTBYTES_H
#define SB_OPTBYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_err.h"

#define OB_L4_LEN 40u   /* bytes per bank (protocol-facts C, E.4) */

/* "aa f8 ef ff ..." into bytes; hex digits with blanks or colons between. */
void ob_hex(const uint8_t *b, size_t n, char *buf, size_t len);

/* "bank 1 at 0x1FF00000: <hex>" and, for a 40-byte block, one line per slot
 * with its decoded meaning, on stdout. */
void ob_print(unsigned bank, uint32_t addr, const uint8_t *b, size_t len);

enum ob_arg { OB_ARG_BLOCK, OB_ARG_OPTR };

/*
 * The value of "--write ARG": FILE[@ADDR] (the raw block; addr from @ADDR,
 * else def_addr), hex bytes ("aa f8 ef ff ..."), or a 0xOPTR word. For
 * OB_ARG_OPTR only *optr is set: the caller patches the current block with
 * ob_set_optr(). blk holds up to 256 bytes; *len 257 means the file is
 * larger than any option block.
 */
int ob_parse_write(const char *arg, uint32_t def_addr, enum ob_arg *kind, uint8_t *blk,
		   size_t *len, uint32_t *addr, uint32_t *optr, struct sb_diag *d);

/* Put OPTR and its complement into the first slot of a bank-1 block. */
void ob_set_optr(uint8_t *blk, uint32_t optr);

/* Little-endian word at b. */
uint32_t ob_le32(const uint8_t *b);

#endif
