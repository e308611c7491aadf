/* SPDX-License-Identifier: MIT */
/*
 * l4_regs.h - the STM32L4R5 registers the loader uses, and nothing else.
 *
 * Every address and bit comes from RM0432 (STM32L4+ reference manual) as
 * collected in protocol-facts E.1/E.2/E.4, or from the Cortex-M4 programming
 * manual (PM0214) for SCB AIRCR. Section numbers: FLASH chapter 3 of RM0432;
 * the USART chapter's register sections are cited by title because its
 * chapter number differs between revisions of RM0432.
 */
#ifndef STUB_L4_REGS_H
#define STUB_L4_REGS_H

/* ---- FLASH, RM0432 §3.7 (base: protocol-facts E.1) ---------------------- */
#define FLASH_REGS 0x40022000u
#define FLASH_ACR (FLASH_REGS + 0x00u)   /* §3.7.1: DCEN b10, DCRST b12 */
#define FLASH_KEYR (FLASH_REGS + 0x08u)  /* §3.7.3 */
#define FLASH_SR (FLASH_REGS + 0x10u)    /* §3.7.5 */
#define FLASH_CR (FLASH_REGS + 0x14u)    /* §3.7.6 */
#define FLASH_OPTR (FLASH_REGS + 0x20u)  /* §3.7.8, read only here */

/* §3.7.3 / §3.3.5 "Unlocking the Flash memory": two keys in this order. */
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

/* FLASH_SR, §3.7.5 (protocol-facts E.2). Error flags are cleared by writing 1. */
#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_MISERR (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY (1u << 16)
#define SR_ERRORS (SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | \
		   SR_MISERR | SR_FASTERR | SR_RDERR | SR_OPTVERR)

/* FLASH_CR, §3.7.6 (protocol-facts E.2). OPTSTRT, OPTLOCK, OBL_LAUNCH, MER1/2
 * and FSTPG exist but the loader never sets them: no option bytes, no mass
 * erase, no fast programming. */
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_PNB_SHIFT 3
#define CR_PNB_MASK (0xFFu << CR_PNB_SHIFT)
#define CR_BKER (1u << 11)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)

/* FLASH_OPTR, §3.7.8 (protocol-facts E.4). */
#define OPTR_DB1M (1u << 21)             /* dual bank on 1 MB parts */
#define OPTR_DBANK (1u << 22)            /* dual bank on 2 MB parts */

/* FLASH_ACR, §3.7.1: the data cache keeps flash words it read before an
 * erase; §3.3.4 asks to reset it (DCRST while DCEN = 0) after erasing. */
#define ACR_DCEN (1u << 10)
#define ACR_DCRST (1u << 12)

/* Main flash and its size, protocol-facts E.1 (RM0432 §3.3.1, and the
 * "Flash size data register" of the device electronic signature chapter). */
#define FLASH_MEM 0x08000000u
#define FLASH_SIZE_REG 0x1FFF75E0u       /* 16-bit, KB; 0xFFFF: not programmed */

/* ---- USART1/2/3 (protocol-facts C; RM0432 §50.8, USART registers) ------- */
#define USART1_BASE 0x40013800u
#define USART2_BASE 0x40004400u
#define USART3_BASE 0x40004800u
#define USART_CR1 0x00u
#define USART_BRR 0x0Cu
#define USART_ISR 0x1Cu
#define USART_ICR 0x20u
#define USART_RDR 0x24u
#define USART_TDR 0x28u

/* USART_CR1 */
#define CR1_UE (1u << 0)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_OVER8 (1u << 15)
#define CR1_FIFOEN (1u << 29)            /* §50.5.6: 8-character RX and TX FIFOs */

/* USART_ISR, §50.8.10 (with the FIFO on, RXFNE and TXFNF keep bits 5 and 7) */
#define ISR_PE (1u << 0)
#define ISR_FE (1u << 1)
#define ISR_NE (1u << 2)
#define ISR_ORE (1u << 3)
#define ISR_RXNE (1u << 5)
#define ISR_TC (1u << 6)
#define ISR_TXE (1u << 7)
#define ISR_TEACK (1u << 21)
#define ISR_REACK (1u << 22)
#define ISR_ERRORS (ISR_PE | ISR_FE | ISR_NE | ISR_ORE)

/* USART_ICR: write 1 to clear the matching ISR flag. */
#define ICR_ERRORS (ISR_PE | ISR_FE | ISR_NE | ISR_ORE)

/* ---- RCC and the CRC unit ------------------------------------------------ */
/* RM0432 §6.4.16 RCC_AHB1ENR (RCC at 0x40021000, memory map §2.2.2) */
#define RCC_AHB1ENR 0x40021048u
#define AHB1ENR_CRCEN (1u << 12)
/* RM0432 §14.4 CRC registers (CRC at 0x40023000, memory map §2.2.2) */
#define CRC_REGS 0x40023000u
#define CRC_DR (CRC_REGS + 0x00u)
#define CRC_CR (CRC_REGS + 0x08u)
#define CRC_INIT (CRC_REGS + 0x10u)
#define CRC_POL (CRC_REGS + 0x14u)
#define CRC_CR_RESET (1u << 0)
#define CRC_CR_REV_IN_WORD (3u << 5)     /* input bit order reversed by word */
#define CRC_CR_REV_OUT (1u << 7)         /* output bit order reversed */
#define CRC_CR_ZLIB (CRC_CR_REV_IN_WORD | CRC_CR_REV_OUT)   /* with init ~0: zlib's CRC-32 */
#define CRC_POLY_32 0x04C11DB7u          /* the reset value of CRC_POL */

/* ---- SCB (PM0214 §4.4.4, AIRCR) ------------------------------------------ */
#define SCB_AIRCR 0xE000ED0Cu
#define AIRCR_VECTKEY (0x5FAu << 16)
#define AIRCR_PRIGROUP (7u << 8)
#define AIRCR_SYSRESETREQ (1u << 2)

#endif
