#!/bin/bash
# SPDX-License-Identifier: MIT
# cross_arm64.sh - the programs cross-built for arm64 (Raspberry Pi OS 64-bit)
# with CC=aarch64-linux-gnu-gcc against an arm64 sysroot made from Debian's
# -dev packages (mk/cross.mk), and the unit tests run under qemu-user.
. "$(dirname "$0")/lib.sh"

A=$BUILD/arm64
if archive_part "arm64 cross build" cross; then
	ok "arm64: an3155, dfuse, bootctl and the unit tests cross-build"
	SYSROOT=$BUILD/cross/sysroot
	# qemu-user with the cross toolchain's libc and the sysroot's libraries
	QEMU=(env QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
		LD_LIBRARY_PATH="$SYSROOT/usr/lib/aarch64-linux-gnu:$SYSROOT/lib/aarch64-linux-gnu" qemu-aarch64)
	for p in an3155 dfuse bootctl; do
		check "arm64 $p: an AArch64 program" sh -c "readelf -h '$A/$p' | grep -q AArch64"
		expect_exit 0 "arm64 $p --version under qemu-user" "${QEMU[@]}" "$A/$p" --version
		expect_match "arm64 $p --version names stmboot" "^$p \\(stmboot\\) "
	done
	expect_exit 2 "arm64 an3155: a usage error under qemu-user" "${QEMU[@]}" "$A/an3155" --frob
	needed=$(readelf -d "$A/an3155" "$A/bootctl" | grep NEEDED)
	if grep -q 'usb\|umockdev' <<<"$needed"; then
		not_ok "arm64 an3155, bootctl: no libusb, no umockdev" "$needed"
	else
		ok "arm64 an3155, bootctl: no libusb, no umockdev"
	fi
	for t in "$A"/tests/test_*; do
		CMOCKA_SECS=600 run_cmocka "arm64 $(basename "$t")" "${QEMU[@]}" "$t"
	done
fi
finish
