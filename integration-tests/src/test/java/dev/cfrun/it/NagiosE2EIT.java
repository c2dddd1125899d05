package dev.cfrun.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The self-healing loop with real parts only: Nagios 4 checks two web servers (python3 http.server on
 * loopback) with check_http every second; when one fails, its event handler asks a real cf-serverd 3.21 to
 * run cf-agent with a class naming the failed service, and the agent policy restarts exactly that web
 * server. Two loops side by side in one Nagios run, measured alternately:
 * <ul>
 *   <li><b>ours</b>: service "HTTP-ours", handler {@code bin/cfrun-event-handler} (detached run, our client);</li>
 *   <li><b>classic</b>: service "HTTP-classic", a shell handler that forks {@code cf-runagent -D …}, detached
 *       (the article's design, with cf-runagent for cfrun).</li>
 * </ul>
 * Both act on the first SOFT CRITICAL (checks every 1 s, retry 1 s, 2 attempts). Each cycle SIGKILLs a web
 * server a random (seeded) time before its service's next check — the same phase for both loops in a cycle,
 * so that they differ only in what their handlers do — and measures kill → Nagios sees OK again: the first
 * OK check result (check_http through a wrapper that logs ms timestamps) and the handler's own log line for
 * the OK event. Prints {@code E2E recovery ours: n=… median=… max=…} and the classic line to the build log
 * and target/e2e-recovery.txt (with every cycle). Asserts, against the classic loop measured in the same run
 * (no limit in seconds: that would be a benchmark, failing on a slower machine), that our median recovery
 * is at most {@value #OVER_CLASSIC_LIMIT_S} s above the classic one; and that every run the handlers started
 * finished on its own with exit 0, that cf-serverd ran the agent with the handler's class and that the agent
 * restarted the web server; check_cfserverd watches the cf-serverd meanwhile.
 * Everything lives in target/nagios-e2e; every process started is stopped at the end, also on failure.
 */
@DisabledIfSystemProperty(named = "cfrun.it.jdk25", matches = "true",
        disabledReason = "the end-to-end loop runs once, on the build JDK (the handler runs on java from PATH anyway)")
class NagiosE2EIT {
    static final String HOST = "web-01";
    static final String OURS = "HTTP-ours";
    static final String CLASSIC = "HTTP-classic";
    static final String CFSERVERD = "cf-serverd";
    static final String OURS_CLASS = "nagios_HTTP_ours_CRITICAL";
    static final String CLASSIC_CLASS = "nagios_HTTP_classic_CRITICAL";
    /** Cycles per loop (alternating ours / classic). */
    static final int CYCLES = Integer.getInteger("cfrun.e2e.cycles", 7);
    static final long SEED = Long.getLong("cfrun.e2e.seed", 20261125L);
    static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);
    static final double OVER_CLASSIC_LIMIT_S = 0.3;

    private static final Pattern LINE = Pattern.compile("^(\\S+) ([\\w.-]+)\\[(\\d+)]: (.*)$");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

    /** One line of a handler log: its time and key=value fields. */
    record LogLine(Instant time, String program, Map<String, String> fields, String raw) {
        String get(String k) {
            return fields.getOrDefault(k, "");
        }

        static List<LogLine> readAll(Path log) {
            List<LogLine> out = new ArrayList<>();
            List<String> lines;
            try {
                lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String l : lines) {
                Matcher m = LINE.matcher(l);
                if (!m.matches()) {
                    continue; // a line being written
                }
                Map<String, String> f = new LinkedHashMap<>();
                Matcher fm = FIELD.matcher(m.group(4));
                while (fm.find()) {
                    String v = fm.group(2);
                    if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
                        v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                    }
                    f.put(fm.group(1), v);
                }
                out.add(new LogLine(Instant.parse(m.group(1)), m.group(2), f, l));
            }
            return out;
        }
    }

    /** A check result as the check wrapper logged it: when Nagios got it (ms), the service, the plugin's exit code. */
    record Check(Instant time, String service, int exit) {
        static List<Check> readAll(Path log) {
            List<Check> out = new ArrayList<>();
            try {
                for (String l : Files.exists(log) ? Files.readAllLines(log, StandardCharsets.US_ASCII) : List.<String>of()) {
                    String[] f = l.strip().split(" ");
                    if (f.length == 3 && f[0].matches("\\d{13}") && f[2].matches("\\d+")) {
                        out.add(new Check(Instant.ofEpochMilli(Long.parseLong(f[0])), f[1], Integer.parseInt(f[2])));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }
    }

    /**
     * One measured cycle, times in seconds after the kill: the first failed check (Nagios sees CRITICAL), the
     * first OK check after it (Nagios sees OK again) and the handler's log line for that OK event.
     */
    record Cycle(String loop, int n, double phaseS, Instant killed, double criticalS, double okS, double handlerOkS,
                 String events) {
    }

    /** One loop under test: a service, its web server, its handler's log. */
    record Loop(String name, String service, int port, Path webDir, Path log) {
    }

    @Test
    void killedWebServerIsRepairedThroughNagiosEventHandler() throws Exception {
        Peers.requireCfEngine();
        Peers.requireNagios();
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path repo = module.getParent();
        Path handler = repo.resolve("bin/cfrun-event-handler");
        Path checkCfserverd = repo.resolve("bin/check_cfserverd");
        assertTrue(Files.isExecutable(handler), handler + " missing");
        assertTrue(Files.isExecutable(checkCfserverd), checkCfserverd + " missing");
        assertTrue(Files.isRegularFile(repo.resolve("nagios-handler/target/cfrun-nagios.jar")),
                "nagios-handler/target/cfrun-nagios.jar missing: build the reactor first (mvn -B verify)");

        Path root = module.resolve("target/nagios-e2e");
        Processes.killAllMentioning(root.toString()); // leftovers of an aborted earlier run of this test
        deleteTree(root);
        Files.createDirectories(root);
        Path report = module.resolve("target/e2e-recovery.txt");
        Files.deleteIfExists(report);

        Nagios nagios = null;
        CfServerd server = null;
        boolean passed = false;
        try {
            Path webctl = copyScript("webctl.sh", root.resolve("bin/webctl.sh"), Map.of());
            Path checkTimed = copyScript("check-timed.sh", root.resolve("bin/check-timed.sh"), Map.of());
            Path checkLog = root.resolve("nagios/checks.log");
            Loop ours = new Loop("ours", OURS, CfServerd.freePort("127.0.0.1"), root.resolve("web-ours"),
                    root.resolve("nagios-home/cfrun-event-handler.log"));
            Loop classic = new Loop("classic(cf-runagent)", CLASSIC, CfServerd.freePort("127.0.0.1"),
                    root.resolve("web-classic"), root.resolve("classic/classic-handler.log"));

            // The monitoring side: our handler's key made by our own generator (no CFEngine on the monitor),
            // the classic handler's key made by cf-key (cf-runagent needs a CFEngine work dir).
            ClientWorkdir oursWd = ClientWorkdir.withOurKeys(root.resolve("nagios-home/.cfrun"));
            ClientWorkdir classicWd = ClientWorkdir.withCfKey(root.resolve("classic/workdir"));

            // The web server's side: trusts both monitoring keys explicitly (no trustkeysfrom), lets exactly
            // these keys run the agent, and lets their users define nagios_* classes only.
            String policy = AGENT_POLICY.replace("@WEBCTL@", webctl.toString())
                    .replace("@PORT_OURS@", String.valueOf(ours.port())).replace("@DIR_OURS@", ours.webDir().toString())
                    .replace("@PORT_CLASSIC@", String.valueOf(classic.port()))
                    .replace("@DIR_CLASSIC@", classic.webDir().toString());
            server = CfServerd.builder(root.resolve("webserver")).trustKeysFrom().legacy().allowUsers("nagios", "root")
                    .admitKeys(oursWd.digest, classicWd.digest).roles("nagios_.*").agentPolicy(policy).start();
            server.trustClient(oursWd.publicKey(), "nagios");
            server.trustClient(classicWd.publicKey(), "root");

            // The monitoring side trusts the server's key: ours as bin/cfrun trust does, classic with cf-key -t.
            Proc.Result trust = oursWd.cfrunCommand("trust", "--workdir", oursWd.workdir.toString(), "--user", "nagios",
                    "--yes", server.hostPort());
            assertEquals(0, trust.exit(), trust::toString);
            classicWd.trustWithCfKey(server);
            Path runagentPolicy = classicWd.workdir.resolve("inputs/runagent.cf");
            Files.writeString(runagentPolicy, "body common control\n{\n      protocol_version => \"latest\";\n}\n");
            Path classicHandler = copyScript("classic-handler.sh", root.resolve("classic/classic-handler.sh"), Map.of(
                    "LOG", classic.log().toString(), "WORKDIR", classicWd.workdir.toString(),
                    "POLICY", runagentPolicy.toString(), "PORT", String.valueOf(server.port())));

            for (Loop l : List.of(ours, classic)) {
                Proc.Result r = webctl(webctl, "start", l);
                assertEquals(0, r.exit(), () -> "web server " + l + ": " + r);
            }

            nagios = Nagios.builder(root.resolve("nagios")).file("objects/e2e.cfg")
                    .value("PORT_OURS", ours.port()).value("PORT_CLASSIC", classic.port())
                    .value("CHECK_TIMED", checkTimed).value("CHECK_LOG", checkLog)
                    .value("HANDLER", handler).value("CFSERVERD_PORT", server.port())
                    .value("CHECK_CFSERVERD", checkCfserverd).value("CFSERVERD_KEY", server.digest())
                    .value("OURS_WORKDIR", oursWd.workdir).value("OURS_STATE", root.resolve("nagios-home/state"))
                    .value("OURS_LOG", ours.log()).value("CLASSIC_HANDLER", classicHandler)
                    .start();
            for (Loop l : List.of(ours, classic)) {
                nagios.waitForService(HOST, l.service(), 0, true, Duration.ofSeconds(30));
            }
            Map<String, String> cfserverd = nagios.waitForService(HOST, CFSERVERD, 0, true, Duration.ofSeconds(30));
            assertTrue(cfserverd.getOrDefault("plugin_output", "").contains(server.digest()), cfserverd::toString);

            // Paired phases: cycle i kills both web servers the same (random, seeded) time before their
            // service's next check, so the two loops differ only in what their handlers do.
            Random random = new Random(SEED);
            List<Cycle> cycles = new ArrayList<>();
            for (int i = 1; i <= CYCLES; i++) {
                double phase = 0.1 + 0.8 * random.nextDouble();
                for (Loop l : List.of(ours, classic)) {
                    cycles.add(cycle(nagios, l, i, phase, webctl, checkLog));
                }
            }

            String text = report(cycles, ours, classic) + "\ncheck_cfserverd (service " + CFSERVERD + "): "
                    + nagios.serviceStatus(HOST, CFSERVERD).map(m -> m.get("plugin_output") + " | "
                    + m.get("performance_data")).orElse("?") + "\n";
            Files.writeString(report, text);
            System.out.println(text);
            buildLog(text.substring(0, text.indexOf("\n\n")));

            List<String> problems = new ArrayList<>();
            // the target (issue #4), on kill -> Nagios' OK check: relative to the article's design, same run
            double oursMedian = median(cycles, ours, Cycle::okS);
            double classicMedian = median(cycles, classic, Cycle::okS);
            String comparison = String.format(Locale.ROOT, "E2E recovery median: ours %.3f s, classic %.3f s"
                    + " (ours may be at most %.1f s above classic)", oursMedian, classicMedian, OVER_CLASSIC_LIMIT_S);
            System.out.println(comparison);
            buildLog(comparison);
            if (oursMedian > classicMedian + OVER_CLASSIC_LIMIT_S) {
                problems.add("ours: median recovery " + oursMedian + " s is more than " + OVER_CLASSIC_LIMIT_S
                        + " s above the classic loop's " + classicMedian + " s");
            }

            // every run the handlers started finished on its own, with exit 0, before the next kill
            for (Loop l : List.of(ours, classic)) {
                problems.addAll(runsFinished(l, cycles, Duration.ofSeconds(15)));
            }
            String serverLog = server.log();
            for (String cls : List.of(OURS_CLASS, CLASSIC_CLASS)) {
                if (!serverLog.contains("cf-serverd executing cfruncommand: ") || !serverLog.contains("-D " + cls)) {
                    problems.add("cf-serverd's log has no cfruncommand with -D " + cls + ":\n" + serverLog);
                }
            }
            for (Loop l : List.of(ours, classic)) {
                String cls = l == ours ? OURS_CLASS : CLASSIC_CLASS;
                long agentStarts = Files.readAllLines(l.webDir().resolve("webctl.log")).stream()
                        .filter(s -> s.contains("action=started") && s.contains("cf-agent") && s.contains("-D " + cls)).count();
                if (agentStarts < CYCLES) {
                    problems.add(l.name() + ": the agent (-D " + cls + ") restarted the web server " + agentStarts
                            + " times in " + CYCLES + " cycles:\n" + read(l.webDir().resolve("webctl.log")));
                }
            }

            Map<String, String> cfs = nagios.forceCheck(HOST, CFSERVERD, Duration.ofSeconds(15));
            if (!"0".equals(cfs.get("current_state"))) {
                problems.add("check_cfserverd is not OK at the end: " + cfs);
            }

            assertTrue(problems.isEmpty(), String.join("\n\n", problems) + "\n\n" + text);
            passed = true;
        } finally {
            if (nagios != null) {
                nagios.close();
            }
            if (server != null) {
                server.close();
            }
            List<String> swept = Processes.killAllMentioning(root.toString());
            if (!swept.isEmpty()) {
                System.out.println("NagiosE2EIT: stopped at the end (by PID): " + String.join("\n  ", swept));
            }
            List<String> left = waitUntilGone(root.toString(), Duration.ofSeconds(10));
            if (passed) {
                assertTrue(left.isEmpty(), "processes left running: " + left);
            }
        }
    }

    /**
     * Waits for OK HARD, then kills the web server {@code phase} seconds before the service's next check
     * (SIGKILL), and waits for the first OK check after that and for the handler's log line of the OK event.
     */
    private static Cycle cycle(Nagios nagios, Loop l, int n, double phase, Path webctl, Path checkLog)
            throws InterruptedException {
        nagios.waitForService(HOST, l.service(), 0, true, RECOVERY_TIMEOUT);
        Proc.Result st = webctl(webctl, "status", l);
        assertEquals(0, st.exit(), () -> l.name() + " cycle " + n + ": web server not running before the kill: " + st);

        // the service is checked every second: from its last two results, when is the next one due?
        List<Check> checks = List.of();
        for (long until = System.nanoTime() + 5_000_000_000L; System.nanoTime() < until; Thread.sleep(50)) {
            checks = Check.readAll(checkLog).stream().filter(c -> c.service().equals(l.service())).toList();
            if (checks.size() >= 2 && checks.get(checks.size() - 1).exit() == 0 && checks.get(checks.size() - 2).exit() == 0) {
                break;
            }
        }
        assertTrue(checks.size() >= 2 && checks.get(checks.size() - 1).exit() == 0, l.name() + ": no two OK checks: " + checks);
        Instant last = checks.get(checks.size() - 1).time();
        long period = Duration.between(checks.get(checks.size() - 2).time(), last).toMillis();
        period = period >= 950 && period <= 1100 ? period : 1000;
        long killAt = last.toEpochMilli() + period - Math.round(phase * 1000);
        while (killAt < System.currentTimeMillis() + 30) {
            killAt += period;
        }
        Thread.sleep(killAt - System.currentTimeMillis());

        long pid = Long.parseLong(read(l.webDir().resolve("web.pid")).strip());
        ProcessHandle web = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("web server " + pid + " gone"));
        Instant killed = Instant.now();
        web.destroyForcibly(); // SIGKILL
        long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
        while (true) {
            List<Check> after = Check.readAll(checkLog).stream()
                    .filter(c -> c.service().equals(l.service()) && c.time().isAfter(killed)).toList();
            Check critical = after.stream().filter(c -> c.exit() != 0).findFirst().orElse(null);
            Check ok = critical == null ? null : after.stream().filter(c -> c.exit() == 0 && c.time().isAfter(critical.time()))
                    .findFirst().orElse(null);
            List<LogLine> logged = LogLine.readAll(l.log()).stream().filter(x -> !x.time().isBefore(killed)).toList();
            LogLine okLine = logged.stream().filter(x -> x.get("event").equals("decision") && x.get("state").equals("OK"))
                    .findFirst().orElse(null);
            if (ok != null && okLine != null) {
                StringBuilder events = new StringBuilder();
                for (LogLine x : logged) {
                    if (x.time().isAfter(okLine.time())) {
                        break;
                    }
                    events.append(String.format(Locale.ROOT, "+%.3f ", seconds(killed, x.time())));
                    events.append(x.get("event").equals("decision")
                            ? x.get("state") + "/" + x.get("type") + "/" + x.get("attempt") + ":" + x.get("action")
                            : "result:exit=" + x.get("exit") + "(" + x.get("duration_ms") + "ms)").append("  ");
                }
                return new Cycle(l.name(), n, phase, killed, seconds(killed, critical.time()), seconds(killed, ok.time()),
                        seconds(killed, okLine.time()), events.toString().strip());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(l.name() + " cycle " + n + ": no OK check and OK event within " + RECOVERY_TIMEOUT
                        + " after the kill at " + killed + "\n--- handler log\n" + read(l.log())
                        + "\n--- webctl.log\n" + read(l.webDir().resolve("webctl.log"))
                        + "\n--- nagios.log (end)\n" + Nagios.tail(nagios.log(), 40));
            }
            Thread.sleep(20);
        }
    }

    /**
     * Every run a handler started in a cycle must have logged its result before the test killed that web
     * server again (the last cycle: within the grace time): exit 0, or skipped because a run for the host was
     * in progress. A run that ends only when its web server is killed was held open by something else than
     * the agent.
     */
    private static List<String> runsFinished(Loop l, List<Cycle> cycles, Duration grace) throws InterruptedException {
        List<Cycle> mine = cycles.stream().filter(c -> c.loop().equals(l.name())).toList();
        Instant lastKill = mine.get(mine.size() - 1).killed();
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline) {
            List<LogLine> tail = LogLine.readAll(l.log()).stream().filter(x -> x.time().isAfter(lastKill)).toList();
            if (runs(tail).size() <= results(tail, runs(tail)).size()) {
                break;
            }
            Thread.sleep(100);
        }
        List<LogLine> log = LogLine.readAll(l.log());
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < mine.size(); i++) {
            Instant from = mine.get(i).killed();
            boolean last = i + 1 == mine.size();
            Instant to = last ? Instant.now() : mine.get(i + 1).killed();
            List<LogLine> in = log.stream().filter(x -> x.time().isAfter(from) && x.time().isBefore(to)).toList();
            List<LogLine> runs = runs(in);
            List<LogLine> results = results(in, runs);
            String what = l.name() + " cycle " + (i + 1) + ": ";
            if (runs.isEmpty()) {
                problems.add(what + "the handler started no run");
                continue;
            }
            if (results.size() < runs.size()) {
                LogLine late = log.stream().filter(x -> x.get("event").equals("result") && !x.time().isBefore(to))
                        .findFirst().orElse(null);
                problems.add(what + runs.size() + " run(s) started (first at " + runs.get(0).time() + "), "
                        + results.size() + " result(s) logged " + (last ? "within " + grace + " after the last cycle"
                        : "before the next kill of its web server at " + to + (late == null ? ""
                        : "; the next result came " + Duration.between(to, late.time()).toMillis()
                        + " ms after that kill: " + abbreviate(late.raw(), 300)
                        + (late.time().isBefore(to.plusMillis(200)) ? HELD_OPEN : ""))));
            }
            for (LogLine r : results) {
                boolean ok = r.get("status").equals("ok") && r.get("exit").equals("0")
                        || r.get("status").equals("skipped") && r.get("reason").contains("in progress");
                if (!ok) {
                    problems.add(what + "remote run failed: " + abbreviate(r.raw(), 600));
                }
            }
        }
        return problems;
    }

    private static final String HELD_OPEN = "\n  (the run ended only because the web server died: the restarted server"
            + " inherited cf-serverd's connection and the client kept waiting for the server to close it)";

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static List<LogLine> runs(List<LogLine> lines) {
        return lines.stream().filter(x -> x.get("event").equals("decision") && x.get("action").equals("run")).toList();
    }

    /** Results logged after the first of these runs started (a result before it belongs to an earlier run). */
    private static List<LogLine> results(List<LogLine> lines, List<LogLine> runs) {
        if (runs.isEmpty()) {
            return List.of();
        }
        Instant first = runs.get(0).time();
        return lines.stream().filter(x -> x.get("event").equals("result") && x.time().isAfter(first)).toList();
    }

    private static String report(List<Cycle> cycles, Loop ours, Loop classic) {
        StringBuilder text = new StringBuilder();
        for (Loop l : List.of(ours, classic)) {
            List<Cycle> mine = cycles.stream().filter(c -> c.loop().equals(l.name())).toList();
            text.append(String.format(Locale.ROOT,
                    "E2E recovery %s: n=%d median=%.2fs max=%.2fs (kill -> Nagios' OK check; handler's OK log line: median=%.2fs max=%.2fs)%n",
                    l.name(), mine.size(), median(cycles, l, Cycle::okS), max(cycles, l, Cycle::okS),
                    median(cycles, l, Cycle::handlerOkS), max(cycles, l, Cycle::handlerOkS)));
        }
        text.append(String.format(Locale.ROOT, "%nNagios 4 checks every 1 s (retry 1 s, 2 attempts), handlers act on the first SOFT"
                + " CRITICAL; %d cycles per loop, alternating; kill = SIGKILL <phase> s before the service's next check"
                + " (seeded, the same phase for both loops in a cycle). Seconds after the kill:%n", CYCLES));
        text.append(String.format(Locale.ROOT, "%-21s %5s %6s %9s %7s %10s  %s%n", "loop", "cycle", "phase",
                "critical", "ok", "handler_ok", "handler events after the kill"));
        for (Cycle c : cycles) {
            text.append(String.format(Locale.ROOT, "%-21s %5d %6.3f %9.3f %7.3f %10.3f  %s%n", c.loop(), c.n(), c.phaseS(),
                    c.criticalS(), c.okS(), c.handlerOkS(), c.events()));
        }
        return text.toString();
    }

    /** Test output goes to a file (redirectTestOutputToFile): the fork's native stderr reaches the build log. */
    private static void buildLog(String text) {
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        err.println(text);
        err.flush();
    }

    static double median(List<Cycle> cycles, Loop l, ToDoubleFunction<Cycle> f) {
        double[] v = cycles.stream().filter(c -> c.loop().equals(l.name())).mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double max(List<Cycle> cycles, Loop l, ToDoubleFunction<Cycle> f) {
        return cycles.stream().filter(c -> c.loop().equals(l.name())).mapToDouble(f).max().orElse(Double.NaN);
    }

    private static Proc.Result webctl(Path webctl, String action, Loop l) {
        return Proc.run(List.of(webctl.toString(), action, String.valueOf(l.port()), l.webDir().toString()),
                Map.of(), Duration.ofSeconds(30));
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    private static List<String> waitUntilGone(String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left = Processes.mentioning(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = Processes.killAllMentioning(marker);
        }
        return left;
    }

    /** Copies a script from the test resources, filling in @NAME@ placeholders, mode 755. */
    private static Path copyScript(String resource, Path to, Map<String, String> values) throws IOException {
        String text;
        try (InputStream in = NagiosE2EIT.class.getResourceAsStream("/nagios-e2e/" + resource)) {
            if (in == null) {
                throw new AssertionError("no test resource " + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            text = text.replace("@" + e.getKey() + "@", e.getValue());
        }
        Files.createDirectories(to.getParent());
        Files.writeString(to, text);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        return to;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + p + ": " + e + ")";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * The web server's agent policy: when the event handler's class is defined, (re)start exactly the web
     * server that failed. webctl.sh start is idempotent and returns once the server accepts connections.
     */
    static final String AGENT_POLICY = """
            bundle agent main
            {
              vars:
                  "webctl" string => "@WEBCTL@";

              commands:
                nagios_HTTP_ours_CRITICAL::
                  "$(webctl) start @PORT_OURS@ @DIR_OURS@"
                    handle => "restart_web_ours";
                nagios_HTTP_classic_CRITICAL::
                  "$(webctl) start @PORT_CLASSIC@ @DIR_CLASSIC@"
                    handle => "restart_web_classic";

              reports:
                nagios_HTTP_ours_CRITICAL::
                  "e2e: Nagios saw HTTP-ours CRITICAL, web server on port @PORT_OURS@ (re)started";
                nagios_HTTP_classic_CRITICAL::
                  "e2e: Nagios saw HTTP-classic CRITICAL, web server on port @PORT_CLASSIC@ (re)started";
            }
            """;
}
