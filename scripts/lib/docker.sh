# Sourced by scripts/test.sh: a Docker engine for the interop tests (Testcontainers, InteropSuite).
#
# docker_engine_up: when an engine already answers (DOCKER_HOST or the default socket), it is used as it
# is. Otherwise, as root, Debian's dockerd is installed if missing and started confined to this machine:
#   --iptables=false --ip-forward=false --bridge=none   no firewall rule, no sysctl, no bridge, no
#                                                        private-range address (containers use host networking)
#   its own socket, exec root, pid file, configuration file and trust key in a fresh directory, and its own data root
#   (${CFRUN_IMAGE_CACHE:-/var/cache/cfrun-it}/docker, so imported images are reused; a temporary one if
#   another run holds it)
#   HTTP(S)_PROXY=http://127.0.0.1:9                     a registry pull fails at once, on loopback
# DOCKER_HOST points at it for everything started afterwards. docker_engine_down (run it from a trap)
# removes the test containers, stops that dockerd by its PID, and checks that the firewall rules, the
# forwarding sysctls and the network links are as they were before.
# Without root and without an engine nothing is started: the interop tests skip (fail under CI=true).

CFRUN_DOCKERD_PID=""
CFRUN_DOCKERD_DIR=""
CFRUN_DOCKERD_TMPDATA=""

_docker_answers() {
  command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1
}

# What a dockerd could change on the host: firewall rules (counters and dates removed), forwarding sysctls, links.
_net_state() {
  local t
  for t in iptables-save ip6tables-save iptables-legacy-save ip6tables-legacy-save; do
    command -v "$t" >/dev/null 2>&1 && { echo "## $t"; "$t" 2>/dev/null | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]//g'; }
  done
  command -v nft >/dev/null 2>&1 && { echo "## nft"; nft list ruleset 2>/dev/null; }
  echo "## sysctl"
  sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding 2>/dev/null
  echo "## links"
  ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
}

docker_engine_up() {
  local start=$SECONDS
  if _docker_answers; then
    echo ">> docker: using the running engine (${DOCKER_HOST:-default socket})" >&2
    # scripts/images.sh needs debootstrap for an image that is not built yet
    if [ "$(id -u)" = 0 ] && ! command -v debootstrap >/dev/null 2>&1; then _apt_install debootstrap || true; fi
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo ">> docker: no engine answers and we are not root: the interop tests (Testcontainers) will skip" >&2
    return 1
  fi
  install_docker || return 1

  CFRUN_DOCKERD_DIR=$(mktemp -d /tmp/cfrun-dockerd.XXXXXX)
  _net_state >"$CFRUN_DOCKERD_DIR/net.before"
  # directories dockerd and containerd's shims create outside our own (removed at the end if they are ours)
  local d
  for d in /run/docker /run/containerd; do [ -e "$d" ] || echo "$d" >>"$CFRUN_DOCKERD_DIR/created"; done
  # our own configuration file, not /etc/docker/daemon.json; dockerd 20.10 would write its "trust key" to
  # /etc/docker/key.json unless told otherwise (newer versions ignore the setting)
  printf '{ "deprecated-key-path": "%s" }\n' "$CFRUN_DOCKERD_DIR/key.json" >"$CFRUN_DOCKERD_DIR/daemon.json"
  local cache=${CFRUN_IMAGE_CACHE:-/var/cache/cfrun-it} data
  mkdir -p "$cache"
  data="$cache/docker"
  exec {CFRUN_DOCKERD_LOCK}>"$cache/docker.lock"
  if ! flock -n "$CFRUN_DOCKERD_LOCK"; then
    echo ">> docker: $data is in use by another run: a temporary data root instead" >&2
    data="$CFRUN_DOCKERD_DIR/data"
    CFRUN_DOCKERD_TMPDATA=$data
  fi
  # the engine's own children (containerd) must not keep our lock
  env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 \
      https_proxy=http://127.0.0.1:9 NO_PROXY= no_proxy= \
    dockerd --host "unix://$CFRUN_DOCKERD_DIR/docker.sock" \
      --data-root "$data" --exec-root "$CFRUN_DOCKERD_DIR/exec" --pidfile "$CFRUN_DOCKERD_DIR/dockerd.pid" \
      --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none --ipv6=false \
      --userland-proxy=false --log-level=warn --config-file "$CFRUN_DOCKERD_DIR/daemon.json" \
      >"$CFRUN_DOCKERD_DIR/dockerd.log" 2>&1 {CFRUN_DOCKERD_LOCK}>&- &
  CFRUN_DOCKERD_PID=$!
  export DOCKER_HOST="unix://$CFRUN_DOCKERD_DIR/docker.sock"
  local i
  for i in $(seq 120); do
    if ! kill -0 "$CFRUN_DOCKERD_PID" 2>/dev/null; then
      echo ">> docker: dockerd exited at start:" >&2
      tail -20 "$CFRUN_DOCKERD_DIR/dockerd.log" >&2
      CFRUN_DOCKERD_PID=""
      return 1
    fi
    _docker_answers && break
    sleep 0.5
  done
  if ! _docker_answers; then
    echo ">> docker: dockerd (pid $CFRUN_DOCKERD_PID) does not answer:" >&2
    tail -20 "$CFRUN_DOCKERD_DIR/dockerd.log" >&2
    return 1
  fi
  echo ">> docker: confined dockerd pid $CFRUN_DOCKERD_PID up in $((SECONDS - start)) s" \
       "(no iptables, no ip-forward, no bridge; data root $data; $DOCKER_HOST)" >&2
}

