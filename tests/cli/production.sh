#!/bin/bash
# SPDX-License-Identifier: MIT
# The production line (issue 13) through the real programs: gang
# programming over 4 serial boards and 4 USB devices with one failing,
# serial numbers that two gang runs at once never share, --patch, the
# smoke check (--expect) on serial and USB, --log from parallel jobs, and
# every event of these runs checked against the schema in stmboot(7).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/events_lib.sh"

BIN=$FIX/fw.bin
SN_ADDR=0x0800F000     # outside fw.bin (0x08000000-0x080051DF), on page 15
# sn_at STATE: the serial number text at SN_ADDR (NUL-terminated)
sn_at() { flash_bytes "$1" $SN_ADDR 16 | tr -d '\377' | cut -d '' -f1 | tr -d '\0'; }

# ---- gang over four serial boards, the fourth read-protected -------------------------------
for i in 1 2 3; do start_board "g$i"; done
start_board g4 --rdp 1
echo 100 >"$T/counter"
g4_before=$(state_sum g4)
OUT=$(an3155 -p "$T/g[1-4]" --json --log "$T/gang.log" write --sn-counter "$T/counter" --sn-addr $SN_ADDR \
	--sn-format 'SN-%06u' "$FIX/fw.hex" 2>"$T/gang.err"); RC=$?
echo "$OUT" >"$T/gang.json"
is "gang, 4 serial boards, one protected: exit 10" 10
check "gang: the parent's result lists 4 boards, 3 ok" \
	test "$(jq -s '[.[] | select(.event == "result" and .gang == null and .boards != null) | .boards[] | select(.ok)] | length' "$T/gang.json")" = 3
check "gang: the protected board's status is 8" \
	test "$(jq -s -r '.[] | select(.event == "result" and .boards != null) | .boards[] | select(.board | endswith("/g4")) | .exit' "$T/gang.json")" = 8
for i in 1 2 3; do
	check "gang: board g$i holds the image" flash_equals "$T/g$i.state" 0x08000000 "$BIN"
	check "gang: board g$i's events carry its port" \
		grep -q "\"event\":\"result\".*\"ok\":true.*\"board\":\"$T/g$i\"" "$T/gang.json"
done
check "gang: the protected board is untouched" test "$(state_sum g4)" = "$g4_before"
sns=$(for i in 1 2 3; do sn_at "$T/g$i.state"; echo; done | sort -u | grep -c '^SN-0001')
check "gang: three boards, three different serial numbers in flash" test "$sns" = 3
check "gang: four numbers taken (the failed board's is not reused)" test "$(cat "$T/counter")" = 104
check "gang: every serial number in the events is different" \
	test "$(jq -r 'select(.event == "serial-number") | .value' "$T/gang.json" | sort -u | wc -l)" = 4
schema_ok "gang: every event as stmboot(7) documents it" "$T/gang.json"
check "gang --log: every line is JSON" jq -e . "$T/gang.log"
check "gang --log: a start and a result per board and for the gang" \
	test "$(grep -c '"event":"result"' "$T/gang.log")" = 5 -a "$(grep -c '"event":"start"' "$T/gang.log")" = 5
if grep -q '"event":"progress"' "$T/gang.log"; then not_ok "gang --log: no progress lines"; else ok "gang --log: no progress lines"; fi
schema_ok "gang --log: every line as stmboot(7) documents it" "$T/gang.log"

# the table, without --json; a glob matching nothing
OUT=$(an3155 -p "$T/g1" -p "$T/g2" verify "$FIX/fw.hex" 2>&1); RC=$?
is "gang verify, two -p: exit 0" 0
has "gang: the summary table" "^board +result +exit"
has "gang: one line per board" "$T/g2 +ok +0 "
expect_exit 4 "gang: a glob matching no port" an3155 -p "$T/nope*" write "$FIX/fw.hex"
expect_exit 3 "gang: a bad file fails once, before any board" an3155 -p "$T/g1" -p "$T/g2" write "$FIX/bad/bad-checksum.hex"
expect_exit 2 "gang: read is not a gang command" an3155 -p "$T/g1" -p "$T/g2" read 0x08000000 16 "$T/x.bin"

