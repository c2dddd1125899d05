# Sourced by the launchers in bin/: finds the repository root from the launcher's real path (symlinks
# followed, so the launchers work from any directory and through links), then runs a main class from
# one of the built jars with the JVM options a short-lived command wants.
# Usage (from a launcher): . "$(dirname "$self")/lib/launch.sh"; launch JAR MAINCLASS "$@"
launch() {
  jar_rel=$1 main=$2
  shift 2
  jar="$root/$jar_rel"
  if [ ! -f "$jar" ]; then
    echo "$(basename "$0"): $jar not found; build first: (cd $root && mvn -B -q package -DskipTests)" >&2
    exit 101
  fi
  java=java
  [ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
  # Short-lived process: fast start-up matters more than peak throughput.
  exec "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xshare:auto $JAVA_OPTS -cp "$jar" "$main" "$@"
}
