/* SPDX-License-Identifier: MIT */
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

/*
 * option-bytes --set FIELD=VALUE,...: the STM32L4+ OPTR fields by name
 * (protocol-facts E.4: RDP, BOR_LEV, nRST_STOP, nRST_STDBY, nRST_SHDW,
 * IWDG_SW, IWDG_STOP, IWDG_STDBY, WWDG_SW, BFB2, DB1M, DBANK, nBOOT1,
 * SRAM2_PE, SRAM2_RST, nSWBOOT0, nBOOT0; names case-insensitive, values
 * decimal or 0x hex and within the field). Applied to old into *out.
 */
int ob_fields_apply(const char *spec, uint32_t old, uint32_t *out, struct sb_diag *d);

struct cli;
/*
 * option-bytes --set on bank 1 whose first word is old: apply the fields,
 * check the change (SB_ERR_BAD_INPUT: RDP level 2 never; read protection,
 * a new flash organisation, and boot settings that take the BOOT0 pin away
 * or send BOOT0=1 to SRAM only with force; optbytes.c says why), show the
 * decoded words before and after (text, or an "option-change" event), and
 * point *write_arg at the new word as "0xOPTR" for the --write path (left
 * alone with a message when nothing changes). The text lives for the program.
 */
int ob_set_to_write(struct cli *c, const char *spec, uint32_t old, bool force, const char **write_arg,
		    struct sb_diag *d);

struct job_opts;
/*
 * The usage checks of option-bytes --write/--set, before the part is
 * asked: not both, --set's field names (ob_fields_apply), --write only
 * with --force (force_msg says why it needs it). 0, or EXIT_USAGE with the
 * message given.
 */
int ob_opts_check(struct cli *c, const struct job_opts *o, const char *force_msg);

#endif
