#!/usr/bin/env bash
# Finds an installed JDK of one feature version the way a user's machine has it, and prints its home.
#   scripts/find-jdk.sh VERSION [HOME]     e.g. scripts/find-jdk.sh 25
# A JDK is a directory with an executable bin/java and a release file saying JAVA_VERSION="VERSION…".
# Looked at, in this order (the first that is one wins):
#   1. HOME (the build passes -Dcfrun.jdk25=…), else $CFRUN_JDK<VERSION>: an explicit choice, so anything
#      but a JDK VERSION there is an error (exit 2), not a reason to look further;
#   2. $JAVA<VERSION>_HOME, $JDK<VERSION>_HOME, $JAVA_HOME_<VERSION>_X64 / _AARCH64 (CI runners' names),
#      $JAVA_HOME;
#   3. every directory under /usr/lib/jvm, /usr/java, /opt/java, /opt, /usr/local, ~/.sdkman/candidates/java,
#      ~/.jdks, /Library/Java/JavaVirtualMachines/*/Contents (the newest update wins).
#      $CFRUN_JDK_ROOTS (space-separated) replaces these directories (the tests use it).
# Exit 0: the home on stdout. Exit 1: none found, what was looked at on stderr. Exit 2: bad HOME or usage.
set -uo pipefail
v=${1:-}
case "$v" in ''|*[!0-9]*) echo "usage: scripts/find-jdk.sh VERSION [HOME]" >&2; exit 2 ;; esac

# prints JAVA_VERSION of the JDK at $1 if it is a JDK $v, else fails
version_of() {
  local home=$1 jv
  [ -x "$home/bin/java" ] && [ -f "$home/release" ] || return 1
  jv=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -1)
  case "$jv" in "$v"|"$v".*|"$v"-*|"$v"+*) echo "$jv" ;; *) return 1 ;; esac
}

explicit=${2:-}
from="the JDK home given"
if [ -z "$explicit" ]; then
  var=CFRUN_JDK$v
  explicit=${!var:-}
  from="\$$var"
fi
if [ -n "$explicit" ]; then
  if version_of "$explicit" >/dev/null; then
    (cd "$explicit" && pwd -P)
    exit 0
  fi
  echo "find-jdk: $from is $explicit, which is not a JDK $v (no bin/java or no release file with JAVA_VERSION=\"$v…\")" >&2
  exit 2
fi

looked=()
for var in "JAVA${v}_HOME" "JDK${v}_HOME" "JAVA_HOME_${v}_X64" "JAVA_HOME_${v}_AARCH64" JAVA_HOME; do
  home=${!var:-}
  [ -n "$home" ] || continue
  if version_of "$home" >/dev/null; then
    (cd "$home" && pwd -P)
    exit 0
  fi
  looked+=("\$$var=$home")
done

if [ -n "${CFRUN_JDK_ROOTS+x}" ]; then
  read -r -a roots <<<"$CFRUN_JDK_ROOTS"
else
  roots=(/usr/lib/jvm /usr/java /opt/java /opt /usr/local "${HOME:-/nonexistent}/.sdkman/candidates/java" "${HOME:-/nonexistent}/.jdks")
  for d in /Library/Java/JavaVirtualMachines/*/Contents; do [ -d "$d" ] && roots+=("$d"); done
fi
best="" best_version=""
for root in "${roots[@]}"; do
  looked+=("$root/*")
  [ -d "$root" ] || continue
  for home in "$root"/*/; do
    home=${home%/}
    [ -L "$home" ] && continue # /usr/lib/jvm/default-java and the like: the real directory is there too
    jv=$(version_of "$home") || continue
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best_version" "$jv" | sort -V | tail -1)" != "$best_version" ]; then
      best=$home best_version=$jv
    fi
  done
done
if [ -n "$best" ]; then
  (cd "$best" && pwd -P)
  exit 0
fi
echo "find-jdk: no JDK $v found; looked at: ${looked[*]:-nothing}. Install one there or name it:" \
  "CFRUN_JDK$v=/path/to/jdk (or -Dcfrun.jdk$v=/path/to/jdk for Maven)" >&2
exit 1
