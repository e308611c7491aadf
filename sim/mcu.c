/* SPDX-License-Identifier: MIT */
/*
 * mcu.c - the peripheral bus of the virtual STM32L4R5 (memory map RM0432
 * 2.2.2, protocol-facts E.1), the model's clock, polling detection, the
 * receive wire, and --rom-clock parsing. The registers themselves are in
 * periph_*.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcu_priv.h"

#define FLASH_MEM 0x08000000u
#define OB_AREA 0x1FF00000u          /* option bytes, protocol-facts C/F.1 */
#define OB_AREA_END 0x1FF02000u
#define SYSMEM 0x1FFF0000u           /* system memory, OTP, engineering words */
#define SYSMEM_END 0x1FFF7800u
#define FLASH_REGS 0x40022000u       /* protocol-facts E.1 */
#define RCC_REGS 0x40021000u         /* RM0432 2.2.2 */
#define CRC_REGS 0x40023000u         /* RM0432 2.2.2 */
#define PERIPH_END 0x60000000u
#define REG_BLOCK 0x400u

static const uint32_t usart_base[3] = { 0x40013800u, 0x40004400u, 0x40004800u };

void mcu_log(struct mcu *m, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	if (!m->hooks.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	m->hooks.log(m->hooks.ctx, line);
}

int mcu_bus_fault(struct mcu *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->fault, sizeof m->fault, fmt, ap);
	va_end(ap);
	return MCU_BUS_FAULT;
}

const char *mcu_fault(const struct mcu *m)
{
	return m->fault;
}

/* ---- life cycle ---- */

struct mcu *mcu_new(struct board *b, const struct mcu_config *cfg)
{
	struct mcu *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->b = b;
	m->cfg = *cfg;
	if (m->cfg.rom_usart < 1 || m->cfg.rom_usart > 3)
		m->cfg.rom_usart = 1;
	if (!m->cfg.rom_clock.mhz)
		m->cfg.rom_clock = (struct mcu_clock){ MCU_CLK_HSI16, 16, 1, 1, MCU_USEL_PCLK };
	for (unsigned i = 0; i < 3; i++) {
		m->us[i].n = i + 1;
		m->us[i].base = usart_base[i];
	}
	mcu_reset(m, 0);
	return m;
}

void mcu_free(struct mcu *m)
{
	if (!m)
		return;
	free(m->wire);
	free(m);
}

void mcu_set_hooks(struct mcu *m, const struct mcu_hooks *h)
{
	m->hooks = *h;
}

void mcu_reset(struct mcu *m, uint64_t t)
{
	m->now = t;
	m->ns_rem = 0;
	rcc_reset(m);
	flash_reset(m);
	for (unsigned i = 0; i < 3; i++)
		usart_reset(&m->us[i]);
	crc_reset(m);
	core_reset(m);
	m->wire_len = 0;
	m->wire_last = 0;
	m->reset_req = false;
	m->fault[0] = '\0';
	mcu_poll_clear(m);
}

void mcu_rom_handoff(struct mcu *m, unsigned baud, uint64_t t)
{
	mcu_reset(m, t);
	if (m->cfg.go_deinit)
		return;  /* contract fact 1, second reading: ROM de-initialises first */
	rcc_apply_clock(m, &m->cfg.rom_clock);
	usart_rom_setup(m, &m->us[m->cfg.rom_usart - 1], baud);
}

/* ---- time ---- */

uint64_t mcu_now(const struct mcu *m)
{
	return m->now;
}

uint32_t mcu_hclk_hz(const struct mcu *m)
{
	return rcc_hclk(m);
}

void mcu_add_cycles(struct mcu *m, uint64_t cycles)
{
	uint64_t hz = rcc_hclk(m), t = cycles * NS_PER_S + m->ns_rem;

	m->cycles += cycles;
	m->now += t / hz;
	m->ns_rem = t % hz;
}

/* Whole seconds apart: ns x Hz passes 2^64 after ~154 s at 120 MHz, and a
 * sleeping CPU's wait can be that long. */
void mcu_add_ns(struct mcu *m, uint64_t ns)
{
	uint64_t hz = rcc_hclk(m);

	m->now += ns;
	m->cycles += ns / NS_PER_S * hz + ns % NS_PER_S * hz / NS_PER_S;
}

