# SPDX-License-Identifier: MIT
# mk/usb.mk - the USB side of the virtual board's test helpers:
#   $(BUILD)/tests/usbsim_os_test  src/romsim/usbsim*.c (emulated usbdevfs) and the
#                                  DfuSe model driven in-process through the
#                                  real libusb, with the umockdev preload
#                                  linked in (tests/os/test_usbsim.c); run by
#                                  tests/cli/usb_inproc.sh
# Not built with the sanitizers: ASan and the umockdev preload both
# interpose libc (open, ioctl, ...) and must not fight over it.

USBSIM_GLUE := src/romsim/usbsim.c src/romsim/usbsim_ioctl.c src/romsim/usbsim_guard.c src/romsim/usbsim_pins.c
USBSIM_OS_TEST := $(BUILD)/tests/usbsim_os_test
USBSIM_OS_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,tests/os/test_usbsim.c $(USBSIM_GLUE))

$(USBSIM_OS_TEST): $(USBSIM_OS_OBJ) $(LIBSIM) $(LIBSTMBOOT)
	@mkdir -p $(dir $@)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libusb-1.0) $(UMOCK_LIBS) \
		-Wl,--push-state,--no-as-needed -lumockdev-preload -Wl,--pop-state \
		$(CMOCKA_LIBS) -lpthread

$(BUILD)/obj/tests/os/test_usbsim.o: PKGS_CC := libusb-1.0 umockdev-1.0
TEST_HELPERS += $(USBSIM_OS_TEST)
# cli's prerequisites were expanded before this file was included.
cli: $(USBSIM_OS_TEST)
