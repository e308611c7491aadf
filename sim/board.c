/* SPDX-License-Identifier: MIT */
/*
 * board.c - the virtual STM32L4R5: life cycle, option bytes, protection,
 * pins, reset and boot selection. Memory access and flash rules are in
 * board_mem.c, the state file in board_store.c. Rules cite
 * ../shared/reference/protocol-facts.md sections C and E.
 */
#include <stdlib.h>
#include <string.h>

#include "board_priv.h"
#include "part.h"

uint32_t board_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void board_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- option bytes: value word + complement word per 8-byte slot (E.4) ---- */

static uint32_t ob_get(const struct board *b, int bank, enum ob_slot s)
{
	return board_le32(b->ob[bank] + 8 * s);
}

static void ob_set(struct board *b, int bank, enum ob_slot s, uint32_t v)
{
	board_put_le32(b->ob[bank] + 8 * s, v);
	board_put_le32(b->ob[bank] + 8 * s + 4, ~v);
}

static void ob_factory(struct board *b, uint32_t optr)
{
	for (int bank = 0; bank < 2; bank++) {
		ob_set(b, bank, OB_USER, bank ? 0xFFFFFFFFu : optr);  /* bank 2 slot 0 reserved */
		ob_set(b, bank, OB_PCROP_SR, 0xFFFFFFFFu);
		ob_set(b, bank, OB_PCROP_ER, 0x00000000u);
		ob_set(b, bank, OB_WRPA, WRP_NONE);  /* E.2: factory STRT=0xFF, END=0x00 */
		ob_set(b, bank, OB_WRPB, WRP_NONE);
	}
}

/* Option byte loading (OBL): registers take the programmed values (E.4). */
static void load_options(struct board *b)
{
	struct board_optregs *r = &b->regs;

	r->optr = ob_get(b, 0, OB_USER);
	for (int bank = 0; bank < 2; bank++) {
		r->pcrop_sr[bank] = ob_get(b, bank, OB_PCROP_SR);
		r->pcrop_er[bank] = ob_get(b, bank, OB_PCROP_ER);
		r->wrp[2 * bank] = ob_get(b, bank, OB_WRPA);
		r->wrp[2 * bank + 1] = ob_get(b, bank, OB_WRPB);
	}
}

/* ---- life cycle ---- */

static void layout(struct board *b)
{
	uint8_t *meta = b->store + b->flash_size;
	bool wide = b->prof.ob_size[0] > 0x40 || b->prof.ob_size[1] > 0x40;

	b->flash = b->store;
	b->ob[0] = meta + (wide ? BOARD_STATE_META_OB1_WIDE : BOARD_STATE_META_OB1);
	b->ob[1] = meta + (wide ? BOARD_STATE_META_OB2_WIDE : BOARD_STATE_META_OB2);
	b->otp_map = meta + BOARD_STATE_META_OTPMAP;
	b->otp = meta + BOARD_STATE_META_OTP;
	b->prog_map = meta + BOARD_STATE_META_PROGMAP;
}

/* A fresh or raw-image store gets its metadata; a known one is checked. */
static int init_meta(struct board *b, const struct board_config *cfg, size_t old_size)
{
	uint8_t *meta = b->store + b->flash_size;
	const size_t ml = sizeof BOARD_STATE_MAGIC - 1;

	uint32_t pid = b->prof.part->pid;

	if (old_size > b->flash_size && !memcmp(meta, BOARD_STATE_MAGIC, ml)) {
		uint32_t had = board_le32(meta + BOARD_STATE_META_PID);
		if ((had ? had : BOARD_DEFAULT_PID) != pid)
			return -1;   /* another part's state */
		return board_le32(meta + 12) == b->flash_size / 1024 ? 0 : -1;
	}
	if (old_size > b->flash_size)
		return -1;
	memset(b->flash + old_size, b->prof.erased, b->flash_size - old_size);
	memset(meta, 0, b->store_size - b->flash_size);
	memcpy(meta, BOARD_STATE_MAGIC, ml);
	board_put_le32(meta + 8, 1);
	board_put_le32(meta + 12, b->flash_size / 1024);
	board_put_le32(meta + BOARD_STATE_META_PID, pid);
	ob_factory(b, cfg->optr ? cfg->optr : b->prof.optr_factory);
	memset(b->otp, 0xFF, OTP_SIZE);
	board_rebuild_progmap(b);
	return 0;
}

