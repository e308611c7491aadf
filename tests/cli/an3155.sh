#!/bin/bash
# SPDX-License-Identifier: MIT
# an3155.sh - the real an3155 program against the virtual board (romsim
# serial) through the OS path: pseudo-terminal + LD_PRELOAD serial shim, so
# 8E1 is really requested (issue 2 §8). The board's state file holds the
# flash at offset 0, so every check looks at the flash itself, and romsim's
# log (one line per ROM command) tells whether the board was touched.
#
# Groups use a fresh board where the history matters. Nothing waits on time
# except bounded polling; every program run is bounded by `timeout`.
. "$(dirname "$0")/lib.sh"

FW=$FIX/fw.bin
FW_SIZE=$(stat -c %s "$FW")
FLASH=0x08000000
FLASH_SIZE=$((2048 * 1024))

# prep CMD...: a set-up step; only its failure is reported.
prep() { local out; out=$("$@" 2>&1) || not_ok "set-up: ${*:2}" "$(echo "$out" | tail -2)"; }

# ROM commands that change flash, as romsim logs them (sim/an3155_dev.c):
# "write 0x...: ack", "erase 6 pages from 0: ack", "write: 0x...: nack" ...
TOUCH='^(write|erase)[ :]'

need_built "an3155" "run: make BUILD=$BUILD all $BUILD/serialshim.so" \
	"$BUILD/an3155" "$BUILD/romsim" "$BUILD/serialshim.so"
if ! "$BUILD/romsim" serial --help >/dev/null 2>&1; then
	not_ok "an3155: romsim serial exists" "$("$BUILD/romsim" serial --help 2>&1 | head -3)"
	finish; exit
fi

# A different image of fw.bin's size: to see that a rewrite really erased.
OTHER=$T/other.bin
tr '\000-\377' '\377\000-\376' <"$FW" >"$OTHER"

# ---- info ----------------------------------------------------------------------
start_board info || { finish; exit; }
expect_exit 0 "info: exit 0" A info info
expect_match "info: PID 0x470" "PID 0x470"
expect_match "info: part name" "STM32L4R"
expect_match "info: dual bank by default: 2 banks x 256 pages x 4 KB" "2 banks x 256 pages x 4 KB"
expect_match "info: protection none" "protection +none"
expect_match "info: bootloader v3.1" "v3\.1"
if echo "$OUT" | grep -q "did not stick\|may not carry parity"; then
	not_ok "info: no parity warning through the serial shim (it keeps PARENB)" \
		"$(echo "$OUT" | grep -m1 "parity")"
else
	ok "info: no parity warning through the serial shim (it keeps PARENB)"
fi
check "info: the board saw 8E1 from the host" log_has info '^line: host 115200 8E1'

expect_exit 0 "info --json: exit 0" A info --json info
expect_match "info --json: an info event" '^\{"event":"info"'
expect_match "info --json: pid 0x470" '"event":"info".*"pid":1136[,}]'
expect_match "info --json: part" '"event":"info".*"part":"STM32L4R'
expect_match "info --json: geometry" '"event":"info".*"geometry":"2 banks x 256 pages x 4 KB'
expect_match "info --json: not protected" '"event":"info".*"protected":false'
stop_board info

fresh_board sb --dbank 0 || { finish; exit; }
expect_exit 0 "info --dbank 0: exit 0" A sb info
expect_match "info --dbank 0: 256 pages x 8 KB" "256 (pages )?x 8 KB"
if echo "$OUT" | grep -q "2 banks"; then not_ok "info --dbank 0: not dual bank" "$(echo "$OUT" | grep flash)"
else ok "info --dbank 0: not dual bank"; fi
stop_board sb

# ---- write every format ----------------------------------------------------------
for spec in fw.elf fw.bin fw.hex fw.srec fw.dfu; do
	fresh_board wr || break
	expect_exit 0 "write $spec: exit 0" A wr write "$FIX/$spec"
	check "write $spec: flash equals fw.bin at 0x08000000" flash_equals "$T/wr.state" $FLASH "$FW"
	check "write $spec: nothing after the image" flash_erased "$T/wr.state" $((FLASH + FW_SIZE)) 65536
