/* SPDX-License-Identifier: MIT */
/*
 * ldr_wire.h - the wire format of the RAM loader protocol ("loader
 * protocol"), shared by the loader that runs on the part (stub/) and the
 * host engine (protocols/ldr.c). Plain constants and byte offsets only, so
 * that the freestanding loader can include it. man/an3155.1, section
 * LOADER PROTOCOL, is the prose version of this file.
 *
 * Frame, both directions (all multi-byte fields little-endian):
 *
 *   0      SOF    LDRW_SOF_HOST (host -> loader) or LDRW_SOF_DEV (loader -> host)
 *   1..2   LEN    payload bytes, 0..LDRW_MAX_PAYLOAD
 *   3      SEQ    sequence number (host frames); see each type for loader frames
 *   4      TYPE   command (host) or frame type (loader)
 *   5      HCHK   0xFF ^ b0 ^ b1 ^ b2 ^ b3 ^ b4: a corrupted LEN is seen at once,
 *                 before the receiver waits for a payload that never comes
 *   6..    PAYLOAD
 *   6+LEN  CRC    CRC-32 (reflected 0xEDB88320, init and final XOR 0xFFFFFFFF,
 *                 as zlib) over bytes 1 .. 5+LEN
 *
 * Two start bytes, one per direction, so that an echo of the host's own
 * bytes (a half-duplex adapter, a loop-back) is never taken for an answer.
 */
#ifndef LDR_WIRE_H
#define LDR_WIRE_H

#define LDRW_SOF_HOST 0x5Au
#define LDRW_SOF_DEV 0xA5u
#define LDRW_HDR 6u               /* SOF LEN(2) SEQ TYPE HCHK */
#define LDRW_TRAILER 4u           /* CRC-32 */
#define LDRW_OVERHEAD (LDRW_HDR + LDRW_TRAILER)
#define LDRW_DATA_MAX 1024u       /* data bytes in one WRITE or READ */
#define LDRW_MAX_PAYLOAD (8u + LDRW_DATA_MAX)
#define LDRW_MAX_RANGES 128u      /* ranges in one CRC command */
#define LDRW_VERSION 1u

/*
 * Host commands. "Queued" commands are flash operations: the loader takes
 * them into its buffer at once, answers with a STATUS frame, and executes
 * them in order while the next ones arrive (the wire and the flash work at
 * the same time); a second STATUS says when each one is done. The others
 * answer with one RESP frame carrying the same SEQ.
 */
enum ldrw_cmd {
	LDRW_CMD_IDENTIFY = 0x01, /* -> RESP: struct info (LDRW_INFO_*) */
	LDRW_CMD_BAUD = 0x02,     /* u32 old rate, u32 new rate -> RESP (old rate): u32 BRR,
				   * u32 rate the BRR gives, u32 CR1; then the loader switches */
	LDRW_CMD_CONFIRM = 0x03,  /* sent at the new rate -> RESP at the new rate */
	LDRW_CMD_CRC = 0x04,      /* n x (u32 addr, u32 len) -> RESP: n x u32 CRC-32 */
	LDRW_CMD_READ = 0x05,     /* u32 addr, u32 len (<= LDRW_DATA_MAX) -> RESP: data */
	LDRW_CMD_RESET = 0x06,    /* -> RESP, then a system reset (SCB AIRCR) */
	LDRW_CMD_ERASE = 0x10,    /* queued: u32 addr, u32 len, whole pages */
	LDRW_CMD_WRITE = 0x11,    /* queued: u32 addr, u32 flags, data (multiple of 8 bytes) */
};

/* WRITE flags */
#define LDRW_WF_SKIP_ERASED 1u    /* do not program double-words that are all 0xFF */

/* Loader frame types. */
enum ldrw_type {
	LDRW_T_HELLO = 0x80,      /* unasked, once at start on every enabled USART; SEQ 0; info */
	LDRW_T_RESP = 0x81,       /* answer to a non-queued command; SEQ = its SEQ */
	LDRW_T_STATUS = 0x82,     /* queue state; SEQ 0; LDRW_ST_* payload */
};

/* RESP payload: status byte, three zero bytes, then the command's data. */
#define LDRW_RESP_HDR 4u

