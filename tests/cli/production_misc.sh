#!/bin/bash
# SPDX-License-Identifier: MIT
# More of the production line (issue 13): SIGINT/SIGTERM mid-write, jig
# profiles (unknown keys, bad values, baud and port, ports for a gang,
# unreadable files), read into Intel HEX / S-record, OTP and SRAM writes,
# option bytes by field name, start/result events of every command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/events_lib.sh"

BIN=$FIX/fw.bin
unset STMBOOT_PORT STMBOOT_JIG STMBOOT_CONFIG STMBOOT_BOOT0 STMBOOT_NRST XDG_CONFIG_HOME
export HOME=$T/home
mkdir -p "$HOME/.config/stmboot"

# ---- SIGINT in the middle of a write (a board at line speed) --------------------------------
# A background job of a script ignores SIGINT; env --default-signal gives it back.
# 64 KB at 115200 baud take about 7 s to write: the signal comes long before the end
rand_bytes 65536 >"$T/sig.bin"
start_board s1 --timing --baud 115200
SERIALSHIM_LOG=$T/shim.log LD_PRELOAD="$BUILD/serialshim.so" env --default-signal=INT \
	"$BUILD/an3155" -p "$T/s1" --json write "$T/sig.bin" >"$T/sig.json" 2>"$T/sig.err" &
job=$!
wait_until log_has s1 '^write 0x08000[4-9A-F]' >/dev/null   # a few blocks are in
kill -INT "$job"
wait "$job"; RC=$?
OUT=$(cat "$T/sig.json" "$T/sig.err")
is "SIGINT mid-write: exit 130" 130
has "SIGINT: an error event, code interrupted, signal SIGINT" '"event":"error".*"code":"interrupted","exit":130,"signal":"SIGINT"'
has "SIGINT: it names the pages erased" 'erased pages 0-15 \(16 of 16 planned\)'
has "SIGINT: the result is the last event, exit 130" '"event":"result".*"ok":false,"exit":130'
written=$(sed -n 's/.*wrote 0x08000000-0x[0-9A-F]* (\([0-9]*\) of 65536 bytes).*/\1/p' "$T/sig.err" | head -1)
writes=$(log_count s1 '^write 0x')
check "SIGINT: what it says it wrote is what the board got ($writes blocks)" test "${written:-x}" = $((writes * 256))
check "SIGINT: the board holds those bytes" cmp -s <(flash_bytes "$T/s1.state" 0x08000000 "${written:-0}") <(head -c "${written:-0}" "$T/sig.bin")
check "SIGINT: the rest of the erased pages is still erased" flash_erased "$T/s1.state" $((0x08000000 + ${written:-0})) 256
check "SIGINT: the adapter's low-latency flag is restored" test "$(grep 'SERIAL low_latency' "$T/shim.log" | tail -1 | sed 's/.*=//')" = 0
check "SIGINT: the line settings found at open are restored" test "$(grep CFLAG "$T/shim.log" | tail -1 | sed 's/.*parity=\([a-z]*\).*/\1/')" = none
schema_ok "SIGINT: every event as stmboot(7) documents it" "$T/sig.json"
expect_exit 0 "SIGINT: the ROM loader answers the next job, which completes" an3155 -p "$T/s1" write "$FIX/fw.hex"
stop_board s1

# SIGTERM to dfuse on a USB board at its real speed (256 KB)
rand_bytes 262144 >"$T/big.bin"
cat >"$T/term.sh" <<EOS
"$BUILD/dfuse" --json write "$T/big.bin" >"$T/term.json" 2>"$T/term.err" &
d=\$!
for i in \$(seq 1 600); do grep -q '"phase":"write","done":[1-9]' "$T/term.json" && break; sleep 0.05; done
kill -TERM \$d
wait \$d
EOS
expect_exit 143 "SIGTERM mid-write over USB: exit 143" bounded 120 "$BUILD/romsim" usb --timing --state "$T/term.state" -- bash "$T/term.sh"
OUT=$(cat "$T/term.json" "$T/term.err")
has "SIGTERM: error event, code interrupted, signal SIGTERM" '"code":"interrupted","exit":143,"signal":"SIGTERM"'
written=$(sed -n 's/.*wrote 0x08000000-0x[0-9A-F]* (\([0-9]*\) of 262144 bytes).*/\1/p' "$T/term.err" | head -1)
check "SIGTERM: stopped part-way (${written:-?} of 262144 bytes)" test "${written:-0}" -gt 0 -a "${written:-262144}" -lt 262144
check "SIGTERM: the board holds what it says it wrote" cmp -s <(flash_bytes "$T/term.state" 0x08000000 "${written:-0}") <(head -c "${written:-0}" "$T/big.bin")
check "SIGTERM: nothing after it" flash_erased "$T/term.state" $((0x08000000 + ${written:-0})) 2048
schema_ok "SIGTERM: every event as stmboot(7) documents it" "$T/term.json"

