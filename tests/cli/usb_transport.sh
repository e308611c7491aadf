#!/bin/bash
# SPDX-License-Identifier: MIT
# usb_transport.sh - the libusb backend (src/usb/*.c) and the DfuSe engine
# (protocols/dfuse*.c) through real libusb, against the virtual board's
# emulated USB devices: $BUILD/tests/usb_os_test (tests/os/test_usb.c) runs
# each scenario under `romsim usb` with the options it needs; one "ok" line
# per cmocka test. After the single-device scenario the board's state file
# must hold the image the test wrote (an independent check of the flash).
. "$(dirname "$0")/lib.sh"

OSTEST=$BUILD/tests/usb_os_test
# The test binary carries ASan; the umockdev preload that romsim puts in
# front of it is what ASan would otherwise refuse.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

need_built "usb" "run: make BUILD=$BUILD {}" "$OSTEST" "$BUILD/romsim"

ROMSIM=$BUILD/romsim

USB_TEST_OUT=$T/usb-image.bin run_cmocka "usb one" \
	"$ROMSIM" usb --state "$T/usb1.state" --log "$T/usb1.log" -- "$OSTEST" one
if [ -f "$T/usb-image.bin" ] && flash_equals "$T/usb1.state" 0x08002000 "$T/usb-image.bin"; then
	ok "usb one: the board's flash holds the image"
else
	not_ok "usb one: the board's flash holds the image"
fi
if grep -q 'removed from the bus' "$T/usb1.log" 2>/dev/null; then
	ok "usb one: the device left the bus after leave"
else
	not_ok "usb one: the device left the bus after leave" "$(tail -3 "$T/usb1.log" 2>/dev/null)"
fi

run_cmocka "usb multi" "$ROMSIM" usb --devices 3 -- "$OSTEST" multi
run_cmocka "usb rdp" "$ROMSIM" usb --rdp 1 -- "$OSTEST" rdp
run_cmocka "usb quirks" "$ROMSIM" usb --faults busystall=2,starterr -- "$OSTEST" quirks
run_cmocka "usb vanish" "$ROMSIM" usb --faults vanish=20 -- "$OSTEST" vanish
for seed in 1 2 3; do
	run_cmocka "usb faults seed $seed" "$ROMSIM" usb --faults stall=5,status=5 --seed "$seed" \
		-- "$OSTEST" faults
done

run_cmocka "usb reenum" "$ROMSIM" usb --reenum-ms 1500 --log "$T/usb-re.log" -- "$OSTEST" reenum
if [ "$(grep -c 'device enumerates' "$T/usb-re.log" 2>/dev/null)" -eq 2 ]; then
	ok "usb reenum: the device enumerated twice"
else
	not_ok "usb reenum: the device enumerated twice" "$(tail -5 "$T/usb-re.log" 2>/dev/null)"
fi

# ---- a device node the user may not open (no udev rule) -------------------------
# dfuse runs as nobody when the tests run as root (root opens any node), with
# the testbed opened up except for the device node, owned by root 0664 as
# without the udev rule; as any other user the node is made 0444. nobody runs
# a copy of dfuse it can read (the checkout may be in /root, mode 0700).
DFUSE=$(readable_copy "$BUILD/dfuse")
denied() {  # NAME DFUSE-ARGS...: dfuse in a romsim usb child without permission on the node
	local name=$1; shift
	OUT=$(bounded 60 "$ROMSIM" usb --state "$T/$name.state" --log "$T/$name.log" -- sh -c '
		nodes=$(find "$UMOCKDEV_DIR/dev/bus/usb" -type f)
		if [ "$(id -u)" = 0 ]; then
			chmod -R a+rwX "$UMOCKDEV_DIR" && chmod 0664 $nodes || exit 99
			exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent "$@"
		fi
		chmod 0444 $nodes || exit 99
		exec "$@"' sh "$DFUSE" "$@" 2>&1)
	RC=$?
}
UDEV_MSG='permission denied\. Install the udev rule: copy udev/50-stmboot-dfu\.rules to /[^ ]+/, run .udevadm control --reload-rules'
denied perm info
is "no permission on the device node: info exits 4" 4
expect_match "no permission: the message names the udev rule" "$UDEV_MSG"
denied perm write --leave "$(readable_copy "$FIX/fw.hex")"
is "no permission: write exits 4" 4
expect_match "no permission: write names the udev rule" "$UDEV_MSG"
check "no permission: the flash is untouched" flash_erased "$T/perm.state" 0x08000000 4096
if ! grep -q 'DNLOAD' "$T/perm.log"; then ok "no permission: no request reached the device"
else not_ok "no permission: no request reached the device" "$(grep -m3 DNLOAD "$T/perm.log")"; fi
denied perm list
is "no permission: list still lists the device" 0
expect_match "no permission: list shows it with the udev hint" "^0483:df11 .*path=1-1"
expect_match "no permission: list says why the strings are missing" "strings unreadable: .*$UDEV_MSG"
expect_match "no permission: alt names marked unreadable, no layout noise" "^  alt 0  \(name not readable\)$"
if grep -q 'not a DfuSe memory layout' <<<"$OUT"; then
	not_ok "no permission: no layout parse errors for unread names" "$OUT"
else
	ok "no permission: no layout parse errors for unread names"
fi

finish
