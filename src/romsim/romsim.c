/* SPDX-License-Identifier: MIT */
/*
 * romsim - the virtual STM32L4R5 board: its ROM bootloader on a
 * pseudo-terminal (AN3155) and on emulated USB (DfuSe), its flash, option
 * bytes, read protection and BOOT0/NRST pins. See man/romsim.1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "exit_codes.h"
#include "romsim.h"

#ifndef STMBOOT_VERSION
#define STMBOOT_VERSION "0.1"
#endif

/* Front ends are linked as objects; a build without one still runs the other. */
#pragma weak romsim_serial_main
#pragma weak romsim_usb_main

bool romsim_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return !*end && !errno && *out <= max;
}

bool romsim_parse_bit(const char *s, int *out)
{
	unsigned long v;

	if (!romsim_parse_ulong(s, 1, &v))
		return false;
	*out = (int)v;
	return true;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: romsim serial [OPTIONS]          serve the AN3155 ROM on a pseudo-terminal\n"
		"       romsim usb [OPTIONS] -- CMD ARGS  run CMD against emulated DfuSe devices\n"
		"       romsim COMMAND --help             options of a command\n"
		"       romsim --version\n");
}

static void help(void)
{
	usage(stdout);
	fputs("\nromsim serial exits 0 when stopped by a signal; romsim usb exits with CMD's\n"
	      "status (128+N if CMD was killed by signal N). Their own failures:\n\n", stdout);
	sb_exit_help(stdout);
}

int main(int argc, char **argv)
{
	/* The timing model sleeps for byte times and latencies of tens of
	 * microseconds; the default 50 us timer slack would add to each. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help();
		return EXIT_OK;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("romsim (stmboot) %s\n", STMBOOT_VERSION);
		return EXIT_OK;
	}
	if (argc < 2) {
		fprintf(stderr, "romsim: no command given (serial, usb)\nTry 'romsim --help'.\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "serial") && romsim_serial_main)
		return romsim_serial_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "usb") && romsim_usb_main)
		return romsim_usb_main(argc - 1, argv + 1);
	fprintf(stderr, "romsim: unknown command '%s' (serial, usb)\nTry 'romsim --help'.\n", argv[1]);
	return EXIT_USAGE;
}
