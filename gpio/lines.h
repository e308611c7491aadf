/* SPDX-License-Identifier: MIT */
/*
 * lines.h - driving BOOT0/NRST: one small interface, its backends, and the
 * runner that executes a parsed struct sb_seq through it.
 *
 * A struct sb_lines is an ops table plus an opaque handle, like struct
 * sb_link. Backends:
 *   - libgpiod (lines_gpiod1.c for the v1 API, lines_gpiod2.c for v2; the
 *     one matching SB_GPIOD_API is compiled): every line is requested when
 *     the backend opens and HELD until it closes, because a GPIO value lasts
 *     only while its request is held (serial-anchors §5);
 *   - modem lines (lines_modem.c): RTS/DTR through a struct sb_link's
 *     set_modem, set to their initial levels at open;
 *   - a mux (lines.c) that routes each line to the backend that has it.
 *
 * Errors: every int function returns SB_OK or a negative enum sb_err and,
 * given a diag, says which line and why (libgpiod/errno codes are
 * translated here: ENOENT/EBUSY/EACCES -> SB_ERR_NO_DEVICE, others
 * SB_ERR_IO). Not thread-safe: one thread drives one struct sb_lines.
 */
#ifndef SB_LINES_H
#define SB_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linespec.h"
#include "sb_err.h"
#include "sb_link.h"
#include "sb_log.h"
#include "seq.h"

struct sb_lines_ops {
	/* Whether this backend drives line (num: the number of SB_LINE_GPIO). */
	bool (*has)(void *h, enum sb_line line, unsigned num);
	/* Put level (0/1, at the board pin) on line. */
	int (*set)(void *h, enum sb_line line, unsigned num, int level, struct sb_diag *d);
	/* Read the level at the pin: 0/1, or a negative error; SB_ERR_UNSUPPORTED
	 * where the backend cannot read (modem lines). May be NULL. */
	int (*get)(void *h, enum sb_line line, unsigned num, struct sb_diag *d);
	/* Wait at least us microseconds. May be NULL (no wait; tests). */
	void (*sleep_us)(void *h, uint32_t us);
	/* Where line is wired, for messages: "gpio:GPIO17 (gpiochip0:17)".
	 * Returns the full length like snprintf. May be NULL. */
	size_t (*describe)(void *h, enum sb_line line, unsigned num, char *buf, size_t n);
	/* Release every request and free h; never closes a link it was given. May be NULL. */
	void (*close)(void *h);
};

struct sb_lines {
	const struct sb_lines_ops *ops;
	void *h;
};

/* One line a backend is to drive. */
struct sb_lines_bind {
	enum sb_line line;        /* SB_LINE_BOOT0, SB_LINE_NRST, or SB_LINE_GPIO */
	unsigned num;             /* SB_LINE_GPIO: its number */
	struct sb_linespec spec;  /* where it is wired (kind GPIO for the gpiod backend) */
	int init;                 /* level at open: 0/1; -1: the idle level (sb_lines_idle_level) */
};

/* ---- runner ---------------------------------------------------------------- */

/*
 * Check that l drives every line s sets, before anything moves: a missing
 * one gives SB_ERR_BAD_INPUT naming the line and its column.
 */
int sb_lines_check(const struct sb_lines *l, const struct sb_seq *s, struct sb_diag *d);

/*
 * sb_lines_check, then every step in order. Logs each step at INFO
 * ("nrst (gpio:GPIO27) = 0", "wait 10ms"). Stops at the first failure.
 */
int sb_lines_run(const struct sb_lines *l, const struct sb_seq *s, const struct sb_log *log,
		 struct sb_diag *d);

/* Close (NULL-safe) and zero l. */
void sb_lines_close(struct sb_lines *l);

/* The level a line rests at when no sequence says otherwise: NRST 1 (not in
 * reset), everything else 0 (BOOT0 low: the application boots). */
int sb_lines_idle_level(enum sb_line line);

/* "boot0", "nrst", "gpio17", ... (for messages). */
size_t sb_lines_line_text(enum sb_line line, unsigned num, char *buf, size_t n);

/* ---- mux --------------------------------------------------------------------- */

#define SB_LINES_MUX_MAX 4

/*
 * Combine n backends: each line goes to the first part that has it, waits
 * go to the first part with a sleep_us. Takes ownership of the parts (they
 * are zeroed here and closed with the mux), also on failure.
 */
int sb_lines_mux(struct sb_lines *out, struct sb_lines *parts, size_t n, struct sb_diag *d);

/* ---- modem lines (RTS/DTR) --------------------------------------------------- */

/*
 * Drive the binds (spec kind RTS or DTR) through link->ops->set_modem, and
 * the raw lines SB_LINE_RTS/SB_LINE_DTR (1 = asserted). Sets the initial
 * levels of the binds in one set_modem call before returning, because
 * Linux asserts DTR and RTS when a port opens (serial-anchors §5): call it
 * right after opening the port. The link stays the caller's; it must
 * outlive the lines. Waits use link->ops->sleep_ms (rounded up to ms).
 */
int sb_lines_modem_open(struct sb_lines *out, const struct sb_link *link,
			const struct sb_lines_bind *binds, size_t n, struct sb_diag *d);

/* ---- libgpiod ------------------------------------------------------------------ */

struct sb_gpiod_opts {
	const char *consumer;  /* shown by gpioinfo; NULL: "stmboot" */
	/* Waits; NULL: clock_nanosleep (tests pass a recorder). */
	void (*sleep_us)(void *ctx, uint32_t us);
	void *sleep_ctx;
};

/*
 * Find and request every bind (spec kind GPIO) as an output at its init
 * level, with its drive, bias and active-low; hold them until close.
 * Lines by name are searched on every chip; a name found on two chips is
 * an error that lists both. Nothing is requested if any line fails.
 */
int sb_lines_gpiod_open(struct sb_lines *out, const struct sb_lines_bind *binds, size_t n,
			const struct sb_gpiod_opts *o, struct sb_diag *d);

struct sb_gpio_chipinfo {
	char name[32];   /* gpiochip0 */
	char label[64];  /* pinctrl-bcm2711 */
	unsigned nlines;
};

struct sb_gpio_lineinfo {
	char chip[32];
	unsigned offset;
	char name[32];      /* "" if unnamed */
	char consumer[32];  /* "" if free */
	bool used;
	bool output;
	bool active_low;
	enum sb_drive drive;
	enum sb_bias bias;  /* SB_BIAS_AS_IS: unknown */
	int value;          /* physical level, or -1 when not read (line used elsewhere) */
};

/* Called once per chip with line == NULL, then once per line. Non-zero stops the walk. */
typedef int (*sb_gpio_list_fn)(void *ctx, const struct sb_gpio_chipinfo *chip,
			       const struct sb_gpio_lineinfo *line);

/* Walk every GPIO chip on this machine (no values read). No chips: SB_ERR_NO_DEVICE. */
int sb_gpiod_list(sb_gpio_list_fn fn, void *ctx, struct sb_diag *d);

/*
 * Resolve spec (kind GPIO) and describe its line; if nobody holds it, read
 * its value through a brief as-is request that changes neither direction
 * nor value.
 */
int sb_gpiod_probe(const struct sb_linespec *spec, struct sb_gpio_lineinfo *out,
		   struct sb_diag *d);

/* Version of the libgpiod actually loaded ("1.6.3"); static text. */
const char *sb_gpiod_version(void);

#endif
