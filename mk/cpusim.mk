# SPDX-License-Identifier: MIT
# mk/cpusim.mk - test firmware for romsim's CPU model (tests/cpusim/), built
# with Debian's gcc-arm-none-eabi for the Cortex-M4 (the RAM loader's
# toolchain, $(STUB_CROSS) in mk/stub.mk), and the host client that
# loads it with AN3155 Write Memory + Go and talks to it:
#   $(BUILD)/fw/agent.bin     register agent (tests/cpusim/agent.c)
#   $(BUILD)/tests/fwtalk     test client (tests/cpusim/fwtalk.c)

ARM_CFLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -ffreestanding -fno-builtin \
	-nostdlib -Wall -Wextra -Wl,--build-id=none

CPUSIM_FW := $(BUILD)/fw/agent.bin
CPUSIM_TALK := $(BUILD)/tests/fwtalk

$(BUILD)/fw/%.elf: tests/cpusim/%.c tests/cpusim/sram.ld
	@mkdir -p $(dir $@)
	$(SAY) "  ARM-CC  $@"
	$(Q)$(STUB_CROSS)gcc $(ARM_CFLAGS) -T tests/cpusim/sram.ld -o $@ $< -lgcc

$(BUILD)/fw/%.bin: $(BUILD)/fw/%.elf
	$(Q)$(STUB_CROSS)objcopy -O binary $< $@

$(CPUSIM_TALK): tests/cpusim/fwtalk.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

TEST_HELPERS += $(CPUSIM_FW) $(CPUSIM_TALK)
cli: $(CPUSIM_FW) $(CPUSIM_TALK)
