package dev.cfrun.nagios;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.hosts.AgentOptions;
import dev.cfrun.client.hosts.HostsFile;
import dev.cfrun.client.hosts.HostsFileException;
import dev.cfrun.recheck.decision.Decision;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/cfrun-event-handler}: the Nagios / Naemon / Icinga 2 event handler. Decides from the macros,
 * logs the decision, and — when it acts — starts the remote agent run detached (own session, no stdio)
 * and exits 0 at once; {@code --wait} runs it in the foreground. A per-host lock prevents overlapping
 * runs; {@code --cooldown} suppresses repeats. Exit status: 0, or 2 for a configuration error.
 */
public final class EventHandler {
    static final int OK = 0;
    static final int CONFIG_ERROR = 2;
    private static final int TAIL_LINES = 3;

    private EventHandler() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the handler in process (the build's start-up training calls it); returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        Logging.bindQuickly();
        HandlerOptions o;
        Plan plan;
        Decision.Outcome d;
        try {
            o = HandlerOptions.parse(args);
            if (o.help) {
                out.print(HandlerOptions.USAGE);
                return OK;
            }
            if (o.detachedChild || o.waitForRun) { // this process runs the protocol: start the JDK's set-up now
                CfRunClient.warmUp(o.protocol);
            }
            d = Decision.decide(o.hostEvent, o.state, o.stateType, o.attempt,
                    new Decision.Rules(o.states, o.softAttempt, !o.noHard));
            plan = plan(o);
            if (o.log != null) {
                HandlerLog.checkWritable(o.log);
            }
            try {
                new RunState(plan.stateDir(), plan.target()).prepare();
            } catch (IOException e) {
                throw new IllegalArgumentException("the state directory " + plan.stateDir()
                        + " (--state-dir) cannot be created or written (" + e.getMessage() + ")", e);
            }
        } catch (IllegalArgumentException | KeyFileException | HostsFileException e) {
            err.println(HandlerLog.TAG + ": configuration error: " + e.getMessage() + " (see --help)");
            return CONFIG_ERROR;
        }
        HandlerLog log = new HandlerLog(o.log);
        if (o.detachedChild) {
            runNow(o, plan, log);
            return OK;
        }
        Map<String, Object> f = event(o, plan);
        String skip = d.act() ? whyNot(o, plan) : d.reason();
        f.put("action", skip == null ? "run" : "skip");
        f.put("reason", skip == null ? d.reason() : skip);
        if (skip == null) {
            f.put("classes", String.join(",", plan.request.classes()));
            if (!plan.request.bundles().isEmpty()) {
                f.put("bundles", String.join(",", plan.request.bundles()));
            }
            f.put("mode", o.waitForRun ? "wait" : "detached");
        }
        log.write(f);
        if (skip != null) {
            return OK;
        }
        if (o.waitForRun) {
            runNow(o, plan, log);
            return OK;
        }
        try {
            DetachedRun.start(args);
        } catch (IOException e) {
            Map<String, Object> r = base(o, plan, "result");
            r.put("status", "error");
            r.put("error", "cannot start the detached run: " + e.getMessage() + "; running it here");
            log.write(r);
            runNow(o, plan, log);
        }
        return OK;
    }

    /** What the handler will ask, decided before anything is started. */
    record Plan(Path workdir, Path stateDir, HostAddress target, RunRequest request, CfRunClient.Builder client,
                Verify verify) {
        /** What the run asks for: repeats of the same event ask for the same. */
        String requestKey() {
            return "D=" + String.join(",", request.classes()) + " b=" + String.join(",", request.bundles());
        }
    }

    static Plan plan(HandlerOptions o) throws KeyFileException, HostsFileException {
        Path workdir = o.workdir != null ? o.workdir : CfRunClient.defaultWorkdir();
        HostAddress parsed = HostAddress.parse(o.hostAddress);
        int port = parsed.port();
        AgentOptions hostOpts = AgentOptions.parse(List.of());
        if (o.hostsFile != null) {
            HostsFile file = HostsFile.read(HostsFile.locate(o.hostsFile.toString(), workdir));
            // the entry that `cfrun -f FILE <address>` or `cfrun -f FILE <host name>` would hail, first in the file
            Optional<HostsFile.Entry> e = file.first(List.of(parsed.host(), o.hostname));
            if (e.isPresent()) {
                port = e.get().address().port();
                hostOpts = AgentOptions.parse(e.get().options()).requireCfengine3(e.get().origin(), null);
            }
        }
        if (o.port != null) {
            port = o.port;
        }
        HostAddress target = HostAddress.of(parsed.host(), port);
        Map<String, String> vars = new HashMap<>();
        vars.put("service", o.service);
        vars.put("state", o.state.strip().toUpperCase(java.util.Locale.ROOT));
        vars.put("statetype", o.stateType.strip().toUpperCase(java.util.Locale.ROOT));
        vars.put("attempt", o.attempt.strip());
        vars.put("hostname", o.hostname);
        vars.put("address", parsed.host());
        List<String> classes = new ArrayList<>();
        for (String t : o.classTemplates) {
            for (String part : t.split(",")) {
                if (!part.isBlank()) {
                    classes.add(Templates.expand(part.strip(), vars, "class"));
                }
            }
        }
        List<String> bundles = new ArrayList<>();
        for (String t : o.bundleTemplates) {
            for (String part : t.split(",")) {
                if (!part.isBlank()) {
                    bundles.add(Templates.expand(part.strip(), vars, "bundle"));
                }
            }
        }
        RunRequest request = RunRequest.builder(target).defineClasses(classes).defineClasses(hostOpts.classes())
                .bundles(bundles).bundles(hostOpts.bundles()).retainOutput(false).build();
        Timeouts.Builder t = Timeouts.builder().connect(Timeouts.seconds(o.timeout, "--timeout"));
        if (o.idleTimeout > 0) {
            t.idle(Timeouts.seconds(o.idleTimeout, "--idle-timeout"));
        } else {
            t.noIdleLimit();
        }
        if (o.maxTime > 0) {
            t.overall(Timeouts.seconds(o.maxTime, "--max-time"));
        }
        CfRunClient.Builder client = CfRunClient.builder().workdir(workdir)
                .protocol(o.protocol).timeouts(t.build());
        if (o.user != null) {
            client.user(o.user);
        }
        if (o.trust != null) {
            client.trustPolicy(TrustPolicy.pinned(Arrays.asList(o.trust.split(","))));
        }
        client.build().close(); // our key must be usable now: a configuration error, not a failed run later
        Path stateDir = o.stateDir != null ? o.stateDir : workdir.resolve("cfrun-handler");
        return new Plan(workdir, stateDir, target, request, client, Verify.configure(o));
    }

