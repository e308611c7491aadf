#!/bin/bash
# SPDX-License-Identifier: MIT
# dfuse.sh - the real dfuse program against the virtual board's emulated USB
# DfuSe devices (`romsim usb`, umockdev): list/info, write + verify of every
# input format with the flash checked in the board's state file, erase of
# exactly the touched pages, leave, read, verify mismatch, erase commands,
# read protection, option bytes, several devices, bad files, injected
# faults, .dfu pack/unpack (cross-checked with dfu-util and the fact sheet's
# sample file) and --dry-run without a device. No check depends on timing.
. "$(dirname "$0")/lib.sh"

ROMSIM=$BUILD/romsim
DFUSE=$BUILD/dfuse
need_built "dfuse" "run: make BUILD=$BUILD" "$ROMSIM" "$DFUSE"
unset STMBOOT_PORT STMBOOT_BOOT0 STMBOOT_NRST STMBOOT_JIG STMBOOT_CONFIG STMBOOT_ENTRY STMBOOT_EXIT
export HOME=$T/home
BIN=$FIX/fw.bin

# two-seg.hex as flash bytes from 0x08000000, gaps erased (an independent conversion)
objcopy -I ihex -O binary --gap-fill 0xff "$FIX/two-seg.hex" "$T/two-seg.bin" 2>/dev/null ||
	not_ok "objcopy converts two-seg.hex"

# ---- list, info ---------------------------------------------------------------------

fresh id
dfu id -- list
is "list exits 0" 0
has "list: 0483:df11 ver=2200 on path 1-1 with the ROM's product string" \
	'^0483:df11 ver=2200 path=1-1 serial=[0-9A-F]{12} "STM32  BOOTLOADER"'
has "list: alt 0 internal flash layout" 'alt 0 +@Internal Flash  /0x08000000/512\*0004Kg'
has "list: alt 0 decoded: 512 x 4 KB, readable/erasable/writeable" '0x08000000-0x081FFFFF 512 x 4 KB rew'
has "list: alt 1 option bytes, both banks decoded" '0x1FF01000-0x1FF01027 1 x 40 B'
has "list: alt 2 OTP" 'alt 2 +@OTP Memory'
dfu id -- --json list
has "list --json: a device event with the transfer size and the layout" \
	'"event":"device".*"transfer_size":2048.*"alts":\[\{"alt":0,"name":"@Internal Flash'
dfu id -- info
is "info exits 0" 0
has "info: DFU functional descriptor" 'bcdDFUVersion 0x011A \(DfuSe\), wTransferSize 2048, detach timeout 255 ms'
has "info: attributes decoded" 'attributes +0x0B: download, upload, will-detach, not manifestation-tolerant'
has "info: the part named from the device table by its memory map" 'part +STM32L4Rxx/L4Sxx \(PID 0x470\)'
has "info: DfuSe command list" 'commands +00 \(get commands\), 21 \(set address\), 41 \(erase\), 92 \(read unprotect\)'
has "info: manufacturer and serial strings" 'manufacturer "STMicroelectronics"'
has "info: no protection" 'protection +none \(level 0\)'
has "info: option bytes decoded (factory OPTR)" 'OPTR 0xFFEFF8AA: RDP=0xAA DBANK=1 DB1M=1 BFB2=0 nBOOT0=1 nSWBOOT0=1 nBOOT1=1'
dfu id -- --json info
has "info --json: info event" '"event":"info".*"bcd_device":8704.*"commands":"00 21 41 92".*"protected":false,"optr":4293916842'
has "info --json: the part's PID from the table" '"event":"info".*"parts":\[1136\]'

# ---- write + verify of every format --------------------------------------------------

