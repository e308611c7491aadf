/* SPDX-License-Identifier: MIT */
/*
 * lines_gpiod1.c - libgpiod v1 API (1.6: Debian 12, Raspberry Pi OS
 * bookworm) under lines_gpiod.h and the listing/probing of lines.h.
 *
 * libgpiod calls used (tests/fake/fake_gpiod.c fakes exactly these):
 * gpiod_chip_iter_new, gpiod_chip_iter_next_noclose,
 * gpiod_chip_iter_free_noclose, gpiod_chip_open_lookup, gpiod_chip_close,
 * gpiod_chip_name, gpiod_chip_label, gpiod_chip_num_lines,
 * gpiod_chip_get_line, gpiod_chip_find_line, gpiod_line_request,
 * gpiod_line_release, gpiod_line_set_value, gpiod_line_get_value,
 * gpiod_line_offset, gpiod_line_name, gpiod_line_consumer,
 * gpiod_line_direction, gpiod_line_active_state, gpiod_line_bias,
 * gpiod_line_is_used, gpiod_line_is_open_drain, gpiod_line_is_open_source,
 * gpiod_version_string.
 */
#if SB_GPIOD_API == 1

#include "lines_gpiod.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sb_gpiod_req {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
};

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* Append "gpiochipN (K lines)" to the list of chips searched. */
static void note_chip(char *buf, size_t n, struct gpiod_chip *chip)
{
	size_t k = strlen(buf);

	if (k < n)
		snprintf(buf + k, n - k, "%s%s (%u lines)", k ? ", " : "", gpiod_chip_name(chip),
			 gpiod_chip_num_lines(chip));
}

/* A name found on a second chip: refuse rather than guess (Pi 5, serial-anchors §5). */
static int ambiguous(struct sb_diag *d, const char *name, struct sb_gpiod_req *first,
		     struct gpiod_chip *chip, struct gpiod_line *line)
{
	return sb_diag_set(d, SB_ERR_BAD_INPUT,
			   "line name '%s' is on two chips, %s:%u and %s:%u: use gpio:CHIP:OFFSET",
			   name, gpiod_chip_name(first->chip), gpiod_line_offset(first->line),
			   gpiod_chip_name(chip), gpiod_line_offset(line));
}

/* Search every chip; r gets the chip (open) and the line. */
static int find_by_name(const char *name, struct sb_gpiod_req *r, struct sb_diag *d)
{
	struct gpiod_chip_iter *it = gpiod_chip_iter_new();
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	char searched[256] = "";
	int rc = SB_OK;

	if (!it)
		return sb_gpiod_fail(d, errno, "opening the GPIO chips");
	while (!rc && (chip = gpiod_chip_iter_next_noclose(it)) != NULL) {
		note_chip(searched, sizeof(searched), chip);
		line = gpiod_chip_find_line(chip, name);
		if (line && r->line)
			rc = ambiguous(d, name, r, chip, line);
		if (line && !r->line) {
			r->chip = chip;
			r->line = line;
		} else {
			gpiod_chip_close(chip);
		}
	}
	gpiod_chip_iter_free_noclose(it);
	if (!rc && !r->line)
		rc = sb_gpiod_not_found(d, name, searched);
	if (rc && r->chip) {
		gpiod_chip_close(r->chip);
		*r = (struct sb_gpiod_req){ 0 };
	}
	return rc;
}

static int find_by_offset(const char *chipname, unsigned offset, struct sb_gpiod_req *r,
			  struct sb_diag *d)
{
	int rc;

	r->chip = gpiod_chip_open_lookup(chipname);
	if (!r->chip)
		return sb_gpiod_fail(d, errno, "opening GPIO chip '%s'", chipname);
	if (offset >= gpiod_chip_num_lines(r->chip)) {
		rc = sb_diag_set(d, SB_ERR_NO_DEVICE, "%s has %u lines: offset %u does not exist",
				 gpiod_chip_name(r->chip), gpiod_chip_num_lines(r->chip), offset);
	} else {
		r->line = gpiod_chip_get_line(r->chip, offset);
		if (r->line)
			return SB_OK;
		rc = sb_gpiod_fail(d, errno, "getting line %u of %s", offset,
				   gpiod_chip_name(r->chip));
	}
	gpiod_chip_close(r->chip);
	r->chip = NULL;
	return rc;
}

