/*
 * an3155_dev_cmds.c - the dialogue of each AN3155 command on the L4R5 ROM
 * (USART protocol v3.1): a chain of stages, each run when the bytes it
 * asked for with adev_expect() have arrived. Rules cite
 * ../shared/reference/protocol-facts.md section A.
 */
#include <stdio.h>

#include "an3155_dev_priv.h"
#include "crc.h"

#define BL_VERSION 0x31           /* A.4: USART protocol v3.1 */
#define PID_HI 0x04               /* A.5 Get ID: PID 0x470 */
#define PID_LO 0x70

/* ---- Get, Get Version, Get ID (A.4, A.5) ---- */

void adev_cmd_get(struct an3155dev *d)
{
	static const uint8_t list[] = { 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44,
					0x63, 0x73, 0x82, 0x92 };
	bool crc = board_offer_crc(d->b);

	adev_ack(d);
	adev_put(d, (uint8_t)(sizeof list + crc));  /* N = bytes that follow - 1 */
	adev_put(d, BL_VERSION);
	for (size_t i = 0; i < sizeof list; i++)
		adev_put(d, list[i]);
	if (crc)
		adev_put(d, 0xA1);
	adev_ack(d);
	adev_finish(d, true, "get: ack");
}

void adev_cmd_gv(struct an3155dev *d)
{
	adev_ack(d);
	adev_put(d, BL_VERSION);
	adev_put(d, 0x00);  /* A.5: option bytes 00 00 "for compatibility" */
	adev_put(d, 0x00);
	adev_ack(d);
	adev_finish(d, true, "gv: ack");
}

void adev_cmd_gid(struct an3155dev *d)
{
	adev_ack(d);
	adev_put(d, 0x01);  /* N = 1: two PID bytes */
	adev_put(d, PID_HI);
	adev_put(d, PID_LO);
	adev_ack(d);
	adev_finish(d, true, "gid: ack");
}

/* ---- Read Memory (A.5, A.6) ---- */

static void rd_len(struct an3155dev *d)
{
	uint8_t data[256];
	size_t n = (size_t)d->buf[0] + 1;  /* A.5: N 0..255 (F.10: N = 0 allowed) */
	int st;

	if ((d->buf[0] ^ d->buf[1]) != 0xFF) {
		adev_fail(d, "0x%08X: bad length complement", d->addr);
		return;
	}
	if (adev_late_nack(d))
		return;
	st = board_read(d->b, d->addr, data, n);
	if (st != BOARD_OK) {
		adev_fail(d, "0x%08X+%zu: %s", d->addr, n, board_status_str(st));
		return;
	}
	adev_ack(d);
	for (size_t i = 0; i < n; i++)
		adev_put(d, data[i]);
	adev_finish(d, true, "read 0x%08X+%zu: ack", d->addr, n);
}

static void rd_addr(struct an3155dev *d)
{
	if (!adev_take_addr(d)) {
		adev_fail(d, "bad address checksum");
		return;
	}
	if (board_check(d->b, d->addr, 1, false) != BOARD_OK) {
		adev_fail(d, "0x%08X: address refused", d->addr);
		return;
	}
	adev_ack(d);
	adev_expect(d, 2, rd_len);
}

void adev_cmd_read(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 5, rd_addr);
}

/* ---- Go (A.5) ---- */

static void go_addr(struct an3155dev *d)
{
	if (!adev_take_addr(d)) {
		adev_fail(d, "bad address checksum");
		return;
	}
	if (adev_late_nack(d))
		return;
	if (!board_go(d->b, d->addr)) {
		adev_fail(d, "0x%08X: not flash or SRAM", d->addr);
		return;
	}
	adev_ack(d);  /* the ROM's last byte; the application runs from here */
	adev_finish(d, true, "go 0x%08X: ack, application started", d->addr);
}

void adev_cmd_go(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 5, go_addr);
}

/* ---- Write Memory (A.5, A.7) ---- */