for f in fw.elf fw.bin fw.hex fw.srec fw.dfu; do
	fresh "w-$f"
	dfu "w-$f" -- write "$FIX/$f"
	is "write $f exits 0" 0
	has "write $f: verified" 'verified by read-back'
	check "write $f: the board's flash holds the image" flash_equals "$(state "w-$f")" 0x08000000 "$BIN"
	# a fresh board reads erased: the plan writes without erasing (--plan full erases, below)
	has "write $f: 6 pages written without erase" 'pages: 0 unchanged, 6 written without erase, 0 erased'
	check "write $f: no page erased" test "$(stat_of "w-$f" page_erases)" = 0
	dfu "w-$f" -- verify "$FIX/$f"
	is "verify $f after writing exits 0" 0
done

fresh w-full
dfu w-full -- write --plan full "$FIX/fw.hex"
is "write --plan full exits 0" 0
check "write --plan full: 6 pages erased" test "$(stat_of w-full page_erases)" = 6
check "write --plan full: the board's flash holds the image" flash_equals "$(state w-full)" 0x08000000 "$BIN"

# firmware on standard input ("-"): read once, written, verified
fresh w-stdin
dfu w-stdin -- write - <"$FIX/fw.hex"
is "write - (fw.hex on stdin) exits 0" 0
check "write -: the board's flash holds the image" flash_equals "$(state w-stdin)" 0x08000000 "$BIN"
dfu w-stdin -- verify - <"$FIX/fw.hex"
is "verify - (fw.hex on stdin) exits 0" 0

# the same image again without erasing: every block already holds its data, so the
# engine's read-back after each refused block finishes the job (no retry budget runs out)
dfu "w-fw.bin" -- write --erase none "$FIX/fw.bin"
is "rewrite of identical data with --erase none exits 0" 0
check "rewrite with --erase none: flash unchanged" flash_equals "$(state w-fw.bin)" 0x08000000 "$BIN"

# two segments, and a victim in the gap and right after them: only touched pages erased
fresh seg
rand_bytes 4096 >"$T/victim.bin"
dfu seg -- -q write "$T/victim.bin@0x08020000"
dfu seg -- -q write "$T/victim.bin@0x08040000"
dfu seg -- write --plan full "$FIX/two-seg.hex"
is "write two-seg.hex exits 0" 0
has "two-seg.hex: plan erases pages 0-15 and 48-63 only" 'erase: 32 page\(s\), 131072 bytes: pages 0-15, 48-63'
check "two-seg.hex: first segment in flash" \
	cmp -s <(flash_bytes "$(state seg)" 0x08000000 65536) <(head -c 65536 "$T/two-seg.bin")
check "two-seg.hex: second segment in flash" \
	cmp -s <(flash_bytes "$(state seg)" 0x08030000 65536) <(tail -c 65536 "$T/two-seg.bin")
check "two-seg.hex: the victim page in the gap survived" flash_equals "$(state seg)" 0x08020000 "$T/victim.bin"
check "two-seg.hex: the victim page after the image survived" flash_equals "$(state seg)" 0x08040000 "$T/victim.bin"
check "two-seg.hex: exactly 32 page erases" test "$(stat_of seg page_erases)" = 32
# one Set Address per run of blocks, not per 2 KB block: 32 erases, 2 runs
# written, 2 runs read back
n=$(grep -c 'DNLOAD .*wValue=0 .*wLength=5 ' "$T/seg.log")
check "two-seg.hex: 5-byte commands = 32 erases + one Set Address per run ($n)" test "$n" -eq 36

# the same with the default plan: the pages read erased, nothing is erased, the
# victims survive, and the pages are read in two runs (Set Address each)
fresh seg2
dfu seg2 -- -q write "$T/victim.bin@0x08020000"
dfu seg2 -- -q write "$T/victim.bin@0x08040000"
dfu seg2 -- write "$FIX/two-seg.hex"
is "write two-seg.hex (read first) exits 0" 0
has "two-seg.hex read first: pages 0-15 and 48-63 written without erase" \
	'write without erase: 32 page\(s\): pages 0-15, 48-63$'
