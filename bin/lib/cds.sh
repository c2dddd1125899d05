# Class-data sharing for the launchers: one archive per jar and per JVM build, next to the jar
# (<jar dir>/cds/<jar name>-<JAVA_RUNTIME_VERSION>.<jsa|aot>), made at package time by a training run and used
# only by the JVM build that made it (the name says which; a stale one is ignored silently).
#  - JDK 17 to 24: a dynamic AppCDS archive (.jsa), written at the training run's exit
#    (-XX:ArchiveClassesAtExit) and used with -XX:SharedArchiveFile.
#  - JDK 25 and newer: an AOT cache (.aot, JEP 483/514/515: classes loaded and linked, method profiles),
#    written by the one-step -XX:AOTCacheOutput (the JVM runs the training, then a child JVM assembles the
#    cache) and used with -XX:AOTCache. Both options refuse any -Xshare option or -XX:SharedArchiveFile beside
#    them (the JVM stops), so -Xshare:auto is left out of the options then, and a JAVA_OPTS naming -Xshare,
#    SharedArchiveFile or an -XX:AOT option makes the launcher run without the cache.
#    CFRUN_AOT=0 in the environment keeps to the dynamic archive (.jsa) on JDK 25+ as well, for training and
#    launching alike (the benchmark compares the two that way).
#    A JDK 25 before 25.0.4 does not check that the jar is the one the cache was made from (JDK-8377932: it
#    runs the cached classes of the old jar), so a cache older than its jar is not used (test -nt, POSIX
#    2024); a rebuild (mvn package) and the .deb (prerm, postinst) make a new one anyway. A cache that is
#    missing, garbage or another JDK's is ignored by the JVM (its messages are silenced: -Xlog:aot=off).
#
# Sourced by bin/lib/launch.sh: cds_archive JAVA JAR sets $cds_file (empty when the JVM cannot be identified)
# and $cds_kind (jsa or aot).
# Run by the build (package):   sh bin/lib/cds.sh train JAVA JAR TRAINING-MAIN-CLASS
# By hand, for another JDK:     sh bin/lib/cds.sh train /usr/lib/jvm/temurin-25-jdk-amd64/bin/java JAR TRAINING-MAIN-CLASS
#
# The training JVM runs with the launcher's own options (bin/lib/launch.sh: cfrun_jvm_options); an archive
# is only usable with compatible ones.

# One compiler thread: with C1 only the JVM would start two on two cores, competing with the run's own two
# threads (the TLS set-up is warmed beside the key loading): 11-12 ms less per run, TLS and classic.
cfrun_jvm_options="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss512k -XX:-UsePerfData -Xshare:auto"
# Many hosts at once: C2 as well (its intrinsics make the RSA signature of each TLS handshake ~5x cheaper),
# which costs a single run ~30 ms of start-up. The archive serves both.
cfrun_jvm_options_fanout="-XX:+UseSerialGC -Xss512k -XX:-UsePerfData -Xshare:auto"

# cds_archive JAVA JAR: the archive this JVM would use for JAR, in $cds_file ("" if the JVM has no release file),
# and its kind in $cds_kind: aot (an AOT cache: a JVM 25 or newer, unless CFRUN_AOT=0) or jsa.
cds_archive() {
  cds_file= cds_kind=jsa
  _cds_java=$1
  case "$_cds_java" in
    */*) ;;
    *) _cds_java=$(command -v "$_cds_java") || return 0 ;;
  esac
  _cds_java=$(readlink -f "$_cds_java") || return 0
  _cds_version=
  if [ -r "${_cds_java%/bin/java}/release" ]; then
    while IFS= read -r _cds_line; do
      case "$_cds_line" in
        JAVA_RUNTIME_VERSION=*) _cds_version=${_cds_line#*=}; _cds_version=${_cds_version#\"}; _cds_version=${_cds_version%\"}; break ;;
      esac
    done < "${_cds_java%/bin/java}/release"
  fi
  case "$_cds_version" in
    ""|*/*|*" "*) return 0 ;;
  esac
  # the feature version: 17 in 17.0.15+6-Debian-1deb12u1, 25 in 25.0.3+9-LTS or 25+36
  _cds_feature=${_cds_version%%[!0-9]*}
  if [ -n "$_cds_feature" ] && [ "$_cds_feature" -ge 25 ] && [ "${CFRUN_AOT:-1}" != 0 ]; then
    cds_kind=aot
  fi
  _cds_name=${2##*/}
  cds_file="${2%/*}/cds/${_cds_name%.jar}-$_cds_version.$cds_kind"
}

