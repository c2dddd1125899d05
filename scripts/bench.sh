#!/usr/bin/env bash
# Benchmarks: our client beside cf-runagent, alternating, against cf-serverd instances started here, and the
# ratios (ours / cf-runagent) with medians and spread. Details and figures: docs/BENCHMARKS.md.
#
#   scripts/bench.sh                 everything (about 10 minutes on 2 cores)
#   scripts/bench.sh --quick         fewer runs and hosts (a minute or two)
#   scripts/bench.sh --only single,fanout    sections: single inprocess fanout handler growth output service
#   scripts/bench.sh --only service --alerts 10000 --posters 4   the service under Alertmanager deliveries
#   scripts/bench.sh --runs 31 --hosts 500 --rounds 3    sample sizes
#   scripts/bench.sh --jmh           also JMH's WarmHailBenchmark (a warm client, TLS and classic)
#   scripts/bench.sh --java DIR      bin/cfrun on the JDK at DIR (default: $JAVA_HOME, else java on the PATH)
#   scripts/bench.sh --only jvm --runs 21 --java /usr/lib/jvm/java-17-openjdk-amd64 --java "$(scripts/find-jdk.sh 25)"
#                                    (not in "everything") bin/cfrun on each JDK with its archive, alternating
#
# Runs from a fresh clone after scripts/test.sh (which installs cfengine3 and builds everything); builds
# what is missing. Needs python3 (scripts/lib/spawn.py measures the processes) and, for peak RSS, GNU time.
# The table goes to stdout and to benchmarks/target/bench-work/results.md; progress to stderr. Nothing
# outside benchmarks/target/bench-work is written; every server started is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
. scripts/lib/peers.sh
install_cfengine
command -v python3 >/dev/null || { echo "bench: python3 is needed (apt-get install python3)" >&2; exit 2; }
[ -x /usr/bin/time ] || echo "bench: GNU time not installed: no peak RSS figures (apt-get install time)" >&2
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -f cfrun-cli/target/cfrun.jar ] || [ ! -f nagios-handler/target/cfrun-nagios.jar ] \
  || [ ! -f remediation-service/target/cfrun-service.jar ]; then
  echo "bench: building (mvn -B -q package -DskipTests)" >&2
  mvn -B -q package -DskipTests
fi
java=java
[ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
exec "$java" -cp benchmarks/target/benchmarks.jar dev.cfrun.bench.Bench --root "$PWD" "$@"
