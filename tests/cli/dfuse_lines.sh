#!/bin/bash
# SPDX-License-Identifier: MIT
# dfuse with BOOT0/NRST line control (issue 4 §4, §6): the entry sequence
# before looking for the device, a wait for 0483:DF11, the job, leave, the
# exit sequence, and --wait-app. GPIO through the fake libgpiod, which
# reports every pin change to the board through `romsim usb --pins-sock`;
# RTS/DTR through a USB-serial adapter's pty (`romsim usb --adapter`) and
# the serial shim.
. "$(dirname "$0")/lib.sh"

ROMSIM=$BUILD/romsim
DFUSE=$BUILD/dfuse
FAKELIB=$BUILD/fakegpiod
need_built "dfuse lines" "run: make BUILD=$BUILD" "$ROMSIM" "$DFUSE"
if ! ls "$FAKELIB"/libgpiod.so.* >/dev/null 2>&1; then
	not_ok "dfuse lines: fake libgpiod built ($FAKELIB)"
	finish; exit
fi
export LD_LIBRARY_PATH=$FAKELIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export FAKE_GPIOD_CHIPS=gpiochip0:32:pinctrl-bcm2711
export FAKE_GPIOD_MAP=GPIO17=boot0,GPIO27=nrst
export FAKE_GPIOD_SOCK=$T/pins.sock
export HOME=$T/home
unset STMBOOT_PORT STMBOOT_BOOT0 STMBOOT_NRST STMBOOT_JIG STMBOOT_CONFIG STMBOOT_ENTRY STMBOOT_EXIT \
	XDG_CONFIG_HOME FAKE_GPIOD_BUSY FAKE_GPIOD_FAIL FAKE_GPIOD_LOG
PI="--boot0 gpio:GPIO17 --nrst gpio:GPIO27:open-drain"
BIN=$FIX/fw.bin
FW=$FIX/fw.hex

# board NAME [romsim usb options] -- CMD...: lib.sh's usb with a board that
# starts in its application (BOOT0 low, flash programmed), pins on $FAKE_GPIOD_SOCK.
board() {
	local name=$1; shift
	rm -f "$FAKE_GPIOD_SOCK"
	usb "$name" --boot0 0 --pins-sock "$FAKE_GPIOD_SOCK" "$@"
}

# An application board: the fixture in flash, then one word changed so that
# a new write is visible.
"$ROMSIM" usb --state "$T/app.state" -- "$DFUSE" -q write "$BIN" >/dev/null 2>&1
printf 'APP1' | dd of="$T/app.state" bs=1 seek=4096 conv=notrunc status=none
cp "$T/app.state" "$T/gp.state"

# ---- the board runs its application: no DFU device --------------------------------------------
board gp -- "$DFUSE" list
has "application board: no DFU device on the bus" 'no DFU device found'
board gp -- "$DFUSE" info
is "application board, no lines: info exits 4" 4

# ---- enter, wait for DF11, write, verify, leave, exit in one command ----------------------------
board gp -- "$DFUSE" $PI write --leave "$FW"
is "--boot0/--nrst write --leave: exit 0" 0
has "write --leave through the lines: verified" 'verified by read-back'
check "lines: flash holds the image" flash_equals "$T/gp.state" 0x08000000 "$BIN"
# pin changes and bus arrivals in the board's order
events() { grep -o 'PIN boot0 [01]\|PIN nrst [01]\|device enumerates' "$T/$1.log" | tr '\n' ';'; }
ev=$(events gp)
if [[ $ev =~ ^PIN\ boot0\ 1\;PIN\ nrst\ 0\;(.*\;)?PIN\ nrst\ 1\;device\ enumerates\; ]]; then
	ok "lines: BOOT0 high, NRST pulsed, then the ROM enumerated"
else
	not_ok "lines: BOOT0 high, NRST pulsed, then the ROM enumerated" "$ev"
fi
if [[ $ev =~ device\ enumerates\;(.*\;)?PIN\ boot0\ 0\;(.*\;)?PIN\ nrst\ 0\;(.*\;)?PIN\ nrst\ 1\; ]] &&
   grep -q 'removed from the bus' "$T/gp.log"; then
	ok "lines: leave, then the exit sequence (BOOT0 low, NRST pulse)"
else
	not_ok "lines: leave, then the exit sequence (BOOT0 low, NRST pulse)" "$ev"
