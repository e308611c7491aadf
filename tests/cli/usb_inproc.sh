#!/bin/bash
# SPDX-License-Identifier: MIT
# usb_inproc.sh - the emulated USB bus in-process: $BUILD/tests/usbsim_os_test
# (tests/os/test_usbsim.c) drives src/romsim/usbsim*.c and the DfuSe model through
# the real libusb with the umockdev preload linked in; one "ok" line per
# cmocka test.
. "$(dirname "$0")/lib.sh"

OSTEST=$BUILD/tests/usbsim_os_test
need_built "usb in-process" "run: make BUILD=$BUILD $OSTEST" "$OSTEST"

CMOCKA_SECS=300 run_cmocka "usb in-process" "$OSTEST"
finish
