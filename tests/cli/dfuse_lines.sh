#!/bin/bash
# dfuse with BOOT0/NRST line control (issue 4 §4, §6): the entry sequence
# before looking for the device, a wait for 0483:DF11, the job, leave, the
# exit sequence, and --wait-app. GPIO through the fake libgpiod, which
# reports every pin change to the board through `romsim usb --pins-sock`.
. "$(dirname "$0")/lib.sh"

ROMSIM=$BUILD/romsim
DFUSE=$BUILD/dfuse
FAKELIB=$BUILD/fakegpiod
for f in "$ROMSIM" "$DFUSE"; do
	if [ ! -x "$f" ]; then
		not_ok "dfuse lines: $f is built" "run: make BUILD=$BUILD"
		finish; exit
	fi
done
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

# board NAME [romsim usb options] -- CMD...: CMD against a board that starts
# in its application (BOOT0 low, flash programmed), pins on $FAKE_GPIOD_SOCK.
board() {
	local name=$1; shift
	rm -f "$FAKE_GPIOD_SOCK"
	OUT=$(bounded 120 "$ROMSIM" usb --boot0 0 --state "$T/$name.state" --pins-sock "$FAKE_GPIOD_SOCK" \
		--log "$T/$name.log" --stats "$T/$name.stats" "$@" 2>&1)
	RC=$?
}
is() {
	if [ "$RC" -eq "$2" ]; then ok "$1"
	else not_ok "$1" "expected exit $2, got $RC" "$(tail -5 <<<"$OUT")"; fi
}
has() { expect_match "$1" "$2"; }
stat_of() { sed -n "s/.*device=1-1 .*\\b$2=\\([^ ]*\\).*/\\1/p" "$T/$1.stats"; }

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
head -c 4096 /dev/urandom >"$T/junk.bin"
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
