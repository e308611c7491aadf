/* SPDX-License-Identifier: MIT */
/*
 * lines_gpiod2.c - libgpiod v2 API (2.x: Debian 13, Ubuntu 24.10 and
 * later) under lines_gpiod.h and the listing/probing of lines.h.
 *
 * v2 has no chip iterator: chips are found by asking
 * gpiod_is_gpiochip_device() about /dev/gpiochip0 .. /dev/gpiochip255
 * (numbers have gaps: the Pi 5 has gpiochip0 and gpiochip10..13,
 * serial-anchors §5). Going through libgpiod rather than scanning /dev
 * keeps the API-level fake (tests/fake/fake_gpiod2.c) in control.
 *
 * libgpiod calls used (fake_gpiod2.c fakes exactly these):
 * gpiod_is_gpiochip_device, gpiod_chip_open, gpiod_chip_close,
 * gpiod_chip_get_info, gpiod_chip_info_get_name, gpiod_chip_info_get_label,
 * gpiod_chip_info_get_num_lines, gpiod_chip_info_free,
 * gpiod_chip_get_line_offset_from_name, gpiod_chip_get_line_info,
 * gpiod_line_info_get_name, gpiod_line_info_get_consumer,
 * gpiod_line_info_is_used, gpiod_line_info_get_direction,
 * gpiod_line_info_is_active_low, gpiod_line_info_get_drive,
 * gpiod_line_info_get_bias, gpiod_line_info_free, gpiod_line_settings_new,
 * gpiod_line_settings_free, gpiod_line_settings_set_direction,
 * gpiod_line_settings_set_output_value, gpiod_line_settings_set_drive,
 * gpiod_line_settings_set_bias, gpiod_line_settings_set_active_low,
 * gpiod_line_config_new, gpiod_line_config_free,
 * gpiod_line_config_add_line_settings, gpiod_request_config_new,
 * gpiod_request_config_free, gpiod_request_config_set_consumer,
 * gpiod_chip_request_lines, gpiod_line_request_set_value,
 * gpiod_line_request_get_value, gpiod_line_request_release,
 * gpiod_api_version.
 */
#if SB_GPIOD_API == 2

#include "lines_gpiod.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Highest /dev/gpiochipN looked at when searching by name. */
#define MAX_CHIP_NUMBER 255

struct sb_gpiod_req {
	struct gpiod_chip *chip;
	struct gpiod_line_request *req;
	unsigned offset;
	char name[32];  /* chip name, for messages */
};

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static void chip_info(struct gpiod_chip *chip, struct sb_gpio_chipinfo *ci)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(chip);

	memset(ci, 0, sizeof(*ci));
	if (!info)
		return;
	copy(ci->name, sizeof(ci->name), gpiod_chip_info_get_name(info));
	copy(ci->label, sizeof(ci->label), gpiod_chip_info_get_label(info));
	ci->nlines = (unsigned)gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
}

/* Open the n-th existing chip at or after *num; NULL when none is left. */
static struct gpiod_chip *next_chip(unsigned *num, int *err)
{
	char path[32];
	struct gpiod_chip *chip;

	for (; *num <= MAX_CHIP_NUMBER; (*num)++) {
		snprintf(path, sizeof(path), "/dev/gpiochip%u", *num);
		if (!gpiod_is_gpiochip_device(path))
			continue;
		(*num)++;
		chip = gpiod_chip_open(path);
		if (!chip)
			*err = errno;
		return chip ? chip : next_chip(num, err);
	}
	return NULL;
}

static void note_chip(char *buf, size_t n, const struct sb_gpio_chipinfo *ci)
{
	size_t k = strlen(buf);

	if (k < n)
		snprintf(buf + k, n - k, "%s%s (%u lines)", k ? ", " : "", ci->name, ci->nlines);
}

