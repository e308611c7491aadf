#!/bin/bash
# SPDX-License-Identifier: MIT
# rom_matrix.sh - the real an3155 against every ROM variant romsim models
# (issue 8 item 8, DESIGN.md testing tier 3b): write, verify, info and
# option-bytes on the strict L4R5 ROM (the default) and on each side of
# every fact protocol-facts marks C1, INF or CONFLICT that a host depends
# on (man/romsim.1, ROM VARIANTS). The tools must pass on every variant.
#
# Each variant gets a fresh board. Checks look at the flash in the state
# file, exit codes, key messages and romsim's log (one line per ROM
# command). Nothing depends on time: late replies and start-up delays are
# the board's, every program run is bounded.
. "$(dirname "$0")/lib.sh"

FW=$FIX/fw.bin
FW_SIZE=$(stat -c %s "$FW")
FLASH=0x08000000

need_built "rom matrix" "run: make BUILD=$BUILD all $BUILD/serialshim.so" \
	"$BUILD/an3155" "$BUILD/romsim" "$BUILD/serialshim.so"

# two-seg.hex as flash bytes from 0x08000000, gaps erased (an independent conversion)
if objcopy -I ihex -O binary --gap-fill 0xff "$FIX/two-seg.hex" "$T/two-seg.bin" 2>/dev/null; then
	ok "rom matrix: objcopy converts two-seg.hex"
else
	not_ok "rom matrix: objcopy converts two-seg.hex"
fi
# A different image of fw.bin's size: a write that must not happen would show.
OTHER=$T/other.bin
tr '\000-\377' '\377\000-\376' <"$FW" >"$OTHER"

# the bound of lib.sh's A (the real an3155 on a board's port, through the shim)
A3_SECS=180

# ROM commands that change flash, as romsim logs them (sim/an3155_dev_cmds.c).
TOUCH='^(write|erase)[ :]'

# write_hex B: write fw.hex (fixtures: the same bytes as fw.bin at 0x08000000).
write_hex() {
	local b=$1
	expect_exit 0 "$b: write fw.hex" A "$b" write "$FIX/fw.hex"
	check "$b: the flash holds fw.bin" flash_equals "$T/$b.state" $FLASH "$FW"
	check "$b: the rest of its last page erased" \
		flash_erased "$T/$b.state" $((FLASH + FW_SIZE)) $((0x08006000 - FLASH - FW_SIZE))
	check "$b: no double-word programmed twice" log_lacks "$b" PROGERR
}

# job B: the common job on board B: write and verify fw.hex, write the
# two-segment file, info, option-bytes.
job() {
	local b=$1
	write_hex "$b"
	expect_exit 0 "$b: verify fw.hex" A "$b" verify "$FIX/fw.hex"
	expect_exit 0 "$b: write two-seg.hex" A "$b" write "$FIX/two-seg.hex"
	check "$b: two-seg.hex: first segment in flash" \
		cmp -s <(flash_bytes "$T/$b.state" $FLASH 65536) <(head -c 65536 "$T/two-seg.bin")
	check "$b: two-seg.hex: second segment in flash" \
		cmp -s <(flash_bytes "$T/$b.state" 0x08030000 65536) <(tail -c 65536 "$T/two-seg.bin")
	check "$b: two-seg.hex: the gap is erased" flash_erased "$T/$b.state" 0x08010000 0x20000
	expect_exit 0 "$b: info" A "$b" info
	expect_match "$b: info: PID 0x470" "PID 0x470"
	INFO=$OUT
	expect_exit 0 "$b: option-bytes" A "$b" option-bytes
	expect_match "$b: option-bytes: bank 1 decoded" "OPTR +0x[0-9A-F]{8} +RDP level 0"
}

# ---- strict reads, protocol v3.1: the L4R5 as documented (the default) -------------------
# Read Memory serves flash, SRAM from 0x20003200, system memory, OTP and
# option bytes only (protocol-facts A.5; FORUM: 0x1FFF75E0 NACKed on L43x).
fresh_board strict || { finish; exit; }
job strict
OUT=$INFO
expect_match "strict: info: bootloader v3.1" "v3\.1"
expect_match "strict: info: dual bank, 4 KB pages" "2 banks x 256 pages x 4 KB"
expect_exit 0 "strict: write --json" A strict --json write "$FIX/fw.hex"
expect_match "strict: verified by read-back (no 0xA1 on v3.1)" '"event":"result".*"verify":"read-back"'
check "strict: the flash holds fw.bin" flash_equals "$T/strict.state" $FLASH "$FW"
stop_board strict

