/* SPDX-License-Identifier: MIT */
/*
 * test_mcu.c - the peripheral models the CPU model's code sees (sim/mcu.h)
 * by direct register accesses, no CPU: FLASH (RM0432 3.3/3.7, protocol-facts
 * E.2/E.3), USART (50.8), RCC (6.4), SCB/DWT/SysTick (ARMv7-M B3, C1.8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board.h"
#include "mcu.h"

#define F_KEYR 0x40022008u
#define F_SR 0x40022010u
#define F_CR 0x40022014u
#define F_OPTR 0x40022020u
#define U1 0x40013800u
#define U_CR1 0x00u
#define U_BRR 0x0Cu
#define U_ISR 0x1Cu
#define U_ICR 0x20u
#define U_RDR 0x24u
#define U_TDR 0x28u
#define RCC_CR 0x40021000u
#define RCC_CFGR 0x40021008u
#define RCC_APB2ENR 0x40021060u
#define RCC_AHB1ENR 0x40021048u
#define CRC_DR 0x40023000u
#define CRC_CR 0x40023008u
#define CRC_INIT 0x40023010u
#define MS 1000000ull

struct env {
	struct board *b;
	struct mcu *m;
	uint16_t tx[64];
	uint64_t tx_end[64];
	unsigned ntx;
	struct uart_frame txf;
};

static void on_tx(void *ctx, uint16_t c, uint64_t end, const struct uart_frame *f)
{
	struct env *e = ctx;

	if (e->ntx < 64) {
		e->tx[e->ntx] = c;
		e->tx_end[e->ntx++] = end;
	}
	e->txf = *f;
}

static struct env *mk(uint32_t optr, bool timing, const char *clock)
{
	struct env *e = calloc(1, sizeof *e);
	struct board_config bc = { .optr = optr };
	struct mcu_config mc = { .rom_usart = 1, .timing = timing };
	struct mcu_hooks h = { .tx = on_tx, .ctx = e };

	assert_non_null(e);
	if (clock)
		assert_true(mcu_parse_clock(clock, &mc.rom_clock));
	e->b = board_new(&bc);
	assert_non_null(e->b);
	e->m = mcu_new(e->b, &mc);
	assert_non_null(e->m);
	mcu_set_hooks(e->m, &h);
	mcu_rom_handoff(e->m, 115200, 1000);
	return e;
}

static void done(struct env *e)
{
	mcu_free(e->m);
	board_free(e->b);
	free(e);
}

static uint32_t rd(struct env *e, uint32_t a)
{
	uint32_t v = 0;

	assert_int_equal(mcu_read(e->m, a, 4, &v), MCU_OK);
	return v;
}

static void wr(struct env *e, uint32_t a, uint32_t v)
{
	assert_int_equal(mcu_write(e->m, a, 4, v), MCU_OK);
}

static void unlock(struct env *e)
{
	wr(e, F_KEYR, 0x45670123u);
	wr(e, F_KEYR, 0xCDEF89ABu);
	assert_int_equal(rd(e, F_CR), 0x40000000u);
}

static uint32_t flash_word(struct env *e, uint32_t a)
{
	uint8_t v[4];

	assert_int_equal(board_read(e->b, a, v, 4), BOARD_OK);
	return (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
}

/* ---- FLASH ---- */

static void flash_locked_and_keys(void **state)
{
	struct env *e = mk(0, false, NULL);

	(void)state;
	assert_int_equal(rd(e, F_CR), 0xC0000000u);  /* reset: LOCK, OPTLOCK */
	wr(e, F_CR, 1);                               /* ignored while locked */
	assert_int_equal(rd(e, F_CR), 0xC0000000u);
	unlock(e);
	wr(e, F_CR, 0x80000000u);                     /* LOCK again */
	assert_int_equal(rd(e, F_CR), 0xC0000000u);
	wr(e, F_KEYR, 0x45670123u);
	assert_int_equal(mcu_write(e->m, F_KEYR, 4, 0x11111111u), MCU_BUS_FAULT);
	assert_non_null(strstr(mcu_fault(e->m), "wrong key"));
	/* locked until reset: even the right sequence fails now */
	assert_int_equal(mcu_write(e->m, F_KEYR, 4, 0x45670123u), MCU_BUS_FAULT);
	mcu_reset(e->m, 0);
	unlock(e);
	done(e);
}