static void power_up(struct board *b)
{
	b->pin[BOARD_PIN_BOOT0] = b->cfg.boot0_low ? 0 : 1;
	b->pin[BOARD_PIN_NRST] = 1;
	board_power_cycle(b);
	b->resets = 0;  /* power-up is not counted (board.h) */
	b->stats.resets = 0;
	b->busy_us = 0;
}

struct board *board_new(const struct board_config *cfg)
{
	struct board *b = calloc(1, sizeof *b);
	size_t old_size;

	if (!b)
		return NULL;
	b->cfg = *cfg;
	b->cfg.state_file = NULL;
	if (!board_profile_for(cfg->pid, cfg->flash_kb, &b->prof))
		goto fail;
	b->flash_size = b->prof.flash_size;
	b->cfg.flash_kb = b->flash_size / 1024;
	b->unit = b->prof.unit < DW ? b->prof.unit : DW;
	b->store_size = BOARD_STATE_SIZE_UNIT(b->flash_size, b->unit);
	b->sram = calloc(1, b->prof.sram_size);
	if (!b->sram || board_store_open(b, cfg->state_file, &old_size) < 0)
		goto fail;
	layout(b);
	if (init_meta(b, cfg, old_size) < 0)
		goto fail;
	power_up(b);
	return b;
fail:
	board_free(b);
	return NULL;
}

void board_free(struct board *b)
{
	if (!b)
		return;
	board_store_close(b);
	free(b->sram);
	free(b);
}

uint8_t board_bl_id(const struct board *b)
{
	return b->cfg.bl_id ? b->cfg.bl_id : b->prof.bl_id;  /* protocol-facts C: V9.5 on the L4R5 */
}

const struct sb_part *board_part(const struct board *b)
{
	return b->prof.part;
}

/* ---- geometry: the row's layout in the bank mode of the option word
 * (L4R5, C: dual 2 x 256 x 4 KB, single 256 x 8 KB) ---- */

static void lay_out(struct board *b)
{
	struct sb_geom g;

	if (board_profile_geom(&b->prof, b->regs.optr, &g) == SB_OK)
		b->geom = g;   /* a layout that cannot be: the last one stays */
}

bool board_dual_bank(const struct board *b)
{
	return b->geom.bank2 != 0;
}

uint32_t board_flash_size(const struct board *b)
{
	return b->flash_size;
}

uint32_t board_page_size(const struct board *b)
{
	return b->geom.nruns ? b->geom.run[0].size : 0;
}

uint32_t board_page_count(const struct board *b)
{
	return b->geom.npages;
}

bool board_page_span(const struct board *b, uint32_t page, uint32_t *off, uint32_t *size)
{
	uint32_t addr;

	if (!sb_geom_page_addr(&b->geom, page, &addr, size))
		return false;
	*off = addr - b->prof.flash_base;
	return true;
}

/* ---- protection ---- */

int board_rdp_level(const struct board *b)
{
	uint8_t rdp = b->regs.optr & OPTR_RDP_MASK;

	return rdp == RDP_LEVEL0 ? 0 : rdp == RDP_LEVEL2 ? 2 : 1;  /* A.6, E.4 */
}

uint32_t board_optr(const struct board *b)
{
	return b->regs.optr;
}

void board_stage_optr(struct board *b, uint32_t optr)
{
	ob_set(b, 0, OB_USER, optr);
}

int board_bank_bit(const struct board *b, bool *inverted)
{
	return board_profile_bank_bit(&b->prof, inverted);
}

static void stage_rdp(struct board *b, uint8_t rdp)
{
	ob_set(b, 0, OB_USER, (ob_get(b, 0, OB_USER) & ~OPTR_RDP_MASK) | rdp);
}

int board_rdp_set(struct board *b)
{
	stage_rdp(b, RDP_LEVEL1_SET);
	return BOARD_OK;
}