fi
check "lines: the board runs its application afterwards" test "$(stat_of gp mode)" = app
board gp -- "$DFUSE" $PI info
is "info through the lines: exit 0" 0
has "info through the lines: the ROM's identity" 'STM32  BOOTLOADER'
check "info through the lines: back in the application" test "$(stat_of gp mode)" = app

# ---- a jig profile gives the same lines ----------------------------------------------------------
mkdir -p "$HOME/.config/stmboot"
printf '[bench]\nboot0 = gpio:GPIO17\nnrst = gpio:GPIO27:open-drain\n' >"$HOME/.config/stmboot/jigs.conf"
board gp -- "$DFUSE" --jig bench -q verify "$FW"
is "jig profile: --jig bench, verify: exit 0" 0
board gp -- env STMBOOT_BOOT0=gpio:GPIO17 STMBOOT_NRST=gpio:GPIO27 "$DFUSE" -q verify "$FW"
is "environment: STMBOOT_BOOT0/NRST: exit 0" 0

# ---- --wait-app -----------------------------------------------------------------------------------
board gp -- "$DFUSE" $PI -q --wait-app 1234:5678:1 write "$FW"
is "--wait-app for an identity that never comes: exit 4" 4
has "--wait-app: the message names the identity and that the job succeeded" \
	'1234:5678 did not appear within 1 s \(the job itself succeeded\)'
# no valid vector table: after leave the part resets into the ROM (BOOT0
# high, no lines), which comes back as DF11 a second later
rand_bytes 4096 >"$T/junk.bin"
rm -f "$T/junk.state"
OUT=$(bounded 60 "$ROMSIM" usb --reenum-ms 1000 --state "$T/junk.state" --log "$T/junk.log" -- \
	"$DFUSE" -q write --leave --wait-app 0483:df11:10 "$T/junk.bin" 2>&1); RC=$?
is "--wait-app: exit 0 once the identity (here the ROM again) is on the bus" 0
check "--wait-app: the device had left and enumerated again" \
	test "$(grep -c 'device enumerates' "$T/junk.log")" -ge 2
board gp -- "$DFUSE" -q --wait-app 0483:df11 write "$FW"
is "--wait-app without --leave or lines: usage error" 2

# ---- wrong wiring: the message points at the lines --------------------------------------------------
board gp -- "$DFUSE" --boot0 gpio:GPIO27 --nrst gpio:GPIO17 --wait 1 write "$FW"
is "swapped lines: exit 4 (no device)" 4
has "swapped lines: names both lines and says swapped" 'BOOT0 on GPIO27 and NRST on GPIO17: if these two are swapped'
check "swapped lines: the board never entered the ROM" test "$(stat_of gp enumerations)" = 0

# ---- read-unprotect + write in one run, with the lines ----------------------------------------------
cp "$T/app.state" "$T/rp.state"
board rp --rdp 1 -- "$DFUSE" $PI write "$FW"
is "protected board through the lines: write exits 8" 8
board rp -- "$DFUSE" $PI write --read-unprotect --force "$FW"
is "read-unprotect + write in one run through the lines: exit 0" 0
has "read-unprotect + write: the device came back" 'the device is back, unprotected'
check "read-unprotect + write: flash holds the image" flash_equals "$T/rp.state" 0x08000000 "$BIN"
check "read-unprotect + write: RDP 0" test "$(stat_of rp rdp)" = 0
check "read-unprotect + write: application running" test "$(stat_of rp mode)" = app

# ---- BOOT0/NRST on a USB-serial adapter's RTS/DTR (romsim usb --adapter) ---------------------------
# The adapter is a pty whose DTR/RTS the serial shim reports to romsim; in the
# command the shim must come before umockdev's preload, which romsim usb
# arranges (romsim(1), "The adapter"). Wiring here: BOOT0 high while RTS is
# asserted, NRST = DTR# (low while asserted), so the tools say rts:inv for
# BOOT0 and plain dtr for NRST.
SHIM=$BUILD/serialshim.so
BOOTCTL=$BUILD/bootctl
AD=$T/adapter
MAP=rts=boot0,dtr=nrst:inv
MODEM="--port $AD --boot0 rts:inv --nrst dtr"
# aboard NAME MAP [romsim usb options] -- CMD...: board() with an adapter wired as MAP
# on $AD, the shim preloaded, NAME's state a fresh copy of the application board.
aboard() {
	local name=$1 map=$2; shift 2
	cp "$T/app.state" "$T/$name.state"
	LD_PRELOAD=$SHIM board "$name" --adapter "$map" --adapter-link "$AD" "$@"
}
if [ ! -e "$SHIM" ]; then
	not_ok "adapter: serial shim built ($SHIM)" "run: make BUILD=$BUILD $SHIM"