has "two-seg.hex read first: nothing to erase" '^erase: none$'
check "two-seg.hex read first: no page erased" test "$(stat_of seg2 page_erases)" = 0
check "two-seg.hex read first: flash holds the image" \
	cmp -s <(head -c 262144 "$(state seg2)") <(head -c 262144 "$(state seg)")
check "two-seg.hex read first: the victims survived" flash_equals "$(state seg2)" 0x08040000 "$T/victim.bin"
n=$(grep -c 'DNLOAD .*wValue=0 .*wLength=5 ' "$T/seg2.log")
check "two-seg.hex read first: 5-byte commands = 2 reads + 2 writes + 2 read-backs ($n)" test "$n" -eq 6

# blocks of 0xFF on freshly erased flash are not sent; --keep-erased-blocks sends them
{ rand_bytes 8192; head -c 8192 /dev/zero | tr '\0' '\377'; head -c 8192 /dev/urandom; } >"$T/holes.bin"
fresh holes
dfu holes -- --json --plan full write "$T/holes.bin"
has "0xFF blocks skipped" '"skipped_blocks":4'
check "0xFF blocks: 8 blocks written" test "$(stat_of holes blocks)" = 8
check "0xFF blocks: flash holds the image" flash_equals "$(state holes)" 0x08000000 "$T/holes.bin"
fresh holes
dfu holes -- --json write "$T/holes.bin"
has "read first: the pages of 0xFF equal the erased flash" '"pages_skipped":2,"pages_written":4,'
check "read first: 8 blocks written" test "$(stat_of holes blocks)" = 8
check "read first: flash holds the image" flash_equals "$(state holes)" 0x08000000 "$T/holes.bin"
fresh holes
dfu holes -- -q --keep-erased-blocks write "$T/holes.bin"
check "--keep-erased-blocks: all 12 blocks written" test "$(stat_of holes blocks)" = 12

# ---- leave ----------------------------------------------------------------------------

fresh lv
dfu lv -- write --leave "$FIX/fw.hex"
is "write --leave exits 0" 0
has "write --leave: says the application runs" 'left DFU mode: the application at 0x08000000 runs'
check "write --leave: the board runs the application at 0x08000000" \
	test "$(stat_of lv mode) $(stat_of lv app_entry)" = "app 0x08000000"
check "write --leave: the device left the bus" log_has lv 'removed from the bus'
dfu lv --boot0 0 -- list
has "after leave, with BOOT0 low, no DFU device is there" 'no DFU device found'
fresh lv2
dfu lv2 -- -q write "$FIX/fw.hex"
dfu lv2 -- leave 0x08000000
is "leave ADDR exits 0" 0
check "leave: the board runs the application" test "$(stat_of lv2 mode)" = app

# ---- read --------------------------------------------------------------------------------

dfu lv2 -- read 0x08000000 20960 "$T/read.bin"
is "read exits 0" 0
check "read: the file holds the flash" cmp -s "$T/read.bin" "$BIN"
usb lv2 -- sh -c "'$DFUSE' -q read 0x08000100:16 - >'$T/stdout.bin'"
check "read ADDR:LEN to stdout" cmp -s "$T/stdout.bin" <(tail -c +257 "$BIN" | head -c 16)
dfu lv2 -- read 0x1FF00000 40 "$T/ob.bin"
check "read: option bytes through alt 1 (OPTR aa f8 ef ff)" \
	test "$(head -c 4 "$T/ob.bin" | od -An -tx1 | tr -d ' \n')" = aaf8efff
dfu lv2 -- read 0x30000000 16 "$T/none.bin"
is "read outside every memory: exit 3" 3
has "read outside: names the address" '0x30000000'

# ---- verify mismatch ---------------------------------------------------------------------

fresh vm
dfu vm -- -q write "$FIX/fw.hex"
poke_flash "$(state vm)" 0x08001234 00
dfu vm -- verify "$FIX/fw.hex"
is "verify after a poke: exit 9" 9
has "verify mismatch: names the address" 'verify at 0x08001234: flash holds 0x00'
dfu vm -- --json verify "$FIX/fw.hex"
has "verify mismatch --json: error event with the address" '"event":"error".*"code":"verify","exit":9,"address":134222388'

