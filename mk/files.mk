# SPDX-License-Identifier: MIT
# mk/files.mk - extra build rules of the firmware-file area (protocols/image.c,
# imgbuild.c, ihex.c, srec.c, elf.c, dfufile.c; fixtures/).
#
#   make fuzz-files (and make fuzz)   build and run the libFuzzer target of the
#                                     file loaders for FUZZ_TIME s, seeded with
#                                     fixtures/ (first byte of an input = format).
#   make fuzz-files-build             only build it.
#   make fixtures-rebuild             regenerate fixtures/ from fixtures/src
#                                     (needs gcc-arm-none-eabi; outputs are checked in).

FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_FILES := $(BUILD)/fuzz/fuzz_image
FUZZ_FILES_SRC := tests/fuzz/fuzz_image.c protocols/image.c protocols/imgbuild.c \
	protocols/ihex.c protocols/srec.c protocols/elf.c protocols/dfufile.c \
	protocols/crc.c protocols/err.c
FUZZ_FILES_CORPUS := $(BUILD)/fuzz/corpus-files

$(FUZZ_FILES): $(FUZZ_FILES_SRC) protocols/image.h protocols/imgbuild.h protocols/crc.h
	@mkdir -p $(dir $@)
	$(SAY) "  FUZZ    $@"
	$(Q)$(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-Iprotocols -D_GNU_SOURCE -o $@ $(FUZZ_FILES_SRC)

.PHONY: fuzz fuzz-files fuzz-files-build fixtures-rebuild
fuzz-files-build: $(FUZZ_FILES)
fuzz-files: $(FUZZ_FILES)
	@mkdir -p $(FUZZ_FILES_CORPUS)
	$(Q)for f in fixtures/bad/*.hex fixtures/bad/*.srec fixtures/bad/*.elf fixtures/bad/*.dfu; do \
		case $$f in *.hex) b='\002';; *.srec) b='\003';; *.elf) b='\004';; *.dfu) b='\005';; esac; \
		{ printf "$$b"; cat "$$f"; } > $(FUZZ_FILES_CORPUS)/seed-$$(basename $$f); done
	$(Q)$(FUZZ_FILES) -max_total_time=$(FUZZ_TIME) -max_len=65536 $(FUZZ_FILES_CORPUS)
fuzz: fuzz-files

fixtures-rebuild:
	$(Q)fixtures/src/build.sh
