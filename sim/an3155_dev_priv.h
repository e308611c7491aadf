/* SPDX-License-Identifier: MIT */
/*
 * an3155_dev_priv.h - insides of struct an3155dev shared by
 * sim/an3155_dev.c (machinery, dispatch, public API) and
 * sim/an3155_dev_cmds.c (one dialogue per command).
 */
#ifndef SIM_AN3155_DEV_PRIV_H
#define SIM_AN3155_DEV_PRIV_H

#include "an3155_dev.h"

#define BUF_SIZE (2u * 65536u + 8u)  /* largest block: Extended Erase page list */

struct an3155dev;
typedef void (*stage_fn)(struct an3155dev *d);

struct an3155dev {
	struct board *b;
	struct an3155dev_config cfg;
	struct an3155dev_hooks hooks;
	enum an3155dev_phase phase;
	unsigned seen_resets;
	uint8_t code;
	enum an3155dev_fate fate;
	stage_fn stage;
	size_t have, need;
	uint32_t addr, n;
	uint32_t len, poly;       /* Get Checksum: bytes and polynomial (A.5 0xA1 row) */
	unsigned done;
	uint8_t *out;
	size_t out_len, out_cap;
	uint8_t buf[BUF_SIZE];
};

/* ---- machinery (an3155_dev.c) ---- */

void adev_put(struct an3155dev *d, uint8_t c);
void adev_ack(struct an3155dev *d);
void adev_nack(struct an3155dev *d);
/* Follow board resets (back to awaiting 0x7F) and mode changes. */
void adev_follow_board(struct an3155dev *d);
/* End the current command and report it; back to waiting for a command. */
__attribute__((format(printf, 3, 4)))
void adev_finish(struct an3155dev *d, bool ok, const char *fmt, ...);
/* NACK and end the current command, reporting why. */
__attribute__((format(printf, 2, 3)))
void adev_fail(struct an3155dev *d, const char *fmt, ...);
/* The next stage runs when n more bytes have arrived. */
void adev_expect(struct an3155dev *d, size_t n, stage_fn next);
/* NACK_LATE fault: refuse the final step. True if it did. */
bool adev_late_nack(struct an3155dev *d);
uint8_t adev_xor(const uint8_t *p, size_t n);
uint32_t adev_be32(const uint8_t *p);
/* Get lists 0xA1: protocol version 3.3 or later (A.5 0xA1 row). */
bool adev_offers_crc(const struct an3155dev *d);
/* Get lists this erase opcode: the part's ROM has either 0x43 or 0x44 (A.4). */
bool adev_offers_erase(const struct an3155dev *d, uint8_t code);
/* A.3: 4 address bytes MSB first and their XOR into d->addr; false if the XOR is wrong. */
bool adev_take_addr(struct an3155dev *d);

/* ---- memory the ROM serves (an3155_dev_cmds.c) ---- */

/* Read Memory and Get Checksum may start at addr (A.5 Read Memory). */
bool adev_serves_read(struct an3155dev *d, uint32_t addr);
/* ... and [addr, addr+n) lies in that one area. */
bool adev_serves_range(struct an3155dev *d, uint32_t addr, uint32_t n);

/* ---- command dialogues (an3155_dev_cmds.c, an3155_dev_crc.c), started after the opcode pair ---- */

void adev_cmd_get(struct an3155dev *d);
void adev_cmd_gv(struct an3155dev *d);
void adev_cmd_gid(struct an3155dev *d);
void adev_cmd_read(struct an3155dev *d);
void adev_cmd_go(struct an3155dev *d);
void adev_cmd_write(struct an3155dev *d);
void adev_cmd_erase(struct an3155dev *d);
void adev_cmd_erase43(struct an3155dev *d);   /* an3155_dev_erase43.c */

/* Page i of the current erase command's list. */
typedef uint32_t (*adev_page_fn)(const struct an3155dev *d, size_t i);
/* Erase (0x43) and Extended Erase (0x44) after their frame is checked: the
 * count pages of the list, ACK, and the log line under the command's name
 * ("legacy-erase N pages from P: ack"). name_bad_page: a NACK for a page
 * that does not exist names it. */
void adev_erase_pages(struct an3155dev *d, size_t count, adev_page_fn page, bool name_bad_page);
void adev_cmd_wp(struct an3155dev *d);
void adev_cmd_wu(struct an3155dev *d);
void adev_cmd_rp(struct an3155dev *d);
void adev_cmd_ru(struct an3155dev *d);
void adev_cmd_crc(struct an3155dev *d);

#endif
