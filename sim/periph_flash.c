/* SPDX-License-Identifier: MIT */
/*
 * periph_flash.c - the FLASH interface (registers at 0x40022000, memory at
 * 0x08000000) as code sees it: RM0432 3.3 (operations) and 3.7
 * (registers), protocol-facts E.2/E.3. Programming and erasing act on the
 * struct board the ROM side uses, with its rules: double-words programmable
 * once per erase (board "programmed" map), WRP areas, bank modes, busy times.
 *
 * Where RM0432 leaves a trigger open the model is strict (marked INF): the
 * loader must then be right on either reading of the real part.
 */
#include <string.h>

#include "mcu_priv.h"

#define F_ACR 0x00u
#define F_KEYR 0x08u
#define F_OPTKEYR 0x0Cu
#define F_SR 0x10u
#define F_CR 0x14u
#define F_OPTR 0x20u

#define KEY1 0x45670123u            /* protocol-facts E.2, RM0432 3.3.5 */
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu

/* SR, RM0432 3.7.5 / protocol-facts E.2 */
#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_MISERR (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY (1u << 16)
#define SR_PEMPTY (1u << 17)
#define SR_W1C 0xC3FBu              /* EOP..FASTERR, RDERR, OPTVERR: write 1 to clear */
#define SR_PROG_ERRS (SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISERR | \
		      SR_FASTERR)

/* CR, RM0432 3.7.6 / protocol-facts E.2 */
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER1 (1u << 2)
#define CR_BKER (1u << 11)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_OPTSTRT (1u << 17)
#define CR_FSTPG (1u << 18)
#define CR_EOPIE (1u << 24)
#define CR_ERRIE (1u << 25)
#define CR_OBL_LAUNCH (1u << 27)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK (1u << 31)
#define CR_RESET (CR_LOCK | CR_OPTLOCK)

void flash_reset(struct mcu *m)
{
	m->fl = (struct mcu_flash){ .acr = 0x00000600u, .cr = CR_RESET };  /* RM0432 3.7.1/3.7.6 */
}

static bool busy(const struct mcu *m)
{
	return m->fl.op_active && m->fl.busy_until > m->now;
}

/* End of an operation: BSY falls, STRT with it, EOP if EOPIE (RM0432 3.7.5). */
void flash_sync(struct mcu *m)
{
	if (m->fl.op_active && !busy(m)) {
		m->fl.op_active = false;
		m->fl.cr &= ~CR_STRT;
		if (m->fl.op_pending_eop)
			m->fl.sr |= SR_EOP;
		m->fl.op_pending_eop = false;
	}
}

uint64_t flash_next_event(const struct mcu *m)
{
	return busy(m) ? m->fl.busy_until : UINT64_MAX;
}

/* An operation finished on the board: BSY for its busy time (timing model). */
static void op_done(struct mcu *m, uint32_t err)
{
	uint64_t us = board_take_busy_us(m->b);

	if (err) {
		m->fl.sr |= err | (m->fl.cr & CR_ERRIE ? SR_OPERR : 0);  /* OPERR only with ERRIE */
		m->fl.cr &= ~CR_STRT;
		return;
	}
	m->fl.op_pending_eop = (m->fl.cr & CR_EOPIE) != 0;  /* EOP only with EOPIE (3.7.5) */
	m->fl.op_active = true;
	m->fl.busy_until = m->now + (m->cfg.timing ? us * 1000u : 0);
	flash_sync(m);  /* without the timing model: done at once */
}

static uint32_t board_err(struct mcu *m, int st, const char *what, uint32_t where)
{
	switch (st) {
	case BOARD_OK: return 0;
	case BOARD_EWRP:
		mcu_log(m, "FLASH: %s 0x%X: write-protected page (WRPERR)", what, (unsigned)where);
		return SR_WRPERR;
	case BOARD_EPROG:
		mcu_log(m, "FLASH: %s 0x%08X: double-word not erased (PROGERR)", what, (unsigned)where);
		return SR_PROGERR;
	}
	mcu_log(m, "FLASH: %s 0x%X: %s (PGSERR)", what, (unsigned)where, board_status_str(st));
	return SR_PGSERR;
}

