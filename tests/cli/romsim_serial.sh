#!/bin/bash
# SPDX-License-Identifier: MIT
# romsim_serial.sh - the `romsim serial` program itself: options and exit
# codes, the state file, the pty link and sockets, pins messages, the
# application banner, the line model, faults and the log. Clients are
# Debian's stm32flash at -m 8n1 (no shim needed) and raw byte clients of
# the test's own (lib.sh raw_chat). No check depends on timing.
. "$(dirname "$0")/lib.sh"

R=$BUILD/romsim
FW=$FIX/fw.bin
FLASH=0x08000000

SF() { local b=$1; shift; bounded 60 stm32flash -m 8n1 -b 115200 "$@" "$T/$b"; }
AN() { local b=$1; shift; bounded 60 "$BUILD/an3155" -q -p "$T/$b" "$@"; }

if ! command -v stm32flash >/dev/null || ! command -v socat >/dev/null; then
	not_ok "romsim serial: stm32flash and socat are installed" "run scripts/deps"
	finish; exit
fi

# ---- options and exit codes ----------------------------------------------------------
expect_exit 0 "--help exits 0" "$R" serial --help
expect_match "--help lists the fault option" "--faults SPEC"
expect_match "--help lists the read rule" "--reads strict\|permissive"
expect_match "--help lists the protocol version" "--protocol V"
expect_exit 2 "bad --reads value -> 2" "$R" serial --reads loose
expect_exit 2 "bad --protocol value -> 2" "$R" serial --protocol 3
expect_exit 2 "bad --crc-frame value -> 2" "$R" serial --crc-frame spi
expect_exit 2 "bad --crc-unit value -> 2" "$R" serial --crc-unit bogus
expect_exit 2 "late without a delay -> 2" "$R" serial --faults 'late@write#1'
expect_exit 2 "unknown option -> 2" "$R" serial --frobnicate
expect_exit 2 "bad --dbank value -> 2" "$R" serial --dbank 2
expect_exit 2 "bad fault spec -> 2" "$R" serial --faults 'nack@nothing#1'
expect_match "bad fault spec: the rule is named" "nack@nothing#1"
expect_exit 2 "bad adapter map -> 2" "$R" serial --adapter 'cts=nrst'
head -c 3000000 /dev/zero > "$T/foreign"
expect_exit 3 "a foreign file as --state -> 3" "$R" serial --state "$T/foreign"
check "the foreign file is left untouched" test "$(stat -c %s "$T/foreign")" = 3000000

# ---- state file: raw image import, persistence ----------------------------------------
cp "$FW" "$T/raw.state"
start_board raw
check "raw image: stm32flash reads it back" SF raw -r "$T/raw.out" -S $FLASH:"$(stat -c %s "$FW")"
check "raw image: the flash is the image" cmp -s "$T/raw.out" "$FW"
check "raw image: the state file grew to the full layout" \
	test "$(stat -c %s "$T/raw.state")" = $((2097152 + 2048 + 32768))
check "pty link exists while serving" test -L "$T/raw"
stop_board raw
check "pty link removed at exit" test ! -e "$T/raw"
check "pins socket removed at exit" test ! -e "$T/raw.pins"
start_board raw --dbank 0
check "restart: the flash persisted" flash_equals "$T/raw.state" $FLASH "$FW"
# a reset: sync, then Read Memory of the option bytes' first word (OPTR)
OUT=$(raw_chat raw "7F 11 EE 1F F0 00 00 EF 03 FC" 8)
expect_match "--dbank 0 on an existing state: DBANK (bit 22) cleared in the option bytes" \
	"^79 79 79 79 AA F8 AF FF$"

# ---- pins socket and the application banner ------------------------------------------
expect_exit 0 "PIN nrst 0 answered" board_ctl raw "PIN nrst 0"
check "MODE is reset while NRST is low" test "$(board_ctl raw MODE)" = reset
board_ctl raw "PIN boot0 0" >/dev/null
board_ctl raw "PIN nrst 1" >/dev/null
check "BOOT0 low and a programmed flash: the application runs" test "$(board_ctl raw MODE)" = app
check "GET boot0" test "$(board_ctl raw 'GET boot0')" = 0
ctl_error() { board_ctl "$1" "$2" | grep -q '^error'; }
check "a malformed message gets an error" ctl_error raw 'PIN x 1'
stop_board raw

start_board app --state "$T/raw.state" --boot0 0 --app-banner "hello from the app"
check "started in the application" test "$(board_ctl app MODE)" = app
timeout 20 cat "$T/app" > "$T/banner.txt" &
catpid=$!
wait_until log_has app '^host: open'
board_ctl app "PIN nrst 0" >/dev/null
board_ctl app "PIN nrst 1" >/dev/null
check "the banner reaches a host that listens" wait_until grep -q "hello from the app" "$T/banner.txt"
kill "$catpid" 2>/dev/null; wait "$catpid" 2>/dev/null
check "log: the application started" log_has app '^app: running from 0x08000000'
board_ctl app "PIN boot0 1" >/dev/null
board_ctl app "PIN nrst 0" >/dev/null
board_ctl app "PIN nrst 1" >/dev/null
check "BOOT0 high and a reset: the ROM answers again" SF app
stop_board app

