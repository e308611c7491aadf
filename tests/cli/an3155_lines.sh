#!/bin/bash
# SPDX-License-Identifier: MIT
# an3155 with BOOT0/NRST line control (issue 4 §4, §6): the entry sequence
# before connecting, the exit sequence after the job, through GPIO (fake
# libgpiod reporting to the virtual board) and through DTR/RTS (serial shim).
. "$(dirname "$0")/lib.sh"

FAKELIB=$BUILD/fakegpiod
export LD_LIBRARY_PATH=$FAKELIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export FAKE_GPIOD_CHIPS=gpiochip0:32:pinctrl-bcm2711
export FAKE_GPIOD_MAP=GPIO17=boot0,GPIO27=nrst
export HOME=$T/home
unset STMBOOT_PORT STMBOOT_BOOT0 STMBOOT_NRST STMBOOT_JIG STMBOOT_CONFIG STMBOOT_ENTRY STMBOOT_EXIT
PI="--boot0 gpio:GPIO17 --nrst gpio:GPIO27:open-drain"
FW=$FIX/fw.hex
BIN=$FIX/fw.bin

mode() { board_ctl "$1" MODE; }

# A board that runs its application: BOOT0 low, flash programmed.
app_board() {
	local name=$1; shift
	start_board "$name" --boot0 0 "$@" || return 1
	export FAKE_GPIOD_SOCK=$T/$name.pins
}

# ---- GPIO: enter, write, verify, run in one command -----------------------------------------
start_board prog
an3155 -p "$T/prog" -q write "$BIN" >/dev/null 2>&1
stop_board prog
cp "$T/prog.state" "$T/app.state"
# the application image differs from the one we write now
printf 'APP1' | dd of="$T/app.state" bs=1 seek=4096 conv=notrunc status=none

app_board gp --state "$T/app.state"
check "GPIO: the board starts in its application" test "$(mode gp)" = app
expect_exit 7 "GPIO: without lines, the ROM does not answer" an3155 -p "$T/gp" --sync-tries 1 info
expect_exit 0 "GPIO: --boot0/--nrst: enter, write, verify, run" an3155 -p "$T/gp" $PI write "$FW"
check "GPIO: flash holds the image" flash_equals "$T/app.state" 0x08000000 "$BIN"
check "GPIO: the exit sequence started the application" test "$(mode gp)" = app
check "GPIO: the board saw BOOT0 high, then NRST pulsed" log_has gp 'boot0.*1'
expect_exit 0 "GPIO: info through the lines, from the application" an3155 -p "$T/gp" $PI info
expect_match "GPIO: info reports the part" 'PID 0x470'
check "GPIO: back in the application after info" test "$(mode gp)" = app

# ---- GPIO from a jig profile and the environment --------------------------------------------
mkdir -p "$HOME/.config/stmboot"
cat >"$HOME/.config/stmboot/jigs.conf" <<EOF
[bench]
boot0 = gpio:GPIO17
nrst = gpio:GPIO27:open-drain
port = $T/gp
EOF
expect_exit 0 "jig profile: --jig bench gives lines and port" an3155 --jig bench -q verify "$FW"
check "jig profile: application running afterwards" test "$(mode gp)" = app
STMBOOT_BOOT0=gpio:GPIO17 STMBOOT_NRST=gpio:GPIO27 expect_exit 0 "environment: STMBOOT_BOOT0/NRST" an3155 -p "$T/gp" -q verify "$FW"
expect_exit 2 "jig profile: an unknown jig is a usage error" an3155 --jig nosuch info
expect_match "jig profile: names the jigs there are" 'bench'

# ---- wrong wiring: the message points at it --------------------------------------------------
expect_exit 7 "swapped lines: no answer" an3155 -p "$T/gp" --sync-tries 2 --boot0 gpio:GPIO27 --nrst gpio:GPIO17 info
expect_match "swapped lines: the message names both lines and says swapped" 'BOOT0 on GPIO27 and NRST on GPIO17.*swapped'
check "swapped lines: the board did not enter the ROM" test "$(mode gp)" != rom

