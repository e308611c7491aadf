/* SPDX-License-Identifier: MIT */
/*
 * sersim.h - the serial side of the virtual board, without the OS: what
 * happens on the wire between a host and the L4R5's USART ROM loader.
 *
 * It ties together the AN3155 device side (an3155_dev.h), fault injection
 * (faults.h), the line model (uart_line.h: parity and baud mismatches), the
 * adapter mapping DTR/RTS to BOOT0/NRST (adapter.h), an optional timing
 * model, the application's banner, and code that Go starts in SRAM on the
 * CPU model (sim/cpu.h, sim/mcu.h). The caller (src/romsim/romsim_serial.c) moves bytes
 * between a pseudo-terminal and this object, passes control messages in,
 * and asks when output is due. Times are monotonic nanoseconds.
 *
 * Control messages (one text line each, answered in reply):
 *   CFLAG speed=N bits=N parity=none|even|odd|mark|space stop=N   host line settings
 *   TIOCM dtr=0|1 rts=0|1                              host modem lines
 *   PIN boot0|nrst 0|1                                 drive a board pin
 *   GET boot0|nrst      -> "0" / "1"
 *   MODE                -> "rom" / "app" / "reset"
 *   POWER               power-cycle the board
 * Answers are "ok" (or the value asked for) once the board has processed the
 * change, or "error: ..." for a malformed message.
 *
 * Ownership: sersim_new() returns an object freed with sersim_free(); the
 * board is borrowed and must outlive it.
 */
#ifndef SIM_SERSIM_H
#define SIM_SERSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "an3155_dev.h"
#include "board.h"
#include "cpu.h"
#include "mcu.h"

struct sersim_config {
	struct an3155dev_config dev;
	const char *faults;      /* fault spec (faults.h) or NULL */
	uint64_t seed;
	const char *adapter;     /* e.g. "rts=boot0,dtr=nrst:inv"; NULL: modem lines unwired */
	bool timing;             /* timing model on */
	unsigned baud;           /* timing model line rate; 0 = 115200 */
	unsigned latency_ms;     /* per-reply adapter latency (timing model) */
	const char *app_banner;  /* printed when the application starts; NULL: silent */
	/* Added: code started in SRAM (Go, or SRAM boot) runs on this engine
	 * (sim/cpu.h) against the peripherals of mcu (sim/mcu.h); its USART is
	 * on the line. NULL: Go to SRAM only says the application runs. */
	const struct cpu_ops *cpu;
	struct mcu_config mcu;   /* timing is taken from the field above */
	unsigned startup_ms;     /* after power-up and each reset the ROM hears nothing
				  * for this long: host bytes are lost (0: none) */
	uint64_t power_up_ns;    /* when the board was powered up (the start-up delay's
				  * origin before the first reset) */
	/*
	 * app_baud: the application's UART runs 8N1 at this rate and prints the
	 * banner app_delay_ms after it starts (its start-up); the host sees it
	 * through the line model with the settings it has then, so a host at
	 * another rate or frame reads garbage. 0: the banner arrives as sent.
	 */
	unsigned app_baud;
	unsigned app_delay_ms;
};

struct sersim;

/* NULL with a message in err for a bad fault spec or adapter map. */
struct sersim *sersim_new(struct board *b, const struct sersim_config *cfg, char *err, size_t errlen);
void sersim_free(struct sersim *s);
/* Every line of the human log (commands, faults, resets, line changes). */
void sersim_set_log(struct sersim *s, void (*fn)(void *ctx, const char *line), void *ctx);

/* Bytes the host wrote, received at time now. */
void sersim_host_bytes(struct sersim *s, const uint8_t *buf, size_t n, uint64_t now);
/* Move output due at or before now into buf (up to max); returns the count.
 * First the ROM takes a byte it kept while busy with a late reply, if it
 * is free again by now (faults.h "late"). */
size_t sersim_take_output(struct sersim *s, uint64_t now, uint8_t *buf, size_t max);
/* When the next queued output byte is due, the ROM takes a byte it kept
 * while busy, or the CPU wants to run again; UINT64_MAX if none. */
uint64_t sersim_next_due(const struct sersim *s);
/* Added: let code running on the CPU work up to now (it returns after a
 * few milliseconds of work or when it waits); call whenever the loop wakes. */
void sersim_tick(struct sersim *s, uint64_t now);

/* A control message (see above); the answer goes to reply. */
void sersim_message(struct sersim *s, const char *msg, char *reply, size_t len, uint64_t now);

/* The host opened / closed the port: Linux raises DTR and RTS on open and
 * drops them on the last close (HUPCL); the host's line settings are
 * forgotten on close. */
void sersim_host_open(struct sersim *s, uint64_t now);
void sersim_host_close(struct sersim *s, uint64_t now);

#endif
