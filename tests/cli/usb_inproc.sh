#!/bin/bash
# usb_inproc.sh - the emulated USB bus in-process: $BUILD/tests/usbsim_os_test
# (tests/os/test_usbsim.c) drives src/usbsim*.c and the DfuSe model through
# the real libusb with the umockdev preload linked in; one "ok" line per
# cmocka test.
. "$(dirname "$0")/lib.sh"

OSTEST=$BUILD/tests/usbsim_os_test
if [ ! -x "$OSTEST" ]; then
	not_ok "usb in-process: $OSTEST is built" "run: make BUILD=$BUILD $OSTEST"
	finish; exit
fi

out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$OSTEST" 2>&1)
rc=$?
seen=0
while IFS= read -r line; do
	case $line in
	"ok "[0-9]*" - "*) ok "usb in-process: ${line#ok * - }"; seen=$((seen + 1)) ;;
	"not ok "[0-9]*" - "*) not_ok "usb in-process: ${line#not ok * - }"; seen=$((seen + 1)) ;;
	"#"*) echo "$line" ;;
	esac
done <<<"$out"
if [ "$rc" -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
	not_ok "usb in-process: exited $rc" "$(tail -5 <<<"$out")"
elif [ "$seen" -eq 0 ]; then
	not_ok "usb in-process: no tests ran" "$(tail -5 <<<"$out")"
fi
finish
