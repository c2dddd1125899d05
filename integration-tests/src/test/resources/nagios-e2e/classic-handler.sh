#!/bin/bash
# The classic event handler (the article's design, with cf-runagent for cfrun): on CRITICAL at the first
# SOFT attempt, or HARD, fork cf-runagent -D <class> -H <host>:<port>, detached (own session, stdio to a
# file) so that Nagios' event_handler_timeout cannot kill it. Logs every call in the same format as
# cfrun-event-handler so that both loops are measured the same way.
# Args: $SERVICESTATE$ $SERVICESTATETYPE$ $SERVICEATTEMPT$ $HOSTADDRESS$ $SERVICEDESC$ $HOSTNAME$
set -u
LOG=@LOG@
WORKDIR=@WORKDIR@
POLICY=@POLICY@
PORT=@PORT@
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
if [ "${1:-}" = --run ]; then        # the detached part: run cf-runagent, log its result
  shift; host=$1 addr=$2 class=$3
  t0=$(date +%s%3N)
  out=$(CFENGINE_TEST_OVERRIDE_WORKDIR=$WORKDIR /usr/bin/cf-runagent -f "$POLICY" -t 10 -D "$class" -H "$addr:$PORT" 2>&1)
  rc=$?
  printf '%s\n' "$out" >> "$WORKDIR/cf-runagent.out"
  tail=$(printf '%s' "$out" | tail -n 3 | tr '\n"' ' |' )
  status=ok; [ $rc = 0 ] || status=failed
  echo "$(now) classic-handler[$$]: event=result host=$host address=$addr exit=$rc status=$status duration_ms=$(( $(date +%s%3N) - t0 )) output_tail=\"$tail\"" >> "$LOG"
  exit 0
fi
state=$1 type=$2 attempt=$3 addr=$4 service=${5:-} host=${6:-$4}
class=nagios_$(printf '%s' "$service" | tr -c 'A-Za-z0-9_' '_')_$state
action=skip
if [ "$state" = CRITICAL ] && { [ "$type" = HARD ] || [ "$attempt" = 1 ]; }; then action=run; fi
echo "$(now) classic-handler[$$]: event=decision action=$action host=$host address=$addr service=$service state=$state type=$type attempt=$attempt classes=$class" >> "$LOG"
if [ $action = run ]; then
  setsid "$0" --run "$host" "$addr" "$class" </dev/null >/dev/null 2>&1 &
fi
exit 0
