/* SPDX-License-Identifier: MIT */
/*
 * an3155_dev_cmds.c - the dialogue of each AN3155 command on the L4R5 ROM
 * (USART protocol v3.1): a chain of stages, each run when the bytes it
 * asked for with adev_expect() have arrived. Which memory the ROM serves
 * is decided here, on the board's areas (board_area()); Get Checksum is in
 * an3155_dev_crc.c. Rules cite ../shared/reference/protocol-facts.md
 * section A.
 */
#include <stdio.h>

#include "an3155_dev_priv.h"
#include "part.h"

/* ---- Get, Get Version, Get ID (A.4, A.5) ---- */

void adev_cmd_get(struct an3155dev *d)
{
	/* the part's erase: 0x43 (v2.x, F1) or 0x44 (v3.x), never both (A.4) */
	uint8_t list[] = { 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, board_part(d->b)->erase_cmd,
			   0x63, 0x73, 0x82, 0x92 };
	bool crc = adev_offers_crc(d);

	adev_ack(d);
	adev_put(d, (uint8_t)(sizeof list + crc));  /* N = bytes that follow - 1 */
	adev_put(d, d->cfg.version);
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
	adev_put(d, d->cfg.version);
	adev_put(d, 0x00);  /* A.5: option bytes 00 00 "for compatibility" */
	adev_put(d, 0x00);
	adev_ack(d);
	adev_finish(d, true, "gv: ack");
}

void adev_cmd_gid(struct an3155dev *d)
{
	adev_ack(d);
	adev_put(d, 0x01);  /* N = 1: two PID bytes, MSB first (A.5; 0x470 on the L4R5) */
	adev_put(d, (uint8_t)(board_part(d->b)->pid >> 8));
	adev_put(d, (uint8_t)board_part(d->b)->pid);
	adev_ack(d);
	adev_finish(d, true, "gid: ack");
}

/* ---- which memory the ROM serves ---- */

/*
 * A.5 Read Memory: flash, SRAM above the loader's own, system memory, OTP,
 * option bytes; nothing else is documented as readable. The package, UID
 * and flash-size words are reported NACKed (FORUM, L43x: C1) and the
 * registers are not in the list: served only with permissive_reads.
 */
bool adev_serves_read(struct an3155dev *d, uint32_t addr)
{
	switch (board_area(d->b, addr, NULL, NULL)) {
	case BOARD_AREA_FLASH:
	case BOARD_AREA_SRAM:
	case BOARD_AREA_SYSMEM:
	case BOARD_AREA_OTP:
	case BOARD_AREA_OPTION:
		return true;
	case BOARD_AREA_INFO:
	case BOARD_AREA_REGS:
		return d->cfg.permissive_reads;
	default:
		return false;  /* incl. the loader's own RAM (C) */
	}
}

