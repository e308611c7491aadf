#!/bin/bash
# usb_transport.sh - the libusb backend (src/usb*.c) and the DfuSe engine
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

# run_cmocka LABEL CMD...: cmocka's TAP lines as ok/not ok checks.
run_cmocka() {
	local label=$1; shift
	local out rc line seen=0
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP bounded 120 "$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*" - "*) ok "$label: ${line#ok * - }"; seen=$((seen + 1)) ;;
		"not ok "[0-9]*" - "*) not_ok "$label: ${line#not ok * - }"; seen=$((seen + 1)) ;;
		"#"*) echo "$line" ;;
		esac
	done <<<"$out"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		not_ok "$label: exited $rc" "$(tail -5 <<<"$out")"
	elif [ "$seen" -eq 0 ]; then
		not_ok "$label: no tests ran" "$(tail -5 <<<"$out")"
	fi
}

for f in "$OSTEST" "$BUILD/romsim"; do
	if [ ! -x "$f" ]; then
		not_ok "usb: $f is built" "run: make BUILD=$BUILD $f"
		finish; exit
	fi
done

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

finish