/* Status codes (RESP byte 0, STATUS error byte). */
enum ldrw_status {
	LDRW_OK = 0,
	LDRW_E_CMD = 1,           /* unknown command */
	LDRW_E_LEN = 2,           /* payload length wrong for the command */
	LDRW_E_ADDR = 3,          /* range outside the flash */
	LDRW_E_ALIGN = 4,         /* not on a page (erase) or double-word (write) boundary */
	LDRW_E_FLASH = 5,         /* FLASH_SR reported errors: detail = the SR error bits */
	LDRW_E_LOCKED = 6,        /* FLASH_CR stayed locked after the key sequence: detail = CR */
	LDRW_E_BAUD = 7,          /* the USART cannot make that rate: detail = USARTDIV needed x16 */
	LDRW_E_ABORTED = 8,       /* not executed: an earlier queued operation failed */
};

/*
 * STATUS payload (LDRW_ST_LEN bytes). The host keeps at most `nslots`
 * frames that are not done in flight (window); the loader keeps frames
 * that arrive after a lost one (selective repeat) and names the gap:
 * RX_NEXT is missing, and of the 31 frames after it those whose HAVE bit
 * is clear, below the highest one set. Everything is cumulative, so a lost
 * STATUS is repaired by the next one.
 */
#define LDRW_ST_RX_NEXT 0         /* u8: SEQ the loader expects next */
#define LDRW_ST_DONE_NEXT 1       /* u8: every queued command before this SEQ is done */
#define LDRW_ST_FLAGS 2           /* u8: LDRW_SF_* */
#define LDRW_ST_ERR 3             /* u8: first failure (ldrw_status), sticky; 0: none */
#define LDRW_ST_ERR_SEQ 4         /* u8: SEQ of the command that failed */
#define LDRW_ST_LINE_ERRS 6       /* u16: characters with PE/FE/NE, overruns, lost (wraps) */
#define LDRW_ST_ERR_ADDR 8        /* u32: address of the failing double-word/page */
#define LDRW_ST_ERR_DETAIL 12     /* u32: FLASH_SR error bits, FLASH_CR, ... */
#define LDRW_ST_HAVE 16           /* u32: bit i set: frame RX_NEXT + 1 + i is here */
#define LDRW_ST_LEN 20u
#define LDRW_SF_NAK 1u            /* a frame was lost (damaged, or a gap): RX_NEXT is missing */
#define LDRW_SF_FULL 2u           /* a frame arrived beyond the buffers: send it again later */
#define LDRW_SF_DAMAGED 4u        /* a damaged copy of RX_NEXT arrived just now: send it again */

/* Info payload of HELLO and IDENTIFY (LDRW_INFO_LEN bytes). */
#define LDRW_INFO_VERSION 0       /* u8: LDRW_VERSION */
#define LDRW_INFO_USART 1         /* u8: 1..3, or 0 before one is chosen */
#define LDRW_INFO_DATA_MAX 2      /* u16: data bytes per WRITE/READ */
#define LDRW_INFO_NSLOTS 4        /* u16: frames the loader can hold (window) */
#define LDRW_INFO_NUSART 6        /* u8: enabled USARTs found */
#define LDRW_INFO_FLAGS 7         /* u8: LDRW_IF_* */
#define LDRW_INFO_FLASH_BASE 8    /* u32 */
#define LDRW_INFO_FLASH_SIZE 12   /* u32 bytes */
#define LDRW_INFO_PAGE_SIZE 16    /* u32 bytes */
#define LDRW_INFO_BANK2 20        /* u32: bank 2 start, 0 in single-bank mode */
#define LDRW_INFO_OPTR 24         /* u32: FLASH_OPTR as read */
#define LDRW_INFO_BRR 28          /* u32: USART_BRR in force */
#define LDRW_INFO_CR1 32          /* u32: USART_CR1 in force */
#define LDRW_INFO_RAM_BUF 36      /* u32: bytes of frame buffers */
#define LDRW_INFO_LEN 40u
#define LDRW_IF_CRC_UNIT 1u       /* CRCs over flash by the part's CRC unit, not tables */

#endif
