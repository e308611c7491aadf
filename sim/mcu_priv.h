/* SPDX-License-Identifier: MIT */
/*
 * mcu_priv.h - insides of struct mcu shared by sim/mcu.c (bus, time,
 * polling), sim/periph_flash.c, sim/periph_usart.c, sim/periph_rcc.c and
 * sim/periph_core.c. Not for other modules.
 */
#ifndef SIM_MCU_PRIV_H
#define SIM_MCU_PRIV_H

#include "mcu.h"

#define NS_PER_S 1000000000ull

/* ---- FLASH interface, RM0432 3.7; protocol-facts E.2/E.3 ---- */
struct mcu_flash {
	uint32_t acr, cr, sr;        /* sr: the flags software sees (BSY/PEMPTY computed) */
	uint32_t opt_stage;          /* OPTR as written (OPTSTRT not modelled) */
	int key_step;                /* KEYR: 0 nothing, 1 KEY1 seen */
	int optkey_step;
	bool cr_frozen;              /* wrong key: CR locked until reset (RM0432 3.3.5) */
	bool dw_open;                /* first word of a double-word latched */
	uint32_t dw_addr;            /* flash offset of that double-word */
	uint8_t dw_have;             /* bit 0: word 0, bit 1: word 1 */
	uint8_t dw_data[8];
	bool op_active;              /* an operation started, BSY until busy_until */
	uint64_t busy_until;
	bool op_pending_eop;         /* set EOP when BSY ends (EOPIE was set) */
};

/* ---- USART, RM0432 50.8 ---- */
#define USART_FIFO 8u                /* RM0432 50.4: 8-character FIFOs when FIFOEN */
struct mcu_usart {
	unsigned n;                  /* 1..3 */
	uint32_t base;
	uint32_t cr1, cr2, cr3, brr, gtpr, rtor, presc;
	uint32_t flags;              /* sticky ISR bits: PE, FE, NE, ORE, IDLE */
	bool tc_cleared;             /* TCCF written ... */
	uint64_t tc_clear_at;        /* ... at this time */
	uint64_t tx_last;            /* end of the last character sent */
	uint16_t rx[USART_FIFO];
	unsigned rx_n;
	uint16_t rdr;                /* last value read or received */
	struct tx_slot { uint64_t start, end; uint16_t c; bool sent; } tx[USART_FIFO + 1];
	unsigned tx_n;
	uint64_t idle_at;            /* IDLE detection time; 0: not armed */
	bool warned_dead;
};

/* ---- RCC, RM0432 6.4 (registers 0x00..0x9C) ---- */
#define RCC_NREG 40u
struct mcu_rcc {
	uint32_t r[RCC_NREG];
};

/* ---- CRC unit, RM0432 14.4 ---- */
struct mcu_crc {
	uint32_t dr;                 /* the CRC, before CRC_CR.REV_OUT */
	uint32_t idr, cr, init, pol;
};
/* ---- Cortex-M4 system control space, ARMv7-M B3 ---- */
struct mcu_core {
	uint32_t stk_ctrl, stk_load, stk_val0;
	uint64_t stk_mark;           /* cycle count when stk_val0 was loaded */
	uint64_t stk_wraps_seen;      /* zero events already reported */
	bool stk_flag;               /* COUNTFLAG pending across a re-base */
	uint32_t dwt_ctrl, cyccnt0, demcr;
	uint64_t cyc_mark;           /* cycle count when cyccnt0 was loaded */
	uint32_t vtor, prigroup, cpacr, scr, ccr;
	uint32_t nvic[0x100];        /* 0xE000E100..0xE000E4FF, storage only */
	bool warned_irq;
};

struct rx_char {
	uint16_t c;
	bool pe, fe;
	uint64_t at;
};

struct mcu {
	struct board *b;
	struct mcu_config cfg;
	struct mcu_hooks hooks;
	uint64_t now, cycles, ns_rem;   /* ns_rem: cycle remainder below 1 ns, x hclk */
	struct mcu_rcc rcc;
	struct mcu_flash fl;
	struct mcu_usart us[3];
	struct mcu_core core;
	struct mcu_crc crc;
	struct rx_char *wire;           /* host characters not yet arrived or taken */
	size_t wire_len, wire_cap;
	uint64_t wire_last;
	uint32_t poll_addr, poll_val;
	unsigned idle_polls;
	bool timer_read;
	bool reset_req;
	char fault[160];
};

__attribute__((format(printf, 2, 3)))
void mcu_log(struct mcu *m, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
int mcu_bus_fault(struct mcu *m, const char *fmt, ...);
/* A status register read: counts idle polls (value unchanged, no write since). */
void mcu_status_read(struct mcu *m, uint32_t addr, uint32_t val);
/* A read or write with a side effect: polling made progress. */
void mcu_progress(struct mcu *m);

/* size (1..4) bytes, least significant first: the bus and the board are little-endian. */
static inline uint32_t mcu_le_bytes(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* periph_flash.c */
void flash_reset(struct mcu *m);
/* Register accesses through mcu_read()/mcu_write(), which flash_sync() first. */
int flash_reg_read(struct mcu *m, uint32_t off, uint32_t *val);
int flash_reg_write(struct mcu *m, uint32_t off, uint32_t val);
int flash_mem_read(struct mcu *m, uint32_t off, unsigned size, uint32_t *val);
int flash_mem_write(struct mcu *m, uint32_t off, unsigned size, uint32_t val);
void flash_sync(struct mcu *m);
uint64_t flash_next_event(const struct mcu *m);

/* periph_usart.c */
void usart_reset(struct mcu_usart *u);
int usart_read(struct mcu *m, struct mcu_usart *u, uint32_t off, uint32_t *val);
int usart_write(struct mcu *m, struct mcu_usart *u, uint32_t off, uint32_t val);
void usart_sync(struct mcu *m);
uint64_t usart_next_event(const struct mcu *m);
struct uart_frame usart_frame(const struct mcu *m, const struct mcu_usart *u);
void usart_rom_setup(struct mcu *m, struct mcu_usart *u, unsigned baud);
bool usart_clocked(const struct mcu *m, const struct mcu_usart *u);

/* periph_rcc.c */
void rcc_reset(struct mcu *m);
void rcc_apply_clock(struct mcu *m, const struct mcu_clock *c);
int rcc_read(struct mcu *m, uint32_t off, uint32_t *val);
int rcc_write(struct mcu *m, uint32_t off, uint32_t val);
uint32_t rcc_sysclk(const struct mcu *m);
uint32_t rcc_hclk(const struct mcu *m);
uint32_t rcc_usart_kernel(const struct mcu *m, unsigned n);
bool rcc_usart_enabled(const struct mcu *m, unsigned n);
bool rcc_usart_in_reset(const struct mcu *m, unsigned n);
bool rcc_crc_enabled(const struct mcu *m);

/* periph_crc.c */
void crc_reset(struct mcu *m);
int crc_read(struct mcu *m, uint32_t off, uint32_t *val);
int crc_write(struct mcu *m, uint32_t off, uint32_t val);
/* Why a narrow write at off is not modelled (CRC_DR takes it as data), or
 * NULL (then it is a read-modify-write of the word, as elsewhere). */
const char *crc_narrow_refused(const struct mcu *m, uint32_t off);
/* periph_core.c */
void core_reset(struct mcu *m);
int core_read(struct mcu *m, uint32_t addr, uint32_t *val);
int core_write(struct mcu *m, uint32_t addr, uint32_t val);

#endif