# ---- two gang runs at once share the counter ----------------------------------------------------
for i in 1 2 3 4 5 6 7 8; do start_board "h$i"; done
echo 1 >"$T/counter2"
an3155 -p "$T/h[1-4]" --json write --sn-counter "$T/counter2" --sn-addr $SN_ADDR "$FIX/fw.hex" >"$T/ga.json" 2>"$T/ga.err" &
ga=$!
an3155 -p "$T/h[5-8]" --json write --sn-counter "$T/counter2" --sn-addr $SN_ADDR "$FIX/fw.hex" >"$T/gb.json" 2>"$T/gb.err" &
gb=$!
wait $ga; ra=$?
wait $gb; rb=$?
check "two gang runs at once: both exit 0" test "$ra$rb" = 00
check "two gang runs at once: 8 numbers taken" test "$(cat "$T/counter2")" = 9
vals=$(cat "$T/ga.json" "$T/gb.json" | jq -r 'select(.event == "serial-number") | .value' | sort -n | tr '\n' ' ')
check "two gang runs at once: numbers 1..8, none twice" test "$vals" = "1 2 3 4 5 6 7 8 "
words=$(for i in 1 2 3 4 5 6 7 8; do flash_bytes "$T/h$i.state" $SN_ADDR 4 | od -An -tu4 | tr -d ' '; done | sort -n | tr '\n' ' ')
check "two gang runs at once: each board holds its own number (u32)" test "$words" = "1 2 3 4 5 6 7 8 "

# ---- --patch: bytes of the image replaced, verified with it ---------------------------------------
fresh_board p1
OUT=$(an3155 -p "$T/p1" --json write --patch 0x08000100=u32:0xDEADBEEF --patch 0x0800F100=str:cal "$FIX/fw.hex" 2>&1); RC=$?
is "--patch: exit 0" 0
check "--patch: the word replaces the image's bytes" test "$(flash_bytes "$T/p1.state" 0x08000100 4 | od -An -tx4 | tr -d ' ')" = deadbeef
check "--patch: bytes outside the image are added" test "$(flash_bytes "$T/p1.state" 0x0800F100 3)" = cal
has "--patch: listed in the result" '"patches":\[\{"address":134217984,"bytes":"efbeadde"\}'
expect_exit 3 "--patch outside flash: exit 3" an3155 -p "$T/p1" write --patch 0x09000000=00 "$FIX/fw.hex"
expect_match "--patch outside flash: names the option" "--patch 0x09000000: 0x09000000-0x09000000 is outside flash"
expect_exit 2 "--patch with verify: usage error" an3155 -p "$T/p1" verify --patch 0x08000000=00 "$FIX/fw.hex"
expect_exit 2 "--sn-counter without --sn-addr: usage error" an3155 -p "$T/p1" write --sn-counter "$T/counter" "$FIX/fw.hex"
echo "twelve" >"$T/badcounter"
expect_exit 3 "a malformed counter file: exit 3" an3155 -p "$T/p1" write --sn-counter "$T/badcounter" --sn-addr $SN_ADDR "$FIX/fw.hex"
expect_match "a malformed counter file: names the file and line" "badcounter:1: expected the next serial number"
echo 7 >"$T/counter3"
expect_exit 0 "--dry-run shows the next number without taking it" \
	an3155 -p "$T/p1" --dry-run write --sn-counter "$T/counter3" --sn-addr $SN_ADDR "$FIX/fw.hex"
check "--dry-run: the counter is unchanged" test "$(cat "$T/counter3")" = 7

# ---- smoke check over serial: the application's banner at its own baud ------------------------------
fresh_board e1 --app-banner 'app 1.0 ready' --app-baud 9600
OUT=$(an3155 -p "$T/e1" --json write --go --expect 'app [0-9.]+ ready' --expect-baud 9600 "$FIX/fw.hex" 2>&1); RC=$?
is "--expect at the application's baud: exit 0" 0
has "--expect: an expect event, ok, with the text" '"event":"expect","program":"an3155","ok":true,.*"text":"app 1.0 ready"'
has "--expect: in the result" '"event":"result".*"expect":\{"ok":true'
echo "$OUT" | grep '^{' >"$T/expect.json"
schema_ok "--expect: every event as stmboot(7) documents it" "$T/expect.json"
fresh_board e2 --app-banner 'app 1.0 ready' --app-baud 9600
OUT=$(an3155 -p "$T/e2" --json write --go --expect 'app [0-9.]+ ready' --expect-timeout 2 "$FIX/fw.hex" 2>&1); RC=$?
is "--expect at the wrong baud: exit 11" 11
has "--expect timeout: the event says so, with what arrived" '"event":"expect","program":"an3155","ok":false,.*"text":"[^"]+'
has "--expect timeout: error code expect" '"event":"error".*"code":"expect","exit":11'
fresh_board e3 --app-banner 'app 1.0 ready'
expect_exit 11 "--expect a pattern that never comes: exit 11" \
	an3155 -p "$T/e3" write --go --expect 'app 2' --expect-timeout 1 "$FIX/fw.hex"
