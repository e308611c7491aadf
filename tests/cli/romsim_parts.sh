#!/bin/bash
# SPDX-License-Identifier: MIT
# romsim_parts.sh - the real an3155 against `romsim serial --part PID`, one
# part of every family: identification, the ROM's erase command (0x43 on F1,
# 0x44 elsewhere), the pages a write erases in the part's layout (uniform
# pages, F2/F4/F7 sectors, dual-bank modes), padding to the part's write
# unit (4 to 32 bytes) with its erased value (0x00 on L0/L1), verify, and
# a whole-flash erase where the ROM has no mass erase (L0/L1). Through the
# OS path: pseudo-terminal + serial shim, as tests/cli/an3155.sh.
. "$(dirname "$0")/lib.sh"

FW=$FIX/fw.bin
FW_SIZE=$(stat -c %s "$FW")
FLASH=0x08000000

need_built "romsim --part" "run: make BUILD=$BUILD all $BUILD/serialshim.so" \
	"$BUILD/an3155" "$BUILD/romsim" "$BUILD/serialshim.so"

# 13 bytes that are neither 0x00 nor 0xFF, for the padding checks
printf 'stmboot-pad!\x5a' >"$T/odd.bin"

# hex_at STATE ADDR LEN: flash bytes as one hex string
hex_at() { flash_bytes "$1" "$2" "$3" | od -An -v -tx1 | tr -d ' \n'; }

# family PID NAME-RE ERASE-OP PAGES-FOR-FW UNIT ERASED [romsim options]
#   ERASE-OP: the log name of the ROM's erase ("erase" 0x44, "legacy-erase" 0x43)
#   PAGES-FOR-FW: erase units fw.bin at 0x08000000 covers in the factory bank mode
#   UNIT, ERASED: write unit and erased byte (hex) the padding must show
family() {
	local pid=$1 name=$2 op=$3 pages=$4 unit=$5 erased=$6 b
	shift 6
	b=p$pid
	fresh_board "$b" --part "$pid" "$@" || { not_ok "$pid: romsim --part starts"; return; }
	expect_exit 0 "$pid: info" A "$b" info
	expect_match "$pid: info names the part by its PID" "PID 0x${pid#0x}"
	expect_match "$pid: info names the part" "$name"
	# shellcheck disable=SC2086  # WRITE_OPTS: words of an3155 options
	expect_exit 0 "$pid: write fw.bin${WRITE_OPTS:+ ($WRITE_OPTS)}" A "$b" write ${WRITE_OPTS:-} "$FW"
	check "$pid: flash holds fw.bin" flash_equals "$T/$b.state" $FLASH "$FW"
	check "$pid: the ROM's erase command ($op) from page 0" log_has "$b" "^$op [0-9]+ pages? from 0: ack"
	local n
	n=$(sed -n 's/^\(legacy-\)\{0,1\}erase \([0-9]*\) pages\{0,1\} from .*: ack$/\2/p' "$T/$b.log" |
		awk '{ s += $1 } END { print s + 0 }')
	if [ "$n" -eq "$pages" ]; then ok "$pid: $pages erase unit(s) for fw.bin"
	else not_ok "$pid: $pages erase unit(s) for fw.bin" "the ROM erased $n" "$(grep erase "$T/$b.log")"; fi
	expect_exit 0 "$pid: verify fw.bin" A "$b" verify ${WRITE_OPTS:-} "$FW"
	# 13 bytes at 0x08007F04, past fw.bin: the host pads to the unit with the erased value
	local at=$((0x08007F04)) lo
	lo=$(( at / unit * unit ))
	expect_exit 0 "$pid: write 13 bytes at 0x08007F04 (erase none)" \
		A "$b" write --erase none "$T/odd.bin@0x08007F04"
	local want pre post i
	pre=$(( at - lo )); post=$(( (at + 13 + unit - 1) / unit * unit - at - 13 ))
	want=$(for ((i = 0; i < pre; i++)); do printf '%s' "$erased"; done
	       od -An -v -tx1 "$T/odd.bin" | tr -d ' \n'
	       for ((i = 0; i < post; i++)); do printf '%s' "$erased"; done)
	if [ "$(hex_at "$T/$b.state" $lo $((pre + 13 + post)))" = "$want" ]; then
		ok "$pid: the write is padded to $unit bytes with 0x$erased"
	else
		not_ok "$pid: the write is padded to $unit bytes with 0x$erased" \
			"flash: $(hex_at "$T/$b.state" $lo $((pre + 13 + post)))" "want:  $want"
	fi
	check "$pid: one Write Memory of $((pre + 13 + post)) bytes at 0x$(printf %08X $lo)" \
		log_has "$b" "^write 0x$(printf %08X $lo)\\+$((pre + 13 + post)): ack"
	stop_board "$b"
}

