#!/bin/bash
# SPDX-License-Identifier: MIT
# cpusim.sh - romsim's CPU model, independent of the RAM loader: our own test
# firmware (tests/cpusim/agent.c, built with gcc-arm-none-eabi) is sent with
# AN3155 Write Memory + Go by tests/cpusim/fwtalk through the serial shim,
# and then drives the modelled FLASH, USART, RCC and SCB registers from the
# code. Facts: RM0432 3.3/3.7 (FLASH), 50.8 (USART), 6.4 (RCC), protocol-
# facts A.5/E.2/E.3. No check depends on wall-clock speed: times are
# measured by the code itself in core cycles (DWT_CYCCNT) on romsim's clock.
. "$(dirname "$0")/lib.sh"

FW=$BUILD/fw/agent.bin
TALK=$BUILD/tests/fwtalk
need_built "cpusim" "run: make BUILD=$BUILD $BUILD/fw/agent.bin $BUILD/tests/fwtalk" \
	"$FW" "$TALK" "$BUILD/romsim" "$BUILD/serialshim.so"

# talk NAME STEP...: fwtalk on board NAME through the shim.
talk() { local b=$1; shift; bounded 60 env LD_PRELOAD="$BUILD/serialshim.so" "$TALK" "$T/$b" "$@"; }
# boot NAME [STEP...]: load the agent, Go, expect its '!'.
LOAD=(sync "load:$FW@0x20003200" go:0x20003200 rx:21)
# le32 HEX8: the little-endian hex of a 32-bit value, as fwtalk prints it.
le32() { printf '%02x%02x%02x%02x' $((0x$1 & 255)) $((0x$1 >> 8 & 255)) $((0x$1 >> 16 & 255)) $((0x$1 >> 24 & 255)); }
# same NAME GOT WANT: GOT equals WANT.
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi; }
# word OUT: the 32-bit value after the reply letter of an 'r'/'d'/'c'/'u' line.
word() { local h=${1:2:8}; echo $((0x${h:6:2}${h:4:2}${h:2:2}${h:0:2})); }

# ---- Go runs the code; the ROM's USART, clocks and flash registers -------------------
fresh_board a
check "Go to SRAM: the code runs and its first byte reaches the host" talk a "${LOAD[@]}"
check "log: the CPU started at the Go address" log_has a '^cpu: start at 0x20003200 \(Go, USART and clocks as the ROM left them, USART1, 16000000 Hz'
out=$(talk a tx:50 rxn:10)
same "it finds USART1 enabled by the ROM: 8E1 (CR1 = UE TE RE PCE M0), BRR 139 (16 MHz / 115200)" \
	"$out" "70018b0000000d140000"
out=$(talk a tx:52 u32:0x40022020 rxn:5)
same "it reads FLASH_OPTR: the factory word 0xFFEFF8AA, DBANK set" "$out" "72$(le32 FFEFF8AA)"
out=$(talk a tx:52 u32:0x40021008 rxn:5)
same "RCC_CFGR: HSI16 is the system clock (SW = SWS = 01)" "$out" "72$(le32 00000005)"
out=$(talk a tx:52 u32:0xE0042000 rxn:5)
same "DBGMCU_IDCODE: DEV_ID 0x470" "$out" "72$(le32 10016470)"

# ---- FLASH: unlock, program, every error path, erase -----------------------------------
out=$(talk a tx:44 u32:0x08000000 u32:0x11111111 u32:0x22222222 rxn:5)
same "programming while FLASH_CR is locked: writes ignored, PGSERR (and PEMPTY of the blank part)" \
	"$out" "64$(le32 00020080)"