expect_match "--expect timeout: the message shows the output" 'did not match /app 2/ within 1 s; it printed 13 bytes: "app 1.0 ready"'
expect_exit 2 "--expect without --go or lines: usage error" an3155 -p "$T/e3" write --expect x "$FIX/fw.hex"
expect_exit 2 "--expect with a bad regex: usage error" an3155 -p "$T/e3" go --expect 'a('

# ---- USB: four devices, one read-protected; smoke check through the adapter ---------------------------
bounded 60 "$BUILD/romsim" usb --state "$T/u3.state" --rdp 1 -- true
u3_before=$(cksum <"$T/u3.state")
echo 500 >"$T/ucounter"
cat >"$T/ugang.sh" <<EOS
"$BUILD/dfuse" --all-devices --json --log "$T/ugang.log" write --sn-counter "$T/ucounter" --sn-addr $SN_ADDR \
	"$FIX/fw.dfu" >"$T/ugang.json" 2>"$T/ugang.err"
EOS
expect_exit 10 "USB gang, 4 devices, one protected: exit 10" \
	bounded 120 "$BUILD/romsim" usb -n 4 --state "$T/u%d.state" -- bash "$T/ugang.sh"
check "USB gang: 3 of 4 ok" \
	test "$(jq -s '[.[] | select(.event == "result" and .boards != null) | .boards[] | select(.ok)] | length' "$T/ugang.json")" = 3
check "USB gang: the protected device's status is 8" \
	test "$(jq -s -r '.[] | select(.event == "result" and .boards != null) | .boards[] | select(.board == "1-3") | .exit' "$T/ugang.json")" = 8
n_ok=0
for i in 1 2 4; do flash_equals "$T/u$i.state" 0x08000000 "$BIN" && n_ok=$((n_ok + 1)); done
check "USB gang: the three good devices hold the image" test "$n_ok" = 3
check "USB gang: the protected device is untouched" test "$(cksum <"$T/u3.state")" = "$u3_before"
check "USB gang: each device's events carry its USB path" grep -q '"event":"result".*"ok":true.*"board":"1-4"' "$T/ugang.json"
check "USB gang: four different serial numbers" \
	test "$(jq -r 'select(.event == "serial-number") | .value' "$T/ugang.json" | sort -u | wc -l)" = 4
schema_ok "USB gang: every event as stmboot(7) documents it" "$T/ugang.json"
schema_ok "USB gang --log: every line as stmboot(7) documents it" "$T/ugang.log"

cat >"$T/uexp.sh" <<EOS
"$BUILD/dfuse" --port "$T/adapter" --boot0 rts:inv --nrst dtr --json write \
	--expect 'app 1\\.0 ready' "$FIX/fw.hex" >"$T/uexp.json" 2>"$T/uexp.err"
EOS
# the shim first in the command's preload, as romsim usb arranges (romsim(1))
OUT=$(LD_PRELOAD="$BUILD/serialshim.so" bounded 120 "$BUILD/romsim" usb --boot0 0 --state "$T/ue.state" \
	--adapter rts=boot0,dtr=nrst:inv --adapter-link "$T/adapter" --app-banner 'app 1.0 ready' -- \
	bash "$T/uexp.sh" 2>&1); RC=$?
is "USB --expect on the lines' adapter: exit 0" 0
check "USB --expect: the banner seen after the exit sequence" \
	grep -q '"event":"expect","program":"dfuse","ok":true.*"text":"app 1.0 ready"' "$T/uexp.json"
schema_ok "USB --expect: every event as stmboot(7) documents it" "$T/uexp.json"

finish