done

fresh_board wr
expect_exit 0 "write fw.bin@0x08020000: exit 0" A wr write "$FW@0x08020000"
check "write fw.bin@0x08020000: flash at 0x08020000 equals fw.bin" flash_equals "$T/wr.state" 0x08020000 "$FW"
check "write fw.bin@0x08020000: flash start left erased" flash_erased "$T/wr.state" $FLASH 0x20000

# firmware on standard input ("-"): read once, checked against the flash, written, verified
fresh_board wr
expect_exit 0 "write - (fw.hex on stdin): exit 0" A wr write - <"$FIX/fw.hex"
check "write -: flash equals fw.bin" flash_equals "$T/wr.state" $FLASH "$FW"
expect_exit 0 "verify - (fw.hex on stdin): exit 0" A wr verify - <"$FIX/fw.hex"
head -c 100 "$FW" >"$T/small.bin"
expect_exit 3 "write -@ADDR outside the flash: exit 3" A wr write -- -@0x08200000 <"$T/small.bin"
expect_match "write -@ADDR outside the flash: the message names stdin" '^an3155: error: .*-: data at 0x08200000-0x08200063 is outside flash'
expect_exit 3 "a file and stdin, the file outside the flash: exit 3" \
	A wr write "$T/small.bin@0x08200000" - <"$FIX/fw.hex"
expect_match "a file and stdin: the message names the file" "small.bin@0x08200000: data at 0x08200000"
check "refused jobs: the flash still holds fw.bin" flash_equals "$T/wr.state" $FLASH "$FW"

fresh_board wr
expect_exit 0 "write --base 0x08040000 fw.bin: exit 0" A wr write --base 0x08040000 "$FW"
check "write --base: flash at 0x08040000 equals fw.bin" flash_equals "$T/wr.state" 0x08040000 "$FW"

fresh_board wr
OUT=$(A wr --json write "$FIX/fw.hex" 2>"$T/json.err"); rc=$?
if [ $rc -eq 0 ]; then ok "write --json: exit 0"; else not_ok "write --json: exit 0" "exit $rc" "$(tail -3 "$T/json.err")"; fi
expect_match "write --json: a plan event" '^\{"event":"plan".*"erase_pages":6[,}]'
expect_match "write --json: result ok true" '^\{"event":"result".*"ok":true'
expect_match "write --json: result names the verify method" '^\{"event":"result".*"verify":"[a-z-]+"'
if echo "$OUT" | grep -qv '^{"event":"[a-z]*","program":"an3155"'; then
	not_ok "write --json: stdout is only JSON events" "$(echo "$OUT" | grep -v '^{"event"' | head -3)"
else ok "write --json: stdout is only JSON events"; fi
check "write --json: flash equals fw.bin" flash_equals "$T/wr.state" $FLASH "$FW"

# Verify through Get Checksum (0xA1) on a ROM that offers it.
fresh_board crc --crc
expect_exit 0 "write on a ROM with 0xA1: exit 0" A crc --json write "$FIX/fw.elf"
expect_match "write on a ROM with 0xA1: verified by CRC" '"event":"result".*"verify":"crc'
check "write on a ROM with 0xA1: flash equals fw.bin" flash_equals "$T/crc.state" $FLASH "$FW"
check "write on a ROM with 0xA1: the ROM computed CRCs" log_has crc '^crc 0x08'
stop_board crc

# ---- erase only the pages the image touches ---------------------------------------
fresh_board pg
prep A pg -q write "$FW@0x08020000"
prep A pg -q write "$FW"
check "dual bank: a second image left the first one (0x08020000) intact" \
	flash_equals "$T/pg.state" 0x08020000 "$FW"
