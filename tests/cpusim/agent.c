/* SPDX-License-Identifier: MIT */
/*
 * agent.c - test firmware for romsim's CPU model (not the RAM loader): a
 * register agent that runs from SRAM at 0x20003200 after AN3155 Go and
 * obeys one-byte commands on the USART the ROM left enabled (or USART1 at
 * 115200 from the reset clock when the ROM de-initialised everything).
 * Registers and bits from RM0432 (FLASH 3.7, RCC 6.4, USART 50.8) and
 * ARMv7-M (SCB AIRCR, DWT); all values little-endian.
 *
 *   P               -> 'p' usart(1) BRR(4) CR1(4)
 *   R addr          -> 'r' value(4)                  32-bit read
 *   W addr val      -> 'w'                           32-bit write
 *   H addr val(2)   -> 'w'                           16-bit write
 *   B addr val(1)   -> 'w'                           8-bit write
 *   U               -> 'u' FLASH_CR(4)               KEYR unlock sequence
 *   D addr lo hi    -> 'd' FLASH_SR(4)               PG, two words, wait BSY, PG off
 *   E page bank     -> 'e' FLASH_SR(4) cycles(4)     PER/PNB/BKER + STRT, wait BSY
 *   C               -> 'c' FLASH_SR(4)               clear the SR flags
 *   b brr           -> 'k' at the old rate; then, after a byte from the host
 *                      at the new rate, 'K' at the new one
 *   e n             -> echo the next n bytes
 *   O spins         -> 'o' ISR(4) count(1)           spin, then read what is there
 *   T n(2)          -> 't' cycles(4)                 send n x 0x55, DWT cycles used
 *   K spins         -> 'k' byte or 'z'               wait for a byte, counter time-out
 *   Y cycles        -> 'y' byte or 'z'               wait for a byte, DWT time-out
 *   X                                                system reset by AIRCR
 *   L                                                endless "b ." loop
 *   Z                                                WFI
 */
#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(a))

#define FLASH_KEYR REG(0x40022008u)
#define FLASH_SR REG(0x40022010u)
#define FLASH_CR REG(0x40022014u)
#define SR_BSY (1u << 16)
#define SR_CLEAR 0xC3FBu
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_BKER (1u << 11)
#define CR_STRT (1u << 16)

#define RCC_APB2ENR REG(0x40021060u)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)
#define AIRCR REG(0xE000ED0Cu)

#define U_CR1 0x00u
#define U_BRR 0x0Cu
#define U_ISR 0x1Cu
#define U_ICR 0x20u
#define U_RDR 0x24u
#define U_TDR 0x28u
#define ISR_ORE (1u << 3)
#define ISR_RXNE (1u << 5)
#define ISR_TC (1u << 6)
#define ISR_TXE (1u << 7)
#define CR1_UE 1u

extern uint32_t _estack, _sbss, _ebss;
void reset_handler(void);

__attribute__((section(".vectors"), used))
static const void *const vectors[2] = { &_estack, (const void *)reset_handler };

static const uint32_t bases[3] = { 0x40013800u, 0x40004400u, 0x40004800u };
static uint32_t u;
static uint8_t un;

static uint32_t ur(uint32_t off)
{
	return REG(u + off);
}

static void uw(uint32_t off, uint32_t v)
{
	REG(u + off) = v;
}

static uint8_t getc_(void)
{
	while (!(ur(U_ISR) & ISR_RXNE))
		;
	return (uint8_t)ur(U_RDR);
}

static void putc_(uint8_t c)
{
	while (!(ur(U_ISR) & ISR_TXE))
		;
	uw(U_TDR, c);
}

static uint32_t get32(void)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)getc_() << (8 * i);
	return v;
}

static void put32(uint32_t v)
{
	for (int i = 0; i < 4; i++)
		putc_((uint8_t)(v >> (8 * i)));
}

static void wait_tc(void)
{
	while (!(ur(U_ISR) & ISR_TC))
		;
}

/* The USART the ROM left enabled, else USART1 from the reset clock (MSI 4 MHz). */
static void find_usart(void)
{
	for (int i = 0; i < 3; i++) {
		if (REG(bases[i] + U_CR1) & CR1_UE) {
			u = bases[i];
			un = (uint8_t)(i + 1);
			return;
		}
	}
	RCC_APB2ENR |= 1u << 14;       /* USART1EN */
	u = bases[0];
	un = 1;
	uw(U_BRR, (4000000u + 57600u) / 115200u);
	uw(U_CR1, (1u << 12) | (1u << 10) | (1u << 3) | (1u << 2) | CR1_UE);  /* M0 PCE TE RE UE */
}

static void cycles_on(void)
{
	DEMCR |= 1u << 24;             /* TRCENA */
	DWT_CTRL |= 1u;                /* CYCCNTENA */
}

static void wait_flash(void)
{
	while (FLASH_SR & SR_BSY)
		;
}