# ---- jig profiles ---------------------------------------------------------------------------
start_board jb   # autobauds at 57600 below: the ROM keeps that rate until a reset (A.1)
start_board j1
start_board j2
printf '[bench]\nport = %s\nbaud = 57600\n\n[rack]\nports = %s %s\n' "$T/jb" "$T/j1" "$T/j2" >"$T/jigs.conf"
OUT=$(an3155 --config "$T/jigs.conf" --jig bench --json info 2>&1); RC=$?
is "jig: port and baud from the profile: exit 0" 0
check "jig: the board saw 57600 baud" log_has jb 'line: host 57600 8E1'
OUT=$(an3155 --config "$T/jigs.conf" --jig rack write "$FIX/fw.hex" 2>&1); RC=$?
is "jig: ports = two boards: a gang, exit 0" 0
has "jig ports: the table lists both" "$T/j2 +ok"
check "jig ports: both boards hold the image" flash_equals "$T/j2.state" 0x08000000 "$BIN"
printf '[bench]\nport = %s\n[other]\nnrts = dtr\n' "$T/j1" >"$T/typo.conf"
expect_exit 3 "jig: an unknown key (in any section) is an error" an3155 --config "$T/typo.conf" --jig bench info
expect_match "jig: unknown key names the file and line" "typo.conf:4: unknown key 'nrts'"
printf '[bench]\nport = %s\nbaud = fast\n' "$T/j1" >"$T/baud.conf"
expect_exit 3 "jig: a bad baud is an error" an3155 --config "$T/baud.conf" --jig bench info
expect_match "jig: bad baud names the file and line" "baud.conf:3\\): baud = 'fast'"
mkdir "$HOME/.config/stmboot/jigs.conf"   # a default file that cannot be read
OUT=$(an3155 -p "$T/j1" -vv info 2>&1); RC=$?
is "jig: an unreadable default file is skipped: exit 0" 0
has "jig: ... with a debug message" 'debug: jig profiles: skipping cannot read .*jigs.conf'
expect_exit 3 "jig: an explicit --config that cannot be read is an error" \
	an3155 --config "$HOME/.config/stmboot/jigs.conf" -p "$T/j1" info
rmdir "$HOME/.config/stmboot/jigs.conf"

# ---- read into Intel HEX and S-record -------------------------------------------------------------
expect_exit 0 "read into a .hex name" an3155 -p "$T/j1" read 0x08000000 4K "$T/dump.hex"
check "read .hex: Intel HEX" grep -q '^:020000040800F2' "$T/dump.hex"
expect_exit 0 "read .hex: loads back and verifies" an3155 -p "$T/j1" verify "$T/dump.hex"
expect_exit 0 "read -f srec into a .bin name" an3155 -p "$T/j1" read -f srec 0x08000000 4K "$T/dump.bin"
check "read -f srec: S-records" grep -q '^S3150800' "$T/dump.bin"
expect_exit 0 "read -f srec: loads back and verifies" an3155 -p "$T/j1" verify -f srec "$T/dump.bin"
expect_exit 2 "read -f elf: usage error" an3155 -p "$T/j1" read -f elf 0x08000000 16 "$T/x"
OUT=$(script -qec "env LD_PRELOAD=$BUILD/serialshim.so $BUILD/an3155 -p $T/j1 read 0x08000000 16 -" /dev/null 2>&1); RC=$?
is "read binary to a terminal: refused, exit 2" 2
has "read binary to a terminal: says why" 'refusing to write binary data to a terminal'
OUT=$(script -qec "env LD_PRELOAD=$BUILD/serialshim.so $BUILD/an3155 -p $T/j1 read -f ihex 0x08000000 16 -" /dev/null 2>&1); RC=$?
is "read -f ihex to a terminal: exit 0" 0
has "read -f ihex to a terminal: the records" ':10000000'

# ---- OTP and SRAM over serial -------------------------------------------------------------------------
fresh_board o1
printf '\x11\x22\x33\x44\x55' >"$T/otp.bin"
before=$(state_sum o1)
expect_exit 3 "OTP without --force: refused" an3155 -p "$T/o1" write "$T/otp.bin@0x1FFF7000"
expect_match "OTP without --force: says it is one-time" 'OTP, which is programmed once and can never be erased'
check "OTP without --force: nothing changed" test "$(state_sum o1)" = "$before"
OUT=$(an3155 -p "$T/o1" --json --force write "$T/otp.bin@0x1FFF7000" 2>&1); RC=$?
is "OTP with --force: exit 0" 0
has "OTP: the plan says one-time" '"event":"plan-memory".*"memory":"otp",.*"one_time":true'
an3155 -p "$T/o1" read 0x1FFF7000 8 "$T/otp.back" 2>/dev/null
check "OTP: holds the bytes, the rest of the double-word 0xFF" cmp -s "$T/otp.back" <(printf '\x11\x22\x33\x44\x55\xff\xff\xff')
expect_exit 0 "OTP: the same bytes again: nothing to do" an3155 -p "$T/o1" --force write "$T/otp.bin@0x1FFF7000"
printf '\x99' >"$T/otp2.bin"
expect_exit 9 "OTP: other bytes over programmed OTP: refused" an3155 -p "$T/o1" --force write "$T/otp2.bin@0x1FFF7000"
expect_match "OTP: says it cannot change" 'OTP at 0x1FFF7000 is programmed already with other data'
an3155 -p "$T/o1" read 0x1FFF7000 8 "$T/otp.back" 2>/dev/null
check "OTP: still the first bytes" cmp -s "$T/otp.back" <(printf '\x11\x22\x33\x44\x55\xff\xff\xff')
rand_bytes 1024 >"$T/sram.bin"
expect_exit 0 "SRAM with --force: exit 0" an3155 -p "$T/o1" --force write "$T/sram.bin@0x20004000"
an3155 -p "$T/o1" read 0x20004000 1024 "$T/sram.back" 2>/dev/null
check "SRAM: reads back" cmp -s "$T/sram.back" "$T/sram.bin"
expect_exit 3 "SRAM used by the ROM: outside what may be written" an3155 -p "$T/o1" --force write "$T/sram.bin@0x20000000"

