#!/bin/bash
# check-timed.sh LOG SERVICE PLUGIN [ARGS...] - runs a Nagios plugin, passes its output and exit code through
# unchanged, and appends "<epoch ms> <service> <exit code>" to LOG once it has finished.
log=$1 svc=$2
shift 2
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
printf '%s %s %s\n' "$(date +%s%3N)" "$svc" "$rc" >> "$log"
exit $rc