static void flash_program_and_errors(void **state)
{
	struct env *e = mk(0, false, NULL);

	(void)state;
	unlock(e);
	wr(e, F_CR, 1);  /* PG */
	wr(e, 0x08000000u, 0xAABBCCDDu);
	assert_int_equal(flash_word(e, 0x08000000u), 0xFFFFFFFFu);  /* half a double-word: nothing */
	wr(e, 0x08000004u, 0x11223344u);
	assert_int_equal(flash_word(e, 0x08000000u), 0xAABBCCDDu);
	assert_int_equal(flash_word(e, 0x08000004u), 0x11223344u);
	assert_int_equal(rd(e, F_SR) & 0xFFFF, 0);  /* no EOP without EOPIE */
	wr(e, 0x08000000u, 0);
	wr(e, 0x08000004u, 0);
	assert_int_equal(rd(e, F_SR) & 0xFFFF, 1u << 3);  /* PROGERR */
	assert_int_equal(flash_word(e, 0x08000000u), 0xAABBCCDDu);
	wr(e, 0x08000010u, 0);
	assert_int_equal(rd(e, F_SR) & 0xFF, (1u << 3) | (1u << 7));  /* PGSERR: flags not cleared */
	wr(e, F_SR, 0xFFFFFFFFu);
	assert_int_equal(rd(e, F_SR) & 0xFFFF, 0);
	wr(e, 0x08000010u, 1);
	wr(e, 0x08000018u, 2);                      /* another double-word: PGAERR */
	assert_int_equal(rd(e, F_SR) & 0xFF, 1u << 5);
	wr(e, F_SR, 0xFFu);
	assert_int_equal(mcu_write(e->m, 0x08000020u, 2, 0x1234), MCU_OK);
	assert_int_equal(rd(e, F_SR) & 0xFF, 1u << 6);  /* SIZERR */
	wr(e, F_SR, 0xFFu);
	wr(e, F_CR, (1u << 24) | (1u << 25) | 1);   /* EOPIE, ERRIE, PG */
	wr(e, 0x08000028u, 5);
	wr(e, 0x0800002Cu, 6);
	assert_int_equal(rd(e, F_SR) & 0xFF, 1u);   /* EOP */
	wr(e, 0x08000028u, 5);
	wr(e, 0x0800002Cu, 6);
	assert_int_equal(rd(e, F_SR) & 0xFF, 1u | 2u | 8u);  /* + OPERR with ERRIE, PROGERR */
	done(e);
}

static void flash_erase_banks_wrp(void **state)
{
	struct env *e = mk(0, false, NULL);
	uint8_t page = 3;

	(void)state;
	unlock(e);
	wr(e, F_CR, 1);
	wr(e, 0x08103000u, 7);                      /* bank 2, page 3 (dual bank, 4 KB pages) */
	wr(e, 0x08103004u, 8);
	wr(e, F_CR, (1u << 1) | (3u << 3) | (1u << 11));
	wr(e, F_CR, (1u << 1) | (3u << 3) | (1u << 11) | (1u << 16));
	assert_int_equal(rd(e, F_SR) & 0xFF, 0);
	assert_int_equal(flash_word(e, 0x08103000u), 0xFFFFFFFFu);
	assert_int_equal(rd(e, F_OPTR), 0xFFEFF8AAu);
	/* WRP on page 3 of bank 1: erase refused with WRPERR */
	assert_int_equal(board_wrp_set(e->b, &page, 1), BOARD_OK);
	board_reset(e->b);
	mcu_reset(e->m, 0);
	unlock(e);
	wr(e, F_CR, (1u << 1) | (3u << 3) | (1u << 16));
	assert_int_equal(rd(e, F_SR) & 0xFF, 1u << 4);
	/* STRT with flags not cleared: PGSERR */
	wr(e, F_CR, (1u << 1) | (4u << 3) | (1u << 16));
	assert_int_equal(rd(e, F_SR) & (1u << 7), 1u << 7);
	done(e);
}

