#!/usr/bin/env bash
# Tests scripts/dist.sh: builds the distribution twice (two build directories, two umasks) and checks that the
# jars, the tarball and the .deb are byte-identical; lintian on the .deb (clean apart from the documented
# overrides, packaging/deb/lintian-overrides); the .deb's listing and control fields; the launchers run from
# the unpacked .deb (through the /usr/bin links) and from the unpacked tarball; every man page renders without
# a warning, and names every option its command's --help names (the pages are generated, so they cannot drift).
# Needs dpkg-deb, asciidoctor, lintian, man (scripts/lib/peers.sh install_dist_tools): without them it skips,
# under CI=true it fails. Last line: "dist: N passed, N failed".
# Usage: scripts/dist-test.sh [--once] [--keep DIR]
#   --once      one build, no reproducibility check
#   --keep DIR  leave the checked first build in DIR (scripts/test.sh: for scripts/install-test.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
once= keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --once) once=1; shift ;;
    --keep) [ $# -ge 2 ] || { echo "dist-test: --keep needs a directory" >&2; exit 2; }; keep=$2; shift 2 ;;
    *) echo "usage: scripts/dist-test.sh [--once] [--keep DIR]" >&2; exit 2 ;;
  esac
done

for t in dpkg-deb asciidoctor lintian man java mvn git; do
  if ! command -v "$t" >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then echo "dist-test: $t is missing (install_dist_tools)" >&2; exit 1; fi
    echo "dist-test: $t is missing (scripts/lib/peers.sh install_dist_tools): skipped" >&2
    echo "dist: 0 passed, 0 failed, 1 skipped"
    exit 0
  fi
done

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cfrun-dist-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t0=$SECONDS
(umask 022; scripts/dist.sh --out "$tmp/a" > "$tmp/a.log" 2>&1) || { cat "$tmp/a.log" >&2; bad "scripts/dist.sh (first build)"; }
echo ">> dist-test: first build $((SECONDS - t0)) s" >&2
deb=$(ls "$tmp"/a/cfrun_*_all.deb 2>/dev/null | head -1)
tgz=$(ls "$tmp"/a/cfrun-*.tar.gz 2>/dev/null | head -1)
if [ -z "$deb" ] || [ -z "$tgz" ]; then
  bad "dist/ holds cfrun_<version>_all.deb and cfrun-<version>.tar.gz"
  echo "dist: $passed passed, $failed failed"
  exit 1
fi
ok "dist/ holds ${deb##*/} and ${tgz##*/}"

# --- reproducibility: a second build, in another directory, with another umask ---
if [ -z "$once" ]; then
  t1=$SECONDS
  (umask 077; scripts/dist.sh --out "$tmp/b" > "$tmp/b.log" 2>&1) || { cat "$tmp/b.log" >&2; bad "scripts/dist.sh (second build)"; }
  echo ">> dist-test: second build $((SECONDS - t1)) s" >&2
  for f in "${deb##*/}" "${tgz##*/}"; do
    check "reproducible: $f identical in two builds ($(stat -c %s "$tmp/a/$f") bytes)" cmp -s "$tmp/a/$f" "$tmp/b/$f"
  done
  mkdir -p "$tmp/ja" "$tmp/jb"
  tar -xzf "$tmp/a/${tgz##*/}" -C "$tmp/ja" && tar -xzf "$tmp/b/${tgz##*/}" -C "$tmp/jb" 2>/dev/null
  for j in "$tmp"/ja/*/lib/*.jar; do
    rel=${j#"$tmp"/ja/}
    check "reproducible: ${rel##*/} identical in two builds ($(stat -c %s "$j") bytes)" cmp -s "$j" "$tmp/jb/$rel"
  done
fi

# --- the .deb: fields, listing, lintian ---
info=$(dpkg-deb -f "$deb")
check "control: Architecture all" grep -qx 'Architecture: all' <<<"$info"
check "control: Depends on a Java 17 headless runtime" \
  grep -qx 'Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser' <<<"$info"
listing=$(dpkg-deb -c "$deb" | awk '{ print $6 ($7 == "->" ? " -> " $8 : "") }')
for p in ./usr/share/cfrun/lib/cfrun.jar ./usr/share/cfrun/lib/cfrun-nagios.jar ./usr/share/cfrun/lib/cfrun-service.jar \
    "./usr/bin/cfrun -> ../share/cfrun/bin/cfrun" \
    "./usr/bin/cfrun-event-handler -> ../share/cfrun/bin/cfrun-event-handler" \
    "./usr/bin/check_cfserverd -> ../share/cfrun/bin/check_cfserverd" \
    "./usr/bin/cfrun-service -> ../share/cfrun/bin/cfrun-service" \
    "./usr/lib/nagios/plugins/check_cfserverd -> ../../../share/cfrun/bin/check_cfserverd" \
    "./usr/share/cfrun/lib/cds -> /var/cache/cfrun" ./var/cache/cfrun/ \
    ./usr/share/bash-completion/completions/cfrun ./usr/share/man/man1/cfrun.1.gz \
    ./usr/share/man/man8/cfrun-event-handler.8.gz ./usr/share/man/man8/check_cfserverd.8.gz \
    ./usr/share/man/man8/cfrun-service.8.gz ./usr/share/doc/cfrun/copyright ./usr/share/doc/cfrun/changelog.Debian.gz \
    ./lib/systemd/system/cfrun-service.service; do
  check "deb contains $p" grep -qxF "$p" <<<"$listing"
