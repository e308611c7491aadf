/* SPDX-License-Identifier: MIT */
/*
 * fake_gpiod2.c - the libgpiod v2 calls of gpio/lines_gpiod2.c, on the chip
 * model of fake_gpiod_core.c (see fake_gpiod.h). Nothing else: a call the
 * backend starts making must be added here, or the fake libgpiod.so.3
 * fails to load.
 */
#if SB_GPIOD_API == 2

#include "fake_gpiod_int.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FK2_MAX_OFFSETS 64

/* The v2 header carries no visibility attributes: export the fake's API
 * from the shared library built with -fvisibility=hidden (mk/gpio.mk). */
#pragma GCC visibility push(default)

struct gpiod_chip {
	struct fk_chip *fc;
};

struct gpiod_chip_info {
	char name[32];
	char label[64];
	size_t n;
};

struct gpiod_line_info {
	struct fk_line snap;
};

struct gpiod_line_settings {
	enum gpiod_line_direction dir;
	enum gpiod_line_value value;
	enum gpiod_line_drive drive;
	enum gpiod_line_bias bias;
	bool active_low;
};

struct gpiod_line_config {
	unsigned offset[FK2_MAX_OFFSETS];
	struct gpiod_line_settings set[FK2_MAX_OFFSETS];
	size_t n;
};

struct gpiod_request_config {
	char consumer[32];
};

struct gpiod_line_request {
	struct fk_chip *fc;
	unsigned offset[FK2_MAX_OFFSETS];
	size_t n;
};

static int fail_with(int err)
{
	errno = err;
	return -1;
}

bool gpiod_is_gpiochip_device(const char *path)
{
	fk_init();
	return !strncmp(path, "/dev/", 5) && fk_chip_lookup(path) != NULL &&
	       !strcmp(fk_chip_lookup(path)->name, path + 5);
}

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	struct gpiod_chip *c;
	struct fk_chip *fc;

	fk_init();
	if (fk_fail("open")) {
		fail_with(fk_fail("open"));
		return NULL;
	}
	fc = gpiod_is_gpiochip_device(path) ? fk_chip_lookup(path) : NULL;
	if (!fc) {
		fail_with(ENOENT);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		fail_with(ENOMEM);
		return NULL;
	}
	c->fc = fc;
	fk_chip_opened(1);
	return c;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	if (!chip)
		return;
	free(chip);
	fk_chip_opened(-1);
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
	struct gpiod_chip_info *i = calloc(1, sizeof(*i));

	if (!i)
		return NULL;
	snprintf(i->name, sizeof(i->name), "%s", chip->fc->name);
	snprintf(i->label, sizeof(i->label), "%s", chip->fc->label);
	i->n = chip->fc->n;
	return i;
}

const char *gpiod_chip_info_get_name(struct gpiod_chip_info *info)
{
	return info->name;
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
	return info->label;
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
	return info->n;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	free(info);
}

int gpiod_chip_get_line_offset_from_name(struct gpiod_chip *chip, const char *name)
{
	struct fk_line *l = fk_find_name(chip->fc, name);

	return l ? (int)l->offset : fail_with(ENOENT);
}

struct gpiod_line_info *gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset)
{
	struct gpiod_line_info *i;

	if (offset >= chip->fc->n) {
		fail_with(EINVAL);
		return NULL;
	}
	i = calloc(1, sizeof(*i));
	if (i)
		i->snap = chip->fc->line[offset];
	return i;
}

const char *gpiod_line_info_get_name(struct gpiod_line_info *info)
{
	return info->snap.name[0] ? info->snap.name : NULL;
}

const char *gpiod_line_info_get_consumer(struct gpiod_line_info *info)
{
	return info->snap.consumer[0] ? info->snap.consumer : NULL;
}

bool gpiod_line_info_is_used(struct gpiod_line_info *info)
{
	return info->snap.held || info->snap.ext_busy;
}

enum gpiod_line_direction gpiod_line_info_get_direction(struct gpiod_line_info *info)
{
	return info->snap.output ? GPIOD_LINE_DIRECTION_OUTPUT : GPIOD_LINE_DIRECTION_INPUT;
}

bool gpiod_line_info_is_active_low(struct gpiod_line_info *info)
{
	return info->snap.active_low;
}

enum gpiod_line_drive gpiod_line_info_get_drive(struct gpiod_line_info *info)
{
	static const enum gpiod_line_drive d[] = { GPIOD_LINE_DRIVE_PUSH_PULL,
						   GPIOD_LINE_DRIVE_OPEN_DRAIN,
						   GPIOD_LINE_DRIVE_OPEN_SOURCE };
	return d[info->snap.drive];
}

enum gpiod_line_bias gpiod_line_info_get_bias(struct gpiod_line_info *info)
{
	static const enum gpiod_line_bias b[] = { GPIOD_LINE_BIAS_UNKNOWN, GPIOD_LINE_BIAS_DISABLED,
						  GPIOD_LINE_BIAS_PULL_UP, GPIOD_LINE_BIAS_PULL_DOWN };
	return b[info->snap.bias];
}