fi

aboard ad $MAP -- "$DFUSE" $MODEM write --leave "$FW"
is "adapter: write --leave through RTS/DTR: exit 0" 0
has "adapter: verified" 'verified by read-back'
lacks "adapter: libserialport opens the adapter under umockdev (no termios fallback)" \
	'not a port libserialport knows|did not answer'
check "adapter: flash holds the image" flash_equals "$T/ad.state" 0x08000000 "$BIN"
ev=$(events ad)
if [[ $ev =~ ^PIN\ boot0\ 1\;PIN\ nrst\ 0\;(.*\;)?PIN\ nrst\ 1\;device\ enumerates\; ]]; then
	ok "adapter: BOOT0 high, NRST pulsed, then the ROM enumerated"
else
	not_ok "adapter: BOOT0 high, NRST pulsed, then the ROM enumerated" "$ev"
fi
# the open itself (inotify or the shim's report, whichever comes first) holds the part in reset
check "adapter: opening the port asserted DTR and RTS: BOOT0 high, NRST low" \
	grep -Eq 'adapter: (host open|TIOCM dtr=1 rts=1) -> PIN boot0 1, PIN nrst 0 \(board reset\)' "$T/ad.log"
if [[ $ev =~ device\ enumerates\;(.*\;)?PIN\ boot0\ 0\;(.*\;)?PIN\ nrst\ 0\;(.*\;)?PIN\ nrst\ 1\; ]] &&
   grep -q 'removed from the bus' "$T/ad.log"; then
	ok "adapter: leave, then the exit sequence (BOOT0 low, NRST pulse)"
else
	not_ok "adapter: leave, then the exit sequence (BOOT0 low, NRST pulse)" "$ev"
fi
check "adapter: the board runs its application afterwards" test "$(stat_of ad mode)" = app

# wrong wiring: DTR and RTS swapped on the board side. The open holds NRST low
# through RTS and the entry sequence never releases it.
aboard aw dtr=boot0,rts=nrst:inv -- "$DFUSE" $MODEM --wait 1 write "$FW"
is "adapter, swapped wiring: exit 4 (no device)" 4
has "adapter, swapped wiring: names both lines and says swapped" \
	'BOOT0 on RTS and NRST on DTR: if these two are swapped'
check "adapter, swapped wiring: the board never entered the ROM" test "$(stat_of aw enumerations)" = 0
check "adapter, swapped wiring: the flash is untouched" cmp -s "$T/aw.state" "$T/app.state"

# bootctl with the usual TTL adapter (both lines low while asserted: rts and dtr as they are)
aboard bc rts=boot0:inv,dtr=nrst:inv -- bash -c '
	BOOTCTL=$1 DFUSE=$2 AD=$3
	bc() { "$BOOTCTL" -p "$AD" --boot0 rts --nrst dtr "$@"; }
	until_list() { for i in $(seq 200); do "$DFUSE" list 2>&1 | grep -q "$1" && return 0; sleep 0.05; done; return 1; }
	bc enter || exit 10
	until_list "STM32  BOOTLOADER" || exit 11
	"$DFUSE" list
	echo "-- run"
	bc run || exit 12
	until_list "no DFU device found" || exit 13' sh "$BOOTCTL" "$DFUSE" "$AD"
is "adapter: bootctl enter, dfuse list, bootctl run: exit 0" 0
has "adapter: dfuse list finds the ROM after bootctl enter" 'path=1-1 .*"STM32  BOOTLOADER"'
check "adapter: bootctl run: the device left the bus, the application runs" \
	test "$(stat_of bc mode)" = app -a "$(grep -c 'removed from the bus' "$T/bc.log")" -ge 1
check "adapter: bootctl enter then run: one enumeration" test "$(stat_of bc enumerations)" = 1

