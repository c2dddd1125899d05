#!/usr/bin/env bash
# Installs the test peers if missing (Debian's cfengine3, nagios4-core, icinga2, the Prometheus stack and
# webhook), makes a Docker engine and the cf-serverd 3.15 / 3.21 / 3.24 images available for the interop tests,
# then builds and runs every test:
# unit tests (surefire), the integration tests against real cf-serverd processes and containers (failsafe),
# prints the interop matrix, fuzzes each parser for 10,000 executions (scripts/fuzz.sh), builds the
# distribution twice to check it (scripts/dist-test.sh: reproducible bytes, lintian, launchers, man pages), and
# installs it in clean bookworm and trixie containers and uses it as a `nagios` user (scripts/install-test.sh).
#   Docker: an engine that already answers is used as it is. Otherwise, as root, Debian's dockerd is
#   installed if missing and started confined to this machine (scripts/lib/docker.sh: no iptables, no
#   ip-forward, no bridge, no registry), and stopped by its PID when this script ends, however it ends.
#   Images: scripts/images.sh (debootstrap + docker import; cached in /var/cache/cfrun-it): cf-serverd 3.15,
#   3.21, 3.24 for the interop tests, and the clean bookworm and trixie systems of the install tests.
#   Without an engine (not root, none running) the interop tests skip; under CI=true they fail.
#   JDK 25: the interop matrix, RunIT and Tls12IT run again on the JDK 25 that scripts/find-jdk.sh finds
#   (CFRUN_JDK25=DIR to choose one); without one that run is skipped with a warning, under CI=true it fails.
# Extra arguments go to Maven, e.g. scripts/test.sh -Dit.test=RunIT
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/peers.sh
. scripts/lib/docker.sh
install_cfengine
install_nagios
install_icinga
install_prometheus
install_dist_tools

finish() {
  local rc=$?
  trap - EXIT
  docker_engine_down || { [ "$rc" != 0 ] || rc=1; }
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS
if docker_engine_up; then
  t1=$SECONDS
  if ! scripts/images.sh; then
    echo ">> the interop images could not be built: the interop tests will skip (fail under CI=true)" >&2
  fi
  echo ">> docker: engine $((t1 - t0)) s, images $((SECONDS - t1)) s" >&2
fi

rc=0
since=$(mktemp)
# install (= verify + the jars in ~/.m2): the short fuzzing run below uses them
mvn -B install "$@" || rc=$?
scripts/interop-summary.sh --since "$since" || true
# the consumer project of ConsumerProjectIT: the library resolved from the deploy directory, and its hail
if [ integration-tests/target/consumer-hail.txt -nt "$since" ]; then
  echo "Consumer project (ConsumerProjectIT): cfrun-client from 'mvn deploy' into a directory, then a hail:"
  sed 's/^/  /' integration-tests/target/consumer-hail.txt
fi
rm -f "$since"
# a short coverage-guided fuzzing run per parser (the checked-in inputs already ran in the build);
# scripts/fuzz.sh alone runs longer (CFRUN_FUZZ_RUNS=0 skips this)
if [ "$rc" = 0 ] && [ "${CFRUN_FUZZ_RUNS:-10000}" != 0 ] && [ $# = 0 ]; then
  scripts/fuzz.sh --no-build "${CFRUN_FUZZ_RUNS:-10000}" || rc=$?
fi
# the distribution: scripts/dist.sh twice (byte-identical jars, .deb and tarball), lintian, the unpacked
# launchers and man pages; then that build installed, used and removed in clean containers
# (CFRUN_DIST_TEST=0 skips both)
if [ "$rc" = 0 ] && [ "${CFRUN_DIST_TEST:-1}" != 0 ] && [ $# = 0 ]; then
  scripts/dist-test.sh --keep dist || rc=$?
  [ "$rc" != 0 ] || scripts/install-test.sh --dist dist || rc=$?
fi
echo ">> scripts/test.sh: $((SECONDS - t0)) s, exit $rc" >&2
exit "$rc"
