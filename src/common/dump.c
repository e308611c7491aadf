/* SPDX-License-Identifier: MIT */
/*
 * dump.c - the output file of `read`: raw binary, Intel HEX or S-record
 * (job.h, job_dump_format / job_dump_write).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hexwrite.h"
#include "job.h"

int job_dump_format(const char *path, enum sb_format fmt, enum sb_format *out, struct sb_diag *d)
{
	if (fmt == SB_FMT_AUTO)
		fmt = strcmp(path, "-") ? sb_format_detect(NULL, 0, path) : SB_FMT_BIN;
	if (fmt == SB_FMT_AUTO)
		fmt = SB_FMT_BIN;   /* any other name: the bytes as they are */
	if (fmt != SB_FMT_BIN && fmt != SB_FMT_IHEX && fmt != SB_FMT_SREC)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "read writes bin, ihex or srec, not %s",
				   sb_format_name(fmt));
	if (fmt == SB_FMT_BIN && !strcmp(path, "-") && isatty(STDOUT_FILENO))
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "refusing to write binary data to a terminal: give a file name, redirect the output, or use -f ihex or -f srec");
	*out = fmt;
	return SB_OK;
}

int job_dump_write(const char *path, enum sb_format fmt, uint32_t addr, const uint8_t *buf,
		   size_t len, struct sb_diag *d)
{
	struct sb_segment seg = { addr, (uint32_t)len, (uint8_t *)buf };
	struct sb_image img = { .seg = &seg, .nseg = 1, .cap = 1 };
	char *text;
	size_t tlen;
	int err;

	if (fmt == SB_FMT_BIN)
		return cli_write_file(path, buf, len, d);
	err = (fmt == SB_FMT_IHEX ? sb_ihex_write : sb_srec_write)(&img, &text, &tlen);
	if (err)
		return sb_diag_set(d, err, "%s: out of memory", path);
	err = cli_write_file(path, (const uint8_t *)text, tlen, d);
	free(text);
	return err;
}
