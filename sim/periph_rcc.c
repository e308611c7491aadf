/* SPDX-License-Identifier: MIT */
/*
 * periph_rcc.c - RCC (0x40021000), RM0432 chapter 6: the registers that
 * decide the clocks the code runs on and the USART kernel clocks: CR,
 * CFGR, PLLCFGR, CCIPR, CSR, the bus clock enables and resets. Oscillators
 * are ready at once (start-up times are not modelled); a source that is off
 * cannot be switched to. Other RCC registers are plain storage.
 */
#include "mcu_priv.h"

#define R_CR 0x00u
#define R_ICSCR 0x04u
#define R_CFGR 0x08u
#define R_PLLCFGR 0x0Cu
#define R_PLLSAI1 0x10u
#define R_PLLSAI2 0x14u
#define R_AHB1ENR 0x48u
#define R_APB1RSTR1 0x38u
#define R_APB2RSTR 0x40u
#define R_APB1ENR1 0x58u
#define R_APB2ENR 0x60u
#define R_CCIPR 0x88u
#define R_CSR 0x94u

/* CR bits, RM0432 6.4.1 */
#define CR_MSION (1u << 0)
#define CR_MSIRDY (1u << 1)
#define CR_MSIRGSEL (1u << 3)
#define CR_HSION (1u << 8)
#define CR_HSIRDY (1u << 10)
#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define CR_RDY_MASK (CR_MSIRDY | CR_HSIRDY | CR_HSERDY | CR_PLLRDY | (1u << 27) | (1u << 29))

#define PLL_REN (1u << 24)           /* PLLCFGR.PLLREN, RM0432 6.4.4 */

/* USARTxEN / USARTxRST bit and register, RM0432 6.4.17/6.4.19/6.4.22/6.4.24 */
static uint32_t usart_bit(unsigned n)
{
	return n == 1 ? 1u << 14 : n == 2 ? 1u << 17 : 1u << 18;
}

static uint32_t *reg(struct mcu *m, uint32_t off)
{
	return &m->rcc.r[off / 4];
}

void rcc_reset(struct mcu *m)
{
	for (unsigned i = 0; i < RCC_NREG; i++)
		m->rcc.r[i] = 0;
	/* RM0432 6.4 reset values */
	*reg(m, R_CR) = 0x00000063u;        /* MSI on and ready, range 6 (4 MHz) */
	*reg(m, R_ICSCR) = 0x40000000u;     /* HSITRIM 0x40; calibration values 0 here */
	*reg(m, R_PLLCFGR) = 0x00001000u;   /* PLLN = 16 */
	*reg(m, R_PLLSAI1) = 0x00001000u;
	*reg(m, R_PLLSAI2) = 0x00001000u;
	*reg(m, R_AHB1ENR) = 0x00000100u;   /* FLASHEN */
	*reg(m, R_CSR) = 0x0C000600u;       /* MSISRANGE 6, PINRSTF, BORRSTF */
}

/* ---- clock tree ---- */

static uint32_t msi_hz(const struct mcu *m)
{
	static const uint32_t khz[12] = { 100, 200, 400, 800, 1000, 2000, 4000, 8000,
					  16000, 24000, 32000, 48000 };  /* RM0432 6.4.1 */
	uint32_t cr = m->rcc.r[R_CR / 4];
	unsigned range = cr & CR_MSIRGSEL ? (cr >> 4) & 0xF : (m->rcc.r[R_CSR / 4] >> 8) & 0xF;

	return range < 12 ? khz[range] * 1000u : 0;
}

static uint32_t hse_hz(const struct mcu *m)
{
	const struct mcu_clock *c = &m->cfg.rom_clock;

	return c->src == MCU_CLK_HSE ? c->mhz * 1000000u : 0;  /* a crystal only with hseN */
}

static uint32_t pll_in_hz(const struct mcu *m)
{
	switch (m->rcc.r[R_PLLCFGR / 4] & 3) {  /* PLLSRC, RM0432 6.4.4 */
	case 1: return msi_hz(m);
	case 2: return MCU_HSI16_HZ;
	case 3: return hse_hz(m);
	}
	return 0;
}

