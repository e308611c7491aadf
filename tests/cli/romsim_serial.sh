#!/bin/bash
# romsim_serial.sh - the `romsim serial` program itself: options and exit
# codes, the state file, the pty link and sockets, pins messages, the
# application banner, the line model, faults and the log. Clients are
# Debian's stm32flash at -m 8n1 (no shim needed) and an3155 through plain
# termios. No check depends on timing.
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
check "--dbank 0 on an existing state: an3155 reads OPTR" AN raw read 0x40022020 4 "$T/optr"
check "--dbank 0: DBANK (bit 22) cleared in OPTR" \
	test "$(od -An -tx1 "$T/optr" | tr -d ' ')" = "aaf8afff"

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
fresh_board rom --crc
check "stm32flash -w 8 bytes" SF rom -w "$T/eight.bin" -S $FLASH
OUT=$(SF rom -C -S $FLASH:8 2>&1)
expect_match "--crc: stm32flash's CRC of 01..08 is 0xa3141bda (facts A.5)" "0xa3141bda"
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
