#!/bin/bash
# SPDX-License-Identifier: MIT
# install.sh - make install / install-sim / uninstall into a DESTDIR: what
# lands (an exact list), nothing another Debian package owns, bootctl
# under its installed name, the clash check, nothing left behind, and the
# shell completions working from the installed files.
. "$(dirname "$0")/lib.sh"

# installed files and links under a DESTDIR, relative, sorted
landed() { (cd "$1" && find . -type f -o -type l | sed 's|^\./|/|' | sort); }
# pkg_owned: the lines of the paths on stdin that a Debian package owns (one dpkg -S)
pkg_owned() { xargs -r -d '\n' dpkg -S 2>/dev/null; }

if [ ! -f "$ROOT/Makefile" ]; then
	not_ok "install: the test needs the checkout's Makefile" "$ROOT has none"
	finish; exit
fi

# ---- the user tools, PREFIX=/usr/local --------------------------------------------------
D=$T/local
expect_exit 0 "make install into a DESTDIR" mk install DESTDIR="$D" PREFIX=/usr/local
cat >"$T/want-local" <<'EOF'
/etc/udev/rules.d/50-stmboot-dfu.rules
/usr/local/bin/an3155
/usr/local/bin/dfuse
/usr/local/bin/stm32-bootctl
/usr/local/share/bash-completion/completions/an3155
/usr/local/share/bash-completion/completions/dfuse
/usr/local/share/bash-completion/completions/stm32-bootctl
/usr/local/share/doc/stmboot/LICENSE
/usr/local/share/doc/stmboot/README.md
/usr/local/share/doc/stmboot/jigs.conf.example
/usr/local/share/man/man1/an3155.1
/usr/local/share/man/man1/dfuse.1
/usr/local/share/man/man1/stm32-bootctl.1
/usr/local/share/man/man7/stmboot-pi.7
/usr/local/share/man/man7/stmboot.7
/usr/local/share/zsh/site-functions/_stmboot
EOF
landed "$D" >"$T/got-local"
if diff -u "$T/want-local" "$T/got-local" >"$T/diff"; then ok "install: exactly the user tools' files land"
else not_ok "install: exactly the user tools' files land" "$(cat "$T/diff")"; fi
echo "# installed:"; sed 's/^/#   /' "$T/got-local"

if landed "$D" | grep -q '/bootctl$\|/bootctl\.1$'; then
	not_ok "install: no bin/bootctl and no bootctl.1 (systemd's names)" "$(landed "$D" | grep bootctl)"
else
	ok "install: no bin/bootctl and no bootctl.1 (systemd's names)"
fi
if landed "$D" | grep -q 'romsim\|serialshim'; then
	not_ok "install: the virtual board stays out of the user tools" "$(landed "$D" | grep 'romsim\|shim')"
else
	ok "install: the virtual board stays out of the user tools"
fi
owned=$(landed "$D" | pkg_owned)
if [ -z "$owned" ]; then ok "install: no installed file belongs to a Debian package"
else not_ok "install: no installed file belongs to a Debian package" "$owned"; fi

expect_exit 0 "stm32-bootctl --version runs" "$D/usr/local/bin/stm32-bootctl" --version
expect_match "stm32-bootctl --version names stmboot" '^bootctl \(stmboot\) '
expect_exit 2 "stm32-bootctl: a usage error" "$D/usr/local/bin/stm32-bootctl" --frob
expect_match "stm32-bootctl: the hint names the installed program" "^Try 'stm32-bootctl --help'\.$"
expect_exit 0 "stm32-bootctl(1) renders" mandoc -Tascii "$D/usr/local/share/man/man1/stm32-bootctl.1"
expect_match "stm32-bootctl(1) is titled by the installed name" '^STM32-BOOTCTL\(1\)'
expect_match "stm32-bootctl(1) says why it is not bootctl" 'systemd'
check "an3155(1) points at the installed stm32-bootctl(1)" \
	grep -q '^\.Xr stm32-bootctl 1' "$D/usr/local/share/man/man1/an3155.1"
check "the licence is installed" grep -q '^MIT License' "$D/usr/local/share/doc/stmboot/LICENSE"

expect_exit 0 "make uninstall" mk uninstall DESTDIR="$D" PREFIX=/usr/local
left=$(landed "$D")
if [ -z "$left" ]; then ok "uninstall: nothing left behind"; else not_ok "uninstall: nothing left behind" "$left"; fi

