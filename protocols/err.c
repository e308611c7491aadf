/* SPDX-License-Identifier: MIT */
#include "sb_err.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
	int code;
	const char *name;
	const char *text;
} errors[] = {
	{ SB_OK, "ok", "success" },
	{ SB_ERR_NACK, "nack", "the device refused the request (NACK)" },
	{ SB_ERR_TIMEOUT, "timeout", "the device did not answer in time" },
	{ SB_ERR_FRAMING, "framing", "malformed or corrupted reply from the device" },
	{ SB_ERR_UNSUPPORTED, "unsupported", "the bootloader does not support this command" },
	{ SB_ERR_PROTECTED, "protected", "read or write protection is active" },
	{ SB_ERR_VERIFY, "verify", "flash contents do not match the image" },
	{ SB_ERR_BAD_INPUT, "bad-input", "bad input" },
	{ SB_ERR_IO, "io", "input/output error" },
	{ SB_ERR_NO_DEVICE, "no-device", "no such device, or it is busy or gone" },
	{ SB_ERR_NOMEM, "nomem", "out of memory" },
	{ SB_ERR_STATE, "state", "the device is in an unexpected state" },
	{ SB_ERR_INTERRUPTED, "interrupted", "interrupted by a signal" },
	{ SB_ERR_EXPECT, "expect", "the expected output did not appear" },
};

static int find(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == err)
			return (int)i;
	return -1;
}

const char *sb_strerror(int err)
{
	int i = find(err);
	return i < 0 ? "unknown error" : errors[i].text;
}

const char *sb_errname(int err)
{
	int i = find(err);
	return i < 0 ? "unknown" : errors[i].name;
}

int sb_diag_set(struct sb_diag *d, int err, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
		d->has_addr = 0;
	}
	return err;
}

int sb_diag_addr(struct sb_diag *d, int err, unsigned long addr, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
		d->addr = addr;
		d->has_addr = 1;
	}
	return err;
}
