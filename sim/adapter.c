/* SPDX-License-Identifier: MIT */
/*
 * adapter.c - DTR/RTS to BOOT0/NRST (adapter.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"

static const char *const line_names[ADAPTER_NLINES] = { [ADAPTER_DTR] = "dtr",
							[ADAPTER_RTS] = "rts" };

static int line_by_name(const char *s, size_t n)
{
	for (int i = 0; i < ADAPTER_NLINES; i++)
		if (strlen(line_names[i]) == n && !strncmp(s, line_names[i], n))
			return i;
	return -1;
}

/* "rts=boot0:inv" (modified in place). */
static int parse_wire(struct adapter_map *m, char *tok)
{
	char *eq = strchr(tok, '='), *colon;
	int line, pin;

	if (!eq)
		return -1;
	*eq++ = '\0';
	colon = strchr(eq, ':');
	if (colon && strcmp(colon, ":inv"))
		return -1;
	if (colon)
		*colon = '\0';
	line = line_by_name(tok, strlen(tok));
	pin = !strcmp(eq, "boot0") ? BOARD_PIN_BOOT0 : !strcmp(eq, "nrst") ? BOARD_PIN_NRST
	      : !strcmp(eq, "none") ? -1 : -2;
	if (line < 0 || pin == -2)
		return -1;
	m->wire[line].pin = pin;
	m->wire[line].inv = colon != NULL;
	return 0;
}

int adapter_parse(struct adapter_map *m, const char *spec, char *err, size_t errlen)
{
	char *copy, *save = NULL, *tok;
	int rc = 0;

	for (int i = 0; i < ADAPTER_NLINES; i++) {
		m->wire[i].pin = -1;
		m->wire[i].inv = false;
	}
	if (!spec || !*spec)
		return 0;
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = parse_wire(m, tok);
	free(copy);
	if (!rc && m->wire[ADAPTER_DTR].pin >= 0 &&
	    m->wire[ADAPTER_DTR].pin == m->wire[ADAPTER_RTS].pin)
		rc = -1;
	if (rc)
		snprintf(err, errlen, "bad adapter map '%s' (want e.g. rts=boot0,dtr=nrst:inv)", spec);
	return rc;
}

int adapter_parse_tiocm(const char *args, int line[ADAPTER_NLINES])
{
	const char *p = args;

	line[ADAPTER_DTR] = line[ADAPTER_RTS] = -1;
	for (;;) {
		size_t n, key;
		int l;

		p += strspn(p, " ");
		n = strcspn(p, " \r\n");
		if (!n)
			return 0;
		key = strcspn(p, "=");
		l = key < n ? line_by_name(p, key) : -1;
		if (l < 0 || n != key + 2 || (p[key + 1] != '0' && p[key + 1] != '1'))
			return -1;
		line[l] = p[key + 1] - '0';
		p += n;
	}
}

size_t adapter_pins(const struct adapter_map *m, const int line[ADAPTER_NLINES],
		    struct adapter_pin out[ADAPTER_NLINES])
{
	static const enum board_pin order[] = { BOARD_PIN_BOOT0, BOARD_PIN_NRST };
	size_t n = 0;

	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
		for (int l = 0; l < ADAPTER_NLINES; l++)
			if (line[l] >= 0 && m->wire[l].pin == (int)order[o])
				out[n++] = (struct adapter_pin){ order[o], line[l] ^ m->wire[l].inv };
	return n;
}

size_t adapter_host(const struct adapter_map *m, bool open, struct adapter_pin out[ADAPTER_NLINES])
{
	const int line[ADAPTER_NLINES] = { open, open };

	return adapter_pins(m, line, out);
}
