#!/bin/bash
# SPDX-License-Identifier: MIT
# stm32flash.sh - Debian's stm32flash 0.7, a client nobody here wrote, against
# the virtual board (romsim serial) through the serial shim at stm32flash's
# default 8E1: a cross-check of the board model (issue 2 §8). an3155 reads
# and checks what stm32flash did, and the other way round.
#
# The ROM autobauds once per reset (protocol-facts A.1), so every program in
# this file talks at 115200 (stm32flash's default is 57600).
. "$(dirname "$0")/lib.sh"

FW=$FIX/fw.bin
FW_SIZE=$(stat -c %s "$FW")
FLASH=0x08000000
BAUD=115200

SF() { local b=$1; shift; bounded 120 env LD_PRELOAD="$BUILD/serialshim.so" stm32flash -b $BAUD "$@" "$T/$b"; }

# prep CMD...: a set-up step; only its failure is reported.
prep() { local out; out=$("$@" 2>&1) || not_ok "set-up: ${*:2}" "$(echo "$out" | tail -2)"; }

need_built "stm32flash" "run: make BUILD=$BUILD all $BUILD/serialshim.so" \
	"$BUILD/an3155" "$BUILD/romsim" "$BUILD/serialshim.so"
if ! command -v stm32flash >/dev/null; then
	not_ok "stm32flash is installed" "run scripts/deps"
	finish; exit
fi
if ! "$BUILD/romsim" serial --help >/dev/null 2>&1; then
	not_ok "stm32flash: romsim serial exists"
	finish; exit
fi

# ---- identification -------------------------------------------------------------
start_board id || { finish; exit; }
expect_exit 0 "stm32flash: connects at 8E1 (exit 0)" SF id
expect_match "stm32flash: Device ID : 0x0470" "Device ID +: 0x0470"
expect_match "stm32flash: bootloader version 3.1" "Version +: 0x31"
expect_match "stm32flash: 8E1 on the interface" "serial_posix: $BAUD 8E1"
check "stm32flash: the board saw 8E1" log_has id "^line: host $BAUD 8E1"
check "stm32flash: the board answered Get" log_has id '^get: ack'
check "stm32flash: the board answered Get Version" log_has id '^gv: ack'
check "stm32flash: the board answered Get ID" log_has id '^gid: ack'

# ---- stm32flash reads what an3155 wrote ----------------------------------------------
expect_exit 0 "an3155 writes fw.bin for stm32flash to read" A id write "$FW"
expect_exit 0 "stm32flash -r -S 0x08000000:4096: exit 0" SF id -r "$T/sf-read.bin" -S 0x08000000:4096
check "stm32flash -r: exactly 4096 bytes" test "$(stat -c %s "$T/sf-read.bin" 2>/dev/null)" = 4096
check "stm32flash -r: equals the flash an3155 wrote" cmp -s "$T/sf-read.bin" <(head -c 4096 "$FW")
expect_exit 0 "stm32flash -r at an odd length (0x08001000:300)" SF id -r "$T/sf-read2.bin" -S 0x08001000:300
check "stm32flash -r 300 bytes: equals the flash" \
	cmp -s "$T/sf-read2.bin" <(tail -c +$((0x1000 + 1)) "$FW" | head -c 300)
stop_board id

# ---- an3155 checks what stm32flash wrote ------------------------------------------------
fresh_board wr || { finish; exit; }
expect_exit 0 "stm32flash -w fw.bin -v -S 0x08000000 on a blank board: exit 0" \
	SF wr -w "$FW" -v -S 0x08000000
check "stm32flash -w: the flash equals fw.bin" flash_equals "$T/wr.state" $FLASH "$FW"
check "stm32flash -w: nothing written after the image" flash_erased "$T/wr.state" $((FLASH + FW_SIZE)) 65536
check "stm32flash -w: no PROGERR (no double-word programmed twice)" log_lacks wr PROGERR
expect_exit 0 "an3155 verify agrees with stm32flash's write" A wr verify "$FW"
stop_board wr

# ---- protection --------------------------------------------------------------------------
fresh_board rdp || { finish; exit; }
prep A rdp -q write "$FW"
expect_exit 0 "stm32flash -j (readout protect): exit 0" SF rdp -j
check "stm32flash -j: the ROM took Readout Protect and reset" log_has rdp '^rp: ack'
expect_exit 0 "after stm32flash -j: an3155 info" A rdp info
expect_match "after stm32flash -j: an3155 sees read protection" "protection +.*(level 1|active)"
expect_exit 1 "protected: stm32flash -r is refused" SF rdp -r "$T/sf-prot.bin" -S 0x08000000:256
expect_exit 0 "stm32flash -k (readout unprotect): exit 0" SF rdp -k
check "stm32flash -k: the ROM took Readout Unprotect" log_has rdp '^ru: ack'
expect_exit 0 "after stm32flash -k: an3155 info" A rdp info
expect_match "after stm32flash -k: protection none" "protection +none"
check "after stm32flash -k: the flash was erased" flash_erased "$T/rdp.state" $FLASH $((2048 * 1024))
stop_board rdp

