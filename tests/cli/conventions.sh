#!/bin/bash
# SPDX-License-Identifier: MIT
# conventions.sh - what every program shares: one table of exit codes (the
# rows of src/common/exit_codes.h) in each --help, each man page, stmboot(7) and the
# README; the same code for the same mistake; one "Try 'PROG --help'." line
# and a JSON error event for a usage error; --version everywhere; and no
# internal notes ("facts A.6") in what users read.
. "$(dirname "$0")/lib.sh"

PROGS="an3155 dfuse bootctl romsim"
HEADER=$ROOT/src/common/exit_codes.h

# ---- the table ---------------------------------------------------------------------------
# the rows, read here independently of scripts/exit-codes
sed -n 's/^[[:space:]]*X([A-Z_]*,[[:space:]]*\([0-9]*\),[[:space:]]*"\([^"]*\)").*/\1	\2/p' \
	"$HEADER" >"$T/table"
rows=$(wc -l <"$T/table")
if [ "$rows" -ge 10 ] && cut -f1 "$T/table" | sort -n -c 2>/dev/null &&
	[ "$(cut -f1 "$T/table" | sort -u | wc -l)" -eq "$rows" ]; then
	ok "exit codes: $rows rows in src/common/exit_codes.h, each number once"
else
	not_ok "exit codes: src/common/exit_codes.h has the table, each number once" "$(cat "$T/table")"
fi

# --help ends with the table, one line a code
while IFS='	' read -r code text; do printf '  %s  %s\n' "$code" "$text"; done <"$T/table" >"$T/help-want"
for p in $PROGS; do
	"$BUILD/$p" --help 2>&1 | sed -n '/^Exit status:$/,$p' | tail -n +2 >"$T/help-got"
	if diff -u "$T/help-want" "$T/help-got" >"$T/diff"; then ok "$p --help: the exit-code table"
	else not_ok "$p --help: the exit-code table" "$(head -20 "$T/diff")"; fi
done

