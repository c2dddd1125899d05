#!/bin/bash
# Runs inside a clean container of scripts/install-test.sh (an image of scripts/images.sh: Debian's root file
# system with cfengine3 and man-db, the package's dependencies downloaded but not installed, no network at all):
# installs the .deb with apt (or unpacks the tarball), then uses it as an unprivileged `nagios` user against a
# cf-serverd started here on 127.0.0.1 (this container's own network namespace), then removes it and checks
# that nothing of it is left but the user's keys.
# Usage (as root, in the container): install-check.sh deb|tarball DISTDIR
# Output: "ok   …" / "FAIL …" lines, then "install-check: N passed, N failed"; exit 1 if one failed.
set -uo pipefail
mode=$1 dist=$2
release=$(. /etc/os-release && echo "$VERSION_CODENAME")
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   [$release $mode] $*"; }
bad() { failed=$((failed + 1)); echo "FAIL [$release $mode] $*"; }
step() { echo "---- [$release $mode] $*"; }
# as_nagios CMD…: runs a shell command line as the nagios user, in its home, with a login-like environment
as_nagios() { runuser -u nagios -- env -i HOME=/var/lib/nagios USER=nagios LOGNAME=nagios PATH="$userpath" \
  ${MANPATH:+MANPATH=$MANPATH} sh -c "cd && $1"; }
finish() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null
  echo "install-check: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}
trap 'finish; exit $?' EXIT
[ -n "${CHECK_DEBUG:-}" ] && set -x

# the file system as a sorted list of paths and types, less what is not the system's (kernel, our mounts) and
# what apt, dpkg and the logs keep about any package operation
snapshot() {
  find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp -o -path "$dist" \
      -o -path /check -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/log -o -path /var/cache/apt \
      -o -path /var/cache/debconf -o -path /var/cache/ldconfig -o -path /var/cache/man \
      -o -path /var/lib/cfengine3 \) -prune -o -printf '%y %p\n' | LC_ALL=C sort
}

# only_keys_left WHAT: compares the file system with the snapshot taken before the install
only_keys_left() {
  local added gone others
  snapshot >/tmp/after
  added=$(LC_ALL=C comm -13 /tmp/before /tmp/after)
  gone=$(LC_ALL=C comm -23 /tmp/before /tmp/after)
  others=$(echo "$added" | grep -v '^[df] /var/lib/nagios/\.cfrun\(/.*\)\?$' || true)
  if [ -z "$others" ] && [ -z "$gone" ] && echo "$added" | grep -q '^f /var/lib/nagios/.cfrun/ppkeys/localhost.priv$'; then
    ok "after $1 only the user's files are left: $(echo "$added" | awk '$1 == "f" {print $2}' | tr '\n' ' ')"
  else
    bad "after $1: new: $(echo "${others:-none}" | head -20 | tr '\n' ' ')($(echo "$others" | grep -c .) in all); gone: $(echo "${gone:-none}" | head -20 | tr '\n' ' ')"
  fi
}

# the nagios user like the one of Debian's Nagios packages: a system user and group, home /var/lib/nagios, no login
adduser --system --group --quiet --home /var/lib/nagios --shell /usr/sbin/nologin nagios
userpath=/usr/local/bin:/usr/bin:/bin

