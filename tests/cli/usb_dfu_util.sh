#!/bin/bash
# SPDX-License-Identifier: MIT
# usb_dfu_util.sh - Debian's dfu-util against `romsim usb` (the emulated
# STM32L4R5 DfuSe ROM on umockdev), as a cross-check of the device model
# with a client nobody here wrote: listing, upload, download with leave, a
# .dfu download, several devices, option bytes, read protection,
# re-enumeration after an option-byte write, the L4 busy-stall quirk.
# Also romsim usb's own contract (exit status, silence on stdout).
. "$(dirname "$0")/lib.sh"

ROMSIM=$BUILD/romsim
need_built "usb" "run: make BUILD=$BUILD $ROMSIM" "$ROMSIM"
if ! command -v dfu-util >/dev/null; then
	not_ok "usb: dfu-util is installed" "run: make deps"
	finish; exit
fi

# romsim_usb NAME [romsim usb options] -- CMD...: runs with --log/--stats in
# $T/NAME.{log,stats}; output of CMD in $OUT, exit status in $RC.
romsim_usb() {
	local name=$1; shift
	OUT=$(timeout 120 "$ROMSIM" usb --log "$T/$name.log" --stats "$T/$name.stats" "$@" 2>&1)
	RC=$?
}

# vector table (SP 0x20010000, PC 0x08004101) + data: an image the ROM jumps to.
make_app() {
	printf '\x00\x00\x01\x20\x01\x41\x00\x08' >"$1"
	head -c "$2" /dev/urandom >>"$1"
}

# A DfuSe file (UM0391) holding $2 at $3, written by a tiny C program, for
# when fixtures/fw.dfu is not there.
make_dfu() {
	cat >"$T/mkdfu.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static unsigned char f[1 << 22];
static size_t n;
static void le(unsigned long v, int k) { while (k--) { f[n++] = v & 0xFF; v >>= 8; } }
int main(int argc, char **argv)
{
	FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
	unsigned long addr = strtoul(argv[3], NULL, 0), crc = 0xFFFFFFFFul;
	size_t len, i;
	if (!in || !out || argc < 4) return 1;
	memcpy(f, "DfuSe\x01", 6); n = 11; f[10] = 1;
	memcpy(f + n, "Target", 6); n += 6; f[n++] = 0; le(1, 4);
	memcpy(f + n, "ST...", 5); n += 255;
	len = fread(f + n + 8 + 8, 1, sizeof(f) - 600, in);
	le(len + 8, 4); le(1, 4); le(addr, 4); le(len, 4); n += len;
	f[6] = n & 0xFF; f[7] = n >> 8 & 0xFF; f[8] = n >> 16 & 0xFF; f[9] = n >> 24;
	le(0, 2); le(0xDF11, 2); le(0x0483, 2); le(0x011A, 2); memcpy(f + n, "UFD", 3); n += 3; f[n++] = 16;
	for (i = 0; i < n; i++) {
		crc ^= f[i];
		for (int b = 0; b < 8; b++) crc = crc & 1 ? crc >> 1 ^ 0xEDB88320ul : crc >> 1;
	}
	le(crc, 4);
	return fwrite(f, 1, n, out) != n;
}
EOF
	cc -o "$T/mkdfu" "$T/mkdfu.c" && "$T/mkdfu" "$2" "$1" "$3"
}

# ---- romsim usb's own contract ----

romsim_usb contract -- true
if [ "$RC" -eq 0 ] && [ -z "$OUT" ]; then ok "usb: romsim usb runs the command, prints nothing"
else not_ok "usb: romsim usb runs the command, prints nothing" "rc=$RC out=$OUT"; fi
romsim_usb status -- sh -c 'exit 7'
[ "$RC" -eq 7 ] && ok "usb: exit status is the command's" || not_ok "usb: exit status is the command's" "rc=$RC"
expect_exit 2 "usb: no command is a usage error" "$ROMSIM" usb --devices 2
expect_exit 2 "usb: bad --faults is a usage error" "$ROMSIM" usb --faults nonsense -- true
expect_exit 2 "usb: bad --gone-ms is a usage error" "$ROMSIM" usb --gone-ms soon -- true

# ---- listing ----

romsim_usb list -- dfu-util -l
expect_match "usb: dfu-util -l: 0483:df11 ver=2200 on path 1-1" \
	'Found DFU: \[0483:df11\] ver=2200, devnum=[0-9]+, cfg=1, intf=0, path="1-1", alt=0'
expect_match "usb: dfu-util -l: alt 0 internal flash (dual bank)" \
	'alt=0, name="@Internal Flash  /0x08000000/512\*0004Kg"'