static int find_by_name(const char *name, struct sb_gpiod_req *r, struct sb_diag *d)
{
	struct sb_gpio_chipinfo ci;
	struct gpiod_chip *chip;
	char searched[256] = "";
	unsigned num = 0;
	int off, err = 0, rc = SB_OK;

	while (!rc && (chip = next_chip(&num, &err)) != NULL) {
		chip_info(chip, &ci);
		note_chip(searched, sizeof(searched), &ci);
		off = gpiod_chip_get_line_offset_from_name(chip, name);
		if (off >= 0 && r->chip)
			rc = sb_diag_set(d, SB_ERR_BAD_INPUT, "line name '%s' is on two chips, %s:%u "
					 "and %s:%d: use gpio:CHIP:OFFSET", name, r->name, r->offset,
					 ci.name, off);
		if (off >= 0 && !r->chip) {
			r->chip = chip;
			r->offset = (unsigned)off;
			copy(r->name, sizeof(r->name), ci.name);
		} else {
			gpiod_chip_close(chip);
		}
	}
	if (!rc && !r->chip)
		rc = err && !searched[0] ? sb_gpiod_fail(d, err, "opening the GPIO chips")
					 : sb_gpiod_not_found(d, name, searched);
	if (rc && r->chip) {
		gpiod_chip_close(r->chip);
		r->chip = NULL;
	}
	return rc;
}

/* "gpiochip0", "0" or a path. */
static void chip_path(const char *chip, char *buf, size_t n)
{
	if (strchr(chip, '/'))
		snprintf(buf, n, "%s", chip);
	else if (chip[0] >= '0' && chip[0] <= '9')
		snprintf(buf, n, "/dev/gpiochip%s", chip);
	else
		snprintf(buf, n, "/dev/%s", chip);
}

static int find_by_offset(const char *chipname, unsigned offset, struct sb_gpiod_req *r,
			  struct sb_diag *d)
{
	struct sb_gpio_chipinfo ci;
	char path[96];

	chip_path(chipname, path, sizeof(path));
	r->chip = gpiod_chip_open(path);
	if (!r->chip)
		return sb_gpiod_fail(d, errno, "opening GPIO chip '%s'", chipname);
	chip_info(r->chip, &ci);
	copy(r->name, sizeof(r->name), ci.name);
	r->offset = offset;
	if (offset < ci.nlines)
		return SB_OK;
	gpiod_chip_close(r->chip);
	r->chip = NULL;
	return sb_diag_set(d, SB_ERR_NO_DEVICE, "%s has %u lines: offset %u does not exist",
			   ci.name, ci.nlines, offset);
}

int sb_gpiod_api_find(const struct sb_linespec *spec, struct sb_gpiod_req **out,
		      struct sb_gpiod_where *where, struct sb_diag *d)
{
	struct sb_gpiod_req *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return SB_ERR_NOMEM;
	rc = spec->chip[0] ? find_by_offset(spec->chip, spec->offset, r, d)
			   : find_by_name(spec->name, r, d);
	if (rc) {
		free(r);
		return rc;
	}
	copy(where->chip, sizeof(where->chip), r->name);
	where->offset = r->offset;
	*out = r;
	return SB_OK;
}

static struct gpiod_line_settings *settings_for(const struct sb_linespec *spec, int level)
{
	static const enum gpiod_line_drive drive[] = { GPIOD_LINE_DRIVE_PUSH_PULL,
						       GPIOD_LINE_DRIVE_OPEN_DRAIN,
						       GPIOD_LINE_DRIVE_OPEN_SOURCE };
	static const enum gpiod_line_bias bias[] = { GPIOD_LINE_BIAS_AS_IS, GPIOD_LINE_BIAS_DISABLED,
						     GPIOD_LINE_BIAS_PULL_UP,
						     GPIOD_LINE_BIAS_PULL_DOWN };
	struct gpiod_line_settings *s = gpiod_line_settings_new();