check "dual bank: the second image landed" flash_equals "$T/pg.state" $FLASH "$FW"
# Rewrite over programmed flash at 0x08010000 (4 KB pages 16..21). Page
# numbers computed with 2 KB pages (32..43) would erase 0x08020000.., with
# 8 KB pages (8..10) 0x08008000..; victims sit there.
prep A pg -q write "$FW@0x08010000"
prep A pg -q write "$FW@0x08008000"
expect_exit 0 "dual bank: rewrite a different image over 0x08010000" A pg write "$OTHER@0x08010000"
check "dual bank: rewritten image is there" flash_equals "$T/pg.state" 0x08010000 "$OTHER"
check "dual bank: victim at 0x08020000 intact" flash_equals "$T/pg.state" 0x08020000 "$FW"
check "dual bank: victim at 0x08008000 intact" flash_equals "$T/pg.state" 0x08008000 "$FW"
check "dual bank: image at 0x08000000 intact" flash_equals "$T/pg.state" $FLASH "$FW"
check "dual bank: the rewrite erased 4 KB pages 16..21" log_has pg '^erase 6 pages from 16: ack'
stop_board pg

# Single bank: 8 KB pages. 0x08010000 is page 8 (8..10 for fw.bin); the same
# address as a 4 KB page number (16..21) erases 0x08020000.., as a 2 KB page
# number (32..42) 0x08040000...
fresh_board sb --dbank 0
prep A sb -q write "$FW@0x08020000"
prep A sb -q write "$FW@0x08040000"
prep A sb -q write "$FW@0x08010000"
check "single bank: set-up images written" flash_equals "$T/sb.state" 0x08010000 "$FW"
expect_exit 0 "single bank: rewrite a different image over 0x08010000" A sb write "$OTHER@0x08010000"
check "single bank: rewritten image is there" flash_equals "$T/sb.state" 0x08010000 "$OTHER"
check "single bank: victim at 0x08020000 (4 KB page-number mistake) intact" \
	flash_equals "$T/sb.state" 0x08020000 "$FW"
check "single bank: victim at 0x08040000 (2 KB page-number mistake) intact" \
	flash_equals "$T/sb.state" 0x08040000 "$FW"
check "single bank: the rewrite erased 8 KB pages 8..10" log_has sb '^erase 3 pages from 8: ack'
# A write at the start of the second MB (8 KB page 128) must not erase the
# first MB's pages.
prep A sb -q write "$FW@0x08100000"
expect_exit 0 "single bank: rewrite at 0x08100000" A sb write "$OTHER@0x08100000"
check "single bank: image at 0x08100000" flash_equals "$T/sb.state" 0x08100000 "$OTHER"
check "single bank: 0x08100000 is page 128" log_has sb '^erase 3 pages from 128: ack'
check "single bank: victims still intact" flash_equals "$T/sb.state" 0x08040000 "$FW"
stop_board sb

# ---- two segments ------------------------------------------------------------------
if objcopy -I ihex -O binary --gap-fill 0xff "$FIX/two-seg.hex" "$T/two-seg.bin" 2>/dev/null; then
	fresh_board two
	# Something in the gap that a write of the gap (or an erase of it) would destroy.
	prep A two -q write "$FW@0x08018000"
	n=$(log_size two)
	expect_exit 0 "two-seg.hex: exit 0" A two write "$FIX/two-seg.hex"
	check "two-seg.hex: first segment (64 KB @0x08000000)" \
		cmp -s <(flash_bytes "$T/two.state" $FLASH 65536) <(head -c 65536 "$T/two-seg.bin")
	check "two-seg.hex: second segment (64 KB @0x08030000)" \
		cmp -s <(flash_bytes "$T/two.state" 0x08030000 65536) \
		<(tail -c +$((0x30000 + 1)) "$T/two-seg.bin" | head -c 65536)
	check "two-seg.hex: the gap was not erased (image at 0x08018000 intact)" \
		flash_equals "$T/two.state" 0x08018000 "$FW"
	check "two-seg.hex: rest of the gap still 0xFF" flash_erased "$T/two.state" 0x08010000 0x8000
	check "two-seg.hex: no write command into the gap" \
		log_since_lacks two "$n" '^write 0x080[12]'
	stop_board two
else
	not_ok "two-seg.hex: objcopy converts it for the comparison" "install binutils"
fi