static void flash_single_bank(void **state)
{
	struct env *e = mk(0xFFAFF8AAu, false, NULL);  /* DBANK = 0 */

	(void)state;
	unlock(e);
	wr(e, F_CR, (1u << 1) | (1u << 3) | (1u << 11) | (1u << 16));  /* BKER in single bank */
	assert_int_equal(rd(e, F_SR) & 0xFF, 1u << 7);
	wr(e, F_SR, 0xFF);
	wr(e, F_CR, (1u << 2) | (1u << 16));       /* MER1 alone in single bank */
	assert_int_equal(rd(e, F_SR) & 0xFF, 1u << 7);
	done(e);
}

static void flash_busy_timing(void **state)
{
	struct env *e = mk(0, true, NULL);
	uint64_t t0;

	(void)state;
	unlock(e);
	t0 = mcu_now(e->m);
	wr(e, F_CR, (1u << 24) | (1u << 1) | (1u << 16));  /* EOPIE, PER page 0, STRT */
	assert_true(rd(e, F_SR) & (1u << 16));              /* BSY */
	assert_true(rd(e, F_CR) & (1u << 16));              /* STRT until BSY falls */
	assert_int_equal(mcu_next_event(e->m), t0 + 25 * MS);  /* the board's page erase */
	mcu_advance_to(e->m, t0 + 25 * MS - 1);
	assert_true(rd(e, F_SR) & (1u << 16));
	mcu_advance_to(e->m, t0 + 25 * MS);
	assert_int_equal(rd(e, F_SR) & 0x1FFFF, 1u);        /* BSY gone, EOP */
	assert_false(rd(e, F_CR) & (1u << 16));
	done(e);
}

static void flash_obl_launch_resets(void **state)
{
	struct env *e = mk(0, false, NULL);

	(void)state;
	unlock(e);
	wr(e, 0x4002200Cu, 0x08192A3Bu);
	wr(e, 0x4002200Cu, 0x4C5D6E7Fu);
	assert_int_equal(rd(e, F_CR), 0);
	assert_false(mcu_take_reset_request(e->m));
	wr(e, F_CR, 1u << 27);
	assert_true(mcu_take_reset_request(e->m));
	done(e);
}

/* ---- USART ---- */

static void usart_rom_state_and_frame(void **state)
{
	struct env *e = mk(0, false, NULL);
	struct uart_frame f = mcu_line_frame(e->m);

	(void)state;
	assert_int_equal(rd(e, U1 + U_CR1), 0x140Du);   /* UE RE TE PCE M0: 8E1 */
	assert_int_equal(rd(e, U1 + U_BRR), 139);       /* 16 MHz / 115200 */
	assert_int_equal(f.baud, 115108);
	assert_int_equal(f.bits, 8);
	assert_int_equal(f.parity, 'E');
	assert_int_equal(f.stop, 1);
	assert_int_equal(mcu_frame_ns(&f), 11ull * 1000000000u / 115108);
	wr(e, U1 + U_BRR, 69);                           /* UE=1: ignored (50.8.4) */
	assert_int_equal(rd(e, U1 + U_BRR), 139);
	wr(e, U1 + U_CR1, 0x140Cu);
	wr(e, U1 + U_BRR, 69);
	wr(e, U1 + U_CR1, 0x140Du | (1u << 15));         /* OVER8 while enabling: UE was 0 */
	f = mcu_line_frame(e->m);
	/* OVER8 (50.5.7): USARTDIV = BRR[15:4] << 4 | BRR[2:0] << 1 = 0x4A, baud = 2 fck / 0x4A */
	assert_int_equal(f.baud, (2 * 16000000 + 37) / 0x4A);
	done(e);
}

