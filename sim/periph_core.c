/* SPDX-License-Identifier: MIT */
/*
 * periph_core.c - the Cortex-M4 core peripherals code may use (ARMv7-M ARM
 * B3.2-B3.4, C1.8): SCB (CPUID, VTOR, AIRCR with SYSRESETREQ, CPACR, ...),
 * SysTick counting in core cycles, DWT_CYCCNT, and DBGMCU_IDCODE
 * (protocol-facts E.1). Exceptions and interrupts are not modelled: the NVIC
 * registers are plain storage and an enabled SysTick interrupt is only
 * logged. Other system-control-space words read as zero and ignore writes;
 * the rest of the private peripheral bus is a bus fault.
 */
#include "mcu_priv.h"

#define DWT_CTRL 0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define SCS 0xE000E000u
#define SYST_CSR 0xE000E010u
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define SYST_CALIB 0xE000E01Cu
#define NVIC_BASE 0xE000E100u
#define CPUID 0xE000ED00u
#define VTOR 0xE000ED08u
#define AIRCR 0xE000ED0Cu
#define SCR 0xE000ED10u
#define CCR 0xE000ED14u
#define CPACR 0xE000ED88u
#define DEMCR 0xE000EDFCu
#define IDCODE 0xE0042000u

#define CPUID_M4 0x410FC241u         /* Cortex-M4 r0p1 (ARM DDI 0439 4.3.1) */
#define AIRCR_VECTKEY 0x05FAu        /* B3.2.6 */
#define AIRCR_SYSRESETREQ (1u << 2)
#define CSR_ENABLE (1u << 0)
#define CSR_TICKINT (1u << 1)
#define CSR_CLKSOURCE (1u << 2)
#define CSR_COUNTFLAG (1u << 16)
#define DEMCR_TRCENA (1u << 24)

void core_reset(struct mcu *m)
{
	m->core = (struct mcu_core){ .ccr = 0x00000200u };  /* STKALIGN (B3.2.8) */
}

/* ---- SysTick (B3.3): counts HCLK (CLKSOURCE=1) or HCLK/8 (STM32 reference) ---- */

static uint64_t stk_ticks(const struct mcu *m)
{
	uint64_t div = m->core.stk_ctrl & CSR_CLKSOURCE ? 1 : 8;

	return (m->cycles - m->core.stk_mark) / div;
}

/* Position in the reload period and zero events (1 -> 0 transitions) so far. */
static uint64_t stk_elapsed(const struct mcu *m)
{
	uint32_t load = m->core.stk_load, v0 = m->core.stk_val0;
	uint64_t e0 = v0 > load ? 0 : load - v0;

	return e0 + (m->core.stk_ctrl & CSR_ENABLE ? stk_ticks(m) : 0);
}

static uint64_t stk_zeros(const struct mcu *m, uint64_t e)
{
	uint64_t load = m->core.stk_load;

	return load && e >= load ? (e - load) / (load + 1) + 1 : 0;
}

static uint32_t stk_value(const struct mcu *m)
{
	uint64_t load = m->core.stk_load;

	return load ? (uint32_t)(load - stk_elapsed(m) % (load + 1)) : 0;
}

/* Zero events up to now count from here on (after any change of the counter). */
static void stk_baseline(struct mcu *m)
{
	m->core.stk_wraps_seen = stk_zeros(m, stk_elapsed(m));
}

/* Re-base the counter at its current value, keeping a pending COUNTFLAG. */
static void stk_rebase(struct mcu *m)
{
	m->core.stk_flag |= stk_zeros(m, stk_elapsed(m)) > m->core.stk_wraps_seen;
	m->core.stk_val0 = stk_value(m);
	m->core.stk_mark = m->cycles;
	stk_baseline(m);
}

static uint32_t stk_csr_read(struct mcu *m)
{
	bool flag = m->core.stk_flag || stk_zeros(m, stk_elapsed(m)) > m->core.stk_wraps_seen;

	m->core.stk_flag = false;  /* COUNTFLAG clears when read */
	stk_baseline(m);
	return m->core.stk_ctrl | (flag ? CSR_COUNTFLAG : 0);
}

static void stk_csr_write(struct mcu *m, uint32_t val)
{
	stk_rebase(m);
	m->core.stk_ctrl = val & (CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE);
	stk_baseline(m);
	if ((val & CSR_TICKINT) && (val & CSR_ENABLE) && !m->core.warned_irq) {
		mcu_log(m, "SysTick: TICKINT set, but interrupts are not modelled: no exception");
		m->core.warned_irq = true;
	}
}

static void stk_rvr_write(struct mcu *m, uint32_t val)
{
	stk_rebase(m);
	m->core.stk_load = val & 0xFFFFFFu;
	stk_baseline(m);
}

static void stk_cvr_write(struct mcu *m)
{
	m->core.stk_val0 = 0;  /* B3.3.4: any write clears it and COUNTFLAG */
	m->core.stk_mark = m->cycles;
	m->core.stk_flag = false;
	stk_baseline(m);
}