    /** A reason not to start a run although the event calls for one: the lock, or the cooldown. */
    private static String whyNot(HandlerOptions o, Plan plan) {
        RunState state = new RunState(plan.stateDir(), plan.target());
        try {
            if (state.busyWith(plan.requestKey())) {
                return "a run for " + plan.target() + " with the same classes is in progress";
            }
        } catch (IOException e) {
            return "cannot use the state directory " + plan.stateDir() + ": " + e.getMessage();
        }
        return cooldown(o, plan, state);
    }

    private static String cooldown(HandlerOptions o, Plan plan, RunState state) {
        if (o.cooldown > 0) {
            Optional<Duration> since = state.sinceLastRun(plan.requestKey());
            if (since.isPresent() && since.get().toMillis() < o.cooldown * 1000) {
                return "cooldown: the same run started " + since.get().toMillis() / 1000.0 + " s ago (< " + o.cooldown + " s)";
            }
        }
        return null;
    }

    /** The run itself, under the host's lock; logs one result line. */
    static void runNow(HandlerOptions o, Plan plan, HandlerLog log) {
        RunState state = new RunState(plan.stateDir(), plan.target());
        Map<String, Object> r = base(o, plan, "result");
        Optional<RunState.Held> lock;
        try {
            if (state.busyWith(plan.requestKey())) { // the same run is going on: this event is a repeat
                r.put("status", "skipped");
                r.put("reason", "a run for " + plan.target() + " with the same classes is in progress");
                Verify.none(r);
                log.write(r);
                return;
            }
            // another service's run on this host goes first; ours waits for it rather than being lost
            lock = state.lock(o.maxTime > 0 ? Timeouts.seconds(o.maxTime, "--max-time") : Duration.ofHours(1),
                    plan.requestKey());
        } catch (IOException e) {
            r.put("status", "error");
            r.put("error", "cannot lock in " + plan.stateDir() + ": " + e.getMessage());
            Verify.none(r);
            log.write(r);
            return;
        }
        if (lock.isEmpty()) {
            r.put("status", "skipped");
            r.put("reason", "gave up waiting for the run in progress on " + plan.target());
            Verify.none(r);
            log.write(r);
            return;
        }
        String cool = cooldown(o, plan, state); // again: a same run may have started while we waited
        if (cool != null) {
            lock.get().close();
            r.put("status", "skipped");
            r.put("reason", cool);
            Verify.none(r);
            log.write(r);
            return;
        }
        long t0 = System.nanoTime();
        Deque<String> tail = new ArrayDeque<>();
        try (RunState.Held held = lock.get(); CfRunClient client = plan.client().build()) {
            state.markRunStarted(plan.requestKey());
            RunRequest req = plan.request().toBuilder().listener((h, a, line) -> {
                if (line.kind() == ReplyLine.Kind.OUTPUT || line.kind() == ReplyLine.Kind.REFUSAL
                        || line.kind() == ReplyLine.Kind.MESSAGE) {
                    synchronized (tail) {
                        tail.addLast(line.text());
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                }
            }).build();
            RunResult res = client.run(req);
            r.put("address", res.address());
            r.put("exit", res.exitCode().isPresent() ? (Object) res.exitCode().getAsInt() : "none");
            r.put("status", res.succeeded() ? "ok" : "failed");
            r.put("protocol", res.protocol().name().toLowerCase(java.util.Locale.ROOT));
            r.put("server_key", res.serverKeyDigest());
        } catch (CfRunException e) {
            r.put("exit", "none");
            r.put("status", "error");
            r.put("error_kind", e.kind().name().toLowerCase(java.util.Locale.ROOT));
            r.put("error", e.getMessage());
        } catch (IOException | RuntimeException e) {
            r.put("exit", "none");
            r.put("status", "error");
            r.put("error", String.valueOf(e));
        }
        r.put("duration_ms", (System.nanoTime() - t0) / 1_000_000);
        plan.verify().afterRun(r); // after the lock is released; also after a failed run: the monitoring looks again
        synchronized (tail) {
            r.put("output_tail", String.join(" | ", tail));
        }
        log.write(r);
    }

    private static Map<String, Object> event(HandlerOptions o, Plan plan) {
        Map<String, Object> f = base(o, plan, "decision");
        f.put("state", o.state);
        f.put("type", o.stateType);
        f.put("attempt", o.attempt);
        return f;
    }

    private static Map<String, Object> base(HandlerOptions o, Plan plan, String event) {
        Map<String, Object> f = HandlerLog.fields();
        f.put("event", event);
        f.put("host", o.hostname.isEmpty() ? plan.target().host() : o.hostname);
        f.put("address", plan.target().host());
        f.put("port", plan.target().port());
        if (!o.service.isEmpty()) {
            f.put("service", o.service);
        }
        return f;
    }
}