# ---- the ROM: go, read protection, CRC ---------------------------------------------------
printf '\001\002\003\004\005\006\007\010' > "$T/eight.bin"
fresh_board rom --crc --crc-frame i2c
check "stm32flash -w 8 bytes" SF rom -w "$T/eight.bin" -S $FLASH
OUT=$(SF rom -C -S $FLASH:8 2>&1)
expect_match "--crc-frame i2c: stm32flash's CRC of 01..08 is 0xa3141bda (facts A.5)" "0xa3141bda"
check "log: the ROM computed it" log_has rom '^crc 0x08000000\+8: 0xA3141BDA'
check "stm32flash -g" SF rom -g $FLASH
check "log: Go acknowledged" log_has rom '^go 0x08000000: ack'
check "MODE app after Go" test "$(board_ctl rom MODE)" = app
board_ctl rom POWER >/dev/null
check "POWER: BOOT0 high, back in the ROM" test "$(board_ctl rom MODE)" = rom
check "stm32flash -j (readout protect)" SF rom -j
check "log: rp acknowledged, reset" log_has rom '^rp: ack, reset'
check "protected: stm32flash -r refused" bash -c "! stm32flash -m 8n1 -b 115200 -r '$T/x' -S $FLASH:8 '$T/rom' >/dev/null 2>&1"
check "log: read NACKed at the first byte" log_has rom '^read: read protection active: nack'
check "stm32flash -k (readout unprotect)" SF rom -k
check "unprotected: the flash was erased" flash_erased "$T/rom.state" $FLASH 8

# ---- ROM variants (man/romsim.1, ROM VARIANTS) -----------------------------------------

# Read Memory: only what AN3155 lists, by default (protocol-facts A.5)
fresh_board strict
OUT=$(raw_chat strict "7F 00 FF 01 FE" 21)
expect_match "strict: Get reports v3.1 without 0xA1, Get Version 0x31" \
	"^79 79 0B 31 00 01 02 11 21 31 44 63 73 82 92 79 79 31 00 00 79$"
check "strict: the flash-size word is NACKed at its address" \
	test "$(raw_chat strict "11 EE 1F FF 75 E0 75" 2)" = "79 1F"
check "strict: FLASH_OPTR is NACKed" test "$(raw_chat strict "11 EE 40 02 20 20 42" 2)" = "79 1F"
check "strict: DBGMCU_IDCODE is NACKed" test "$(raw_chat strict "11 EE E0 04 20 00 C4" 2)" = "79 1F"
check "strict: the loader's own RAM is NACKed" test "$(raw_chat strict "11 EE 20 00 00 00 20" 2)" = "79 1F"
check "strict: Go into the loader's RAM is NACKed" test "$(raw_chat strict "21 DE 20 00 00 00 20" 2)" = "79 1F"
check "strict: the option bytes are read" \
	test "$(raw_chat strict "11 EE 1F F0 00 00 EF 03 FC" 7)" = "79 79 79 AA F8 EF FF"
check "log: the refusal names the address" log_has strict '^read: 0x1FFF75E0: address refused: nack'
check "strict: a write of 3 bytes is NACKed after its data (A.5)" \
	test "$(raw_chat strict "31 CE 08 00 00 00 08 02 01 02 03 02" 3)" = "79 79 1F"
check "strict: nothing was written" flash_erased "$T/strict.state" $FLASH 8
# a repeated 0x7F is an opcode: silence, then NACK for a wrong complement (A.1)
check "strict: 0x7F when synced gets no answer" test -z "$(raw_chat strict "7F" 1 1)"
check "strict: ... and the next byte a NACK" test "$(raw_chat strict "7F" 1)" = "1F"
fresh_board perm --reads permissive --repeat-sync nack
check "--reads permissive: the flash-size word is served" \
	test "$(raw_chat perm "7F 11 EE 1F FF 75 E0 75 01 FE" 6)" = "79 79 79 79 00 08"
check "--reads permissive: FLASH_OPTR is served" \
	test "$(raw_chat perm "11 EE 40 02 20 20 42 03 FC" 7)" = "79 79 79 AA F8 EF FF"
check "--repeat-sync nack: 0x7F when synced is NACKed at once" test "$(raw_chat perm "7F" 1)" = "1F"

# v3.3: Get Checksum in the AN3155 §3.13 frame; stm32flash sends the I2C
# loader's frame (CONFLICT F.6) and fails against it
fresh_board v33 --protocol 3.3
check "v3.3: Get lists 0xA1" \
	test "$(raw_chat v33 "7F 00 FF" 17)" = "79 79 0C 33 00 01 02 11 21 31 44 63 73 82 92 A1 79"
