/* SPDX-License-Identifier: MIT */
#include "sb_log.h"

#include <stdarg.h>
#include <stdio.h>

void sb_logf(const struct sb_log *log, enum sb_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!log || !log->fn || level > log->max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->fn(log->ctx, level, msg);
}

void sb_log_hex(const struct sb_log *log, const char *tag, const uint8_t *buf, size_t n)
{
	enum { PER_LINE = 32 };
	char line[16 + 3 * PER_LINE + 64];

	if (!log || !log->fn || log->max < SB_LOG_TRACE)
		return;
	for (size_t off = 0; off < n || off == 0; off += PER_LINE) {
		size_t len = (size_t)snprintf(line, sizeof(line), "%s", tag);
		for (size_t i = off; i < n && i < off + PER_LINE; i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, " %02X", buf[i]);
		log->fn(log->ctx, SB_LOG_TRACE, line);
		if (n == 0)
			break;
	}
}
