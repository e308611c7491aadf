/* SPDX-License-Identifier: MIT */
/*
 * ldr_priv.h - what ldr_core.c (line, frames, queue) and ldr_cmd.c
 * (commands, flash sequencer, baud change) share.
 */
#ifndef STUB_LDR_PRIV_H
#define STUB_LDR_PRIV_H

#include "ldr_core.h"
#include "l4_regs.h"

/* little-endian fields */
static inline uint32_t ldr_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void ldr_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

enum { BAUD_IDLE = 0, BAUD_SWITCH, BAUD_TENTATIVE };

/* ldr_core.c: move what the USART received into the ring (cheap; called
 * from every step that may take longer than the USART's FIFO lasts). */
void ldr_rx_stash(struct ldr *L);

/* ldr_core.c: the transmitter. A frame is begun with its payload length,
 * fed byte by byte, and ended; tx_begin waits (draining the USART) until
 * the whole frame fits the ring. */
void ldr_tx_begin(struct ldr *L, uint8_t type, uint8_t seq, uint16_t len);
void ldr_tx_bytes(struct ldr *L, const uint8_t *p, size_t n);
void ldr_tx_end(struct ldr *L);
int ldr_tx_idle(struct ldr *L);        /* ring empty and the last stop bit sent */
void ldr_send_status(struct ldr *L, uint8_t flags);
void ldr_send_resp(struct ldr *L, uint8_t seq, uint8_t status, const uint8_t *data, uint16_t n);
void ldr_send_info(struct ldr *L, uint8_t type, uint8_t seq);

/* ldr_cmd.c */
int ldr_is_queued(uint8_t cmd);
void ldr_flash_geometry(struct ldr *L);
/* Run the non-queued command in s and answer it. */
void ldr_exec_immediate(struct ldr *L, struct ldr_slot *s);
/* Advance the flash operation in s: 1 when it has finished (ok or not). */
int ldr_flash_step(struct ldr *L, struct ldr_slot *s);
/* Baud change: switch when the answer has left, fall back on noise. */
void ldr_baud_poll(struct ldr *L);
void ldr_baud_noise(struct ldr *L);
void ldr_baud_good_frame(struct ldr *L, uint8_t cmd);

#endif
