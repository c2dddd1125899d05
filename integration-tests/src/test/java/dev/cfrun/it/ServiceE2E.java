package dev.cfrun.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cfrun.it.SelfHealingLab.Design;
import dev.cfrun.it.SelfHealingLab.Loop;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The self-healing loop through bin/cfrun-service, shared by {@link NagiosServiceE2EIT} and
 * {@link IcingaServiceE2EIT}: the monitoring system's curl event command posts to the service, which runs the
 * agent and asks the monitoring system to check again. Side by side in the same run ({@link SelfHealingLab}):
 * the article's shell handler + cf-runagent and bin/cfrun-event-handler with its own re-check. In each cycle
 * the test SIGKILLs one web server and at once asks the monitoring system for a check of its service, so that
 * every design sees the failure at the same moment; it measures kill → the web server answering again, and
 * CRITICAL → OK as the monitoring system saw it (the check log). Each design has one outage of warm-up first
 * (the service is resident: its first run loads and compiles the client's code, as the handler's every run
 * does).
 */
final class ServiceE2E {
    static final String HOST = SelfHealingLab.HOST;
    static final Path CURL = Path.of("/usr/bin/curl");
    /** The service against the shell handler + cf-runagent: median kill → answering, same run. */
    static final double MAX_SLOWER_S = 0.3;
    /** The designs measured, in the order of the first cycle (rotated in the next ones). */
    static final List<Design> MEASURED = List.of(Design.CLASSIC, Design.RECHECK, Design.SERVICE);
    /** Outages of each design: the measured cycles and one warm-up. */
    static final int OUTAGES = Recovery.CYCLES + 1;

    private ServiceE2E() {
    }

    /**
     * What the loop needs from the monitoring system.
     *
     * @param name         "Nagios 4", "Icinga 2"
     * @param waitOkHard   waits until the service's last check was OK and its state is HARD
     * @param checkNow     asks for a check of the service now (the test's, not the handler's)
     * @param alertLog     the log with Nagios-style "SERVICE ALERT: host;service;STATE;TYPE;…" lines
     * @param logTail      the end of its log, for failure messages
     * @param moreProblems what this monitoring system shows besides (the re-check's trace in its own log)
     */
    record Monitor(String name, Consumer<String> waitOkHard, Consumer<String> checkNow, Path alertLog,
                   Supplier<String> logTail, Supplier<List<String>> moreProblems) {
    }

    /** What a test started, for the end: the monitoring system and the service. */
    static final class Parts {
        AutoCloseable monitor;
        ServiceProcess service;
    }

    /** Starts the monitoring system and the service (in the order they need), keeping both in {@code parts}. */
    interface Setup {
        Monitor start(SelfHealingLab lab, Service service, Path root, Parts parts) throws Exception;
    }

    /**
     * The whole test: the lab, what {@code setup} starts, a first check of each measured service, the cycles,
     * the report and the verdict; at the end (passed or not) everything started is stopped by PID.
     *
     * @param name              the test class, for messages
     * @param what              its directory target/WHAT-e2e and report target/e2e-recovery-WHAT.txt
     * @param serviceIntervalMs check_interval = retry_interval of HTTP-service
     * @param settings          the monitoring system's settings, for the report
     */
    static void test(String name, String what, Setup setup, long serviceIntervalMs, String settings) throws Exception {
        requireCurl();
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path root = module.resolve("target/" + what + "-e2e");
        Path report = module.resolve("target/e2e-recovery-" + what + ".txt");
        Files.deleteIfExists(report);
        Parts parts = new Parts();
        SelfHealingLab lab = null;
        boolean passed = false;
        try {
            lab = SelfHealingLab.start(module, root, EnumSet.allOf(Design.class));
            Monitor m = setup.start(lab, service(module, lab), root, parts);
            for (Design d : MEASURED) {
                m.checkNow().accept(d.service);
                m.waitOkHard().accept(d.service);
            }
            List<Cycle> cycles = run(m, lab);
            List<String> problems = problems(m, lab, parts.service, cycles, serviceIntervalMs, settings, report);
            problems.addAll(m.moreProblems().get());
            assertTrue(problems.isEmpty(), () -> String.join("\n\n", problems) + "\n\n" + SelfHealingLab.read(report)
                    + "\n" + parts.service.tail(40));
            passed = true;
        } finally {
            SelfHealingLab.finish(name, root, passed, parts.monitor, parts.service, lab);
        }
    }