check "log: the locked CR write is named" log_has a 'FLASH: CR written while LOCK is set'
talk a tx:43 rxn:5 >/dev/null
out=$(talk a tx:55 rxn:5)
same "KEYR sequence: LOCK cleared, OPTLOCK still set" "$out" "75$(le32 40000000)"
out=$(talk a tx:44 u32:0x08000000 u32:0x44332211 u32:0x88776655 rxn:5 tx:52 u32:0x08000000 rxn:5 tx:52 u32:0x08000004 rxn:5)
same "a double-word by two 32-bit writes: no error, data in flash" "$out" \
	"64$(le32 00020000)
72$(le32 44332211)
72$(le32 88776655)"
check "the board's flash (the state file) holds it" \
	cmp -s <(flash_bytes "$T/a.state" 0x08000000 8) <(printf '\021\042\063\104\125\146\167\210')
out=$(talk a tx:44 u32:0x08000000 u32:0 u32:0 rxn:5)
same "the same double-word again: PROGERR, data unchanged" "$out" "64$(le32 00020008)"
check "log: PROGERR named with its address" log_has a 'program 0x08000000: double-word not erased \(PROGERR\)'
out=$(talk a tx:44 u32:0x08000100 u32:1 u32:2 rxn:5)
same "PGSERR: a new double-word while PROGERR is not cleared" "$out" "64$(le32 00020088)"
out=$(talk a tx:43 rxn:5)
same "SR flags are write-1-to-clear" "$out" "63$(le32 00020000)"
out=$(talk a tx:44 u32:0x08000104 u32:1 u32:2 rxn:5)
same "PGAERR: the two words are not in one double-word (0x..104, 0x..108)" "$out" "64$(le32 00020020)"
talk a tx:43 rxn:5 >/dev/null
out=$(talk a tx:57 u32:0x40022014 u32:1 rx:77 tx:42 u32:0x08000200 u8:0x5a rx:77 tx:52 u32:0x40022010 rxn:5)
same "SIZERR: a byte write to flash with PG set" "$out" "72$(le32 00020040)"
talk a tx:57 u32:0x40022014 u32:0 rx:77 tx:43 rxn:5 >/dev/null
out=$(talk a tx:45 u8:0 u8:0 rxn:9 tx:52 u32:0x08000000 rxn:5)
same "page erase (PER, PNB 0, STRT): EOP not set without EOPIE, the page reads erased" \
	"${out:0:10} ${out: -10}" "65$(le32 00020000) 72$(le32 ffffffff)"
check "the state file's page 0 is erased" flash_erased "$T/a.state" 0x08000000 4096
out=$(talk a tx:57 u32:0x40022014 u32:0x01000001 rx:77 tx:57 u32:0x08000008 u32:7 rx:77 \
	tx:57 u32:0x0800000c u32:8 rx:77 tx:52 u32:0x40022010 rxn:5)
same "EOPIE: EOP set at the end of the programming" "$out" "72$(le32 00020001)"
stop_board a

# ---- WRPERR on protected pages, bank modes --------------------------------------------
fresh_board w
A3_SECS=60   # the bound of lib.sh's a3 here
check "an3155 write-protects page 2" a3 -q -p "$T/w" write-protect 2
check "then the agent runs" talk w "${LOAD[@]}" tx:55 rxn:5
out=$(talk w tx:45 u8:2 u8:0 rxn:9 tx:43 rxn:5 tx:44 u32:0x08002000 u32:1 u32:2 rxn:5)
same "erase and program of a WRP page: WRPERR" "${out:0:10} ${out: -10}" \
	"65$(le32 00020010) 64$(le32 00020010)"
out=$(talk w tx:43 rxn:5 tx:45 u8:2 u8:1 rxn:9)
same "dual-bank mode: page 2 of bank 2 (BKER) is not protected" "${out: -18:10}" "65$(le32 00020000)"
stop_board w
fresh_board s --dbank 0
check "single-bank board: the agent runs" talk s "${LOAD[@]}" tx:55 rxn:5
out=$(talk s tx:52 u32:0x40022020 rxn:5 tx:45 u8:1 u8:1 rxn:9)
same "--dbank 0: OPTR.DBANK clear; BKER in single-bank mode is refused (PGSERR)" \
	"${out:0:10} ${out: -18:10}" "72$(le32 ffaff8aa) 65$(le32 00020080)"
