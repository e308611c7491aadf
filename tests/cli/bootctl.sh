#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/bootctl.sh - the real bootctl with the fake libgpiod
# ($BUILD/fakegpiod, through LD_LIBRARY_PATH) and, where it is built, the
# virtual board (romsim serial --pins-sock) and the serial shim for RTS/DTR.
. "$(dirname "$0")/lib.sh"

FAKELIB=$BUILD/fakegpiod
BC=$BUILD/bootctl
PI="--boot0 gpio:GPIO17 --nrst gpio:GPIO27:open-drain"
GLOG=$T/gpio.log

# No setting may leak in from the caller's environment or home.
unset STMBOOT_BOOT0 STMBOOT_NRST STMBOOT_PORT STMBOOT_JIG STMBOOT_CONFIG STMBOOT_ENTRY \
	STMBOOT_EXIT STMBOOT_STM32FLASH_I STMBOOT_PULSE STMBOOT_SETTLE XDG_CONFIG_HOME \
	FAKE_GPIOD_BUSY FAKE_GPIOD_FAIL FAKE_GPIOD_SOCK
export HOME=$T/home
mkdir -p "$HOME"
export LD_LIBRARY_PATH=$FAKELIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export FAKE_GPIOD_CHIPS=gpiochip0:32:pinctrl-bcm2711
export FAKE_GPIOD_MAP=GPIO17=boot0,GPIO27=nrst
export FAKE_GPIOD_LOG=$GLOG

# bc ARGS...: bootctl with a fresh timeline in $GLOG.
bc() { rm -f "$GLOG"; "$BC" "$@"; }
# timeline_is NAME EXPECTED: the fake libgpiod's timeline is EXPECTED.
timeline_is() {
	local got
	got=$(cat "$GLOG" 2>/dev/null)
	if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1" "timeline:" "$got"; fi
}
pins_of() { grep '^PIN' "$GLOG" 2>/dev/null | tr '\n' ';'; }
pins_are() {
	local got
	got=$(pins_of)
	if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1" "pins: $got" "expected: $2"; fi
}

# ---- the fake must be the libgpiod in use -------------------------------------------
if ! [ -e "$FAKELIB/libgpiod.so.2" ] && ! [ -e "$FAKELIB/libgpiod.so.3" ]; then
	not_ok "fake libgpiod built ($FAKELIB)"
	finish
	exit 1
fi
# The fake covers exactly the libgpiod calls of the backend compiled in (no
# more: dead fakes; no fewer: the program would not load).
for api in 1 2; do
	obj=$BUILD/obj/gpio/lines_gpiod$api.o
	lib=$(ls "$FAKELIB"/libgpiod.so.* 2>/dev/null | head -1)
	if [ -s "$obj" ] && nm -u "$obj" | grep -q ' gpiod_'; then
		diff=$(comm -3 <(nm -u "$obj" | awk '$2 ~ /^gpiod_/ {print $2}' | sort) \
			<(nm -D --defined-only "$lib" | awk '$3 ~ /^gpiod_/ {print $3}' | sort))
		if [ -z "$diff" ]; then ok "fake libgpiod exports exactly the v$api calls of the backend"
		else not_ok "fake libgpiod exports exactly the v$api calls of the backend" $diff; fi
	fi
done
expect_exit 0 "bootctl loads the fake libgpiod" "$BC" --version
expect_match "bootctl loads the fake libgpiod (version)" 'libgpiod .*-fake'

# ---- commands and timelines -----------------------------------------------------------
ENTER='request gpiochip0:17 output=1
PIN boot0 1
request gpiochip0:27 output=0 open-drain
PIN nrst 0
set gpiochip0:17 1
PIN boot0 1
set gpiochip0:27 0
PIN nrst 0
set gpiochip0:27 1
PIN nrst 1
release gpiochip0:27
PIN nrst 1
release gpiochip0:17
PIN boot0 0'
expect_exit 0 "enter exits 0" bc $PI enter
timeline_is "enter: BOOT0 high, NRST pulse, lines requested at their first levels" "$ENTER"

expect_exit 0 "run exits 0" bc $PI run
pins_are "run: BOOT0 low, then the NRST pulse" \
	"PIN boot0 0;PIN nrst 0;PIN boot0 0;PIN nrst 0;PIN nrst 1;PIN nrst 1;PIN boot0 0;"