# ---- erase --------------------------------------------------------------------------------

fresh er
rand_bytes 65536 >"$T/r64.bin"
dfu er -- -q write "$T/r64.bin"
dfu er -- erase 0x08001000:0x2000
is "erase RANGE exits 0" 0
check "erase RANGE: pages 1-2 erased" flash_erased "$(state er)" 0x08001000 0x2000
check "erase RANGE: page 0 kept" cmp -s <(flash_bytes "$(state er)" 0x08000000 4096) <(head -c 4096 "$T/r64.bin")
check "erase RANGE: page 3 kept" cmp -s <(flash_bytes "$(state er)" 0x08003000 4096) \
	<(tail -c +$((0x3000 + 1)) "$T/r64.bin" | head -c 4096)
dfu er -- erase --pages 5,7-8
is "erase --pages exits 0" 0
check "erase --pages: page 5 erased" flash_erased "$(state er)" 0x08005000 4096
check "erase --pages: pages 7-8 erased" flash_erased "$(state er)" 0x08007000 8192
check "erase --pages: page 6 kept" cmp -s <(flash_bytes "$(state er)" 0x08006000 4096) \
	<(tail -c +$((0x6000 + 1)) "$T/r64.bin" | head -c 4096)
dfu er -- erase 0x08000800:0x800
is "erase of a half page: exit 3" 3
has "erase of a half page: says page aligned" 'not page aligned'
dfu er -- erase --all
is "erase --all without --force exits 2" 2
check "erase --all without --force: no mass erase" test "$(stat_of er mass_erases)" = 0
dfu er -- erase --all --force
is "erase --all exits 0" 0
check "erase --all: flash erased" flash_erased "$(state er)" 0x08000000 65536
check "erase --all: one mass erase" test "$(stat_of er mass_erases)" = 1

# ---- read protection ----------------------------------------------------------------------

fresh rdp
dfu rdp -- -q write "$FIX/fw.hex"
dfu rdp --rdp 1 -- info
has "RDP: info reports read protection" 'protection +read protection active'
before=$(cksum <"$(state rdp)")
dfu rdp -- write "$FIX/fw.hex"
is "RDP: write exits 8" 8
has "RDP: the message says how to remove it" 'errVENDOR.*--read-unprotect --force'
check "RDP: the refused write changed nothing" test "$(cksum <"$(state rdp)")" = "$before"
dfu rdp -- read 0x08000000 16 "$T/x.bin"
is "RDP: read exits 8" 8
dfu rdp -- read-unprotect
is "read-unprotect without --force: usage error" 2
dfu rdp -- read-unprotect --force
is "read-unprotect --force exits 0" 0
has "read-unprotect: the device came back" 'back in DFU mode, unprotected'
check "read-unprotect: RDP 0" test "$(stat_of rdp rdp)" = 0
check "read-unprotect: flash erased" flash_erased "$(state rdp)" 0x08000000 20960
# a dry run says what --read-unprotect would do, and plans onto the erased flash it leaves
dfu rdp -- -q write "$FIX/fw.hex"
dfu rdp --rdp 1 -- -n write --read-unprotect --force "$FIX/fw.hex"
is "dry run: write --read-unprotect --force on a protected device exits 0" 0
has "dry run: --read-unprotect is said, not done" 'would first remove read protection.*not done'
has "dry run: the plan erases and writes the pages" 'erase: 6 page\(s\)'
check "dry run: still protected" test "$(stat_of rdp rdp)" = 1
check "dry run: the flash still holds the image" flash_equals "$(state rdp)" 0x08000000 "$BIN"
dfu rdp --rdp 1 -- write --read-unprotect --force "$FIX/fw.hex"
is "write --read-unprotect --force in one run exits 0" 0
check "write --read-unprotect: flash holds the image" flash_equals "$(state rdp)" 0x08000000 "$BIN"
check "write --read-unprotect: RDP 0" test "$(stat_of rdp rdp)" = 0

