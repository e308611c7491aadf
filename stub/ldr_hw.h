/* SPDX-License-Identifier: MIT */
/*
 * ldr_hw.h - the seam between the loader's logic (ldr_core.c) and the part.
 *
 * On the part (no LDR_NATIVE) every access is a volatile 32-bit load or
 * store at the register's address, so the seam costs nothing. Built with
 * -DLDR_NATIVE for the host's unit tests, the same accesses go through a
 * struct ldr_hw of function pointers that a test fills with a model of the
 * FLASH and USART registers.
 */
#ifndef STUB_LDR_HW_H
#define STUB_LDR_HW_H

#include <stdint.h>

struct ldr_hw {
	uint32_t (*rd32)(void *ctx, uint32_t addr);
	void (*wr32)(void *ctx, uint32_t addr, uint32_t value);
	/* System reset (SCB AIRCR): on the part it never returns. */
	void (*reset)(void *ctx);
	void *ctx;
};

#ifdef LDR_NATIVE
#define HW_RD(L, a) ((L)->hw->rd32((L)->hw->ctx, (a)))
#define HW_WR(L, a, v) ((L)->hw->wr32((L)->hw->ctx, (a), (v)))
#define HW_RESET(L) ((L)->hw->reset((L)->hw->ctx))
#else
#define HW_RD(L, a) ((void)(L), *(volatile uint32_t *)(uintptr_t)(a))
#define HW_WR(L, a, v) ((void)(L), *(volatile uint32_t *)(uintptr_t)(a) = (v))
#define HW_RESET(L) ((void)(L), ldr_system_reset())
/* stub/start.c: SCB AIRCR.SYSRESETREQ (PM0214 §4.4.4); does not return. */
void ldr_system_reset(void) __attribute__((noreturn));
#endif

#endif