    /** One cycle: {@code c} as {@link Recovery} keeps it (critical and ok from the check log), and kill → answering. */
    record Cycle(Recovery.Cycle c, Design design, double upS) {
    }

    /** Fails under CI, skips elsewhere, when curl (the event command) is missing. */
    private static void requireCurl() {
        if (!Files.isExecutable(CURL)) {
            Peers.missing(CURL + " not found: install curl");
        }
    }

    /**
     * bin/cfrun-service before it starts: its directory {@code root/service} (state, log), a random token (mode
     * 600), the curl header file with it ({@code -H @file}, mode 600), the port it will listen on.
     */
    record Service(Path repo, Path dir, Path workdir, Path token, Path curlAuth, int port) {
        /** The URL of one of its endpoints, e.g. {@code /v1/nagios}. */
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        /** Starts it with these options and no cooldown (the outages follow each other within seconds). */
        ServiceProcess start(String... extra) throws IOException {
            List<String> options = new ArrayList<>(List.of("--cooldown", "0"));
            options.addAll(List.of(extra));
            return ServiceProcess.start(repo, dir, workdir, token, port, options.toArray(new String[0]));
        }
    }

    /**
     * Prepares bin/cfrun-service on the monitor's client work dir ({@link Service}). The service claims the user
     * it runs as (no --user, as cf-runagent): the web server trusts the monitor's key for that user too, and the
     * monitor trusts the server's key for it.
     */
    private static Service service(Path module, SelfHealingLab lab) throws IOException {
        String user = System.getProperty("user.name");
        lab.server.trustClient(lab.oursWd.publicKey(), user);
        Proc.Result trust = lab.oursWd.cfrunCommand("trust", "--workdir", lab.oursWd.workdir.toString(), "--user", user,
                "--yes", lab.server.hostPort());
        assertEquals(0, trust.exit(), trust::toString);
        Path dir = lab.root.resolve("service");
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        Path token = secret(dir.resolve("token"), HexFormat.of().formatHex(b));
        Path curlAuth = secret(dir.resolve("curl-auth"), "Authorization: Bearer " + Files.readString(token).strip());
        return new Service(module.getParent(), dir, lab.oursWd.workdir, token, curlAuth, CfServerd.freePort("127.0.0.1"));
    }

    /** The warm-up outage of each design, then {@link Recovery#CYCLES} measured cycles. */
    private static List<Cycle> run(Monitor m, SelfHealingLab lab) throws Exception {
        for (Design d : MEASURED) {
            cycle(m, lab, lab.loop(d), 0);
        }
        List<Cycle> cycles = new ArrayList<>();
        for (int i = 1; i <= Recovery.CYCLES; i++) {
            for (int k = 0; k < MEASURED.size(); k++) {
                cycles.add(cycle(m, lab, lab.loop(MEASURED.get((i - 1 + k) % MEASURED.size())), i));
            }
        }
        return cycles;
    }