static void cmd_program(void)
{
	uint32_t a = get32(), lo = get32(), hi = get32();

	wait_flash();
	FLASH_CR = CR_PG;
	REG(a) = lo;
	REG(a + 4) = hi;
	wait_flash();
	FLASH_CR = 0;
	putc_('d');
	put32(FLASH_SR);
}

static void cmd_erase(void)
{
	uint32_t page = getc_(), bank = getc_(), c0;

	wait_flash();
	cycles_on();
	c0 = DWT_CYCCNT;
	FLASH_CR = CR_PER | page << 3 | (bank ? CR_BKER : 0);
	FLASH_CR |= CR_STRT;
	wait_flash();
	c0 = DWT_CYCCNT - c0;
	FLASH_CR = 0;
	putc_('e');
	put32(FLASH_SR);
	put32(c0);
}

static void cmd_baud(void)
{
	uint32_t brr = get32();

	putc_('k');
	wait_tc();                     /* RM0432 50.8: BRR only while UE=0 */
	uw(U_CR1, ur(U_CR1) & ~CR1_UE);
	uw(U_BRR, brr);
	uw(U_CR1, ur(U_CR1) | CR1_UE);
	(void)getc_();                 /* the host has changed its rate too */
	putc_('K');
}

static void cmd_spin(void)
{
	uint32_t n = get32(), isr, count = 0;

	for (volatile uint32_t i = 0; i < n; i++)
		;
	isr = ur(U_ISR);
	while (ur(U_ISR) & ISR_RXNE) {
		(void)ur(U_RDR);
		count++;
	}
	uw(U_ICR, ISR_ORE);
	putc_('o');
	put32(isr);
	putc_((uint8_t)count);
}

static void cmd_time_tx(void)
{
	uint32_t n = getc_(), c0;

	n |= (uint32_t)getc_() << 8;
	cycles_on();
	wait_tc();
	c0 = DWT_CYCCNT;
	for (uint32_t i = 0; i < n; i++)
		putc_(0x55);
	wait_tc();
	c0 = DWT_CYCCNT - c0;
	putc_('t');
	put32(c0);
}

/* Wait for a byte with a time-out counted in loop turns (registers only). */
static void cmd_wait_count(void)
{
	uint32_t n = get32();

	for (uint32_t i = 0; i < n; i++) {
		if (ur(U_ISR) & ISR_RXNE) {
			putc_('k');
			putc_((uint8_t)ur(U_RDR));
			return;
		}
	}
	putc_('z');
}

/* The same with a time-out in core cycles from DWT_CYCCNT. */
static void cmd_wait_cycles(void)
{
	uint32_t n = get32(), c0;

	cycles_on();
	c0 = DWT_CYCCNT;
	while (DWT_CYCCNT - c0 < n) {
		if (ur(U_ISR) & ISR_RXNE) {
			putc_('y');
			putc_((uint8_t)ur(U_RDR));
			return;
		}
	}
	putc_('z');
}

static void cmd_echo(void)
{
	uint32_t n = getc_();

	while (n--)
		putc_(getc_());
}

static void cmd_write(uint8_t c)
{
	uint32_t a = get32();

	if (c == 'W')
		REG(a) = get32();
	else if (c == 'H')
		*(volatile uint16_t *)a = (uint16_t)(getc_() | getc_() << 8);
	else
		*(volatile uint8_t *)a = getc_();
	putc_('w');
}

static void command(uint8_t c)
{
	switch (c) {
	case 'P': putc_('p'); putc_(un); put32(ur(U_BRR)); put32(ur(U_CR1)); break;
	case 'R': { uint32_t a = get32(); putc_('r'); put32(REG(a)); } break;
	case 'W': case 'H': case 'B': cmd_write(c); break;
	case 'U': FLASH_KEYR = 0x45670123u; FLASH_KEYR = 0xCDEF89ABu; putc_('u'); put32(FLASH_CR); break;
	case 'D': cmd_program(); break;
	case 'E': cmd_erase(); break;
	case 'C': FLASH_SR = SR_CLEAR; putc_('c'); put32(FLASH_SR); break;
	case 'b': cmd_baud(); break;
	case 'e': cmd_echo(); break;
	case 'O': cmd_spin(); break;
	case 'T': cmd_time_tx(); break;
	case 'K': cmd_wait_count(); break;
	case 'Y': cmd_wait_cycles(); break;
	case 'X': wait_tc(); AIRCR = 0x05FA0004u; break;
	case 'L': __asm volatile("b ."); break;
	case 'Z': __asm volatile("wfi"); break;
	default: putc_('?'); break;
	}
}

void reset_handler(void)
{
	for (uint32_t *p = &_sbss; p < &_ebss; p++)
		*p = 0;
	find_usart();
	putc_('!');  /* "I run" */
	for (;;)
		command(getc_());
}