if [ "$mode" = deb ]; then
  deb=$(ls "$dist"/cfrun_*_all.deb)
  # on trixie, a group cfrun left by an earlier installation: postinst must reuse it (bookworm: the plain path)
  [ "$release" != trixie ] || groupadd --system cfrun
  snapshot >/tmp/before
  # (no --no-download: bookworm's apt then refuses a local .deb; without a network nothing could be fetched anyway)
  step "apt-get install ./${deb##*/} (no network: Debian's packages come from the image's download cache)"
  cp "$deb" /tmp/
  DEBIAN_FRONTEND=noninteractive apt-get install -y "/tmp/${deb##*/}" >/tmp/apt.log 2>&1
  grep -E '^[0-9]+ upgraded|^(Setting up (cfrun|default-jre-headless|openjdk)|cfrun:|E:)' /tmp/apt.log
  if dpkg-query -W -f '${Status}' cfrun 2>/dev/null | grep -q 'install ok installed'; then
    ok "apt installed cfrun $(dpkg-query -W -f '${Version}' cfrun) with its dependencies from Debian: $(grep -o 'openjdk-[0-9]*-jre-headless' /tmp/apt.log | head -1)"
  else
    bad "apt-get install ./${deb##*/}"; tail -20 /tmp/apt.log; exit 1
  fi
  java_version=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
  if ls /var/cache/cfrun/cfrun-[0-9]*.jsa /var/cache/cfrun/cfrun-nagios-[0-9]*.jsa >/dev/null 2>&1; then
    ok "postinst made the start-up archives for Java $java_version: $(cd /var/cache/cfrun && ls | tr '\n' ' ')"
  else
    bad "postinst made no start-up archive in /var/cache/cfrun for Java $java_version"
  fi
  if getent passwd cfrun >/dev/null && [ "$(id -gn cfrun)" = cfrun ]; then
    ok "postinst made the system user of the service's unit: $(getent passwd cfrun), group $(getent group cfrun)"
  else
    bad "no system user cfrun (the unit's User=)"
  fi
  # the upgrade path of the maintainer scripts (prerm upgrade, postinst configure with the old version): a
  # reinstall of the same package runs them as an upgrade does
  uid=$(id -u cfrun 2>/dev/null)
  if DEBIAN_FRONTEND=noninteractive apt-get install -y --reinstall "/tmp/${deb##*/}" >/tmp/apt2.log 2>&1 \
      && ls /var/cache/cfrun/cfrun-[0-9]*.jsa /var/cache/cfrun/cfrun-nagios-[0-9]*.jsa >/dev/null 2>&1 \
      && [ "$(id -u cfrun 2>/dev/null)" = "$uid" ] && cfrun --version >/dev/null 2>&1; then
    ok "apt-get install --reinstall (upgrade path): archives made again, user cfrun kept (uid $uid), cfrun runs"
  else
    bad "apt-get install --reinstall: $(tail -5 /tmp/apt2.log); archives: $(ls /var/cache/cfrun); uid $(id -u cfrun)"
  fi
  # a JVM installed or upgraded later (a file under /usr/lib/jvm changes): the trigger makes the archives again
  rm -f /var/cache/cfrun/*.jsa
  if dpkg-trigger --no-await /usr/lib/jvm && dpkg --triggers-only -a >/tmp/trigger.log 2>&1 \
      && ls /var/cache/cfrun/cfrun-[0-9]*.jsa /var/cache/cfrun/cfrun-nagios-[0-9]*.jsa >/dev/null 2>&1; then
    ok "dpkg-trigger /usr/lib/jvm (a JVM upgrade): postinst triggered made the archives again"
  else
    bad "the /usr/lib/jvm trigger: $(tail -5 /tmp/trigger.log); archives: $(ls /var/cache/cfrun)"
  fi
  bin=/usr/bin plugin=/usr/lib/nagios/plugins/check_cfserverd
  completion=/usr/share/bash-completion/completions/cfrun
else
  step "apt-get install default-jre-headless; tar -xzf ${dist}/cfrun-*.tar.gz -C /opt"
  DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless >/tmp/apt.log 2>&1 \
    || { bad "apt-get install default-jre-headless"; tail -20 /tmp/apt.log; exit 1; }
  tgz=$(ls "$dist"/cfrun-*.tar.gz)
  snapshot >/tmp/before
  tar -xzf "$tgz" -C /opt
  top=$(ls -d /opt/cfrun-*)
  ok "unpacked ${tgz##*/} into $top ($(find "$top" -type f | wc -l) files)"
  # the start-up archives, made by hand as docs/packaging.md tells tarball users (the .deb's postinst does the same)
  for pair in cfrun.jar:dev.cfrun.cli.startup.CliTraining cfrun-nagios.jar:dev.cfrun.nagios.startup.HandlerTraining; do
    timeout 300 sh "$top/bin/lib/cds.sh" train "$(command -v java)" "$top/lib/${pair%%:*}" "${pair#*:}" >>/tmp/cds.log 2>&1
  done
  if ls "$top"/lib/cds/cfrun-[0-9]*.jsa "$top"/lib/cds/cfrun-nagios-[0-9]*.jsa >/dev/null 2>&1; then
    ok "bin/lib/cds.sh train made the start-up archives: $(cd "$top/lib/cds" && ls *.jsa | tr '\n' ' ')"
  else
    bad "bin/lib/cds.sh train: no archive in $top/lib/cds: $(tail -3 /tmp/cds.log)"
  fi
  bin=$top/bin plugin=
  completion=$top/completion/cfrun
  userpath=$top/bin:$userpath
  export MANPATH=$top/man:
fi

# --- a cf-serverd on 127.0.0.1:5308 in this container, as an admin sets one up ---
step "cf-serverd $(cf-serverd --version | head -1 | sed 's/^CFEngine Core //') on 127.0.0.1:5308"
W=/var/lib/cfengine3
mkdir -p "$W/inputs" "$W/ppkeys"
[ -f "$W/ppkeys/localhost.priv" ] || cf-key >/dev/null
cat >"$W/inputs/promises.cf" <<'EOF'
body common control
{
      bundlesequence => { "main" };
}

