# shellcheck shell=bash
# tests/e2e/lib.sh -- helpers shared by the end-to-end scripts (sourced).
# They use the caller's RULES (the rules file) and AUDITD_PID.

# Live (non-zombie) processes named auditd.
live_auditd() {
	local pid state
	for pid in $(pgrep -x auditd || true); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
		[[ -n $state && $state != Z ]] && printf '%s ' "$pid"
	done
	return 0
}

# Delete exactly the rules of rules/dropexec.rules (each -a line as -d).
remove_rules() {
	local line args
	while IFS= read -r line; do
		[[ $line == -a* ]] || continue
		read -ra args <<<"${line/#-a/-d}"
		auditctl "${args[@]}" >/dev/null 2>&1 || true
	done <"$RULES"
}

alive() { # PID: a process that exists and is not a zombie
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
	[[ -n $state && $state != Z ]]
}

stop_auditd() {
	local i
	[[ -n $AUDITD_PID ]] || return 0
	if kill -0 "$AUDITD_PID" 2>/dev/null; then
		kill -TERM "$AUDITD_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			alive "$AUDITD_PID" || break
			sleep 0.1
		done
		alive "$AUDITD_PID" && kill -KILL "$AUDITD_PID" 2>/dev/null
	fi
	wait "$AUDITD_PID" 2>/dev/null || true
	AUDITD_PID=""
}