expect_exit 0 "reset exits 0" bc $PI reset
timeline_is "reset: NRST only, BOOT0 left alone" 'request gpiochip0:27 output=0 open-drain
PIN nrst 0
set gpiochip0:27 0
PIN nrst 0
set gpiochip0:27 1
PIN nrst 1
release gpiochip0:27
PIN nrst 1'

expect_exit 0 "set exits 0" bc $PI set boot0=1 nrst=low
expect_match "set: says a GPIO level needs --hold" 'hold'
pins_are "set: the levels asked, released at exit" \
	"PIN boot0 1;PIN nrst 0;PIN boot0 1;PIN nrst 0;PIN nrst 1;PIN boot0 0;"

expect_exit 0 "seq with a preset and a wait" bc -v $PI seq 'enter wait=1ms boot0=0'
expect_match "-v shows each step" 'boot0 \(gpio:GPIO17, gpiochip0:17\) = 0'

expect_exit 0 "--pulse/--settle change the presets" bc -n --pulse 2ms --settle 1s $PI enter
expect_match "--pulse/--settle change the presets (printed)" \
	'^sequence boot0=1 nrst=0 wait=2ms nrst=1 wait=1s$'
if [ -s "$GLOG" ]; then not_ok "--dry-run touches no line"; else ok "--dry-run touches no line"; fi

expect_exit 0 "gpio:CHIP:OFFSET and active-low" bc --boot0 gpio:gpiochip0:17:active-low --nrst gpio:0:27 run
timeline_is "gpio:CHIP:OFFSET and active-low (timeline)" 'request gpiochip0:17 output=0 active-low
PIN boot0 1
request gpiochip0:27 output=0
PIN nrst 0
set gpiochip0:17 0
PIN boot0 1
set gpiochip0:27 0
PIN nrst 0
set gpiochip0:27 1
PIN nrst 1
release gpiochip0:27
PIN nrst 1
release gpiochip0:17
PIN boot0 0'

# ---- Pi 5: the header chip renumbered, line names unchanged ------------------------------
for chip in gpiochip4 gpiochip0; do
	FAKE_GPIOD_CHIPS="$chip:54:pinctrl-rp1,gpiochip10:32:soc:SOC" \
		expect_exit 0 "Pi 5 with the header on $chip: enter by line name" bc $PI enter
	if grep -q "^request $chip:17 output=1" "$GLOG"; then ok "Pi 5 $chip: GPIO17 found on $chip"
	else not_ok "Pi 5 $chip: GPIO17 found on $chip" "$(cat "$GLOG")"; fi
done

# ---- settings: environment, profiles, precedence -------------------------------------------
cat >"$T/jigs.conf" <<'EOF'
# test jigs
[pi]
boot0 = gpio:GPIO17
nrst  = gpio:GPIO27:open-drain

[lab]
boot0 = gpio:GPIO5
nrst = gpio:GPIO6
EOF
expect_exit 0 "--jig from --config" bc --config "$T/jigs.conf" --jig pi enter
timeline_is "--jig from --config: the enter timeline" "$ENTER"

STMBOOT_CONFIG=$T/jigs.conf STMBOOT_JIG=pi expect_exit 0 "STMBOOT_JIG and STMBOOT_CONFIG" bc enter
timeline_is "STMBOOT_JIG and STMBOOT_CONFIG: the enter timeline" "$ENTER"

mkdir -p "$HOME/.config/stmboot"
printf '[bench]\nboot0 = gpio:GPIO17\nnrst = gpio:GPIO27:open-drain\n' >"$HOME/.config/stmboot/jigs.conf"
expect_exit 0 "--jig from ~/.config/stmboot/jigs.conf" bc --jig bench enter
timeline_is "--jig from the per-user file: the enter timeline" "$ENTER"

printf '[default]\nboot0 = gpio:GPIO17\nnrst = gpio:GPIO27:open-drain\n' >"$HOME/.config/stmboot/jigs.conf"
expect_exit 0 "a [default] jig needs no option" bc enter
timeline_is "[default] jig: the enter timeline" "$ENTER"
rm -f "$HOME/.config/stmboot/jigs.conf"

STMBOOT_BOOT0=gpio:GPIO17 STMBOOT_NRST=gpio:GPIO27:open-drain expect_exit 0 "STMBOOT_BOOT0/STMBOOT_NRST" bc enter
timeline_is "STMBOOT_BOOT0/STMBOOT_NRST: the enter timeline" "$ENTER"