body server control
{
      allowconnects       => { "127.0.0.1" };
      allowallconnects    => { "127.0.0.1" };
      trustkeysfrom       => { "127.0.0.1" };
      allowusers          => { "nagios", "cfrun" };
      cfruncommand        => "$(sys.cf_agent) -I -K";
}

bundle server access_rules
{
  access:
      "$(sys.bindir)/cf-agent"  admit_ips => { "127.0.0.1" };
  roles:
      # (one user per rule: cf-serverd 3.21 denied the role to both users of authorize => { "nagios", "cfrun" })
      "install_test_repair"     authorize => { "nagios" };
      "install_test_service"    authorize => { "cfrun" };
}

bundle agent main
{
  files:
    install_test_repair::
      "/tmp/repaired-by-cf-agent" create => "true";
    install_test_service::
      "/tmp/run-by-cfrun-service" create => "true";
  reports:
      "INSTALL-TEST agent run on $(sys.fqhost), CFEngine $(sys.cf_version)";
}
EOF
cf-promises -f "$W/inputs/promises.cf" || { bad "cf-promises"; exit 1; }
cf-serverd --no-fork --inform >/tmp/cf-serverd.log 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/5308) 2>/dev/null && break
  sleep 0.1
done
server_digest=$(cf-key -p "$W/ppkeys/localhost.pub")

# --- the nagios user ---
step "as the unprivileged user nagios (uid $(id -u nagios))"
out=$(as_nagios 'command -v cfrun && cfrun --version' 2>&1)
if [ "$(echo "$out" | head -1)" = "$bin/cfrun" ] && echo "$out" | grep -q '[0-9]'; then
  ok "cfrun --version: $(echo "$out" | sed -n 2p)"
else
  bad "cfrun --version: $out"
fi
out=$(as_nagios 'cfrun keygen' 2>&1)
if echo "$out" | grep -q 'MD5=\|SHA=' && as_nagios 'test -f .cfrun/ppkeys/localhost.priv'; then
  ok "cfrun keygen: ~nagios/.cfrun/ppkeys/localhost.priv, $(echo "$out" | grep -o '\(MD5\|SHA\)=[0-9a-f]*' | head -1)"
else
  bad "cfrun keygen: $out"
fi
for page in cfrun cfrun-event-handler check_cfserverd cfrun-service; do
  out=$(as_nagios "man -w $page" 2>&1)
  if [ -f "$out" ] && as_nagios "man $page" 2>/dev/null | grep -q .; then
    ok "man -w $page: $out"
  else
    bad "man -w $page: $out"
  fi
done
if bash -c ". $completion && complete -p cfrun" >/dev/null 2>&1; then
  ok "bash completion loads: $completion"
else
  bad "bash completion: $completion"
fi
out=$(as_nagios 'cfrun trust -y 127.0.0.1' 2>&1)
if [ -n "$server_digest" ] && echo "$out" | grep -qF "$server_digest"; then
  ok "cfrun trust -y 127.0.0.1: the server key $server_digest, as cf-key -p prints it"
else
  bad "cfrun trust -y 127.0.0.1 (server key $server_digest): $out"
fi
out=$(as_nagios 'cfrun -H 127.0.0.1' 2>&1)
rc=$?
if [ "$rc" = 0 ] && echo "$out" | grep -q '127.0.0.1> .*INSTALL-TEST agent run'; then
  ok "cfrun -H 127.0.0.1: $(echo "$out" | grep INSTALL-TEST | head -1)"
else
  bad "cfrun -H 127.0.0.1 (exit $rc): $out"; tail -5 /tmp/cf-serverd.log
fi
for plug in "$bin/check_cfserverd" $plugin; do
  out=$(as_nagios "$plug -H 127.0.0.1" 2>&1)
  rc=$?
  if [ "$rc" = 0 ] && echo "$out" | grep -q 'OK'; then
    ok "$plug -H 127.0.0.1: exit 0, $out"
  else
    bad "$plug -H 127.0.0.1: exit $rc, $out"
  fi
done
rm -f /tmp/repaired-by-cf-agent
out=$(as_nagios 'cfrun-event-handler --wait --log /tmp/handler.log --service HTTP -D install_test_repair CRITICAL HARD 1 127.0.0.1' 2>&1; tail -1 /tmp/handler.log)
if [ -f /tmp/repaired-by-cf-agent ]; then
  ok "cfrun-event-handler --wait CRITICAL HARD 1 127.0.0.1: the agent ran with install_test_repair: $(echo "$out" | grep -o 'status=[a-z]*.*duration_ms=[0-9]*')"
else
  bad "cfrun-event-handler CRITICAL HARD: no repair: $out"
fi

