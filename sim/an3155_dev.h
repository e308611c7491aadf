/* SPDX-License-Identifier: MIT */
/*
 * an3155_dev.h - the device side of ST AN3155: the STM32L4R5 USART ROM
 * loader as a pure byte state machine over a struct board.
 *
 * Bytes from the host go in with an3155dev_input(); replies are appended to
 * an output buffer that the caller drains with an3155dev_output(). Nothing
 * here calls the OS or knows about time: line speed, parity and timing are
 * the caller's business (sim/sersim.h).
 *
 * The machine follows the board: after every board reset (board_reset_count
 * changes) it waits for the autobaud 0x7F again; while the board is not in
 * BOARD_MODE_ROM it ignores input. Facts: protocol-facts A.1-A.7.
 *
 * Ownership: an3155dev_new() returns a device the caller frees with
 * an3155dev_free(); the board must outlive it and is not freed by it.
 * Not thread-safe (one caller at a time, like struct board).
 */
#ifndef SIM_AN3155_DEV_H
#define SIM_AN3155_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"

#define AN3155DEV_ACK_BYTE 0x79
#define AN3155DEV_NACK_BYTE 0x1F
#define AN3155DEV_SYNC_BYTE 0x7F
#define AN3155DEV_VERSION_CRC 0x33    /* first version listing Get Checksum (A.5 0xA1 row) */
/* Longest Extended Erase page list accepted; longer lists are NACKed (INF:
 * the ROM's limit is not documented; stm32flash sends at most 512). */
#define AN3155DEV_MAX_ERASE_PAGES 512u

/* Get Checksum frames (protocol-facts A.5 0xA1 row, CONFLICT F.6). */
enum an3155dev_crc_frame {
	AN3155DEV_CRC_USART,  /* AN3155 §3.13: address, size in words, polynomial,
			       * initial value, each ACKed; then ACK + CRC + XOR */
	AN3155DEV_CRC_I2C,    /* stm32flash's (the I2C loader's): address, byte
			       * length, then ACK, ACK, CRC + XOR */
};

/*
 * Zero is the strict ROM: what AN3155 and protocol-facts document for the
 * L4R5 (v3.1, no 0xA1). Every other value models one side of a fact marked
 * C1, INF or CONFLICT; man/romsim.1 lists them with their sections.
 */
struct an3155dev_config {
	/* protocol-facts A.7: the real part may ACK a Write Memory whose
	 * double-word was already programmed (data unchanged). false (the
	 * default) NACKs it so that hosts notice; true models the silent ACK. */
	bool silent_progerr;
	/* Protocol version in Get and Get Version, 0x31 when 0 (A.4, C: v3.1,
	 * INF). From 0x33 on Get lists Get Checksum 0xA1 (A.5). */
	uint8_t version;
	enum an3155dev_crc_frame crc_frame;
	/* Read Memory (and Get Checksum) also serve the package/UID/flash-size
	 * words, the FLASH registers and DBGMCU_IDCODE. false: NACKed, as two
	 * forum threads report for 0x1FFF75E0 on L43x (A.5 Read Memory, C1). */
	bool permissive_reads;
	/* 0x7F when already synchronised: true answers NACK at once; false takes
	 * it as an opcode and waits silently for its complement (A.1: both
	 * observed). */
	bool sync_nack;
	/* Write Memory or page erase touching write-protected pages: true NACKs
	 * it and changes nothing; false ACKs it and leaves the protected pages
	 * unchanged ("the ROM skips protected pages without an error",
	 * AN3155 §3.6 as quoted in issue 8; C1). */
	bool wrp_nack;
	/* Option-byte writes at any address and length inside a bank, merged
	 * into it. false: only a whole bank at its base (0x1FF00000,
	 * 0x1FF01000; 40 bytes), else NACK (C, E.4; INF). */
	bool ob_any;
};

enum an3155dev_phase {
	AN3155DEV_OFF,        /* board not running the ROM (reset held, application) */
	AN3155DEV_AWAIT_SYNC, /* after reset: the first byte must be 0x7F (A.1) */
	AN3155DEV_LOCKED,     /* first byte was not 0x7F: wrong baud until reset (A.1) */
	AN3155DEV_IDLE,       /* synced, waiting for a command */
	AN3155DEV_BUSY,       /* inside a command */
	AN3155DEV_HUNG,       /* fault injection: silent until reset */
};

/* What the fault layer wants done with a command whose opcode pair arrived. */
enum an3155dev_fate {
	AN3155DEV_NORMAL,
	AN3155DEV_NACK,       /* NACK the opcode; nothing executed */
	AN3155DEV_NACK_LATE,  /* run the dialogue, NACK the final step; nothing executed */
	AN3155DEV_STALL,      /* no reply at all; back to waiting for a command */
	AN3155DEV_HANG,       /* no reply, ignore everything until the next reset */
};

/* A finished command, for logs and tests. */
struct an3155dev_event {
	uint8_t code;         /* opcode; 0x7F for the autobaud sync */
	bool ok;              /* ended with ACK (or silence for STALL/HANG) */
	char text[160];       /* one human line, e.g. "write 0x08000000+256: ok" */
};

struct an3155dev_hooks {
	/* Called when a complete opcode pair arrived (before any reply). NULL: NORMAL. */
	enum an3155dev_fate (*on_command)(void *ctx, uint8_t code);
	/* Called when a command (or the sync) ends. May be NULL. */
	void (*on_event)(void *ctx, const struct an3155dev_event *ev);
	void *ctx;
};

struct an3155dev;

struct an3155dev *an3155dev_new(struct board *b, const struct an3155dev_config *cfg);
void an3155dev_free(struct an3155dev *d);
void an3155dev_set_hooks(struct an3155dev *d, const struct an3155dev_hooks *hooks);

/* Feed bytes received from the host; replies go to the output buffer. */
void an3155dev_input(struct an3155dev *d, const uint8_t *in, size_t n);
/* Move up to max pending reply bytes to buf; returns how many. */
size_t an3155dev_output(struct an3155dev *d, uint8_t *buf, size_t max);
size_t an3155dev_pending(const struct an3155dev *d);
/* Drop undelivered replies (e.g. the line was cut by an external reset). */
void an3155dev_discard_output(struct an3155dev *d);

/* Current phase, after following any board reset or mode change. */
enum an3155dev_phase an3155dev_phase(struct an3155dev *d);
/* True when no command is in progress ("command finished"). */
bool an3155dev_idle(struct an3155dev *d);
/* Opcode of the command in progress (valid in AN3155DEV_BUSY). */
uint8_t an3155dev_command(const struct an3155dev *d);
/* Commands finished since creation (sync included). */
unsigned an3155dev_commands_done(const struct an3155dev *d);

/* Short name of an opcode ("write", "erase", ...; "0x12" style if unknown). */
const char *an3155dev_cmd_name(uint8_t code);
/* Opcode for a name accepted by an3155dev_cmd_name(), or -1. */
int an3155dev_cmd_code(const char *name);

#endif
