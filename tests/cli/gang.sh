#!/bin/bash
# SPDX-License-Identifier: MIT
# Several boards at once, as on a production jig: one an3155 per serial
# board in parallel, one dfuse per USB device (selected by port path) in
# parallel; each job reports on its own and each board ends with the image.
. "$(dirname "$0")/lib.sh"

BIN=$FIX/fw.bin
N=3

for i in $(seq 1 $N); do start_board "g$i"; done
pids=()
for i in $(seq 1 $N); do
	an3155 -p "$T/g$i" --json write "$FIX/fw.hex" >"$T/g$i.json" 2>"$T/g$i.err" &
	pids+=($!)
done
for i in $(seq 1 $N); do
	wait "${pids[$((i - 1))]}"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok "serial board $i: exit 0"
	else not_ok "serial board $i: exit 0" "exit $rc" "$(tail -3 "$T/g$i.err")"; fi
	check "serial board $i: result event" grep -q '"event":"result".*"ok":true' "$T/g$i.json"
	check "serial board $i: flash holds the image" flash_equals "$T/g$i.state" 0x08000000 "$BIN"
done
# the same port twice at once: the second job is refused, the first is unharmed
# (a board at real line speed, so that the first job is surely still running:
# 20 KB written and read back at 115200 baud take seconds, the check below
# starts as soon as the first block has gone out)
start_board slow --timing --baud 115200
an3155 -p "$T/slow" -q write "$FIX/fw.hex" >/dev/null 2>&1 &
first=$!
wait_until log_has slow '^write ' >/dev/null
expect_exit 4 "one port, two jobs: the second is refused" an3155 -p "$T/slow" info
expect_match "one port, two jobs: says busy" 'busy'
wait "$first"
check "one port, two jobs: the first job still exits 0" test $? -eq 0
check "one port, two jobs: the first job's image is intact" flash_equals "$T/slow.state" 0x08000000 "$BIN"

# USB: three devices on one bus, three dfuse jobs in parallel, picked by path
cat >"$T/gang-usb.sh" <<EOS
for p in 1-1 1-2 1-3; do
	"$BUILD/dfuse" --path \$p --json write "$FIX/fw.dfu" >"$T/u-\$p.json" 2>"$T/u-\$p.err" &
done
rc=0
for j in \$(jobs -p); do wait \$j || rc=1; done
exit \$rc
EOS
expect_exit 0 "USB: three dfuse jobs in parallel exit 0" \
	bounded 120 "$BUILD/romsim" usb -n 3 --state "$T/u%d.state" -- bash "$T/gang-usb.sh"
for i in 1 2 3; do
	check "USB device 1-$i: result event" grep -q '"event":"result".*"ok":true' "$T/u-1-$i.json"
done
n_ok=0
for f in "$T"/u*.state; do flash_equals "$f" 0x08000000 "$BIN" && n_ok=$((n_ok + 1)); done
check "USB: every device's flash holds the image" test "$n_ok" -eq 3

finish