/* [addr, addr+n) served and inside one area (n >= 1). */
bool adev_serves_range(struct an3155dev *d, uint32_t addr, uint32_t n)
{
	uint32_t base, size;

	if (!adev_serves_read(d, addr))
		return false;
	board_area(d->b, addr, &base, &size);
	return n <= size - (addr - base);
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
	st = adev_serves_range(d, d->addr, (uint32_t)n) ? board_read(d->b, d->addr, data, n)
							  : BOARD_EADDR;
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
	if (!adev_serves_read(d, d->addr) || board_check(d->b, d->addr, 1, false) != BOARD_OK) {
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
	enum board_area area;

	if (!adev_take_addr(d)) {
		adev_fail(d, "bad address checksum");
		return;
	}
	if (adev_late_nack(d))
		return;
	area = board_area(d->b, d->addr, NULL, NULL);
	/* A.5 Go: flash or SRAM, not the loader's own RAM (C) */
	if ((area != BOARD_AREA_FLASH && area != BOARD_AREA_SRAM) || !board_go(d->b, d->addr)) {
		adev_fail(d, "0x%08X: not flash or SRAM above 0x20003200", d->addr);
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

/*
 * Flash under write protection: the ROM skips protected pages without an
 * error (AN3155 §3.6 as quoted in issue 8, C1), or with wrp_nack the block
 * is refused whole, as WRPERR would have it (E.3). *skipped: bytes left
 * unchanged on protected pages.
 */
static int wr_flash(struct an3155dev *d, const uint8_t *p, size_t n, size_t *skipped)
{
	uint32_t base, page, po, ps;
	size_t done = 0;
	int st;

	*skipped = 0;
	if (d->cfg.wrp_nack)
		return board_write(d->b, d->addr, p, n);
	board_area(d->b, d->addr, &base, NULL);
	while (done < n) {
		uint32_t off = d->addr + (uint32_t)done - base;
		size_t k;

		if (!board_page_of(d->b, off, &page, &po, &ps))
			return BOARD_EADDR;
		k = n - done < po + ps - off ? n - done : po + ps - off;
		if (board_page_protected(d->b, page))
			*skipped += k;
		else if ((st = board_write(d->b, d->addr + (uint32_t)done, p + done, k)) != BOARD_OK)
			return st;
		done += k;
	}
	return BOARD_OK;
}

/* Option bytes: one whole bank at its base (C, E.4), unless ob_any. */
static bool wr_option_ok(struct an3155dev *d, size_t n)
{
	uint32_t base, size;

	if (board_area(d->b, d->addr, &base, &size) != BOARD_AREA_OPTION || d->cfg.ob_any)
		return true;
	return d->addr == base && (n == 0 || n == size);
}

static void wr_done(struct an3155dev *d, size_t n, size_t skipped)
{
	adev_ack(d);
	if (board_is_option_area(d->b, d->addr)) {
		board_reset(d->b);  /* A.4: an option-byte write applies the options and resets */
		adev_finish(d, true, "write 0x%08X+%zu: ack, options applied, reset", d->addr, n);
	} else if (skipped) {
		adev_finish(d, true, "write 0x%08X+%zu: ack, %zu bytes on write-protected pages "
			    "left unchanged", d->addr, n, skipped);
	} else {
		adev_finish(d, true, "write 0x%08X+%zu: ack", d->addr, n);
	}
}

static void wr_data(struct an3155dev *d)
{
	size_t n = (size_t)d->n + 1, skipped = 0;
	int st;

	if ((uint8_t)(d->n ^ adev_xor(d->buf, n + 1)) != 0) {
		adev_fail(d, "0x%08X+%zu: bad data checksum", d->addr, n);
		return;
	}
	if (n % 4) {
		adev_fail(d, "0x%08X+%zu: length not a multiple of 4", d->addr, n);  /* A.5 */
		return;
	}
	if (!wr_option_ok(d, n)) {
		adev_fail(d, "0x%08X+%zu: not a whole option-byte bank", d->addr, n);
		return;
	}
	if (adev_late_nack(d))
		return;
	if (board_area(d->b, d->addr, NULL, NULL) == BOARD_AREA_FLASH)
		st = wr_flash(d, d->buf, n, &skipped);
	else
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
	wr_done(d, n, skipped);
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
	if (board_check(d->b, d->addr, 1, true) != BOARD_OK || !wr_option_ok(d, 0)) {
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
	/* the part's ROM: no mass erase on L0/L1 (stm32flash F_NO_ME), bank erase
	 * only where the row says so (devtable.c) */
	if (!bank && (board_part(d->b)->flags & SB_PART_NO_MASS_ERASE)) {
		adev_fail(d, "mass erase: not offered by this ROM");
		return;
	}
	if (bank && !(board_part(d->b)->flags & SB_PART_BANK_ERASE)) {
		adev_fail(d, "reserved code 0x%04X", d->n);
		return;
	}
	st = board_mass_erase(d->b, bank);
	if (st != BOARD_OK) {
		adev_fail(d, "mass erase %s: %s", bank ? (bank == 1 ? "bank 1" : "bank 2") : "all",
			    board_status_str(st));
		return;
	}
	adev_ack(d);
	adev_finish(d, true, "erase %s: ack", bank ? (bank == 1 ? "bank 1" : "bank 2") : "all");
}

static uint32_t er_page(const struct an3155dev *d, size_t i)
{
	return (uint32_t)d->buf[2 * i] << 8 | d->buf[2 * i + 1];
}

/* Nothing is erased unless every page exists; protected pages block the
 * whole list only with wrp_nack (else they are skipped, AN3155 §3.6).
 * *bad: the page that does not exist. */
static int check_pages(struct an3155dev *d, size_t count, adev_page_fn page, uint32_t *bad)
{
	for (size_t i = 0; i < count; i++) {
		*bad = page(d, i);
		if (*bad >= board_page_count(d->b))
			return BOARD_EADDR;
		if (d->cfg.wrp_nack && board_page_protected(d->b, *bad))
			return BOARD_EWRP;
	}
	return BOARD_OK;
}

void adev_erase_pages(struct an3155dev *d, size_t count, adev_page_fn page, bool name_bad_page)
{
	const char *name = an3155dev_cmd_name(d->code);
	size_t skipped = 0;
	uint32_t bad;
	int st = check_pages(d, count, page, &bad);

	if (st == BOARD_EADDR && name_bad_page) {
		adev_fail(d, "%zu pages: page %u: %s", count, (unsigned)bad, board_status_str(st));
		return;
	}
	if (st != BOARD_OK) {
		adev_fail(d, "%zu pages: %s", count, board_status_str(st));
		return;
	}
	for (size_t i = 0; i < count; i++)
		skipped += board_erase_page(d->b, page(d, i)) == BOARD_EWRP;
	adev_ack(d);
	if (skipped)
		adev_finish(d, true, "%s %zu pages from %u: ack, %zu write-protected pages "
			    "left unchanged", name, count, (unsigned)page(d, 0), skipped);
	else
		adev_finish(d, true, "%s %zu pages from %u: ack", name, count, (unsigned)page(d, 0));
}

static void er_pages(struct an3155dev *d)
{
	size_t count = (size_t)d->n + 1;
	uint8_t x = (uint8_t)((d->n >> 8) ^ d->n) ^ adev_xor(d->buf, 2 * count);

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
	adev_erase_pages(d, count, er_page, false);
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