static int resolve(const struct sb_linespec *spec, struct sb_gpiod_req *r, struct sb_diag *d)
{
	*r = (struct sb_gpiod_req){ 0 };
	if (spec->chip[0])
		return find_by_offset(spec->chip, spec->offset, r, d);
	return find_by_name(spec->name, r, d);
}

static int request_flags(const struct sb_linespec *spec)
{
	static const int drive[] = { 0, GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN,
				     GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE };
	static const int bias[] = { 0, GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE,
				    GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP,
				    GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN };

	return drive[spec->drive] | bias[spec->bias] |
	       (spec->invert ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0);
}

static void where_of(const struct sb_gpiod_req *r, struct sb_gpiod_where *w)
{
	copy(w->chip, sizeof(w->chip), gpiod_chip_name(r->chip));
	w->offset = gpiod_line_offset(r->line);
}

static int request_failed(struct sb_gpiod_req *r, int err, struct sb_diag *d)
{
	const char *who = gpiod_line_consumer(r->line);

	if (err == EBUSY)
		return sb_diag_set(d, SB_ERR_NO_DEVICE, "%s:%u is busy: held by '%s'",
				   gpiod_chip_name(r->chip), gpiod_line_offset(r->line),
				   who && who[0] ? who : "another program");
	return sb_gpiod_fail(d, err, "requesting %s:%u", gpiod_chip_name(r->chip),
			     gpiod_line_offset(r->line));
}

int sb_gpiod_api_find(const struct sb_linespec *spec, struct sb_gpiod_req **out,
		      struct sb_gpiod_where *where, struct sb_diag *d)
{
	struct sb_gpiod_req *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return SB_ERR_NOMEM;
	rc = resolve(spec, r, d);
	if (rc) {
		free(r);
		return rc;
	}
	where_of(r, where);
	*out = r;
	return SB_OK;
}

int sb_gpiod_api_request(struct sb_gpiod_req *r, const struct sb_linespec *spec, int level,
			 const char *consumer, struct sb_diag *d)
{
	struct gpiod_line_request_config cfg = {
		.consumer = consumer,
		.request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT,
		.flags = request_flags(spec),
	};

	if (gpiod_line_request(r->line, &cfg, level) < 0)
		return request_failed(r, errno, d);
	return SB_OK;
}

int sb_gpiod_api_set(struct sb_gpiod_req *r, int level, struct sb_diag *d)
{
	if (gpiod_line_set_value(r->line, level) < 0)
		return sb_gpiod_fail(d, errno, "setting %s:%u", gpiod_chip_name(r->chip),
				     gpiod_line_offset(r->line));
	return SB_OK;
}

int sb_gpiod_api_get(struct sb_gpiod_req *r, struct sb_diag *d)
{
	int v = gpiod_line_get_value(r->line);

	if (v < 0)
		return sb_gpiod_fail(d, errno, "reading %s:%u", gpiod_chip_name(r->chip),
				     gpiod_line_offset(r->line));
	return v;
}

void sb_gpiod_api_release(struct sb_gpiod_req *r)
{
	if (!r)
		return;
	gpiod_line_release(r->line);  /* no-op if not requested */
	gpiod_chip_close(r->chip);
	free(r);
}

/* ---- listing and probing ----------------------------------------------------- */

static void line_info(struct gpiod_chip *chip, struct gpiod_line *line,
		      struct sb_gpio_lineinfo *li)
{
	static const enum sb_bias bias[] = {
		[GPIOD_LINE_BIAS_DISABLE] = SB_BIAS_DISABLE,
		[GPIOD_LINE_BIAS_PULL_UP] = SB_BIAS_PULL_UP,
		[GPIOD_LINE_BIAS_PULL_DOWN] = SB_BIAS_PULL_DOWN,
	};
	int b = gpiod_line_bias(line);

