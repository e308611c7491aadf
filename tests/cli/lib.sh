# SPDX-License-Identifier: MIT
# tests/cli/lib.sh - helpers for tests of the real programs against the
# virtual board. Source it from a test script:  . "$(dirname "$0")/lib.sh"
#
# Each check prints "ok - NAME" or "not ok - NAME"; the script's exit status
# is non-zero when any check failed (call `finish` last).
set -u
BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FIX=$ROOT/fixtures
T=$(mktemp -d /tmp/stmboot-test.XXXXXX)
export SERIALSHIM_DIR=$T/shim
mkdir -p "$SERIALSHIM_DIR"
_failures=0
_pids=()

_cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do wait "$p" 2>/dev/null; done
	[ -f "$T/.readable" ] && rm -rf "$(cat "$T/.readable")"
	rm -rf "$T"
}
trap _cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; _failures=$((_failures + 1)); }

# check NAME CMD...: passes when CMD exits 0.
check() {
	local name=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "command: $*" "$(echo "$out" | tail -5)"; fi
}

# expect_exit CODE NAME CMD...: passes when CMD exits with CODE. Output in $OUT.
expect_exit() {
	local code=$1 name=$2; shift 2
	OUT=$("$@" 2>&1)
	local rc=$?
	if [ "$rc" -eq "$code" ]; then ok "$name"
	else not_ok "$name" "expected exit $code, got $rc: $*" "$(echo "$OUT" | tail -5)"; fi
}

# expect_match NAME REGEX: the last $OUT matches REGEX (grep -E).
expect_match() {
	if echo "$OUT" | grep -Eq -- "$2"; then ok "$1"
	else not_ok "$1" "output does not match /$2/:" "$(echo "$OUT" | tail -5)"; fi
}

# start_board NAME [romsim serial options]: a virtual board on $T/NAME,
# state in $T/NAME.state, pins socket $T/NAME.pins, log $T/NAME.log.
# Waits for romsim's "ready" (at most 10 s), not once romsim has exited (a
# board it refuses).
start_board() {
	local name=$1; shift
	"$BUILD/romsim" serial --pty-link "$T/$name" --state "$T/$name.state" \
		--pins-sock "$T/$name.pins" --log "$T/$name.log" "$@" >"$T/$name.out" 2>&1 &
	local pid=$! i
	_pids+=("$pid")
	for i in $(seq 1 200); do
		grep -q '^ready' "$T/$name.out" 2>/dev/null && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			# exited: its output is whole now (a "ready" written since counts)
			grep -q '^ready' "$T/$name.out" 2>/dev/null && return 0
			break
		fi
		sleep 0.05
	done
	echo "# romsim did not become ready:"; sed 's/^/#   /' "$T/$name.out"
	return 1
}

# stop_board NAME: stop the board's romsim (state file stays).
stop_board() {
	local name=$1 pid
	for pid in "${_pids[@]}"; do
		if tr '\0' ' ' 2>/dev/null </proc/"$pid"/cmdline | grep -q -- "--pty-link $T/$name "; then
			kill "$pid"; wait "$pid" 2>/dev/null
		fi
	done
	return 0
}

# an3155 ARGS...: the real program through the serial shim.
an3155() { LD_PRELOAD="$BUILD/serialshim.so" "$BUILD/an3155" "$@"; }
# a3 ARGS...: the same, bounded to A3_SECS seconds (default 120);
# A BOARD ARGS...: a3 on board BOARD's port.
a3() { bounded "${A3_SECS:-120}" env LD_PRELOAD="$BUILD/serialshim.so" "$BUILD/an3155" "$@"; }
A() { local b=$1; shift; a3 -p "$T/$b" "$@"; }
stm32flash_shim() { LD_PRELOAD="$BUILD/serialshim.so" stm32flash "$@"; }

# flash_bytes STATE ADDR LEN > out: bytes of the board's flash.
flash_bytes() {
	local off=$(( $2 - 0x08000000 ))
	tail -c +$((off + 1)) "$1" | head -c "$(($3))"
}

# flash_equals STATE ADDR FILE: the flash at ADDR holds FILE's bytes.
flash_equals() { cmp -s <(flash_bytes "$1" "$2" "$(stat -c %s "$3")") "$3"; }

finish() { [ "$_failures" -eq 0 ]; }

# need_built LABEL HINT FILE...: each FILE is built (programs executable; .so
# and .bin files present), or one not-ok naming the first missing one with
# HINT ({} in it: that file), and the script ends there.
need_built() {
	local label=$1 hint=$2 f
	shift 2
	for f in "$@"; do
		case $f in *.so | *.bin) [ -e "$f" ] && continue ;; *) [ -x "$f" ] && continue ;; esac
		not_ok "$label: $f is built" "${hint//\{\}/$f}"
		finish; exit
	done
}

# rand_bytes N: N random bytes, the first 0x00, so that format detection
# (content first: a leading ':' is Intel HEX, 'S' and a digit an S-record)
# never takes random data named .bin for a text format.
rand_bytes() { printf '\000'; head -c $(( $1 - 1 )) /dev/urandom; }