done
check "deb: every file root:root" bash -c "! dpkg-deb -c '$deb' | awk '{ print \$2 }' | grep -qv '^root/root$'"
check "deb: copyright is machine-readable" bash -c \
  "dpkg-deb --fsys-tarfile '$deb' | tar -xOf - ./usr/share/doc/cfrun/copyright | head -1 | grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'"
# (--show-overrides alone makes lintian count the overridden tags as failures: the listing is a second run)
lintian --fail-on error,warning "$deb" > "$tmp/lintian.log" 2>&1
rc=$?
lintian -I --show-overrides "$deb" 2>&1 | grep -v '^N: \|root privileges' | sed 's/^/   lintian: /'
[ "$rc" = 0 ] || cat "$tmp/lintian.log"
check "lintian: no error or warning but the documented overrides" [ "$rc" = 0 ]

# --- the launchers from the unpacked .deb (through /usr/bin) and from the unpacked tarball ---
root=$tmp/root
dpkg-deb -x "$deb" "$root"
tree=$(ls -d "$tmp"/ja/cfrun-* 2>/dev/null || { mkdir -p "$tmp/ja"; tar -xzf "$tgz" -C "$tmp/ja"; ls -d "$tmp"/ja/cfrun-*; })
for where in "$root/usr/bin" "$tree/bin"; do
  v=$(cd / && "$where/cfrun" --version 2>&1)
  check "$where/cfrun --version: $(head -1 <<<"$v")" grep -q '^cfrun ' <<<"$v"
  h=$(cd / && "$where/cfrun-event-handler" --help 2>&1)
  check "$where/cfrun-event-handler --help" grep -q '^Usage: cfrun-event-handler' <<<"$h"
  h=$(cd / && "$where/check_cfserverd" --help 2>&1)
  check "$where/check_cfserverd --help" grep -q '^Usage: check_cfserverd' <<<"$h"
  h=$(cd / && "$where/cfrun-service" --help 2>&1)
  check "$where/cfrun-service --help" grep -q '^Usage: cfrun-service' <<<"$h"
done
v=$(cd / && "$root/usr/lib/nagios/plugins/check_cfserverd" --help 2>&1)
check "/usr/lib/nagios/plugins/check_cfserverd --help (the plugin link)" grep -q '^Usage: check_cfserverd' <<<"$v"
check "bash completion script loads and completes cfrun" bash -c \
  "source '$root/usr/share/bash-completion/completions/cfrun' && complete -p cfrun >/dev/null"

# --- man pages: render cleanly, and name each option of --help ---
for page in "$root"/usr/share/man/man*/*.gz; do
  name=${page##*/}; name=${name%.gz}
  warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  check "man $name renders without warnings" [ -z "$warn" ]
done
check "no man page shows the build machine's home or default work dir" bash -c \
  "! zcat '$root'/usr/share/man/man*/*.gz | grep -q -e '$HOME/' -e 'default /var/lib/cfengine3)' -e 'default /var/cfengine)'"
page_has_help_options() { # PAGE COMMAND...: every --long option of COMMAND --help is on PAGE
  local text opts o missing=""
  text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$1" 2>/dev/null)
  shift
  opts=$(cd / && "$@" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
  [ -n "$opts" ] || return 1
  for o in $opts; do grep -q -- "$o" <<<"$text" || missing="$missing $o"; done
  [ -z "$missing" ] || echo "     missing:$missing"
  [ -z "$missing" ]
}
m=$root/usr/share/man
check "cfrun(1) names every option of cfrun --help" page_has_help_options "$m/man1/cfrun.1.gz" "$root/usr/bin/cfrun"
check "cfrun-keygen(1) names every option of cfrun keygen --help" page_has_help_options "$m/man1/cfrun-keygen.1.gz" "$root/usr/bin/cfrun" keygen
check "cfrun-trust(1) names every option of cfrun trust --help" page_has_help_options "$m/man1/cfrun-trust.1.gz" "$root/usr/bin/cfrun" trust
check "cfrun-service(8) names every option of cfrun-service --help" page_has_help_options "$m/man8/cfrun-service.8.gz" "$root/usr/bin/cfrun-service"
check "cfrun-event-handler(8) names every option of its --help" page_has_help_options "$m/man8/cfrun-event-handler.8.gz" "$root/usr/bin/cfrun-event-handler"
check "check_cfserverd(8) names every option of its --help" page_has_help_options "$m/man8/check_cfserverd.8.gz" "$root/usr/bin/check_cfserverd"

if [ -n "$keep" ]; then
  mkdir -p "$keep" && rm -f "$keep"/cfrun_*_all.deb "$keep"/cfrun-*.tar.gz "$keep"/SHA256SUMS \
    && cp "$tmp"/a/cfrun_*_all.deb "$tmp"/a/cfrun-*.tar.gz "$tmp"/a/SHA256SUMS "$keep"/ \
    && echo ">> dist-test: the checked build is in $keep" >&2
fi
echo ">> dist-test: $((SECONDS - t0)) s" >&2
echo "dist: $passed passed, $failed failed"
[ "$failed" = 0 ]