# ---- read ------------------------------------------------------------------------
fresh_board rd
prep A rd -q write "$FW"
expect_exit 0 "read ADDR LEN FILE: exit 0" A rd read 0x08000100 8192 "$T/read.bin"
check "read: file equals the flash" cmp -s "$T/read.bin" <(flash_bytes "$T/rd.state" 0x08000100 8192)
check "read: file has LEN bytes" test "$(stat -c %s "$T/read.bin" 2>/dev/null)" = 8192
A rd read 0x08000000 4096 - >"$T/stdout.bin" 2>"$T/stdout.err"; rc=$?
if [ $rc -eq 0 ]; then ok "read to stdout: exit 0"; else not_ok "read to stdout: exit 0" "exit $rc" "$(tail -3 "$T/stdout.err")"; fi
check "read to stdout: stdout is exactly the flash bytes" \
	cmp -s "$T/stdout.bin" <(flash_bytes "$T/rd.state" $FLASH 4096)
expect_exit 0 "read ADDR:LEN as one argument" A rd read 0x08001000:256 "$T/read2.bin"
check "read ADDR:LEN: file equals the flash" cmp -s "$T/read2.bin" <(flash_bytes "$T/rd.state" 0x08001000 256)

# ---- verify --------------------------------------------------------------------------
expect_exit 0 "verify: matching flash -> 0" A rd verify "$FW"
expect_exit 0 "verify of the ELF: matching flash -> 0" A rd verify "$FIX/fw.elf"
# Change one byte of flash behind the board's back (shared mapping).
orig=$(od -An -tx1 -j $((0x1234)) -N1 "$T/rd.state" | tr -d ' ')
new=$([ "$orig" = 00 ] && echo 01 || echo 00)
poke_flash "$T/rd.state" 0x08001234 "$new"
expect_exit 9 "verify: one byte differs -> 9" A rd verify "$FW"
expect_match "verify: names the first differing address" "0x0?8001234"
expect_exit 9 "verify --json: exit 9" A rd --json verify "$FW"
expect_match "verify --json: error event with code, exit and address" \
	'"event":"error".*"code":"verify".*"exit":9'
expect_match "verify --json: address member" '"event":"error".*"address":(134222388|"0x08001234")'
poke_flash "$T/rd.state" 0x08001234 "$orig"
stop_board rd

fresh_board crc --crc
prep A crc -q write "$FW"
poke_flash "$T/crc.state" 0x08003456 "$(od -An -tx1 -j $((0x3456)) -N1 "$FW" | tr -d ' ' | sed 's/^ff$/00/;t;s/.*/ff/')"
expect_exit 9 "verify by CRC (0xA1): one byte differs -> 9" A crc verify "$FW"
expect_match "verify by CRC: names the first differing address" "0x0?8003456"
stop_board crc

# ---- erase ---------------------------------------------------------------------------
fresh_board er
prep A er -q write "$FW"
expect_exit 0 "erase 0x08000000:4K: exit 0" A er erase 0x08000000:4K
check "erase 0x08000000:4K: first 4 KB are 0xFF" flash_erased "$T/er.state" $FLASH 4096
check "erase 0x08000000:4K: the next page kept its data" \
	cmp -s <(flash_bytes "$T/er.state" 0x08001000 4096) <(tail -c +4097 "$FW" | head -c 4096)
sum=$(state_sum er); n=$(log_size er)
expect_exit 3 "erase unaligned range 0x08001100:4K -> 3" A er erase 0x08001100:4K
check "erase unaligned range: state untouched" test "$sum" = "$(state_sum er)"
check "erase unaligned range: no erase command sent" log_since_lacks er "$n" "$TOUCH"
# ADDR..END: END is exclusive (src/common/cli.c cli_parse_range).
expect_exit 0 "erase 0x08001000..0x08003000 (ADDR..END)" A er erase 0x08001000..0x08003000
check "erase ADDR..END: pages 1-2 are 0xFF" flash_erased "$T/er.state" 0x08001000 8192
check "erase ADDR..END: page 3 kept its data" \
	cmp -s <(flash_bytes "$T/er.state" 0x08003000 4096) <(tail -c +$((0x3000 + 1)) "$FW" | head -c 4096)
