#!/bin/bash
# SPDX-License-Identifier: MIT
# progress.sh - the progress bar on a terminal (a pty from script(1)): rate
# and time left, and never a line shared with stdout (the plan) or a message,
# also when stdout goes through a pipe to the same terminal; --json stays
# clean; no bar when stderr is not a terminal.
. "$(dirname "$0")/lib.sh"

# on_pty FILE CMD: run the shell command CMD on a pseudo-terminal, its output in FILE
on_pty() { local f=$1; shift; bounded 120 script -qec "$*" /dev/null >"$f" 2>&1 </dev/null; }
# the pieces a terminal shows: lines, split again at each carriage return
pieces() { awk '{ n = split($0, s, "\r"); for (i = 1; i <= n; i++) print s[i] }' "$1"; }
BAR='^(erase|write|verify|read|crc) +\[[# ]*\] +[0-9]+% '
# a bar frame with anything of the program's after it on the same line
mixed() { pieces "$1" | grep -E "$BAR" | grep -E '\] +[0-9]+% .*(flash:|segment |erase:|write:|verify:|an3155:)'; }

# The timing model paces the board (11 bit-times a byte at 115200 baud), so
# each phase lasts long enough for frames with a rate; no test waits on time.
start_board pb --timing || not_ok "progress: a board"
W="LD_PRELOAD=$BUILD/serialshim.so $BUILD/an3155 -p $T/pb"

on_pty "$T/tty.out" "$W write $FIX/fw.hex"
check "terminal: the write succeeded" grep -q 'an3155: wrote 20960 bytes' "$T/tty.out"
for p in erase write verify; do
	if pieces "$T/tty.out" | grep -Eq "^$p +\\["; then ok "terminal: a bar for $p"
	else not_ok "terminal: a bar for $p" "$(cat -A "$T/tty.out" | head -5)"; fi
done
OUT=$(pieces "$T/tty.out" | grep -E "$BAR")
expect_match "terminal: frames show the rate" '^write .* [0-9]+\.[0-9] KB/s'
expect_match "terminal: frames show the time left" ' [0-9]+:[0-9]{2} left'
OUT=$(mixed "$T/tty.out")
if [ -z "$OUT" ]; then ok "terminal: no line holds a bar and other output"
else not_ok "terminal: no line holds a bar and other output" "$OUT"; fi
check "terminal: the message after the bars starts on a cleared line" \
	grep -q $'\r\033\\[Kan3155: wrote' "$T/tty.out"

# stdout through a pipe to the same terminal: the plan arrives through cat
on_pty "$T/pipe.out" "$W write $FIX/fw.hex | cat"
for line in 'flash: 2048 KB' 'segment 0x08000000' 'erase: 6 page' 'write: 82 block' 'verify: after'; do
	if pieces "$T/pipe.out" | grep -q "^$line"; then ok "stdout piped: '$line' is a line of its own"
	else not_ok "stdout piped: '$line' is a line of its own" "$(cat -A "$T/pipe.out" | head -8)"; fi
done
OUT=$(mixed "$T/pipe.out")
if [ -z "$OUT" ]; then ok "stdout piped: no line holds a bar and other output"
else not_ok "stdout piped: no line holds a bar and other output" "$(cat -A <<<"$OUT")"; fi

# --json on a terminal: only events on stdout, no bar anywhere
on_pty "$T/json.out" "$W --json write $FIX/fw.hex 2>$T/json.err"
bad=$(tr -d '\r' <"$T/json.out" | grep -v '^{"event":"[a-z]*","program":"an3155".*}$')
if [ -z "$bad" ] && grep -q '"event":"progress"' "$T/json.out"; then ok "--json on a terminal: stdout holds events only"
else not_ok "--json on a terminal: stdout holds events only" "$bad"; fi
if grep -q $'\r' "$T/json.err"; then not_ok "--json: no bar on stderr" "$(cat -A "$T/json.err")"
else ok "--json: no bar on stderr"; fi

# stderr not a terminal: no bar
LD_PRELOAD=$BUILD/serialshim.so "$BUILD/an3155" -p "$T/pb" write "$FIX/fw.hex" >"$T/plain.out" 2>"$T/plain.err"
if grep -q $'\r' "$T/plain.err"; then not_ok "stderr to a file: no bar" "$(cat -A "$T/plain.err" | head -3)"
else ok "stderr to a file: no bar"; fi

finish
