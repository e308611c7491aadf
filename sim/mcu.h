/* SPDX-License-Identifier: MIT */
/*
 * mcu.h - the STM32L4R5's on-chip peripherals as code running on the
 * virtual CPU sees them: FLASH interface, RCC, USART1/2/3, and the Cortex-M4
 * core peripherals (SCB, SysTick, DWT), on the same struct board the ROM
 * side uses. Pure code: no OS calls, no printing, no engine; sim/cpu.c puts
 * an instruction-set emulator in front of it.
 *
 * Time. The model keeps its own clock, in nanoseconds, and a count of core
 * (HCLK) cycles. The caller advances it: by executed cycles
 * (mcu_add_cycles, converted at the current HCLK) and by time that passes
 * while the CPU waits (mcu_add_ns). Code execution is not cycle-accurate
 * (contract, uncertain fact 3); what takes time is the line (a character
 * takes its frame's bit count at the baud the code's BRR gives) and, with
 * timing on, FLASH busy times (BSY in FLASH_SR).
 *
 * The line. One USART (the one the ROM served on) is connected to the
 * host. Characters the host sent arrive with mcu_rx_push() at a given time;
 * the USART takes them into its receive data register when the clock
 * passes that time (overrun if the code has not read the previous one).
 * Characters the code writes to TDR go out through the tx callback with
 * the time their stop bit ends.
 *
 * Polling. mcu_idle_polls() counts consecutive reads of status registers
 * (USART_ISR, FLASH_SR) that saw nothing change; the caller uses it to put a
 * polling CPU to sleep until mcu_next_event().
 *
 * Facts: RM0432 (STM32L4+ reference manual) chapters FLASH (3), RCC (6),
 * USART (50); ARMv7-M ARM (B3) for the core registers; protocol-facts E.1-E.4;
 * man/romsim.1 (CPU model) for the state the ROM leaves at Go. "Contract
 * fact N" below: the facts no document settles, which romsim models both
 * ways (1: the ROM's USART left enabled at Go or de-initialised, 2: which
 * USART and clock tree the ROM used, 3: execution time not modelled). Each
 * rule cites its section where it is implemented.
 *
 * Ownership: mcu_new() returns a model freed with mcu_free(); the board is
 * borrowed and must outlive it. Not thread-safe.
 */
#ifndef SIM_MCU_H
#define SIM_MCU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "uart_line.h"

#define MCU_HSI16_HZ 16000000u

/* The clock tree the ROM leaves (romsim --rom-clock, contract uncertain fact 2). */
enum mcu_clk_src { MCU_CLK_MSI, MCU_CLK_HSI16, MCU_CLK_HSE, MCU_CLK_PLL };
enum mcu_usart_sel { MCU_USEL_PCLK = 0, MCU_USEL_SYSCLK = 1, MCU_USEL_HSI16 = 2 };

struct mcu_clock {
	enum mcu_clk_src src;
	unsigned mhz;             /* MSI range / HSE crystal / PLL output in MHz */
	unsigned apb1_div, apb2_div;  /* 1, 2, 4, 8, 16 */
	enum mcu_usart_sel usart_sel;
};

struct mcu_config {
	unsigned rom_usart;       /* 1..3: the USART the ROM served on; 0 = 1 */
	struct mcu_clock rom_clock; /* mhz 0: HSI16, APB /1, USART on PCLK */
	bool go_deinit;           /* the ROM resets USART and RCC before Go (fact 1) */
	bool timing;              /* FLASH busy times held in BSY */
	bool crc_dead;            /* the CRC unit reads 0 and ignores writes (--crc-unit dead) */
};

/* Parse a --rom-clock value ("hsi16", "msi4", "pll80,apb2=2,usart=sysclk", ...). */
bool mcu_parse_clock(const char *s, struct mcu_clock *out);

enum mcu_status { MCU_OK = 0, MCU_BUS_FAULT = -1 };

struct mcu_hooks {
	/* A character leaves the connected USART; its stop bit ends at end_ns.
	 * f is the USART's frame at that moment (baud 0: no valid baud). */
	void (*tx)(void *ctx, uint16_t c, uint64_t end_ns, const struct uart_frame *f);
	/* One human log line (warnings about what the code did). */
	void (*log)(void *ctx, const char *line);
	void *ctx;
};

struct mcu;

struct mcu *mcu_new(struct board *b, const struct mcu_config *cfg);
void mcu_free(struct mcu *m);
void mcu_set_hooks(struct mcu *m, const struct mcu_hooks *h);

/* Every peripheral to its reset value (RM0432 6.4, 3.7, 50.8), clock at t. */
void mcu_reset(struct mcu *m, uint64_t t);
/* The state the ROM leaves at Go (contract fact 1): clock tree from
 * rom_clock, the ROM's USART enabled at 8E1 and baud (BRR from its kernel
 * clock), its bus clock on; or, with go_deinit, mcu_reset(). */
void mcu_rom_handoff(struct mcu *m, unsigned baud, uint64_t t);

/* Bus accesses of 1, 2 or 4 bytes; MCU_BUS_FAULT with mcu_fault() set for
 * an address nothing answers at, or an access the part refuses. */
int mcu_read(struct mcu *m, uint32_t addr, unsigned size, uint32_t *val);
int mcu_write(struct mcu *m, uint32_t addr, unsigned size, uint32_t val);
/* What the last bus fault was ("read 0x40010000: no modelled peripheral"). */
const char *mcu_fault(const struct mcu *m);

/* ---- time ---- */
uint64_t mcu_now(const struct mcu *m);
void mcu_add_cycles(struct mcu *m, uint64_t cycles);
void mcu_add_ns(struct mcu *m, uint64_t ns);
/* Moves the clock forward to t (never back). */
void mcu_advance_to(struct mcu *m, uint64_t t);
/* Earliest future time at which a register changes by itself (a received
 * character, a transmit slot, end of BSY, an idle line); UINT64_MAX: none. */
uint64_t mcu_next_event(struct mcu *m);
uint32_t mcu_hclk_hz(const struct mcu *m);

/* ---- polling detection ---- */
unsigned mcu_idle_polls(const struct mcu *m);
/* A time source (SysTick, DWT_CYCCNT) was read since mcu_poll_clear(). */
bool mcu_timer_read(const struct mcu *m);
void mcu_poll_clear(struct mcu *m);

/* ---- requests to the caller ---- */
/* AIRCR.SYSRESETREQ or FLASH OBL_LAUNCH was written; cleared by reading. */
bool mcu_take_reset_request(struct mcu *m);

/* ---- the line (the connected USART) ---- */
/* A character from the host, arriving at t (t >= every earlier arrival). */
void mcu_rx_push(struct mcu *m, uint16_t c, bool parity_err, bool framing_err, uint64_t t);
/* Time of the last character queued on the wire (0: none yet). */
uint64_t mcu_rx_last(const struct mcu *m);
/* The connected USART's frame now (baud 0 if its BRR/clock give none). */
struct uart_frame mcu_line_frame(const struct mcu *m);
/* Nanoseconds one character of f takes on the wire (0 if f.baud is 0). */
uint64_t mcu_frame_ns(const struct uart_frame *f);
/* The connected USART's number (1..3). */
unsigned mcu_line_usart(const struct mcu *m);

#endif
