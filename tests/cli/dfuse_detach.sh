#!/bin/bash
# SPDX-License-Identifier: MIT
# dfuse_detach.sh - a board in the field: its application offers a DFU
# run-time interface (`romsim usb --app-dfu VID:PID`), nobody can reach
# BOOT0, and dfuse gets it into the ROM loader with DFU_DETACH: `dfuse
# list` shows it, `dfuse detach` and `--detach VID:PID` restart it in DFU
# mode, and after `write --leave` the application comes back (--wait-app).
# Cross-check: Debian's dfu-util -e detaches the same model.
. "$(dirname "$0")/lib.sh"

ROMSIM=$BUILD/romsim
DFUSE=$BUILD/dfuse
need_built "dfuse detach" "run: make BUILD=$BUILD" "$ROMSIM" "$DFUSE"
unset STMBOOT_PORT STMBOOT_BOOT0 STMBOOT_NRST STMBOOT_JIG STMBOOT_CONFIG STMBOOT_ENTRY STMBOOT_EXIT
export HOME=$T/home
BIN=$FIX/fw.bin
APP=1209:0001

# app NAME [romsim usb options] -- CMD...: lib.sh's usb with a board that runs
# its application (BOOT0 low, flash programmed) offering DFU run-time as $APP.
app() { local name=$1; shift; usb "$name" --boot0 0 --app-dfu "$APP" "$@"; }
# the bus events of the board's log, in order
events() { grep -o 'the application as [0-9a-f:]*\|device enumerates, serial\|device leaves the bus\|the application detaches' "$T/$1.log" | tr '\n' ';'; }

# A board with the fixture in flash, one word changed so that a new write shows.
"$ROMSIM" usb --state "$T/base.state" -- "$DFUSE" -q write "$BIN" >/dev/null 2>&1
printf 'APP1' | dd of="$T/base.state" bs=1 seek=4096 conv=notrunc status=none
fresh_copy() { cp "$T/base.state" "$T/$1.state"; }

# ---- what is on the bus ---------------------------------------------------------------------
fresh_copy ls
app ls -- "$DFUSE" list
is "list with an application offering DFU run-time: exit 0" 0
has "list shows the application as run-time DFU" "^1209:0001 ver=0100 path=1-1 .*run-time DFU: 'dfuse detach 1209:0001'"
has "list says there is no DFU-mode device yet" "no DFU-mode device; 'dfuse detach' restarts an application"
app ls -- "$DFUSE" --json list
has "list --json: the application with mode runtime" '"event":"device".*"mode":"runtime","vid":4617,"pid":1'
app ls -- "$DFUSE" info
is "info without --detach: no DFU device, exit 4" 4
check "info without --detach: the application still runs" test "$(stat_of ls mode)" = app

# ---- dfuse detach -------------------------------------------------------------------------------
fresh_copy det
app det -- "$DFUSE" detach "$APP"
is "detach 1209:0001: exit 0" 0
has "detach: says what it detached" "detached 1209:0001 ver=0100 path=1-1"
has "detach: the ROM's DFU device came" "DFU device 0483:df11 is on the bus"
check "detach: the board is in its ROM loader" test "$(stat_of det mode)" = rom
ev=$(events det)
if [[ $ev =~ ^the\ application\ as\ 1209:0001\;the\ application\ detaches\;device\ leaves\ the\ bus\;device\ enumerates,\ serial\; ]]; then
	ok "detach: application, DETACH, off the bus, then the ROM enumerates"
else
	not_ok "detach: application, DETACH, off the bus, then the ROM enumerates" "$ev"
fi
fresh_copy det2
app det2 -- "$DFUSE" detach
is "detach without an id: the only run-time device, exit 0" 0
app det2 -- "$DFUSE" detach 1209:0002
is "detach of an identity that is not there: exit 4" 4
has "detach, wrong identity: says none was found" "no run-time DFU device 1209:0002 found"
check "detach, wrong identity: the application still runs" test "$(stat_of det2 mode)" = app
app det2 -- "$DFUSE" detach nonsense
is "detach with a malformed identity: exit 2" 2