# ---- read-unprotect then write in one run, with the lines ------------------------------------
an3155 -p "$T/gp" $PI -q read-protect --force >/dev/null 2>&1
expect_exit 0 "protected board: info through the lines" an3155 -p "$T/gp" $PI info
expect_match "protected board: info reports read protection" 'read protection active'
expect_exit 0 "read-unprotect + write in one run" an3155 -p "$T/gp" $PI write --read-unprotect --force "$FW"
check "read-unprotect + write: flash holds the image" flash_equals "$T/app.state" 0x08000000 "$BIN"
expect_exit 0 "read-unprotect + write: info shows no protection" an3155 -p "$T/gp" $PI info
expect_match "read-unprotect + write: protection none" 'protection +none'
stop_board gp

# ---- DTR/RTS: the same through a USB-UART adapter's modem lines ------------------------------
# A TTL adapter drives RTS#/DTR# low when asserted: romsim's ':inv' models that,
# and an3155's rts/dtr default (asserted = pin low) matches it.
cp "$T/app.state" "$T/dr.state"
start_board dr --state "$T/dr.state" --boot0 0 --adapter rts=boot0:inv,dtr=nrst:inv
expect_exit 0 "DTR/RTS: enter, write, verify, run" an3155 -p "$T/dr" --boot0 rts --nrst dtr write "$FW"
check "DTR/RTS: flash holds the image" flash_equals "$T/dr.state" 0x08000000 "$BIN"
check "DTR/RTS: application running afterwards" test "$(mode dr)" = app
check "DTR/RTS: the shim carried the modem lines to the board" log_has dr 'modem: dtr=. rts=.'
expect_exit 0 "DTR/RTS: stm32flash -i syntax" an3155 -p "$T/dr" --stm32flash-i '-rts,dtr,-dtr:rts,dtr,-dtr' --boot0 rts --nrst dtr -q verify "$FW"
check "DTR/RTS: stm32flash -i: exit sequence ran the application" test "$(mode dr)" = app
# stm32flash's -i works on its own: its raw rts/dtr signals need no --boot0/--nrst
expect_exit 0 "DTR/RTS: --stm32flash-i on its own" an3155 -p "$T/dr" --stm32flash-i '-rts,dtr,-dtr:rts,dtr,-dtr' -q verify "$FW"
check "DTR/RTS: --stm32flash-i on its own: the application runs afterwards" test "$(mode dr)" = app
STMBOOT_STM32FLASH_I='-rts,dtr,-dtr:rts,dtr,-dtr' expect_exit 0 "DTR/RTS: STMBOOT_STM32FLASH_I on its own" \
	an3155 -p "$T/dr" -q verify "$FW"
# --go with lines: the application starts once (the exit sequence does it; no Go as well)
starts() { grep -cE '^reset: app|application started' "$T/dr.log"; }
before=$(starts)
expect_exit 0 "DTR/RTS: write --go" an3155 -p "$T/dr" --boot0 rts --nrst dtr -q write --go "$FW"
check "DTR/RTS: write --go started the application once" test "$(( $(starts) - before ))" = 1
check "DTR/RTS: write --go: the application runs" test "$(mode dr)" = app
# an explicit Go address: Go starts it, and the lines are only parked (no second start)
before=$(starts)
expect_exit 0 "DTR/RTS: write --go ADDR" an3155 -p "$T/dr" --boot0 rts --nrst dtr -q write --go-addr 0x08000000 "$FW"
check "DTR/RTS: write --go ADDR started the application once" test "$(( $(starts) - before ))" = 1
check "DTR/RTS: write --go ADDR: the application runs" test "$(mode dr)" = app
stop_board dr

# ---- usage --------------------------------------------------------------------------------
expect_exit 2 "a malformed line spec is a usage error" an3155 -p /dev/null --boot0 gpio:GPIO17:bogus info
expect_match "a malformed line spec: names the option" 'boot0'
expect_exit 2 "a malformed sequence is a usage error" an3155 -p /dev/null $PI --entry 'boot0=2' info

finish
