/* SPDX-License-Identifier: MIT */
/*
 * fake_gpiod.c - the libgpiod v1 calls of gpio/lines_gpiod1.c, on the chip
 * model of fake_gpiod_core.c (see fake_gpiod.h). Nothing else: a call the
 * backend starts making must be added here, or the fake libgpiod.so.2
 * fails to load, which is the point.
 */
#if SB_GPIOD_API == 1

#include "fake_gpiod_int.h"

#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

struct gpiod_line {
	struct gpiod_chip *chip;
	struct fk_line *fl;
	bool requested;
};

struct gpiod_chip {
	struct fk_chip *fc;
	struct gpiod_line *lines;
};

struct gpiod_chip_iter {
	struct gpiod_chip **chips;
	size_t n, off;
};

static struct gpiod_chip *chip_new(struct fk_chip *fc)
{
	struct gpiod_chip *c = calloc(1, sizeof(*c));
	unsigned i;

	if (c)
		c->lines = calloc(fc->n, sizeof(*c->lines));
	if (!c || !c->lines) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->fc = fc;
	for (i = 0; i < fc->n; i++)
		c->lines[i] = (struct gpiod_line){ .chip = c, .fl = &fc->line[i] };
	fk_chip_opened(1);
	return c;
}

struct gpiod_chip *gpiod_chip_open_lookup(const char *descr)
{
	struct fk_chip *fc;

	fk_init();
	if (fk_fail("open")) {
		errno = fk_fail("open");
		return NULL;
	}
	fc = fk_chip_lookup(descr);
	if (!fc) {
		errno = ENOENT;
		return NULL;
	}
	return chip_new(fc);
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	unsigned i;

	if (!chip)
		return;
	for (i = 0; i < chip->fc->n; i++)
		gpiod_line_release(&chip->lines[i]);
	free(chip->lines);
	free(chip);
	fk_chip_opened(-1);
}

const char *gpiod_chip_name(struct gpiod_chip *chip)
{
	return chip->fc->name;
}

const char *gpiod_chip_label(struct gpiod_chip *chip)
{
	return chip->fc->label;
}

unsigned int gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	return chip->fc->n;
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	if (offset >= chip->fc->n) {
		errno = EINVAL;
		return NULL;
	}
	return &chip->lines[offset];
}

struct gpiod_line *gpiod_chip_find_line(struct gpiod_chip *chip, const char *name)
{
	struct fk_line *fl = fk_find_name(chip->fc, name);

	if (!fl) {
		errno = ENOENT;
		return NULL;
	}
	return &chip->lines[fl->offset];
}

/* Like libgpiod 1.6: every chip is opened when the iterator is created. */
struct gpiod_chip_iter *gpiod_chip_iter_new(void)
{
	struct gpiod_chip_iter *it;
	size_t i;

	fk_init();
	if (fk_fail("open")) {
		errno = fk_fail("open");
		return NULL;
	}
	it = calloc(1, sizeof(*it));
	if (!it || !(it->chips = calloc(fk_nchips() + 1, sizeof(*it->chips)))) {
		free(it);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < fk_nchips(); i++)
		it->chips[it->n++] = chip_new(fk_chip_at(i));
	return it;
}

struct gpiod_chip *gpiod_chip_iter_next_noclose(struct gpiod_chip_iter *iter)
{
	return iter->off < iter->n ? iter->chips[iter->off++] : NULL;
}

/* Closes the chips not handed out yet, as libgpiod 1.6 does. */
void gpiod_chip_iter_free_noclose(struct gpiod_chip_iter *iter)
{
	for (; iter->off < iter->n; iter->off++)
		gpiod_chip_close(iter->chips[iter->off]);
	free(iter->chips);
	free(iter);
}

static enum fk_drive drive_of(int flags)
{
	if (flags & GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN)
		return FK_OPEN_DRAIN;
	return flags & GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE ? FK_OPEN_SOURCE : FK_PUSH_PULL;
}

static enum fk_bias bias_of(int flags)
{
	if (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
		return FK_BIAS_DISABLE;
	if (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
		return FK_BIAS_PULL_UP;
	return flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN ? FK_BIAS_PULL_DOWN : FK_BIAS_AS_IS;
}

int gpiod_line_request(struct gpiod_line *line, const struct gpiod_line_request_config *config,
		       int default_val)
{
	bool out = config->request_type == GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
	int flags = config->flags;

	if (line->requested) {
		errno = EBUSY;
		return -1;
	}
	if (!out && config->request_type != GPIOD_LINE_REQUEST_DIRECTION_AS_IS &&
	    config->request_type != GPIOD_LINE_REQUEST_DIRECTION_INPUT) {
		errno = EINVAL;  /* event requests are not faked */
		return -1;
	}
	if (fk_request(line->fl, out, default_val, flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW,
		       drive_of(flags), bias_of(flags), config->consumer) < 0) {
		/* the pin report failed after the request took effect: keep it held */
		if (!line->fl->held)
			return -1;
		line->requested = true;
		return -1;
	}
	line->requested = true;
	return 0;
}

void gpiod_line_release(struct gpiod_line *line)
{
	if (!line->requested)
		return;
	line->requested = false;
	fk_release(line->fl);
}

int gpiod_line_set_value(struct gpiod_line *line, int value)
{
	if (!line->requested || !line->fl->output) {
		errno = EPERM;
		return -1;
	}
	return fk_set(line->fl, value);
}

int gpiod_line_get_value(struct gpiod_line *line)
{
	if (!line->requested) {
		errno = EPERM;
		return -1;
	}
	return fk_get(line->fl);
}

unsigned int gpiod_line_offset(struct gpiod_line *line)
{
	return line->fl->offset;
}

const char *gpiod_line_name(struct gpiod_line *line)
{
	return line->fl->name[0] ? line->fl->name : NULL;
}

const char *gpiod_line_consumer(struct gpiod_line *line)
{
	return line->fl->consumer[0] ? line->fl->consumer : NULL;
}

int gpiod_line_direction(struct gpiod_line *line)
{
	return line->fl->output ? GPIOD_LINE_DIRECTION_OUTPUT : GPIOD_LINE_DIRECTION_INPUT;
}

int gpiod_line_active_state(struct gpiod_line *line)
{
	return line->fl->active_low ? GPIOD_LINE_ACTIVE_STATE_LOW : GPIOD_LINE_ACTIVE_STATE_HIGH;
}

int gpiod_line_bias(struct gpiod_line *line)
{
	static const int bias[] = { GPIOD_LINE_BIAS_AS_IS, GPIOD_LINE_BIAS_DISABLE,
				    GPIOD_LINE_BIAS_PULL_UP, GPIOD_LINE_BIAS_PULL_DOWN };

	return bias[line->fl->bias];
}

bool gpiod_line_is_used(struct gpiod_line *line)
{
	return line->fl->held || line->fl->ext_busy;
}

bool gpiod_line_is_open_drain(struct gpiod_line *line)
{
	return line->fl->drive == FK_OPEN_DRAIN;
}

bool gpiod_line_is_open_source(struct gpiod_line *line)
{
	return line->fl->drive == FK_OPEN_SOURCE;
}

const char *gpiod_version_string(void)
{
	return "1.6.3-fake";
}

#endif /* SB_GPIOD_API == 1 */
