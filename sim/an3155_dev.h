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
/* Longest Extended Erase page list accepted; longer lists are NACKed (INF:
 * the ROM's limit is not documented; stm32flash sends at most 512). */
#define AN3155DEV_MAX_ERASE_PAGES 512u

struct an3155dev_config {
	/* protocol-facts A.7: the real part may ACK a Write Memory whose
	 * double-word was already programmed (data unchanged). false (the
	 * default) NACKs it so that hosts notice; true models the silent ACK. */
	bool silent_progerr;
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
