/* SPDX-License-Identifier: MIT */
/*
 * lines_gpiod.h - private glue between the libgpiod backend of lines.h
 * (lines_gpiod.c: the struct sb_lines, same for both APIs) and the two
 * libgpiod API versions (lines_gpiod1.c, lines_gpiod2.c; exactly one is
 * compiled in, chosen by SB_GPIOD_API from pkg-config).
 *
 * Errors: SB_OK or a negative enum sb_err with the diag filled in; errno
 * values are translated by sb_gpiod_fail().
 */
#ifndef SB_LINES_GPIOD_H
#define SB_LINES_GPIOD_H

#include "lines.h"

/* One requested line: an API-specific handle. */
struct sb_gpiod_req;

/* Where a spec resolved to. */
struct sb_gpiod_where {
	char chip[32];
	unsigned offset;
};

/* Find spec's line (its chip stays open); *out is freed by sb_gpiod_api_release(). */
int sb_gpiod_api_find(const struct sb_linespec *spec, struct sb_gpiod_req **out,
		      struct sb_gpiod_where *where, struct sb_diag *d);
/*
 * Request the line found as an output at level (the pin level;
 * spec->invert becomes libgpiod's active-low), with its drive and bias.
 */
int sb_gpiod_api_request(struct sb_gpiod_req *r, const struct sb_linespec *spec, int level,
			 const char *consumer, struct sb_diag *d);
int sb_gpiod_api_set(struct sb_gpiod_req *r, int level, struct sb_diag *d);
/* 0/1 (the level as requested, i.e. at the pin), or a negative error. */
int sb_gpiod_api_get(struct sb_gpiod_req *r, struct sb_diag *d);
/* Release the request (if made), close the chip, free r. NULL is fine. */
void sb_gpiod_api_release(struct sb_gpiod_req *r);

/*
 * Translate errno err: ENOENT, ENODEV, ENXIO, EBUSY, EACCES, EPERM ->
 * SB_ERR_NO_DEVICE, ENOMEM -> SB_ERR_NOMEM, else SB_ERR_IO. The message is
 * the formatted text, ": ", strerror(err), then a hint for EACCES/EBUSY.
 */
int sb_gpiod_fail(struct sb_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "no GPIO line named NAME" with the chips that were searched. */
int sb_gpiod_not_found(struct sb_diag *d, const char *name, const char *searched);

#endif