# PID     name (info)            erase        pages unit erased
family 0x440 'STM32F030x8/F05x'   erase        21   4  ff
family 0x410 'STM32F10x medium'   legacy-erase 21   4  ff
family 0x411 'STM32F2xx'          erase        2    4  ff
family 0x446 'STM32F302xD/E'      erase        11   8  ff
family 0x419 'STM32F42x/F43x'     erase        2    4  ff
family 0x449 'STM32F74x/F75x'     erase        1    16 ff
family 0x460 'STM32G07x/G08x'     erase        11   8  ff
family 0x469 'STM32G47x/G48x'     erase        11   8  ff
family 0x450 'STM32H74x/H75x'     erase        1    32 ff
family 0x417 'STM32L05x/L06x'     erase        164  4  00
family 0x437 'STM32L1xx Cat.5'    erase        82   4  00
family 0x415 'STM32L47x/L48x'     erase        11   8  ff
family 0x470 'STM32L4Rxx/L4Sxx'   erase        6    8  ff
# the L5 keeps its options in registers the ROM does not serve: the bank mode,
# and so the page size, is the user's to give (the factory mode: dual, 2 KB)
WRITE_OPTS="--page-size 2K" family 0x472 'STM32L552/L562' erase 11 8 ff
family 0x482 'STM32U575/U585'     erase        3    16 ff
family 0x495 'STM32WB30'          erase        6    8  ff
family 0x497 'STM32WLE5/WL55'     erase        11   8  ff
family 0x453 'STM32C031'          erase        11   8  ff
family 0x474 'STM32H503'          erase        3    16 ff
family 0x489 'STM32U073/U083'     erase        11   8  ff

# F76x: nDBANK chooses 32/128/256 KB sectors or two banks of 16/64/128 KB, and
# the ROM does not serve the option bytes that hold it: no sector is erased
# by a guessed number, nothing is touched, and the message says what to give.
fresh_board f76 --part 0x451 || not_ok "0x451: romsim --part starts"
expect_exit 3 "0x451: a page-erasing write is refused (bank mode unknown)" A f76 write "$FW"
expect_match "0x451: the message names the way out" 'page layout of this part is unknown'
check "0x451: nothing was erased or written" log_lacks f76 '^(erase|write) '
stop_board f76

# L0: no mass erase in the ROM; an erase of the whole flash names every page
fresh_board l0 --part 0x417 || not_ok "0x417: romsim --part starts"
expect_exit 0 "0x417: erase --all --force" A l0 erase --all --force
check "0x417: no global mass erase was sent" log_lacks l0 '^erase (all|0x)'
n=$(sed -n 's/^erase \([0-9]*\) pages from .*: ack$/\1/p' "$T/l0.log" | awk '{ s += $1 } END { print s + 0 }')
if [ "$n" -eq 512 ]; then ok "0x417: all 512 pages erased by number"
else not_ok "0x417: all 512 pages erased by number" "$n"; fi
stop_board l0

# F1: the legacy Erase 0x43 takes one-byte page numbers: mass erase is "FF 00"
fresh_board f1 --part 0x410 || not_ok "0x410: romsim --part starts"
expect_exit 0 "0x410: write --erase all --force" A f1 write --erase all --force "$FW"
check "0x410: the ROM's global legacy erase" log_has f1 '^legacy-erase all: ack'
check "0x410: flash holds fw.bin" flash_equals "$T/f1.state" $FLASH "$FW"
stop_board f1

# option bytes and RAM where the part has them, not where the L4R5 has them
fresh_board f1 --part 0x410 || not_ok "0x410: romsim --part starts"
expect_exit 0 "0x410: Read Memory of its option bytes at 0x1FFFF800 (16 bytes)" \
	A f1 read 0x1FFFF800 16 "$T/ob.bin"
check "0x410: 16 option bytes read" test "$(stat -c %s "$T/ob.bin")" -eq 16
expect_exit 6 "0x410: the L4R5's option-byte address 0x1FF00000 is refused" A f1 read 0x1FF00000 16 -
check "0x410: ... by the ROM" log_has f1 '^read: 0x1FF00000: address refused: nack'
expect_exit 0 "0x410: RAM from 0x20000200 (its ROM keeps 512 bytes)" A f1 read 0x20000200 16 -
stop_board f1
fresh_board g0 --part 0x460 || not_ok "0x460: romsim --part starts"
expect_exit 0 "0x460: its 128 option bytes at 0x1FFF7800" A g0 read 0x1FFF7800 128 "$T/ob.bin"
expect_exit 6 "0x460: RAM below 0x20002700 is the ROM's" A g0 read 0x20002600 16 -
stop_board g0

# a state file of another part is refused, not reinterpreted
start_board f1 --part 0x417 >/dev/null 2>&1
if ! grep -q '^ready' "$T/f1.out" 2>/dev/null && grep -q "cannot use state file" "$T/f1.out"; then
	ok "romsim refuses a state file made for another part"
else not_ok "romsim refuses a state file made for another part" "$(cat "$T/f1.out")"; stop_board f1; fi
expect_exit 2 "romsim --part with an unknown PID: usage error" bounded 20 "$BUILD/romsim" serial --part 0x123
expect_exit 2 "romsim --part 0x410 --dbank 0: the F1 has no bank option" \
	bounded 20 "$BUILD/romsim" serial --part 0x410 --dbank 0
expect_exit 2 "romsim --part 0x410 --flash-kb 256: larger than the part" \
	bounded 20 "$BUILD/romsim" serial --part 0x410 --flash-kb 256
finish