STMBOOT_NRST=gpio:GPIO27 expect_exit 0 "an option beats the environment" bc --nrst gpio:GPIO22 reset
if grep -q '^request gpiochip0:22' "$GLOG"; then ok "an option beats the environment (GPIO22 used)"
else not_ok "an option beats the environment (GPIO22 used)" "$(cat "$GLOG")"; fi

STMBOOT_NRST=gpio:GPIO4 expect_exit 0 "the environment beats the profile" bc --config "$T/jigs.conf" --jig lab reset
if grep -q '^request gpiochip0:4 ' "$GLOG"; then ok "the environment beats the profile (GPIO4 used)"
else not_ok "the environment beats the profile (GPIO4 used)" "$(cat "$GLOG")"; fi

expect_exit 0 "lines shows where settings come from" bc --config "$T/jigs.conf" --jig lab lines
expect_match "lines: origin of a profile setting" "jig 'lab' \\($T/jigs.conf:7\\)"
expect_match "lines: chip, offset and level" 'boot0 +gpio:GPIO5 +gpiochip0:5 input +level 0, free'

expect_exit 0 "lines --json" bc --json $PI lines
expect_match "lines --json: one event per line" '"event":"line".*"line":"nrst".*"chip":"gpiochip0","offset":27.*"level":1'
expect_match "lines --json: sequences" '"event":"sequence".*"name":"entry","steps":"boot0=1 nrst=0 wait=10ms nrst=1 wait=50ms"'

# ---- stm32flash -i strings ------------------------------------------------------------------
expect_exit 0 "--stm32flash-i with GPIO numbers (entry)" bc --stm32flash-i '17&-27,27:-17&-27,27' enter
timeline_is "--stm32flash-i: numbers are the lines named GPIO<N>" 'request gpiochip0:17 output=1
PIN boot0 1
request gpiochip0:27 output=0
PIN nrst 0
set gpiochip0:17 1
PIN boot0 1
set gpiochip0:27 0
PIN nrst 0
set gpiochip0:27 1
PIN nrst 1
release gpiochip0:27
PIN nrst 1
release gpiochip0:17
PIN boot0 0'
expect_exit 0 "--stm32flash-i with an empty exit ('17:'): run does nothing" bc --stm32flash-i '17:' run
if [ -s "$GLOG" ]; then not_ok "empty exit touches no line"; else ok "empty exit touches no line"; fi
expect_exit 0 "--stm32flash-i with an empty entry (':-17'): run" bc --stm32flash-i ':-17' run
timeline_is "empty entry: the exit still runs" 'request gpiochip0:17 output=0
PIN boot0 0
set gpiochip0:17 0
PIN boot0 0
release gpiochip0:17
PIN boot0 0'

# ---- usage errors and clear messages -----------------------------------------------------------
expect_exit 2 "malformed sequence: usage error" bc $PI seq 'boot0=1 nrts=0 wait=10ms'
expect_match "malformed sequence: names the column and the word" "column 9: unknown line in 'nrts=0'"
expect_match "malformed sequence: caret under the column" '^          \^$'
expect_exit 2 "bad level" bc $PI set boot0=2
expect_match "bad level: column" "column 7: bad level in 'boot0=2'"
expect_exit 2 "bad duration" bc $PI seq 'wait=10xs'
expect_match "bad duration: column" 'column 6: bad duration'
expect_exit 2 "malformed --stm32flash-i" bc --stm32flash-i 'rts:dtr:rts' enter
expect_match "malformed --stm32flash-i: column" "--stm32flash-i: column 8: second ':'"
expect_exit 2 "malformed line spec" bc --boot0 gpio:GPIO17:open-drian enter
expect_match "malformed line spec: column and option" "--boot0: column 13: unknown option 'open-drian'"
expect_exit 2 "sysfs number as a line" bc --boot0 gpio:17 enter
expect_match "sysfs number: suggests the line name" 'gpio:GPIO17'
expect_exit 2 "enter without BOOT0" bc --nrst gpio:GPIO27 enter
expect_match "enter without BOOT0: names the option" 'no BOOT0 line is configured \(--boot0'
expect_exit 2 "no command" bc $PI
expect_exit 2 "unknown command" bc $PI reboot
expect_exit 2 "unknown option" bc --frobnicate enter
expect_exit 2 "unknown jig" bc --config "$T/jigs.conf" --jig nope enter
expect_match "unknown jig: lists the jigs" "jig 'nope' is not in .*jigs.conf \\(jigs there: pi, lab\\)"
printf '[pi]\nboot0 gpio:GPIO17\n' >"$T/bad.conf"
expect_exit 3 "malformed profile: bad input file" bc --config "$T/bad.conf" --jig pi enter
expect_match "malformed profile: file and line" 'bad.conf:2: expected'
expect_exit 3 "missing --config file" bc --config "$T/none.conf" enter
expect_exit 2 "RTS/DTR without a port" bc --boot0 rts --nrst dtr enter
expect_match "RTS/DTR without a port: says what to give" '--port'
expect_exit 2 "--json usage error is an event" bc --json $PI seq 'boot0=x'
expect_match "--json usage error is an event (line)" '"event":"error".*"code":"usage","exit":2'

