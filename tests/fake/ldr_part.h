/* SPDX-License-Identifier: MIT */
/*
 * ldr_part.h - a small register-level model of the STM32L4R5 for the RAM
 * loader's host-native unit tests (tests/unit/test_ldr*.c): FLASH (KEYR,
 * SR, CR, OPTR, ACR, double-word programming once per erase, page erase by
 * PNB/BKER, WRP, BSY for a number of SR reads), USART1..3 (CR1, BRR, ISR,
 * ICR, RDR, TDR), the flash size register, SCB AIRCR, RCC_AHB1ENR and the
 * CRC unit (RM0432 ch. 14) in the one setting that gives zlib's CRC-32 (input
 * reversed by word, output reversed; computed the reflected way, not as
 * romsim's model does), or dead (reads 0, ignores writes).
 *
 * It is the tests' own reading of RM0432, kept minimal: the loader's
 * register use is checked for real by romsim's CPU model (branch cpusim),
 * written independently. Any access to an address it does not model, or a
 * use the manual forbids (BRR written while UE = 1, a flash write without
 * PG, a second key sequence), is recorded and reported by fp_error().
 *
 * The line: the host's bytes reach the USART named host_usart one per
 * fp_tick(); the bytes that USART transmits come back through fp_host_rx().
 * When the host's rate and the USART's rate (2 fck / (BRR as USARTDIV))
 * differ by more than 3 %, or one of them is above max_line_baud, every
 * byte arrives garbled (with FE set on the device side).
 */
#ifndef TEST_LDR_PART_H
#define TEST_LDR_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fp_cfg {
	uint32_t flash_kb;       /* 0: 2048 */
	uint32_t fsize_reg;      /* value of the flash size register; 0: flash_kb */
	uint32_t optr;           /* 0: factory 0xFFEFF8AA (dual bank) */
	uint32_t fck;            /* USART kernel clock; 0: 16 MHz */
	unsigned usarts;         /* bit i: USART(i+1) left enabled by the "ROM"; 0: USART1 */
	unsigned host_usart;     /* 1..3, the one wired to the host; 0: the first enabled */
	unsigned baud;           /* rate the "ROM" autobauded to; 0: 115200 */
	bool over8;              /* the "ROM" used oversampling by 8 */
	uint32_t wrp_start, wrp_end;  /* write-protected flash addresses [start, end) */
	unsigned max_line_baud;  /* 0: any */
	unsigned prog_reads;     /* SR reads a double-word stays busy (default 3) */
	unsigned erase_reads;    /* SR reads a page erase stays busy (default 20) */
	bool crc_dead;           /* the CRC unit reads 0 and ignores writes */
};

struct fp_stats {
	unsigned programs, erases, double_programs, dcache_resets;
	unsigned crc_words;      /* words the CRC unit took */
	unsigned garbled_in, garbled_out;
	uint32_t last_sr_errors;
};

struct fpart;

struct fpart *fp_new(const struct fp_cfg *cfg);
void fp_free(struct fpart *p);

/* The hw seam for the loader (stub/ldr_hw.h), declared here without that
 * header: read, write, reset; ctx is the fpart. */
uint32_t fp_rd32(void *ctx, uint32_t addr);
void fp_wr32(void *ctx, uint32_t addr, uint32_t value);
void fp_reset(void *ctx);

uint8_t *fp_flash(struct fpart *p);
uint32_t fp_flash_size(const struct fpart *p);
bool fp_reset_requested(const struct fpart *p);
/* First forbidden or unmodelled access, or NULL. */
const char *fp_error(const struct fpart *p);
const struct fp_stats *fp_stats(const struct fpart *p);

/* line */
void fp_host_send(struct fpart *p, const uint8_t *buf, size_t n);
size_t fp_host_recv(struct fpart *p, uint8_t *buf, size_t max);
size_t fp_host_pending(const struct fpart *p);   /* device bytes not yet taken */
void fp_host_flush(struct fpart *p);
void fp_set_host_baud(struct fpart *p, unsigned baud);
unsigned fp_usart_baud(const struct fpart *p, unsigned usart);  /* 0: disabled */
/* Move the next host byte into the USART (one per call). */
void fp_tick(struct fpart *p);

#endif
