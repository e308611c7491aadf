/*
 * romsim.h - entry points of the virtual board's front ends.
 * Each takes the arguments after its sub-command word (argv[0] is the word)
 * and returns the process exit status.
 */
#ifndef ROMSIM_H
#define ROMSIM_H

/* romsim serial: the AN3155 ROM loader on a pseudo-terminal (src/romsim_serial.c). */
int romsim_serial_main(int argc, char **argv);
/* romsim usb: emulated DfuSe devices under umockdev for a child command (src/romsim_usb.c). */
int romsim_usb_main(int argc, char **argv);

#endif