/* ---- erase (RM0432 3.3.6) ---- */

static uint32_t page_erase(struct mcu *m)
{
	uint32_t cr = m->fl.cr, pnb = (cr >> 3) & 0xFF, per_bank = board_page_count(m->b);
	bool bker = cr & CR_BKER;

	if (board_dual_bank(m->b))
		per_bank /= 2;
	else if (bker) {
		mcu_log(m, "FLASH: BKER set in single-bank mode (PGSERR, INF)");
		return SR_PGSERR;
	}
	if (pnb >= per_bank) {
		mcu_log(m, "FLASH: PNB %u beyond the bank's %u pages (PGSERR, INF)", (unsigned)pnb,
			(unsigned)per_bank);
		return SR_PGSERR;
	}
	mcu_log(m, "FLASH: page erase %u%s", (unsigned)pnb, bker ? " bank 2" : "");
	return board_err(m, board_erase_page(m->b, pnb + (bker ? per_bank : 0)), "erase page",
			 pnb + (bker ? per_bank : 0));
}

static uint32_t mass_erase(struct mcu *m)
{
	bool m1 = m->fl.cr & CR_MER1, m2 = m->fl.cr & CR_MER2;
	int bank = m1 && m2 ? 0 : m1 ? 1 : 2;

	if (!board_dual_bank(m->b) && bank) {
		mcu_log(m, "FLASH: single-bank mass erase needs MER1 and MER2 (PGSERR, INF)");
		return SR_PGSERR;  /* protocol-facts E.3 */
	}
	mcu_log(m, "FLASH: mass erase %s", bank ? (bank == 1 ? "bank 1" : "bank 2") : "all");
	return board_err(m, board_mass_erase(m->b, bank), "mass erase bank", (uint32_t)bank);
}

static void start_erase(struct mcu *m)
{
	uint32_t cr = m->fl.cr, ops = !!(cr & CR_PG) + !!(cr & CR_PER) + !!(cr & (CR_MER1 | CR_MER2)) +
				    !!(cr & CR_FSTPG);

	if (m->fl.sr & SR_PROG_ERRS || busy(m) || ops != 1 || (cr & (CR_PG | CR_FSTPG))) {
		/* 3.3.6: flags of a previous operation not cleared, BSY, or not exactly
		 * one of PER / MERx chosen (INF for the last two) */
		mcu_log(m, "FLASH: STRT refused (PGSERR): %s", busy(m) ? "BSY" : ops != 1 ||
			(cr & (CR_PG | CR_FSTPG)) ? "not exactly one of PER/MER1/MER2" :
			"error flags of an earlier operation not cleared");
		op_done(m, SR_PGSERR);
		return;
	}
	op_done(m, cr & CR_PER ? page_erase(m) : mass_erase(m));
}

/* ---- programming (RM0432 3.3.7: a double-word by two 32-bit writes) ---- */

static void program_dw(struct mcu *m)
{
	int st = board_write(m->b, 0x08000000u + m->fl.dw_addr, m->fl.dw_data, 8);

	m->fl.dw_open = false;
	op_done(m, board_err(m, st, "program", 0x08000000u + m->fl.dw_addr));
}

static uint32_t prog_check(struct mcu *m, uint32_t off, unsigned size)
{
	uint32_t cr = m->fl.cr;

	if (!(cr & CR_PG) || (cr & CR_LOCK)) {
		mcu_log(m, "FLASH: write 0x%08X without PG set (PGSERR, INF)", 0x08000000u + off);
		return SR_PGSERR;
	}
	if (cr & CR_FSTPG) {
		mcu_log(m, "FLASH: fast programming (FSTPG) is not modelled (PGSERR)");
		return SR_PGSERR;
	}
	if (size != 4) {
		mcu_log(m, "FLASH: %u-byte write to flash while programming (SIZERR)", size);
		return SR_SIZERR;  /* 3.7.5 SIZERR: byte or half-word access */
	}
	if (off & 3)
		return SR_PGAERR;
	if (!m->fl.dw_open && (m->fl.sr & SR_PROG_ERRS)) {
		mcu_log(m, "FLASH: programming with error flags not cleared (PGSERR)");
		return SR_PGSERR;  /* 3.3.7 step 2 */
	}
	return 0;
}