# ---- permissive reads: the registers served too (the other side of A.5's C1) -------------
fresh_board permissive --reads permissive || { finish; exit; }
job permissive
stop_board permissive

# ---- v3.3: Get Checksum 0xA1 in the AN3155 §3.13 frame ------------------------------------
fresh_board v33 --protocol 3.3 || { finish; exit; }
job v33
n=$(log_size v33)
expect_exit 0 "v33: write --json" A v33 --json write "$FIX/fw.hex"
expect_match "v33: verified by CRC" '"event":"result".*"verify":"crc"'
check "v33: the flash is byte-exact" flash_equals "$T/v33.state" $FLASH "$FW"
check "v33: the ROM computed a CRC over the image" log_since_has v33 "$n" '^crc 0x080'
check "v33: the ROM was not asked for the image back" log_since_lacks v33 "$n" '^read 0x080'
expect_exit 0 "v33: verify --json" A v33 --json verify "$FIX/fw.hex"
expect_match "v33: verify by CRC" '"event":"result".*"method":"crc"'
poke_flash "$T/v33.state" 0x08001000 00
expect_exit 9 "v33: a changed byte fails verify (exit 9)" A v33 verify "$FIX/fw.hex"
stop_board v33

# ---- v3.3 with stm32flash's (the I2C loader's) frame: CONFLICT F.6's other side -----------
# A host sending the §3.13 frame gets no sensible answer and must fall back.
fresh_board v33i2c --protocol 3.3 --crc-frame i2c || { finish; exit; }
job v33i2c
expect_exit 0 "v33i2c: verify fw.hex again" A v33i2c verify "$FIX/two-seg.hex"
poke_flash "$T/v33i2c.state" 0x08001000 00
expect_exit 9 "v33i2c: a changed byte fails verify (exit 9)" A v33i2c verify "$FIX/two-seg.hex"
stop_board v33i2c

# ---- DBANK 0 and 1 ------------------------------------------------------------------------------
fresh_board dbank0 --dbank 0 || { finish; exit; }
job dbank0
OUT=$INFO
expect_match "dbank0: info: 256 pages of 8 KB" "256 (pages )?x 8 KB"
stop_board dbank0

fresh_board dbank1 --dbank 1 || { finish; exit; }
job dbank1
OUT=$INFO
expect_match "dbank1: info: 2 banks x 256 pages x 4 KB" "2 banks x 256 pages x 4 KB"
# The option bytes are written as a whole bank at its base (C, E.4); the part resets.
expect_exit 0 "dbank1: option-bytes --write 0xFFAFF8AA (DBANK off) --force" \
	A dbank1 option-bytes --write 0xFFAFF8AA --force
check "log: the whole bank 1 written at its base" log_has dbank1 '^write 0x1FF00000\+40: ack, options applied, reset'
expect_exit 0 "dbank1: info after the change" A dbank1 info
expect_match "dbank1: now 256 pages of 8 KB" "256 (pages )?x 8 KB"
write_hex dbank1
stop_board dbank1

# ---- a start-up delay: the ROM hears nothing for 800 ms after power-up and each reset ------
fresh_board startup --startup-ms 800 || { finish; exit; }
job startup
expect_exit 0 "startup: option-bytes --write (the part resets, starts slowly)" \
	A startup option-bytes --write 0xFFEFF8AA --force
check "log: bytes were lost while the ROM started" log_has startup '^startup: byte'
stop_board startup

# ---- late replies: one reply held back 1.5 s must be survived ------------------------------
fresh_board latewr --faults 'late@write#2.last:1500' || { finish; exit; }
job latewr
check "log: the 2nd write's final ACK came 1.5 s late" log_has latewr '^fault: late on write #2, byte 3'
stop_board latewr

# the ACK to the very first 0x7F (issue 8 item 4: not a parity problem)
fresh_board latesync --faults 'late@sync#1:1500' || { finish; exit; }
write_hex latesync
lacks "latesync: not blamed on parity" "parity"
check "log: the sync's ACK came 1.5 s late" log_has latesync '^fault: late on sync #1'
expect_exit 0 "latesync: verify fw.hex" A latesync verify "$FIX/fw.hex"
stop_board latesync

# ---- 0x7F when already synchronised: NACK at once (the other side of A.1) ------------------
# (every variant above answers it silently: each an3155 run after the first
# meets a synchronised ROM)
fresh_board syncnack --repeat-sync nack || { finish; exit; }
job syncnack
check "log: the repeated 0x7F was NACKed at once" log_has syncnack '^sync: nack \(already synced\)'
stop_board syncnack

