#!/bin/bash
# SPDX-License-Identifier: MIT
# an3155_fast.sh - `an3155 write --fast`: the RAM loader (stub/) uploaded
# with Write Memory and started with Go runs on romsim's CPU model, and the
# real an3155 program talks to it through the pty and the serial shim.
# Every check looks at the board's flash (its state file) and at romsim's
# log, which names what the code on the CPU did to the FLASH registers.
. "$(dirname "$0")/lib.sh"

FW=$FIX/fw.bin
# run NAME CMD...: $OUT and $RC of CMD, for is/has/lacks.
run() { shift; OUT=$("$@" 2>&1); RC=$?; }
# result FIELD: the value of FIELD in the "result" event of $OUT.
# result KEY: KEY's top-level value in the result event (phases_ms holds keys
# of the same names: the first match is the command's own field).
result() { grep '"event":"result"' <<<"$OUT" | grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
# field_is NAME FIELD VALUE: the result event has FIELD = VALUE.
field_is() {
	local v
	v=$(result "$2")
	if [ "$v" = "$3" ]; then ok "$1"; else not_ok "$1" "result $2 = '$v', expected '$3'" "$(tail -3 <<<"$OUT")"; fi
}

need_built fast "run: make BUILD=$BUILD all $BUILD/serialshim.so" \
	"$BUILD/an3155" "$BUILD/romsim" "$BUILD/serialshim.so"

# ---- every fixture, byte-exact -------------------------------------------------------
start_board fx || { finish; exit; }
for f in fw.bin fw.hex fw.srec fw.elf fw.dfu; do
	run x A fx --json write --fast "$FIX/$f"
	is "fixture $f: written through the loader, exit 0" 0
	field_is "fixture $f: via the loader" via loader
	field_is "fixture $f: verified by CRC on the part" verify loader-crc
	check "fixture $f: flash holds fw.bin's bytes" flash_equals "$T/fx.state" 0x08000000 "$FW"
done
check "the code erased pages through FLASH_CR (PER/STRT)" log_has fx '^cpu: FLASH: page erase'
check "the loader reset the part back into its ROM" log_has fx '^reset: rom'
objcopy -I ihex -O binary "$FIX/two-seg.hex" "$T/two-seg.bin"
head -c 65536 "$T/two-seg.bin" >"$T/seg1.bin"
tail -c +$((0x30000 + 1)) "$T/two-seg.bin" >"$T/seg2.bin"
fresh_board fx || { finish; exit; }
run x A fx --json write --fast "$FIX/two-seg.hex"
is "two-seg.hex through the loader" 0
check "two-seg.hex: first segment" flash_equals "$T/fx.state" 0x08000000 "$T/seg1.bin"
check "two-seg.hex: second segment" flash_equals "$T/fx.state" 0x08030000 "$T/seg2.bin"
check "two-seg.hex: the gap stays erased" flash_erased "$T/fx.state" 0x08010000 0x20000
field_is "two-seg.hex: 32 pages erased" erased_pages 32

# ---- delta: an unchanged image erases nothing; one changed page is one page ------------
n=$(log_size fx)
run x A fx --json write --fast "$FIX/two-seg.hex"
is "re-flash of the same image: exit 0" 0
field_is "re-flash: every page unchanged" unchanged_pages 32
field_is "re-flash: nothing erased" erased_pages 0
field_is "re-flash: nothing written" written_bytes 0
check "re-flash: the part erased and programmed nothing" log_since_lacks fx "$n" 'FLASH: page erase|write 0x08'
cp "$T/two-seg.bin" "$T/one.bin"
printf '\x42' | dd of="$T/one.bin" bs=1 seek=$((0x31234)) conv=notrunc status=none
head -c $((0x40000)) "$T/one.bin" >"$T/one-page.bin"
fresh_board dp || { finish; exit; }
run x A dp -q write "$T/one-page.bin"
cp "$T/one-page.bin" "$T/changed.bin"
printf '\x43' | dd of="$T/changed.bin" bs=1 seek=$((0x31235)) conv=notrunc status=none
n=$(log_size dp)
run x A dp --json write --fast "$T/changed.bin"
is "one changed byte: exit 0" 0
field_is "one changed byte: one page erased" erased_pages 1
field_is "one changed byte: 63 pages unchanged" unchanged_pages 63
check "one changed byte: flash holds the new image" flash_equals "$T/dp.state" 0x08000000 "$T/changed.bin"
# erased_49_only: since line $n of the log, one page erase, of page 49
erased_49_only() { [ "$(log_since_count dp "$n" 'FLASH: page erase')" -eq 1 ] && log_since_has dp "$n" 'FLASH: page erase 49'; }
check "one changed byte: the part erased page 49 only" erased_49_only
# a byte outside the image but inside one of its pages is erased, as over the ROM protocol
fresh_board dp || { finish; exit; }
run x A dp -q write "$FW"
poke_flash "$T/dp.state" 0x08005800 00
run x A dp --json write --fast "$FW"
field_is "stale byte in a touched page: that page is rewritten" erased_pages 1
check "stale byte in a touched page: erased like the ROM path does" flash_erased "$T/dp.state" 0x08005800 16

# (the last job's loader used the part's CRC unit; --crc-unit dead below)
has "the loader sums the flash with the part's CRC unit" '"state":"started","detail":"[^"]*CRCs by the CRC unit'

# ---- read --fast: flash through the loader; other memory through the ROM ---------------------
fresh_board rd || { finish; exit; }
run x A rd -q write "$FW"
run x A rd --json read --fast-baud 921600 0x08000000 "$(stat -c %s "$FW")" "$T/rd.bin"
is "read --fast-baud 921600: exit 0" 0
field_is "read --fast: via the loader" via loader
field_is "read --fast: at 921600" baud 921600
check "read --fast: the bytes are the flash's" cmp -s "$T/rd.bin" "$FW"
check "read --fast: the loader answered READ frames" log_has rd '^cpu: USART1 line 941176 baud'
run x A rd --json read --fast 0x20004000 64 "$T/ram.bin"
is "read --fast of SRAM: exit 0" 0
field_is "read --fast of SRAM: through the ROM" via rom
has "read --fast of SRAM: says why" 'the loader reads flash only, and 0x20004000\+64 is not all flash'
# the loader stops answering in the middle of the read (after 100 bytes from the host:
# a few READ requests): exit 7, bounded, no file
fresh_board rh --faults 'cpu-hang@cpu#1.100' || { finish; exit; }
run x A rh -q write "$FW"
t0=$(date +%s)
run x A rh --json read --fast 0x08000000 "$(stat -c %s "$FW")" "$T/rh.bin"
is "read --fast, loader hangs: exit 7" 7
has "... names the read" 'read through the loader'
lacks "... no success" '"ok":true'
check "... no output file" test ! -e "$T/rh.bin"
check "... within 60 s" test $(( $(date +%s) - t0 )) -lt 60
run x A rd --json read 0x08000000 4K "$T/plain.bin"
field_is "read without --fast: through the ROM" via rom
check "read without --fast: the same bytes" cmp -s "$T/plain.bin" <(head -c 4096 "$FW")

# ---- the part's CRC unit (RM0432 ch. 14): used only when it gives the tables' answer -------
# a unit that reads 0 and ignores writes (romsim --crc-unit dead): the tables, same answers
start_board cd --crc-unit dead || { finish; exit; }
run x A cd --json write --fast "$FW"
is "CRC unit dead: exit 0" 0
has "CRC unit dead: the loader sums in software" '"state":"started","detail":"[^"]*CRCs in software'
field_is "CRC unit dead: verified by CRC on the part" verify loader-crc
check "CRC unit dead: flash holds the image" flash_equals "$T/cd.state" 0x08000000 "$FW"
run x A cd --json write --fast "$FW"
field_is "CRC unit dead: a re-flash finds every page unchanged" unchanged_pages 6
field_is "CRC unit dead: and erases none" erased_pages 0
poke_flash "$T/cd.state" 0x08001000 00
run x A cd --json write --fast "$FW"
field_is "CRC unit dead: a changed byte in page 1 is found, that page rewritten" erased_pages 1
check "CRC unit dead: flash holds the image again" flash_equals "$T/cd.state" 0x08000000 "$FW"

# ---- baud rate ---------------------------------------------------------------------------
fresh_board bd || { finish; exit; }
run x A bd --json write --fast-baud 921600 "$FW"
is "--fast-baud 921600: exit 0" 0
field_is "--fast-baud 921600: the loader ran at 921600" baud 921600
check "--fast-baud 921600: the USART's new BRR (16 MHz / 17)" log_has bd 'USART1 line 941176 baud'
check "--fast-baud 921600: the host followed" log_has bd '^line: host 921600 8E1'
check "--fast-baud 921600: flash holds the image" flash_equals "$T/bd.state" 0x08000000 "$FW"
check "--fast-baud 921600: the host went back to 115200 for the ROM" bash -c "grep '^line: host' '$T/bd.log' | tail -1 | grep -q 115200"
# a rate the USART clock cannot make (MSI 4 MHz: 921600 needs USARTDIV 4): refused, old rate kept
fresh_board bm --rom-clock msi4 || { finish; exit; }
run x A bm --json write --fast-baud 921600 "$FW"
is "--rom-clock msi4, --fast-baud 921600: exit 0" 0
has "... the loader refuses the rate" 'cannot make that rate'
has "... and says it stays at 115200" 'staying at 115200 baud'
field_is "... written through the loader at 115200" baud 115200
check "... flash holds the image" flash_equals "$T/bm.state" 0x08000000 "$FW"
# the handshake at the new rate fails: the loader's three answers to CONFIRM are lost
# (its bytes: HELLO 50, BAUD's answer 26, then 14 per CONFIRM answer, ldr_wire.h)
fresh_board bf --faults 'drop-out@cpu#1.77,drop-out@cpu#1.91,drop-out@cpu#1.105' || { finish; exit; }
run x A bf --json write --fast-baud 921600 "$FW"
is "failed baud handshake: exit 0" 0
has "... the failure is named" 'no answer from the loader at 921600 baud'
field_is "... both ends went back to 115200" baud 115200
field_is "... the loader wrote" via loader
check "... the loader went back to its old BRR" bash -c "grep 'USART1 line' '$T/bf.log' | tail -1 | grep -q 115108"
check "... flash holds the image" flash_equals "$T/bf.state" 0x08000000 "$FW"

# ---- the ROM leaves another USART, another clock, single-bank flash ---------------------------
fresh_board u2 --rom-usart 2 --rom-clock pll80,apb1=2 --dbank 0 || { finish; exit; }
run x A u2 --json write --fast-baud 460800 "$FIX/two-seg.hex"
is "USART2, PLL 80 MHz, single bank: exit 0" 0
has "... the loader found USART2" 'on USART2'
field_is "... 8 KB pages: 16 erased" erased_pages 16
check "... first segment" flash_equals "$T/u2.state" 0x08000000 "$T/seg1.bin"
check "... second segment" flash_equals "$T/u2.state" 0x08030000 "$T/seg2.bin"

# ---- --go: the ROM's Go after the loader's reset ---------------------------------------------------
fresh_board go || { finish; exit; }
run x A go --json write --fast --go "$FW"
is "--fast --go: exit 0" 0
check "--fast --go: the application runs" log_has go '^app: running from 0x08000000'

# ---- errors on the part: named, no success ----------------------------------------------------
fresh_board wp || { finish; exit; }
run x A wp -q write-protect 1
run x A wp --json write --fast "$FW"
is "write-protected page: exit 8" 8
# the protection is read from the option bytes and refused before anything
# is erased, so the loader is never started (the loader's own WRPERR path is
# tested natively, tests/unit/test_ldr.c)
has "... the protected page and its area are named" 'page 1 is write-protected \(WRP1A\)'
lacks "... no success" '"ok":true'
check "... the loader was not started" log_lacks wp '^go 0x20003200'

# ---- fall back to the ROM protocol -------------------------------------------------------------
# the ROM de-initialises its USART before Go: the loader finds no line and resets the part
fresh_board di --go-deinit || { finish; exit; }
run x A di --json write --fast "$FW"
is "--go-deinit: exit 0" 0
has "... the loader's failure is said" 'continuing over the ROM protocol'
field_is "... written over the ROM protocol" via rom
check "... flash holds the image" flash_equals "$T/di.state" 0x08000000 "$FW"
check "... the loader reset the part (AIRCR)" log_has di 'system reset requested by the code'
# the loader's run resets the board before it starts
fresh_board cr --faults 'cpu-reset@cpu#1' || { finish; exit; }
run x A cr --json write --fast "$FW"
is "loader reset at start: exit 0 over the ROM protocol" 0
field_is "... via the ROM" via rom
check "... flash holds the image" flash_equals "$T/cr.state" 0x08000000 "$FW"
# the upload is refused (Write Memory NACKed, no retries)
fresh_board nu --faults 'nack@write#1' || { finish; exit; }
run x A nu --json --retries 0 write --fast "$FW"
is "upload refused: exit 0 over the ROM protocol" 0
has "... said so" 'loader upload failed'
field_is "... via the ROM" via rom
check "... the loader never ran" log_lacks nu '^cpu: start'
check "... flash holds the image" flash_equals "$T/nu.state" 0x08000000 "$FW"

# ---- a loader that dies -------------------------------------------------------------------------------
# never starts talking, nothing else answers: a precise error, bounded
fresh_board h0 --faults 'cpu-hang@cpu#1' || { finish; exit; }
t0=$(date +%s)
run x A h0 --json write --fast "$FW"
is "silent loader, no reset lines: exit 7" 7
has "... says the loader did not answer and what to do" 'did not answer after Go.*reset the part'
check "... within 60 s" test $(( $(date +%s) - t0 )) -lt 60
# the same with NRST wired: the reset brings the ROM back, the job goes on over it
fresh_board h1 --boot0 0 --adapter rts=boot0:inv,dtr=nrst:inv --faults 'cpu-hang@cpu#1' || { finish; exit; }
run x A h1 --json --boot0 rts --nrst dtr write --fast "$FW"
is "silent loader, reset lines wired: exit 0 over the ROM protocol" 0
field_is "... via the ROM" via rom
check "... flash holds the image" flash_equals "$T/h1.state" 0x08000000 "$FW"
# stops in the middle of the write: the job ends with the address, no success, bounded
fresh_board h2 --faults 'cpu-hang@cpu#1.6000' || { finish; exit; }
t0=$(date +%s)
run x A h2 --json write --fast "$FW"
is "loader hangs during the write: exit 7" 7
has "... names the address" 'stopped answering during the (write at|erase of page) 0x080'
lacks "... no success" '"ok":true'
check "... within 60 s" test $(( $(date +%s) - t0 )) -lt 60

# ---- a noisy line: CRC'd frames are sent again --------------------------------------------------
# (faults on the loader's bytes only: the ROM protocol's own recovery is tests/cli/an3155.sh's;
# with the timing model, so that the host's idea of when a frame arrives holds)
fresh_board nz --timing --faults 'corrupt-in@cpu=0.00005,drop-in@cpu=0.00003,corrupt-out@cpu=0.0005,drop-out@cpu=0.0005' --seed 7 || { finish; exit; }
run x A nz --json write --fast-baud 921600 "$FIX/two-seg.hex"
is "noisy line: exit 0" 0
field_is "... via the loader" via loader
check "... first segment" flash_equals "$T/nz.state" 0x08000000 "$T/seg1.bin"
check "... second segment" flash_equals "$T/nz.state" 0x08030000 "$T/seg2.bin"
check "... faults really fired" log_has nz 'fault'
check "... frames were sent again" test "$(result loader_resends)" -gt 0

# ---- nothing touched on a dry run -------------------------------------------------------------------
fresh_board dr || { finish; exit; }
run x A dr --fast --dry-run write "$FW"
is "--fast --dry-run: exit 0" 0
check "... nothing uploaded" log_lacks dr '^write |^go '
finish