	if (!s)
		return NULL;
	if (!spec)
		return s;  /* as-is: direction, value and bias untouched */
	if (gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT) ||
	    gpiod_line_settings_set_output_value(s, level ? GPIOD_LINE_VALUE_ACTIVE
							  : GPIOD_LINE_VALUE_INACTIVE) ||
	    gpiod_line_settings_set_drive(s, drive[spec->drive]) ||
	    gpiod_line_settings_set_bias(s, bias[spec->bias])) {
		gpiod_line_settings_free(s);
		return NULL;
	}
	gpiod_line_settings_set_active_low(s, spec->invert);
	return s;
}

/* One line, requested with settings s. */
static struct gpiod_line_request *request_one(struct gpiod_chip *chip, unsigned offset,
					      struct gpiod_line_settings *s, const char *consumer)
{
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_request *req = NULL;
	int err = ENOMEM;

	if (lc && rc && gpiod_line_config_add_line_settings(lc, &offset, 1, s) == 0) {
		gpiod_request_config_set_consumer(rc, consumer);
		req = gpiod_chip_request_lines(chip, rc, lc);
		err = errno;
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	errno = err;
	return req;
}

static int request_failed(struct sb_gpiod_req *r, int err, struct sb_diag *d)
{
	struct gpiod_line_info *info = gpiod_chip_get_line_info(r->chip, r->offset);
	char who[32] = "";

	if (info) {
		copy(who, sizeof(who), gpiod_line_info_get_consumer(info));
		gpiod_line_info_free(info);
	}
	if (err == EBUSY)
		return sb_diag_set(d, SB_ERR_NO_DEVICE, "%s:%u is busy: held by '%s'", r->name,
				   r->offset, who[0] ? who : "another program");
	return sb_gpiod_fail(d, err, "requesting %s:%u", r->name, r->offset);
}

int sb_gpiod_api_request(struct sb_gpiod_req *r, const struct sb_linespec *spec, int level,
			 const char *consumer, struct sb_diag *d)
{
	struct gpiod_line_settings *s = settings_for(spec, level);

	if (!s)
		return sb_gpiod_fail(d, errno, "settings for %s:%u", r->name, r->offset);
	r->req = request_one(r->chip, r->offset, s, consumer);
	gpiod_line_settings_free(s);
	return r->req ? SB_OK : request_failed(r, errno, d);
}

int sb_gpiod_api_set(struct sb_gpiod_req *r, int level, struct sb_diag *d)
{
	if (gpiod_line_request_set_value(r->req, r->offset, level ? GPIOD_LINE_VALUE_ACTIVE
								  : GPIOD_LINE_VALUE_INACTIVE) < 0)
		return sb_gpiod_fail(d, errno, "setting %s:%u", r->name, r->offset);
	return SB_OK;
}

int sb_gpiod_api_get(struct sb_gpiod_req *r, struct sb_diag *d)
{
	enum gpiod_line_value v = gpiod_line_request_get_value(r->req, r->offset);

	if (v == GPIOD_LINE_VALUE_ERROR)
		return sb_gpiod_fail(d, errno, "reading %s:%u", r->name, r->offset);
	return v == GPIOD_LINE_VALUE_ACTIVE;
}

void sb_gpiod_api_release(struct sb_gpiod_req *r)
{
	if (!r)
		return;
	if (r->req)
		gpiod_line_request_release(r->req);
	gpiod_chip_close(r->chip);
	free(r);
}

/* ---- listing and probing ----------------------------------------------------- */

static void line_info(const char *chip, unsigned offset, struct gpiod_line_info *info,
		      struct sb_gpio_lineinfo *li)
{
	enum gpiod_line_drive dr = gpiod_line_info_get_drive(info);
	enum gpiod_line_bias b = gpiod_line_info_get_bias(info);