	memset(li, 0, sizeof(*li));
	copy(li->chip, sizeof(li->chip), gpiod_chip_name(chip));
	li->offset = gpiod_line_offset(line);
	copy(li->name, sizeof(li->name), gpiod_line_name(line));
	copy(li->consumer, sizeof(li->consumer), gpiod_line_consumer(line));
	li->used = gpiod_line_is_used(line);
	li->output = gpiod_line_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT;
	li->active_low = gpiod_line_active_state(line) == GPIOD_LINE_ACTIVE_STATE_LOW;
	li->drive = gpiod_line_is_open_drain(line) ? SB_DRIVE_OPEN_DRAIN :
		    gpiod_line_is_open_source(line) ? SB_DRIVE_OPEN_SOURCE : SB_DRIVE_PUSH_PULL;
	li->bias = b > 0 && b <= GPIOD_LINE_BIAS_PULL_DOWN ? bias[b] : SB_BIAS_AS_IS;
	li->value = -1;
}

static void chip_info(struct gpiod_chip *chip, struct sb_gpio_chipinfo *ci)
{
	copy(ci->name, sizeof(ci->name), gpiod_chip_name(chip));
	copy(ci->label, sizeof(ci->label), gpiod_chip_label(chip));
	ci->nlines = gpiod_chip_num_lines(chip);
}

static int list_chip(struct gpiod_chip *chip, sb_gpio_list_fn fn, void *ctx)
{
	struct sb_gpio_chipinfo ci;
	struct sb_gpio_lineinfo li;
	struct gpiod_line *line;
	unsigned i;
	int stop;

	chip_info(chip, &ci);
	stop = fn(ctx, &ci, NULL);
	for (i = 0; !stop && i < ci.nlines; i++) {
		line = gpiod_chip_get_line(chip, i);
		if (!line)
			continue;
		line_info(chip, line, &li);
		stop = fn(ctx, &ci, &li);
	}
	return stop;
}

int sb_gpiod_list(sb_gpio_list_fn fn, void *ctx, struct sb_diag *d)
{
	struct gpiod_chip_iter *it = gpiod_chip_iter_new();
	struct gpiod_chip *chip;
	int stop = 0, chips = 0;

	if (!it)
		return sb_gpiod_fail(d, errno, "opening the GPIO chips");
	while ((chip = gpiod_chip_iter_next_noclose(it)) != NULL) {
		if (!stop)
			stop = list_chip(chip, fn, ctx);
		chips++;
		gpiod_chip_close(chip);
	}
	gpiod_chip_iter_free_noclose(it);
	if (!chips)
		return sb_diag_set(d, SB_ERR_NO_DEVICE, "no GPIO chips on this machine");
	return SB_OK;
}

int sb_gpiod_probe(const struct sb_linespec *spec, struct sb_gpio_lineinfo *out,
		   struct sb_diag *d)
{
	/* As-is: neither direction nor value changes (gpiod.h, request types). */
	struct gpiod_line_request_config cfg = {
		.consumer = "stmboot-probe",
		.request_type = GPIOD_LINE_REQUEST_DIRECTION_AS_IS,
	};
	struct sb_gpiod_req r;
	int rc = resolve(spec, &r, d);

	if (rc)
		return rc;
	line_info(r.chip, r.line, out);
	if (!out->used && gpiod_line_request(r.line, &cfg, 0) == 0) {
		out->value = gpiod_line_get_value(r.line);
		gpiod_line_release(r.line);
	}
	gpiod_chip_close(r.chip);
	return SB_OK;
}

const char *sb_gpiod_version(void)
{
	return gpiod_version_string();
}

#endif /* SB_GPIOD_API == 1 */