expect_exit 0 "erase --pages 3: exit 0" A er erase --pages 3
check "erase --pages 3: 0x08003000.. is 0xFF" flash_erased "$T/er.state" 0x08003000 4096
check "erase --pages 3: page 4 kept its data" \
	cmp -s <(flash_bytes "$T/er.state" 0x08004000 4096) <(tail -c +$((0x4000 + 1)) "$FW" | head -c 4096)
prep A er -q write "$FW@0x08100000"
prep A er -q write "$FW@0x08080000"
expect_exit 0 "erase --pages 256 (first page of bank 2): exit 0" A er erase --pages 256
check "erase --pages 256: 0x08100000.. is 0xFF" flash_erased "$T/er.state" 0x08100000 4096
check "erase --pages 256: 0x08101000 kept its data" \
	cmp -s <(flash_bytes "$T/er.state" 0x08101000 4096) <(tail -c +4097 "$FW" | head -c 4096)
prep A er -q write "$FW@0x08100000"
expect_exit 2 "erase --bank 2 without --force: usage error" A er erase --bank 2
expect_match "erase --bank without --force: says why" "mass-erases a whole bank; add --force"
expect_exit 0 "erase --bank 2: exit 0" A er erase --bank 2 --force
check "erase --bank 2: bank 2 is 0xFF" flash_erased "$T/er.state" 0x08100000 $((1024 * 1024))
check "erase --bank 2: bank 1 kept its data (0x08080000)" flash_equals "$T/er.state" 0x08080000 "$FW"
expect_exit 2 "erase --all without --force: usage error" A er erase --all
check "erase --all without --force: bank 1 kept its data" flash_equals "$T/er.state" 0x08080000 "$FW"
expect_exit 0 "erase --all: exit 0" A er erase --all --force
check "erase --all: the whole flash is 0xFF" flash_erased "$T/er.state" $FLASH $FLASH_SIZE
stop_board er

# ---- go --------------------------------------------------------------------------------
fresh_board go
prep A go -q write "$FW"
expect_exit 0 "go: exit 0" A go go
check "go: the ROM acknowledged Go at 0x08000000" log_has go '^go 0x08000000: ack'
check "go: the board runs the application" log_has go '^app: running from 0x08000000'
OUT=$(board_ctl go MODE 2>&1)
if [ "$OUT" = app ]; then ok "go: board mode is app"; else not_ok "go: board mode is app" "MODE -> '$OUT'"; fi
# The application does not answer 0x7F: the program must say what to do.
expect_exit 7 "after go: info -> 7 (no bootloader)" A go info
expect_match "after go: the message mentions BOOT0" "BOOT0"
stop_board go

fresh_board go
expect_exit 0 "write --go: exit 0" A go write --go "$FIX/fw.elf"
check "write --go: flash equals fw.bin" flash_equals "$T/go.state" $FLASH "$FW"
check "write --go: the board runs the application from 0x08000000" log_has go '^app: running from 0x08000000'
stop_board go

# Application mode at power-up: BOOT0 low and a programmed flash.
stop_board app; rm -f "$T/app.state" "$T/app.log"
cp "$FW" "$T/app.state"
start_board app --boot0 0
check "BOOT0 low, programmed flash: board starts the application" test "$(board_ctl app MODE 2>&1)" = app
expect_exit 7 "application mode: info -> 7" A app --sync-tries 2 info
expect_match "application mode: the message mentions BOOT0" "BOOT0"
expect_match "application mode: the message says 0x7F got no answer" "0x7F"
stop_board app
# BOOT0 low but an empty flash: the L4R5 empty check starts the ROM.
fresh_board app --boot0 0
expect_exit 0 "BOOT0 low, empty flash: the ROM answers (empty check)" A app info

# ---- dry run ----------------------------------------------------------------------------
fresh_board dry
prep A dry -q write "$FW@0x08040000"
sum=$(state_sum dry); n=$(log_size dry)
expect_exit 0 "dry-run with a port: exit 0" A dry --dry-run write "$FIX/fw.elf"
expect_match "dry-run: plan names the pages" "erase: 6 page.*pages 0-5"
expect_match "dry-run: plan names the blocks" "write: 82 block"
check "dry-run with a port: state untouched" test "$sum" = "$(state_sum dry)"
check "dry-run with a port: no erase or write command sent" \
	log_since_lacks dry "$n" "$TOUCH"
