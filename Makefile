# stmboot - one non-recursive Makefile.
#   make            build the programs (an3155, dfuse, bootctl, romsim)
#   make demo       install missing packages, build, flash a sample into the virtual board
#   make check      install missing packages, build, run every test
#   make bench      timings against stm32flash / dfu-util on the virtual board
#   make install    PREFIX=/usr/local DESTDIR=
#   V=1             show the commands
# BUILD=dir puts every output under dir (default build).

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
# udev reads rules from /etc/udev/rules.d (and /usr/lib/udev/rules.d), not from PREFIX
UDEVRULESDIR ?= /etc/udev/rules.d
CC       ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O2 -g
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS     := libserialport libusb-1.0 libgpiod
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
GPIOD_MAJOR = $(firstword $(subst ., ,$(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)))
UMOCK_CFLAGS = $(shell $(PKG_CONFIG) --cflags umockdev-1.0 2>/dev/null)
UMOCK_LIBS   = $(shell $(PKG_CONFIG) --libs umockdev-1.0 2>/dev/null)
CMOCKA_LIBS  = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
# The CPU model (sim/cpu.c) is the only user of the Unicorn engine: romsim and
# the tests of the CPU model link it, nothing else.
UNICORN_LIBS = $(shell $(PKG_CONFIG) --libs unicorn 2>/dev/null || echo -lunicorn)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ALL_CPPFLAGS = -Iprotocols -Igpio -Isim -Isrc -D_GNU_SOURCE -DSB_GPIOD_API=$(or $(GPIOD_MAJOR),1) \
	-DSB_UDEV_RULES_DIR='"$(UDEVRULESDIR)"' $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARN) $(CFLAGS) $(PKG_CFLAGS)

PROGRAMS := $(basename $(notdir $(wildcard $(addprefix src/,an3155.c dfuse.c bootctl.c romsim.c))))
PROG_SRC := $(PROGRAMS:%=src/%.c)

LIB_SRC  := $(wildcard protocols/*.c) $(wildcard gpio/*.c)
SIM_SRC  := $(wildcard sim/*.c)
CPU_SRC  := sim/cpu.c
GLUE_SRC := $(filter-out $(PROG_SRC),$(wildcard src/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(BUILD)/obj/%.o)
GLUE_OBJ := $(GLUE_SRC:%.c=$(BUILD)/obj/%.o)

LIBSTMBOOT := $(BUILD)/libstmboot.a
LIBSIM     := $(BUILD)/libsim.a
LIBGLUE    := $(BUILD)/libglue.a

BINS := $(PROGRAMS:%=$(BUILD)/%)

.PHONY: all deps demo check test unit cli bench install clean lint-man
# keep the sanitizer objects between runs
.SECONDARY:
.DEFAULT_GOAL := all

all: $(BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(UMOCK_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(SAN) -MMD -MP -c -o $@ $<

$(LIBSTMBOOT): $(LIB_OBJ)
$(LIBSIM): $(SIM_OBJ)
$(LIBGLUE): $(GLUE_OBJ)
$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

# Programs: main + OS glue + library (+ the virtual board for romsim).
$(BUILD)/romsim: $(BUILD)/obj/src/romsim.o $(GLUE_OBJ) $(LIBSIM) $(LIBSTMBOOT)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) $(UMOCK_LIBS) $(UNICORN_LIBS) -lutil -lpthread

$(BUILD)/%: $(BUILD)/obj/src/%.o $(LIBGLUE) $(LIBSTMBOOT)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# ---- tests ----------------------------------------------------------------
# tests/unit/test_*.c: cmocka, pure code only (protocols, gpio grammar, sim
# models, tests/fake), built with ASan+UBSan.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FAKE_SRC  := $(wildcard tests/fake/*.c)
SAN_OBJ   := $(patsubst %.c,$(BUILD)/san/%.o,$(LIB_SRC) $(filter-out $(CPU_SRC),$(SIM_SRC)) $(FAKE_SRC))
SAN_CPU_OBJ := $(CPU_SRC:%.c=$(BUILD)/san/%.o)

$(BUILD)/tests/test_%: $(BUILD)/san/tests/unit/test_%.o $(SAN_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(CMOCKA_LIBS) -lpthread

# tests/unit/test_cpu*.c run code on the CPU model: they also link the engine.
$(BUILD)/tests/test_cpu%: $(BUILD)/san/tests/unit/test_cpu%.o $(SAN_OBJ) $(SAN_CPU_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(CMOCKA_LIBS) $(UNICORN_LIBS) -lpthread

unit: $(UNIT_BINS)
	$(Q)scripts/run-unit $(UNIT_BINS)

# Tests through the OS: real programs against the virtual board. Build
# fragments (mk/*.mk) add the shims and fakes they need to TEST_HELPERS.
TEST_HELPERS :=
-include $(wildcard mk/*.mk)

cli: all $(TEST_HELPERS)
	$(Q)BUILD=$(BUILD) scripts/run-cli tests/cli/*.sh

lint-man:
	$(Q)BUILD=$(BUILD) scripts/lint-man $(PROGRAMS:%=man/%.1)

deps:
	$(Q)scripts/deps

test: all $(UNIT_BINS) $(TEST_HELPERS)
	$(Q)BUILD=$(BUILD) scripts/check $(UNIT_BINS)

check: deps
	$(Q)$(MAKE) --no-print-directory test

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/serialshim.so
	$(Q)BUILD=$(BUILD) scripts/demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/serialshim.so
	$(Q)BUILD=$(BUILD) scripts/bench

install: all $(BUILD)/serialshim.so
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/stmboot $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(UDEVRULESDIR)
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/serialshim.so $(DESTDIR)$(PREFIX)/lib/stmboot/
	install -m 644 $(wildcard $(PROGRAMS:%=man/%.1)) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/stmboot.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 644 udev/50-stmboot-dfu.rules $(DESTDIR)$(UDEVRULESDIR)/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