# ---- the machine's GPIO: absent, busy, denied ---------------------------------------------------
expect_exit 4 "unknown line name: no device" bc --boot0 gpio:GPIO99 --nrst gpio:GPIO27 enter
expect_match "unknown line name: names it and the chips" \
	"boot0: no GPIO line named 'GPIO99' on gpiochip0 \\(32 lines\\)"
FAKE_GPIOD_BUSY=GPIO27=gpioset expect_exit 4 "busy line: no device" bc $PI enter
expect_match "busy line: names the holder" "nrst: gpiochip0:27 is busy: held by 'gpioset'"
if grep -q 'release gpiochip0:17' "$GLOG"; then ok "busy line: BOOT0 released again"
else not_ok "busy line: BOOT0 released again" "$(cat "$GLOG")"; fi
FAKE_GPIOD_FAIL=open=EACCES expect_exit 4 "no permission: no device" bc $PI enter
expect_match "no permission: says which group" 'Permission denied.*gpio group'
FAKE_GPIOD_MAP= FAKE_GPIOD_CHIPS=gpiochip0:8,gpiochip1:8 expect_exit 2 "a name on two chips" bc --boot0 gpio:GPIO3 --nrst gpio:gpiochip1:4 enter
expect_match "a name on two chips: names both" "'GPIO3' is on two chips, gpiochip0:3 and gpiochip1:3"
FAKE_GPIOD_MAP= FAKE_GPIOD_CHIPS=gpiochip0:8 expect_exit 2 "two lines on one GPIO" bc --boot0 gpio:GPIO3 --nrst gpio:gpiochip0:3 enter
expect_match "two lines on one GPIO: says so" 'boot0 and nrst are both wired to gpiochip0:3'

# ---- chips -------------------------------------------------------------------------------------
FAKE_GPIOD_CHIPS='gpiochip0:32:pinctrl-bcm2711,gpiochip1:8:raspberrypi-exp-gpio:EXP' FAKE_GPIOD_BUSY=EXP2=led0 \
	expect_exit 0 "chips" bc chips
expect_match "chips: chip header" '^gpiochip0 \[pinctrl-bcm2711\] 32 lines$'
expect_match "chips: line names" '^   17 GPIO17$'
expect_match "chips: holder of a used line" '^    2 EXP2 +used by led0, input$'
expect_exit 0 "chips --json" bc --json chips
expect_match "chips --json: names" '"event":"chip".*"name":"gpiochip0","label":"pinctrl-bcm2711","lines":32,"names":\["GPIO0","GPIO1",'
FAKE_GPIOD_MAP= FAKE_GPIOD_CHIPS= expect_exit 4 "chips on a machine without GPIO chips" bc chips
expect_match "chips on a machine without GPIO chips: says so" 'no GPIO chips on this machine'
FAKE_GPIOD_FAIL=open=ENODEV expect_exit 4 "chips without GPIO access" bc chips

# ---- --hold: lines stay requested until SIGTERM -------------------------------------------------
rm -f "$GLOG"
"$BC" --json --hold $PI enter >"$T/hold.out" 2>&1 &
hold_pid=$!
if wait_until grep -q '"event":"holding"' "$T/hold.out"; then ok "--hold: holding after the sequence"
else not_ok "--hold: holding after the sequence" "$(cat "$T/hold.out")"; fi
if grep -q release "$GLOG"; then not_ok "--hold: nothing released while holding" "$(cat "$GLOG")"
else ok "--hold: nothing released while holding"; fi
kill -TERM "$hold_pid"
wait "$hold_pid"
rc=$?
if [ "$rc" -eq 0 ]; then ok "--hold: SIGTERM ends it with status 0"; else not_ok "--hold: SIGTERM ends it with status 0" "status $rc"; fi
timeline_is "--hold: released after the signal" "$ENTER"

