/* SPDX-License-Identifier: MIT */
/*
 * romsim.h - entry points of the virtual board's front ends.
 * Each takes the arguments after its sub-command word (argv[0] is the word)
 * and returns the process exit status.
 */
#ifndef ROMSIM_H
#define ROMSIM_H

#include <stdbool.h>

/* romsim serial: the AN3155 ROM loader on a pseudo-terminal (src/romsim/romsim_serial.c). */
int romsim_serial_main(int argc, char **argv);
/* romsim usb: emulated DfuSe devices under umockdev for a child command (src/romsim/romsim_usb.c). */
int romsim_usb_main(int argc, char **argv);

/* A whole number in C syntax (decimal, 0x hex) no larger than max. */
bool romsim_parse_ulong(const char *s, unsigned long max, unsigned long *out);
/* "0" or "1" (NULL is refused). */
bool romsim_parse_bit(const char *s, int *out);

#endif