    /**
     * One outage of one design: SIGKILL the web server, ask for a check at once, wait until a new web server
     * answers and the monitoring system has seen CRITICAL and then OK (the shell handler asks for no re-check:
     * the test does, once the server answers, rather than waiting for the retry).
     */
    private static Cycle cycle(Monitor m, SelfHealingLab lab, Loop l, int n) throws Exception {
        m.waitOkHard().accept(l.service());
        // $LASTSERVICESTATECHANGE$ has whole seconds, and the service's dedupe key is made of it: an outage in the
        // same second as the last one (CRITICAL, OK, CRITICAL within a second: this test's pace, not a checker's)
        // would be a duplicate of it. Nagios' command also sends $SERVICEEVENTID$, which tells them apart; Icinga 2
        // has no such macro, so both monitors keep the outages a second apart. Kill in a later second than the last check
        // result (from the check log: status.dat may be a second old), with a margin for the processing.
        List<Recovery.Check> checks = Recovery.Check.readAll(lab.checkLog, l.service());
        long last = checks.isEmpty() ? 0 : checks.get(checks.size() - 1).time().toEpochMilli() + 200;
        Thread.sleep(Math.max(0, (last / 1000 + 1) * 1000 - System.currentTimeMillis()));
        Proc.Result st = lab.webctl("status", l);
        assertEquals(0, st.exit(), () -> l.name() + " cycle " + n + ": web server not running before the kill: " + st);
        long pid = Long.parseLong(SelfHealingLab.read(l.webDir().resolve("web.pid")).strip());
        ProcessHandle web = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("web server " + pid + " gone"));
        Instant killed = Instant.now();
        web.destroyForcibly(); // SIGKILL
        awaitAnswering(m, l, false, Duration.ofSeconds(5));
        m.checkNow().accept(l.service());
        awaitAnswering(m, l, true, Duration.ofSeconds(30));
        double upS = seconds(killed, Instant.now());
        if (l.design() == Design.CLASSIC) {
            m.checkNow().accept(l.service());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<Recovery.Check> after = Recovery.Check.readAll(lab.checkLog, l.service()).stream()
                    .filter(c -> c.time().isAfter(killed)).toList();
            Recovery.Check critical = after.stream().filter(c -> c.exit() != 0).findFirst().orElse(null);
            Recovery.Check ok = critical == null ? null
                    : after.stream().filter(c -> c.exit() == 0 && c.time().isAfter(critical.time())).findFirst().orElse(null);
            if (ok != null) {
                return new Cycle(new Recovery.Cycle(l.name(), n, 0, killed, seconds(killed, critical.time()),
                        seconds(killed, ok.time()), ""), l.design(), upS);
            }
            assertTrue(System.nanoTime() < deadline, () -> l.name() + " cycle " + n + ": no CRITICAL and then OK check"
                    + " within 30 s after the web server answered again; checks after the kill: " + after + "\n"
                    + m.logTail().get());
            Thread.sleep(20);
        }
    }

    /** Waits until the loop's web server answers an HTTP request ({@code up}) or refuses connections. */
    private static void awaitAnswering(Monitor m, Loop l, boolean up, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answers(l.port()) != up) {
            assertTrue(System.nanoTime() < deadline, () -> l.name() + ": web server on port " + l.port() + (up
                    ? " did not answer again" : " still answers after SIGKILL") + " within " + timeout + "\n--- webctl.log\n"
                    + SelfHealingLab.read(l.webDir().resolve("webctl.log")) + "\n" + m.logTail().get());
            Thread.sleep(10);
        }
    }

    /** An HTTP/1.0 GET of / on 127.0.0.1:port gets a status line. */
    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(8), StandardCharsets.US_ASCII).startsWith("HTTP/1.");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The report and everything the loop must show: the service recorded one run per outage with the class,
     * exit 0, on the web server's cf-serverd, and scheduled a re-check after each; the monitoring system saw
     * OK within half the service's retry interval ({@code serviceIntervalMs}: only the re-check explains it)
     * and never HARD; the agent restarted each design's web server; the handlers' runs finished with exit 0;
     * the service's median kill → answering is at most {@value #MAX_SLOWER_S} s over the shell handler's.
     */
    private static List<String> problems(Monitor m, SelfHealingLab lab, ServiceProcess service, List<Cycle> cycles,
                                         long serviceIntervalMs, String settings, Path reportFile) throws Exception {
        List<String> problems = report(m, lab, cycles, settings, reportFile);
        String cls = Design.SERVICE.agentClass();
        String host = lab.server.bind(); // ?host= takes the host; the runs show host:port
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<JsonNode> runs = runs(service, host);
        while (runs.stream().anyMatch(r -> r.path("status").asText().equals("running")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            runs = runs(service, host);
        }
        if (runs.size() != OUTAGES) {
            problems.add("GET /v1/runs?host=" + host + " lists " + runs.size() + " runs for " + OUTAGES + " outages: " + runs);
        }
        for (JsonNode r : runs) {
            List<String> classes = new ArrayList<>();
            r.path("classes").forEach(c -> classes.add(c.asText()));
            if (!r.path("status").asText().equals("ok") || r.path("exitCode").asInt(-1) != 0 || !classes.equals(List.of(cls))
                    || !r.path("host").asText().equals(lab.server.hostPort())) {
                problems.add("run " + r.path("id") + ": expected host " + lab.server.hostPort() + ", status ok, exit 0,"
                        + " classes [" + cls + "]: " + r);
            }
        }
        String log = SelfHealingLab.read(service.log());
        long scheduled = log.lines().filter(s -> s.contains("re-check after run ") && s.contains(HOST + "/"
                + Design.SERVICE.service) && s.contains("verify=scheduled")).count();
        if (scheduled != OUTAGES) {
            problems.add("the service's log shows " + scheduled + " re-checks scheduled for " + OUTAGES + " runs:\n"
                    + Nagios.tail(log, 40));
        }
        String hard = "SERVICE ALERT: " + HOST + ";" + Design.SERVICE.service + ";CRITICAL;HARD;";
        if (SelfHealingLab.read(m.alertLog()).contains(hard)) {
            problems.add(Design.SERVICE.service + " reached a HARD state (a notification would have gone out)");
        }
        for (Cycle c : cycles) {
            if (c.design() == Design.SERVICE && c.c().criticalToOkS() * 1000 >= serviceIntervalMs / 2.0) {
                problems.add("cycle " + c.c().n() + ": " + m.name() + " saw OK " + c.c().criticalToOkS() + " s after"
                        + " CRITICAL, not much before the retry at " + serviceIntervalMs / 1000 + " s: no re-check");
            }
        }
        for (Design d : MEASURED) {
            Loop l = lab.loop(d);
            problems.addAll(lab.agentProblems(l, OUTAGES));
            if (d != Design.SERVICE) {
                problems.addAll(Recovery.runsFinished(l, cycles.stream().map(Cycle::c).toList(), Duration.ofSeconds(15)));
            }
        }
        return problems;
    }

    private static List<JsonNode> runs(ServiceProcess service, String host) {
        ServiceProcess.Answer a = service.get("/v1/runs?limit=100&host=" + URLEncoder.encode(host, StandardCharsets.UTF_8));
        assertEquals(200, a.status(), a::toString);
        List<JsonNode> out = new ArrayList<>();
        a.json().path("runs").forEach(out::add);
        return out;
    }

    /** Prints and writes the report; returns the verdict on the timing (the service against the shell handler). */
    private static List<String> report(Monitor m, SelfHealingLab lab, List<Cycle> cycles, String settings, Path reportFile)
            throws IOException {
        List<Recovery.Cycle> rc = cycles.stream().map(Cycle::c).toList();
        StringBuilder summary = new StringBuilder();
        for (Design d : MEASURED) {
            Loop l = lab.loop(d);
            summary.append(String.format(Locale.ROOT, "E2E %s %-21s n=%d kill->answering median=%.2fs max=%.2fs", m.name(),
                    l.name() + ":", Recovery.count(rc, l), median(cycles, d), cycles.stream().filter(c -> c.design() == d)
                            .mapToDouble(Cycle::upS).max().orElse(Double.NaN)));
            summary.append(d == Design.CLASSIC ? ", no re-check (the test asks for the check)%n".formatted()
                    : String.format(Locale.ROOT, ", CRITICAL->OK median=%.2fs max=%.2fs%n", Recovery.median(rc, l,
                    Recovery.Cycle::criticalToOkS), Recovery.max(rc, l, Recovery.Cycle::criticalToOkS)));
        }
        double slower = median(cycles, Design.SERVICE) - median(cycles, Design.CLASSIC);
        summary.append(String.format(Locale.ROOT, "E2E %s service(curl) vs classic(cf-runagent): kill->answering"
                + " %+.2fs (target <= +%.1fs)%n", m.name(), slower, MAX_SLOWER_S));
        StringBuilder text = new StringBuilder(summary).append(String.format(Locale.ROOT, "%n%s; every handler acts on"
                + " the first SOFT CRITICAL; %d cycles after one of warm-up; the test SIGKILLs the web server and at once"
                + " asks for a check. Seconds after the kill: the first failed check (critical), the web server answering"
                + " again (answering), the first OK check after the failed one (ok):%n", settings, Recovery.CYCLES));
        text.append(String.format(Locale.ROOT, "%-21s %5s %9s %10s %7s%n", "design", "cycle", "critical", "answering", "ok"));
        for (Cycle c : cycles) {
            text.append(String.format(Locale.ROOT, "%-21s %5d %9.3f %10.3f %7.3f%n", c.c().loop(), c.c().n(),
                    c.c().criticalS(), c.upS(), c.c().okS()));
        }
        Recovery.publish(summary, text, reportFile);
        List<String> problems = new ArrayList<>();
        if (!(slower <= MAX_SLOWER_S)) {
            problems.add("service(curl): median kill->answering is " + slower + " s over the classic design's (target <= "
                    + MAX_SLOWER_S + " s)");
        }
        return problems;
    }

    private static double median(List<Cycle> cycles, Design d) {
        return Recovery.median(cycles.stream().filter(c -> c.design() == d).mapToDouble(Cycle::upS));
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    /** Writes a secret file, mode 600 before anything is in it (the service refuses a token file others may read). */
    private static Path secret(Path file, String firstLine) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(file, firstLine + "\n");
        return file;
    }
}
