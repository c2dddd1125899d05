#!/usr/bin/env bash
# The main job on a fresh machine: builds cfrun, makes a client key with our own generator, starts a
# throw-away cf-serverd (Debian's cfengine3, installed if missing) on a free loopback port with a small
# policy, hails it with bin/cfrun, shows the agent's report line, and stops the server.
# Nothing outside a temporary directory is touched; all traffic stays on 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/lib/peers.sh
install_cfengine

echo ">> building (mvn package, tests skipped: scripts/test.sh runs them)"
mvn -B -q package -DskipTests

D=$(mktemp -d "${TMPDIR:-/tmp}/cfrun-demo.XXXXXX")
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM -- "-$PID" 2>/dev/null || kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$PID" 2>/dev/null || true
  fi
  rm -rf "$D"
}
trap cleanup EXIT INT TERM

ME=$(id -un)
echo ">> client key, made by our own generator (bin/cfrun keygen)"
bin/cfrun keygen --workdir "$D/client"

echo ">> server work dir and key (cf-key), policy, trust of our key"
S="$D/server"
mkdir -p "$S"
CFENGINE_TEST_OVERRIDE_WORKDIR="$S" cf-key >/dev/null
rm -rf "$S/bin" && ln -s /usr/bin "$S/bin"
PORT=""
for _ in $(seq 1 50); do
  p=$(( 20000 + RANDOM % 40000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "no free port found" >&2; exit 1; }
cat > "$S/inputs/promises.cf" <<POLICY
body common control
{
      bundlesequence => { "main" };
}
body server control
{
      port                => "$PORT";
      bindtointerface     => "127.0.0.1";
      allowconnects       => { "127.0.0.1" };
      allowallconnects    => { "127.0.0.1" };
      trustkeysfrom       => { };
      allowusers          => { "$ME" };
      cfruncommand        => "\$(sys.cf_agent) -I -K";
}
bundle server access_rules
{
  access:
      "\$(sys.bindir)/cf-agent" admit_ips => { "127.0.0.1" };
}
bundle agent main
{
  vars:
      "now" string => execresult("/bin/date -u +%H:%M:%S", "noshell");
  reports:
      "cfrun demo: cf-agent \$(sys.cf_version) ran on \$(sys.fqhost) at \$(now) UTC, work dir \$(sys.workdir)";
}
POLICY
CFENGINE_TEST_OVERRIDE_WORKDIR="$S" cf-promises -f "$S/inputs/promises.cf"
# the server trusts exactly our key, for our user name (ppkeys/<user>-MD5=….pub), as an admin would
CFENGINE_TEST_OVERRIDE_WORKDIR="$S" cf-key -t "$ME@127.0.0.1:$D/client/ppkeys/localhost.pub" >/dev/null

echo ">> starting cf-serverd on 127.0.0.1:$PORT"
CFENGINE_TEST_OVERRIDE_WORKDIR="$S" setsid cf-serverd -F -I </dev/null >"$D/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$D/server.log" >&2; exit 1; }
  sleep 0.05
done

# We trust the server's key by its digest, read from its key file (out of band), never blindly.
DIGEST=$(bin/cfrun digest "$S/ppkeys/localhost.pub")
echo ">> server key $DIGEST; hailing it: bin/cfrun -H 127.0.0.1:$PORT --trust $DIGEST"
set +e
bin/cfrun --workdir "$D/client" -H "127.0.0.1:$PORT" --trust "$DIGEST" | tee "$D/out.txt"
RC=${PIPESTATUS[0]}
set -e
echo ">> bin/cfrun exit code: $RC (the remote agent's)"
REPORT=$(grep -o 'R: cfrun demo: .*' "$D/out.txt" || true)
if [ -z "$REPORT" ]; then
  echo "no agent report received; server log:" >&2
  cat "$D/server.log" >&2
  exit 1
fi
echo ">> stopping cf-serverd"
echo
echo "Agent report: ${REPORT#R: }"
exit "$RC"