# cds_options OPTS JAR: after cds_archive, the JVM options to run JAR with its archive, in $cds_opts (OPTS with
# the archive's options; OPTS alone when there is no usable archive).
cds_options() {
  cds_opts=$1
  [ -f "$cds_file" ] || cds_file=
  if [ "$cds_kind" = aot ] && [ -n "$cds_file" ]; then
    case " ${JAVA_OPTS:-} " in
      *-Xshare*|*SharedArchiveFile*|*-XX:AOT*) cds_file= ;; # the JVM would refuse both together
    esac
    [ "$2" -nt "$cds_file" ] && cds_file= # made from an older jar (JDK-8377932: not checked before 25.0.4)
  fi
  [ -n "$cds_file" ] || return 0
  if [ "$cds_kind" = aot ]; then
    cds_opts="${1% -Xshare:auto} -XX:AOTCache=$cds_file -Xlog:aot=off,cds=off"
  else
    cds_opts="$1 -XX:SharedArchiveFile=$cds_file -Xlog:cds=off,cds+dynamic=off"
  fi
}

# cds_train JAVA JAR MAIN: runs the training main class and writes the archive; never fails the build
# (without an archive the launchers start the plain way), but says why.
cds_train() {
  cds_archive "$1" "$2"
  if [ -z "$cds_file" ]; then
    echo "cds: $1 has no release file naming its version: no archive (the launchers run without one)" >&2
    return 0
  fi
  mkdir -p "${cds_file%/*}"
  rm -f "$cds_file" "$cds_file.log"
  if [ "$cds_kind" = aot ]; then
    # one step (JEP 514): the training run, then a child JVM assembling the cache; everything either says
    # (its progress on stdout, the classes it cannot cache on the log) goes to the log
    # shellcheck disable=SC2086 # the options are words
    if "$1" ${cfrun_jvm_options% -Xshare:auto} -XX:AOTCacheOutput="$cds_file" -cp "$2" "$3" >"$cds_file.log" 2>&1 \
        && [ -s "$cds_file" ]; then
      echo "cds: $cds_file"
    else
      rm -f "$cds_file" "$cds_file.config"
      echo "cds: no AOT cache for $2 (training with $1 failed; see $cds_file.log): the launchers run without one" >&2
    fi
    return 0
  fi
  # shellcheck disable=SC2086 # the options are words
  if "$1" $cfrun_jvm_options -XX:ArchiveClassesAtExit="$cds_file" -Xlog:cds=off,cds+dynamic=off \
      -Xlog:cds=warning,cds+dynamic=warning:file="$cds_file.log" -cp "$2" "$3" && [ -s "$cds_file" ]; then
    echo "cds: $cds_file"
  else
    rm -f "$cds_file"
    echo "cds: no archive for $2 (training with $1 failed; see $cds_file.log): the launchers run without one" >&2
  fi
}

# run (not sourced by a launcher): sh bin/lib/cds.sh train JAVA JAR MAIN
case "$0" in
  *cds.sh)
    if [ "${1:-}" = train ] && [ $# -eq 4 ]; then
      cds_train "$2" "$3" "$4"
    else
      echo "usage: sh $0 train JAVA JAR TRAINING-MAIN-CLASS" >&2
      exit 2
    fi ;;
esac
