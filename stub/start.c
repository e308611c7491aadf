/* SPDX-License-Identifier: MIT */
/*
 * start.c - the loader's entry on the part: vector table, reset handler,
 * self-check, system reset.
 *
 * The ROM's Go (AN3155 0x21, protocol-facts A.5) loads MSP from the first
 * word of the image and jumps to the second: the vector table comes first
 * (stub.ld puts .vectors at the load address, 0x20003200, the first SRAM
 * byte the ROM leaves to the host, protocol-facts C).
 */
#include "ldr_core.h"
#include "l4_regs.h"

extern uint32_t _image_start[], _image_end[], _sbss[], _ebss[], _stack_top[];

static struct ldr loader;

void ldr_system_reset(void)
{
	volatile uint32_t *aircr = (volatile uint32_t *)SCB_AIRCR;

	/* PM0214 §4.4.4: VECTKEY, keep PRIGROUP, SYSRESETREQ; DSB around it */
	__asm__ volatile("dsb" ::: "memory");
	*aircr = AIRCR_VECTKEY | (*aircr & AIRCR_PRIGROUP) | AIRCR_SYSRESETREQ;
	__asm__ volatile("dsb" ::: "memory");
	for (;;)
		;
}

/* The host appends the CRC-32 of the image after it (at _image_end): a
 * corrupted upload resets the part instead of running, and the host falls
 * back to the ROM protocol. */
static int image_intact(void)
{
	const uint8_t *p = (const uint8_t *)_image_start;
	uint32_t n = (uint32_t)((uintptr_t)_image_end - (uintptr_t)_image_start);

	return ~ldr_crc_update(&loader, 0xFFFFFFFFu, p, n) == *(const volatile uint32_t *)_image_end;
}

void ldr_reset_handler(void) __attribute__((noreturn, used));
void ldr_reset_handler(void)
{
	/* The ROM's interrupts must not run into our RAM: poll only. */
	__asm__ volatile("cpsid i" ::: "memory");
	for (uint32_t *p = _sbss; p < _ebss; p++)
		*p = 0;
	ldr_crc_init(&loader);
	/* contract, uncertain fact 1: no usable USART -> reset, the ROM answers again */
	if (!image_intact() || ldr_init(&loader) != LDR_OK)
		ldr_system_reset();
	for (;;)
		ldr_poll(&loader);
}

__attribute__((section(".vectors"), used))
static const void *const vectors[2] = { _stack_top, (const void *)ldr_reset_handler };
