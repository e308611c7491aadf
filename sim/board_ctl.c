/* SPDX-License-Identifier: MIT */
/*
 * board_ctl.c - what the romsim front ends do to a board from outside the
 * ROM protocol: set-up from their options, and the text control messages of
 * their pins sockets (PIN, GET, MODE, POWER; man/romsim.1).
 */
#include <string.h>

#include "board.h"
#include "board_part.h"

static int pin_by_name(const char *name, size_t n)
{
	if (n == 5 && !strncmp(name, "boot0", 5))
		return BOARD_PIN_BOOT0;
	if (n == 4 && !strncmp(name, "nrst", 4))
		return BOARD_PIN_NRST;
	return -1;
}

/* "boot0 1" (set) or "boot0" (get) into out. */
static const char *parse_pin_args(const char *args, bool set, struct board_ctl *out)
{
	size_t n = strcspn(args, " \r\n");
	int pin = pin_by_name(args, n);
	const char *lv = args + n + (args[n] == ' ');

	if (pin < 0)
		return "error: unknown pin (boot0, nrst)";
	out->pin = (enum board_pin)pin;
	if (!set)
		return NULL;
	if ((lv[0] != '0' && lv[0] != '1') || strcspn(lv + 1, "\r\n") != 0)
		return "error: level must be 0 or 1";
	out->level = lv[0] - '0';
	return NULL;
}

const char *board_ctl_parse(const char *msg, struct board_ctl *out)
{
	size_t n = strcspn(msg, "\r\n");

	if (!strncmp(msg, "PIN ", 4)) {
		out->op = BOARD_CTL_PIN;
		return parse_pin_args(msg + 4, true, out);
	}
	if (!strncmp(msg, "GET ", 4)) {
		out->op = BOARD_CTL_GET;
		return parse_pin_args(msg + 4, false, out);
	}
	if (n == 4 && !strncmp(msg, "MODE", 4)) {
		out->op = BOARD_CTL_MODE;
		return NULL;
	}
	if (n == 5 && !strncmp(msg, "POWER", 5)) {
		out->op = BOARD_CTL_POWER;
		return NULL;
	}
	return "error: unknown message";
}

const char *board_mode_name(enum board_mode mode)
{
	return mode == BOARD_MODE_ROM ? "rom" : mode == BOARD_MODE_APP ? "app" : "reset";
}

const char *board_pin_name(enum board_pin pin)
{
	return pin == BOARD_PIN_BOOT0 ? "boot0" : "nrst";
}

bool board_follow(const struct board *b, unsigned *seen_resets, enum board_mode *seen_mode,
		  bool *reset)
{
	unsigned rc = board_reset_count(b);
	enum board_mode m = board_mode(b);
	bool started = m == BOARD_MODE_APP && (*seen_mode != BOARD_MODE_APP || rc != *seen_resets);

	if (reset)
		*reset = rc != *seen_resets;
	*seen_resets = rc;
	*seen_mode = m;
	return started;
}

/* The L4R5's (the default profile at flash_kb; its largest size if the
 * profile has no such size): the part profiles have board_profile_fresh_optr(). */
uint32_t board_fresh_optr(uint32_t flash_kb, int dbank, int rdp)
{
	struct board_profile p;

	if (!board_profile_for(0, flash_kb, &p))
		board_profile_for(0, 0, &p);
	return board_profile_fresh_optr(&p, dbank, rdp);
}

int board_apply_options(struct board *b, int dbank, int rdp)
{
	bool changed = false, inv;
	int st, bit = board_bank_bit(b, &inv);

	if (dbank >= 0 && board_dual_bank(b) != (dbank == 1)) {
		uint32_t optr = board_optr(b) & ~(1u << (bit >= 0 ? bit : 0));

		if (bit < 0)
			return BOARD_EADDR;   /* no option bit chooses the bank mode */
		if (board_rdp_level(b))
			return BOARD_ERDP;    /* the option bytes are not writable then (A.6) */
		if ((dbank == 1) != inv)
			optr |= 1u << bit;
		board_stage_optr(b, optr);
		changed = true;
	}
	if (rdp >= 0 && (board_rdp_level(b) != 0) != (rdp == 1)) {
		if ((st = rdp ? board_rdp_set(b) : board_rdp_clear(b)) != BOARD_OK)
			return st;
		changed = true;
	}
	if (changed)
		board_power_cycle(b);
	board_take_busy_us(b);
	return BOARD_OK;
}