int board_rdp_clear(struct board *b)
{
	if (board_rdp_level(b) == 2)
		return BOARD_ERDP;  /* level 2 is irreversible (A.6) */
	/* E.4: RDP 1 -> 0 mass-erases the flash, whatever WRP says */
	board_erase_range(b, 0, b->flash_size);
	b->busy_us += MASS_ERASE_US;
	b->stats.mass_erases++;
	stage_rdp(b, RDP_LEVEL0);
	b->wipe_sram = true;  /* A.5: "all SRAM erased" */
	return BOARD_OK;
}

static uint32_t wrp_pages_per_area_bank(const struct board *b)
{
	return board_dual_bank(b) ? board_page_count(b) / 2 : board_page_count(b);
}

/* Collect contiguous runs of listed pages into WRP area words. */
static int wrp_runs(const struct board *b, const uint8_t *pages, size_t n, uint32_t area[4])
{
	bool set[256] = { false };
	unsigned nareas = board_dual_bank(b) ? 2 : 4, used = 0;

	for (size_t i = 0; i < n; i++) {
		if (pages[i] >= wrp_pages_per_area_bank(b))
			return BOARD_EADDR;
		set[pages[i]] = true;
	}
	for (unsigned i = 0; i < 4; i++)
		area[i] = WRP_NONE;
	for (unsigned p = 0; p < 256; p++) {
		unsigned start = p;

		if (!set[p])
			continue;
		while (p + 1 < 256 && set[p + 1])
			p++;
		if (used == nareas)
			return BOARD_EADDR;
		area[used++] = start | (uint32_t)p << 16;  /* E.2: STRT b7:0, END b23:16 */
	}
	return used ? BOARD_OK : BOARD_EADDR;
}

int board_wrp_set(struct board *b, const uint8_t *pages, size_t n)
{
	uint32_t area[4];
	int st = wrp_runs(b, pages, n, area);

	if (st != BOARD_OK)
		return st;
	ob_set(b, 0, OB_WRPA, area[0]);
	ob_set(b, 0, OB_WRPB, area[1]);
	ob_set(b, 1, OB_WRPA, area[2]);
	ob_set(b, 1, OB_WRPB, area[3]);
	return BOARD_OK;
}

int board_wrp_clear(struct board *b)
{
	for (int bank = 0; bank < 2; bank++) {
		ob_set(b, bank, OB_WRPA, WRP_NONE);
		ob_set(b, bank, OB_WRPB, WRP_NONE);
	}
	return BOARD_OK;
}

static bool wrp_covers(uint32_t wrp, uint32_t idx)
{
	uint32_t strt = wrp & 0xFF, end = (wrp >> 16) & 0xFF;

	return strt <= end && idx >= strt && idx <= end;  /* E.2 */
}

bool board_page_protected(const struct board *b, uint32_t page)
{
	uint32_t ppb = wrp_pages_per_area_bank(b);
	unsigned first = 0, last = 3;  /* single bank: all four areas (E.2) */

	if (board_dual_bank(b)) {
		first = page < ppb ? 0 : 2;
		last = first + 1;
		page %= ppb;
	}
	for (unsigned a = first; a <= last; a++)
		if (wrp_covers(b->regs.wrp[a], page))
			return true;
	return false;
}

/* ---- reset and boot selection ---- */

static bool sp_valid(const struct board *b, uint32_t off)
{
	uint32_t sp = board_le32(b->flash + off);

	return sp >= b->prof.sram_base && sp <= b->prof.sram_base + b->prof.sram_size;
}

/* C "BFB2": the ROM checks bank 2's then bank 1's initial SP. */
static void boot_bfb2(struct board *b)
{
	uint32_t bank2 = b->geom.bank2 - b->prof.flash_base;

	b->mode = BOARD_MODE_APP;
	if (sp_valid(b, bank2))
		b->app_entry = b->prof.flash_base + bank2;
	else if (sp_valid(b, 0))
		b->app_entry = b->prof.flash_base;
	else
		b->mode = BOARD_MODE_ROM;
}

static int effective_boot0(const struct board *b)
{
	/* C "Boot selection": nSWBOOT0=1 -> pin, else the nBOOT0 bit (negated) */
	if (b->regs.optr & OPTR_NSWBOOT0)
		return b->pin[BOARD_PIN_BOOT0];
	return !(b->regs.optr & OPTR_NBOOT0);
}

