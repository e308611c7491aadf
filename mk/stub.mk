# SPDX-License-Identifier: MIT
# mk/stub.mk - the RAM loader of an3155 --fast (stub/, issue 10):
#   $(BUILD)/stub/loader.elf, .bin  the loader, cross-built for the Cortex-M4
#                                   with Debian's gcc-arm-none-eabi (no C
#                                   library), reproducible: fixed flags, no
#                                   build id, no paths, no time stamps
#   $(BUILD)/gen/stub_blob.c        the image as a C array, linked into an3155
#   make stub-repro                 build it twice in other places and compare
# The same loader logic (stub/ldr_core.c, ldr_cmd.c) is compiled natively
# with -DLDR_NATIVE for the unit tests (tests/unit/test_ldr*.c).

STUB_CROSS ?= arm-none-eabi-
STUB_SRC := stub/start.c stub/ldr_core.c stub/ldr_cmd.c stub/libc.c
STUB_DEPS := $(STUB_SRC) $(wildcard stub/*.h) protocols/ldr_wire.h stub/stub.ld
STUB_CFLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -g0 -std=c11 $(WARN) \
	-ffreestanding -fno-common -ffunction-sections -fdata-sections -fno-unwind-tables \
	-fno-asynchronous-unwind-tables -fno-ident -ffile-prefix-map=$(CURDIR)=. -Iprotocols -Istub
STUB_LDFLAGS := -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-n -Wl,--build-id=none -T stub/stub.ld
STUB_ELF := $(BUILD)/stub/loader.elf
STUB_BIN := $(BUILD)/stub/loader.bin
STUB_BLOB := $(BUILD)/gen/stub_blob.c
STUB_BLOB_OBJ := $(BUILD)/obj/gen/stub_blob.o

$(STUB_ELF): $(STUB_DEPS)
	@mkdir -p $(dir $@)
	$(SAY) "  CROSS   $@"
	$(Q)$(STUB_CROSS)gcc $(STUB_CFLAGS) $(STUB_LDFLAGS) -o $@ $(STUB_SRC) -lgcc

$(STUB_BIN): $(STUB_ELF)
	$(Q)$(STUB_CROSS)objcopy -O binary -j .image $< $@

$(STUB_BLOB): $(STUB_BIN) scripts/stub-blob
	@mkdir -p $(dir $@)
	$(Q)scripts/stub-blob $(STUB_BIN) \
		$$($(STUB_CROSS)nm $(STUB_ELF) | awk '$$3 == "_image_start" { print $$1 }') >$@.tmp && mv $@.tmp $@
	$(TELL) "  STUB    loader $$(wc -c <$(STUB_BIN)) bytes at 0x$$($(STUB_CROSS)nm $(STUB_ELF) | awk '$$3 == "_image_start" { print $$1 }'), sha256 $$(sha256sum $(STUB_BIN) | cut -c1-16)"

$(STUB_BLOB_OBJ): $(STUB_BLOB) src/an3155/stub_blob.h
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# an3155 carries the loader (src/an3155/an3155_fast.c uses it).
$(BUILD)/an3155: $(STUB_BLOB_OBJ)

# The loader logic on the host, for its unit tests.
STUB_NATIVE_OBJ := $(BUILD)/san/stub/ldr_core.o $(BUILD)/san/stub/ldr_cmd.o
STUB_NATIVE_TESTS := $(filter $(BUILD)/tests/test_ldr%,$(UNIT_BINS))
$(STUB_NATIVE_OBJ): CPPFLAGS += -DLDR_NATIVE -Istub
$(STUB_NATIVE_TESTS:$(BUILD)/tests/%=$(BUILD)/san/tests/unit/%.o): CPPFLAGS += -DLDR_NATIVE -Istub
$(STUB_NATIVE_TESTS): $(STUB_NATIVE_OBJ)

.PHONY: stub-repro
stub-repro: $(STUB_BIN)
	$(Q)BUILD=$(BUILD) scripts/stub-repro