# --- the service as its unit runs it (User=cfrun; no systemd in a container: its state dir made as systemd would),
#     with its own key pair, asked for a run by POST /v1/runs ---
# http METHOD PATH [BODY]: one HTTP/1.0 exchange with the service on 127.0.0.1:9308; prints the whole answer
http() {
  local body=${3:-}
  (exec 3<>/dev/tcp/127.0.0.1/9308 || exit 1
   printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
     "$1" "$2" "$(cat "$svc/token")" "${#body}" "$body" >&3
   timeout 10 cat <&3) 2>/dev/null
}
if [ "$mode" = deb ]; then
  step "cfrun-service as the unit's user cfrun"
  # set up as docs/packaging.md says, then the installed unit's own ExecStart= and JAVA_OPTS, as its User=
  svc=/etc/cfrun
  install -d -m 0750 -g cfrun /etc/cfrun
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | install -o cfrun -g cfrun -m 0600 /dev/stdin /etc/cfrun/token
  install -d -o cfrun -g cfrun -m 0700 /var/lib/cfrun-service
  runuser -u cfrun -- cfrun keygen --workdir /var/lib/cfrun-service/workdir >/dev/null 2>&1
  runuser -u cfrun -- cfrun trust -y --workdir /var/lib/cfrun-service/workdir 127.0.0.1 >/dev/null 2>&1
  unit=/lib/systemd/system/cfrun-service.service
  exec_start=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$unit" | sed -e 's/^ExecStart=//' -e 's/\\$//' | tr '\n' ' ')
  java_opts=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' "$unit")
  echo "     ExecStart=$exec_start"
  # shellcheck disable=SC2086 # the unit's command line is words, as systemd splits it
  (cd /var/lib/cfrun-service && exec env JAVA_OPTS="$java_opts" \
    setpriv --reuid=cfrun --regid=cfrun --init-groups $exec_start) >/tmp/cfrun-service.log 2>&1 &
  svc_pid=$!
  status=
  for _ in $(seq 300); do
    status=$(http GET /healthz | head -1)
    [ -n "$status" ] && break
    kill -0 "$svc_pid" 2>/dev/null || break
    sleep 0.1
  done
  owner=$(ps -o user= -p "$svc_pid" 2>/dev/null)
  if echo "$status" | grep -q ' 200' && [ "$owner" = cfrun ]; then
    ok "cfrun-service runs as $owner: GET /healthz: $(echo "$status" | tr -d '\r')"
  else
    bad "cfrun-service as cfrun (user ${owner:-gone}): ${status:-no answer}: $(tail -3 /tmp/cfrun-service.log)"
  fi
  answer=$(http POST /v1/runs '{"hosts":["127.0.0.1"],"classes":["install_test_service"]}')
  run=
  for _ in $(seq 300); do
    run=$(http GET '/v1/runs?host=127.0.0.1&limit=1' | tr -d '\n')
    echo "$run" | grep -q '"status" *: *"\(ok\|failed\)' && break
    sleep 0.1
  done
  if [ -f /tmp/run-by-cfrun-service ] && echo "$run" | grep -q '"status" *: *"ok"'; then
    ok "POST /v1/runs: $(echo "$answer" | head -1 | tr -d '\r'); GET /v1/runs: $(echo "$run" | grep -o '"status":"ok".*"exitCode":0'); the agent ran with install_test_service"
  else
    bad "POST /v1/runs: $(echo "$answer" | head -1) / $(echo "$answer" | tail -1); GET /v1/runs: ${run:0:400}; $(tail -3 /tmp/cfrun-service.log)"
  fi
  kill "$svc_pid" 2>/dev/null; wait "$svc_pid" 2>/dev/null
  rm -rf /etc/cfrun /var/lib/cfrun-service # the admin's files, not the package's
fi
kill "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=

# --- removal ---
if [ "$mode" = deb ]; then
  step "apt-get remove cfrun; apt-get autoremove --purge (the Java runtime it pulled in)"
  DEBIAN_FRONTEND=noninteractive apt-get remove -y cfrun >/tmp/remove.log 2>&1 || { bad "apt-get remove cfrun"; tail /tmp/remove.log; }
  left=$(dpkg-query -W -f '${Status}' cfrun 2>/dev/null)
  case "$left" in
    *not-installed*|"") ok "apt-get remove cfrun: dpkg forgets the package (no conffile kept)" ;;
    *) bad "apt-get remove cfrun: dpkg still knows it: $left" ;;
  esac
  DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y >>/tmp/remove.log 2>&1 || bad "apt-get autoremove --purge"
  only_keys_left "apt-get remove and autoremove --purge"
else
  step "rm -rf $top"
  rm -rf "$top"
  only_keys_left "rm -rf $top"
fi
