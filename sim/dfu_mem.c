/* SPDX-License-Identifier: MIT */
/*
 * dfu_mem.c - what the modelled L4R5 ROM does with memory: the alt
 * settings' memory map, the DfuSe commands and data blocks run at the first
 * GETSTATUS (protocol-facts B.5, B.6), reads, and the jump on leave (B.7).
 * The state machine around them is in dfu_dev.c.
 */
#include <string.h>

#include "dfu_dev_priv.h"

#define FLASH_BASE 0x08000000u
#define SRAM_START 0x20000000u   /* E.1: SRAM1..3 contiguous to 0x2009FFFF */
#define SRAM_END 0x200A0000u
#define OPT1_BASE 0x1FF00000u    /* C: option bytes bank 1 / bank 2, 40 bytes each */
#define OPT2_BASE 0x1FF01000u
#define OPT_LEN 40u
#define OTP_BASE 0x1FFF7000u     /* C: OTP 1 KB */
#define OTP_LEN 0x400u

struct region {
	uint32_t start, end;   /* end exclusive */
	bool whole_block;      /* option bytes: written only as one whole block (B.6) */
};

/* ---- memory map per alt setting (B.1 strings, C addresses) ---- */

static unsigned alt_regions(const struct dfu_dev *d, struct region r[2])
{
	switch (d->alt) {
	case 0:
		r[0] = (struct region){ FLASH_BASE, FLASH_BASE + board_flash_size(d->b), false };
		return 1;
	case 1:
		r[0] = (struct region){ OPT1_BASE, OPT1_BASE + OPT_LEN, true };
		r[1] = (struct region){ OPT2_BASE, OPT2_BASE + OPT_LEN, true };
		return 2;
	default:
		r[0] = (struct region){ OTP_BASE, OTP_BASE + OTP_LEN, false };
		return 1;
	}
}

/* The region of the current alt holding addr, or NULL. */
static const struct region *find_region(const struct dfu_dev *d, uint32_t addr, struct region r[2])
{
	unsigned n = alt_regions(d, r);

	for (unsigned i = 0; i < n; i++)
		if (addr >= r[i].start && addr < r[i].end)
			return &r[i];
	return NULL;
}

/*
 * Board status -> DFU status. B.4 names errTARGET for a refused address and
 * errVENDOR for read protection; it leaves errWRITE/errPROG usage unknown,
 * so (INF) a double-word programmed twice (FLASH PROGERR, E.3) is errPROG,
 * a write-protected page errWRITE, a misaligned address errADDRESS.
 */
static uint8_t map_board(int st)
{
	switch (st) {
	case BOARD_OK: return S_OK;
	case BOARD_EADDR: return S_TARGET;
	case BOARD_EALIGN: return S_ADDRESS;
	case BOARD_EPROG: return S_PROG;
	case BOARD_EWRP: return S_WRITE;
	case BOARD_ERDP: return S_VENDOR;
	default: return S_UNKNOWN;
	}
}

/* A data block's board status -> DFU status; PROGERR as configured (dfu_dev.h). */
static uint8_t prog_status(struct dfu_dev *d, int st)
{
	if (st != BOARD_EPROG)
		return map_board(st);
	switch (d->cfg.prog_error) {
	case DFU_DEV_PROG_ERRWRITE: return S_WRITE;
	case DFU_DEV_PROG_SILENT:
		dfu_dlog(d, "  PROGERR, data unchanged, reported as OK (silent)");
		return S_OK;
	default: return S_PROG;
	}
}

static bool protected(const struct dfu_dev *d)
{
	return board_rdp_level(d->b) != 0;
}

/* ---- DfuSe commands and data blocks, run at the first GETSTATUS (B.5) ---- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Set Address Pointer. Under read protection it fails with errVENDOR:
 * protocol-facts F.4 (AN2662 says allowed, real parts and Betaflight say
 * errVENDOR); we follow the real parts, and the host treats errVENDOR on any
 * command as "RDP active". An address outside the alt's memory: errTARGET.
 */
static uint8_t cmd_set_address(struct dfu_dev *d, uint32_t addr)
{
	struct region r[2];

	if (protected(d))
		return S_VENDOR;
	if (!find_region(d, addr, r))
		return S_TARGET;
	d->ptr = addr;
	return S_OK;
}

/* Page erase: alt 0 only. A write-protected page is skipped without error:
 * AN2662 "No error is returned when performing erase operations on write
 * protected sectors" (usb-anchors 4.1). */
static uint8_t cmd_erase(struct dfu_dev *d, uint32_t addr)
{
	struct region r[2];
	int st;

	if (protected(d))
		return S_VENDOR;
	if (d->alt != 0 || !find_region(d, addr, r))
		return S_TARGET;
	st = board_erase_page(d->b, (addr - FLASH_BASE) / board_page_size(d->b));
	d->st.page_erases++;
	return st == BOARD_EWRP ? S_OK : map_board(st);
}

static uint8_t cmd_mass_erase(struct dfu_dev *d)
{
	if (protected(d))
		return S_VENDOR;
	d->st.mass_erases++;
	return map_board(board_mass_erase(d->b, 0));
}

/* Read Unprotect: mass erase, RDP back to level 0, then the part resets
 * (B.5 exceptions: right after the first GETSTATUS). */
