/* SPDX-License-Identifier: MIT */
/*
 * cpu.c - the Unicorn engine behind cpu.h. The only file that includes
 * <unicorn/unicorn.h>; the facts it relies on are Unicorn 2's API
 * (uc_mmio_map, UC_HOOK_BLOCK, uc_ctl_set_cpu_model) and ARMv7-M B1.5.5
 * (reset: MSP from the vector table's first word, PC from the second).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "board_part.h"
#include "cpu.h"

#define SRAM_BASE 0x20000000u
#define SRAM2_ALIAS 0x10000000u     /* SRAM2 (64 KB at 0x20030000) aliased, protocol-facts E.1 */
#define SRAM2_OFF 0x30000u
#define SRAM2_SIZE 0x10000u
#define THUMB_B_SELF 0xE7FEu        /* "b ." */
#define THUMB_WFI 0xBF30u
#define THUMB_WFE 0xBF20u

struct window {
	struct cpu *c;
	uint32_t base;
};

struct cpu {
	uc_engine *uc;
	struct board *b;
	struct mcu *m;
	uint8_t *sram;
	size_t sram_size;
	struct window win[5];
	uint64_t budget, used;
	uint64_t last_block;
	uint32_t pc;
	int stop;                    /* -1: none requested */
	char reason[200];
};

__attribute__((format(printf, 2, 3)))
static void halt(struct cpu *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof c->reason, fmt, ap);
	va_end(ap);
	c->stop = CPU_STOP_HALT;
}

static uint32_t reg(struct cpu *c, int r)
{
	uint32_t v = 0;

	uc_reg_read(c->uc, r, &v);
	return v;
}

/* ---- MMIO: every access goes to the peripheral model ---- */

static void after_access(struct cpu *c)
{
	if (c->stop >= 0)
		return;
	if (mcu_take_reset_request(c->m))
		c->stop = CPU_STOP_RESET;
	else if (mcu_idle_polls(c->m) >= CPU_POLL_LIMIT)
		c->stop = CPU_STOP_POLL;
	/* no uc_emu_stop() here: inside an MMIO callback Unicorn's PC is the
	 * start of the translated block, and resuming there would run the
	 * block's first instructions twice; on_block() stops at the next
	 * block boundary, where PC is exact */
}

static void bus_fault(struct cpu *c)
{
	if (c->stop == CPU_STOP_HALT)
		return;
	snprintf(c->reason, sizeof c->reason, "bus fault: %s (PC 0x%08X)", mcu_fault(c->m),
		 (unsigned)reg(c, UC_ARM_REG_PC));
	c->stop = CPU_STOP_HALT;
	uc_emu_stop(c->uc);
}

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	struct window *w = user;
	uint32_t lo = 0, hi = 0, addr = w->base + (uint32_t)off;

	(void)uc;
	if (w->c->stop == CPU_STOP_HALT)
		return 0;  /* after a fault nothing more happens on the bus */
	if (mcu_read(w->c->m, addr, size > 4 ? 4 : size, &lo) != MCU_OK ||
	    (size > 4 && mcu_read(w->c->m, addr + 4, 4, &hi) != MCU_OK)) {
		bus_fault(w->c);
		return 0;
	}
	after_access(w->c);
	return (uint64_t)hi << 32 | lo;
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
	struct window *w = user;
	uint32_t addr = w->base + (uint32_t)off;

	(void)uc;
	if (w->c->stop == CPU_STOP_HALT)
		return;
	if (mcu_write(w->c->m, addr, size > 4 ? 4 : size, (uint32_t)val) != MCU_OK ||
	    (size > 4 && mcu_write(w->c->m, addr + 4, 4, (uint32_t)(val >> 32)) != MCU_OK)) {
		bus_fault(w->c);
		return;
	}
	after_access(w->c);
}

/* ---- hooks ---- */

static uint16_t sram_half(const struct cpu *c, uint64_t addr)
{
	uint64_t off = addr - SRAM_BASE;

	if (addr < SRAM_BASE || off + 2 > c->sram_size)
		return 0;
	return (uint16_t)(c->sram[off] | c->sram[off + 1] << 8);
}

