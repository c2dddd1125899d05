# Class-data sharing (AppCDS) for the launchers: one archive per jar and per JVM build, next to the jar
# (<jar dir>/cds/<jar name>-<JAVA_RUNTIME_VERSION>.jsa), made at package time by a training run and used
# only by the JVM build that made it (the name says which; a stale one is ignored silently).
#
# Sourced by bin/lib/launch.sh: cds_archive JAVA JAR sets $cds_file (empty when the JVM cannot be identified).
# Run by the build (package):   sh bin/lib/cds.sh train JAVA JAR TRAINING-MAIN-CLASS
# By hand, for another JDK:     sh bin/lib/cds.sh train /usr/lib/jvm/temurin-25-jdk-amd64/bin/java JAR TRAINING-MAIN-CLASS
#
# The training JVM runs with the launcher's own options (bin/lib/launch.sh: cfrun_jvm_options); an archive
# is only usable with compatible ones.
#
# JDK 25's AOT cache (-XX:AOTCacheOutput / -XX:AOTCache) instead of this archive was tried and not kept: a TLS
# hail was no faster than with this archive on the same JDK 25, and JDK 25 before 25.0.4 runs a cache's old
# classes when the jar has changed (JDK-8377932). Figures and how to repeat: docs/BENCHMARKS.md.

# One compiler thread: with C1 only the JVM would start two on two cores, competing with the run's own two
# threads (the TLS set-up is warmed beside the key loading): 11-12 ms less per run, TLS and classic.
cfrun_jvm_options="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss512k -XX:-UsePerfData -Xshare:auto"
# Many hosts at once: C2 as well (its intrinsics make the RSA signature of each TLS handshake ~5x cheaper),
# which costs a single run ~30 ms of start-up. The archive serves both.
cfrun_jvm_options_fanout="-XX:+UseSerialGC -Xss512k -XX:-UsePerfData -Xshare:auto"

# cds_archive JAVA JAR: the archive this JVM would use for JAR, in $cds_file ("" if the JVM has no release file).
cds_archive() {
  cds_file=
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
  _cds_name=${2##*/}
  cds_file="${2%/*}/cds/${_cds_name%.jar}-$_cds_version.jsa"
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