# ---- option bytes by field name ----------------------------------------------------------------------
fresh_board ob
OUT=$(an3155 -p "$T/ob" --json option-bytes --set BFB2=1 2>&1); RC=$?
is "--set BFB2=1: exit 0" 0
has "--set: before and after" '"event":"option-change".*"before":4293916842,"after":4294965418,"changes":"BFB2 0 -> 1"'
OUT=$(an3155 -p "$T/ob" --json option-bytes 2>&1)
has "--set: the part reloaded BFB2=1" '"event":"option-bytes".*"bank":1.*"word0":4294965418'
OUT=$(an3155 -p "$T/ob" option-bytes --set BFB2=0 2>&1)
has "--set, text: OPTR before and after decoded" 'OPTR before 0xFFFFF8AA: RDP=0xAA .* BFB2=1'
before=$(state_sum ob)
expect_exit 3 "--set nSWBOOT0=0,nBOOT0=1 without --force: refused" an3155 -p "$T/ob" option-bytes --set nSWBOOT0=0,nBOOT0=1
expect_match "--set lock-out: says why" 'ignores the BOOT0 pin; with nBOOT0=1 the part always starts the main flash'
check "--set lock-out: nothing written" test "$(state_sum ob)" = "$before"
expect_exit 3 "--set RDP=0xCC --force: never" an3155 -p "$T/ob" option-bytes --set RDP=0xCC --force
expect_match "--set RDP=0xCC: level 2 is permanent" 'level 2: permanent'
expect_exit 2 "--set with an unknown field: usage error" an3155 -p "$T/ob" option-bytes --set FOO=1
expect_exit 2 "--set with a value too large: usage error" an3155 -p "$T/ob" option-bytes --set BFB2=2
cat >"$T/obusb.sh" <<EOS
"$BUILD/dfuse" --json option-bytes --set nRST_STOP=0 >"$T/obusb.json" 2>"$T/obusb.err"
EOS
expect_exit 0 "dfuse option-bytes --set nRST_STOP=0: exit 0" bounded 120 "$BUILD/romsim" usb --state "$T/obu.state" -- bash "$T/obusb.sh"
check "dfuse --set: before and after" grep -q '"event":"option-change".*"changes":"nRST_STOP 1 -> 0"' "$T/obusb.json"
schema_ok "dfuse --set: every event as stmboot(7) documents it" "$T/obusb.json"

# ---- every command has start and result ----------------------------------------------------------------
OUT=$(an3155 -p "$T/ob" --json info 2>/dev/null)
has "info --json: a result event" '^\{"event":"result","program":"an3155","ok":true,"exit":0,"command":"info"'
echo "$OUT" >"$T/info.json"
schema_ok "info --json: every event as stmboot(7) documents it" "$T/info.json"
OUT=$(an3155 --json parts 2>/dev/null)
has "parts --json: start first" '^\{"event":"start"'
has "parts --json: result last" '"event":"result".*"command":"parts"'
OUT=$(an3155 -p "$T/nothere" --json info 2>/dev/null); RC=$?
has "a failed command: result with ok false and the error" '"event":"result".*"ok":false,"exit":4.*"error":\{"code":"no-device"'
echo "$OUT" >"$T/fail.json"
schema_ok "a failed command: every event as stmboot(7) documents it" "$T/fail.json"
OUT=$(LD_LIBRARY_PATH=$BUILD/fakegpiod${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} FAKE_GPIOD_CHIPS=gpiochip0:32:pinctrl-bcm2711 \
	FAKE_GPIOD_MAP=GPIO17=boot0,GPIO27=nrst FAKE_GPIOD_LOG=$T/gpio.log \
	"$BUILD/bootctl" --json --boot0 gpio:GPIO17 --nrst gpio:GPIO27:open-drain enter 2>/dev/null); RC=$?
is "bootctl --json enter: exit 0" 0
has "bootctl: start first" '^\{"event":"start","program":"bootctl","command":"enter"'
has "bootctl: one result, last, with the command's own members" '"event":"result","program":"bootctl","ok":true,"exit":0,"command":"enter","sequence":'
echo "$OUT" >"$T/bootctl.json"
schema_ok "bootctl: every event as stmboot(7) documents it" "$T/bootctl.json"

finish