# ---- option bytes --------------------------------------------------------------------------

fresh ob
dfu ob -- option-bytes
is "option-bytes exits 0" 0
has "option-bytes: raw bytes of bank 1" 'bank 1 at 0x1FF00000: aa f8 ef ff 55 07 10 00'
has "option-bytes: OPTR 0xFFEFF8AA decoded" 'OPTR +0xFFEFF8AA +RDP level 0, no protection, DBANK=1 BFB2=0 nBOOT0=1 nSWBOOT0=1 nBOOT1=1'
has "option-bytes: write protection decoded" 'WRP1AR +0x000000FF +no write protection'
has "option-bytes: bank 2" 'bank 2 at 0x1FF01000'
dfu ob -- option-bytes --write 0xFFAFF8AA
is "option-bytes --write without --force: usage error" 2
dfu ob -- option-bytes --write 0xFFAFF8AA --force
is "option-bytes --write 0xOPTR --force exits 0" 0
has "option-bytes --write: says the part resets" 'reloads them and resets'
has "option-bytes --write: the device came back with DBANK=0" 'OPTR +0xFFAFF8AA.*DBANK=0'
check "option-bytes --write: the board is single-bank" test "$(stat_of ob dual_bank)" = 0
dfu ob -- list
has "option-bytes --write: the layout follows (256 x 8 KB)" '@Internal Flash  /0x08000000/256\*0008Kg'
head -c 40 "$T/ob.bin" >"$T/ob40.bin"
dfu ob -- option-bytes --write "$T/ob40.bin" --force
is "option-bytes --write FILE (the factory block) exits 0" 0
check "option-bytes --write FILE: dual-bank again" test "$(stat_of ob dual_bank)" = 1
dfu ob -- option-bytes --write 0xFFEFF8CC --force
is "option-bytes: RDP level 2 is refused (exit 3)" 3
has "option-bytes: RDP level 2 message" 'level 2: permanent'
# A slow hub: the device that reset stays listed 300 ms after it left, its
# requests failing (romsim --gone-ms). dfuse waits for it to go and reopens
# the board that comes back, for an option write and a read unprotect.
dfu obgone --gone-ms 300 -- option-bytes --write 0xFFAFF8AA --force
is "option-bytes --write, old device listed 300 ms after the reset: exit 0" 0
has "option-bytes --write, slow hub: read back from the new device" 'OPTR +0xFFAFF8AA.*DBANK=0'
check "option-bytes --write, slow hub: one reset, two enumerations" \
	test "$(stat_of obgone enumerations)/$(stat_of obgone dual_bank)" = 2/0
dfu rdpgone --rdp 1 --gone-ms 300 -- read-unprotect --force
is "read-unprotect, slow hub: exit 0" 0
has "read-unprotect, slow hub: the device came back" 'back in DFU mode, unprotected'

# ---- several devices ------------------------------------------------------------------------

rm -f "$T"/multi.*
usb multi -n 3 --state "$T/multi.%d" -- "$DFUSE" write "$FIX/fw.hex"
is "3 devices, no selector: exit 4" 4
has "3 devices: the error lists them" '3 of DFU device 0483:df11 found; choose one with --serial, --path or --index; #0 path=1-1 serial=[0-9A-F]+; #1 path=1-2'
serial2=$(sed -n 's/.*#1 path=1-2 serial=\([0-9A-F]*\).*/\1/p' <<<"$OUT")
usb multi -n 3 --state "$T/multi.%d" -- "$DFUSE" -q --serial "$serial2" write "$FIX/fw.hex"
is "3 devices, --serial SERIAL: exit 0" 0
check "--serial: device 2 holds the image" flash_equals "$T/multi.2" 0x08000000 "$BIN"
check "--serial: device 1 untouched" flash_erased "$T/multi.1" 0x08000000 20960
check "--serial: device 3 untouched" flash_erased "$T/multi.3" 0x08000000 20960
usb multi -n 3 --state "$T/multi.%d" -- "$DFUSE" -q --path 1-3 write "$FIX/fw.hex"
check "--path 1-3: device 3 holds the image" flash_equals "$T/multi.3" 0x08000000 "$BIN"

