# Sourced by the launchers in bin/: finds the root from the launcher's real path (symlinks followed, so the
# launchers work from any directory and through links), then runs a main class from one of the jars: in the
# repository the built one (e.g. cfrun-cli/target/cfrun.jar), in an installed tree (the .deb's
# /usr/share/cfrun, the tarball) the same jar in lib/ beside bin/ (scripts/dist.sh). It runs with the JVM
# options a short-lived command wants, and the class-data-sharing archive made for this jar and this JVM at
# package time (repository) or by the .deb's postinst when there is one (bin/lib/cds.sh).
# Usage (from a launcher): . "$(dirname "$self")/lib/launch.sh"; launch JAR MAINCLASS "$@"
. "$root/bin/lib/cds.sh"

launch() {
  jar_rel=$1 main=$2
  shift 2
  jar="$root/$jar_rel"
  [ -f "$jar" ] || [ ! -f "$root/lib/${jar_rel##*/}" ] || jar="$root/lib/${jar_rel##*/}"
  if [ ! -f "$jar" ]; then
    echo "$(basename "$0"): $jar not found; build first: (cd $root && mvn -B -q package -DskipTests)" >&2
    exit 101
  fi
  java=java
  [ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
  cds_archive "$java" "$jar"
  [ -f "$cds_file" ] || cds_file=
  # Short-lived process: fast start-up matters more than peak throughput, unless the launcher said the run
  # hails many hosts (cfrun_fanout). The archive's log lines are silenced: a stale archive (jar rebuilt
  # since) is not used, and that is no reason to print anything.
  opts=$cfrun_jvm_options
  [ -n "${cfrun_fanout:-}" ] && opts=$cfrun_jvm_options_fanout
  # shellcheck disable=SC2086 # the options are words
  exec "$java" $opts ${cds_file:+"-XX:SharedArchiveFile=$cds_file"} \
    ${cds_file:+-Xlog:cds=off,cds+dynamic=off} ${cds_file:+"-Dcfrun.cds=$cds_file"} \
    "-Dcfrun.jvm.options=$opts" $JAVA_OPTS -cp "$jar" "$main" "$@"
}