# ---- the virtual board: GPIO pins reach romsim ----------------------------------------------------
if [ -x "$BUILD/romsim" ] && "$BUILD/romsim" serial --help 2>&1 | grep -q -- --pins-sock; then
	# A board running its application: BOOT0 low and a vector table in flash.
	if fresh_board gb --boot0 0; then
		poke_flash "$T/gb.state" 0x08000000 00
		poke_flash "$T/gb.state" 0x08000003 20
		board_ctl gb POWER >/dev/null
		mode=$(board_ctl gb MODE)
		if [ "$mode" = app ]; then ok "board: starts in its application"; else not_ok "board: starts in its application" "mode $mode"; fi
		FAKE_GPIOD_SOCK=$T/gb.pins expect_exit 0 "board: bootctl enter" bc $PI enter
		mode=$(board_ctl gb MODE)
		if [ "$mode" = rom ]; then ok "board: enter starts the ROM loader"; else not_ok "board: enter starts the ROM loader" "mode $mode" "$(tail -5 "$T/gb.log")"; fi
		FAKE_GPIOD_SOCK=$T/gb.pins expect_exit 0 "board: bootctl run" bc $PI run
		mode=$(board_ctl gb MODE)
		if [ "$mode" = app ]; then ok "board: run starts the application"; else not_ok "board: run starts the application" "mode $mode"; fi
		# swapped wiring: BOOT0 on the NRST GPIO and back
		FAKE_GPIOD_SOCK=$T/gb.pins FAKE_GPIOD_MAP=GPIO17=nrst,GPIO27=boot0 \
			expect_exit 0 "board: enter with the lines swapped" bc $PI enter
		mode=$(board_ctl gb MODE)
		if [ "$mode" != rom ]; then ok "board: swapped lines do not enter the loader"; else not_ok "board: swapped lines do not enter the loader"; fi
		# RTS/DTR through the serial shim, usual adapter (asserted = low)
		stop_board gb
		if [ -e "$BUILD/serialshim.so" ] && start_board gb --boot0 0 --adapter rts=boot0:inv,dtr=nrst:inv; then
			board_ctl gb POWER >/dev/null
			LD_PRELOAD=$BUILD/serialshim.so expect_exit 0 "board: enter through RTS/DTR" \
				bc -p "$T/gb" --boot0 rts --nrst dtr enter
			mode=$(board_ctl gb MODE)
			if [ "$mode" = rom ]; then ok "board: RTS/DTR enter starts the ROM loader"; else not_ok "board: RTS/DTR enter starts the ROM loader" "mode $mode" "$(tail -8 "$T/gb.log")"; fi
			LD_PRELOAD=$BUILD/serialshim.so expect_exit 0 "board: run through RTS/DTR" \
				bc -p "$T/gb" --boot0 rts --nrst dtr run
			LD_PRELOAD=$BUILD/serialshim.so expect_exit 0 "board: enter through RTS/DTR, again" \
				bc -p "$T/gb" --boot0 rts --nrst dtr enter
			STMBOOT_PORT=$T/gb LD_PRELOAD=$BUILD/serialshim.so expect_exit 0 "board: run through RTS/DTR (STMBOOT_PORT)" \
				bc --boot0 rts --nrst dtr run
			mode=$(board_ctl gb MODE)
			if [ "$mode" = app ]; then ok "board: RTS/DTR run starts the application"; else not_ok "board: RTS/DTR run starts the application" "mode $mode" "$(tail -8 "$T/gb.log")"; fi
			LD_PRELOAD=$BUILD/serialshim.so expect_exit 0 "board: stm32flash -i string through RTS/DTR" \
				bc -p "$T/gb" --stm32flash-i '-rts&dtr,-dtr:rts&dtr,-dtr' enter
			mode=$(board_ctl gb MODE)
			if [ "$mode" = rom ]; then ok "board: stm32flash -i entry starts the ROM loader"; else not_ok "board: stm32flash -i entry starts the ROM loader" "mode $mode"; fi
		else
			ok "board: RTS/DTR # SKIP no serial shim"
		fi
		stop_board gb
	else
		not_ok "board: romsim serial starts"
	fi
else
	ok "board # SKIP romsim serial without --pins-sock"
fi

finish
