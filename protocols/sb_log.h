/* SPDX-License-Identifier: MIT */
/*
 * sb_log.h - levelled logging through one callback.
 *
 * The library never prints. Engines log through a struct sb_log handed to
 * them; a NULL callback (or a zeroed struct) discards everything. The trace
 * level carries a hex dump of every byte or transfer.
 */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <stddef.h>
#include <stdint.h>

enum sb_log_level {
	SB_LOG_ERROR = 0,
	SB_LOG_WARN,
	SB_LOG_INFO,
	SB_LOG_DEBUG,
	SB_LOG_TRACE,
};

typedef void (*sb_log_fn)(void *ctx, enum sb_log_level level, const char *msg);

struct sb_log {
	sb_log_fn fn;            /* NULL: discard */
	void *ctx;
	enum sb_log_level max;   /* messages above this level are not formatted */
};

void sb_logf(const struct sb_log *log, enum sb_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* TRACE-level hex dump: "<tag> NN NN NN ..." (long buffers are split into lines). */
void sb_log_hex(const struct sb_log *log, const char *tag, const uint8_t *buf, size_t n);

#endif