# "%d" in the link: one adapter per device, each on its own board
cp "$T/app.state" "$T/m1.state"; cp "$T/app.state" "$T/m2.state"
OUT=$(LD_PRELOAD=$SHIM bounded 120 "$ROMSIM" usb -n 2 --boot0 0 --state "$T/m%d.state" --stats "$T/m.stats" \
	--adapter $MAP --adapter-link "$T/ad%d" -- bash -c '
	"$1" -p "$3/ad2" --boot0 rts:inv --nrst dtr enter || exit 10
	for i in $(seq 200); do "$2" list 2>&1 | grep -q "path=1-2" && break; sleep 0.05; done
	"$2" list' sh "$BOOTCTL" "$DFUSE" "$T" 2>&1); RC=$?
is "adapter per device: bootctl on the second adapter: exit 0" 0
has "adapter per device: device 1-2 came up" 'path=1-2 '
lacks "adapter per device: device 1-1 stayed in its application" 'path=1-1 '
check "adapter per device: boards 1 and 2 end in app and rom" \
	test "$(sed -n 's/^device=\(1-[12]\) .* mode=\([a-z]*\) .*/\1=\2/p' "$T/m.stats" | tr '\n' ' ')" = "1-1=app 1-2=rom "

# the host's open and close alone, without a tool setting the lines
aboard oc $MAP -- bash -c '
	mode() { printf MODE | timeout 10 socat -t 5 - "UNIX-CONNECT:$1,type=5"; echo; }
	mode "$2"; exec 3<>"$1"; mode "$2"; exec 4<>"$1"; exec 4<&-; mode "$2"; exec 3<&-; mode "$2"' \
	sh "$AD" "$FAKE_GPIOD_SOCK"
is "adapter: open/close: exit 0" 0
check "adapter: open asserts DTR (NRST low: reset), only the last close releases it" \
	test "$(echo $OUT)" = "app reset reset app"
check "adapter: the last close dropped both: BOOT0 low, then NRST released" \
	grep -Eq 'adapter: (host close|TIOCM dtr=0 rts=0) -> PIN boot0 0, PIN nrst 1 \(board app\)' "$T/oc.log"

# without the shim the adapter has no modem lines: the tool says so, nothing is written
cp "$T/app.state" "$T/ns.state"
board ns --adapter $MAP --adapter-link "$AD" -- "$DFUSE" $MODEM --wait 1 write "$FW"
check "adapter without the shim: the write fails" test "$RC" -ne 0
has "adapter without the shim: romsim warns" 'no serialshim.so in LD_PRELOAD'
check "adapter without the shim: the flash is untouched" cmp -s "$T/ns.state" "$T/app.state"

# the child's preload: the shim first, umockdev's once, the rest after; ROMSIM_ADAPTER names the pty
OUT=$(LD_PRELOAD="libumockdev-preload.so.0 $SHIM:libc.so.6" "$ROMSIM" usb --adapter $MAP --adapter-link "$AD" -- \
	sh -c 'echo "$LD_PRELOAD"; [ "$(readlink "$1")" = "$ROMSIM_ADAPTER" ] && echo same' sh "$AD" 2>&1); RC=$?
has "adapter: the child's LD_PRELOAD has the shim before umockdev's" \
	"^$SHIM:libumockdev-preload\\.so\\.0:libc\\.so\\.6\$"
has "adapter: ROMSIM_ADAPTER is the pty the link points to" '^same$'
check "adapter: the link is removed at exit" test ! -e "$AD"
OUT=$("$ROMSIM" usb --adapter rts=boot1 -- true 2>&1); RC=$?
is "adapter: a malformed map: exit 2" 2
has "adapter: a malformed map: says so" "bad adapter map 'rts=boot1'"
OUT=$("$ROMSIM" usb --adapter-link "$AD" -- true 2>&1); RC=$?
is "adapter: --adapter-link without --adapter: exit 2" 2

# ---- usage ------------------------------------------------------------------------------------------------
OUT=$("$DFUSE" --boot0 gpio:GPIO17:bogus info 2>&1); RC=$?
is "a malformed line spec: exit 2" 2
has "a malformed line spec: names the option" 'boot0'
OUT=$("$DFUSE" --boot0 rts --nrst dtr info 2>&1); RC=$?
is "rts/dtr without --port: exit 2" 2
has "rts/dtr without --port: says so" 'need the serial adapter: give --port'
OUT=$("$DFUSE" $PI --entry 'boot0=2' info 2>&1); RC=$?
is "a malformed sequence: exit 2" 2

finish
