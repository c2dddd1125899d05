#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers with Jazzer (com.code-intelligence:jazzer-junit).
#   scripts/fuzz.sh [--no-build] [--only TEXT] [EXECUTIONS_PER_TARGET]   default 200000 per target (the long run)
#   --only TEXT: only the targets whose name contains TEXT (e.g. --only MacrosFuzzTest)
# Every build runs the checked-in inputs (regression mode, part of mvn test); scripts/test.sh also fuzzes
# each target for 10,000 executions (seconds). Jazzer's JUnit integration takes the time limit from the
# @FuzzTest annotation only (30 min there, a bound), so the script counts executions (libFuzzer -runs). --no-build: the modules are already installed (mvn install).
# Each target runs in its own JVM (Jazzer fuzzes one target per JVM). New crashes are written as
# regression inputs next to the test (src/test/resources/<package>/<Class>Inputs/<method>/) and the
# script fails; commit those inputs with the fix. Prints executions per target from Jazzer's stats.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=1 ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --no-build) BUILD=0; shift ;;
    --only) ONLY=${2:?--only needs a text}; shift 2 ;;
    *) break ;;
  esac
done
RUNS=${1:-200000}
case "$RUNS" in ''|*[!0-9]*) echo "fuzz: executions per target must be a number, not '$RUNS'" >&2; exit 2 ;; esac
TARGETS=(
  "cfrun-client dev.cfrun.client.fuzz.ParserFuzzTest#frames"
  "cfrun-client dev.cfrun.client.fuzz.ParserFuzzTest#replies"
  "cfrun-client dev.cfrun.client.fuzz.ParserFuzzTest#keys"
  "cfrun-client dev.cfrun.client.fuzz.ParserFuzzTest#keyDer"
  "cfrun-client dev.cfrun.client.fuzz.ParserFuzzTest#mpi"
  "cfrun-client dev.cfrun.client.hosts.HostsFileFuzzTest#hostsFile"
  "nagios-handler dev.cfrun.nagios.MacrosFuzzTest#commandLine"
  "nagios-handler dev.cfrun.nagios.MacrosFuzzTest#templates"
  "remediation-service dev.cfrun.service.ingest.PayloadFuzzTest#alertmanager"
  "remediation-service dev.cfrun.service.ingest.PayloadFuzzTest#runs"
  "remediation-service dev.cfrun.service.ingest.MonitorFuzzTest#form"
  "remediation-service dev.cfrun.service.ingest.MonitorFuzzTest#json"
  "remediation-service dev.cfrun.service.rules.RulesFuzzTest#rulesFile"
  "remediation-service dev.cfrun.service.rules.RulesFuzzTest#matcher"
)
[ "$BUILD" = 1 ] && mvn -B -q install -DskipTests
LOGDIR=target/fuzz; mkdir -p "$LOGDIR"
status=0 ran=0
printf '%-55s %12s %8s %s\n' target executions seconds result
for t in "${TARGETS[@]}"; do
  set -- $t; module=$1 test=$2
  [[ "$test" == *"$ONLY"* ]] || continue
  ran=$((ran + 1))
  log="$LOGDIR/${test##*.}.log"
  start=$(date +%s)
  if JAZZER_FUZZ=1 mvn -B -o surefire:test -pl "$module" -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
       -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-runs="$RUNS" > "$log" 2>&1; then
    result=ok
  else
    result=FAILED; status=1
  fi
  secs=$(( $(date +%s) - start ))
  # libFuzzer's final line: "Done N runs in S second(s)"; else the last "#N" status line
  execs=$(grep -aoE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  [ -n "$execs" ] || execs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  if [ "$result" = ok ] && [ "${execs:-0}" -lt "$RUNS" ]; then result="SHORT (fewer than $RUNS executions: see $log)"; status=1; fi
  printf '%-55s %12s %8s %s\n' "$test" "${execs:-?}" "$secs" "$result"
done
[ "$ran" -gt 0 ] || { echo "fuzz: no target's name contains '$ONLY'" >&2; exit 2; }
exit $status