/* ---- DWT_CYCCNT (C1.8.8): counts with CYCCNTENA and DEMCR.TRCENA ---- */

static bool cyc_counting(const struct mcu *m)
{
	return (m->core.dwt_ctrl & 1) && (m->core.demcr & DEMCR_TRCENA);
}

static uint32_t cyccnt(const struct mcu *m)
{
	return m->core.cyccnt0 + (cyc_counting(m) ? (uint32_t)(m->cycles - m->core.cyc_mark) : 0);
}

static void cyc_set(struct mcu *m, uint32_t v)
{
	m->core.cyccnt0 = v;
	m->core.cyc_mark = m->cycles;
}

/* ---- registers ---- */

static uint32_t *nvic_reg(struct mcu *m, uint32_t addr)
{
	return addr >= NVIC_BASE && addr < NVIC_BASE + 4 * 0x100u ? &m->core.nvic[(addr - NVIC_BASE) / 4]
								   : NULL;
}

static bool in_scs(uint32_t addr)
{
	return addr >= SCS && addr < SCS + 0x1000u;
}

static int timer_read(struct mcu *m, uint32_t addr, uint32_t *val)
{
	m->timer_read = true;
	switch (addr) {
	case SYST_CSR: *val = stk_csr_read(m); break;
	case SYST_CVR: *val = stk_value(m); break;
	default: *val = cyccnt(m); break;
	}
	return MCU_OK;
}

int core_read(struct mcu *m, uint32_t addr, uint32_t *val)
{
	uint32_t *n = nvic_reg(m, addr);
	uint8_t id[4];

	*val = 0;
	switch (addr) {
	case SYST_CSR: case SYST_CVR: case DWT_CYCCNT: return timer_read(m, addr, val);
	case DWT_CTRL: *val = 0x40000000u | m->core.dwt_ctrl; return MCU_OK;  /* NUMCOMP 4 */
	case SYST_RVR: *val = m->core.stk_load; return MCU_OK;
	case SYST_CALIB: *val = 0; return MCU_OK;
	case CPUID: *val = CPUID_M4; return MCU_OK;
	case VTOR: *val = m->core.vtor; return MCU_OK;
	case AIRCR: *val = 0xFA050000u | m->core.prigroup << 8; return MCU_OK;
	case SCR: *val = m->core.scr; return MCU_OK;
	case CCR: *val = m->core.ccr; return MCU_OK;
	case CPACR: *val = m->core.cpacr; return MCU_OK;
	case DEMCR: *val = m->core.demcr; return MCU_OK;
	case IDCODE:
		if (board_read(m->b, IDCODE, id, 4) == BOARD_OK)
			*val = mcu_le_bytes(id, 4);
		return MCU_OK;
	}
	if (n)
		*val = *n;
	else if (!in_scs(addr))
		return mcu_bus_fault(m, "read 0x%08X: no modelled core peripheral there", addr);
	return MCU_OK;
}

static void write_aircr(struct mcu *m, uint32_t val)
{
	if (val >> 16 != AIRCR_VECTKEY)
		return;  /* B3.2.6: writes without VECTKEY are ignored */
	m->core.prigroup = (val >> 8) & 7;
	if (val & AIRCR_SYSRESETREQ)
		m->reset_req = true;
}

static void write_dwt_ctrl(struct mcu *m, uint32_t val)
{
	cyc_set(m, cyccnt(m));
	m->core.dwt_ctrl = val & 1;  /* CYCCNTENA; the other DWT features are not modelled */
}

static void write_demcr(struct mcu *m, uint32_t val)
{
	cyc_set(m, cyccnt(m));
	m->core.demcr = val;
}

int core_write(struct mcu *m, uint32_t addr, uint32_t val)
{
	uint32_t *n = nvic_reg(m, addr);

	switch (addr) {
	case SYST_CSR: stk_csr_write(m, val); return MCU_OK;
	case SYST_RVR: stk_rvr_write(m, val); return MCU_OK;
	case SYST_CVR: stk_cvr_write(m); return MCU_OK;
	case DWT_CTRL: write_dwt_ctrl(m, val); return MCU_OK;
	case DWT_CYCCNT: cyc_set(m, val); return MCU_OK;
	case VTOR: m->core.vtor = val & 0xFFFFFF80u; return MCU_OK;
	case AIRCR: write_aircr(m, val); return MCU_OK;
	case SCR: m->core.scr = val; return MCU_OK;
	case CCR: m->core.ccr = val; return MCU_OK;
	case CPACR: m->core.cpacr = val; return MCU_OK;
	case DEMCR: write_demcr(m, val); return MCU_OK;
	}
	if (n)
		*n = val;
	else if (!in_scs(addr))
		return mcu_bus_fault(m, "write 0x%08X: no modelled core peripheral there", addr);
	return MCU_OK;
}
