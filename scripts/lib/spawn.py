#!/usr/bin/env python3
"""Process measurement helper for the benchmarks (benchmarks/.../Spawner.java drives it).

Reads one JSON request per line on stdin and answers one JSON line on stdout per request:
  {"argv": [...], "env": {...} | null, "cwd": str | null, "stdout": path | null, "stderr": path | null,
   "timeout": seconds, "time": "/usr/bin/time" | null}
  -> {"wall_ns", "utime_us", "stime_us", "maxrss_kb", "exit", "start_epoch_ns", "timed_out"}

Each command is forked and exec'd from here and reaped with wait4(), which reports the child's own
CPU time plus that of the descendants it waited for (cf-runagent -b forks one child per host), in
microseconds: no JVM API gives that for another process. Wall time is measured around fork..wait4 with
a monotonic clock. stdout/stderr go to the given files (default /dev/null); stdin is /dev/null.

Peak memory: wait4's ru_maxrss of a child forked from this (Python) process counts the pages it had
before exec (Python's ~10 MB), so with "time": "/usr/bin/time" the command runs under GNU time, a
small C program whose own child's ru_maxrss is the command's true peak RSS ("%M"). Its own CPU and
wall time (about a millisecond) are then included in the figures, for every command alike.
"""
import json
import os
import signal
import sys
import time


def run(req):
    argv = req["argv"]
    env = req.get("env")
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    out = os.open(req.get("stdout") or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(req.get("stderr") or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null_in = os.open(os.devnull, os.O_RDONLY)
    timeout = float(req.get("timeout") or 600)
    rss_file = None
    if req.get("time"):
        rss_file = "/tmp/spawn-rss-%d" % os.getpid()
        argv = [req["time"], "-f", "%M", "-o", rss_file] + list(argv)
    start_epoch = time.time_ns()
    t0 = time.perf_counter_ns()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(null_in, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            if req.get("cwd"):
                os.chdir(req["cwd"])
            os.execvpe(argv[0], argv, full_env)
        except BaseException as e:  # noqa: BLE001 - report anything, then leave the child
            os.write(2, ("spawn: cannot run %s: %s\n" % (argv[0], e)).encode())
        os._exit(127)
    os.close(out)
    os.close(err)
    os.close(null_in)
    timed_out = []

    def expire(_sig, _frame):
        timed_out.append(True)
        os.kill(pid, signal.SIGKILL)

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        _, status, ru = os.wait4(pid, 0)  # blocks; retried after the alarm's handler (PEP 475)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    t1 = time.perf_counter_ns()
    maxrss = ru.ru_maxrss
    if rss_file:
        try:
            with open(rss_file) as f:
                lines = [x for x in f.read().split("\n") if x.strip()]
            maxrss = int(lines[-1])  # "Command exited with non-zero status N" may come first
        except (OSError, ValueError, IndexError):
            maxrss = -1
        try:
            os.unlink(rss_file)
        except OSError:
            pass
    return {
        "wall_ns": t1 - t0,
        "utime_us": int(ru.ru_utime * 1e6),
        "stime_us": int(ru.ru_stime * 1e6),
        "maxrss_kb": maxrss,
        "exit": os.waitstatus_to_exitcode(status),
        "start_epoch_ns": start_epoch,
        "timed_out": bool(timed_out),
    }


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            reply = run(json.loads(line))
        except Exception as e:  # noqa: BLE001 - the driver reports it
            reply = {"error": repr(e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
