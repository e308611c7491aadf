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
 *   CMD     = sync get gv gid read go write erase wp wu rp ru crc, or 0xNN;
 *             omitted: any command (bytes: any byte, sync included)
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
 *
 * Ownership: faults_new() returns an object freed with faults_free().
 */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

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

#endif
