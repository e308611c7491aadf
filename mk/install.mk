# SPDX-License-Identifier: MIT
# mk/install.mk - installing, in two groups as two Debian packages would:
#
#   make install       the user tools: an3155, dfuse, bootctl (as stm32-bootctl),
#                      their man pages and stmboot(7), bash and zsh completions,
#                      the udev rule, the licence, README and an example jigs.conf
#   make install-sim   the virtual board: romsim, romsim(1), the serial shim
#   make uninstall, make uninstall-sim   remove exactly what those installed
#
# PREFIX (/usr/local), DESTDIR, and the directories below may be set. The
# udev rule goes to PREFIX/lib/udev/rules.d for PREFIX=/usr (a package) and
# to /etc/udev/rules.d otherwise (udev reads no other place).
#
# bootctl keeps its name in the tree and the docs, and is installed as
# stm32-bootctl: systemd's bootctl (systemd-boot) owns /usr/bin/bootctl and
# bootctl(1), and its kernel hooks run `bootctl is-installed`; ours first in
# PATH would break them. Before anything is copied, scripts/install-check
# refuses a name that another program or Debian package already uses
# (CLASH=warn turns the refusal into a warning).

BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/stmboot
SIMLIBDIR  ?= $(PREFIX)/lib/stmboot
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/share/zsh/vendor-completions,$(PREFIX)/share/zsh/site-functions)
BOOTCTL_NAME ?= stm32-bootctl
CLASH      ?= refuse

# program in the tree -> installed name
inst_name = $(if $(filter bootctl,$(1)),$(BOOTCTL_NAME),$(1))
TOOL_NAMES := $(foreach p,$(TOOLS),$(call inst_name,$(p)))
MAN7       := $(wildcard man/stmboot*.7)

# Every installed file, as it lands (without DESTDIR): uninstall removes these.
INSTALL_FILES := $(TOOL_NAMES:%=$(BINDIR)/%) $(TOOL_NAMES:%=$(MANDIR)/man1/%.1) \
	$(MAN7:man/%=$(MANDIR)/man7/%) $(TOOL_NAMES:%=$(BASHCOMPDIR)/%) $(ZSHCOMPDIR)/_stmboot \
	$(UDEVRULESDIR)/50-stmboot-dfu.rules \
	$(addprefix $(DOCDIR)/,LICENSE README.md jigs.conf.example)
INSTALL_SIM_FILES := $(BINDIR)/romsim $(MANDIR)/man1/romsim.1 $(SIMLIBDIR)/serialshim.so \
	$(BASHCOMPDIR)/romsim

.PHONY: install install-sim uninstall uninstall-sim install-check install-sim-check

install-check:
	$(Q)scripts/install-check $(CLASH) $(BINDIR) $(MANDIR) $(TOOL_NAMES)
install-sim-check:
	$(Q)scripts/install-check $(CLASH) $(BINDIR) $(MANDIR) romsim

# man pages of renamed programs: the page's name is the installed name
define install_man
	$(Q)sed -e 's/^\.Dt BOOTCTL /.Dt $(shell echo $(BOOTCTL_NAME) | tr a-z A-Z) /' \
		-e 's/^\.Nm bootctl$$/.Nm $(BOOTCTL_NAME)/' -e 's/^\.Xr bootctl 1/.Xr $(BOOTCTL_NAME) 1/' \
		$(1) >$(2) && chmod 644 $(2)
endef

install: $(TOOLS:%=$(BUILD)/%) install-check
	$(Q)install -d $(addprefix $(DESTDIR),$(BINDIR) $(MANDIR)/man1 $(MANDIR)/man7 $(DOCDIR) \
		$(BASHCOMPDIR) $(ZSHCOMPDIR) $(UDEVRULESDIR))
	$(Q)$(foreach p,$(TOOLS),install -m 755 $(BUILD)/$(p) $(DESTDIR)$(BINDIR)/$(call inst_name,$(p)) &&) :
	$(foreach p,$(TOOLS),$(call install_man,man/$(p).1,$(DESTDIR)$(MANDIR)/man1/$(call inst_name,$(p)).1)$(newline))
	$(foreach p,$(MAN7),$(call install_man,$(p),$(DESTDIR)$(MANDIR)/man7/$(notdir $(p)))$(newline))
	$(Q)$(foreach n,$(TOOL_NAMES),install -m 644 completions/stmboot.bash $(DESTDIR)$(BASHCOMPDIR)/$(n) &&) :
	$(Q)install -m 644 completions/_stmboot $(DESTDIR)$(ZSHCOMPDIR)/_stmboot
	$(Q)install -m 644 udev/50-stmboot-dfu.rules $(DESTDIR)$(UDEVRULESDIR)/
	$(Q)install -m 644 LICENSE README.md $(DESTDIR)$(DOCDIR)/
	$(Q)install -m 644 doc/jigs.conf $(DESTDIR)$(DOCDIR)/jigs.conf.example
	$(SAY) "  installed $(TOOL_NAMES) in $(DESTDIR)$(BINDIR); udev rule in $(DESTDIR)$(UDEVRULESDIR)"

install-sim: $(BUILD)/romsim $(SERIALSHIM) install-sim-check
	$(Q)install -d $(addprefix $(DESTDIR),$(BINDIR) $(MANDIR)/man1 $(SIMLIBDIR) $(BASHCOMPDIR))
	$(Q)install -m 755 $(BUILD)/romsim $(DESTDIR)$(BINDIR)/romsim
	$(call install_man,man/romsim.1,$(DESTDIR)$(MANDIR)/man1/romsim.1)
	$(Q)install -m 755 $(SERIALSHIM) $(DESTDIR)$(SIMLIBDIR)/serialshim.so
	$(Q)install -m 644 completions/stmboot.bash $(DESTDIR)$(BASHCOMPDIR)/romsim
	$(SAY) "  installed romsim in $(DESTDIR)$(BINDIR), the serial shim in $(DESTDIR)$(SIMLIBDIR)"

# Only our files and our own directories (never bin/ or man1/, which others share).
uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	$(Q)rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || :
uninstall-sim:
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALL_SIM_FILES))
	$(Q)rmdir $(DESTDIR)$(SIMLIBDIR) 2>/dev/null || :
