/*
 * board_ctl.c - the text control messages every romsim front end accepts
 * on its pins socket: PIN, GET, MODE, POWER (man/romsim.1).
 */
#include <string.h>

#include "board.h"

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