expect_match "usb: dfu-util -l: alt 1 option bytes" \
	'alt=1, name="@Option Bytes  /0x1FF00000/01\*040 e/0x1FF01000/01\*040 e"'
expect_match "usb: dfu-util -l: alt 2 OTP" 'alt=2, name="@OTP Memory /0x1FFF7000/01\*0001Ke"'
serial=$(stat_of list serial)
expect_match "usb: dfu-util -l: the board's 12-hex-digit serial" "serial=\"$serial\""
[[ $serial =~ ^[0-9A-F]{12}$ ]] && ok "usb: serial is 12 hex digits" || not_ok "usb: serial is 12 hex digits" "$serial"

# bmAttributes 0xC0 (self-powered), as captured 0x2200 ROMs report (issue 8)
romsim_usb power -- cat /sys/bus/usb/devices/1-1/bmAttributes /sys/bus/usb/devices/1-1/bMaxPower
[ "$RC" -eq 0 ] && [ "$OUT" = "$(printf 'c0\n100mA')" ] &&
	ok "usb: sysfs bmAttributes c0 (self-powered), bMaxPower 100mA" ||
	not_ok "usb: sysfs bmAttributes c0 (self-powered), bMaxPower 100mA" "rc=$RC out=$OUT"

romsim_usb single --dbank 0 -- dfu-util -l
expect_match "usb: single-bank layout with --dbank 0" 'alt=0, name="@Internal Flash  /0x08000000/256\*0008Kg"'

romsim_usb two --devices 2 --state "$T/two.%d" -- dfu-util -l
s1=$(stat_of two serial 1)
s2=$(stat_of two serial 2)
expect_match "usb: two devices: path 1-1 listed" "path=\"1-1\", alt=0, .*serial=\"$s1\""
expect_match "usb: two devices: path 1-2 listed" "path=\"1-2\", alt=0, .*serial=\"$s2\""
if [ -n "$s1" ] && [ "$s1" != "$s2" ]; then ok "usb: two devices have distinct serials"
else not_ok "usb: two devices have distinct serials" "$s1 / $s2"; fi
[ -f "$T/two.1" ] && [ -f "$T/two.2" ] && ok "usb: --state FILE.%d gives one file per device" ||
	not_ok "usb: --state FILE.%d gives one file per device"

romsim_usb appear --appear-ms 300 -- dfu-util -w -a 0 -U "$T/appear.bin" -s 0x08000000:16
[ "$RC" -eq 0 ] && [ "$(od -An -tx1 "$T/appear.bin" | tr -d ' \n')" = ffffffffffffffffffffffffffffffff ] &&
	ok "usb: --appear-ms: dfu-util -w waits for the device (hotplug arrival)" ||
	not_ok "usb: --appear-ms: dfu-util -w waits for the device (hotplug arrival)" "rc=$RC" "$(tail -3 <<<"$OUT")"

# ---- upload ----

rand_bytes 8192 >"$T/raw.bin"
cp "$T/raw.bin" "$T/up.state"
romsim_usb up --state "$T/up.state" -- dfu-util -a 0 -U "$T/out.bin" -s 0x08000000:1024
[ "$RC" -eq 0 ] && cmp -s "$T/out.bin" <(head -c 1024 "$T/raw.bin") &&
	ok "usb: upload 1024 bytes reads the state file's flash" ||
	not_ok "usb: upload 1024 bytes reads the state file's flash" "rc=$RC" "$(tail -3 <<<"$OUT")"
rm -f "$T/out.bin"
romsim_usb up3000 --state "$T/up.state" -- dfu-util -a 0 -U "$T/out.bin" -s 0x08000800:3000
[ "$RC" -eq 0 ] && cmp -s "$T/out.bin" <(flash_bytes "$T/up.state" 0x08000800 3000) &&
	ok "usb: upload with a short last block lands at pointer + 2048" ||
	not_ok "usb: upload with a short last block lands at pointer + 2048" "rc=$RC"

# ---- download with leave ----

make_app "$T/app.bin" 300000
romsim_usb down --state "$T/down.state" -- dfu-util -a 0 -D "$T/app.bin" -s 0x08004000:leave
[ "$RC" -eq 0 ] && ok "usb: download with leave exits 0" ||
	not_ok "usb: download with leave exits 0" "rc=$RC" "$(tail -3 <<<"$OUT")"
flash_equals "$T/down.state" 0x08004000 "$T/app.bin" && ok "usb: downloaded image is in the flash" ||
	not_ok "usb: downloaded image is in the flash"
[ "$(stat_of down mode)" = app ] && [ "$(stat_of down app_entry)" = 0x08004000 ] &&
	ok "usb: after leave the board runs the application at 0x08004000" ||
	not_ok "usb: after leave the board runs the application at 0x08004000" "$(cat "$T/down.stats")"
