# SPDX-License-Identifier: MIT
# bash completion for the stmboot programs: an3155, dfuse, stm32-bootctl
# (bootctl in the source tree) and romsim.
# Commands and options come from the program's own --help, so they never
# drift; ports from `an3155 list`, USB devices from `dfuse list`.

_stmboot_help_words() {  # PROG: the commands and long options its --help lists
	"$1" --help 2>/dev/null | sed -n \
		-e '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' \
		-e '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\)$/\1/p'
	"$1" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

_stmboot_ports() {  # serial ports, as an3155 list prints them
	local lister=an3155
	command -v "$lister" >/dev/null 2>&1 || return
	"$lister" list 2>/dev/null | awk '$1 ~ /^\// { print $1 }'
}

_stmboot_usb() {  # WHAT (path|serial|device) of the DfuSe devices dfuse list shows
	command -v dfuse >/dev/null 2>&1 || return
	dfuse list 2>/dev/null | awk -v what="$1" '
		/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ {
			if (what == "device") print $1
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == what) print kv[2]
			}
		}'
}

_stmboot() {
	local cur prev prog=$1
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-p|--port)
		COMPREPLY=($(compgen -W "$(_stmboot_ports)" -- "$cur"))
		return ;;
	-s|--serial)
		[ "$prog" = dfuse ] && { COMPREPLY=($(compgen -W "$(_stmboot_usb serial)" -- "$cur")); return; } ;;
	--path)
		COMPREPLY=($(compgen -W "$(_stmboot_usb path)" -- "$cur"))
		return ;;
	-d|--device|--detach|--wait-app)
		COMPREPLY=($(compgen -W "$(_stmboot_usb device)" -- "$cur"))
		return ;;
	-f|--format)
		COMPREPLY=($(compgen -W "bin ihex srec elf dfu" -- "$cur"))
		return ;;
	--erase)
		COMPREPLY=($(compgen -W "pages all none" -- "$cur"))
		return ;;
	--config|-o|--output|-s|--state|--log|--stats|--pty-link|--pins-sock|--adapter-link)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]] || [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_stmboot_help_words "$prog")" -- "$cur"))
		[[ $cur == -* ]] || COMPREPLY=($(compgen -W "$(_stmboot_help_words "$prog" | grep -v '^-')" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}

_stmboot_romsim() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "serial usb --help --version" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(romsim "${COMP_WORDS[1]}" --help 2>/dev/null |
			grep -o -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

complete -F _stmboot an3155 dfuse stm32-bootctl bootctl
complete -F _stmboot_romsim romsim