/* Each translated block counts its instructions as cycles; "b ." halts. */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct cpu *c = user;
	uint64_t n = size / 2 ? size / 2 : 1;

	if (c->stop >= 0) {
		uc_emu_stop(uc);   /* asked for by an MMIO access (after_access) */
		return;
	}
	if (addr == c->last_block && size == 2 && sram_half(c, addr) == THUMB_B_SELF) {
		halt(c, "endless loop (b .) at 0x%08X: the CPU spins until reset", (unsigned)addr);
		uc_emu_stop(uc);
		return;
	}
	c->last_block = addr;
	mcu_add_cycles(c->m, n);
	c->used += n;
	if (c->used >= c->budget && c->stop < 0) {
		c->stop = CPU_STOP_SLICE;
		uc_emu_stop(uc);
	}
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct cpu *c = user;

	halt(c, "exception %u at PC 0x%08X (exceptions are not modelled)", intno,
	     (unsigned)reg(c, UC_ARM_REG_PC));
	uc_emu_stop(uc);
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t val,
			void *user)
{
	struct cpu *c = user;
	const char *what = type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch"
			 : type == UC_MEM_WRITE_UNMAPPED ? "write" : "read";

	(void)uc;
	(void)size;
	(void)val;
	halt(c, "bus fault: %s 0x%08X: nothing mapped there (PC 0x%08X)", what, (unsigned)addr,
	     (unsigned)reg(c, UC_ARM_REG_PC));
	return false;
}

/* ---- set-up ---- */

static int map_all(struct cpu *c)
{
	static const struct { uint32_t base, size; } mmio[5] = {
		{ 0x08000000u, 0 },              /* flash: size from the board */
		{ 0x1FF00000u, 0x2000u },        /* option bytes */
		{ 0x1FFF0000u, 0x8000u },        /* system memory, OTP, engineering words */
		{ 0x40000000u, 0x20000000u },    /* peripherals (AHB/APB) */
		{ 0xE0000000u, 0x100000u },      /* private peripheral bus */
	};
	uc_err e = uc_mem_map_ptr(c->uc, SRAM_BASE, c->sram_size, UC_PROT_ALL, c->sram);

	if (e == UC_ERR_OK)
		e = uc_mem_map_ptr(c->uc, SRAM2_ALIAS, SRAM2_SIZE, UC_PROT_ALL, c->sram + SRAM2_OFF);
	for (unsigned i = 0; i < 5 && e == UC_ERR_OK; i++) {
		uint32_t size = i ? mmio[i].size : board_flash_size(c->b);

		c->win[i] = (struct window){ c, mmio[i].base };
		e = uc_mmio_map(c->uc, mmio[i].base, size, mmio_read, &c->win[i], mmio_write, &c->win[i]);
	}
	return e == UC_ERR_OK ? 0 : (int)e;
}

static int add_hooks(struct cpu *c)
{
	uc_hook h;
	uc_err e = uc_hook_add(c->uc, &h, UC_HOOK_BLOCK, (void *)on_block, c, 1, 0);

	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &h, UC_HOOK_INTR, (void *)on_intr, c, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &h, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped, c, 1, 0);
	return e == UC_ERR_OK ? 0 : (int)e;
}

struct cpu *cpu_new(struct board *b, struct mcu *m, char *err, size_t errlen)
{
	struct cpu *c = calloc(1, sizeof *c);
	uc_err e;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->b = b;
	c->m = m;
	c->stop = -1;
	c->sram = board_sram(b, &c->sram_size);
	/* map_all() aliases the L4R5's SRAM2 and mcu.h is its peripherals */
	if (board_part(b)->pid != BOARD_DEFAULT_PID || c->sram_size < SRAM2_OFF + SRAM2_SIZE) {
		snprintf(err, errlen, "the CPU model is the STM32L4R5's (PID 0x%03X); this board is "
			 "PID 0x%03X (%s)", BOARD_DEFAULT_PID, (unsigned)board_part(b)->pid,
			 board_part(b)->name);
		free(c);
		return NULL;
	}
	e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &c->uc);
	if (e == UC_ERR_OK)
		e = uc_ctl_set_cpu_model(c->uc, UC_CPU_ARM_CORTEX_M4);
	if (e == UC_ERR_OK)
		e = map_all(c);
	if (e == UC_ERR_OK)
		e = add_hooks(c);
	if (e != UC_ERR_OK) {
		snprintf(err, errlen, "CPU engine: %s", uc_strerror(e));
		cpu_free(c);
		return NULL;
	}
	return c;
}

void cpu_free(struct cpu *c)
{
	if (!c)
		return;
	if (c->uc)
		uc_close(c->uc);
	free(c);
}

/* ---- running ---- */

static bool vector(struct cpu *c, uint32_t addr, uint32_t *out)
{
	uint8_t w[4];

	if (board_read(c->b, addr, w, 4) != BOARD_OK)
		return false;
	*out = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 24;
	return true;
}