# ---- added for tests/cli/an3155.sh and tests/cli/stm32flash.sh -------------

# fresh_board NAME [romsim serial options]: stop NAME's board if it runs,
# forget its state, log and output, and start a new one (erased flash).
fresh_board() {
	local name=$1
	stop_board "$name"
	rm -f "$T/$name.state" "$T/$name.log" "$T/$name.out"
	start_board "$@"
}

# bounded SECS CMD...: CMD, killed after SECS seconds (exit 124) so that a
# hung program fails its check instead of hanging the test run.
bounded() { local s=$1; shift; timeout -k 5 "$s" "$@"; }

# state_sum NAME: checksum of the board's whole state file (flash, options, OTP).
state_sum() { cksum <"$T/$1.state"; }

# log_has NAME ERE: a line of the board's log matches ERE.
log_has() { grep -Eq -- "$2" "$T/$1.log" 2>/dev/null; }
# log_count NAME ERE: how many lines of the board's log match ERE.
log_count() { grep -Ec -- "$2" "$T/$1.log" 2>/dev/null; }
# log_lacks NAME ERE: no line of the board's log matches ERE.
log_lacks() { [ -f "$T/$1.log" ] && ! log_has "$@"; }
# log_size NAME: the log's line count now; log_since_has / log_since_lacks
# NAME LINES ERE: whether a line added after that count matches ERE (for
# "nothing happened since" checks); log_since_count NAME LINES ERE: how many do.
log_size() { wc -l <"$T/$1.log" 2>/dev/null || echo 0; }
log_since_has() { tail -n +$(($2 + 1)) "$T/$1.log" 2>/dev/null | grep -Eq -- "$3"; }
log_since_count() { tail -n +$(($2 + 1)) "$T/$1.log" 2>/dev/null | grep -Ec -- "$3"; }
log_since_lacks() { [ -f "$T/$1.log" ] && ! log_since_has "$@"; }

# flash_erased STATE ADDR LEN: LEN bytes of flash at ADDR are all 0xFF.
flash_erased() {
	local n=$(($3))
	cmp -s <(flash_bytes "$1" "$2" "$n") <(head -c "$n" /dev/zero | tr '\0' '\377')
}

# poke_flash STATE ADDR HEXBYTE: change one flash byte behind the board's
# back (the state file is mapped shared, so a running board sees it).
poke_flash() {
	printf "\\x$3" | dd of="$1" bs=1 seek=$(($2 - 0x08000000)) conv=notrunc status=none
}

# board_ctl NAME MSG: one control message (sim/sersim.h: PIN, GET, MODE,
# POWER) on the board's pins socket; prints the answer.
board_ctl() { printf '%s' "$2" | timeout 10 socat -t 5 - "UNIX-CONNECT:$T/$1.pins,type=5"; }

# wait_until CMD...: poll CMD every 50 ms until it succeeds, for at most
# WAIT_SECS seconds (default 10). A bound on waiting, never a timing test.
wait_until() {
	local i
	for i in $(seq 1 $(( ${WAIT_SECS:-10} * 20 ))); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# is NAME CODE: the last command, output in $OUT and exit status in $RC,
# exited with CODE. has NAME ERE: $OUT matches ERE.
is() {
	if [ "$RC" -eq "$2" ]; then ok "$1"
	else not_ok "$1" "expected exit $2, got $RC" "$(tail -5 <<<"$OUT")"; fi
}
has() { expect_match "$1" "$2"; }
# lacks NAME ERE: no line of $OUT matches ERE.
lacks() {
	if grep -Eq -- "$2" <<<"$OUT"; then not_ok "$1" "output matches /$2/:" "$(grep -E -- "$2" <<<"$OUT" | tail -3)"
	else ok "$1"; fi
}

# run_cmocka LABEL CMD...: cmocka's TAP lines as ok/not ok checks, bounded to
# CMOCKA_SECS seconds (default 120). Through a file, not $(...): a stuck grandchild must not hold the
# script's pipe.
run_cmocka() {
	local label=$1; shift
	local out rc line seen=0
	CMOCKA_MESSAGE_OUTPUT=TAP bounded "${CMOCKA_SECS:-120}" "$@" >"$T/cmocka.out" 2>&1
	rc=$?
	out=$(cat "$T/cmocka.out")
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*" - "*) ok "$label: ${line#ok * - }"; seen=$((seen + 1)) ;;
		"not ok "[0-9]*" - "*) not_ok "$label: ${line#not ok * - }"; seen=$((seen + 1)) ;;
		"#"*) echo "$line" ;;
		esac
	done <<<"$out"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		not_ok "$label: exited $rc" "$(tail -5 <<<"$out")"
	elif [ "$seen" -eq 0 ]; then
		not_ok "$label: no tests ran" "$(tail -5 <<<"$out")"
	fi
}

