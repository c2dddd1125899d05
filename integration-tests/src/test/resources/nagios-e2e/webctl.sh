#!/bin/bash
# webctl.sh start|stop|status PORT DIR - the test's web server: python3 -m http.server on 127.0.0.1:PORT,
# serving DIR/www, pid in DIR/web.pid, its output in DIR/web.out, one line per call in DIR/webctl.log.
# 'start' is idempotent (the agent policy calls it on every matching run) and returns once the server
# accepts connections.
set -u
act=$1 port=$2 dir=$3
pidf=$dir/web.pid
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
caller=$(tr '\0' ' ' < /proc/$PPID/cmdline 2>/dev/null | cut -c1-400)
log() { echo "$(now) webctl[$$]: $* caller=\"${caller% }\"" >> "$dir/webctl.log"; }
# "alive" = the pid is not a zombie and the port accepts connections. kill -0 alone is wrong: a killed
# orphan is reparented to PID 1, which may reap it only later, and kill -0 still succeeds on the corpse.
pid_alive() {
  [ -f "$pidf" ] || return 1
  local st; st=$(ps -o stat= -p "$(cat "$pidf")" 2>/dev/null)
  [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
case $act in
  start)
    if pid_alive && accepts; then log "action=none pid=$(cat "$pidf") reason=running"; echo "web server running"; exit 0; fi
    mkdir -p "$dir/www"
    [ -f "$dir/www/index.html" ] || echo "<h1>e2e $port</h1>" > "$dir/www/index.html"
    # own session and no inherited stdio: nothing that kills the caller's process group kills the server,
    # and the caller (cf-agent's commands promise) does not wait for the server's output
    setsid /usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir/www" \
        </dev/null >>"$dir/web.out" 2>&1 &
    echo $! > "$pidf"
    for _ in $(seq 200); do
      if accepts; then log "action=started pid=$(cat "$pidf")"; echo "web server started"; exit 0; fi
      sleep 0.025
    done
    log "action=failed pid=$(cat "$pidf")"; echo "web server did not come up" >&2; exit 1 ;;
  stop)
    pid_alive && kill -TERM "$(cat "$pidf")"; rm -f "$pidf"; echo stopped ;;
  status)
    if pid_alive && accepts; then echo "running $(cat "$pidf")"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status PORT DIR" >&2; exit 2 ;;
esac