static uint8_t cmd_read_unprotect(struct dfu_dev *d, enum dfu_after *after)
{
	int st = board_rdp_clear(d->b);

	if (st == BOARD_OK)
		*after = AFTER_RESET;
	return st == BOARD_OK ? S_OK : S_UNKNOWN;   /* B.4: errUNKNOWN = Read Unprotect failed */
}

static uint8_t run_command(struct dfu_dev *d, enum dfu_after *after)
{
	const uint8_t *c = d->buf;

	d->st.commands++;
	if (c[0] == 0x21)
		return cmd_set_address(d, le32(c + 1));
	if (c[0] == 0x41 && d->buf_len == 5)
		return cmd_erase(d, le32(c + 1));
	if (c[0] == 0x41)
		return cmd_mass_erase(d);
	return cmd_read_unprotect(d, after);
}

/*
 * Data block wBlockNum >= 2 at pointer + (wBlockNum - 2) * wTransferSize.
 * F.7: sources differ on whether the size is the fixed wTransferSize or the
 * current request's; we use the fixed 2048 (ST's USB library), which is
 * also what makes dfu-util's shorter last UPLOAD chunk land right.
 */
static uint32_t block_addr(const struct dfu_dev *d, uint16_t block)
{
	return d->ptr + (uint32_t)(block - 2) * DFU_XFER_SIZE;
}

static uint8_t run_block(struct dfu_dev *d, enum dfu_after *after)
{
	uint32_t addr = block_addr(d, d->block);
	struct region r[2];
	const struct region *reg;
	uint8_t st;

	if (protected(d))
		return S_VENDOR;   /* B.4: writes refused under read protection */
	reg = find_region(d, addr, r);
	if (!reg || d->buf_len > reg->end - addr)
		return S_TARGET;
	/* Option bytes: the whole 40-byte block in one request (B.6), applied
	 * by the reset that follows (B.5 exceptions). */
	if (reg->whole_block && (addr != reg->start || d->buf_len != OPT_LEN))
		return S_TARGET;
	st = prog_status(d, board_write(d->b, addr, d->buf, d->buf_len));
	if (st == S_OK) {
		d->st.blocks++;
		d->st.bytes_down += d->buf_len;
		if (reg->whole_block)
			*after = AFTER_RESET;
	}
	return st;
}

uint8_t dfu_mem_run(struct dfu_dev *d, enum dfu_after *after)
{
	uint8_t st;

	board_take_busy_us(d->b);   /* only this command's flash time counts */
	if (dfu_chance(d, d->cfg.faults.status_pct)) {
		dfu_dlog(d, "fault: command/block not run, errUNKNOWN");
		return S_UNKNOWN;
	}
	st = d->block == 0 ? run_command(d, after) : run_block(d, after);
	d->op_busy_us = board_take_busy_us(d->b);
	d->st.flash_us += d->op_busy_us;
	return st;
}

/* ---- leaving DFU (B.7) ---- */

/* Initial SP inside SRAM and a reset vector in flash or SRAM: the ROM's jump
 * lands in code. Otherwise the core faults and the part resets, then
 * re-enters the bootloader or not depending on the boot pins (B.7 note). */
static bool vector_valid(const uint8_t v[8])
{
	uint32_t sp = le32(v), pc = le32(v + 4) & ~1u;
	bool pc_flash = pc >= FLASH_BASE && pc < FLASH_BASE + 0x200000u;
	bool pc_sram = pc >= SRAM_START && pc < SRAM_END;

	return sp > SRAM_START && sp <= SRAM_END && (pc_flash || pc_sram);
}

void dfu_mem_leave(struct dfu_dev *d)
{
	uint8_t vec[8];
	int st = board_read(d->b, d->ptr, vec, sizeof(vec));
	bool ok = (st == BOARD_ERDP || (st == BOARD_OK && vector_valid(vec))) && board_go(d->b, d->ptr);

	dfu_detach(d, DFU_DEV_EV_DETACHED);
	if (!ok) {
		dfu_dlog(d, "no valid vector table at 0x%08X: the part resets", (unsigned)d->ptr);
		board_reset(d->b);
	} else {
		dfu_dlog(d, "application starts at 0x%08X", (unsigned)d->ptr);
	}
}

/* ---- reads (B.6) ---- */

/*
 * UPLOAD block (>= 2) of up to len bytes from the current alt's memory.
 * Returns the bytes read (the end of the memory shortens the packet, which
 * ends the read: B.6) or -1 with the status of the STALL in *status.
 */
int dfu_mem_read(struct dfu_dev *d, uint16_t block, uint8_t *data, uint16_t len, uint8_t *status)
{
	struct region r[2];
	uint32_t addr = block_addr(d, block), n;
	const struct region *reg = find_region(d, addr, r);
	int st;

	*status = protected(d) ? S_VENDOR   /* B.6: read under RDP -> errVENDOR */
		: !reg ? S_TARGET : S_OK;
	if (*status != S_OK)
		return -1;
	n = reg->end - addr < len ? reg->end - addr : len;
	st = board_read(d->b, addr, data, n);
	if (st != BOARD_OK) {
		*status = map_board(st);
		return -1;
	}
	return (int)n;
}