# ---- 8N1: a host without parity ------------------------------------------------------------
# The ROM frames 8E1 whatever the host does (protocol-facts A.1); a host at
# 8N1 sees garbled or missing answers, as on real hardware (romsim's line
# model, sim/sersim_ctl.c, documented in man/romsim.1).
check "romsim documents its parity line model (man/romsim.1)" \
	grep -qi parity "$ROOT/man/romsim.1"
fresh_board np || { finish; exit; }
prep A np -q write "$FW"
stop_board np
start_board np   # a reset: the next host's first byte sets the baud
rm -f "$T/sf-8n1.bin"
OUT=$(SF np -m 8n1 -r "$T/sf-8n1.bin" -S 0x08000000:4096 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$T/sf-8n1.bin" <(head -c 4096 "$FW"); then
	not_ok "stm32flash -m 8n1 does not read the right data" "exit 0 and the data matched" \
		"$(echo "$OUT" | tail -3)"
else
	ok "stm32flash -m 8n1 does not read the right data"
fi
check "stm32flash -m 8n1: the board saw a host at 8N1" log_has np "^line: host $BAUD 8N1"
stop_board np
start_board np
expect_exit 0 "stm32flash 8E1 after a reset: exit 0" SF np -r "$T/sf-8e1.bin" -S 0x08000000:4096
check "stm32flash 8E1 after a reset: the right data" cmp -s "$T/sf-8e1.bin" <(head -c 4096 "$FW")
stop_board np

# ---- go ---------------------------------------------------------------------------------------
fresh_board go || { finish; exit; }
prep A go -q write "$FW"
expect_exit 0 "stm32flash -g 0x08000000: exit 0" SF go -g 0x08000000
check "stm32flash -g: the ROM took Go at 0x08000000" log_has go '^go 0x08000000: ack'
check "stm32flash -g: the board runs the application" log_has go '^app: running from 0x08000000'
OUT=$(board_ctl go MODE 2>&1)
if [ "$OUT" = app ]; then ok "stm32flash -g: board mode is app"; else not_ok "stm32flash -g: board mode is app" "MODE -> '$OUT'"; fi
expect_exit 1 "stm32flash against the running application fails" SF go
stop_board go

# ---- -i: entering the ROM with DTR/RTS --------------------------------------------------------------
# Wiring: DTR drives BOOT0, RTS drives NRST (both active high as the shim
# reports them). The board starts the application (BOOT0 low at power-up,
# programmed flash); stm32flash's entry sequence raises BOOT0 and pulses
# NRST, its exit sequence lowers BOOT0 and pulses NRST again.
if "$BUILD/romsim" serial --help 2>&1 | grep -q -- '--adapter'; then
	stop_board gpio; rm -f "$T/gpio.state" "$T/gpio.log"
	cp "$FW" "$T/gpio.state"
	start_board gpio --boot0 0 --adapter dtr=boot0,rts=nrst || { finish; exit; }
	check "-i: the board starts in the application" test "$(board_ctl gpio MODE 2>&1)" = app
	expect_exit 1 "-i: without an entry sequence stm32flash gets no answer" SF gpio
	n=$(log_size gpio)
	expect_exit 0 "stm32flash -i 'dtr,-rts,rts:-dtr,-rts,rts': exit 0" SF gpio -i 'dtr,-rts,rts:-dtr,-rts,rts'
	expect_match "-i: the ROM answered (Device ID 0x0470)" "Device ID +: 0x0470"
	check "-i: the entry sequence reset the board into the ROM" \
		log_since_has gpio "$n" '^reset: rom'
	check "-i: the exit sequence reset it into the application" \
		bash -c "tail -n +$((n + 1)) '$T/gpio.log' | sed -n '/^reset: rom/,\$p' | grep -Eq '^(reset: app|app: running)'"
	check "-i: flash unchanged" flash_equals "$T/gpio.state" $FLASH "$FW"
	stop_board gpio
else
	ok "# SKIP -i cross-check: romsim serial has no --adapter"
fi

finish