int flash_mem_write(struct mcu *m, uint32_t off, unsigned size, uint32_t val)
{
	uint32_t dw = off & ~7u, half = (off >> 2) & 1, err;

	if (busy(m))
		mcu_advance_to(m, m->fl.busy_until);  /* the bus waits while BSY (3.3.7) */
	flash_sync(m);
	if ((err = prog_check(m, off, size)) != 0) {
		m->fl.dw_open = false;
		op_done(m, err);
		return MCU_OK;
	}
	if (m->fl.dw_open && (m->fl.dw_addr != dw || (m->fl.dw_have & (1u << half)))) {
		/* 3.7.5 PGAERR: the data is not within one double-word */
		mcu_log(m, "FLASH: write 0x%08X leaves the double-word at 0x%08X (PGAERR)",
			0x08000000u + off, 0x08000000u + m->fl.dw_addr);
		m->fl.dw_open = false;
		op_done(m, SR_PGAERR);
		return MCU_OK;
	}
	if (!m->fl.dw_open) {
		m->fl.dw_open = true;
		m->fl.dw_addr = dw;
		m->fl.dw_have = 0;
	}
	for (unsigned i = 0; i < 4; i++)
		m->fl.dw_data[4 * half + i] = (uint8_t)(val >> (8 * i));
	m->fl.dw_have |= (uint8_t)(1u << half);
	if (m->fl.dw_have == 3)
		program_dw(m);
	return MCU_OK;
}

int flash_mem_read(struct mcu *m, uint32_t off, unsigned size, uint32_t *val)
{
	uint8_t buf[4] = { 0 };
	int st;

	if (busy(m))
		mcu_advance_to(m, m->fl.busy_until);  /* reads wait for the operation too */
	flash_sync(m);
	st = board_read(m->b, 0x08000000u + off, buf, size);
	if (st != BOARD_OK)
		return mcu_bus_fault(m, "read 0x%08X: %s", 0x08000000u + off, board_status_str(st));
	*val = mcu_le_bytes(buf, size);
	return MCU_OK;
}

/* ---- registers ---- */

static int wrong_key(struct mcu *m, const char *reg, uint32_t val)
{
	m->fl.cr_frozen = true;
	m->fl.cr |= CR_LOCK | CR_OPTLOCK;
	/* RM0432 3.3.5: a wrong sequence locks FLASH_CR until the next reset and
	 * raises a bus error (HardFault) */
	return mcu_bus_fault(m, "%s: wrong key sequence (0x%08X): FLASH_CR locked until reset, "
			     "bus error (RM0432 3.3.5)", reg, (unsigned)val);
}

/* Two keys in order clear lock_bit (RM0432 3.3.5, 3.4.2); anything else is
 * a wrong sequence. */
static int key_sequence(struct mcu *m, const char *reg, int *step, uint32_t k1, uint32_t k2,
			uint32_t lock_bit, uint32_t val)
{
	if (*step == 0 && val == k1) {
		*step = 1;
		return MCU_OK;
	}
	if (*step == 1 && val == k2) {
		*step = 0;
		m->fl.cr &= ~lock_bit;
		return MCU_OK;
	}
	return wrong_key(m, reg, val);
}

static int write_keyr(struct mcu *m, uint32_t val)
{
	if (m->fl.cr_frozen || !(m->fl.cr & CR_LOCK))
		return wrong_key(m, "FLASH_KEYR", val);  /* a key while unlocked: INF */
	return key_sequence(m, "FLASH_KEYR", &m->fl.key_step, KEY1, KEY2, CR_LOCK, val);
}

