#!/bin/bash
# SPDX-License-Identifier: MIT
# dfuse_plan.sh - dfuse's read-first plan (the default) through the real
# program against the virtual board: a blank part written without erasing,
# the same image again left alone, one changed page erased alone, the page
# contract for an image that covers part of a page, --dry-run with a device,
# the fallback for double-words programmed with 0xFF under each answer the
# ROM may give (errPROG, errWRITE, none: protocol-facts A.7, B.4, E.3), and
# faults on the new paths (a read that fails while planning, injected
# faults around the fallback). No check depends on timing.
. "$(dirname "$0")/lib.sh"

ROMSIM=$BUILD/romsim
DFUSE=$BUILD/dfuse
need_built "dfuse_plan" "run: make BUILD=$BUILD" "$ROMSIM" "$DFUSE"
unset STMBOOT_PORT STMBOOT_BOOT0 STMBOOT_NRST STMBOOT_JIG STMBOOT_CONFIG STMBOOT_ENTRY STMBOOT_EXIT
export HOME=$T/home

ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }

rand_bytes 65536 >"$T/app.bin"            # pages 0-15
cp "$T/app.bin" "$T/app2.bin"                       # one changed byte in page 9
printf '\x5a' | dd of="$T/app2.bin" bs=1 seek=$((9 * 4096 + 77)) conv=notrunc status=none
cmp -s "$T/app.bin" "$T/app2.bin" && printf '\xa5' | dd of="$T/app2.bin" bs=1 seek=$((9 * 4096 + 77)) conv=notrunc status=none

# ---- blank part, re-flash, one changed page --------------------------------------------

fresh p
dfu p -- --json write "$T/app.bin"
is "blank part: exit 0" 0
check "blank part: flash holds the image" flash_equals "$(state p)" 0x08000000 "$T/app.bin"
check "blank part: no page erased" test "$(stat_of p page_erases)" = 0
check "blank part: 16 pages written without erase" test "$(json_of pages_written)" = 16
check "blank part: 64 KB read first" test "$(json_of read_bytes)" = 65536
has "blank part: the plan event says read-first" '"event":"plan".*"plan":"read-first"'

dfu p -- --json write "$T/app.bin"
is "same image again: exit 0" 0
check "same image again: 16 pages unchanged" test "$(json_of pages_skipped)" = 16
check "same image again: nothing erased" test "$(stat_of p page_erases)" = 0
check "same image again: no block written" test "$(stat_of p blocks)" = 0
check "same image again: nothing read but the plan's 64 KB" test "$(stat_of p bytes_up)" = 65536

dfu p -- --json write "$T/app2.bin"
is "one changed page: exit 0" 0
check "one changed page: flash holds the new image" flash_equals "$(state p)" 0x08000000 "$T/app2.bin"
check "one changed page: one page erased" test "$(stat_of p page_erases)" = 1
check "one changed page: 15 unchanged, 1 erased" \
	test "$(json_of pages_skipped)/$(json_of pages_erased)" = 15/1
check "one changed page: two blocks written" test "$(stat_of p blocks)" = 2
check "one changed page: read first 64 KB, read back 4 KB" test "$(stat_of p bytes_up)" = $((65536 + 4096))

dfu p -- --json --plan full write "$T/app2.bin"
is "--plan full: exit 0" 0
check "--plan full: every touched page erased" test "$(stat_of p page_erases)" = 16
has "--plan full: nothing read first" '"plan":"full","read_bytes":0'

# ---- a page the image covers only in part --------------------------------------------

# The image covers the first half of page 20; the second half holds other data.
# Both plans end with the page holding the image and 0xFF (the page-erase contract).
rand_bytes 2048 >"$T/half.bin"
rand_bytes 2048 >"$T/other.bin"
for plan in read-first full; do
	fresh "half-$plan"
	dfu "half-$plan" -- -q write "$T/other.bin@0x08014800"
	dfu "half-$plan" -- --json --plan "$plan" write "$T/half.bin@0x08014000"
	is "part of a page ($plan): exit 0" 0
	check "part of a page ($plan): the image is there" flash_equals "$(state "half-$plan")" 0x08014000 "$T/half.bin"
	check "part of a page ($plan): the rest of the page is erased" flash_erased "$(state "half-$plan")" 0x08014800 2048
	check "part of a page ($plan): the page was erased once" test "$(stat_of "half-$plan" page_erases)" = 1
