# SPDX-License-Identifier: MIT
# mk/cross.mk - cross-building for arm64 (Raspberry Pi OS 64-bit, Debian arm64).
#
#   make cross         build an3155, dfuse, bootctl and the unit tests for arm64
#                      in $(BUILD)/arm64
#   make cross-check   that, then run them under qemu-user (tests/cli/cross_arm64.sh,
#                      which make check runs too)
#
# Needs Debian's gcc-aarch64-linux-gnu and qemu-user (scripts/deps), and the
# arm64 -dev packages of the libraries. Those are downloaded with a private
# apt configuration into $(BUILD)/cross and unpacked into a sysroot there:
# nothing is installed and no architecture is added to the machine's dpkg.
# The Makefile itself needs none of this; by hand, against any arm64 sysroot:
#     make CC=aarch64-linux-gnu-gcc PKG_CONFIG=$(BUILD)/cross/pkg-config BUILD=build/arm64 \
#          an3155 dfuse bootctl
# (the pkg-config wrapper sets PKG_CONFIG_SYSROOT_DIR and PKG_CONFIG_LIBDIR).

CROSS_TRIPLET := aarch64-linux-gnu
CROSS_CC      ?= $(CROSS_TRIPLET)-gcc
CROSS         = $(abspath $(BUILD))/cross
CROSS_SYSROOT = $(CROSS)/sysroot
CROSS_LIBDIRS = $(CROSS_SYSROOT)/usr/lib/$(CROSS_TRIPLET) $(CROSS_SYSROOT)/lib/$(CROSS_TRIPLET)
# the libraries the programs and unit tests link, with what those link in turn
CROSS_DEBS    := libserialport0 libserialport-dev libgpiod2 libgpiod-dev libusb-1.0-0 \
	libusb-1.0-0-dev libudev1 libcap2 libcmocka0 libcmocka-dev
CROSS_APT     = -o APT::Sandbox::User=root -o APT::Architecture=arm64 \
	-o APT::Architectures::=arm64 -o Dir::State::status=$(CROSS)/status \
	-o Dir::Etc::SourceList=$(CROSS)/sources.list -o Dir::Etc::SourceParts=/dev/null \
	-o Dir::State::Lists=$(CROSS)/lists -o Dir::Cache=$(CROSS)/cache

# The sysroot and its pkg-config wrapper; the Debian archive comes from the
# machine's apt configuration (scripts/debian-mirror), the suite from
# /etc/os-release (bookworm on Debian 12).
$(CROSS)/pkg-config:
	@mkdir -p $(CROSS)/lists/partial $(CROSS)/cache/archives/partial $(CROSS)/debs $(CROSS_SYSROOT)
	@mirror=$$(scripts/debian-mirror); [ -n "$$mirror" ] || { echo 'cross-check: no Debian archive in the apt configuration' >&2; exit 1; }; \
		. /etc/os-release; echo "deb [arch=arm64] $$mirror $${VERSION_CODENAME:-bookworm} main" >$(CROSS)/sources.list
	@: >$(CROSS)/status
	$(Q)apt-get -qq $(CROSS_APT) update
	$(Q)cd $(CROSS)/debs && apt-get -qq $(CROSS_APT) download $(CROSS_DEBS)
	$(Q)for d in $(CROSS)/debs/*.deb; do dpkg-deb -x "$$d" $(CROSS_SYSROOT) || exit 1; done
	@printf '#!/bin/sh\n# pkg-config for the arm64 sysroot beside this file (make cross)\ns=$$(cd "$$(dirname "$$0")" && pwd)/sysroot\nPKG_CONFIG_SYSROOT_DIR=$$s PKG_CONFIG_LIBDIR=$$s/usr/lib/%s/pkgconfig:$$s/usr/share/pkgconfig exec pkg-config "$$@"\n' \
		'$(CROSS_TRIPLET)' >$@.tmp
	@chmod 755 $@.tmp && mv $@.tmp $@

CROSS_TOOLS = $(TOOLS:%=$(BUILD)/arm64/%)
# The CPU model's tests (test_cpu*) are romsim's, which is not cross-built:
# they would need Unicorn in the sysroot for nothing a jig runs.
CROSS_UNITS = $(filter-out $(BUILD)/arm64/tests/test_cpu%,$(UNIT_BINS:$(BUILD)/tests/%=$(BUILD)/arm64/tests/%))

.PHONY: cross cross-check
# No sanitizers: ASan's shadow memory does not fit qemu-user's address space.
cross: $(CROSS)/pkg-config
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/arm64 CC=$(CROSS_CC) PKG_CONFIG=$(CROSS)/pkg-config \
		SAN= LDFLAGS="$(LDFLAGS) $(CROSS_LIBDIRS:%=-Wl,-rpath-link,%)" $(CROSS_TOOLS) $(CROSS_UNITS)

cross-check:
	$(Q)BUILD=$(BUILD) bash tests/cli/cross_arm64.sh