static uint32_t pll_r_hz(const struct mcu *m)
{
	uint32_t p = m->rcc.r[R_PLLCFGR / 4];
	uint64_t vco = (uint64_t)pll_in_hz(m) / (((p >> 4) & 0xF) + 1) * ((p >> 8) & 0x7F);

	return (uint32_t)(vco / (2 * (((p >> 25) & 3) + 1)));  /* PLLR: /2, /4, /6, /8 */
}

uint32_t rcc_sysclk(const struct mcu *m)
{
	switch ((m->rcc.r[R_CFGR / 4] >> 2) & 3) {  /* SWS, RM0432 6.4.3 */
	case 0: return msi_hz(m);
	case 1: return MCU_HSI16_HZ;
	case 2: return hse_hz(m);
	}
	return pll_r_hz(m);
}

uint32_t rcc_hclk(const struct mcu *m)
{
	unsigned hpre = (m->rcc.r[R_CFGR / 4] >> 4) & 0xF;
	static const unsigned shift[8] = { 1, 2, 3, 4, 6, 7, 8, 9 };  /* /2../512 */
	uint32_t hz = rcc_sysclk(m);

	hz = hpre & 8 ? hz >> shift[hpre & 7] : hz;
	return hz ? hz : 1;  /* never divide by zero: a dead clock runs very slowly */
}

static uint32_t pclk(const struct mcu *m, unsigned apb)
{
	unsigned ppre = (m->rcc.r[R_CFGR / 4] >> (apb == 1 ? 8 : 11)) & 7;  /* PPRE1/PPRE2 */

	return ppre & 4 ? rcc_hclk(m) >> ((ppre & 3) + 1) : rcc_hclk(m);
}

uint32_t rcc_usart_kernel(const struct mcu *m, unsigned n)
{
	unsigned sel = (m->rcc.r[R_CCIPR / 4] >> (2 * (n - 1))) & 3;  /* RM0432 6.4.28 */

	switch (sel) {
	case 0: return pclk(m, n == 1 ? 2 : 1);  /* USART1 on APB2, USART2/3 on APB1 */
	case 1: return rcc_sysclk(m);
	case 2: return MCU_HSI16_HZ;
	}
	return 0;  /* LSE: no 32.768 kHz crystal on this board */
}

bool rcc_usart_enabled(const struct mcu *m, unsigned n)
{
	return m->rcc.r[(n == 1 ? R_APB2ENR : R_APB1ENR1) / 4] & usart_bit(n);
}

bool rcc_crc_enabled(const struct mcu *m)
{
	return m->rcc.r[R_AHB1ENR / 4] & (1u << 12);   /* CRCEN, RM0432 6.4.16 */
}

bool rcc_usart_in_reset(const struct mcu *m, unsigned n)
{
	return m->rcc.r[(n == 1 ? R_APB2RSTR : R_APB1RSTR1) / 4] & usart_bit(n);
}

/* ---- registers ---- */

static bool source_ready(const struct mcu *m, unsigned sw)
{
	static const uint32_t rdy[4] = { CR_MSIRDY, CR_HSIRDY, CR_HSERDY, CR_PLLRDY };
	uint32_t cr = m->rcc.r[R_CR / 4];

	if (sw == 3 && !(m->rcc.r[R_PLLCFGR / 4] & PLL_REN))
		return false;  /* RM0432 6.4.4: PLLCLK output must be enabled */
	return cr & rdy[sw];
}

/* Oscillators become ready as soon as they are on (no start-up time). */
static void update_ready(struct mcu *m)
{
	uint32_t *cr = reg(m, R_CR);
	unsigned src = m->rcc.r[R_PLLCFGR / 4] & 3;
	bool pll_in = (src == 1 && (*cr & CR_MSION)) || (src == 2 && (*cr & CR_HSION)) ||
		      (src == 3 && (*cr & CR_HSEON) && hse_hz(m));

	*cr &= ~CR_RDY_MASK;
	*cr |= (*cr & CR_MSION) ? CR_MSIRDY : 0;
	*cr |= (*cr & CR_HSION) ? CR_HSIRDY : 0;
	*cr |= (*cr & CR_HSEON) && hse_hz(m) ? CR_HSERDY : 0;
	*cr |= (*cr & CR_PLLON) && pll_in ? CR_PLLRDY : 0;
}

