#!/usr/bin/env bash
# Prints the interop matrix after a test run: per CFEngine version and protocol, the result of each JDK's run
# (from the failsafe reports of Interop<version><Protocol>IT) and the main observations (integration-tests/
# target/interop/*.txt, written by the tests). scripts/test.sh calls it; it can be run again at any time.
#   scripts/interop-summary.sh [--since FILE]   only reports written after FILE (scripts/test.sh: this run's)
set -uo pipefail
since=""
if [ "${1:-}" = "--since" ]; then since=$2; shift 2; fi
cd "$(dirname "$0")/.."
reports=integration-tests/target/failsafe-reports
seen=integration-tests/target/interop

fresh() { # the file exists and was written by this run
  [ -f "$1" ] && { [ -z "$since" ] || [ "$1" -nt "$since" ]; }
}

cell() { # report file -> "10/10 passed" or "9/10 passed, 1 failed"
  local f=$1
  fresh "$f" || { echo "not run"; return; }
  local head tests failures errors skipped passed
  head=$(grep -m1 -o '<testsuite [^>]*>' "$f")
  tests=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$head")
  failures=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$head")
  errors=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$head")
  skipped=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$head")
  passed=$((tests - failures - errors - skipped))
  local s="$passed/$tests passed"
  [ "$failures" = 0 ] || s+=", $failures failed"
  [ "$errors" = 0 ] || s+=", $errors errors"
  [ "$skipped" = 0 ] || s+=", $skipped skip"
  echo "$s"
}

obs() { # version protocol key -> the value observed on JDK 17 (else any JDK)
  local f
  for f in "$seen/$1-$2-jdk17.txt" "$seen"/"$1-$2"-jdk*.txt; do
    fresh "$f" && { sed -n "s/^$3: //p" "$f" | head -1; return; }
  done
}

default_jdk=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
echo
echo "Interop matrix: our client against Debian's cf-serverd in containers (scripts/images.sh)"
printf '  %-8s %-9s %-22s %-22s\n' version protocol "JDK ${default_jdk:-default}" "JDK 25"
for v in 315 321 324; do
  for p in Tls Classic; do
    d="${v:0:1}.${v:1}"
    jdk25=$(cell "$reports/TEST-dev.cfrun.it.Interop$v${p}IT-jdk25.xml")
    printf '  %-8s %-9s %-22s %-22s\n' "$d" "$(tr '[:upper:]' '[:lower:]' <<<"$p")" \
      "$(cell "$reports/TEST-dev.cfrun.it.Interop$v${p}IT.xml")" "$jdk25"
  done
done
reason=$(for f in "$reports"/TEST-dev.cfrun.it.Interop*IT*.xml; do fresh "$f" && cat "$f"; done 2>/dev/null \
  | sed -n 's/.*<skipped[^>]*><!\[CDATA\[\(org\.opentest4j\.TestAbortedException: \)\{0,1\}\(Assumption failed: \)\{0,1\}//p' | head -1)
[ -z "$reason" ] || echo "  skipped: $reason"
if ls "$seen"/*.txt >/dev/null 2>&1 && [ -n "$(for f in "$seen"/*.txt; do fresh "$f" && echo y; done)" ]; then
  echo
  echo "Observed (all of it: $seen/*.txt; the table: docs/compatibility.md):"
  for v in 3.15 3.21 3.24; do
    pkg=$(obs "$v" tls 'Debian package'); [ -n "$pkg" ] || pkg=$(obs "$v" classic 'Debian package')
    [ -n "$pkg" ] || continue
    exitline=$(obs "$v" tls 'exit code'); [ -n "$exitline" ] || exitline=$(obs "$v" classic 'exit code')
    case "$exitline" in "none sent") exitline="no exit code line" ;; "") ;; *) exitline="(exit code: N) sent" ;; esac
    key=$(obs "$v" tls 'cf-key private key'); [ -n "$key" ] || key=$(obs "$v" classic 'cf-key private key')
    key=${key#-----BEGIN }; key=${key/-----/}
    classic=$(obs "$v" classic 'protocol version agreed')
    printf '  %-5s %s | %s | %s | %s | cf-key: %s | classic: %s\n' "$v" "$pkg" "$(obs "$v" tls 'server version line')" \
      "$(obs "$v" tls 'TLS by default')" "$exitline" "$key" "$([ "$classic" = 1 ] && echo ok || echo '-')"
  done
fi