check "v3.3: 8 bytes written" test "$(raw_chat v33 "31 CE 08 00 00 00 08 07 01 02 03 04 05 06 07 08 0F" 3)" = "79 79 79"
check "v3.3: CRC of 01..08 with the default polynomial and initial value (A.5)" \
	test "$(raw_chat v33 "A1 5E 08 00 00 00 08 00 00 00 02 02 04 C1 1D B7 6F FF FF FF FF 00" 11)" = \
	"79 79 79 79 79 79 A3 14 1B DA 76"
check "stm32flash -C with the I2C frame fails against the §3.13 frame" \
	bash -c "! stm32flash -m 8n1 -b 115200 -C -S $FLASH:8 '$T/v33' >/dev/null 2>&1"

# write protection: ACK, protected pages left as they are (AN3155 §3.6)
fresh_board wrp
check "wrp: stm32flash -w 8 bytes at 0x08000000" SF wrp -w "$T/eight.bin" -S $FLASH
check "wrp: Write Protect page 0" test "$(raw_chat wrp "63 9C 00 00 00" 2)" = "79 79"
check "wrp: a page erase of page 0 is ACKed" test "$(raw_chat wrp "7F 44 BB 00 00 00 00 00" 3)" = "79 79 79"
check "wrp: ... and page 0 left unchanged" flash_equals "$T/wrp.state" $FLASH "$T/eight.bin"
check "log: the skip is logged" log_has wrp 'write-protected pages left unchanged'
stop_board wrp
start_board wrp --wrp nack
check "--wrp nack: the page erase is NACKed" test "$(raw_chat wrp "7F 44 BB 00 00 00 00 00" 3)" = "79 79 1F"

# option bytes: a whole bank at its base only
fresh_board ob
check "option bytes: 4 bytes at the base are NACKed" \
	test "$(raw_chat ob "7F 31 CE 1F F0 00 00 EF 03 AA F8 AF FF 01" 4)" = "79 79 79 1F"
check "option bytes: WRP1A's address is NACKed" test "$(raw_chat ob "31 CE 1F F0 00 18 F7" 2)" = "79 1F"
stop_board ob
start_board ob --ob-writes any
check "--ob-writes any: 4 bytes at the base are applied (then a reset)" \
	test "$(raw_chat ob "7F 31 CE 1F F0 00 00 EF 03 AA F8 AF FF 01" 4)" = "79 79 79 79"
check "--ob-writes any: DBANK cleared" \
	test "$(raw_chat ob "7F 11 EE 1F F0 00 00 EF 03 FC" 8)" = "79 79 79 79 AA F8 AF FF"

# late replies: held back on the line, then delivered
fresh_board late --faults 'late@gid#1:1500'
check "late@gid#1:1500: the reply comes" test "$(raw_chat late "7F 02 FD" 6 10)" = "79 79 01 04 70 79"
check "log: it was held back" log_has late '^fault: late on gid #1, 1500 ms'

# start-up delay: bytes before the ROM runs are lost
fresh_board slow --startup-ms 3000
raw_chat slow "7F" 1 1 >/dev/null
check "--startup-ms: a byte right after power-up is lost" log_has slow '^startup: byte 0x7F lost'
answers_sync() { test "$(raw_chat "$1" "7F" 1 1)" = 79; }
WAIT_SECS=30 check "--startup-ms: later the ROM answers" wait_until answers_sync slow

# a command left half done by a killed client is still waiting in the next session
fresh_board half
check "half: a client sends a Write Memory's address and is killed" \
	killed_client half "7F 31 CE 08 00 00 00 08" 3
check "half: the next client's bytes complete the old command" \
	test "$(raw_chat half "03 01 02 03 04 07" 1)" = "79"
printf '\001\002\003\004' >"$T/four.bin"
check "half: ... which wrote them" flash_equals "$T/half.state" $FLASH "$T/four.bin"
check "log: written 4 bytes at 0x08000000" log_has half '^write 0x08000000\+4: ack'

# ---- line model: a host that is really at 8N1 ---------------------------------------------
fresh_board line
check "CFLAG accepted on the pins socket" test "$(board_ctl line 'CFLAG speed=115200 bits=8 parity=none stop=1')" = ok
check "a host at 8N1 does not get through Get" bash -c "! stm32flash -m 8n1 -b 115200 '$T/line' >/dev/null 2>&1"
check "log: the host line was seen" log_has line '^line: host 115200 8N1'
check "log: the sync still worked (0x7F survives 8N1)" log_has line '^sync: ack'
check "log: Get never completed" bash -c "! grep -q '^get: ack' '$T/line.log'"

# ---- faults ----------------------------------------------------------------------------
fresh_board flt --faults 'nack@get#1' --seed 3
check "nack@get#1: stm32flash fails" bash -c "! stm32flash -m 8n1 -b 115200 '$T/flt' >/dev/null 2>&1"
check "log: the fault fired" log_has flt '^fault: nack on get #1'
check "the second Get is answered" SF flt
stop_board flt

finish