static void wr_data(struct an3155dev *d)
{
	size_t n = (size_t)d->n + 1;
	int st;

	if ((uint8_t)(d->n ^ adev_xor(d->buf, n + 1)) != 0) {
		adev_fail(d, "0x%08X+%zu: bad data checksum", d->addr, n);
		return;
	}
	if (adev_late_nack(d))
		return;
	st = board_write(d->b, d->addr, d->buf, n);
	if (st == BOARD_EPROG && d->cfg.silent_progerr) {
		adev_ack(d);  /* A.7: the real part may ACK a failed double-word write */
		adev_finish(d, true, "write 0x%08X+%zu: PROGERR, data unchanged, ack (silent)",
			      d->addr, n);
		return;
	}
	if (st != BOARD_OK) {
		adev_fail(d, "0x%08X+%zu: %s", d->addr, n, board_status_str(st));
		return;
	}
	adev_ack(d);
	if (!board_is_option_area(d->addr)) {
		adev_finish(d, true, "write 0x%08X+%zu: ack", d->addr, n);
		return;
	}
	board_reset(d->b);  /* A.4: an option-byte write applies the options and resets */
	adev_finish(d, true, "write 0x%08X+%zu: ack, options applied, reset", d->addr, n);
}

static void wr_len(struct an3155dev *d)
{
	d->n = d->buf[0];
	adev_expect(d, d->n + 2u, wr_data);  /* N+1 data bytes, then the checksum */
}

static void wr_addr(struct an3155dev *d)
{
	if (!adev_take_addr(d)) {
		adev_fail(d, "bad address checksum");
		return;
	}
	if (d->addr & 3) {
		adev_fail(d, "0x%08X: not 4-byte aligned", d->addr);  /* A.5 */
		return;
	}
	if (board_check(d->b, d->addr, 1, true) != BOARD_OK) {
		adev_fail(d, "0x%08X: address refused", d->addr);
		return;
	}
	adev_ack(d);
	adev_expect(d, 1, wr_len);
}

void adev_cmd_write(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 5, wr_addr);
}

/* ---- Extended Erase (A.5) ---- */

static void er_special(struct an3155dev *d)
{
	int bank, st;

	if (d->buf[0] != (uint8_t)((d->n >> 8) ^ d->n)) {
		adev_fail(d, "special 0x%04X: bad checksum", d->n);
		return;
	}
	if (d->n < 0xFFFD) {
		adev_fail(d, "reserved code 0x%04X", d->n);  /* A.5: 0xFFF0-0xFFFC */
		return;
	}
	if (adev_late_nack(d))
		return;
	bank = d->n == 0xFFFF ? 0 : d->n == 0xFFFE ? 1 : 2;
	st = board_mass_erase(d->b, bank);
	if (st != BOARD_OK) {
		adev_fail(d, "mass erase %s: %s", bank ? (bank == 1 ? "bank 1" : "bank 2") : "all",
			    board_status_str(st));
		return;
	}
	adev_ack(d);
	adev_finish(d, true, "erase %s: ack", bank ? (bank == 1 ? "bank 1" : "bank 2") : "all");
}

static int check_pages(struct an3155dev *d, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		uint32_t p = (uint32_t)d->buf[2 * i] << 8 | d->buf[2 * i + 1];

		if (p >= board_page_count(d->b))
			return BOARD_EADDR;
		if (board_page_protected(d->b, p))
			return BOARD_EWRP;
	}
	return BOARD_OK;
}

static void er_pages(struct an3155dev *d)
{
	size_t count = (size_t)d->n + 1;
	uint8_t x = (uint8_t)((d->n >> 8) ^ d->n) ^ adev_xor(d->buf, 2 * count);
	int st;

	if (x != d->buf[2 * count]) {
		adev_fail(d, "%zu pages: bad checksum", count);
		return;
	}
	if (count > AN3155DEV_MAX_ERASE_PAGES) {
		adev_fail(d, "%zu pages: list too long", count);
		return;
	}
	if (adev_late_nack(d))
		return;
	st = check_pages(d, count);  /* nothing is erased unless every page may be */
	if (st != BOARD_OK) {
		adev_fail(d, "%zu pages: %s", count, board_status_str(st));
		return;
	}
	for (size_t i = 0; i < count; i++)
		board_erase_page(d->b, (uint32_t)d->buf[2 * i] << 8 | d->buf[2 * i + 1]);
	adev_ack(d);
	adev_finish(d, true, "erase %zu pages from %u: ack", count,
	       (unsigned)d->buf[0] << 8 | d->buf[1]);
}

