# SPDX-License-Identifier: MIT
# mk/dfuse.mk - the USB side's test helper:
#   $(BUILD)/tests/usb_os_test   src/usb/*.c (libusb backend) and the DfuSe
#                                engine through real libusb, run under
#                                `romsim usb` by tests/cli/usb_transport.sh
#                                (tests/os/test_usb.c)

DFUSE_USB_GLUE := $(wildcard src/usb/*.c)
DFUSE_USB_OS_TEST := $(BUILD)/tests/usb_os_test
DFUSE_USB_OS_OBJ := $(patsubst %.c,$(BUILD)/san/%.o,tests/os/test_usb.c $(DFUSE_USB_GLUE) \
	protocols/dfuse.c protocols/dfuse_cmd.c protocols/dfuse_data.c protocols/dfuse_layout.c \
	protocols/err.c protocols/log.c)

$(DFUSE_USB_OS_TEST): $(DFUSE_USB_OS_OBJ)
	@mkdir -p $(dir $@)
	$(SAY) "  LD-SAN  $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(shell $(PKG_CONFIG) --libs libusb-1.0) \
		$(CMOCKA_LIBS) -lpthread

$(BUILD)/san/tests/os/test_usb.o: PKGS_CC := libusb-1.0
TEST_HELPERS += $(DFUSE_USB_OS_TEST)
# cli's prerequisites were expanded before this file was included.
cli: $(DFUSE_USB_OS_TEST)