static void write_cr(struct mcu *m, uint32_t val)
{
	static const uint32_t on[4] = { CR_MSION, CR_HSION, CR_HSEON, CR_PLLON };
	unsigned sws = (m->rcc.r[R_CFGR / 4] >> 2) & 3;

	/* RM0432 6.4.1: the system clock's source cannot be switched off */
	unsigned pllsrc = m->rcc.r[R_PLLCFGR / 4] & 3;

	val |= on[sws];
	if (sws == 3 && pllsrc)
		val |= on[pllsrc - 1];  /* ... nor the PLL's input (PLLSRC 1 MSI, 2 HSI, 3 HSE) */
	*reg(m, R_CR) = val & ~CR_RDY_MASK;
	update_ready(m);
}

static void write_cfgr(struct mcu *m, uint32_t val)
{
	uint32_t *cfgr = reg(m, R_CFGR);
	unsigned sw = val & 3, sws = (*cfgr >> 2) & 3;

	if (source_ready(m, sw))
		sws = sw;  /* the switch takes effect at once */
	else
		mcu_log(m, "RCC: SW=%u refused: that clock is not ready", sw);
	*cfgr = (val & ~0xCu) | sws << 2;
}

int rcc_read(struct mcu *m, uint32_t off, uint32_t *val)
{
	*val = off / 4 < RCC_NREG ? m->rcc.r[off / 4] : 0;
	return MCU_OK;
}

int rcc_write(struct mcu *m, uint32_t off, uint32_t val)
{
	if (off / 4 >= RCC_NREG)
		return MCU_OK;  /* reserved: write ignored */
	switch (off) {
	case R_CR:
		write_cr(m, val);
		break;
	case R_CFGR:
		write_cfgr(m, val);
		break;
	case R_PLLCFGR:
		*reg(m, off) = val;
		update_ready(m);
		break;
	default:
		*reg(m, off) = val;
		break;
	}
	for (unsigned n = 1; n <= 3; n++)
		if (rcc_usart_in_reset(m, n))
			usart_reset(&m->us[n - 1]);  /* USARTxRST holds it at reset values */
	return MCU_OK;
}

/* ---- the ROM's clock tree (--rom-clock) ---- */

static unsigned flash_latency(uint32_t hclk)
{
	/* RM0432 3.3.3, range 1 boost: one wait state per 20 MHz */
	return hclk <= 20000000u ? 0 : (hclk - 1) / 20000000u;
}

static uint32_t ppre_bits(unsigned div)
{
	return div <= 1 ? 0 : div == 2 ? 4 : div == 4 ? 5 : div == 8 ? 6 : 7;
}

static void msi_range(struct mcu *m, unsigned mhz)
{
	static const unsigned tab[12] = { 0, 0, 0, 0, 1, 2, 4, 8, 16, 24, 32, 48 };

	for (unsigned r = 4; r < 12; r++)
		if (tab[r] == mhz)
			*reg(m, R_CR) = (*reg(m, R_CR) & ~0xF0u) | r << 4 | CR_MSIRGSEL;
}

void rcc_apply_clock(struct mcu *m, const struct mcu_clock *c)
{
	unsigned sw = 0;
	uint32_t cfgr;

	switch (c->src) {
	case MCU_CLK_MSI:
		msi_range(m, c->mhz);
		break;
	case MCU_CLK_HSI16:
		*reg(m, R_CR) |= CR_HSION;
		sw = 1;
		break;
	case MCU_CLK_HSE:
		*reg(m, R_CR) |= CR_HSEON;
		sw = 2;
		break;
	case MCU_CLK_PLL:
		/* HSI16 / M=2 x N / R=2 = 4 MHz x N (RM0432 6.2.5) */
		*reg(m, R_CR) |= CR_HSION | CR_PLLON;
		*reg(m, R_PLLCFGR) = 2u | 1u << 4 | (c->mhz / 4) << 8 | PLL_REN;
		sw = 3;
		break;
	}
	update_ready(m);
	cfgr = sw | sw << 2 | ppre_bits(c->apb1_div) << 8 | ppre_bits(c->apb2_div) << 11;
	*reg(m, R_CFGR) = cfgr;
	*reg(m, R_CCIPR) = (uint32_t)c->usart_sel << (2 * (m->cfg.rom_usart - 1));
	*reg(m, m->cfg.rom_usart == 1 ? R_APB2ENR : R_APB1ENR1) |= usart_bit(m->cfg.rom_usart);
	m->fl.acr = (m->fl.acr & ~0xFu) | flash_latency(rcc_hclk(m));
}
