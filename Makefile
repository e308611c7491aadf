# SPDX-License-Identifier: MIT
# stmboot - one non-recursive Makefile.
#   make            build the programs (an3155, dfuse, bootctl, romsim)
#   make demo       install missing packages, build, flash a sample into the virtual board
#   make check      install missing packages, build, run every test
#   make bench      timings against stm32flash / dfu-util on the virtual board
#   make faults     the fault campaign: an3155 and stm32flash on a noisy virtual line
#   make install    the user tools, pages, completions, udev rule (PREFIX=/usr/local DESTDIR=)
#   make install-sim  the virtual board (romsim, the serial shim); make uninstall(-sim)
#   make exit-codes  write src/common/exit_codes.h's table into the man pages and README
#   make readme-parts  regenerate README.md's supported-parts list from the device table
#   make an3155     one program (dfuse, bootctl, romsim), with only what it needs
#   V=1             show the commands; make -s: nothing but errors
# CC, CFLAGS, CPPFLAGS, LDFLAGS, PKG_CONFIG are honoured (cross builds: README).
# BUILD=dir puts every output under dir (default build).

BUILD    ?= build
VERSION  := 0.1
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O2 -g
# A cross compiler brings its own archiver (aarch64-linux-gnu-gcc -> aarch64-linux-gnu-ar).
ifeq ($(origin AR),default)
AR := $(if $(filter %-gcc,$(CC)),$(patsubst %-gcc,%-ar,$(CC)),ar)
endif
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Hardening by default (Debian's dpkg-buildflags set); CFLAGS, CPPFLAGS and
# LDFLAGS come after and win. HARDEN= turns them off.
HARDEN          ?= 1
HARDEN_CFLAGS   := $(if $(HARDEN),-fstack-protector-strong -fPIE)
HARDEN_CPPFLAGS := $(if $(HARDEN),-D_FORTIFY_SOURCE=2)
comma := ,
HARDEN_LDFLAGS  := $(if $(HARDEN),-Wl$(comma)-z$(comma)relro$(comma)-z$(comma)now)
HARDEN_EXE      := $(if $(HARDEN),-pie)

# V=1 shows the commands; make -s prints nothing but errors.
ifeq ($(V),1)
Q :=
else
Q := @
endif
ifneq ($(findstring s,$(firstword x$(MAKEFLAGS))),)
Q := @
SAY := @:
TELL := @:
else
SAY := @$(if $(Q),echo,:)
# TELL: a line worth printing even with V=1 (the RAM loader's size), not with -s
TELL := @echo
endif

# pkg-config, one package at a time so that a missing one is named. The
# pkg-config name -> Debian package that provides it (scripts/deps):
DEB_libserialport := libserialport-dev
DEB_libusb-1.0    := libusb-1.0-0-dev
DEB_libgpiod      := libgpiod-dev
DEB_umockdev-1.0  := libumockdev-dev
DEB_cmocka        := libcmocka-dev
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
# pkgcheck-NAME: fails naming the package when pkg-config does not know it.
pkgcheck-%:
	@$(PKG_CONFIG) --exists $* || { echo "stmboot: $* not found by $(PKG_CONFIG) (Debian: apt-get install \
$(or $(DEB_$*),the -dev package of $*); or run make deps)" >&2; exit 1; }
PKGCHECK = $(addprefix pkgcheck-,$(1))

GPIOD_MAJOR = $(firstword $(subst ., ,$(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)))
CMOCKA_LIBS  = $(call pc_libs,cmocka)
UMOCK_LIBS   = $(call pc_libs,umockdev-1.0)
# The CPU model (sim/cpu.c) is the only user of the Unicorn engine: romsim and
# the tests of the CPU model link it, nothing else.
UNICORN_LIBS = $(shell $(PKG_CONFIG) --libs unicorn 2>/dev/null || echo -lunicorn)

# udev reads rules from /usr/lib/udev/rules.d (packages) and /etc/udev/rules.d (the admin).
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/udev/rules.d,/etc/udev/rules.d)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ALL_CPPFLAGS = -Iprotocols -Igpio -Isim $(SRC_DIRS:%=-I%) -D_GNU_SOURCE -DSB_GPIOD_API=$(or $(GPIOD_MAJOR),1) \
	-DSTMBOOT_VERSION='"$(VERSION)"' -DSB_UDEV_RULES_DIR='"$(UDEVRULESDIR)"' $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARN) $(HARDEN_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(HARDEN_LDFLAGS) $(LDFLAGS)

# src/: one folder per program (its main and what only it uses), the OS glue
# (serial, usb) and the code the programs share (common); headers are found
# by folder.
SRC_DIRS := src/common src/serial src/usb src/an3155 src/dfuse src/bootctl src/romsim src/romsim/shim
PROGRAMS := $(notdir $(wildcard $(addprefix src/,an3155 dfuse bootctl romsim)))
TOOLS    := $(filter-out romsim,$(PROGRAMS))

# What each program is made of, in archives by need, so that a program links
# only what it uses (an3155 and bootctl: no libusb, no umockdev):
#   libstmboot.a   protocols/, gpio/          the library (libgpiod)
#   libcli.a       what the tools share       (no foreign library; prod.c uses libserial)
#   libserial.a    serial glue                (libserialport)
#   libusbglue.a   USB glue                   (libusb-1.0)
#   libsim.a       sim/ device models         (none)
#   romsim's own   the board's OS side        (umockdev)
LIB_SRC    := $(wildcard protocols/*.c) $(wildcard gpio/*.c)
SIM_SRC    := $(wildcard sim/*.c)
CPU_SRC    := sim/cpu.c
CLI_SRC    := $(wildcard src/common/*.c)
SERIAL_SRC := $(wildcard src/serial/*.c)
USB_SRC    := $(wildcard src/usb/*.c)
AN3155_SRC := $(wildcard src/an3155/*.c)
DFUSE_SRC  := $(wildcard src/dfuse/*.c)
BOOTCTL_SRC := $(wildcard src/bootctl/*.c)
ROMSIM_SRC := $(wildcard src/romsim/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ  := $(call obj,$(LIB_SRC))
SIM_OBJ  := $(call obj,$(SIM_SRC))

LIBSTMBOOT := $(BUILD)/libstmboot.a
LIBSIM     := $(BUILD)/libsim.a
LIBCLI     := $(BUILD)/libcli.a
LIBSERIAL  := $(BUILD)/libserial.a
LIBUSBGLUE := $(BUILD)/libusbglue.a

# Packages each group of objects compiles against (checked before, one by one).
pkgs_cc = $(1) $(subst /obj/,/san/,$(1)): PKGS_CC := $(2)$(newline)$(1): | $(call PKGCHECK,$(2))
PKG_CC_FLAGS = $(foreach p,$(PKGS_CC),$(call pc_cflags,$(p)))
define newline


endef
$(eval $(call pkgs_cc,$(call obj,$(LIB_SRC)),libgpiod))
$(eval $(call pkgs_cc,$(call obj,$(SERIAL_SRC)),libserialport))
$(eval $(call pkgs_cc,$(call obj,$(USB_SRC) $(DFUSE_SRC)),libusb-1.0))
$(eval $(call pkgs_cc,$(call obj,$(ROMSIM_SRC)),umockdev-1.0))

# Programs: their own objects, the archives they need, the packages they link.
AN3155_LIBS  := $(LIBCLI) $(LIBSERIAL) $(LIBSTMBOOT)
DFUSE_LIBS   := $(LIBCLI) $(LIBUSBGLUE) $(LIBSERIAL) $(LIBSTMBOOT)
BOOTCTL_LIBS := $(LIBCLI) $(LIBSERIAL) $(LIBSTMBOOT)
ROMSIM_LIBS  := $(LIBSIM) $(LIBSTMBOOT)
$(BUILD)/an3155:  $(call obj,$(AN3155_SRC)) $(AN3155_LIBS)
$(BUILD)/dfuse:   $(call obj,$(DFUSE_SRC)) $(DFUSE_LIBS)
$(BUILD)/bootctl: $(call obj,$(BOOTCTL_SRC)) $(BOOTCTL_LIBS)
$(BUILD)/romsim:  $(call obj,$(ROMSIM_SRC)) $(ROMSIM_LIBS)
pkgs_ld = $(1): PKGS_LD := $(2)$(newline)$(1): | $(call PKGCHECK,$(2))
$(eval $(call pkgs_ld,$(BUILD)/an3155 $(BUILD)/bootctl,libserialport libgpiod))
$(eval $(call pkgs_ld,$(BUILD)/dfuse,libusb-1.0 libserialport libgpiod))
$(eval $(call pkgs_ld,$(BUILD)/romsim,umockdev-1.0))
$(BUILD)/romsim:  EXTRA_LIBS := -lutil $(UNICORN_LIBS)

BINS := $(PROGRAMS:%=$(BUILD)/%)
SERIALSHIM := $(BUILD)/serialshim.so

.PHONY: all deps demo check test unit cli bench faults clean lint-man exit-codes readme-parts $(PROGRAMS)
# keep the sanitizer objects between runs
.SECONDARY:
.DEFAULT_GOAL := all

all: $(BINS) $(SERIALSHIM)
# make an3155 (dfuse, bootctl, romsim): one program and only what it needs
$(PROGRAMS): %: $(BUILD)/%

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(HARDEN_CPPFLAGS) $(ALL_CFLAGS) $(PKG_CC_FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC-SAN  $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(PKG_CC_FLAGS) $(SAN) -MMD -MP -c -o $@ $<

$(LIBSTMBOOT): $(LIB_OBJ)
$(LIBSIM): $(SIM_OBJ)
$(LIBCLI): $(call obj,$(CLI_SRC))
$(LIBSERIAL): $(call obj,$(SERIAL_SRC))
$(LIBUSBGLUE): $(call obj,$(USB_SRC))
$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	$(SAY) "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BINS):
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(HARDEN_EXE) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) \
		$(foreach p,$(PKGS_LD),$(call pc_libs,$(p))) $(EXTRA_LIBS) -lpthread

# ---- tests ----------------------------------------------------------------
# tests/unit/test_*.c: cmocka, pure code only (protocols, gpio grammar, sim
# models, tests/fake), built with ASan+UBSan.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FAKE_SRC  := $(wildcard tests/fake/*.c)
SAN_OBJ   := $(patsubst %.c,$(BUILD)/san/%.o,$(LIB_SRC) $(filter-out $(CPU_SRC),$(SIM_SRC)) $(FAKE_SRC))
SAN_CPU_OBJ := $(CPU_SRC:%.c=$(BUILD)/san/%.o)
$(eval $(call pkgs_cc,$(call obj,$(FAKE_SRC)),libgpiod))

$(BUILD)/tests/test_%: $(BUILD)/san/tests/unit/test_%.o $(SAN_OBJ) | pkgcheck-cmocka
	@mkdir -p $(dir $@)
	$(SAY) "  LD-SAN  $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(CMOCKA_LIBS) -lpthread

# tests/unit/test_cpu*.c run code on the CPU model: they also link the engine.
$(BUILD)/tests/test_cpu%: $(BUILD)/san/tests/unit/test_cpu%.o $(SAN_OBJ) $(SAN_CPU_OBJ) | pkgcheck-cmocka
	@mkdir -p $(dir $@)
	$(SAY) "  LD-SAN  $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(CMOCKA_LIBS) $(UNICORN_LIBS) -lpthread

unit: $(UNIT_BINS)
	$(Q)scripts/run-unit $(UNIT_BINS)

# Tests through the OS: real programs against the virtual board. Build
# fragments (mk/*.mk) add the shims and fakes they need to TEST_HELPERS.
TEST_HELPERS :=
-include $(wildcard mk/*.mk)

cli: all $(TEST_HELPERS)
	$(Q)BUILD=$(BUILD) scripts/run-cli tests/cli/*.sh

exit-codes:
	$(Q)scripts/exit-codes update

lint-man:
	$(Q)BUILD=$(BUILD) scripts/lint-man $(PROGRAMS:%=man/%.1)

# README.md's "Supported parts" list, regenerated from the device table.
readme-parts: $(BUILD)/an3155
	$(Q)BUILD=$(BUILD) scripts/readme-parts

deps:
	$(Q)scripts/deps

test: all $(UNIT_BINS) $(TEST_HELPERS)
	$(Q)BUILD=$(BUILD) scripts/check $(UNIT_BINS)

check: deps
	$(Q)$(MAKE) --no-print-directory test

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) scripts/demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) scripts/bench

# The fault campaign (not in check): seeded runs against romsim's fault
# injection, an3155 and stm32flash on the same seeds (scripts/faults).
faults: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) scripts/faults

clean:
	rm -rf $(BUILD)

# The dependency files of this build's objects: only obj/ and san/, not
# those of builds nested in BUILD (arm64/, v2/), which another make may be writing.
-include $(shell find $(BUILD)/obj $(BUILD)/san -name '*.d' 2>/dev/null)
