/* SPDX-License-Identifier: MIT */
/*
 * faults.h - seeded fault injection between a serial line and the AN3155
 * device side: dropped or corrupted bytes in either direction, NACKed,
 * stalled or hung commands, replies held back. Deterministic for a given
 * spec, seed and byte sequence. Pure code.
 *
 * Spec grammar (rules separated by commas):
 *   RULE    = ACTION [ "@" [CMD] [ "#" N [ "." BYTE ] ] ] [ "=" RATE ] [ ":" MS ]
 *   ACTION  = drop-in | drop-out | corrupt-in | corrupt-out      (bytes)
 *           | nack | nack-late | stall | hang                     (commands)
 *           | cpu-hang | cpu-reset                                (code on the CPU)
 *           | late                                                (replies)
 *           | twin-in        (two host bytes flipped alike: "@CMD#N.BYTE" only)
 *   CMD     = sync get gv gid read go write erase wp wu rp ru crc, or 0xNN;
 *             or cpu: the bytes of code running on the CPU (after Go), N
 *             then counts its runs and BYTE its bytes in that run;
 *             omitted: any command (bytes: any byte, sync included; rate
 *             rules also apply to the code's bytes)
 *   N       = the Nth such command (1-based) since start: fires once
 *   BYTE    = K (1-based) or "last": which byte of that command's bytes in
 *             the rule's direction ("-in": host bytes from the opcode on;
 *             "-out": the ROM's reply bytes). Required with "#N" for byte
 *             actions; "last" only for "-out".
 *   RATE    = probability 0..1 per byte (byte actions), per command
 *             (command actions) or per reply (late)
 *   MS      = late only (and required): milliseconds, 1..600000
 *   Exactly one of "#N" and "=RATE".
 * A reply is what the ROM sends in answer to one host byte. "late" holds
 * replies back by MS: with "#N" every reply of that command, with
 * "#N.BYTE" the reply holding that reply byte, from that byte on; with
 * "=RATE" each reply with that probability. The ROM is busy meanwhile
 * (sim/sersim.c: the first host byte waits, later ones are lost).
 * Commands are counted when their opcode byte reaches a synced, idle ROM
 * (sync: when the first byte after a reset arrives). Examples:
 *   nack@write#3              NACK the 3rd Write Memory at its opcode
 *   drop-out@write#2.last     lose the final ACK of the 2nd write (data written)
 *   corrupt-in=0.001          corrupt each host byte with probability 1/1000
 *   stall@erase#1,hang@go#1   no answer to the 1st erase; the 1st Go hangs the ROM
 *   cpu-hang@cpu#1.40         the code stops (silent until reset) after it has
 *                             been sent 40 bytes in its first run
 *   cpu-reset@cpu#2           the second run resets the board before it starts
 *   corrupt-out@cpu#1.3       corrupt the 3rd byte the code sends in its 1st run
 *   late@write#2.last:1500    the 2nd write's final ACK comes 1.5 s late
 *   late=0.01:300             1 % of all replies 300 ms late
 *   twin-in@write#1.20        bytes 20 and 21 of the 1st write get the same XOR: the
 *                             checksum still matches and the ROM programs them
 *
 * Ownership: faults_new() returns an object freed with faults_free().
 */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "an3155_dev.h"

struct faults;

/* NULL on a bad spec (message in err) or allocation failure. An empty or
 * NULL spec gives an injector that never fires. */
struct faults *faults_new(const char *spec, uint64_t seed, char *err, size_t errlen);
void faults_free(struct faults *f);

/* Log line callback for every fault that fires. */
void faults_set_log(struct faults *f, void (*fn)(void *ctx, const char *line), void *ctx);

/*
 * Connect to a device: installs the device's hooks (on_command for the
 * command fates; on_event is passed through to ev_fn). Call once.
 */
void faults_attach(struct faults *f, struct an3155dev *d,
		   void (*ev_fn)(void *ctx, const struct an3155dev_event *ev), void *ev_ctx);

/*
 * One host byte through the input faults into the device, and the device's
 * reply bytes through the output faults into out (up to max). Returns the
 * number of reply bytes stored.
 */
size_t faults_feed(struct faults *f, uint8_t c, uint8_t *out, size_t max);
/* After faults_feed(): 0, or how many milliseconds late the reply bytes it
 * stored from out[*from] on are due. */
unsigned faults_late(const struct faults *f, size_t *from);

/* ---- bytes of code running on the CPU (sim/cpu.h) ---- */
enum faults_cpu_fate { FAULTS_CPU_RUN, FAULTS_CPU_HANG, FAULTS_CPU_RESET };
/* A run of code starts: counts it; a cpu-hang/cpu-reset "#RUN" rule fires here. */
enum faults_cpu_fate faults_cpu_start(struct faults *f);
/* A cpu-hang/cpu-reset "#RUN.BYTE" rule for the bytes received so far. */
enum faults_cpu_fate faults_cpu_fate_now(struct faults *f);
/* One host byte towards the code (counted): false if dropped; may corrupt *c. */
bool faults_cpu_in(struct faults *f, uint8_t *c);
/* One byte the code sends towards the host: false if dropped; may corrupt *c. */
bool faults_cpu_out(struct faults *f, uint8_t *c);

#endif