grep -q '1-1: removed from the bus' "$T/down.log" && ok "usb: the device left the bus after leave" ||
	not_ok "usb: the device left the bus after leave"

# ---- .dfu download ----

DFU=$FIX/fw.dfu BIN=$FIX/fw.bin
if [ ! -f "$DFU" ] || [ ! -f "$BIN" ]; then
	DFU=$T/own.dfu BIN=$T/own.bin
	make_app "$BIN" 5000
	make_dfu "$DFU" "$BIN" 0x08000000
fi
romsim_usb dfu --state "$T/dfu.state" -- dfu-util -a 0 -D "$DFU"
[ "$RC" -eq 0 ] && flash_equals "$T/dfu.state" 0x08000000 "$BIN" &&
	ok "usb: .dfu download ($(basename "$DFU")) writes its element at 0x08000000" ||
	not_ok "usb: .dfu download ($(basename "$DFU")) writes its element at 0x08000000" "rc=$RC" \
		"$(tail -3 <<<"$OUT")"

# ---- option bytes ----

romsim_usb ob -- dfu-util -a 1 -U "$T/ob.bin" -s 0x1FF00000:40
[ "$RC" -eq 0 ] && [ "$(head -c 4 "$T/ob.bin" | od -An -tx1 | tr -d ' \n')" = aaf8efff ] &&
	ok "usb: option-byte upload starts with factory OPTR 0xFFEFF8AA" ||
	not_ok "usb: option-byte upload starts with factory OPTR 0xFFEFF8AA" "rc=$RC" \
		"$(od -An -tx1 "$T/ob.bin" 2>/dev/null | head -1)"

# A device that reset comes back as a new device number: right after the
# download dfu-util -l may still list the old one, leaving the bus (its
# strings then read UNKNOWN; --gone-ms keeps it listed 300 ms, as a slow
# hub). devnum: the DFU device's number now; reenumerated N: wait (up to 5 s)
# for alt 0 on another number, print it.
REENUM_SH='
devnum() { dfu-util -l 2>/dev/null | sed -n "s/.*devnum=\([0-9]*\),.*alt=0,.*/\1/p" | head -1; }
reenumerated() {
	for i in $(seq 1 100); do
		dfu-util -l 2>/dev/null | grep "alt=0," | grep -v "devnum=$1," && return 0
		sleep 0.05
	done
	exit 11
}
'
# OPTR with DBANK (bit 22) cleared, the rest of bank 1 as read above: the
# device resets and comes back single-bank.
{ printf '\xaa\xf8\xaf\xff'; tail -c +5 "$T/ob.bin"; } >"$T/ob-single.bin"
romsim_usb obw --state "$T/obw.state" --gone-ms 300 -- sh -c "$REENUM_SH
	d0=\$(devnum); [ -n \"\$d0\" ] || exit 12
	dfu-util -a 1 -D '$T/ob-single.bin' -s 0x1FF00000:will-reset || exit 10
	reenumerated \$d0"
[ "$RC" -eq 0 ] && ok "usb: option-byte write with will-reset, device re-enumerates" ||
	not_ok "usb: option-byte write with will-reset, device re-enumerates" "rc=$RC" "$(tail -3 <<<"$OUT")"
expect_match "usb: re-enumerated device shows the single-bank layout" '256\*0008Kg'
[ "$(stat_of obw enumerations)" = 2 ] && [ "$(stat_of obw dual_bank)" = 0 ] &&
	ok "usb: the option write reset the board into single-bank mode" ||
	not_ok "usb: the option write reset the board into single-bank mode" "$(cat "$T/obw.stats")"

# ---- read protection ----

make_app "$T/small.bin" 6000

romsim_usb rdp --rdp 1 -- dfu-util -a 0 -U "$T/rdp.bin" -s 0x08000000:1024
[ "$RC" -ne 0 ] && ok "usb: with --rdp 1 an upload fails (dfu-util exit $RC)" ||
	not_ok "usb: with --rdp 1 an upload fails" "rc=$RC"
[ "$(stat_of rdp rdp)" = 1 ] && [ "$(stat_of rdp uploads)" = 0 ] &&
	ok "usb: read protection kept, no data uploaded" ||
	not_ok "usb: read protection kept, no data uploaded" "$(cat "$T/rdp.stats")"

romsim_usb unprot --rdp 1 --state "$T/unprot.state" -- sh -c "$REENUM_SH
	d0=\$(devnum); [ -n \"\$d0\" ] || exit 12
	dfu-util -a 0 -s 0:force:unprotect -D '$T/small.bin' || exit 10
	reenumerated \$d0 >/dev/null"
[ "$RC" -eq 0 ] && [ "$(stat_of unprot rdp)" = 0 ] && [ "$(stat_of unprot enumerations)" = 2 ] &&
	[ "$(flash_bytes "$T/unprot.state" 0x08000000 16 | od -An -tx1 | tr -d ' \n')" = \
	  ffffffffffffffffffffffffffffffff ] &&
	ok "usb: dfu-util :unprotect: flash erased, RDP 0, device re-enumerates" ||
	not_ok "usb: dfu-util :unprotect: flash erased, RDP 0, device re-enumerates" "rc=$RC" \
		"$(cat "$T/unprot.stats")"

# ---- faults ----

romsim_usb vanish --faults vanish=40 -- sh -c "
	dfu-util -a 0 -D '$T/app.bin' -s 0x08004000 >/dev/null 2>&1 && exit 10
	sleep 0.1
	dfu-util -l | grep -q 'Found DFU' && exit 11
	exit 0"
[ "$RC" -eq 0 ] && [ "$(stat_of vanish enumerations)" = 1 ] &&
	ok "usb: --faults vanish=40: dfu-util fails, the device stays gone" ||
	not_ok "usb: --faults vanish=40: dfu-util fails, the device stays gone" "rc=$RC" "$(tail -3 <<<"$OUT")"

# ---- the L4 busy-stall quirk (protocol-facts B.8): dfu-util retries ----

romsim_usb quirk --state "$T/quirk.state" --faults busystall=2 -- \
	dfu-util -a 0 -D "$T/small.bin" -s 0x08008000
[ "$RC" -eq 0 ] && flash_equals "$T/quirk.state" 0x08008000 "$T/small.bin" &&
	ok "usb: dfu-util writes through 2 STALLed GETSTATUS per command" ||
	not_ok "usb: dfu-util writes through 2 STALLed GETSTATUS per command" "rc=$RC" "$(tail -3 <<<"$OUT")"

# ---- pins from outside (romsim serial's --pins-sock protocol) ----

# pinmsg SOCKET MSG...: each MSG as one SOCK_SEQPACKET message, the answers on stdout.
cat >"$T/pinmsg.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char r[64];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (argc < 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) return 2;
	strcpy(sa.sun_path, argv[1]);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) return 1;
	for (int i = 2; i < argc; i++) {
		ssize_t n;
		if (send(fd, argv[i], strlen(argv[i]), 0) < 0 || (n = recv(fd, r, 63, 0)) <= 0) return 1;
		r[n] = 0;
		puts(r);
	}
	return 0;
}
EOF
cc -o "$T/pinmsg" "$T/pinmsg.c"