docker_engine_down() {
  [ -n "$CFRUN_DOCKERD_DIR" ] || return 0 # we started nothing
  local pid=$CFRUN_DOCKERD_PID i
  CFRUN_DOCKERD_PID=""
  if [ -z "$pid" ]; then # dockerd died at start
    rm -rf "$CFRUN_DOCKERD_DIR"
    CFRUN_DOCKERD_DIR=""
    return 0
  fi
  # the tests' containers (every one carries its image's recipe label) go first
  local left
  left=$(docker ps -aq --filter label=dev.cfrun.it.recipe 2>/dev/null || true)
  if [ -n "$left" ]; then
    echo ">> docker: removing leftover test containers: $(echo $left)" >&2
    docker rm -f $left >/dev/null 2>&1 || true
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo ">> docker: dockerd $pid did not stop in 30 s: killed" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  # a containerd that dockerd started and did not take down with it (it lives under our exec root)
  local c
  for c in $(pgrep -f "containerd --config $CFRUN_DOCKERD_DIR/exec/" 2>/dev/null || true); do
    kill -TERM "$c" 2>/dev/null || true
  done
  _net_state >"$CFRUN_DOCKERD_DIR/net.after"
  local rc=0
  if diff -u "$CFRUN_DOCKERD_DIR/net.before" "$CFRUN_DOCKERD_DIR/net.after" >&2; then
    echo ">> docker: dockerd $pid stopped; firewall rules, forwarding sysctls and links unchanged" >&2
  else
    echo ">> docker: the host network state changed while dockerd ran (diff above)" >&2
    rc=1
  fi
  # dockerd leaves its bind mount of the host's network namespace (exec root/netns/default) behind
  local m
  for m in $(awk -v d="$CFRUN_DOCKERD_DIR/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  if [ -f "$CFRUN_DOCKERD_DIR/created" ]; then
    while read -r d; do
      rmdir "$d/plugins" "$d/s" 2>/dev/null; rmdir "$d" 2>/dev/null || true
    done <"$CFRUN_DOCKERD_DIR/created"
  fi
  if grep -qs "$CFRUN_DOCKERD_DIR" /proc/mounts; then
    echo ">> docker: mounts left under $CFRUN_DOCKERD_DIR:" >&2
    grep "$CFRUN_DOCKERD_DIR" /proc/mounts >&2
    rc=1
  else
    rm -rf "$CFRUN_DOCKERD_DIR"
  fi
  CFRUN_DOCKERD_DIR=""
  unset DOCKER_HOST
  return $rc
}