static void usart_rx_overrun_and_fifo(void **state)
{
	struct env *e = mk(0, false, NULL);
	uint64_t t = mcu_now(e->m);

	(void)state;
	assert_false(rd(e, U1 + U_ISR) & (1u << 5));
	mcu_rx_push(e->m, 'a', false, false, t + 100);
	mcu_rx_push(e->m, 'b', false, false, t + 200);
	assert_int_equal(mcu_next_event(e->m), t + 100);
	mcu_advance_to(e->m, t + 300);
	assert_int_equal(rd(e, U1 + U_ISR) & 0x28, 0x28);  /* RXNE and ORE */
	assert_int_equal(rd(e, U1 + U_RDR), 'a' | 0x100u);  /* 3 ones: even parity bit 1 in the MSB */
	wr(e, U1 + U_ICR, 1u << 3);
	assert_int_equal(rd(e, U1 + U_ISR) & 0x28, 0);
	/* FIFO mode: eight characters fit */
	wr(e, U1 + U_CR1, 0x140Cu);
	wr(e, U1 + U_CR1, 0x140Du | (1u << 29));
	for (unsigned i = 0; i < 8; i++)
		mcu_rx_push(e->m, (uint16_t)('0' + i), false, false, t + 400 + i);
	mcu_advance_to(e->m, t + 500);
	assert_int_equal(rd(e, U1 + U_ISR) & ((1u << 24) | 8u), 1u << 24);  /* RXFF, no ORE */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(e, U1 + U_RDR) & 0xFF, '0' + i);
	done(e);
}

static void usart_tx_timing(void **state)
{
	struct env *e = mk(0, true, NULL);
	uint64_t t = mcu_now(e->m), byte = 11ull * 1000000000u / 115108;

	(void)state;
	wr(e, U1 + U_TDR, 'x');
	assert_true(rd(e, U1 + U_ISR) & (1u << 7));        /* TDR free, shift busy */
	assert_false(rd(e, U1 + U_ISR) & (1u << 6));       /* TC not yet */
	wr(e, U1 + U_TDR, 'y');
	assert_false(rd(e, U1 + U_ISR) & (1u << 7));       /* TXE=0: 'y' waits */
	assert_int_equal(e->ntx, 1);
	assert_int_equal(e->tx_end[0], t + byte);
	mcu_advance_to(e->m, t + byte);
	assert_int_equal(e->ntx, 1);
	assert_true(rd(e, U1 + U_ISR) & (1u << 7));
	assert_int_equal(e->ntx, 2);
	assert_int_equal(e->tx_end[1], t + 2 * byte);
	mcu_advance_to(e->m, t + 2 * byte);
	assert_true(rd(e, U1 + U_ISR) & (1u << 6));        /* TC */
	wr(e, U1 + U_ICR, 1u << 6);
	assert_false(rd(e, U1 + U_ISR) & (1u << 6));
	assert_int_equal(e->tx[0], 'x');
	assert_int_equal(e->txf.baud, 115108);
	done(e);
}

static void usart_clock_gating(void **state)
{
	struct env *e = mk(0, false, NULL);

	(void)state;
	assert_int_equal(rd(e, 0x40004400u + U_CR1), 0);   /* USART2: clock off, reads 0 */
	wr(e, 0x40004400u + U_BRR, 100);
	assert_int_equal(rd(e, 0x40004400u + U_BRR), 0);
	wr(e, RCC_APB2ENR, 0);                              /* USART1 clock off */
	assert_int_equal(rd(e, U1 + U_CR1), 0);
	done(e);
}

/* ---- RCC and clocks ---- */

static void rcc_reset_and_rom_clocks(void **state)
{
	struct env *e = mk(0, false, "pll80,apb2=2,usart=pclk");
	struct mcu_clock c;

	(void)state;
	assert_int_equal(mcu_hclk_hz(e->m), 80000000u);
	assert_int_equal(rd(e, RCC_CFGR) & 0xF, 0xF);      /* SW = SWS = PLL */
	assert_int_equal(rd(e, U1 + U_BRR), 347);           /* 40 MHz / 115200 */
	mcu_reset(e->m, 0);
	assert_int_equal(rd(e, RCC_CR), 0x63u);             /* MSI 4 MHz (6.4.1) */
	assert_int_equal(mcu_hclk_hz(e->m), 4000000u);
	wr(e, RCC_CFGR, 1);                                 /* HSI16 is off: refused */
	assert_int_equal(rd(e, RCC_CFGR) & 0xC, 0);
	wr(e, RCC_CR, 0x63u | (1u << 8));
	assert_true(rd(e, RCC_CR) & (1u << 10));            /* HSIRDY */
	wr(e, RCC_CFGR, 1);
	assert_int_equal(rd(e, RCC_CFGR) & 0xC, 4);
	assert_int_equal(mcu_hclk_hz(e->m), 16000000u);
	assert_false(mcu_parse_clock("pll81", &c));
	assert_false(mcu_parse_clock("msi5", &c));
	assert_false(mcu_parse_clock("hsi16,apb1=3", &c));
	assert_true(mcu_parse_clock("msi48,usart=hsi16", &c));
	assert_int_equal(c.usart_sel, MCU_USEL_HSI16);
	done(e);
}

