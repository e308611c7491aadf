# SPDX-License-Identifier: MIT
# mk/gpio.mk - extra build rules of the boot-line area (gpio/, bootctl).
#
#   $(BUILD)/fakegpiod/libgpiod.so.N  a complete fake libgpiod (tests/fake/fake_gpiod*.c)
#                                     for tests of the real programs, used through
#                                     LD_LIBRARY_PATH so that a call it lacks fails at
#                                     load time (testing-without-hardware §2). N is the
#                                     soname of the libgpiod we build against: 2 for
#                                     the v1 API (1.6), 3 for the v2 API (2.x).
#   make fuzz-gpio (and make fuzz)    build and run the libFuzzer target for the
#                                     sequence and line-spec grammars for FUZZ_TIME s.
#   make fuzz-gpio-build              only build it.

ifeq ($(or $(GPIOD_MAJOR),1),2)
FAKEGPIOD_SONAME := libgpiod.so.3
FAKEGPIOD_API    := tests/fake/fake_gpiod2.c
else
FAKEGPIOD_SONAME := libgpiod.so.2
FAKEGPIOD_API    := tests/fake/fake_gpiod.c
endif
FAKEGPIOD     := $(BUILD)/fakegpiod/$(FAKEGPIOD_SONAME)
FAKEGPIOD_SRC := tests/fake/fake_gpiod_core.c $(FAKEGPIOD_API)

$(FAKEGPIOD): $(FAKEGPIOD_SRC) tests/fake/fake_gpiod.h tests/fake/fake_gpiod_int.h
	@mkdir -p $(dir $@)
	$(SAY) "  LD-SO   $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(call pc_cflags,libgpiod) -fPIC -shared -fvisibility=hidden \
		-Wl,-soname,$(FAKEGPIOD_SONAME) -Wl,--no-undefined -o $@ $(FAKEGPIOD_SRC)

TEST_HELPERS += $(FAKEGPIOD)
# The top Makefile's cli rule expands TEST_HELPERS before this file is read.
cli: $(FAKEGPIOD)

FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SEQ  := $(BUILD)/fuzz/fuzz_seq
FUZZ_SEQ_SRC := tests/fuzz/fuzz_seq.c gpio/seq.c gpio/linespec.c protocols/err.c

$(FUZZ_SEQ): $(FUZZ_SEQ_SRC) gpio/seq.h gpio/linespec.h
	@mkdir -p $(dir $@)
	$(SAY) "  FUZZ    $@"
	$(Q)$(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-Iprotocols -Igpio -D_GNU_SOURCE -o $@ $(FUZZ_SEQ_SRC)

.PHONY: fuzz fuzz-gpio fuzz-gpio-build
fuzz-gpio-build: $(FUZZ_SEQ)
fuzz-gpio: $(FUZZ_SEQ)
	@mkdir -p $(BUILD)/fuzz/corpus-seq
	$(Q)$(FUZZ_SEQ) -max_total_time=$(FUZZ_TIME) -dict=tests/fuzz/seq.dict \
		$(BUILD)/fuzz/corpus-seq
fuzz: fuzz-gpio

# make gpiod2-check (tests/cli/gpiod2.sh runs the same in make check; needs
# Debian's archive once, about a minute): build libgpiod 2.x from Debian
# trixie's source tarball into $(BUILD)/gpiod2 with a private apt
# configuration (nothing installed or reconfigured system-wide;
# testing-without-hardware §5), then (gpiod2-build) the v2 backend, its unit
# tests and bootctl against it in $(BUILD)/v2, and run them with the v2 fake.
GPIOD2 = $(abspath $(BUILD))/gpiod2
# APT::Sandbox::User=root: the private lists and cache under BUILD are not
# readable by apt's _apt sandbox user, whose gpgv lookup then fails.
GPIOD2_APT = -o APT::Sandbox::User=root \
	-o Dir::Etc::SourceList=$(GPIOD2)/sources.list -o Dir::Etc::SourceParts=/dev/null \
	-o Dir::State::Lists=$(GPIOD2)/lists -o Dir::Cache=$(GPIOD2)/cache

$(GPIOD2)/local/lib/pkgconfig/libgpiod.pc:
	@mkdir -p $(GPIOD2)/lists/partial $(GPIOD2)/cache/archives/partial $(GPIOD2)/src
	@mirror=$$(scripts/debian-mirror); [ -n "$$mirror" ] || { echo 'gpiod2-check: no Debian archive in the apt configuration' >&2; exit 1; }; echo "deb-src $$mirror trixie main" >$(GPIOD2)/sources.list
	$(Q)apt-get -qq $(GPIOD2_APT) update
	$(Q)cd $(GPIOD2)/src && { apt-get -qq $(GPIOD2_APT) source --download-only libgpiod || true; }
	$(Q)cd $(GPIOD2)/src && tar xf libgpiod_2.*.orig.tar.xz && cd libgpiod-2.* && \
		./configure -q --prefix=$(GPIOD2)/local --disable-tools --disable-tests >/dev/null && \
		$(MAKE) -s >/dev/null && $(MAKE) -s install >/dev/null

GPIOD2_UNITS := test_seq test_lines test_lineopts
.PHONY: gpiod2-build gpiod2-check
gpiod2-build: $(GPIOD2)/local/lib/pkgconfig/libgpiod.pc
	$(Q)PKG_CONFIG_PATH=$(GPIOD2)/local/lib/pkgconfig $(MAKE) --no-print-directory \
		BUILD=$(BUILD)/v2 $(GPIOD2_UNITS:%=$(BUILD)/v2/tests/%) $(BUILD)/v2/bootctl $(BUILD)/v2/romsim \
		$(BUILD)/v2/serialshim.so $(BUILD)/v2/fakegpiod/libgpiod.so.3
gpiod2-check: gpiod2-build
	$(Q)for t in $(GPIOD2_UNITS); do $(BUILD)/v2/tests/$$t || exit 1; done
	$(Q)BUILD=$(BUILD)/v2 bash tests/cli/bootctl.sh
