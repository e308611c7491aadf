/* SPDX-License-Identifier: MIT */
/*
 * ldr_core.h - the RAM loader's logic: line discovery, frame receiver,
 * command queue, flash sequencer, transmitter. No OS, no libc beyond
 * <stdint.h>/<stddef.h>; the registers are reached through ldr_hw.h.
 *
 * Use: zero a struct ldr (on the part it lives in .bss), set L->hw when
 * built with LDR_NATIVE, call ldr_init(); if it returns LDR_NO_LINE there is
 * no USART to talk on (the contract's uncertain fact 1: the ROM may have
 * de-initialised it) and the caller resets the part so that the ROM loader
 * answers again. Otherwise call ldr_poll() forever: each call moves received
 * bytes into the parser, advances the flash operation at the head of the
 * queue when FLASH_SR.BSY is clear, and moves queued bytes out. The loader
 * has no timer: everything it waits for is a register bit or a byte.
 */
#ifndef STUB_LDR_CORE_H
#define STUB_LDR_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "ldr_hw.h"
#include "ldr_wire.h"

#define LDR_NSLOTS 32u           /* frames held (window); 32 x 1 KB of RAM */
#define LDR_TXBUF 4096u          /* power of two, > LDRW_MAX_PAYLOAD + overhead */
#define LDR_RXBUF 1024u          /* power of two: characters taken from the USART, not parsed yet */
#define LDR_MAX_USARTS 3u
/* Bad characters or frames at a new baud rate, before the first good frame
 * after CONFIRM, that make the loader go back to the old rate: the host
 * sends at the old rate (the handshake failed on its side), and every byte
 * it sends then arrives as noise. A few bit errors on a working line stay
 * well below this. */
#define LDR_BAUD_GARBAGE 16u
/* Largest error of a new baud rate against the rate asked for: 1/40 = 2.5 %.
 * The USART receiver tolerates 3.16 % to 3.75 % of total deviation
 * (RM0432 USART chapter, "Tolerance of the USART receiver to clock
 * deviation"; the lower figure for a 9-bit word, 8E1); 2.5 % lets a
 * 16 MHz kernel clock make 921600 baud (2.1 % off) and leaves the rest to
 * the host's adapter. */
#define LDR_BAUD_TOL_DIV 40u

enum { LDR_OK = 0, LDR_NO_LINE = -1 };

struct ldr_slot {
	uint16_t len;
	uint8_t seq, cmd;
	uint8_t have;            /* holds frame `seq`, not yet executed */
	uint8_t pad[3];
	uint8_t data[LDRW_MAX_PAYLOAD] __attribute__((aligned(4)));
};

/* A USART found enabled, before the host has chosen it by talking on it. */
struct ldr_cand {
	uint32_t base;
	uint8_t no;              /* 1..3 */
	uint8_t n;               /* header bytes collected */
	uint8_t hdr[LDRW_HDR];
};

struct ldr {
#ifdef LDR_NATIVE
	const struct ldr_hw *hw;
#endif
	/* line */
	uint32_t usart;          /* base of the USART in use, 0 until chosen */
	uint8_t usart_no;
	uint8_t ncand;
	struct ldr_cand cand[LDR_MAX_USARTS];
	/* flash, from FLASH_OPTR and the flash size register */
	uint32_t flash_size, page_size, bank2, optr;
	/* receiver: the USART's characters go to rxq at once (ldr_rx_stash),
	 * the parser takes them from there in the main loop */
	uint8_t rxq[LDR_RXBUF];
	uint16_t rxq_head, rxq_tail;
	uint16_t rx_errors;      /* characters with PE/FE/NE, overruns, since the last poll */
	uint16_t line_errs;      /* the same, counted for the host (STATUS) */
	uint8_t rx_state, rx_mode;
	uint16_t rx_pos, rx_len;
	uint8_t hdr[LDRW_HDR];
	uint8_t rx_crcb[4];
	uint32_t rx_crc;
	struct ldr_slot *rx_slot;
	/* frames: slot[seq % LDR_NSLOTS] holds frame seq, for seq from
	 * done_next (oldest not executed) on; every frame before rx_next is
	 * here, later ones may be (they arrived after a lost one) */
	struct ldr_slot slot[LDR_NSLOTS];
	uint8_t rx_next, done_next;
	uint8_t nak_sent, last_immediate;
	uint8_t rerun;           /* the slot before rx_next holds a repeat to run */
	uint8_t held;            /* frames held beyond a gap */
	/* flash operation at the head of the queue */
	uint8_t x_busy, x_started;
	uint32_t x_pos;
	uint32_t x_addr, x_len, x_flags;   /* from its payload, taken at its start */
	const uint8_t *x_data;
	/* first failure, sticky until reset */
	uint8_t err, err_seq;
	uint32_t err_addr, err_detail;
	/* transmitter */
	uint8_t tx[LDR_TXBUF];
	uint16_t tx_head, tx_tail;
	uint32_t tx_crc;
	/* baud change */
	uint8_t baud_state, confirmed;
	uint16_t garbage;
	uint32_t old_brr, old_cr1, new_brr, new_cr1;
	uint8_t reset_pending;
	/* CRC-32 tables: [0] byte-wise (frames), [1..3] with [0] four bytes
	 * at a time ("slicing by 4") for CRCs over flash, 4 KB of RAM (slicing
	 * by 8 was slower on romsim's model of the part: more registers than
	 * the core has) */
	uint32_t crc_table[4][256];
	uint8_t crc_unit;        /* the part's CRC unit gives the tables' CRC (ldr_crc_unit_init) */
};

/* Read the flash geometry, find the USARTs the ROM left enabled, send HELLO
 * on each. LDR_NO_LINE: none is usable (the caller resets the part). */
int ldr_init(struct ldr *L);

/* Set up the part's CRC unit for zlib's CRC-32 and test it against the
 * tables (ldr_crc_init first); L->crc_unit says whether it passed. */
void ldr_crc_unit_init(struct ldr *L);

/* One round of the main loop (see above). */
void ldr_poll(struct ldr *L);

/* CRC-32 as the frames use it (zlib's): start with 0xFFFFFFFF, finish with ~. */
void ldr_crc_init(struct ldr *L);
uint32_t ldr_crc_update(const struct ldr *L, uint32_t crc, const uint8_t *p, size_t n);

#endif
