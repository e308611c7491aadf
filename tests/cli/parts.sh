#!/bin/bash
# SPDX-License-Identifier: MIT
# parts.sh - `an3155 parts`: the whole device table, the filter, --json, the
# exit status when nothing matches, and README.md's generated list.
. "$(dirname "$0")/lib.sh"

A3=$BUILD/an3155

expect_exit 0 "parts: exit 0" "$A3" parts
expect_match "parts: a header" '^PID +part'
n=$(echo "$OUT" | grep -c '^0x')
if [ "$n" -ge 79 ]; then ok "parts: every PID ($n rows)"; else not_ok "parts: every PID" "only $n rows"; fi
expect_match "parts: L4R5 dual bank by factory options" '^0x470 .*single 256x8K \| dual\* 2x\(256x4K\)'
expect_match "parts: F1 ROMs offer the legacy Erase 0x43" '^0x410 .*0x43'
expect_match "parts: H7 writes 32-byte flash words" '^0x450 .*unit 32'
expect_match "parts: U5 writes 16-byte quad-words" '^0x482 .*unit 16'
expect_match "parts: F4 sectors" '^0x413 .*4x16K\+64K\+7x128K'

expect_exit 0 "parts l4: exit 0" "$A3" parts l4
if echo "$OUT" | grep '^0x' | grep -vq 'STM32L4'; then
	not_ok "parts l4: only L4 names" "$(echo "$OUT" | grep '^0x' | grep -v STM32L4 | head -3)"
else ok "parts l4: only L4 names"; fi
expect_match "parts l4: L47x" '^0x415 '
expect_match "parts l4: L4+ too" '^0x470 '
expect_exit 0 "parts G4 (a family, any case)" "$A3" parts G4
n=$(echo "$OUT" | grep -c '^0x')
if [ "$n" -eq 3 ]; then ok "parts G4: three PIDs"; else not_ok "parts G4: three PIDs" "$OUT"; fi
expect_exit 0 "parts 0x451 (a PID)" "$A3" parts 0x451
expect_match "parts 0x451: F76x single bank by factory options" 'single\* 4x32K\+128K\+7x256K \| dual 2x\(4x16K\+64K\+7x128K\)'

expect_exit 0 "parts --json: exit 0" "$A3" parts --json
n=$(echo "$OUT" | grep -c '^{"event":"part"')
if [ "$n" -ge 79 ]; then ok "parts --json: one part event per PID"; else not_ok "parts --json: one part event per PID" "$n"; fi
expect_match "parts --json: L0 erased value 0 and no mass erase" '"pid":1047,.*"erased":0,.*"mass_erase":false'
expect_match "parts --json: WB1x erased value unsure" '"pid":1172,.*"erased":null'
expect_match "parts --json: sources" '"pid":1136,.*"source":"AN2606'
lacks "parts --json: every line is one JSON object" '^[^{]|[^}]$' 

expect_exit 3 "parts nosuchpart: exit 3" "$A3" parts nosuchpart
expect_match "parts nosuchpart: says so" "no part in the device table matches 'nosuchpart'"
expect_exit 2 "parts a b: usage" "$A3" parts a b

expect_exit 0 "README.md lists the device table as it is (make readme-parts)" \
	env BUILD="$BUILD" "$ROOT/scripts/readme-parts" --check
finish
