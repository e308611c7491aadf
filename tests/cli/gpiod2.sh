#!/bin/bash
# SPDX-License-Identifier: MIT
# gpiod2.sh - the GPIO side against libgpiod 2 (Raspberry Pi OS trixie, Debian 13),
# as Debian 12's libgpiod 1.6 runs in every other test: libgpiod 2 built from
# Debian trixie's source (mk/gpio.mk, make gpiod2-build), the v2 backend's unit
# tests, and the bootctl CLI tests with the v2 fake libgpiod.
. "$(dirname "$0")/lib.sh"

V2=$BUILD/v2
if archive_part "libgpiod 2" gpiod2-build; then
	ok "libgpiod 2: built from Debian trixie's source; bootctl and the GPIO unit tests against it"
	OUT=$(readelf -d "$V2/bootctl" | grep NEEDED)
	expect_match "v2 bootctl links libgpiod.so.3 (the v2 ABI)" 'libgpiod\.so\.3'
	OUT=$(LD_LIBRARY_PATH="$BUILD/gpiod2/local/lib" "$V2/bootctl" --version 2>&1)
	expect_match "v2 bootctl --version reports libgpiod 2" 'libgpiod 2\.'
	for t in test_seq test_lines test_lineopts; do
		run_cmocka "v2 $t" "$V2/tests/$t"
	done
	# the whole bootctl CLI suite, its lines relabelled
	BUILD=$V2 bash "$ROOT/tests/cli/bootctl.sh" >"$T/bootctl-v2.out" 2>&1
	rc=$?
	sed -e 's/^ok - /ok - v2 bootctl: /' -e 's/^not ok - /not ok - v2 bootctl: /' "$T/bootctl-v2.out"
	n=$(grep -c '^not ok - ' "$T/bootctl-v2.out")
	_failures=$((_failures + n))
	if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then not_ok "v2 bootctl.sh exited $rc"; fi
	if ! grep -q '^ok - ' "$T/bootctl-v2.out"; then not_ok "v2 bootctl.sh ran no test"; fi
fi
finish