stop_board s

# ---- the wrong key: bus error, CR locked until reset ----------------------------------
fresh_board k
check "agent runs" talk k "${LOAD[@]}"
talk k tx:57 u32:0x40022008 u32:0x12345678 >/dev/null 2>&1
check "a wrong FLASH_KEYR value stops the CPU with a bus fault (RM0432 3.3.5)" \
	wait_until log_has k 'cpu: halted: bus fault: FLASH_KEYR: wrong key sequence \(0x12345678\)'
check "a halted CPU does not answer" talk k tx:50 quiet:300
board_ctl k "PIN nrst 0" >/dev/null
board_ctl k "PIN nrst 1" >/dev/null
check "NRST: the CPU stops, the ROM answers again" talk k sync
check "log: stopped by NRST" log_has k '^cpu: stopped by NRST'
check "after the reset the agent unlocks the flash again" talk k "${LOAD[@]}" tx:55 rx:75$(le32 40000000)
stop_board k

# ---- the line: baud change, garbage at the old rate, ORE --------------------------------
fresh_board b
check "BRR change (UE off, BRR 69, UE on): the host at 230400 gets 'K'" \
	talk b "${LOAD[@]}" tx:62 u32:69 rx:6b baud:230400 tx:00 rx:4b tx:65 u8:2 tx:a55a rx:a55a
check "log: the code's line rate as the line model sees it" log_has b 'cpu: USART1 line 231884 baud 8E1'
check "back to BRR 139 at 115200" talk b baud:230400 tx:62 u32:139 rx:6b baud:115200 tx:00 rx:4b
out=$(talk b tx:62 u32:69 rx:6b tx:00 rxn:1)
[ "$out" != "4b" ]
check "a host that stays at 115200 after the change does not see 'K'" test $? -eq 0 -a -n "$out"
stop_board b
fresh_board o
out=$(talk o "${LOAD[@]}" tx:4f u32:200000 tx:414243 rxn:6)
same "bytes the code does not read in time: ORE (1-byte RDR), the first byte kept" \
	"$out" "6f$(le32 006000f8)01"
stop_board o

# ---- system reset by AIRCR, halts, bus faults ------------------------------------------
fresh_board r
check "AIRCR.SYSRESETREQ: the ROM (BOOT0 high) answers 0x7F again" talk r "${LOAD[@]}" tx:58 sleep:200 sync
check "log: the reset request" log_has r 'cpu: system reset requested by the code'
check "GPIOA is not modelled: reading it stops the CPU with a bus fault" talk r "${LOAD[@]}" tx:52 u32:0x48000000 rx:72 quiet:300
check "log: the bus fault names the address" wait_until log_has r 'bus fault: read 0x48000000: no modelled peripheral there'
stop_board r
fresh_board h
check "an endless 'b .' halts the CPU" talk h "${LOAD[@]}" tx:4c quiet:300
check "log: endless loop" wait_until log_has h 'halted: endless loop \(b \.\) at 0x2000'
stop_board h
fresh_board z
check "WFI: no interrupt is modelled, the CPU sleeps" talk z "${LOAD[@]}" tx:5a quiet:300
check "log: WFI" wait_until log_has z 'halted: WFI at 0x2000'
stop_board z

# ---- time-outs, CPU use while the code polls ---------------------------------------------
fresh_board t
check "a DWT time-out of 1 s (16e6 cycles) expires with no byte" talk t "${LOAD[@]}" tx:59 u32:16000000 rx:7a
check "a counted time-out expires" talk t tx:4b u32:200000 rx:7a
check "a DWT wait ends with the byte the host sends" talk t tx:59 u32:160000000 sleep:200 tx:33 rx:7933
pid=$(pgrep -f -- "--pty-link $T/t " | head -1)
cpu0=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
sleep 2
cpu1=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
check "the code polling an empty RDR does not spin a core (< 40 ticks in 2 s)" test $((cpu1 - cpu0)) -lt 40
stop_board t