check "dry-run with a port: the part was asked (Get ID)" \
	log_since_has dry "$n" '^gid: ack'
stop_board dry
fresh_board dry --dbank 0
expect_exit 0 "dry-run on a single-bank board: exit 0" A dry --dry-run write "$FW@0x08010000"
expect_match "dry-run single bank: 8 KB pages 8..10" "erase: 3 page.*pages 8-10"
stop_board dry
expect_exit 0 "dry-run without a port works offline" env -u STMBOOT_PORT "$BUILD/an3155" --dry-run write "$FIX/fw.hex"
expect_match "dry-run offline: plan names the pages" "erase: 6 page.*pages 0-5"
expect_exit 0 "dry-run offline --json: exit 0" env -u STMBOOT_PORT "$BUILD/an3155" --json --dry-run write "$FIX/two-seg.hex"
expect_match "dry-run offline --json: plan event, 32 pages" '"event":"plan".*"erase_pages":32[,}]'
expect_exit 0 "dry-run offline: two-seg.hex plan" env -u STMBOOT_PORT "$BUILD/an3155" --dry-run write "$FIX/two-seg.hex"
expect_match "dry-run two-seg.hex: the page list shows the gap" "erase: 32 page.*pages 0-15, 48-63$"

# ---- protection ---------------------------------------------------------------------------
fresh_board rdp
prep A rdp -q write "$FW"
sum=$(state_sum rdp)
expect_exit 2 "read-protect without --force -> 2" A rdp read-protect
check "read-protect without --force: state untouched" test "$sum" = "$(state_sum rdp)"
check "read-protect without --force: no 0x82 sent" log_lacks rdp '^rp'
expect_exit 0 "read-protect --force: exit 0" A rdp read-protect --force
expect_exit 0 "protected: info exit 0" A rdp info
expect_match "protected: info reports read protection" "protection +.*(level 1|active)"
expect_exit 0 "protected: info --json" A rdp --json info
expect_match "protected: info --json protected true" '"event":"info".*"protected":true'
expect_exit 8 "protected: read -> 8" A rdp read 0x08000000 256 "$T/p.bin"
expect_exit 8 "protected: write -> 8" A rdp write "$FW"
expect_match "protected: write names the read-unprotect way out" "read-unprotect"
expect_exit 8 "protected: write --json -> 8" A rdp --json write "$FW"
expect_match "protected: --json error event code protected, exit 8" '"event":"error".*"code":"protected".*"exit":8'
check "protected: the flash still holds the image" flash_equals "$T/rdp.state" $FLASH "$FW"
expect_exit 2 "read-unprotect without --force -> 2" A rdp read-unprotect
check "read-unprotect without --force: flash untouched" flash_equals "$T/rdp.state" $FLASH "$FW"
expect_exit 0 "read-unprotect --force: exit 0" A rdp read-unprotect --force
check "read-unprotect --force: the whole flash is erased" flash_erased "$T/rdp.state" $FLASH $FLASH_SIZE
expect_exit 0 "after read-unprotect: info" A rdp info
expect_match "after read-unprotect: protection none" "protection +none"
# dry_unprotect WHAT FILE: a dry run says what --read-unprotect would do and
# changes nothing on the board (state and log)
dry_unprotect() {
	local sum n
	sum=$(state_sum rdp)
	n=$(log_size rdp)
	expect_exit 0 "dry run, $1: write --read-unprotect --force: exit 0" \
		A rdp -n write --read-unprotect --force "$2"
	expect_match "dry run, $1: --read-unprotect is said, not done" "would first remove read protection.*not done"
	check "dry run, $1: the board's state is untouched" test "$sum" = "$(state_sum rdp)"
	check "dry run, $1: no Readout Unprotect sent" log_since_lacks rdp "$n" '^ru'
}
prep A rdp -q write "$FIX/fw.hex"
dry_unprotect unprotected "$FIX/fw.srec"
prep A rdp -q read-protect --force
dry_unprotect protected "$FIX/fw.hex"
expect_exit 0 "write --read-unprotect --force on a protected board: exit 0" \
	A rdp write --read-unprotect --force "$FIX/fw.hex"
