# SPDX-License-Identifier: MIT
# tests/cli/events_lib.sh - the event schema of man/stmboot.7 (section
# EVENTS) as JSON, and a jq check of event lines against it. Sourced by the
# tests after lib.sh (not a test itself: scripts/check skips *lib.sh).
#
# In the page, ".Ss NAME" starts an event ("every event": the members of
# all), and ".It Li a , b Pq TYPE[ or TYPE][, optional]" documents members.

# events_schema > schema.json: {"every event": {member: {"types": [...], "opt": bool}}, EVENT: {...}}
events_schema() {
	sed -n '/^\.Sh EVENTS/,/^\.Sh /p' "$ROOT/man/stmboot.7" | awk '
		/^\.Ss / { ev = substr($0, 5); next }
		/^\.It Li .* Pq / {
			line = substr($0, 8)
			split(line, parts, " Pq ")
			names = parts[1]; gsub(/ /, "", names)
			opt = (parts[2] ~ /, optional/) ? "true" : "false"
			t = parts[2]; sub(/, optional/, "", t); gsub(/ or /, " ", t)
			n = split(names, nm, ",")
			m = split(t, ty, " ")
			types = ""
			for (j = 1; j <= m; j++) types = types (j > 1 ? "," : "") "\"" ty[j] "\""
			for (i = 1; i <= n; i++)
				printf "{\"event\":\"%s\",\"member\":\"%s\",\"types\":[%s],\"opt\":%s}\n", ev, nm[i], types, opt
		}' | jq -s 'reduce .[] as $m ({}; .[$m.event][$m.member] = {types: $m.types, opt: $m.opt})'
}

# events_check SCHEMA FILE: every line of FILE checked; prints one line per problem.
events_check() {
	jq -r --slurpfile s "$1" '
		def typeok($v; $types): ($v | type) as $t | any($types[]; . == $t);
		$s[0] as $schema | . as $e
		| $schema["every event"] as $c
		| ($schema[$e.event] // null) as $ev
		| ($c + ($ev // {})) as $all
		| [ ($all | to_entries[] | . as $m
		     | if ($e | has($m.key)) then
			 (if typeok($e[$m.key]; $m.value.types) then empty
			  else "\($m.key) is \($e[$m.key] | type), not \($m.value.types | join("/"))" end)
		       elif $m.value.opt then empty
		       elif ($c | has($m.key)) or $ev != null then "missing \($m.key)"
		       else empty end),
		    (if $ev == null then empty
		     else ($e | keys[] | . as $k | select(($all | has($k)) | not) | "undocumented member \($k)") end)
		  ] | select(length > 0) | "\($e.event): \(join("; "))"' "$2"
}

# schema_ok NAME FILE: every event line of FILE as stmboot(7) documents it
# (the schema is made into $T/schema.json on first use).
schema_ok() {
	local bad
	[ -e "$T/schema.json" ] || events_schema >"$T/schema.json"
	bad=$(events_check "$T/schema.json" "$2" 2>&1 | sort -u)
	if [ -z "$bad" ] && [ -s "$2" ]; then ok "$1"; else not_ok "$1" "$(head -5 <<<"$bad")"; fi
}