/* ---- core ---- */

static void core_aircr_cyccnt_systick(void **state)
{
	struct env *e = mk(0, false, NULL);

	(void)state;
	wr(e, 0xE000ED0Cu, 0x00000004u);                    /* no VECTKEY: ignored */
	assert_false(mcu_take_reset_request(e->m));
	wr(e, 0xE000ED0Cu, 0x05FA0004u);
	assert_true(mcu_take_reset_request(e->m));
	assert_int_equal(rd(e, 0xE000ED00u), 0x410FC241u);
	wr(e, 0xE000EDFCu, 1u << 24);
	wr(e, 0xE0001000u, 1);
	wr(e, 0xE0001004u, 0);
	mcu_add_cycles(e->m, 1000);
	assert_int_equal(rd(e, 0xE0001004u), 1000);
	wr(e, 0xE000E014u, 99);                             /* SysTick: reload 99, HCLK */
	wr(e, 0xE000E018u, 0);
	wr(e, 0xE000E010u, 5);
	mcu_add_cycles(e->m, 50);
	assert_int_equal(rd(e, 0xE000E018u), 50);           /* 0 -> 99 at the first tick */
	assert_false(rd(e, 0xE000E010u) & (1u << 16));
	mcu_add_cycles(e->m, 50);
	assert_true(rd(e, 0xE000E010u) & (1u << 16));       /* reached 0: COUNTFLAG */
	assert_false(rd(e, 0xE000E010u) & (1u << 16));      /* cleared by the read */
	assert_int_equal(mcu_read(e->m, 0xE0040000u, 4, &(uint32_t){ 0 }), MCU_BUS_FAULT);
	assert_int_equal(mcu_read(e->m, 0x48000000u, 4, &(uint32_t){ 0 }), MCU_BUS_FAULT);
	assert_non_null(strstr(mcu_fault(e->m), "no modelled peripheral"));
	done(e);
}

/* A long wait (romsim's sleeping CPU hands mcu_add_ns the whole of it)
 * counts its cycles without overflowing: 200 s at 120 MHz is 2.4e19
 * ns x Hz, past 2^64. */
static void long_wait_counts_cycles(void **state)
{
	struct env *e = mk(0, false, "pll120");
	uint64_t ns = 200000000000ull + 123456789ull;
	uint64_t t0;

	(void)state;
	assert_int_equal(mcu_hclk_hz(e->m), 120000000u);
	wr(e, 0xE000EDFCu, 1u << 24);                       /* DEMCR.TRCENA */
	wr(e, 0xE0001000u, 1);                              /* DWT_CTRL.CYCCNTENA */
	wr(e, 0xE0001004u, 0);
	t0 = mcu_now(e->m);
	mcu_add_ns(e->m, ns);
	assert_true(mcu_now(e->m) == t0 + ns);
	/* 200 s x 120 MHz + 123456789 ns x 120 MHz (14814814.68 cycles) */
	assert_int_equal(rd(e, 0xE0001004u), (uint32_t)(24000000000ull + 14814814ull));
	mcu_add_ns(e->m, 1000);                             /* and short waits as before */
	assert_int_equal(rd(e, 0xE0001004u), (uint32_t)(24000000000ull + 14814814ull + 120ull));
	done(e);
}

/* The CRC unit (RM0432 ch. 14): clock gate, the reset setting against the
 * vectors of protocol-facts A.5 (poly 0x04C11DB7, init 0xFFFFFFFF, no
 * reflection, 32-bit words), zlib's setting (input reversed by word, output
 * reversed), and --crc-unit dead. */

static uint32_t crc_words(struct env *e, uint32_t cr, const uint32_t *w, unsigned n)
{
	wr(e, CRC_CR, cr | 1u);   /* RESET: DR = INIT */
	for (unsigned i = 0; i < n; i++)
		wr(e, CRC_DR, w[i]);
	return rd(e, CRC_DR);
}

