#!/bin/bash
# SPDX-License-Identifier: MIT
# an3155 option-bytes: show the STM32L4R5 option bytes (protocol-facts E.4),
# change them with --write --force, and the part resetting with them.
. "$(dirname "$0")/lib.sh"

start_board ob
expect_exit 0 "option-bytes: show" an3155 -p "$T/ob" option-bytes
expect_match "option-bytes: bank 1 raw at 0x1FF00000" '^bank 1 at 0x1FF00000: aa f8 ef ff 55 07 10 00'
expect_match "option-bytes: factory OPTR decoded" 'OPTR +0xFFEFF8AA +RDP level 0, no protection, DBANK=1 BFB2=0 nBOOT0=1 nSWBOOT0=1 nBOOT1=1'
expect_match "option-bytes: WRP decoded" 'WRP1AR +0x000000FF +no write protection'
expect_match "option-bytes: bank 2 at 0x1FF01000" '^bank 2 at 0x1FF01000: '
expect_exit 0 "option-bytes --json" an3155 -p "$T/ob" --json option-bytes
expect_match "option-bytes --json: word0 is OPTR" '"event":"option-bytes".*"bank":1.*"word0":4293916842'

before=$(state_sum ob)
expect_exit 2 "--write without --force is refused" an3155 -p "$T/ob" option-bytes --write 0xFFAFF8AA
check "--write without --force: nothing changed" test "$(state_sum ob)" = "$before"
expect_exit 3 "RDP level 2 (0xCC) is never written" an3155 -p "$T/ob" option-bytes --write 0xFFEFF8CC --force
expect_match "RDP level 2: says it cannot be undone" 'level 2.*never be undone'
expect_exit 3 "a block that is not a whole bank is refused" an3155 -p "$T/ob" option-bytes --write 'aa f8' --force
expect_match "not a whole bank: names the bank size" 'bank 1: 40 bytes at 0x1FF00000'
check "refused writes changed nothing" test "$(state_sum ob)" = "$before"

# DBANK off: the part resets into single-bank mode, 8 KB pages
expect_exit 0 "--write 0xOPTR --force: DBANK off" an3155 -p "$T/ob" option-bytes --write 0xFFAFF8AA --force
expect_match "--write: read back after the reset" 'OPTR +0xFFAFF8AA .*DBANK=0'
expect_exit 0 "info after DBANK off" an3155 -p "$T/ob" info
expect_match "info: single bank, 8 KB pages" '256 x 8 KB'
# and back, from a file holding the whole bank
printf '\xaa\xf8\xef\xff\x55\x07\x10\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff' >"$T/bank1.bin"
expect_exit 0 "--write FILE --force: factory bank 1 back" an3155 -p "$T/ob" option-bytes --write "$T/bank1.bin" --force
expect_exit 0 "info after writing the factory bank" an3155 -p "$T/ob" info
expect_match "info: dual bank again" '2 banks x 256 pages x 4 KB'
check "romsim saw the option write and the reset" log_has ob 'write 0x1FF00000'

finish
