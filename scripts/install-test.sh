#!/usr/bin/env bash
# Installs the distribution the way users do, in clean Debian containers, and uses it (docs/packaging.md):
#   bookworm .deb, trixie .deb   apt-get install ./cfrun_*_all.deb (the Java runtime it depends on comes from
#                                Debian's archive: the image holds Debian's package lists and the downloaded
#                                .deb files), a reinstall (the upgrade path) and the JVM trigger remake the
#                                start-up archives, then as an unprivileged `nagios` user: cfrun --version, cfrun
#                                keygen, man -w for every page, bash completion, cfrun trust, a hail of a
#                                cf-serverd started in the container, check_cfserverd OK (both paths), the event
#                                handler making the agent repair; then apt-get remove (+ autoremove --purge of
#                                the runtime) leaves no file behind but the user's keys
#   trixie tarball               the same from cfrun-<version>.tar.gz unpacked under /opt; rm -rf leaves the same
# Each container runs with --network none: its own network namespace with only a loopback, so nothing can be
# downloaded and the hail stays on its 127.0.0.1. The checks inside are scripts/lib/install-check.sh.
# Images: cfrun-it/install:bookworm and :trixie from scripts/images.sh (built here when missing or outdated).
# Needs a Docker engine (scripts/test.sh starts a confined one) and root to build the images: without them it
# skips, under CI=true it fails. Last line: "install: N passed, N failed".
# Usage: scripts/install-test.sh [--dist DIR]   (default dist/; scripts/dist.sh builds it when it is empty)
# Example: scripts/dist.sh && sudo scripts/install-test.sh     (an engine must answer: DOCKER_HOST, or the socket)
set -uo pipefail
cd "$(dirname "$0")/.."
dist=dist
usage() { sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) [ $# -ge 2 ] || { echo "install-test: --dist needs a directory" >&2; exit 2; }; dist=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-test: unknown argument '$1' (usage: scripts/install-test.sh [--dist DIR])" >&2; exit 2 ;;
  esac
done
named=1
[ "$dist" != dist ] || named=

skip() {
  if [ "${CI:-}" = true ]; then echo "install-test: $* (under CI=true a missing peer is a failure)" >&2; exit 1; fi
  echo "install-test: $*: skipped" >&2
  echo "install: 0 passed, 0 failed, 1 skipped"
  exit 0
}
docker info >/dev/null 2>&1 || skip "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset})"
if ! ls "$dist"/cfrun_*_all.deb "$dist"/cfrun-*.tar.gz >/dev/null 2>&1; then
  if [ -n "$named" ]; then
    echo "install-test: $dist holds no cfrun_*_all.deb and cfrun-*.tar.gz (scripts/dist.sh --out $dist makes them)" >&2
    exit 2
  fi
  echo ">> install-test: no .deb and tarball in dist/: scripts/dist.sh" >&2
  scripts/dist.sh >&2 || { echo "install-test: scripts/dist.sh failed" >&2; exit 1; }
fi
dist=$(cd "$dist" && pwd)
for pattern in 'cfrun_*_all.deb' 'cfrun-*.tar.gz'; do
  # shellcheck disable=SC2086 # the pattern is a glob
  set -- "$dist"/$pattern
  if [ $# != 1 ]; then
    echo "install-test: $dist holds $# files $pattern; exactly one is tested (remove the others)" >&2
    exit 2
  fi
done
scripts/images.sh install-bookworm install-trixie || skip "the install images could not be built (scripts/images.sh)"

passed=0 failed=0
t0=$SECONDS
running=
# a container still running when this script is stopped (Ctrl-C, a timeout) is removed
trap '[ -z "$running" ] || docker rm -f "$running" >/dev/null 2>&1' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# run RELEASE MODE: one clean container, removed afterwards; its last line is install-check's count
run() {
  local release=$1 mode=$2 out start=$SECONDS name
  name=cfrun-install-$release-$mode-$$
  running=$name
  # --init: the checks' shell is not PID 1, so a TERM ends it; timeout -k: the client is killed if it lingers
  # (the label: scripts/lib/docker.sh removes every container carrying dev.cfrun.it.recipe when it stops its engine)
  out=$(timeout -k 15 600 docker run --rm --init --name "$name" --network none --label dev.cfrun.it.recipe=install \
        -v "$dist:/dist:ro" -v "$PWD/scripts/lib/install-check.sh:/check/install-check.sh:ro" \
        "cfrun-it/install:$release" bash /check/install-check.sh "$mode" /dist 2>&1)
  local rc=$?
  running=
  echo "$out" | grep -v '^install-check: '
  local p f
  p=$(echo "$out" | sed -n 's/^install-check: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
  f=$(echo "$out" | sed -n 's/^install-check: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
  if [ -z "$p" ]; then
    echo "FAIL [$release $mode] the container ended without a count (exit $rc)"
    docker rm -f "$name" >/dev/null 2>&1
    p=0 f=1
  elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    echo "FAIL [$release $mode] exit $rc"
    f=1
  fi
  passed=$((passed + p)) failed=$((failed + f))
  echo ">> install-test: $release $mode: $p passed, $f failed, $((SECONDS - start)) s" >&2
}
run bookworm deb
run trixie deb
run trixie tarball
echo ">> install-test: $((SECONDS - t0)) s" >&2
echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