# ---- the ROM's choices: --go-deinit, --rom-usart, --rom-clock ----------------------------
fresh_board d --go-deinit
out=$(talk d "${LOAD[@]}" tx:50 rxn:10 tx:52 u32:0x40021008 rxn:5)
same "--go-deinit: nothing enabled, the agent sets up USART1 on MSI 4 MHz (BRR 35), CFGR at reset" \
	"$out" "7001230000000d140000
72$(le32 00000000)"
check "log: peripherals at reset values" log_has d 'Go, peripherals at reset values'
stop_board d
fresh_board u2 --rom-usart 2
out=$(talk u2 "${LOAD[@]}" tx:50 rxn:2)
same "--rom-usart 2: the code finds USART2 enabled" "$out" "7002"
stop_board u2
fresh_board c --rom-clock pll80,apb2=2
out=$(talk c "${LOAD[@]}" tx:50 rxn:6)
same "--rom-clock pll80,apb2=2: BRR 347 (PCLK2 40 MHz / 115200)" "$out" "70015b010000"
stop_board c
expect_exit 2 "a bad --rom-clock -> 2" "$BUILD/romsim" serial --rom-clock pll81
expect_exit 2 "a bad --rom-usart -> 2" "$BUILD/romsim" serial --rom-usart 4

# ---- timing model: a byte at 921600, a page erase --------------------------------------
fresh_board tm --timing --baud 921600
out=$(talk tm baud:921600 "${LOAD[@]}" tx:54 u16:1000 rxn:1005 tx:55 rxn:5 tx:45 u8:3 u8:0 rxn:9)
tx=${out:2000:10}; er=${out: -8}
txc=$(word "${tx}")
erc=$((0x${er:6:2}${er:4:2}${er:2:2}${er:0:2}))
check "1000 bytes at BRR 17 (941176 baud) take ~11.7 ms of core cycles (11 bits each)" \
	test "$txc" -ge 180000 -a "$txc" -le 192000
check "a page erase keeps BSY for the board's 25 ms (400000 cycles at 16 MHz)" \
	test "$erc" -ge 399000 -a "$erc" -le 402000
stop_board tm

# ---- fault injection on the code's bytes ---------------------------------------------------
fresh_board f1 --faults cpu-hang@cpu#1.2
check "cpu-hang after 2 bytes: the 1st command is answered" talk f1 "${LOAD[@]}" tx:50 rxn:10
check "... the 2nd byte hangs it: no answer" talk f1 tx:50 quiet:500
check "log: the cpu-hang fault" log_has f1 'fault: cpu-hang on cpu run #1 after 2 byte'
stop_board f1
fresh_board f2 --faults cpu-reset@cpu#1.1
check "cpu-reset after 1 byte: the board is back in the ROM" talk f2 "${LOAD[@]}" tx:50 sleep:200 sync
stop_board f2
fresh_board f3 --faults corrupt-out@cpu#1.1,drop-in@cpu#1.1
out=$(talk f3 sync "load:$FW@0x20003200" go:0x20003200 rxn:1)
[ "$out" != "21" ]
check "corrupt-out@cpu#1.1: the code's first byte arrives changed" test $? -eq 0
check "drop-in@cpu#1.1: the first byte to the code is lost, the next command works" \
	talk f3 tx:50 quiet:300 tx:50 rxn:10
stop_board f3
fresh_board f4 --faults cpu-hang@cpu#1
check "cpu-hang@cpu#1: the code never starts (a dead loader)" talk f4 sync "load:$FW@0x20003200" go:0x20003200 quiet:500
stop_board f4

finish