# every man page's EXIT STATUS, as rendered
for page in "$ROOT"/man/*.1 "$ROOT"/man/stmboot.7; do
	mandoc -Tascii "$page" 2>/dev/null | sed 's/.\x08//g' |
		sed -n '/^EXIT STATUS/,/^[A-Z]/p' | tr -s ' \n' ' ' >"$T/page"
	missing=""
	while IFS='	' read -r code text; do
		grep -qF " $code $text" "$T/page" || missing="$missing [$code $text]"
	done <"$T/table"
	if [ -z "$missing" ]; then ok "$(basename "$page"): EXIT STATUS lists the table"
	else not_ok "$(basename "$page"): EXIT STATUS lists the table" "missing:$missing"; fi
done

# the README
missing=""
while IFS='	' read -r code text; do
	grep -qxF "| $code | $text |" "$ROOT/README.md" || missing="$missing [$code]"
done <"$T/table"
if [ -z "$missing" ]; then ok "README: the exit-code table"; else not_ok "README: the exit-code table" "missing:$missing"; fi
expect_exit 0 "scripts/exit-codes check: every generated block is current" "$ROOT/scripts/exit-codes" check

# ---- the same mistake, the same code ---------------------------------------------------------
start_board conv || not_ok "conventions: a board for the checks"
A=(env LD_PRELOAD="$BUILD/serialshim.so")
# a sequence that sets NRST when no NRST line is wired: a usage error everywhere
expect_exit 2 "unwired NRST: an3155 exits 2" "${A[@]}" "$BUILD/an3155" -p "$T/conv" --boot0 rts --entry 'nrst=0' info
expect_match "unwired NRST: an3155 says which line" 'no NRST line is configured'
expect_exit 2 "unwired NRST: bootctl exits 2" "${A[@]}" "$BUILD/bootctl" -p "$T/conv" --boot0 rts seq 'nrst=0'
expect_exit 2 "unwired NRST: dfuse exits 2" "${A[@]}" "$BUILD/dfuse" --port "$T/conv" --boot0 rts --entry 'nrst=0' info
check "unwired NRST: nothing reached the board" log_lacks conv '^sync'
# not a serial port: a regular file and /dev/null alike
expect_exit 4 "a regular file as port: exit 4" "$BUILD/an3155" -p "$HEADER" info
expect_match "a regular file as port: not a serial port" 'is not a serial port'
expect_exit 4 "/dev/null as port: exit 4" "$BUILD/an3155" -p /dev/null info
expect_match "/dev/null as port: not a serial port" '/dev/null is not a serial port'
expect_exit 4 "/dev/null as bootctl's port: exit 4" "$BUILD/bootctl" -p /dev/null --boot0 rts enter

# ---- usage errors and --version ---------------------------------------------------------------
for p in an3155 dfuse bootctl romsim; do
	case $p in romsim) args=(serial --frob) hint="Try 'romsim serial --help'." ;;
	*) args=(--frob info) hint="Try '$p --help'." ;; esac
	expect_exit 2 "$p: an unknown option exits 2" "$BUILD/$p" "${args[@]}"
	if [ "$(grep -cxF "$hint" <<<"$OUT")" = 1 ] && [ "$(wc -l <<<"$OUT")" = 2 ]; then
		ok "$p: one message and one \"$hint\" line"
	else
		not_ok "$p: one message and one \"$hint\" line" "$OUT"
	fi
	expect_exit 0 "$p --version" "$BUILD/$p" --version
	expect_match "$p --version: program, stmboot and the version" "^$p \\(stmboot\\) [0-9]"
done
# the job programs take their options before and after the command word, the same way
many=()
for _ in $(seq 64); do many+=("$FIX/fw.hex"); done
for p in an3155 dfuse; do
	expect_exit 0 "$p: --version after the command" "$BUILD/$p" info --version
	expect_match "$p info --version: the version" "^$p \\(stmboot\\) [0-9]"
	expect_exit 0 "$p: 64 input files (the most) are taken" "$BUILD/$p" -q -n write "${many[@]}"
	expect_exit 2 "$p: a 65th is a usage error" "$BUILD/$p" -q -n write "${many[@]}" "$FIX/fw.hex"
	expect_match "$p: 65 files: too many arguments" "too many arguments"
done
expect_exit 2 "romsim without a command: usage error" "$BUILD/romsim"
expect_match "romsim without a command: the hint" "^Try 'romsim --help'\\.$"
for p in an3155 dfuse bootctl; do
	"$BUILD/$p" --json --frob info >"$T/json.out" 2>"$T/json.err"
	rc=$?
	if [ "$rc" = 2 ] && grep -Eqx '\{"event":"error","program":"'"$p"'","code":"usage","exit":2,"message":"[^"]*--frob[^"]*"(,"ts":"[^"]*")?\}' "$T/json.out" &&
		[ "$(wc -l <"$T/json.out")" = 1 ]; then
		ok "$p --json: a usage error is one error event on stdout"
	else
		not_ok "$p --json: a usage error is one error event on stdout" "exit $rc" "$(cat "$T/json.out")"
	fi
	check "$p --json: the message and hint stay on stderr" grep -qxF "Try '$p --help'." "$T/json.err"
done

# ---- the options an3155 and dfuse share: one table, one message -------------------------------
# (src/common/jobopts.c) The same wrong value gets the same words from both.
while IFS='|' read -r what args; do
	read -ra a <<<"$args"
	m1=$("$BUILD/an3155" "${a[@]}" 2>&1 | head -1 | sed 's/^an3155: //')
	"$BUILD/an3155" "${a[@]}" >/dev/null 2>&1; r1=$?
	m2=$("$BUILD/dfuse" "${a[@]}" 2>&1 | head -1 | sed 's/^dfuse: //')
	"$BUILD/dfuse" "${a[@]}" >/dev/null 2>&1; r2=$?
	if [ "$r1" = 2 ] && [ "$r2" = 2 ] && [ -n "$m1" ] && [ "$m1" = "$m2" ]; then
		ok "$what: exit 2 and the same message from an3155 and dfuse"
	else
		not_ok "$what: exit 2 and the same message from an3155 and dfuse" \
			"an3155 ($r1): $m1" "dfuse ($r2): $m2"
	fi
done <<'LIST'
--retries 101|--retries 101 write x.bin
--retries not a number|--retries many write x.bin
--erase with a wrong mode|--erase some write x.bin
--plan with a wrong name|--plan quick write x.bin
--format unknown|-f cpio write x.bin
--base not a number|-a 0x8g000000 write x.bin
LIST

# ---- every source file names its licence -----------------------------------------------------
# LICENSE is MIT; each file says so in its first lines (after a #! or
# #compdef line), so a file copied out of the tree keeps its terms. Data
# (fixtures, recordings) and prose (README) are not sources.
missing=$(find src sim protocols gpio stub tests scripts mk man completions udev doc .ci fixtures/src Makefile \
	-type f \( -name '*.[chS]' -o -name '*.ld' -o -name '*.sh' -o -name '*.mk' -o -name '*.bash' \
	-o -name '*.rules' -o -name '*.conf' -o -name '*.[17]' -o -name Makefile -o -path 'scripts/*' \
	-o -path '.ci/*' -o -path 'completions/*' \) 2>/dev/null | sort | while read -r f; do
	head -3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"
done)
nsrc=$(find src sim protocols gpio stub tests scripts mk man completions udev doc .ci fixtures/src Makefile -type f 2>/dev/null | wc -l)
if [ -z "$missing" ] && [ "$nsrc" -gt 250 ]; then ok "every source file carries its SPDX line ($nsrc files looked at)"
else not_ok "every source file carries its SPDX line" "$nsrc files; without:" "$missing"; fi
check "LICENSE: the MIT licence" grep -q '^MIT License' LICENSE

# ---- no internal notes in what users read -----------------------------------------------------
# Citations of the project's own notes belong in code comments; a user cannot
# look up "facts A.6". Other engineers add strings too: this reads the binaries.
NOTES='facts [A-Z][.0-9]|protocol-facts|testing-without-hardware|serial-anchors|usb-anchors|DESIGN\.md|STYLE\.md'
for f in an3155 dfuse bootctl romsim serialshim.so; do
	hits=$(strings "$BUILD/$f" | grep -E "$NOTES")
	if [ -z "$hits" ]; then ok "$f: no internal notes among its strings"
	else not_ok "$f: no internal notes among its strings" "$hits"; fi
done
for p in an3155 dfuse bootctl; do
	hits=$("$BUILD/$p" --help 2>&1 | grep -E "$NOTES")
	if [ -z "$hits" ]; then ok "$p --help: no internal notes"; else not_ok "$p --help: no internal notes" "$hits"; fi
done

finish