static void choose_mode(struct board *b)
{
	b->mode = BOARD_MODE_APP;
	b->app_entry = b->prof.flash_base;
	if (!b->pin[BOARD_PIN_NRST])
		b->mode = BOARD_MODE_RESET;
	else if (board_rdp_level(b) == 2)
		return;  /* A.6: level 2 cannot enter the ROM (INF) */
	else if (effective_boot0(b))
		b->mode = (b->regs.optr & OPTR_NBOOT1) ? BOARD_MODE_ROM : BOARD_MODE_APP;
	else if (b->pempty)
		b->mode = BOARD_MODE_ROM;  /* C "Empty check" */
	else if ((b->regs.optr & OPTR_BFB2) && board_dual_bank(b))
		boot_bfb2(b);
	if (b->mode == BOARD_MODE_APP && effective_boot0(b))
		b->app_entry = b->prof.sram_base;  /* BOOT0=1, nBOOT1=0: SRAM1 boot */
}

static void do_reset(struct board *b, bool load)
{
	if (load) {
		load_options(b);
		lay_out(b);
		b->pempty = board_le32(b->flash) == (b->prof.erased ? 0xFFFFFFFFu : 0);
	}
	if (b->wipe_sram) {
		memset(b->sram, 0, b->prof.sram_size);
		b->wipe_sram = false;
	}
	b->resets++;
	b->stats.resets++;
	choose_mode(b);
}

void board_reset(struct board *b)
{
	do_reset(b, true);
}

void board_power_cycle(struct board *b)
{
	do_reset(b, true);
}

bool board_pempty(const struct board *b)
{
	return b->pempty;
}

void board_set_pin(struct board *b, enum board_pin pin, int level)
{
	int old = b->pin[pin];

	b->pin[pin] = level ? 1 : 0;
	if (pin != BOARD_PIN_NRST || old == b->pin[pin])
		return;
	if (!level)
		b->mode = BOARD_MODE_RESET;
	else
		do_reset(b, !b->cfg.pempty_por_only);
}

int board_get_pin(const struct board *b, enum board_pin pin)
{
	return b->pin[pin];
}

enum board_mode board_mode(const struct board *b)
{
	return b->mode;
}

unsigned board_reset_count(const struct board *b)
{
	return b->resets;
}

bool board_go(struct board *b, uint32_t addr)
{
	const struct board_profile *p = &b->prof;
	bool flash = addr >= p->flash_base && addr - p->flash_base < b->flash_size;
	bool sram = addr >= p->sram_base && addr - p->sram_base < p->sram_size;

	if (!flash && !sram)
		return false;  /* A.5 Go: flash or SRAM only */
	b->mode = BOARD_MODE_APP;
	b->app_entry = addr;
	return true;
}

/* The application's own way into the ROM loader (a flag, a system reset,
 * and a jump to system memory first thing): a reset that ends in the ROM
 * whatever BOOT0 says. Only from the application; NRST low wins. */
bool board_enter_rom(struct board *b)
{
	if (b->mode != BOARD_MODE_APP)
		return false;
	do_reset(b, true);
	if (b->mode == BOARD_MODE_APP)
		b->mode = BOARD_MODE_ROM;
	return b->mode == BOARD_MODE_ROM;
}

uint32_t board_app_entry(const struct board *b)
{
	return b->app_entry;
}

/* ---- timing and statistics ---- */

uint64_t board_take_busy_us(struct board *b)
{
	uint64_t t = b->busy_us;

	b->busy_us = 0;
	return t;
}

void board_stats(const struct board *b, struct board_stats *out)
{
	*out = b->stats;
}

const char *board_status_str(int status)
{
	switch (status) {
	case BOARD_OK: return "ok";
	case BOARD_EADDR: return "address not allowed";
	case BOARD_EALIGN: return "misaligned";
	case BOARD_EPROG: return "double-word not erased (PROGERR)";
	case BOARD_EWRP: return "page write-protected (WRPERR)";
	case BOARD_ERDP: return "read protection active";
	}
	return "unknown status";
}