static void crc_unit(void **state)
{
	struct env *e = mk(0, false, NULL);
	const uint32_t w1 = 0x12345678u, w0 = 0, w18[2] = { 0x04030201u, 0x08070605u };
	struct board_config bc = { 0 };
	struct mcu_config mc = { .rom_usart = 1, .crc_dead = true };
	struct board *b;
	struct mcu *m;
	uint32_t v = 1;

	(void)state;
	wr(e, CRC_DR, 0x11111111u);
	assert_int_equal(mcu_write(e->m, CRC_DR, 1, 0x55), MCU_OK);   /* narrow too */
	assert_int_equal(rd(e, CRC_DR), 0);   /* no clock: reads 0, writes ignored */
	wr(e, RCC_AHB1ENR, rd(e, RCC_AHB1ENR) | 1u << 12);
	assert_int_equal(rd(e, CRC_DR), 0xFFFFFFFFu);   /* reset value */
	assert_int_equal(rd(e, CRC_INIT), 0xFFFFFFFFu);
	assert_int_equal(crc_words(e, 0, &w1, 1), 0xDF8A8A2Bu);
	assert_int_equal(crc_words(e, 0, &w0, 1), 0xC704DD7Bu);
	assert_int_equal(crc_words(e, 0, w18, 2), 0xA3141BDAu);
	/* zlib's CRC-32 of bytes 01..08 is 0x3FCA88C5 (Python's zlib.crc32) */
	assert_int_equal(~crc_words(e, 3u << 5 | 1u << 7, w18, 2), 0x3FCA88C5u);
	assert_int_equal(mcu_write(e->m, CRC_CR, 4, 1u << 3), MCU_BUS_FAULT);   /* 16-bit poly */
	assert_int_equal(mcu_write(e->m, CRC_DR, 1, 0x55), MCU_BUS_FAULT);      /* 8-bit data */
	assert_int_equal(mcu_write(e->m, CRC_INIT, 2, 0x1234), MCU_OK);   /* other registers: lanes */
	assert_int_equal(rd(e, CRC_INIT), 0xFFFF1234u);
	done(e);

	b = board_new(&bc);
	m = mcu_new(b, &mc);
	assert_non_null(m);
	mcu_rom_handoff(m, 115200, 1000);
	assert_int_equal(mcu_write(m, RCC_AHB1ENR, 4, 1u << 12 | 1u << 8), MCU_OK);
	assert_int_equal(mcu_write(m, CRC_DR, 4, w1), MCU_OK);
	assert_int_equal(mcu_read(m, CRC_DR, 4, &v), MCU_OK);
	assert_int_equal(v, 0);   /* dead: clocked, and still nothing */
	mcu_free(m);
	board_free(b);
}

static void polling_counts_idle_reads(void **state)
{
	struct env *e = mk(0, false, NULL);

	(void)state;
	for (int i = 0; i < 20; i++)
		rd(e, U1 + U_ISR);
	assert_true(mcu_idle_polls(e->m) >= 16);
	wr(e, U1 + U_ICR, 0);
	assert_int_equal(mcu_idle_polls(e->m), 0);
	rd(e, 0xE0001004u);
	assert_true(mcu_timer_read(e->m));
	done(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flash_locked_and_keys),
		cmocka_unit_test(flash_program_and_errors),
		cmocka_unit_test(flash_erase_banks_wrp),
		cmocka_unit_test(flash_single_bank),
		cmocka_unit_test(flash_busy_timing),
		cmocka_unit_test(flash_obl_launch_resets),
		cmocka_unit_test(usart_rom_state_and_frame),
		cmocka_unit_test(usart_rx_overrun_and_fifo),
		cmocka_unit_test(usart_tx_timing),
		cmocka_unit_test(usart_clock_gating),
		cmocka_unit_test(rcc_reset_and_rom_clocks),
		cmocka_unit_test(core_aircr_cyccnt_systick),
		cmocka_unit_test(long_wait_counts_cycles),
		cmocka_unit_test(polling_counts_idle_reads),
		cmocka_unit_test(crc_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