# A board with an application and BOOT0 low is not on the bus; BOOT0 high
# and an NRST pulse bring the ROM (and the device) up, BOOT0 low and a pulse
# take it away again.
make_app "$T/pins.state" 4000
romsim_usb pins --boot0 0 --state "$T/pins.state" --pins-sock "$T/pins.sock" -- sh -c "
	listed() {
		for i in \$(seq 1 100); do
			[ \$(dfu-util -l 2>/dev/null | grep -c 'Found DFU') = \$1 ] && return 0
			sleep 0.05
		done
		return 1
	}
	listed 0 || exit 10
	'$T/pinmsg' '$T/pins.sock' 'PIN boot0 1' 'PIN nrst 0' 'PIN nrst 1' MODE || exit 13
	listed 3 || exit 11
	'$T/pinmsg' '$T/pins.sock' 'PIN boot0 0' 'PIN nrst 0' 'PIN nrst 1' MODE || exit 13
	listed 0 || exit 12"
[ "$RC" -eq 0 ] && [ "$(stat_of pins enumerations)" = 1 ] &&
	ok "usb: --pins-sock: BOOT0 + NRST take the device on and off the bus" ||
	not_ok "usb: --pins-sock: BOOT0 + NRST take the device on and off the bus" "rc=$RC" "$OUT"
[ "$(tr '\n' ' ' <<<"$OUT")" = "ok ok ok rom ok ok ok app " ] &&
	ok "usb: --pins-sock: answers ok, and MODE rom then app" ||
	not_ok "usb: --pins-sock: answers ok, and MODE rom then app" "$OUT"

# ---- timing model on (no assertion on wall time) ----

romsim_usb timing --timing --state "$T/timing.state" -- dfu-util -a 0 -D "$T/small.bin" -s 0x08008000
[ "$RC" -eq 0 ] && flash_equals "$T/timing.state" 0x08008000 "$T/small.bin" &&
	[ "$(stat_of timing flash_us)" -gt 0 ] && [ "$(stat_of timing bus_us)" -gt 0 ] &&
	ok "usb: --timing: download works, flash and bus time modelled" ||
	not_ok "usb: --timing: download works, flash and bus time modelled" "rc=$RC" "$(cat "$T/timing.stats")"

finish