check "write --read-unprotect --force: flash holds the image" flash_equals "$T/rdp.state" $FLASH "$FW"
expect_exit 0 "write --read-unprotect --force: info after" A rdp info
expect_match "write --read-unprotect --force: protection gone" "protection +none"
expect_exit 2 "write --read-unprotect without --force -> 2" A rdp write --read-unprotect "$FW"
stop_board rdp
# The same on a single-bank board, whose geometry cannot be read while protected.
fresh_board rdp --dbank 0 --rdp 1
expect_exit 0 "single bank, protected: write --read-unprotect --force" \
	A rdp write --read-unprotect --force "$FIX/fw.srec"
check "single bank, protected: flash holds the image" flash_equals "$T/rdp.state" $FLASH "$FW"
if log_has rdp '^erase [0-9]+ pages' && ! log_has rdp '^erase 3 pages from 0: ack'; then
	not_ok "single bank, protected: erase after unprotect uses the chip's 8 KB pages" \
		"$(grep '^erase' "$T/rdp.log")"
else ok "single bank, protected: erase after unprotect uses the chip's 8 KB pages"; fi
stop_board rdp

# ---- bad input -----------------------------------------------------------------------------
# fixtures/bad/README: "== FILE", then "error: MESSAGE" (bare file name) or
# "loads: ..." (refused later, against the part).
declare -A BADMSG BADADDR
cur=""
while IFS= read -r line; do
	case $line in
	"== "*) cur=${line#== } ;;
	"error: "*) [ -n "$cur" ] && BADMSG[$cur]=${line#error: } ;;
	"loads: "*) [ -n "$cur" ] && BADMSG[$cur]="" && BADADDR[$cur]=$(echo "$line" | grep -Eo '0x[0-9A-Fa-f]+' | head -1) ;;
	esac
done <"$FIX/bad/README"

