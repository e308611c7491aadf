#!/bin/bash
# SPDX-License-Identifier: MIT
# an3155_noise.sh - a noisy line, as regression tests: fixed seeds of
# romsim's fault injection (corrupted, dropped, NACKed and late bytes) under
# a 16 KB write+verify. Each run must end with exit 0 and the image in
# flash: the outcome is asserted, never the time. `make faults` runs the
# same kinds at scale (scripts/faults).
. "$(dirname "$0")/lib.sh"

IMG=$T/img.bin
head -c 16384 "$FIX/fw.bin" >"$IMG"

A3_SECS=180   # the bound of lib.sh's a3 here

# noisy NAME SPEC SEED: a fresh board with faults; the job succeeds and the
# flash holds the image; the faults really fired.
noisy() {
	local name=$1 spec=$2 seed=$3
	fresh_board "$name" --faults "$spec" --seed "$seed" || return
	expect_exit 0 "$name ($spec, seed $seed): write+verify succeeds" \
		a3 -p "$T/$name" --json write "$IMG"
	check "$name: the flash holds the image" flash_equals "$T/$name.state" 0x08000000 "$IMG"
	check "$name: faults were injected" log_has "$name" '^fault: '
	stop_board "$name"
}

noisy cin1 corrupt-in=0.003 1
noisy cin5 corrupt-in=0.003 5
noisy cout1 corrupt-out=0.003 1
noisy drop3 drop-in=0.003,drop-out=0.003 3
# seed 9: the 0x02 filler once completed a frame that had lost a 0x02 byte
noisy drop9 drop-in=0.003,drop-out=0.003 9
noisy nack1 nack=0.01 1
# seed 2: late NACKs of the resync's own probes once looked like read protection
noisy late2 late=0.003:300 2

# Two equal bytes (0x00 0x00) of the first Write Memory's data lost: the ROM
# waits for two more bytes. Two 0x02 fillers would complete the frame with a
# matching XOR and program shifted data; the first probe is a byte the frame
# lacks, so the frame is refused and sent again - no page repair needed.
fresh_board twin0 --faults 'drop-in@write#1.14,drop-in@write#1.15' || true
expect_exit 0 "two lost 0x00 bytes: write+verify succeeds" a3 -p "$T/twin0" --json write "$IMG"
expect_match "two lost 0x00 bytes: no page had to be repaired" '"repaired_pages":0'
check "two lost 0x00 bytes: the flash holds the image" flash_equals "$T/twin0.state" 0x08000000 "$IMG"
check "two lost 0x00 bytes: the ROM refused the shortened frame" log_has twin0 'bad data checksum'
stop_board twin0

# Two data bytes of the first Write Memory flipped alike: the XOR checksum
# still matches (protocol-facts A.3), the ROM ACKs and programs wrong data.
# Verify finds it in a page this job erased: the page is erased and written
# again, and the job ends with the image in flash.
fresh_board twin --faults 'twin-in@write#1.20' || true
expect_exit 0 "a frame the checksum cannot catch: write+verify succeeds" a3 -p "$T/twin" --json write "$IMG"
expect_match "a frame the checksum cannot catch: one page repaired" '"repaired_pages":1'
check "a frame the checksum cannot catch: the flash holds the image" \
	flash_equals "$T/twin.state" 0x08000000 "$IMG"
check "a frame the checksum cannot catch: the ROM programmed it (ACK)" log_has twin 'twin-in'
check "a frame the checksum cannot catch: page 0 erased twice" \
	test "$(log_count twin '^erase .*from 0: ack')" -ge 2
stop_board twin
# With --no-erase nothing was erased by the job, so nothing is repaired: exit 9.
fresh_board twin2 --faults 'twin-in@write#1.20' || true
expect_exit 9 "no page repair without erase: verify error" a3 -p "$T/twin2" write --erase=none "$IMG"
expect_match "no page repair without erase: names the address" 'verify failed at 0x080000'
stop_board twin2

finish