# ---- silent PROGERR (A.7) with a lost final ACK ---------------------------------------------
fresh_board silent --silent-progerr --faults 'drop-out@write#3.last' || { finish; exit; }
job silent
check "log: the 3rd write's final ACK was lost" log_has silent '^fault: drop-out on write #3'
stop_board silent

# ---- read protection: exit 8, nothing erased; then write --read-unprotect --force --------------
cp "$FW" "$T/rdp.state"
start_board rdp --rdp 1 || { finish; exit; }
sum=$(state_sum rdp)
n=$(log_size rdp)
expect_exit 8 "rdp: write exits 8 (protection)" A rdp write "$OTHER"
has "rdp: the message names read protection and the way out" "read protection.*read-unprotect"
check "rdp: nothing erased or written (state file unchanged)" test "$(state_sum rdp)" = "$sum"
check "log: no write or erase reached the ROM" log_since_lacks rdp "$n" "$TOUCH"
expect_exit 8 "rdp: verify exits 8" A rdp verify "$FIX/fw.hex"
expect_exit 0 "rdp: write --read-unprotect --force" A rdp write --read-unprotect --force "$FIX/two-seg.hex"
check "log: Readout Unprotect acknowledged" log_has rdp '^ru: ack'
check "rdp: the flash holds two-seg.hex" \
	cmp -s <(flash_bytes "$T/rdp.state" $FLASH $((0x40000))) "$T/two-seg.bin"
check "rdp: the rest was mass-erased" flash_erased "$T/rdp.state" 0x08040000 65536
expect_exit 0 "rdp: info after" A rdp info
expect_match "rdp: protection none" "protection +none"
stop_board rdp

# ---- write protection: found before anything is erased --------------------------------------
fresh_board wrp || { finish; exit; }
write_hex wrp
expect_exit 0 "wrp: write-protect 0 1" A wrp write-protect 0 1
sum=$(state_sum wrp)
n=$(log_size wrp)
expect_exit 8 "wrp: a write onto protected pages exits 8" A wrp write "$OTHER"
has "wrp: the protected pages are named" "(page|pages) 0(-| and |, ?)1"
has "wrp: write-unprotect is pointed at" "write-unprotect"
check "wrp: the flash is unchanged (nothing erased)" flash_equals "$T/wrp.state" $FLASH "$FW"
check "wrp: the state file is unchanged" test "$(state_sum wrp)" = "$sum"
check "log: no write or erase reached the ROM" log_since_lacks wrp "$n" "$TOUCH"
expect_exit 0 "wrp: a write elsewhere works" A wrp write "$FW@0x08010000"
check "wrp: ... and lands" flash_equals "$T/wrp.state" 0x08010000 "$FW"
expect_exit 0 "wrp: write-unprotect" A wrp write-unprotect
expect_exit 0 "wrp: then the write works" A wrp write "$OTHER"
check "wrp: the flash holds the new image" flash_equals "$T/wrp.state" $FLASH "$OTHER"
stop_board wrp

# ---- half-finished commands left by a killed client ---------------------------------------
# The ROM knows nothing of the host's tty: the next an3155 meets a ROM still
# inside the command (here a Write Memory to bank 2, waiting for its
# length byte, and an Extended Erase halfway through its page list). It
# must start cleanly and never complete them with bytes of its own.
fresh_board halfwr || { finish; exit; }
check "halfwr: a client is killed inside a Write Memory to 0x08100000" \
	killed_client halfwr "7F 31 CE 08 10 00 00 18" 3
write_hex halfwr
check "halfwr: nothing was written at 0x08100000" flash_erased "$T/halfwr.state" 0x08100000 4096
check "log: no write to 0x08100000 was acknowledged" log_lacks halfwr '^write 0x08100000.*: ack'
stop_board halfwr

fresh_board halfer || { finish; exit; }
# data on page 257 (0x08101000), then an Extended Erase of pages 257 and ... cut short
check "halfer: 8 bytes written at 0x08101000 (a client of its own)" \
	test "$(raw_chat halfer "7F 31 CE 08 10 10 00 08 07 01 02 03 04 05 06 07 08 0F" 4)" = "79 79 79 79"
check "halfer: a client is killed inside an Extended Erase's page list" \
	killed_client halfer "44 BB 00 01 01 01" 1
write_hex halfer
check "halfer: page 257 was not erased" \
	cmp -s <(flash_bytes "$T/halfer.state" 0x08101000 8) <(printf '\001\002\003\004\005\006\007\010')
stop_board halfer

finish
