#!/bin/bash
# SPDX-License-Identifier: MIT
# an3155_plan.sh - an3155 --plan read-first (off by default) through the
# real program, the serial shim and romsim serial: a re-flash leaves equal
# pages alone, a changed page is erased alone, a blank part is written
# without erasing, and pages whose double-words were programmed with 0xFF
# are erased and written again whether the ROM NACKs the write or ACKs it
# without programming (romsim --silent-progerr, protocol-facts A.7). The
# default stays the full plan. No check depends on timing.
. "$(dirname "$0")/lib.sh"

need_built "an3155_plan" "run: make BUILD=$BUILD all $BUILD/serialshim.so" \
	"$BUILD/an3155" "$BUILD/romsim" "$BUILD/serialshim.so"
unset STMBOOT_PORT STMBOOT_BOOT0 STMBOOT_NRST STMBOOT_JIG STMBOOT_CONFIG STMBOOT_ENTRY STMBOOT_EXIT
export HOME=$T/home

# AO BOARD ARGS...: lib.sh's A (the real program on board BOARD's port,
# bounded), its output in $OUT and exit status in $RC.
AO() { OUT=$(A "$@" 2>&1); RC=$?; }
# ROM commands as romsim logs them (counted with log_since_count): "erase N
# pages from P: ack", "write 0x...: ack"

rand_bytes 16384 >"$T/app.bin"             # pages 0-3
cp "$T/app.bin" "$T/app2.bin"
printf '\x00' | dd of="$T/app2.bin" bs=1 seek=$((2 * 4096 + 5)) conv=notrunc status=none
cmp -s "$T/app.bin" "$T/app2.bin" && printf '\x01' | dd of="$T/app2.bin" bs=1 seek=$((2 * 4096 + 5)) conv=notrunc status=none
head -c 8192 /dev/zero | tr '\0' '\377' >"$T/ff8k.bin"

fresh_board rf || { finish; exit; }
n=$(log_size rf)
AO rf --json --plan read-first write "$T/app.bin"
is "blank part, read first: exit 0" 0
check "blank part: flash holds the image" flash_equals "$T/rf.state" 0x08000000 "$T/app.bin"
check "blank part: no erase command" test "$(log_since_count rf "$n" '^erase ')" = 0
check "blank part: 4 pages written without erase" test "$(json_of pages_written)" = 4

n=$(log_size rf)
AO rf --json --plan read-first write "$T/app.bin"
is "same image again: exit 0" 0
check "same image again: 4 pages unchanged" test "$(json_of pages_skipped)" = 4
check "same image again: no erase, no write" test "$(log_since_count rf "$n" '^erase ')/$(log_since_count rf "$n" '^write 0x')" = 0/0

n=$(log_size rf)
AO rf --json --plan read-first write "$T/app2.bin"
is "one changed page: exit 0" 0
check "one changed page: flash holds it" flash_equals "$T/rf.state" 0x08000000 "$T/app2.bin"
check "one changed page: one page erased" test "$(json_of pages_erased)" = 1
check "one changed page: the ROM erased page 2 only" log_since_has rf "$n" '^erase 1 pages? from 2'

n=$(log_size rf)
AO rf --json write "$T/app.bin"
is "default plan (full): exit 0" 0
has "default plan: full, nothing read first" '"plan":"full","read_bytes":0'
check "default plan: every touched page erased" test "$(json_of erased_pages)" = 4

# double-words programmed with 0xFF read erased: the fallback erases the page
for mode in nack silent; do
	opt=(); [ "$mode" = silent ] && opt=(--silent-progerr)
	fresh_board "ff-$mode" "${opt[@]}" || continue
	AO "ff-$mode" -q --keep-erased-blocks write "$T/ff8k.bin@0x08001000"
	AO "ff-$mode" --json --plan read-first write "$T/app.bin"
	is "programmed 0xFF, ROM answers $mode: exit 0" 0
	check "programmed 0xFF ($mode): flash holds the image" flash_equals "$T/ff-$mode.state" 0x08000000 "$T/app.bin"
	check "programmed 0xFF ($mode): pages 1-2 erased again" test "$(json_of pages_reerased)" = 2
done

# --dry-run with a port reads, and changes nothing
sum=$(state_sum rf)
AO rf --dry-run --plan read-first write "$T/app2.bin"
is "--dry-run read first: exit 0" 0
has "--dry-run read first: one page to erase, three unchanged" \
	'read first: 4 page\(s\), 16384 bytes: 3 unchanged, 0 to write without erase, 1 to erase and write'
check "--dry-run read first: the board is unchanged" test "$(state_sum rf)" = "$sum"

AO rf --plan often write "$T/app.bin"
is "--plan with a bad mode: exit 2" 2

finish