void gpiod_line_info_free(struct gpiod_line_info *info)
{
	free(info);
}

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *s = calloc(1, sizeof(*s));

	if (s) {
		s->dir = GPIOD_LINE_DIRECTION_AS_IS;
		s->drive = GPIOD_LINE_DRIVE_PUSH_PULL;
		s->bias = GPIOD_LINE_BIAS_AS_IS;
	}
	return s;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
	free(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *s,
				      enum gpiod_line_direction direction)
{
	if (direction < GPIOD_LINE_DIRECTION_AS_IS || direction > GPIOD_LINE_DIRECTION_OUTPUT)
		return fail_with(EINVAL);
	s->dir = direction;
	return 0;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *s,
					 enum gpiod_line_value value)
{
	if (value != GPIOD_LINE_VALUE_ACTIVE && value != GPIOD_LINE_VALUE_INACTIVE)
		return fail_with(EINVAL);
	s->value = value;
	return 0;
}

int gpiod_line_settings_set_drive(struct gpiod_line_settings *s, enum gpiod_line_drive drive)
{
	if (drive < GPIOD_LINE_DRIVE_PUSH_PULL || drive > GPIOD_LINE_DRIVE_OPEN_SOURCE)
		return fail_with(EINVAL);
	s->drive = drive;
	return 0;
}

int gpiod_line_settings_set_bias(struct gpiod_line_settings *s, enum gpiod_line_bias bias)
{
	if (bias < GPIOD_LINE_BIAS_AS_IS || bias > GPIOD_LINE_BIAS_PULL_DOWN ||
	    bias == GPIOD_LINE_BIAS_UNKNOWN)
		return fail_with(EINVAL);
	s->bias = bias;
	return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *s, bool active_low)
{
	s->active_low = active_low;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
	return calloc(1, sizeof(struct gpiod_line_config));
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
	free(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config,
					const unsigned int *offsets, size_t num_offsets,
					struct gpiod_line_settings *settings)
{
	size_t i;

	if (config->n + num_offsets > FK2_MAX_OFFSETS)
		return fail_with(E2BIG);
	for (i = 0; i < num_offsets; i++) {
		config->offset[config->n] = offsets[i];
		config->set[config->n++] = *settings;
	}
	return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
	return calloc(1, sizeof(struct gpiod_request_config));
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
	free(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config, const char *consumer)
{
	snprintf(config->consumer, sizeof(config->consumer), "%s", consumer ? consumer : "");
}

static int request_line(struct fk_line *l, const struct gpiod_line_settings *s,
			const char *consumer)
{
	static const enum fk_drive drive[] = { [GPIOD_LINE_DRIVE_PUSH_PULL] = FK_PUSH_PULL,
					       [GPIOD_LINE_DRIVE_OPEN_DRAIN] = FK_OPEN_DRAIN,
					       [GPIOD_LINE_DRIVE_OPEN_SOURCE] = FK_OPEN_SOURCE };
	static const enum fk_bias bias[] = { [GPIOD_LINE_BIAS_AS_IS] = FK_BIAS_AS_IS,
					     [GPIOD_LINE_BIAS_UNKNOWN] = FK_BIAS_AS_IS,
					     [GPIOD_LINE_BIAS_DISABLED] = FK_BIAS_DISABLE,
					     [GPIOD_LINE_BIAS_PULL_UP] = FK_BIAS_PULL_UP,
					     [GPIOD_LINE_BIAS_PULL_DOWN] = FK_BIAS_PULL_DOWN };

	return fk_request(l, s->dir == GPIOD_LINE_DIRECTION_OUTPUT,
			  s->value == GPIOD_LINE_VALUE_ACTIVE, s->active_low, drive[s->drive],
			  bias[s->bias], consumer);
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
	if (!request)
		return;
	while (request->n > 0)
		fk_release(&request->fc->line[request->offset[--request->n]]);
	free(request);
}

struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip,
						    struct gpiod_request_config *req_cfg,
						    struct gpiod_line_config *line_cfg)
{
	struct gpiod_line_request *r = calloc(1, sizeof(*r));
	size_t i;
	int err;

	if (!r || !line_cfg->n) {
		free(r);
		fail_with(r ? EINVAL : ENOMEM);
		return NULL;
	}
	r->fc = chip->fc;
	for (i = 0; i < line_cfg->n; i++) {
		struct fk_line *l = line_cfg->offset[i] < chip->fc->n ?
				    &chip->fc->line[line_cfg->offset[i]] : NULL;

		if (!l || request_line(l, &line_cfg->set[i], req_cfg ? req_cfg->consumer : "") < 0) {
			err = l ? errno : EINVAL;
			if (l && l->held)
				r->offset[r->n++] = line_cfg->offset[i];  /* pin report failed */
			gpiod_line_request_release(r);
			fail_with(err);
			return NULL;
		}
		r->offset[r->n++] = line_cfg->offset[i];
	}
	return r;
}

static struct fk_line *req_line(struct gpiod_line_request *r, unsigned offset)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->offset[i] == offset)
			return &r->fc->line[offset];
	return NULL;
}

int gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
				 enum gpiod_line_value value)
{
	struct fk_line *l = req_line(request, offset);

	if (!l || !l->output)
		return fail_with(l ? EPERM : EINVAL);
	return fk_set(l, value == GPIOD_LINE_VALUE_ACTIVE);
}

enum gpiod_line_value gpiod_line_request_get_value(struct gpiod_line_request *request,
						   unsigned int offset)
{
	struct fk_line *l = req_line(request, offset);
	int v;

	if (!l) {
		fail_with(EINVAL);
		return GPIOD_LINE_VALUE_ERROR;
	}
	v = fk_get(l);
	return v < 0 ? GPIOD_LINE_VALUE_ERROR : v ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
}

const char *gpiod_api_version(void)
{
	return "2.2.1-fake";
}

#pragma GCC visibility pop

#endif /* SB_GPIOD_API == 2 */