# readable_copy FILE: print the path of a copy of FILE that any user can
# read and run, for a test that runs it as another user (nobody): the
# checkout may sit where nobody cannot enter (/root, a mktemp -d folder).
readable_copy() {
	local dir
	dir=$(cat "$T/.readable" 2>/dev/null) || {
		dir=$(mktemp -d /tmp/stmboot-readable.XXXXXX) && chmod 755 "$dir" &&
			echo "$dir" >"$T/.readable"
	}
	cp -p "$1" "$dir/" && chmod a+rx "$dir/$(basename "$1")" && echo "$dir/$(basename "$1")"
}

# mk ARGS...: make in the checkout (not as part of the make running the tests).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" BUILD="$BUILD" "$@"; }

# archive_part NAME TARGET: make TARGET, a part that downloads from Debian's
# archive (once: the download stays under BUILD). A failure is a failed
# test that says why; OFFLINE=1 skips the part, saying so, except in CI.
archive_part() {
	if [ "${STMBOOT_PASS:-}" = as-nobody ]; then
		echo "# SKIP $1: it ran in the first pass, and nothing in it depends on the user"
		return 1
	fi
	if [ -n "${OFFLINE:-}" ] && [ -z "${CI:-}" ]; then
		echo "# SKIP $1: OFFLINE=1 (it needs Debian's archive; CI never skips it)"
		return 1
	fi
	if mk "$2" >"$T/$1.make" 2>&1; then return 0; fi
	not_ok "$1: build (make $2)" "$(tail -8 "$T/$1.make")" \
		"it downloads from Debian's archive once; without network, OFFLINE=1 make check skips it (never in CI)"
	return 1
}

# ---- added for tests/cli/rom_matrix.sh and romsim_serial.sh: clients of their own ----

# _hexesc "7F 11 EE": those bytes as printf escapes.
_hexesc() { local b out=; for b in $1; do out+="\\x$b"; done; printf '%s' "$out"; }

# raw_chat NAME HEX N [SECS]: a client of its own on board NAME's port,
# without the shim (the board takes it for an 8E1 host): opens the port
# raw, sends the bytes HEX ("11 EE 1F ..."), prints the first N reply bytes
# as upper-case hex ("79 1F"), fewer if SECS (default 5) pass first, and
# closes the port.
raw_chat() {
	local port=$T/$1 fd
	exec {fd}<>"$port" || return 1
	stty -F "$port" raw -echo 2>/dev/null
	printf "$(_hexesc "$2")" >&"$fd"
	timeout "${4:-5}" dd bs=1 count="$3" <&"$fd" 2>/dev/null | od -An -tx1 | tr a-f A-F | xargs
	exec {fd}>&-
}

# killed_client NAME HEX N: a client sends HEX on board NAME's port, waits
# for N reply bytes and is killed (SIGKILL) with the port still open, as a
# crashed or Ctrl-C'd flasher would be: the ROM is left inside a command.
killed_client() {
	local out=$T/$1.killed pid n
	n=$(log_size "$1")
	rm -f "$out"
	bash -c 'exec 3<>"$0"; stty -F "$0" raw -echo; printf "$1" >&3; head -c "$2" <&3 >"$3.tmp";
		mv "$3.tmp" "$3"; exec sleep 60' "$T/$1" "$(_hexesc "$2")" "$3" "$out" &
	pid=$!
	wait_until test -e "$out"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	wait_until log_since_has "$1" "$n" '^host: close'
	test -e "$out"
}
# ---- romsim usb: the real dfuse (or any libusb program) against emulated boards --------

# usb NAME [romsim usb options] -- CMD...: CMD under romsim usb with the
# board state in $T/NAME.state (kept between runs; unless the options give
# --state), log and stats beside it; output in $OUT, exit status in $RC.
usb() {
	local name=$1 st=(--state "$T/$1.state"); shift
	[[ " $* " == *" --state "* ]] && st=()
	OUT=$(bounded 120 "$BUILD/romsim" usb "${st[@]}" --log "$T/$name.log" --stats "$T/$name.stats" "$@" 2>&1)
	RC=$?
}
# dfu NAME [romsim usb options] -- dfuse ARGS...: dfuse under romsim usb.
dfu() {
	local name=$1 opts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	usb "$name" "${opts[@]}" -- "$BUILD/dfuse" "$@"
}
# stat_of NAME KEY [DEVICE]: a counter from the --stats file.
stat_of() { sed -n "s/.*device=1-${3:-1} .*\\b$2=\\([^ ]*\\).*/\\1/p" "$T/$1.stats"; }
# state NAME: the board's state file; fresh NAME: forget the board's state, log, stats.
state() { echo "$T/$1.state"; }
fresh() { rm -f "$T/$1".{state,log,stats}; }
# json_of KEY: KEY's number in the "result" event of $OUT (--json output).
json_of() { sed -n 's/.*"event":"result".*"'"$1"'":\([0-9]*\).*/\1/p' <<<"$OUT"; }