# ---- PREFIX=/usr (a distribution package), and the virtual board apart -------------------
D=$T/usr
expect_exit 0 "make install install-sim PREFIX=/usr" mk install install-sim DESTDIR="$D" PREFIX=/usr
check "PREFIX=/usr: the udev rule in /usr/lib/udev/rules.d" test -f "$D/usr/lib/udev/rules.d/50-stmboot-dfu.rules"
check "PREFIX=/usr: nothing in /etc" test ! -e "$D/etc"
check "PREFIX=/usr: zsh completion in vendor-completions" test -f "$D/usr/share/zsh/vendor-completions/_stmboot"
landed "$D" >"$T/both"
cp -a "$D" "$T/comp"   # the completions' tests below use this install
mk uninstall DESTDIR="$D" PREFIX=/usr
cat >"$T/want-sim" <<'EOF'
/usr/bin/romsim
/usr/lib/stmboot/serialshim.so
/usr/share/bash-completion/completions/romsim
/usr/share/man/man1/romsim.1
EOF
landed "$D" >"$T/got-sim"
if diff -u "$T/want-sim" "$T/got-sim" >"$T/diff"; then ok "install-sim: romsim, its page and the shim, apart"
else not_ok "install-sim: romsim, its page and the shim, apart" "$(cat "$T/diff")"; fi
expect_exit 0 "installed romsim --version" "$D/usr/bin/romsim" --version
owned=$(pkg_owned <"$T/both")
if [ -z "$owned" ]; then ok "install-sim: no file belongs to a Debian package"
else not_ok "install-sim: no file belongs to a Debian package" "$owned"; fi
expect_exit 0 "make uninstall-sim" mk uninstall-sim DESTDIR="$D" PREFIX=/usr
left=$(landed "$D")
if [ -z "$left" ]; then ok "uninstall-sim: nothing left behind"; else not_ok "uninstall-sim: nothing left behind" "$left"; fi

# ---- the clash check -------------------------------------------------------------------------
mkdir -p "$T/fakebin"
printf '#!/bin/sh\necho "another an3155"\n' >"$T/fakebin/an3155"
chmod 755 "$T/fakebin/an3155"
# fakebin CMD...: CMD with $T/fakebin first in PATH
fakebin() { PATH="$T/fakebin:$PATH" "$@"; }
D=$T/clash
expect_exit 2 "install refuses a name another program in PATH has" fakebin mk install DESTDIR="$D"
expect_match "the refusal names the other program" "$T/fakebin/an3155 is another 'an3155' in PATH"
check "a refused install copies nothing" test ! -e "$D"
expect_exit 0 "CLASH=warn installs anyway" fakebin mk install DESTDIR="$D" CLASH=warn
expect_match "CLASH=warn says what clashes" "warning: names already in use"
if owner=$(dpkg -S /usr/bin/dfuse-pack 2>/dev/null); then
	expect_exit 2 "install refuses a name a Debian package owns" \
		mk install DESTDIR="$T/pkg" PREFIX=/usr BOOTCTL_NAME=dfuse-pack
	expect_match "the refusal names the package" "/usr/bin/dfuse-pack belongs to the Debian package ${owner%%:*}"
else
	not_ok "a Debian package owns /usr/bin/dfuse-pack (dfu-util, from scripts/deps)"
fi

# ---- completions, from the installed files (the PREFIX=/usr install above) ----------------------
D=$T/comp
C=$D/usr/share/bash-completion/completions
complete_words() {  # PROG WORD...: what bash completes for the last word
	PATH="$D/usr/bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		if [ "$1" = romsim ]; then _stmboot_romsim "$1"; else _stmboot "$1"; fi
		printf "%s\n" "${COMPREPLY[@]}"' sh "$C/$1" "$@"
}
OUT=$(complete_words an3155 wr)
expect_match "bash: an3155 commands" '^write$'
OUT=$(complete_words an3155 --no-v)
expect_match "bash: an3155 options" '^--no-verify$'
OUT=$(complete_words stm32-bootctl ch)
expect_match "bash: stm32-bootctl commands" '^chips$'
OUT=$(complete_words dfuse write --le)
expect_match "bash: dfuse options after the command" '^--leave$'
OUT=$(complete_words romsim us)
expect_match "bash: romsim front ends" '^usb$'
OUT=$(complete_words an3155 -p '')
want=$(PATH="$D/usr/bin:$PATH" an3155 list 2>/dev/null | awk '$1 ~ /^\// { print $1 }' | sort)
if [ "$(echo "$OUT" | sed '/^$/d' | sort)" = "$want" ]; then ok "bash: ports are those an3155 list prints"
else not_ok "bash: ports are those an3155 list prints" "completed: $OUT" "listed: $want"; fi
# USB devices: two emulated boards
OUT=$(bounded 60 "$BUILD/romsim" usb -n 2 -- env PATH="$D/usr/bin:$PATH" bash -c '
	. "$1"; COMP_WORDS=(dfuse --path ""); COMP_CWORD=2; _stmboot dfuse; printf "%s\n" "${COMPREPLY[@]}"
	COMP_WORDS=(dfuse -s ""); _stmboot dfuse; printf "serial %s\n" "${COMPREPLY[@]}"' sh "$C/dfuse" 2>&1)
expect_match "bash: --path completes the first board" '^1-1$'
expect_match "bash: --path completes the second board" '^1-2$'
expect_match "bash: --serial completes serial numbers" '^serial [0-9A-F]{12}$'
if command -v zsh >/dev/null; then
	check "zsh: the completion parses" zsh -n "$D/usr/share/zsh/vendor-completions/_stmboot"
else
	not_ok "zsh: the completion parses" "zsh is not installed (scripts/deps installs it)"
fi

finish