done
# the image's half already there, the other half foreign: erased all the same
fresh half2
dfu half2 -- -q write "$T/half.bin@0x08014000"
dfu half2 -- -q --plan full --erase none write "$T/other.bin@0x08014800"
dfu half2 -- --json write "$T/half.bin@0x08014000"
check "image half equal, other half foreign: the page is erased and written" \
	test "$RC/$(json_of pages_erased)/$(stat_of half2 page_erases)" = 0/1/1
check "image half equal, other half foreign: the rest reads erased" flash_erased "$(state half2)" 0x08014800 2048

# ---- --dry-run with a device -----------------------------------------------------------

fresh dry
dfu dry -- -q write "$T/app.bin"
ff 4096 >"$T/ff4k.bin"
{ head -c 8192 "$T/app.bin"; head -c 4096 /dev/urandom; } >"$T/dry.bin"     # pages 0-1 same, 2 differs
cat "$T/dry.bin" "$T/ff4k.bin" >"$T/dry2.bin"                                 # page 3: 0xFF over data
{ cat "$T/dry2.bin"; head -c 4096 /dev/urandom; } >"$T/dry3.bin"             # page 4: written
# make page 4 blank first
dfu dry -- -q erase 0x08004000:4096
sum=$(cksum <"$(state dry)")
dfu dry -- --dry-run write "$T/dry3.bin"
is "--dry-run with a device: exit 0" 0
has "--dry-run: read first, one line per kind" 'read first: 5 page\(s\), 20480 bytes: 2 unchanged, 1 to write without erase, 2 to erase and write'
has "--dry-run: the unchanged pages" '^unchanged: 2 page\(s\), neither erased nor written: pages 0-1$'
has "--dry-run: the page written without erase" '^write without erase: 1 page\(s\): pages 4$'
has "--dry-run: the pages erased and written" '^erase: 2 page\(s\), 8192 bytes: pages 2-3$'
check "--dry-run: the board's state is unchanged" test "$(cksum <"$(state dry)")" = "$sum"
check "--dry-run: nothing erased, nothing written" test "$(stat_of dry page_erases)/$(stat_of dry blocks)" = 0/0
dfu dry -- -q write "$T/dry3.bin"
check "the same write for real: flash holds it" flash_equals "$(state dry)" 0x08000000 "$T/dry3.bin"
dfu dry -- --json --dry-run --plan full write "$T/dry3.bin"
has "--dry-run --plan full: nothing read" '"event":"plan".*"plan":"full".*"read_bytes":0'
check "--dry-run --plan full: nothing read from the device" test "$(stat_of dry bytes_up)" = 0

# ---- double-words programmed with 0xFF (protocol-facts A.7, B.4, E.3) -------------------

# Pages 1-2 programmed with 0xFF (--keep-erased-blocks, plan full): they read erased,
# the plan writes them without erase, the device refuses, the fallback erases them.
for mode in errprog errwrite silent; do
	fresh "ff-$mode"
	ff 8192 >"$T/ff8k.bin"
	usb "ff-$mode" --prog-error "$mode" -- sh -c "'$DFUSE' -q --plan full --keep-erased-blocks write '$T/ff8k.bin@0x08001000' && '$DFUSE' --json write '$T/app.bin'"
	is "programmed 0xFF, ROM answers $mode: exit 0" 0
	check "programmed 0xFF ($mode): flash holds the image" flash_equals "$(state "ff-$mode")" 0x08000000 "$T/app.bin"
	check "programmed 0xFF ($mode): pages 1-2 erased again, counted" test "$(json_of pages_reerased)" = 2
	check "programmed 0xFF ($mode): 14 pages written without erase" test "$(json_of pages_written)" = 14
	has "programmed 0xFF ($mode): the message says why the page is erased" \
		'page 1 at 0x08001000: .*programmed with 0xFF.*erasing the page and writing it again'
