/* SPDX-License-Identifier: MIT */
/*
 * fake_gpiod_int.h - the chip model shared by the fake libgpiod API layers
 * (fake_gpiod.c: v1, fake_gpiod2.c: v2). See fake_gpiod.h.
 */
#ifndef FAKE_GPIOD_INT_H
#define FAKE_GPIOD_INT_H

#include <stdbool.h>
#include <stddef.h>

enum fk_drive { FK_PUSH_PULL, FK_OPEN_DRAIN, FK_OPEN_SOURCE };
enum fk_bias { FK_BIAS_AS_IS, FK_BIAS_DISABLE, FK_BIAS_PULL_UP, FK_BIAS_PULL_DOWN };

struct fk_chip;

struct fk_line {
	struct fk_chip *chip;
	unsigned offset;
	char name[32];
	char consumer[32];
	bool held;          /* requested by this process */
	bool ext_busy;      /* held by "another program" (FAKE_GPIOD_BUSY) */
	bool output;
	bool active_low;
	enum fk_drive drive;
	enum fk_bias bias;
	int value;          /* logical (active) value of an output */
	char pin[16];       /* board pin (FAKE_GPIOD_MAP), "" if none */
	bool pin_inv;
};

struct fk_chip {
	char name[32];
	char label[64];
	unsigned n;
	struct fk_line *line;
};

/* Read the environment once, unless fake_gpiod_setup() ran. */
void fk_init(void);

size_t fk_nchips(void);
struct fk_chip *fk_chip_at(size_t i);
/* By name ("gpiochip0"), number ("0"), path ("/dev/gpiochip0") or label. */
struct fk_chip *fk_chip_lookup(const char *descr);
struct fk_line *fk_find_name(struct fk_chip *c, const char *name);

/* errno to inject for op, or 0. */
int fk_fail(const char *op);

/* Each returns 0, or -1 with errno set; they record the timeline and report pins. */
int fk_request(struct fk_line *l, bool output, int value, bool active_low, enum fk_drive drive,
	       enum fk_bias bias, const char *consumer);
int fk_set(struct fk_line *l, int value);
int fk_get(struct fk_line *l);
void fk_release(struct fk_line *l);

/* Open-handle counting. */
void fk_chip_opened(int delta);

void fk_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
