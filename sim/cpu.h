/* SPDX-License-Identifier: MIT */
/*
 * cpu.h - a Cortex-M4 running the Thumb-2 code loaded into the virtual
 * board, with the Unicorn engine (UC_ARCH_ARM, Thumb + M-class, Cortex-M4
 * model), in front of the peripheral model of mcu.h.
 *
 * Memory seen by the code: SRAM1-3 (0x20000000-0x2009FFFF, the board's own
 * bytes: what Write Memory put there) and its SRAM2 alias at 0x10000000;
 * flash, option bytes, system memory/OTP, peripherals and the private
 * peripheral bus through mcu_read()/mcu_write(). Code runs from SRAM only
 * (flash and system memory are data to the engine; a jump there stops the
 * CPU). Exceptions and interrupts are not modelled: a fault, an undefined
 * instruction, SVC/BKPT, WFI/WFE or an access nothing answers stop the CPU
 * with a reason (cpu_halt_reason()).
 *
 * Time: every executed instruction counts one core cycle (approximated per
 * translated block: Thumb bytes / 2), handed to mcu_add_cycles().
 *
 * Ownership: cpu_new() returns an engine freed with cpu_free(); board and
 * mcu are borrowed. One engine per run: a new Go makes a new one (so code
 * written into SRAM in between is never stale in the engine's cache).
 */
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "mcu.h"

/* Consecutive unchanged status reads that make a polling loop (mcu.h). */
#define CPU_POLL_LIMIT 16u

enum cpu_stop {
	CPU_STOP_SLICE,   /* its cycle budget is used up; call cpu_run() again */
	CPU_STOP_POLL,    /* it polls a status register that does not change */
	CPU_STOP_RESET,   /* it asked for a system reset (AIRCR.SYSRESETREQ, OBL_LAUNCH) */
	CPU_STOP_HALT,    /* it cannot go on (fault, WFI, endless loop): cpu_halt_reason() */
};

struct cpu;

/* NULL with a message in err when the engine cannot be set up, or the
 * board is not the L4R5 (PID 0x470) whose SRAM and peripherals the model
 * maps. */
struct cpu *cpu_new(struct board *b, struct mcu *m, char *err, size_t errlen);
void cpu_free(struct cpu *c);

/* Take MSP from [vtor] and PC from [vtor + 4] (ARMv7-M B1.5.5) and get
 * ready to run. CPU_STOP_HALT (with a reason) if the vectors cannot be used,
 * else CPU_STOP_SLICE. */
enum cpu_stop cpu_start(struct cpu *c, uint32_t vtor);
/* Run for up to max_cycles core cycles. */
enum cpu_stop cpu_run(struct cpu *c, uint64_t max_cycles);
const char *cpu_halt_reason(const struct cpu *c);
uint32_t cpu_pc(const struct cpu *c);
/* A hash of the registers and the top of the stack: equal at two polling
 * stops means the loop changes nothing but what it polls. */
uint64_t cpu_fingerprint(struct cpu *c);

/*
 * The functions above as a table, so that the serial side (sim/sersim.h)
 * can run code without linking the engine: romsim passes &cpu_unicorn,
 * tests of the wire alone pass NULL (Go then only says the code runs).
 */
struct cpu_ops {
	struct cpu *(*open)(struct board *b, struct mcu *m, char *err, size_t errlen);
	void (*close)(struct cpu *c);
	enum cpu_stop (*start)(struct cpu *c, uint32_t vtor);
	enum cpu_stop (*run)(struct cpu *c, uint64_t max_cycles);
	const char *(*halt_reason)(const struct cpu *c);
	uint64_t (*fingerprint)(struct cpu *c);
};

extern const struct cpu_ops cpu_unicorn;

#endif