fresh_board bad
prep A bad -q write "$FW@0x08080000"
for f in "$FIX"/bad/*; do
	name=$(basename "$f")
	[ "$name" = README ] && continue
	if [ -z "${BADMSG[$name]+set}" ]; then
		not_ok "bad/$name: has an entry in bad/README"
		continue
	fi
	sum=$(state_sum bad); n=$(log_size bad)
	expect_exit 3 "bad/$name: write -> 3" A bad write "$f"
	expect_match "bad/$name: the message names the file" "$(printf '%s' "$f" | sed 's/[.[\*^$]/\\&/g')"
	msg=${BADMSG[$name]}
	if [ -n "$msg" ]; then
		rest=${msg#"$name"}
		if echo "$OUT" | grep -qF -- "$f$rest"; then ok "bad/$name: message as bad/README says"
		else not_ok "bad/$name: message as bad/README says" "want: $f$rest" "got: $(echo "$OUT" | grep -m1 error)"; fi
	elif [ -n "${BADADDR[$name]:-}" ]; then
		expect_match "bad/$name: the message names ${BADADDR[$name]}" "${BADADDR[$name]}"
	fi
	check "bad/$name: state file unchanged" test "$sum" = "$(state_sum bad)"
	check "bad/$name: no erase or write command reached the board" \
		log_since_lacks bad "$n" "$TOUCH"
done

sum=$(state_sum bad); n=$(log_size bad)
expect_exit 3 "fw.bin@0x081FF000 (past the end of flash) -> 3" A bad write "$FW@0x081FF000"
expect_match "fw.bin@0x081FF000: names the address" "0x081FF000"
check "fw.bin@0x081FF000: nothing erased or written" \
	log_since_lacks bad "$n" "$TOUCH"
check "fw.bin@0x081FF000: state unchanged" test "$sum" = "$(state_sum bad)"
# A good file with a bad one: the good one must not be written either.
expect_exit 3 "good file + outside-flash.hex -> 3" A bad write "$FW@0x08040000" "$FIX/bad/outside-flash.hex"
check "good file + bad file: nothing written" \
	log_since_lacks bad "$n" "$TOUCH"
check "good file + bad file: flash at 0x08040000 still erased" flash_erased "$T/bad.state" 0x08040000 4096
expect_exit 3 "--json bad file: exit 3" A bad --json write "$FIX/bad/bad-checksum.hex"
expect_match "--json bad file: error event code bad-input, exit 3" \
	'"event":"error".*"code":"bad-input".*"exit":3'
expect_exit 3 "missing file -> 3" A bad write "$T/no-such-file.hex"
expect_match "missing file: the message names it" "no-such-file\.hex"
check "bad inputs: the earlier image survived" flash_equals "$T/bad.state" 0x08080000 "$FW"
stop_board bad

# ---- faults -----------------------------------------------------------------------------------
# fault_write NAME SPEC [SEED]: write fw.hex on a fresh board with faults;
# passes when the write exits 0 and the flash equals the image.
fault_write() {
	local label=$1 spec=$2 seed=${3:-1}
	fresh_board flt --faults "$spec" --seed "$seed" || return
	expect_exit 0 "faults $label: write exits 0" A flt write "$FIX/fw.hex"
	check "faults $label: flash equals the image" flash_equals "$T/flt.state" $FLASH "$FW"
	check "faults $label: faults did fire" log_has flt '^fault: '
}
fault_write "nack@write#3" "nack@write#3"
fault_write "stall@erase#1" "stall@erase#1"
fault_write "nack-late@write#5" "nack-late@write#5"
fault_write "final ACK of a write lost (drop-out@write#2.last)" "drop-out@write#2.last"
check "final ACK lost: the block was read back, not programmed twice" \
	test "$(log_count flt '^write 0x08000100\+256: ack')" = 1
check "final ACK lost: no PROGERR" log_lacks flt PROGERR
fault_write "address ACK of a write lost (drop-out@write#3.2)" "drop-out@write#3.2"
fault_write "a verify read-back byte corrupted (corrupt-out@read#20.100)" "corrupt-out@read#20.100"
fault_write "host->ROM noise (corrupt-in=0.0002,drop-in=0.0001)" "corrupt-in=0.0002,drop-in=0.0001" 5
fault_write "ROM->host noise (corrupt-out=0.0002,drop-out=0.0001)" "corrupt-out=0.0002,drop-out=0.0001" 5
fault_write "noise both ways" "corrupt-in=0.0002,drop-in=0.0001,corrupt-out=0.0002,drop-out=0.0001" 11

fresh_board stall --faults "drop-out=1"
expect_exit 7 "silent board (every reply lost) -> 7" A stall --sync-tries 2 info
expect_match "silent board: message names the 0x7F sync" "0x7F"
fresh_board stall --faults "hang=1"
expect_exit 7 "board that hangs after sync -> 7" A stall info
expect_match "hung board: message names the command (Get)" "Get"
fresh_board stall --faults "hang@erase#1"
expect_exit 7 "board hangs in the erase -> 7" A stall write "$FW"
expect_match "hang in erase: message names the erase" "[Ee]rase"
check "hang in erase: nothing written" log_lacks stall '^write'
expect_exit 7 "hang --json: exit 7" A stall --json info
expect_match "hang --json: error event code timeout, exit 7" '"event":"error".*"code":"timeout".*"exit":7'
stop_board stall

# ---- ports -------------------------------------------------------------------------------------
expect_exit 4 "no such port -> 4" a3 -p "$T/no-such-port" info
expect_match "no such port: names it" "no-such-port"
expect_exit 4 "no such port --json: exit 4" a3 --json -p "$T/no-such-port" info
expect_match "no such port --json: error event code no-device, exit 4" \
	'^\{"event":"error".*"code":"no-device".*"exit":4'
fresh_board busy
exec {lockfd}<>"$T/busy"
if flock -n "$lockfd"; then
	n=$(log_size busy)
	expect_exit 4 "port locked by another program -> 4" A busy info
	expect_match "port busy: the message says busy" "busy"
	check "port busy: nothing sent to the board" \
		log_since_lacks busy "$n" '^sync'
else
	not_ok "port busy: the test could lock the port"
fi
exec {lockfd}>&-
expect_exit 0 "port released: info works again" A busy info
stop_board busy

finish
