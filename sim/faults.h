/*
 * faults.h - seeded fault injection between a serial line and the AN3155
 * device side: dropped or corrupted bytes in either direction, NACKed,
 * stalled or hung commands. Deterministic for a given spec, seed and byte
 * sequence. Pure code.
 *
 * Spec grammar (rules separated by commas):
 *   RULE    = ACTION [ "@" [CMD] [ "#" N [ "." BYTE ] ] ] [ "=" RATE ]
 *   ACTION  = drop-in | drop-out | corrupt-in | corrupt-out      (bytes)
 *           | nack | nack-late | stall | hang                     (commands)
 *           | cpu-hang | cpu-reset                                (code on the CPU)
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
 *   RATE    = probability 0..1 per byte (byte actions) or per command
 *   Exactly one of "#N" and "=RATE".
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
