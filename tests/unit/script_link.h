/* SPDX-License-Identifier: MIT */
/*
 * script_link.h - a scripted struct sb_link for unit tests of byte-link
 * engines (AN3155 host, anything else that speaks through sb_link.h).
 *
 * A script is a list of steps that say, in order, what the engine must do
 * and what the "device" answers:
 *
 *   SL_TX(0x7F)            the engine must write exactly these bytes next
 *                          (over one or several write calls)
 *   SL_RX(0x79, ...)       the device has sent these bytes; reads take them
 *   SL_SILENCE()           the device stays silent: the read that reaches this
 *                          step returns short (what it got so far), i.e. a
 *                          timeout, and consumes the step
 *   SL_RX_WAIT(ms, ...)    as SL_RX, and the read that takes its first byte
 *                          must allow at least ms (checks long deadlines)
 *   SL_SILENCE_WAIT(ms)    as SL_SILENCE, and that read must allow >= ms
 *   SL_SLEEP(ms)           the engine must call sleep_ms(ms) here
 *   SL_FLUSH()             the engine must call flush() here; RX bytes not yet
 *                          read before this step are discarded by it (stray
 *                          bytes a flush is meant to drop)
 *   SL_MODEM(dtr, rts)     the engine must call set_modem(dtr, rts) here
 *   SL_END()               terminates a step array
 *   SL_TXN(ptr, n) / SL_RXN(ptr, n)   as TX/RX with a buffer (long blocks)
 *
 * Everything is strict: a write while RX bytes are still unread, a read
 * that meets a TX/SLEEP/FLUSH/MODEM step or the end of the script (rather
 * than SL_SILENCE), a byte that differs, an unexpected sleep/flush/modem
 * call - each records a mismatch message (step index, offset, bytes) and
 * makes every later op fail with SB_ERR_IO, so the engine stops early.
 * drain() always succeeds. close() only marks the link closed.
 *
 * Check at the end of each test with assert_script_done(sl) (cmocka): it
 * fails the test if a mismatch happened or if steps are left unused.
 *
 * Ownership: sl_new() returns a link the test frees with sl_free(). Steps
 * are copied by sl_add(), but the byte arrays they point to are borrowed:
 * the SL_TX/SL_RX compound literals live as long as the enclosing block, so
 * build the script and run the engine in the same function (or use static
 * arrays). sl_link() returns a struct sb_link whose h is sl itself.
 */
#ifndef TEST_SCRIPT_LINK_H
#define TEST_SCRIPT_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "sb_link.h"

enum sl_kind {
	SL_K_END = 0,
	SL_K_TX,
	SL_K_RX,
	SL_K_SILENCE,
	SL_K_SLEEP,
	SL_K_FLUSH,
	SL_K_MODEM,
};

struct sl_step {
	enum sl_kind kind;
	const uint8_t *bytes;  /* TX/RX */
	size_t n;
	unsigned ms;           /* SLEEP: expected; RX/SILENCE: minimum read timeout (0: any) */
	int dtr, rts;          /* MODEM */
};

#define SL_BYTES_(...) .bytes = (const uint8_t[]){ __VA_ARGS__ }, \
	.n = sizeof((const uint8_t[]){ __VA_ARGS__ })
#define SL_TX(...)             { .kind = SL_K_TX, SL_BYTES_(__VA_ARGS__) }
#define SL_RX(...)             { .kind = SL_K_RX, SL_BYTES_(__VA_ARGS__) }
#define SL_RX_WAIT(t, ...)     { .kind = SL_K_RX, .ms = (t), SL_BYTES_(__VA_ARGS__) }
#define SL_TXN(p, len)         { .kind = SL_K_TX, .bytes = (p), .n = (len) }
#define SL_RXN(p, len)         { .kind = SL_K_RX, .bytes = (p), .n = (len) }
#define SL_SILENCE()           { .kind = SL_K_SILENCE }
#define SL_SILENCE_WAIT(t)     { .kind = SL_K_SILENCE, .ms = (t) }
#define SL_SLEEP(t)            { .kind = SL_K_SLEEP, .ms = (t) }
#define SL_FLUSH()             { .kind = SL_K_FLUSH }
#define SL_MODEM(d, r)         { .kind = SL_K_MODEM, .dtr = (d), .rts = (r) }
#define SL_END()               { .kind = SL_K_END }

struct script_link;

/* A link with an empty script. NULL only when out of memory. */
struct script_link *sl_new(void);
void sl_free(struct script_link *sl);

/* Append the steps of an SL_END()-terminated array. Returns 0, or -1 out of memory. */
int sl_add(struct script_link *sl, const struct sl_step *steps);

/* The struct sb_link to hand to the engine (valid until sl_free). */
struct sb_link sl_link(struct script_link *sl);

/* First mismatch, or NULL. */
const char *sl_error(const struct script_link *sl);
/* NULL when no mismatch happened and every step was used; else a message
 * (the mismatch, or which step is next). */
const char *sl_check_done(struct script_link *sl);

/* Counters for assertions. */
unsigned sl_sleep_total(const struct script_link *sl);   /* sum of sleep_ms() */
unsigned sl_closed(const struct script_link *sl);        /* close() calls */
size_t sl_steps_left(const struct script_link *sl);

/* For cmocka tests (include <cmocka.h> first). */
#define assert_script_done(sl) do { \
		const char *sl_msg_ = sl_check_done(sl); \
		if (sl_msg_) \
			fail_msg("script: %s", sl_msg_); \
	} while (0)

#endif
