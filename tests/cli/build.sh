#!/bin/bash
# SPDX-License-Identifier: MIT
# build.sh - the build as a packager sees it: each program links only what it
# uses (an3155 and bootctl with no libusb and no umockdev, even with their
# headers hidden), a missing package is named by its pkg-config and Debian
# names, hardening by default, CFLAGS/LDFLAGS honoured, make -s silent,
# plain make builds the serial shim.
. "$(dirname "$0")/lib.sh"

# a pkg-config that knows only libserialport and libgpiod (the others'
# headers are outside the default include path, so they are hidden too)
mkdir -p "$T/pc"
cat >"$T/pc/pkg-config" <<'EOF'
#!/bin/sh
for a; do case $a in umockdev-1.0|libusb-1.0|cmocka|glib-2.0) exit 1 ;; esac; done
exec pkg-config "$@"
EOF
chmod 755 "$T/pc/pkg-config"
# the packager's CFLAGS and LDFLAGS too (checked below): no -g, no build id
B=$T/b
OUT=$(mk -j2 BUILD="$B" PKG_CONFIG="$T/pc/pkg-config" CFLAGS=-O2 LDFLAGS=-Wl,--build-id=none an3155 bootctl 2>&1)
if [ $? -eq 0 ] && [ -x "$B/an3155" ] && [ -x "$B/bootctl" ]; then
	ok "make an3155 bootctl with only libserialport and libgpiod"
else
	not_ok "make an3155 bootctl with only libserialport and libgpiod" "$(tail -5 <<<"$OUT")"
fi
if [ -z "$OUT" ]; then ok "make -s prints nothing"; else not_ok "make -s prints nothing" "$(head -5 <<<"$OUT")"; fi
OUT=$(readelf -d "$B/an3155" "$B/bootctl" 2>&1 | grep NEEDED)
if grep -q 'usb\|umockdev\|glib' <<<"$OUT"; then not_ok "an3155, bootctl: no libusb, umockdev or glib linked" "$OUT"
else ok "an3155, bootctl: no libusb, umockdev or glib linked"; fi
expect_exit 0 "the an3155 built that way runs" "$B/an3155" --version

# a missing package is named, with its Debian package, before any compiler error
expect_exit 2 "make dfuse without libusb fails" mk BUILD="$B" PKG_CONFIG="$T/pc/pkg-config" dfuse
expect_match "the failure names libusb-1.0 and libusb-1.0-0-dev" 'libusb-1.0 not found by .*apt-get install libusb-1.0-0-dev'
if grep -q 'No such file\|error:' <<<"$OUT"; then not_ok "no compiler error before the package check" "$OUT"
else ok "no compiler error before the package check"; fi
expect_exit 2 "make romsim without umockdev fails" mk BUILD="$B" PKG_CONFIG="$T/pc/pkg-config" romsim
expect_match "the failure names umockdev-1.0 and libumockdev-dev" 'umockdev-1.0 not found by .*apt-get install libumockdev-dev'

# hardening by default, on the programs the checkout built
for p in an3155 dfuse bootctl romsim; do
	h=$(readelf -h -d -l -W "$BUILD/$p" 2>&1)
	if grep -q 'Type: *DYN' <<<"$h" && grep -q 'GNU_RELRO' <<<"$h" && grep -q 'BIND_NOW\|FLAGS_1.*NOW' <<<"$h"; then
		ok "$p: PIE, RELRO and BIND_NOW"
	else
		not_ok "$p: PIE, RELRO and BIND_NOW" "$(grep -E 'Type:|RELRO|NOW' <<<"$h")"
	fi
	if readelf -s -W "$BUILD/$p" | grep -q '__stack_chk_fail'; then ok "$p: stack protector"
	else not_ok "$p: stack protector"; fi
done
OUT=$(mk -n BUILD="$T/n" "$T/n/obj/src/common/cli.o" 2>&1)
expect_match "objects compile with -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE" \
	'-D_FORTIFY_SOURCE=2 .*-fstack-protector-strong -fPIE'

# CFLAGS and LDFLAGS are the packager's: the an3155 built above has no -g, no build id
s=$(readelf -S -W "$B/an3155" 2>&1)
if [ -n "$s" ] && ! grep -q '\.debug_info' <<<"$s"; then ok "CFLAGS=-O2 is used as given (no debug info)"
else not_ok "CFLAGS=-O2 is used as given (no debug info)"; fi
if [ -n "$s" ] && ! grep -q 'build-id' <<<"$s"; then ok "LDFLAGS reach the link (--build-id=none)"
else not_ok "LDFLAGS reach the link (--build-id=none)"; fi
if grep -q '\.debug_info' < <(readelf -S -W "$BUILD/an3155"); then ok "the default CFLAGS keep -g"
else not_ok "the default CFLAGS keep -g"; fi

# plain make builds the shim the README's LD_PRELOAD line uses
OUT=$(mk -n BUILD="$T/n" 2>&1)
expect_match "plain make builds serialshim.so" "serialshim\.so"

finish