	memset(li, 0, sizeof(*li));
	copy(li->chip, sizeof(li->chip), chip);
	li->offset = offset;
	copy(li->name, sizeof(li->name), gpiod_line_info_get_name(info));
	copy(li->consumer, sizeof(li->consumer), gpiod_line_info_get_consumer(info));
	li->used = gpiod_line_info_is_used(info);
	li->output = gpiod_line_info_get_direction(info) == GPIOD_LINE_DIRECTION_OUTPUT;
	li->active_low = gpiod_line_info_is_active_low(info);
	li->drive = dr == GPIOD_LINE_DRIVE_OPEN_DRAIN ? SB_DRIVE_OPEN_DRAIN :
		    dr == GPIOD_LINE_DRIVE_OPEN_SOURCE ? SB_DRIVE_OPEN_SOURCE : SB_DRIVE_PUSH_PULL;
	li->bias = b == GPIOD_LINE_BIAS_DISABLED ? SB_BIAS_DISABLE :
		   b == GPIOD_LINE_BIAS_PULL_UP ? SB_BIAS_PULL_UP :
		   b == GPIOD_LINE_BIAS_PULL_DOWN ? SB_BIAS_PULL_DOWN : SB_BIAS_AS_IS;
	li->value = -1;
}

static int list_chip(struct gpiod_chip *chip, sb_gpio_list_fn fn, void *ctx)
{
	struct sb_gpio_chipinfo ci;
	struct sb_gpio_lineinfo li;
	struct gpiod_line_info *info;
	unsigned i;
	int stop;

	chip_info(chip, &ci);
	stop = fn(ctx, &ci, NULL);
	for (i = 0; !stop && i < ci.nlines; i++) {
		info = gpiod_chip_get_line_info(chip, i);
		if (!info)
			continue;
		line_info(ci.name, i, info, &li);
		gpiod_line_info_free(info);
		stop = fn(ctx, &ci, &li);
	}
	return stop;
}

int sb_gpiod_list(sb_gpio_list_fn fn, void *ctx, struct sb_diag *d)
{
	struct gpiod_chip *chip;
	unsigned num = 0;
	int stop = 0, chips = 0, err = 0;

	while ((chip = next_chip(&num, &err)) != NULL) {
		if (!stop)
			stop = list_chip(chip, fn, ctx);
		chips++;
		gpiod_chip_close(chip);
	}
	if (!chips && err)
		return sb_gpiod_fail(d, err, "opening the GPIO chips");
	if (!chips)
		return sb_diag_set(d, SB_ERR_NO_DEVICE, "no GPIO chips on this machine");
	return SB_OK;
}

int sb_gpiod_probe(const struct sb_linespec *spec, struct sb_gpio_lineinfo *out,
		   struct sb_diag *d)
{
	struct sb_gpiod_req *r;
	struct sb_gpiod_where where;
	struct gpiod_line_info *info;
	struct gpiod_line_settings *s;
	enum gpiod_line_value v;
	int rc = sb_gpiod_api_find(spec, &r, &where, d);

	if (rc)
		return rc;
	info = gpiod_chip_get_line_info(r->chip, r->offset);
	if (!info) {
		rc = sb_gpiod_fail(d, errno, "reading line %u of %s", r->offset, r->name);
		sb_gpiod_api_release(r);
		return rc;
	}
	line_info(r->name, r->offset, info, out);
	gpiod_line_info_free(info);
	s = out->used ? NULL : settings_for(NULL, 0);
	if (s && (r->req = request_one(r->chip, r->offset, s, "stmboot-probe")) != NULL) {
		v = gpiod_line_request_get_value(r->req, r->offset);
		out->value = v == GPIOD_LINE_VALUE_ERROR ? -1 : v == GPIOD_LINE_VALUE_ACTIVE;
	}
	gpiod_line_settings_free(s);
	sb_gpiod_api_release(r);
	return SB_OK;
}

const char *sb_gpiod_version(void)
{
	return gpiod_api_version();
}

#endif /* SB_GPIOD_API == 2 */
