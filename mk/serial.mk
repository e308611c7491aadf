# SPDX-License-Identifier: MIT
# mk/serial.mk - the serial transport's test helpers:
#   $(BUILD)/serialshim.so       LD_PRELOAD shim that makes a pty look like a
#                                serial adapter (src/romsim/shim/serialshim.c)
#   $(BUILD)/tests/serial_os_test  src/serial/*.c against a pty, with and
#                                without the shim (tests/os/test_serial.c),
#                                run by tests/cli/serial_transport.sh

# SERIALSHIM is named in the Makefile (all builds it).
$(SERIALSHIM): src/romsim/shim/serialshim.c src/romsim/shim/serialshim_fs.c src/romsim/shim/serialshim.h
	@mkdir -p $(dir $@)
	$(SAY) "  CC-SO   $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(HARDEN_CPPFLAGS) $(ALL_CFLAGS) -fPIC -shared $(ALL_LDFLAGS) \
		-o $@ $(filter %.c,$^) -ldl -lpthread

SERIAL_GLUE := $(wildcard src/serial/*.c)
SERIAL_OS_TEST := $(BUILD)/tests/serial_os_test
SERIAL_OS_OBJ := $(patsubst %.c,$(BUILD)/san/%.o,tests/os/test_serial.c $(SERIAL_GLUE) \
	protocols/err.c protocols/log.c)

$(SERIAL_OS_TEST): $(SERIAL_OS_OBJ)
	@mkdir -p $(dir $@)
	$(SAY) "  LD-SAN  $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(shell $(PKG_CONFIG) --libs libserialport) \
		$(CMOCKA_LIBS) -ldl -lpthread

TEST_HELPERS += $(SERIAL_OS_TEST)
# cli's prerequisites were expanded before this file was included.
cli: $(SERIAL_OS_TEST)

SERIAL_PTY_PEER := $(BUILD)/tests/pty_peer

$(SERIAL_PTY_PEER): tests/os/pty_peer.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

TEST_HELPERS += $(SERIAL_PTY_PEER)
cli: $(SERIAL_PTY_PEER)
