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
start_board() {
	local name=$1; shift
	"$BUILD/romsim" serial --pty-link "$T/$name" --state "$T/$name.state" \
		--pins-sock "$T/$name.pins" --log "$T/$name.log" "$@" >"$T/$name.out" 2>&1 &
	_pids+=($!)
	local i
	for i in $(seq 1 200); do
		grep -q '^ready' "$T/$name.out" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# romsim did not become ready:"; sed 's/^/#   /' "$T/$name.out"
	return 1
}

# stop_board NAME: stop the board's romsim (state file stays).
stop_board() {
	local name=$1 pid
	for pid in "${_pids[@]}"; do
		if tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -q -- "--pty-link $T/$name "; then
			kill "$pid"; wait "$pid" 2>/dev/null
		fi
	done
	return 0
}

# an3155 ARGS...: the real program through the serial shim.
an3155() { LD_PRELOAD="$BUILD/serialshim.so" "$BUILD/an3155" "$@"; }
stm32flash_shim() { LD_PRELOAD="$BUILD/serialshim.so" stm32flash "$@"; }

# flash_bytes STATE ADDR LEN > out: bytes of the board's flash.
flash_bytes() {
	local off=$(( $2 - 0x08000000 ))
	tail -c +$((off + 1)) "$1" | head -c "$3"
}

# flash_equals STATE ADDR FILE: the flash at ADDR holds FILE's bytes.
flash_equals() { cmp -s <(flash_bytes "$1" "$2" "$(stat -c %s "$3")") "$3"; }

finish() { [ "$_failures" -eq 0 ]; }