done
# The run starts mid-page 0 (its first KB is there) and goes on into page 1, programmed
# with 0xFF: the refusal names page 1, and only page 1 is erased (no transfer block spans
# the two pages, so the failure's address cannot point at the wrong one).
fresh ff-mid
head -c 1024 "$T/app.bin" >"$T/app-1k.bin"
ff 4096 >"$T/ff4k.bin"
usb ff-mid -- sh -c "'$DFUSE' -q write '$T/app-1k.bin' && '$DFUSE' -q --plan full --erase none --keep-erased-blocks write '$T/ff4k.bin@0x08001000' && '$DFUSE' --json write '$T/app.bin'"
is "refusal in the page after a mid-page start: exit 0" 0
check "refusal after a mid-page start: flash holds the image" flash_equals "$(state ff-mid)" 0x08000000 "$T/app.bin"
check "refusal after a mid-page start: page 1 alone erased again" \
	test "$(json_of pages_reerased)/$(stat_of ff-mid page_erases)" = 1/1
# a ROM that reports nothing, and --no-verify: pages written without erase are read back anyway
fresh ff-nv
usb ff-nv --prog-error silent -- sh -c "'$DFUSE' -q --plan full --keep-erased-blocks write '$T/ff8k.bin@0x08001000' && '$DFUSE' --json --no-verify write '$T/app.bin'"
is "programmed 0xFF, silent ROM, --no-verify: exit 0" 0
check "programmed 0xFF, silent ROM, --no-verify: flash holds the image" flash_equals "$(state ff-nv)" 0x08000000 "$T/app.bin"
check "programmed 0xFF, silent ROM, --no-verify: 2 pages erased again" test "$(json_of pages_reerased)" = 2
# --plan full never meets it: every page is erased first
fresh ff-full
usb ff-full -- sh -c "'$DFUSE' -q --plan full --keep-erased-blocks write '$T/ff8k.bin@0x08001000' && '$DFUSE' --json --plan full write '$T/app.bin'"
check "programmed 0xFF, --plan full: exit 0, nothing erased again" test "$RC/$(json_of pages_reerased)" = 0/0

# ---- faults on the new paths -----------------------------------------------------------

# the device vanishes while the plan reads: exit 4, nothing erased or written
fresh rdv
dfu rdv -- -q write "$T/app.bin"
sum=$(cksum <"$(state rdv)")
dfu rdv --faults vanish=20 -- write "$T/app2.bin"
is "device gone while reading first: exit 4" 4
has "device gone while reading first: the message names the read" 'read at 0x080[0-9A-F]{5}: device gone'
check "device gone while reading first: the board is unchanged" test "$(cksum <"$(state rdv)")" = "$sum"
check "device gone while reading first: nothing erased or written" \
	test "$(stat_of rdv page_erases)/$(stat_of rdv blocks)" = 0/0
check "device gone while reading first: it went mid-read ($(stat_of rdv uploads) blocks read)" \
	test "$(stat_of rdv uploads)" -gt 0

# injected stalls and errUNKNOWN around the fallback: verified flash or a precise error
for seed in 1 2 3; do
	fresh "fltff$seed"
	usb "fltff$seed" --faults stall=4,status=4 --seed "$seed" -- sh -c "'$DFUSE' -q --plan full --keep-erased-blocks --retries 10 write '$T/ff8k.bin@0x08001000' && '$DFUSE' --json write '$T/app.bin'"
	if [ "$RC" -eq 0 ]; then
		if flash_equals "$(state "fltff$seed")" 0x08000000 "$T/app.bin"; then
			ok "faults around the fallback, seed $seed ($(stat_of "fltff$seed" faults) injected, $(json_of pages_reerased) pages erased again): exit 0 and the flash holds the image"
		else
			not_ok "faults around the fallback, seed $seed: exit 0 but the flash differs"
		fi
	elif grep -Eq '0x0[0-9A-F]{7}' <<<"$OUT"; then
		ok "faults around the fallback, seed $seed: a precise error (exit $RC) naming the address"
	else
		not_ok "faults around the fallback, seed $seed: neither verified nor a precise error" "$(tail -3 <<<"$OUT")"
	fi
done

# ---- usage --------------------------------------------------------------------------------

OUT=$("$DFUSE" --plan sometimes write "$T/app.bin" 2>&1); RC=$?
is "--plan with a bad mode: exit 2" 2
has "--plan with a bad mode: names the modes" "not read-first or full"
OUT=$("$DFUSE" --json --dry-run write "$T/app.bin" 2>/dev/null); RC=$?
has "--dry-run without a device: the full plan" '"event":"plan".*"plan":"full"'

finish