# ---- bad input: exit 3, the device untouched --------------------------------------------------

fresh bad
dfu bad -- -q write "$FIX/fw.hex"
sum=$(cksum <"$(state bad)")
for f in bad-checksum.hex bad-crc.dfu truncated.elf size-past-end.dfu outside-flash.hex overlap.hex; do
	[ -f "$FIX/bad/$f" ] || continue
	rm -f "$T/bad.log"
	dfu bad -- write "$FIX/bad/$f"
	is "bad file $f: exit 3" 3
	check "bad file $f: no DFU request changed anything" log_lacks bad 'DNLOAD'
done
dfu bad -- write "$BIN@0x0A000000"
is "image outside flash: exit 3" 3
has "image outside flash: names file and range" 'fw.bin@0x0A000000: data at 0x0A000000-0x0A0051DF is outside flash 0x08000000-0x081FFFFF'
check "bad input: the board's state is unchanged" test "$(cksum <"$(state bad)")" = "$sum"
dfu bad -- write "$T/does-not-exist.hex"
is "missing file: exit 3" 3

# ---- faults -----------------------------------------------------------------------------------

for seed in 1 2 3; do
	fresh "flt$seed"
	dfu "flt$seed" --faults stall=5,status=5 --seed "$seed" -- write "$FIX/two-seg.hex"
	if [ "$RC" -eq 0 ]; then
		if cmp -s <(flash_bytes "$(state "flt$seed")" 0x08000000 65536) <(head -c 65536 "$T/two-seg.bin") &&
		   cmp -s <(flash_bytes "$(state "flt$seed")" 0x08030000 65536) <(tail -c 65536 "$T/two-seg.bin"); then
			ok "faults seed $seed ($(stat_of "flt$seed" faults) injected): verified, flash holds the image"
		else
			not_ok "faults seed $seed: exit 0 but the flash differs"
		fi
	elif grep -Eq '0x0[0-9A-F]{7}' <<<"$OUT"; then
		ok "faults seed $seed: a precise error (exit $RC) naming the address"
	else
		not_ok "faults seed $seed: neither verified nor a precise error" "$(tail -3 <<<"$OUT")"
	fi
done
fresh quirk
dfu quirk --faults busystall=2,starterr -- write --leave "$FIX/fw.hex"
is "L4 busy-stall quirk and dfuERROR at start: exit 0" 0
check "busy-stall quirk: flash holds the image" flash_equals "$(state quirk)" 0x08000000 "$BIN"
check "busy-stall quirk: GETSTATUS was STALLed" test "$(stat_of quirk stalls)" -gt 0
fresh van
dfu van --faults vanish=40 -- write "$FIX/fw.hex"
is "device vanishes mid-job: exit 4" 4
has "device vanishes: message names the address and says gone" 'at 0x08[0-9A-F]{6}: device gone'

# ---- wait ---------------------------------------------------------------------------------------

fresh wt
dfu wt --appear-ms 1500 -- info
is "device not there yet, no --wait: exit 4" 4
has "no device: the message says where to look" 'no DFU device 0483:df11 found'
dfu wt --appear-ms 300 -- -q --wait 10 info
is "--wait: the device that appears later is used" 0

# ---- pack, unpack ---------------------------------------------------------------------------------