static int write_optkeyr(struct mcu *m, uint32_t val)
{
	if (m->fl.cr_frozen || (m->fl.cr & CR_LOCK) || !(m->fl.cr & CR_OPTLOCK))
		return wrong_key(m, "FLASH_OPTKEYR", val);  /* 3.4.2: only after KEYR */
	return key_sequence(m, "FLASH_OPTKEYR", &m->fl.optkey_step, OPTKEY1, OPTKEY2, CR_OPTLOCK, val);
}

static void write_cr(struct mcu *m, uint32_t val)
{
	uint32_t keep = m->fl.cr & (CR_LOCK | CR_OPTLOCK | CR_STRT);

	if (m->fl.cr & CR_LOCK) {
		mcu_log(m, "FLASH: CR written while LOCK is set: ignored (RM0432 3.7.6)");
		return;
	}
	if (m->fl.dw_open && !(val & CR_PG)) {
		mcu_log(m, "FLASH: PG cleared with half a double-word written (PGSERR, INF)");
		m->fl.dw_open = false;
		m->fl.sr |= SR_PGSERR;
	}
	m->fl.cr = (val & ~(CR_LOCK | CR_OPTLOCK | CR_STRT | CR_OPTSTRT | CR_OBL_LAUNCH)) | keep;
	if (val & CR_OPTLOCK)
		m->fl.cr |= CR_OPTLOCK;
	if ((val & CR_STRT) && !(keep & CR_STRT)) {
		m->fl.cr |= CR_STRT;
		start_erase(m);
	}
	if ((val & CR_OPTSTRT) && !(m->fl.cr & CR_OPTLOCK))
		mcu_log(m, "FLASH: OPTSTRT refused: option-byte programming from code is not modelled");
	if ((val & CR_OBL_LAUNCH) && !(m->fl.cr & CR_OPTLOCK)) {
		mcu_log(m, "FLASH: OBL_LAUNCH: option bytes reloaded, system reset");
		m->reset_req = true;  /* 3.4.2: forces the option byte loading (a reset) */
	}
	if (val & CR_LOCK) {
		m->fl.cr |= CR_LOCK | CR_OPTLOCK;  /* LOCK also sets OPTLOCK (3.7.6) */
		m->fl.key_step = 0;
	}
}

int flash_reg_read(struct mcu *m, uint32_t off, uint32_t *val)
{
	uint8_t buf[4];

	switch (off) {
	case F_ACR:
		*val = m->fl.acr;
		return MCU_OK;
	case F_SR:
		*val = m->fl.sr | (busy(m) ? SR_BSY : 0) | (board_pempty(m->b) ? SR_PEMPTY : 0);
		mcu_status_read(m, 0x40022000u + off, *val);
		return MCU_OK;
	case F_CR:
		*val = m->fl.cr;
		return MCU_OK;
	}
	/* OPTR, PCROP, WRP: the values loaded from the option bytes (E.2) */
	if (off >= F_OPTR && board_read(m->b, 0x40022000u + off, buf, 4) == BOARD_OK)
		*val = mcu_le_bytes(buf, 4);
	else
		*val = 0;
	return MCU_OK;
}

int flash_reg_write(struct mcu *m, uint32_t off, uint32_t val)
{
	switch (off) {
	case F_ACR:
		m->fl.acr = val & 0x7F0Fu;  /* LATENCY, PRFTEN, ICEN, DCEN, ... (3.7.1) */
		return MCU_OK;
	case F_KEYR:
		return write_keyr(m, val);
	case F_OPTKEYR:
		return write_optkeyr(m, val);
	case F_SR:
		m->fl.sr &= ~(val & SR_W1C);
		return MCU_OK;
	case F_CR:
		write_cr(m, val);
		return MCU_OK;
	}
	if (off >= F_OPTR && off < 0x54u)
		mcu_log(m, "FLASH: option register 0x%02X written: option-byte programming from code "
			"is not modelled (ignored)", (unsigned)off);
	return MCU_OK;
}
