#!/bin/bash
# SPDX-License-Identifier: MIT
# serial_transport.sh - the serial transport (src/serial/*.c) and the serial
# shim (src/romsim/shim/serialshim.c) through the OS:
#  1. $BUILD/tests/serial_os_test without the shim (termios fallback),
#     under LD_PRELOAD=serialshim.so (libserialport, 8E1 and DTR/RTS seen on
#     the shim's socket), and under umockdev-run with two emulated FTDI
#     adapters (enumeration, usb:VID:PID[:SERIAL]); one "ok" line per test;
#  2. Debian's stm32flash at its default 8E1 through the shim, against
#     $BUILD/tests/pty_peer (a pty answering the ROM loader's first
#     commands), with and without an -i line sequence.
. "$(dirname "$0")/lib.sh"

SHIM=$BUILD/serialshim.so
OSTEST=$BUILD/tests/serial_os_test
PEER=$BUILD/tests/pty_peer

need_built "serial" "run: make BUILD=$BUILD {}" "$SHIM" "$OSTEST" "$PEER"

run_cmocka "serial plain" "$OSTEST" plain
# ASan wants to come first in the library list; the shim is preloaded before it.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	LD_PRELOAD=$SHIM run_cmocka "serial shim" "$OSTEST" shim
# The shim must come before umockdev's library, so that its ioctl() sees TIOCM* first.
if command -v umockdev-run >/dev/null; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		run_cmocka "serial umockdev" umockdev-run -d "$ROOT/tests/os/ftdi_pair.umockdev" -- \
		sh -c 'LD_PRELOAD="$0${LD_PRELOAD:+:$LD_PRELOAD}" exec "$1" umockdev' "$SHIM" "$OSTEST"
else
	not_ok "umockdev-run is installed" "run scripts/deps"
fi

# ---- stm32flash through the shim ----------------------------------------------
MSGS=$T/peer.msgs
"$PEER" "$T/board" "$MSGS" >"$T/peer.out" 2>&1 &
_pids+=($!)
for _ in $(seq 1 100); do grep -q '^ready' "$T/peer.out" && break; sleep 0.05; done
if ! grep -q '^ready' "$T/peer.out"; then
	not_ok "serial: pty_peer ready" "$(cat "$T/peer.out")"
	finish; exit
fi
PTS=$(sed -n 's/^ready \/dev\/pts\///p' "$T/peer.out")

if ! command -v stm32flash >/dev/null; then
	not_ok "stm32flash is installed" "run scripts/deps"
	finish; exit
fi

expect_exit 1 "stm32flash without the shim fails at 8E1 on a pty" timeout 60 stm32flash -b 115200 "$T/board"
expect_match "stm32flash without the shim: Failed to set terminal flags" "Failed to set terminal flags"

: >"$MSGS"
: >"$T/shim.log"
expect_exit 0 "stm32flash 8E1 through the shim" \
	timeout 60 env SERIALSHIM_LOG="$T/shim.log" LD_PRELOAD="$SHIM" stm32flash -b 115200 "$T/board"
expect_match "stm32flash through the shim reads the device ID" "Device ID +: 0x0470"
check "stm32flash through the shim: 8E1 reported on the socket" \
	grep -qx "CFLAG speed=115200 bits=8 parity=even stop=1" "$MSGS"
check "stm32flash through the shim: open raises DTR and RTS" \
	grep -qx "TIOCM dtr=1 rts=1" "$MSGS"
check "shim log names the pty" grep -qx "pts$PTS CFLAG speed=115200 bits=8 parity=even stop=1" "$T/shim.log"

: >"$MSGS"
expect_exit 0 "stm32flash -i rts,-dtr,:-rts through the shim" \
	timeout 60 env LD_PRELOAD="$SHIM" stm32flash -b 57600 -i 'rts,-dtr,:-rts' "$T/board"
check "stm32flash -i: entry sequence reaches the socket" grep -qx "TIOCM dtr=0 rts=1" "$MSGS"
check "stm32flash -i: exit sequence reaches the socket" grep -qx "TIOCM dtr=0 rts=0" "$MSGS"
check "stm32flash -i: 57600 8E1 reported" grep -qx "CFLAG speed=57600 bits=8 parity=even stop=1" "$MSGS"

# The shim emulates locally when no simulator socket exists.
rm -f "$SERIALSHIM_DIR/pts$PTS"
expect_exit 0 "stm32flash -i through the shim without a socket" \
	timeout 60 env LD_PRELOAD="$SHIM" stm32flash -b 115200 -i 'dtr,rts,-rts:-dtr' "$T/board"

# ---- ports another user or program holds ----------------------------------------
# As root the kernel lets every open through (TIOCEXCL is bypassed with
# CAP_SYS_ADMIN, modes with CAP_DAC_OVERRIDE), so the program runs as nobody
# there, from a copy nobody can read; as any other user it runs as that user.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		local prog
		prog=$(readable_copy "$1") || return 99
		shift
		setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent "$prog" "$@"
	else
		"$@"
	fi
}
if start_board excl; then
	EPTS=$(sed -n 's/^ready //p' "$T/excl.out")
	# not readable or writable for the user: the message names the port's group
	if [ "$(id -u)" = 0 ]; then chmod 0600 "$EPTS"; else chmod 0000 "$EPTS"; fi
	n=$(log_size excl)
	expect_exit 4 "port without permission: exit 4" as_user "$BUILD/an3155" -p "$EPTS" info
	expect_match "port without permission: names the group to join" \
		"permission denied opening $EPTS: join the '[^']+' group \\(sudo usermod -aG"
	check "port without permission: nothing reached the board" log_since_lacks excl "$n" '^sync'
	chmod 0666 "$EPTS"

	# TIOCEXCL (0x540C) held by a program that takes no lock (a terminal program, say)
	perl -e 'sysopen(my $f, $ARGV[0], 2 | 0400) or die "open: $!"; ioctl($f, 0x540C, 0) or die "TIOCEXCL: $!";
		print "held\n"; $| = 1; sleep 60' "$EPTS" >"$T/excl.held" 2>&1 &
	holder=$!
	_pids+=($holder)
	WAIT_SECS=10 wait_until grep -q '^held' "$T/excl.held"
	n=$(log_size excl)
	expect_exit 4 "port held with TIOCEXCL: exit 4" as_user "$BUILD/an3155" -p "$EPTS" info
	expect_match "port held with TIOCEXCL: says busy" "port $EPTS is busy"
	check "port held with TIOCEXCL: nothing reached the board" log_since_lacks excl "$n" '^sync'
	kill "$holder"; wait "$holder" 2>/dev/null
	expect_exit 0 "port released: info works" as_user "$BUILD/an3155" -p "$EPTS" info
	# While another program keeps the port open the tty lives on, and with
	# it our TIOCEXCL unless an3155 clears it when it is done.
	if exec {mon}<>"$EPTS"; then
		expect_exit 0 "port shared with a monitor: first run" as_user "$BUILD/an3155" -p "$EPTS" info
		expect_exit 0 "port shared with a monitor: the next run is not refused" \
			as_user "$BUILD/an3155" -p "$EPTS" info
		exec {mon}>&-
	else
		not_ok "port shared with a monitor: the test could open the port"
	fi
	stop_board excl
else
	not_ok "serial: board for the busy-port checks"
fi

finish