$DFUSE -q pack -o "$T/two.dfu" "$FIX/two-seg.hex"
check "pack two-seg.hex exits 0" test -s "$T/two.dfu"
check "pack: dfu-suffix accepts the suffix" sh -c "dfu-suffix -c '$T/two.dfu' | grep -q 'Vendor ID:.*0x0483'"
OUT=$("$DFUSE" unpack "$T/two.dfu" -o "$T/unp" 2>&1); RC=$?
is "unpack -o DIR exits 0" 0
has "unpack: two elements shown" 'element 1: 0x08030000-0x0803FFFF \(65536 bytes\)'
check "unpack: element 0 file equals the first segment" cmp -s "$T/unp/0x08000000.bin" <(head -c 65536 "$T/two-seg.bin")
check "unpack: element 1 file equals the second segment" cmp -s "$T/unp/0x08030000.bin" <(tail -c 65536 "$T/two-seg.bin")
# the fact sheet's computed sample (protocol-facts D): 317 bytes, CRC 0x8594E0A9
printf '\x01\x02\x03\x04\x05\x06\x07\x08' >"$T/eight.bin"
"$DFUSE" -q pack -o "$T/sample.dfu" --bcd-device 0 "$T/eight.bin@0x08000000"
check "pack: the fact sheet's sample file, byte for byte size and CRC" \
	test "$(stat -c %s "$T/sample.dfu") $(tail -c 4 "$T/sample.dfu" | od -An -tx1 | tr -d ' \n')" = "317 a9e09485"
printf 'abc' >"$T/odd.bin"
"$DFUSE" -q pack -o "$T/odd.dfu" "$T/odd.bin@0x08000003"
OUT=$("$DFUSE" unpack "$T/odd.dfu" 2>&1)
has "pack: elements padded to 8 bytes for the L4" 'element 0: 0x08000000-0x08000007 \(8 bytes\)'
OUT=$("$DFUSE" unpack "$FIX/bad/bad-crc.dfu" 2>&1); RC=$?
is "unpack of a bad CRC: exit 3" 3
fresh pk
usb pk -- dfu-util -a 0 -D "$T/two.dfu"
is "dfu-util -D of our packed .dfu exits 0" 0
check "dfu-util -D of our .dfu: first segment in flash" \
	cmp -s <(flash_bytes "$(state pk)" 0x08000000 65536) <(head -c 65536 "$T/two-seg.bin")
check "dfu-util -D of our .dfu: second segment in flash" \
	cmp -s <(flash_bytes "$(state pk)" 0x08030000 65536) <(tail -c 65536 "$T/two-seg.bin")
dfu pk -- verify "$T/two.dfu"
is "dfuse verify of the packed .dfu after dfu-util wrote it" 0

# ---- dry run without a device, usage -----------------------------------------------------------------

OUT=$("$DFUSE" --dry-run write "$FIX/fw.elf" 2>&1); RC=$?
is "--dry-run without a device exits 0" 0
has "--dry-run: plans for the L4R5 layout" 'planning for the STM32L4R5 ROM.s layout'
has "--dry-run: the plan" 'erase: 6 page\(s\), 24576 bytes: pages 0-5'
OUT=$("$DFUSE" -n --json write "$FIX/two-seg.hex" 2>&1)
has "--dry-run --json: plan event" '"event":"plan".*"erase_pages":32'
OUT=$("$DFUSE" -n write "$FIX/bad/bad-checksum.hex" 2>&1); RC=$?
is "--dry-run of a bad file: exit 3" 3
OUT=$("$DFUSE" frobnicate 2>&1); RC=$?
is "unknown command: exit 2" 2
OUT=$("$DFUSE" erase 2>&1); RC=$?
is "erase without a range: exit 2" 2
OUT=$("$DFUSE" -a 0 write "$BIN" 2>&1); RC=$?
is "-a 0 (dfu-util's alt habit): exit 2" 2
has "-a 0: points at --alt" 'alternate setting is --alt'
OUT=$("$DFUSE" write 2>&1); RC=$?
is "write without files: exit 3" 3
OUT=$("$DFUSE" --help 2>&1)
has "--help lists the line options" '--boot0'
fresh tty
dfu tty -- write "$FIX/fw.hex"
lacks "no progress bar when stderr is not a terminal" $'\r'

finish