enum cpu_stop cpu_start(struct cpu *c, uint32_t vtor)
{
	uint32_t sp, pc, zero = 0, lr = 0xFFFFFFFFu;

	if (!vector(c, vtor, &sp) || !vector(c, vtor + 4, &pc)) {
		halt(c, "vector table at 0x%08X cannot be read", (unsigned)vtor);
		return CPU_STOP_HALT;
	}
	if (!(pc & 1)) {
		/* B1.5.5: EPSR.T from bit 0 of the reset vector; 0 -> INVSTATE fault */
		halt(c, "reset vector 0x%08X has no Thumb bit (INVSTATE fault)", (unsigned)pc);
		return CPU_STOP_HALT;
	}
	for (int r = UC_ARM_REG_R0; r <= UC_ARM_REG_R12; r++)
		uc_reg_write(c->uc, r, &zero);
	uc_reg_write(c->uc, UC_ARM_REG_SP, &sp);
	uc_reg_write(c->uc, UC_ARM_REG_LR, &lr);
	c->pc = pc & ~1u;
	return CPU_STOP_SLICE;
}

static const char *uc_reason(uc_err e)
{
	switch (e) {
	case UC_ERR_INSN_INVALID: return "undefined instruction";
	case UC_ERR_FETCH_UNMAPPED: case UC_ERR_FETCH_PROT: return "instruction fetch from a "
								    "non-executable address";
	case UC_ERR_READ_UNALIGNED: case UC_ERR_WRITE_UNALIGNED: return "unaligned access";
	case UC_ERR_EXCEPTION: return "unhandled exception";
	default: return uc_strerror(e);
	}
}

/* Unicorn returned without a stop we asked for: WFI/WFE, or its own error. */
static void ended(struct cpu *c, uc_err e)
{
	/* the engine leaves PC after a WFI/WFE (or on it) */
	uint32_t at = sram_half(c, c->pc - 2) == THUMB_WFI || sram_half(c, c->pc - 2) == THUMB_WFE ?
		      c->pc - 2 : c->pc;
	uint16_t insn = sram_half(c, at);

	if (c->stop == CPU_STOP_HALT)
		return;
	if (e == UC_ERR_OK && (insn == THUMB_WFI || insn == THUMB_WFE))
		halt(c, "%s at 0x%08X: no interrupt or event is modelled, it sleeps until reset",
		     insn == THUMB_WFI ? "WFI" : "WFE", (unsigned)at);
	else if (e == UC_ERR_OK)
		halt(c, "stopped at 0x%08X", (unsigned)c->pc);
	else
		halt(c, "%s at PC 0x%08X", uc_reason(e), (unsigned)c->pc);
}

enum cpu_stop cpu_run(struct cpu *c, uint64_t max_cycles)
{
	uc_err e;

	if (c->stop == CPU_STOP_HALT)
		return CPU_STOP_HALT;
	c->stop = -1;
	c->budget = max_cycles ? max_cycles : 1;
	c->used = 0;
	c->last_block = UINT64_MAX;
	mcu_poll_clear(c->m);
	e = uc_emu_start(c->uc, c->pc | 1u, 0, 0, 0);
	c->pc = reg(c, UC_ARM_REG_PC);
	if (c->stop < 0 || e != UC_ERR_OK)
		ended(c, e);
	return (enum cpu_stop)c->stop;
}

const char *cpu_halt_reason(const struct cpu *c)
{
	return c->reason;
}

uint32_t cpu_pc(const struct cpu *c)
{
	return c->pc;
}

uint64_t cpu_fingerprint(struct cpu *c)
{
	uint64_t h = 0xcbf29ce484222325ull;  /* FNV-1a */
	uint32_t sp = reg(c, UC_ARM_REG_SP);

	for (int r = UC_ARM_REG_R0; r <= UC_ARM_REG_R12; r++) {
		h ^= reg(c, r);
		h *= 0x100000001b3ull;
	}
	h ^= reg(c, UC_ARM_REG_LR);
	h *= 0x100000001b3ull;
	h ^= sp;
	h *= 0x100000001b3ull;
	for (uint32_t a = sp; a < sp + 256 && a >= SRAM_BASE && a - SRAM_BASE < c->sram_size; a++) {
		h ^= c->sram[a - SRAM_BASE];
		h *= 0x100000001b3ull;
	}
	return h;
}

const struct cpu_ops cpu_unicorn = {
	.open = cpu_new,
	.close = cpu_free,
	.start = cpu_start,
	.run = cpu_run,
	.halt_reason = cpu_halt_reason,
	.fingerprint = cpu_fingerprint,
};