# An application without bitWillDetach waits in appDETACH for the host's USB reset.
fresh_copy rs
app rs --app-dfu "$APP:reset" -- "$DFUSE" detach "$APP"
is "detach, application without bitWillDetach: exit 0" 0
has "detach, without bitWillDetach: the ROM's DFU device came" "DFU device 0483:df11 is on the bus"
check "detach, without bitWillDetach: waited in appDETACH, the USB reset restarted it" \
	grep -q 'USB reset in appDETACH: the application detaches' "$T/rs.log"
check "detach, without bitWillDetach: the board is in its ROM loader" test "$(stat_of rs mode)" = rom

# ---- the field update: detach, write, verify, leave, the application comes back -----------------
fresh_copy fu
app fu -- "$DFUSE" --detach "$APP" --wait-app "$APP" write --leave "$BIN"
is "--detach write --leave --wait-app: exit 0" 0
has "field update: verified" 'verified by read-back'
has "field update: the application is back" "the application is on the bus \\(1209:0001\\)"
check "field update: flash holds the image" flash_equals "$T/fu.state" 0x08000000 "$BIN"
check "field update: the board runs its application" test "$(stat_of fu mode)" = app
ev=$(events fu)
if [[ $ev =~ ^the\ application\ as\ 1209:0001\;the\ application\ detaches\;device\ leaves\ the\ bus\;device\ enumerates,\ serial\;(.*\;)?device\ leaves\ the\ bus\;the\ application\ as\ 1209:0001\;$ ]]; then
	ok "field update: app, ROM, then app again on the bus"
else
	not_ok "field update: app, ROM, then app again on the bus" "$ev"
fi
app fu -- "$DFUSE" --json --detach "$APP" verify "$BIN"
is "--detach verify: exit 0" 0
has "--detach --json: a detach event" '"event":"detach","program":"dfuse","vid":4617,"pid":1,"path":"1-1"'

# Already in the ROM loader (a retry after a failed update): --detach finds no
# application and goes on with the DFU device.
fresh_copy rom
app rom --boot0 1 -- "$DFUSE" --detach "$APP" info
is "--detach with the board already in the ROM loader: goes on, exit 0" 0
has "--detach, already in the ROM loader: info of the ROM's device" '0483:df11 ver=2200'
if grep -q 'the application detaches' "$T/rom.log"; then
	not_ok "--detach, already in the ROM loader: nothing detached" "$(cat "$T/rom.log" | head -5)"
else
	ok "--detach, already in the ROM loader: nothing detached"
fi
# Neither the application nor the ROM on the bus: the message says both.
fresh_copy none
app none --app-dfu 1209:0003 -- "$DFUSE" --detach "$APP" --wait 1 info
is "--detach, nothing on the bus that fits: exit 4" 4
has "--detach, nothing fits: names the application it looked for" "nor was the application's run-time DFU device 1209:0001"

# ---- cross-check: Debian's dfu-util detaches the model ------------------------------------------
if command -v dfu-util >/dev/null; then
	fresh_copy du
	# (waits up to 10 s for the ROM to enumerate, polling)
	app du -- sh -c 'dfu-util -l; dfu-util -d 1209:0001 -e
		for i in $(seq 100); do dfu-util -l | grep -q "Found DFU" && break; sleep 0.1; done
		dfu-util -l'
	has "dfu-util -l sees the application's run-time interface" 'Found Runtime: \[1209:0001\]'
	has "dfu-util -e: the ROM enumerates afterwards" 'Found DFU: \[0483:df11\] ver=2200'
	check "dfu-util -e: the board is in its ROM loader" test "$(stat_of du mode)" = rom
	fresh_copy dr
	app dr --app-dfu "$APP:reset" -- sh -c 'dfu-util -d 1209:0001 -e
		for i in $(seq 100); do dfu-util -l | grep -q "Found DFU" && break; sleep 0.1; done
		dfu-util -l'
	has "dfu-util -e without bitWillDetach: resets, and the ROM enumerates" 'Found DFU: \[0483:df11\] ver=2200'
	check "dfu-util -e without bitWillDetach: through appDETACH and the USB reset" \
		grep -q 'USB reset in appDETACH' "$T/dr.log"
else
	not_ok "dfu-util is installed" "run scripts/deps"
fi

finish