static void er_count(struct an3155dev *d)
{
	d->n = (uint32_t)d->buf[0] << 8 | d->buf[1];
	if ((d->n & 0xFFF0) == 0xFFF0)
		adev_expect(d, 1, er_special);  /* special code replaces N (A.5, F.5) */
	else
		adev_expect(d, 2 * (d->n + 1u) + 1u, er_pages);
}

void adev_cmd_erase(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 2, er_count);
}

/* ---- protection commands: reset after the final ACK (A.4, A.5) ---- */

static void reset_after(struct an3155dev *d, const char *what)
{
	adev_ack(d);
	board_reset(d->b);
	adev_finish(d, true, "%s: ack, reset", what);
}

static void wp_data(struct an3155dev *d)
{
	size_t n = (size_t)d->n + 1;
	int st;

	if ((uint8_t)(d->n ^ adev_xor(d->buf, n + 1)) != 0) {
		adev_fail(d, "%zu codes: bad checksum", n);
		return;
	}
	if (adev_late_nack(d))
		return;
	st = board_wrp_set(d->b, d->buf, n);  /* code-to-area mapping: INF, board.h */
	if (st != BOARD_OK) {
		adev_fail(d, "%zu codes: %s", n, board_status_str(st));
		return;
	}
	reset_after(d, "wp");
}

static void wp_len(struct an3155dev *d)
{
	d->n = d->buf[0];
	adev_expect(d, d->n + 2u, wp_data);
}

void adev_cmd_wp(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 1, wp_len);
}

void adev_cmd_wu(struct an3155dev *d)
{
	adev_ack(d);
	if (adev_late_nack(d))
		return;
	board_wrp_clear(d->b);
	reset_after(d, "wu");
}

void adev_cmd_rp(struct an3155dev *d)
{
	adev_ack(d);  /* level 1 already NACKed by the RDP gate (A.5 "NACK if already protected") */
	if (adev_late_nack(d))
		return;
	board_rdp_set(d->b);
	reset_after(d, "rp");
}

void adev_cmd_ru(struct an3155dev *d)
{
	int st;

	adev_ack(d);
	if (adev_late_nack(d))
		return;
	st = board_rdp_clear(d->b);  /* mass erase now, RDP 0xAA at the reset */
	if (st != BOARD_OK) {
		adev_fail(d, "%s", board_status_str(st));
		return;
	}
	reset_after(d, "ru");
}

/* ---- Get Checksum 0xA1: stm32flash frame (A.5, CONFLICT F.6) ---- */

static void crc_len(struct an3155dev *d)
{
	uint32_t len, crc = SB_CRC_STM32_INIT;
	uint8_t chunk[256];

	if (adev_xor(d->buf, 4) != d->buf[4]) {
		adev_fail(d, "0x%08X: bad length checksum", d->addr);
		return;
	}
	len = adev_be32(d->buf);
	if (len == 0 || (len & 3) || board_check(d->b, d->addr, len, false) != BOARD_OK) {
		adev_fail(d, "0x%08X+%u: length refused", d->addr, (unsigned)len);
		return;
	}
	if (adev_late_nack(d))
		return;
	for (uint32_t done = 0; done < len; done += sizeof chunk) {
		uint32_t k = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;

		board_read(d->b, d->addr + done, chunk, k);
		crc = sb_crc_stm32(crc, chunk, k);
	}
	adev_ack(d);
	adev_ack(d);
	for (int i = 3; i >= 0; i--)
		adev_put(d, (uint8_t)(crc >> (8 * i)));
	adev_put(d, (uint8_t)(crc ^ crc >> 8 ^ crc >> 16 ^ crc >> 24));
	adev_finish(d, true, "crc 0x%08X+%u: 0x%08X", d->addr, (unsigned)len, (unsigned)crc);
}

static void crc_addr(struct an3155dev *d)
{
	if (!adev_take_addr(d)) {
		adev_fail(d, "bad address checksum");
		return;
	}
	if ((d->addr & 3) || board_check(d->b, d->addr, 4, false) != BOARD_OK) {
		adev_fail(d, "0x%08X: address refused", d->addr);
		return;
	}
	adev_ack(d);
	adev_expect(d, 5, crc_len);
}

void adev_cmd_crc(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 5, crc_addr);
}