void mcu_advance_to(struct mcu *m, uint64_t t)
{
	if (t > m->now)
		mcu_add_ns(m, t - m->now);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Registers that change by themselves brought up to the clock. */
static void sync_all(struct mcu *m)
{
	usart_sync(m);
	flash_sync(m);
}

uint64_t mcu_next_event(struct mcu *m)
{
	sync_all(m);
	return min64(usart_next_event(m), flash_next_event(m));
}

/* ---- polling ---- */

void mcu_status_read(struct mcu *m, uint32_t addr, uint32_t val)
{
	if (addr == m->poll_addr && val == m->poll_val) {
		m->idle_polls++;
		return;
	}
	m->poll_addr = addr;
	m->poll_val = val;
	m->idle_polls = 0;
}

void mcu_progress(struct mcu *m)
{
	m->poll_addr = 0;
	m->idle_polls = 0;
}

unsigned mcu_idle_polls(const struct mcu *m)
{
	return m->idle_polls;
}

bool mcu_timer_read(const struct mcu *m)
{
	return m->timer_read;
}

void mcu_poll_clear(struct mcu *m)
{
	mcu_progress(m);
	m->timer_read = false;
}

bool mcu_take_reset_request(struct mcu *m)
{
	bool r = m->reset_req;

	m->reset_req = false;
	return r;
}

/* ---- the receive wire ---- */

void mcu_rx_push(struct mcu *m, uint16_t c, bool parity_err, bool framing_err, uint64_t t)
{
	if (m->wire_len == m->wire_cap) {
		size_t cap = m->wire_cap ? 2 * m->wire_cap : 256;
		struct rx_char *p = realloc(m->wire, cap * sizeof *p);

		if (!p)
			return;  /* lost, as on a line glitch */
		m->wire = p;
		m->wire_cap = cap;
	}
	if (t < m->wire_last)
		t = m->wire_last;
	m->wire[m->wire_len++] = (struct rx_char){ c, parity_err, framing_err, t };
	m->wire_last = t;
}

uint64_t mcu_rx_last(const struct mcu *m)
{
	return m->wire_last;
}

unsigned mcu_line_usart(const struct mcu *m)
{
	return m->cfg.rom_usart;
}

struct uart_frame mcu_line_frame(const struct mcu *m)
{
	return usart_frame(m, &m->us[m->cfg.rom_usart - 1]);
}

uint64_t mcu_frame_ns(const struct uart_frame *f)
{
	unsigned bits = 1 + f->bits + (f->parity != 'N') + f->stop;

	return f->baud ? (uint64_t)bits * NS_PER_S / f->baud : 0;
}

/* ---- bus ---- */

/* A register block: word registers; narrower accesses see their byte lanes. */
struct block {
	uint32_t base;
	int (*rd)(struct mcu *m, void *p, uint32_t off, uint32_t *val);
	int (*wr)(struct mcu *m, void *p, uint32_t off, uint32_t val);
	void *p;
	/* NULL, or why a narrow write to the register at off is not modelled */
	const char *(*narrow_refused)(const struct mcu *m, uint32_t off);
};

static int flash_rd(struct mcu *m, void *p, uint32_t off, uint32_t *val)
{
	(void)p;
	return flash_reg_read(m, off, val);
}

static int flash_wr(struct mcu *m, void *p, uint32_t off, uint32_t val)
{
	(void)p;
	return flash_reg_write(m, off, val);
}

static int rcc_rd(struct mcu *m, void *p, uint32_t off, uint32_t *val)
{
	(void)p;
	return rcc_read(m, off, val);
}

static int rcc_wr(struct mcu *m, void *p, uint32_t off, uint32_t val)
{
	(void)p;
	return rcc_write(m, off, val);
}

static int usart_rd(struct mcu *m, void *p, uint32_t off, uint32_t *val)
{
	return usart_read(m, p, off, val);
}

static int usart_wr(struct mcu *m, void *p, uint32_t off, uint32_t val)
{
	return usart_write(m, p, off, val);
}

static int crc_rd(struct mcu *m, void *p, uint32_t off, uint32_t *val)
{
	(void)p;
	return crc_read(m, off, val);
}

static int crc_wr(struct mcu *m, void *p, uint32_t off, uint32_t val)
{
	(void)p;
	return crc_write(m, off, val);
}

static int core_rd(struct mcu *m, void *p, uint32_t off, uint32_t *val)
{
	(void)p;
	return core_read(m, off, val);
}

static int core_wr(struct mcu *m, void *p, uint32_t off, uint32_t val)
{
	(void)p;
	return core_write(m, off, val);
}

/* The register block at addr, if any (RM0432 2.2.2 memory map). */
static bool find_block(struct mcu *m, uint32_t addr, struct block *out)
{
	if (addr >= FLASH_REGS && addr < FLASH_REGS + REG_BLOCK)
		*out = (struct block){ .base = FLASH_REGS, .rd = flash_rd, .wr = flash_wr };
	else if (addr >= RCC_REGS && addr < RCC_REGS + REG_BLOCK)
		*out = (struct block){ .base = RCC_REGS, .rd = rcc_rd, .wr = rcc_wr };
	else if (addr >= CRC_REGS && addr < CRC_REGS + REG_BLOCK)
		*out = (struct block){ .base = CRC_REGS, .rd = crc_rd, .wr = crc_wr,
				       .narrow_refused = crc_narrow_refused };
	else if (addr >= 0xE0000000u)
		*out = (struct block){ .base = 0, .rd = core_rd, .wr = core_wr };
	else {
		for (unsigned i = 0; i < 3; i++) {
			if (addr >= usart_base[i] && addr < usart_base[i] + REG_BLOCK) {
				*out = (struct block){ .base = usart_base[i], .rd = usart_rd, .wr = usart_wr,
						       .p = &m->us[i] };
				return true;
			}
		}
		return false;
	}
	return true;
}

/* Option bytes, system memory, OTP, engineering words: read-only views. */
static int info_read(struct mcu *m, uint32_t addr, unsigned size, uint32_t *val)
{
	uint8_t buf[4];
	int st = board_read(m->b, addr, buf, size);

	if (st != BOARD_OK)
		return mcu_bus_fault(m, "read 0x%08X: %s", addr, board_status_str(st));
	*val = mcu_le_bytes(buf, size);
	return MCU_OK;
}

static int block_read(struct mcu *m, const struct block *k, uint32_t addr, unsigned size,
		      uint32_t *val)
{
	uint32_t w = 0;
	int st = k->rd(m, k->p, (addr - k->base) & ~3u, &w);

	*val = (w >> (8 * (addr & 3))) & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
	return st;
}

/* Narrow writes: modelled as a read-modify-write of the word (the APB
 * replicates byte lanes, RM0432 2.1), except where the unit takes them as
 * data of that width (k->narrow_refused: not modelled, a bus fault). */
static int block_write(struct mcu *m, const struct block *k, uint32_t addr, unsigned size,
		       uint32_t val)
{
	uint32_t off = (addr - k->base) & ~3u, w = 0, sh = 8 * (addr & 3), mask;
	const char *why;

	if (size == 4)
		return k->wr(m, k->p, off, val);
	if (k->narrow_refused && (why = k->narrow_refused(m, off)))
		return mcu_bus_fault(m, "write 0x%08X (%u bytes): %s", addr, size, why);
	mask = ((1u << (8 * size)) - 1) << sh;
	if (k->rd(m, k->p, off, &w) != MCU_OK)
		return MCU_BUS_FAULT;
	return k->wr(m, k->p, off, (w & ~mask) | ((val << sh) & mask));
}

static bool is_info(uint32_t addr)
{
	return (addr >= OB_AREA && addr < OB_AREA_END) || (addr >= SYSMEM && addr < SYSMEM_END);
}

int mcu_read(struct mcu *m, uint32_t addr, unsigned size, uint32_t *val)
{
	struct block k;

	*val = 0;
	sync_all(m);
	if (addr >= FLASH_MEM && addr - FLASH_MEM < board_flash_size(m->b))
		return flash_mem_read(m, addr - FLASH_MEM, size, val);
	if (is_info(addr))
		return info_read(m, addr, size, val);
	if (find_block(m, addr, &k))
		return block_read(m, &k, addr, size, val);
	if (addr >= 0x40000000u && addr < PERIPH_END)
		return mcu_bus_fault(m, "read 0x%08X: no modelled peripheral there", addr);
	return mcu_bus_fault(m, "read 0x%08X: nothing mapped there", addr);
}

int mcu_write(struct mcu *m, uint32_t addr, unsigned size, uint32_t val)
{
	struct block k;

	sync_all(m);
	mcu_progress(m);
	if (addr >= FLASH_MEM && addr - FLASH_MEM < board_flash_size(m->b))
		return flash_mem_write(m, addr - FLASH_MEM, size, val);
	if (is_info(addr))
		return mcu_bus_fault(m, "write 0x%08X: read-only here (option bytes, system memory "
				     "and OTP are not programmable from code in this model)", addr);
	if (find_block(m, addr, &k))
		return block_write(m, &k, addr, size, val);
	if (addr >= 0x40000000u && addr < PERIPH_END)
		return mcu_bus_fault(m, "write 0x%08X: no modelled peripheral there", addr);
	return mcu_bus_fault(m, "write 0x%08X: nothing mapped there", addr);
}

/* ---- --rom-clock ---- */

static bool parse_div(const char *v, unsigned *out)
{
	unsigned long d = strtoul(v, NULL, 10);

	if (d != 1 && d != 2 && d != 4 && d != 8 && d != 16)
		return false;
	*out = (unsigned)d;
	return true;
}

static bool parse_src(const char *s, struct mcu_clock *c)
{
	static const unsigned msi[] = { 1, 2, 4, 8, 16, 24, 32, 48 };  /* RM0432 6.2.3 */
	char *end;
	unsigned long mhz;

	if (!strcmp(s, "hsi16")) {
		c->src = MCU_CLK_HSI16;
		c->mhz = 16;
		return true;
	}
	if (strncmp(s, "msi", 3) && strncmp(s, "hse", 3) && strncmp(s, "pll", 3))
		return false;
	mhz = strtoul(s + 3, &end, 10);
	if (end == s + 3 || *end)
		return false;
	c->mhz = (unsigned)mhz;
	if (s[0] == 'm') {
		c->src = MCU_CLK_MSI;
		for (size_t i = 0; i < sizeof msi / sizeof msi[0]; i++)
			if (msi[i] == mhz)
				return true;
		return false;
	}
	if (s[0] == 'h') {
		c->src = MCU_CLK_HSE;
		return mhz >= 4 && mhz <= 48;  /* RM0432 6.2.1: 4-48 MHz crystal */
	}
	c->src = MCU_CLK_PLL;  /* from HSI16 /2 x N /2: multiples of 4 MHz */
	return mhz >= 32 && mhz <= 120 && mhz % 4 == 0;
}

static bool parse_opt(char *tok, struct mcu_clock *c)
{
	char *eq = strchr(tok, '=');

	if (!eq)
		return false;
	*eq++ = '\0';
	if (!strcmp(tok, "apb1"))
		return parse_div(eq, &c->apb1_div);
	if (!strcmp(tok, "apb2"))
		return parse_div(eq, &c->apb2_div);
	if (strcmp(tok, "usart"))
		return false;
	if (!strcmp(eq, "pclk"))
		c->usart_sel = MCU_USEL_PCLK;
	else if (!strcmp(eq, "sysclk"))
		c->usart_sel = MCU_USEL_SYSCLK;
	else if (!strcmp(eq, "hsi16"))
		c->usart_sel = MCU_USEL_HSI16;
	else
		return false;
	return true;
}

bool mcu_parse_clock(const char *s, struct mcu_clock *out)
{
	char buf[96], *save = NULL, *tok;
	struct mcu_clock c = { MCU_CLK_HSI16, 16, 1, 1, MCU_USEL_PCLK };
	bool ok;

	if (strlen(s) >= sizeof buf)
		return false;
	strcpy(buf, s);
	tok = strtok_r(buf, ",", &save);
	ok = tok && parse_src(tok, &c);
	while (ok && (tok = strtok_r(NULL, ",", &save)) != NULL)
		ok = parse_opt(tok, &c);
	if (ok)
		*out = c;
	return ok;
}
