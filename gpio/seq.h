/* SPDX-License-Identifier: MIT */
/*
 * seq.h - boot/reset line sequences, parsed into steps before anything runs.
 *
 * Two grammars produce the same struct sb_seq:
 *
 *   native:     "boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms"
 *     item    = LINE '=' LEVEL | 'wait=' DURATION | PRESET
 *     LINE    = boot0 | nrst                 (the board's pins)
 *             | rts | dtr | brk | gpioN      (raw signals, as stm32flash -i)
 *     LEVEL   = 0 | 1 | low | high
 *     DURATION= N[us|ms|s]                   (no unit: ms; at most 3600 s)
 *     PRESET  = enter | run | reset          (see sb_seq_preset())
 *     items are separated by blanks, ',' or ';'; words are case-insensitive.
 *
 *   stm32flash: "-rts&-dtr,dtr:rts,-dtr"  (its -i GPIO_string, serial-anchors §1.5)
 *     GPIO_string = [entry][':'[exit]]
 *     sequence    = [['-']signal] ('&' | ',') [sequence]
 *     signal      = rts | dtr | brk | DECIMAL (a GPIO number)
 *     '-' drives low (deasserts), ',' waits 100 ms, '&' does not wait.
 *   Unlike stm32flash 0.7, an empty entry (":rts") and an empty exit
 *   ("rts:") are valid and mean "do nothing" (serial-anchors §1.5 bugs).
 *
 * Levels: for boot0/nrst, 1 and 0 are the levels AT THE BOARD PIN (the
 * backend applies inversion, see linespec.h). For rts/dtr, 1 = asserted
 * (the modem-line state, like stm32flash). For gpioN, the line named
 * "GPIO<N>" (Raspberry Pi naming), level as at its pin.
 *
 * Pure: no OS calls, no allocation, no globals. Errors return
 * SB_ERR_BAD_INPUT and fill the diag with "column C: ... 'TOKEN' ..." and
 * d->addr = C (1-based column in the text), d->has_addr = 1.
 */
#ifndef SB_SEQ_H
#define SB_SEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_err.h"

/* Lines a step can act on. */
enum sb_line {
	SB_LINE_BOOT0 = 0,  /* the BOOT0 pin */
	SB_LINE_NRST,       /* the NRST pin (0 = part held in reset) */
	SB_LINE_RTS,        /* raw RTS modem line: 1 = asserted */
	SB_LINE_DTR,        /* raw DTR modem line: 1 = asserted */
	SB_LINE_BRK,        /* 1 = send a break on the serial line; 0 = nothing */
	SB_LINE_GPIO,       /* numbered GPIO: the line named "GPIO<num>" */
	SB_LINE_COUNT
};

enum sb_step_kind {
	SB_STEP_SET,   /* drive line (num for SB_LINE_GPIO) to level */
	SB_STEP_WAIT,  /* wait us microseconds */
};

struct sb_step {
	enum sb_step_kind kind;
	enum sb_line line;
	unsigned num;      /* SB_LINE_GPIO only */
	int level;         /* 0 or 1 */
	uint32_t us;       /* SB_STEP_WAIT */
	unsigned col;      /* 1-based column of the source token (0: built in) */
};

/* Enough for any preset several times over; longer input is an error. */
#define SB_SEQ_MAX 64
/* Longest single wait: one hour; longer is taken for a typo. */
#define SB_SEQ_MAX_WAIT_US 3600000000u
/* Highest GPIO number in a gpioN / stm32flash signal. */
#define SB_SEQ_MAX_GPIO 65535u

struct sb_seq {
	size_t n;
	struct sb_step step[SB_SEQ_MAX];
};

/* Timings the presets use. */
struct sb_seq_timing {
	uint32_t pulse_us;   /* NRST held low */
	uint32_t settle_us;  /* after NRST is released, before anyone talks to the part */
};

/*
 * Defaults: a 10 ms reset pulse is far above the NRST minimum pulse of the
 * STM32 datasheets (tens of microseconds) and still passes the typical
 * 0.1 uF reset capacitor; 50 ms covers the ROM loader's start-up and a
 * USB-UART adapter's latency before the first 0x7F (AN3155 §2 asks the
 * host to wait for the loader to start; no figure given: safe choice).
 */
#define SB_SEQ_PULSE_US_DEFAULT 10000u
#define SB_SEQ_SETTLE_US_DEFAULT 50000u

enum sb_seq_preset {
	SB_SEQ_ENTER,  /* boot0=1 nrst=0 wait=PULSE nrst=1 wait=SETTLE */
	SB_SEQ_RUN,    /* boot0=0 nrst=0 wait=PULSE nrst=1 wait=SETTLE */
	SB_SEQ_RESET,  /* nrst=0 wait=PULSE nrst=1 wait=SETTLE */
};

/* Fill the timing defaults above. */
void sb_seq_timing_default(struct sb_seq_timing *t);

/* Empty the sequence. */
void sb_seq_clear(struct sb_seq *s);

/*
 * Parse the native grammar into out (cleared first). t: preset timings,
 * NULL for the defaults. An empty or blank text gives zero steps.
 */
int sb_seq_parse(const char *text, const struct sb_seq_timing *t, struct sb_seq *out,
		 struct sb_diag *d);

/*
 * Parse stm32flash's -i string. entry and exit are cleared first;
 * *has_exit says whether the text had a ':' (an exit part, maybe empty).
 */
int sb_seq_parse_stm32flash(const char *text, struct sb_seq *entry, struct sb_seq *exit,
			    bool *has_exit, struct sb_diag *d);

/* Append a preset's steps (col: the column to blame in messages). */
int sb_seq_preset(struct sb_seq *s, enum sb_seq_preset p, const struct sb_seq_timing *t,
		  unsigned col);

/* Look up a preset by name ("enter", "run", "reset"); false if none. */
bool sb_seq_preset_lookup(const char *name, enum sb_seq_preset *p);

/*
 * Canonical text of s in the native grammar ("boot0=1 nrst=0 wait=10ms");
 * parsing it again gives the same steps (columns aside). Truncates to n
 * bytes (always NUL-terminated when n > 0); returns the full length.
 */
size_t sb_seq_format(const struct sb_seq *s, char *buf, size_t n);

/* The first level s sets on line (num for GPIO), or -1 if it never does. */
int sb_seq_first_level(const struct sb_seq *s, enum sb_line line, unsigned num);

/* Whether s sets line (num for GPIO) at all. */
bool sb_seq_uses(const struct sb_seq *s, enum sb_line line, unsigned num);

/* Total of the waits, in microseconds. */
uint64_t sb_seq_total_us(const struct sb_seq *s);

/* "boot0", "nrst", "rts", "dtr", "brk", "gpio" (without the number). */
const char *sb_line_name(enum sb_line line);

/* Duration text: "10ms", "2s", "1500us" (what sb_seq_format writes). */
size_t sb_seq_format_us(uint32_t us, char *buf, size_t n);

/* Parse a DURATION (as in wait=) on its own; SB_ERR_BAD_INPUT if malformed. */
int sb_seq_parse_duration(const char *text, uint32_t *us);

#endif
