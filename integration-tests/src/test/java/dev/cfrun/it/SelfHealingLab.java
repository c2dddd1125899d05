package dev.cfrun.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web server's side of the self-healing loop and the monitoring host's handlers, shared by
 * {@link NagiosE2EIT} and {@link IcingaE2EIT}: three web servers (python3 http.server on loopback), one per
 * design under test, a real cf-serverd 3.21 whose agent policy restarts exactly the web server whose class
 * the handler defined, and the monitoring side's two key work dirs (ours made by our generator, the
 * classic one by cf-key). The monitoring system itself is the test's.
 */
final class SelfHealingLab implements AutoCloseable {
    static final String HOST = "web-01";

    /** The three designs, each one service (and web server, and handler log) in the same monitoring instance. */
    enum Design {
        /** The article's design: a shell handler that forks cf-runagent. */
        CLASSIC("classic(cf-runagent)", "HTTP-classic"),
        /** bin/cfrun-event-handler without a re-check. */
        OURS("ours", "HTTP-ours"),
        /** bin/cfrun-event-handler asking the monitoring system to check again once the repair is done. */
        RECHECK("ours+recheck", "HTTP-recheck"),
        /**
         * The documented curl event command posting to bin/cfrun-service, which runs the agent and asks the
         * monitoring system to check again (NagiosServiceE2EIT only).
         */
        SERVICE("service(curl)", "HTTP-service");

        /** The designs of NagiosE2EIT and IcingaE2EIT. */
        static final Set<Design> HANDLERS = EnumSet.of(CLASSIC, OURS, RECHECK);

        final String label;
        final String service;

        Design(String label, String service) {
            this.label = label;
            this.service = service;
        }

        /** The class the handler defines: nagios_${service}_${state}, canonified. */
        String agentClass() {
            return "nagios_" + service.replace('-', '_') + "_CRITICAL";
        }
    }

    /** One loop under test: a design, its web server, its handler's log and lock directory. */
    record Loop(Design design, int port, Path webDir, Path log, Path stateDir) {
        String name() {
            return design.label;
        }

        String service() {
            return design.service;
        }
    }

    final Path root;
    final Path handler;
    final Path checkCfserverd;
    final Path webctl;
    final Path checkTimed;
    final Path checkLog;
    final Path classicHandler;
    final ClientWorkdir oursWd;
    final CfServerd server;
    final List<Loop> loops;

    private SelfHealingLab(Path root, Path repo, Path checkLog, List<Loop> loops, ClientWorkdir oursWd, CfServerd server,
                           Path webctl, Path checkTimed, Path classicHandler) {
        this.root = root;
        this.handler = repo.resolve("bin/cfrun-event-handler");
        this.checkCfserverd = repo.resolve("bin/check_cfserverd");
        this.checkLog = checkLog;
        this.loops = loops;
        this.oursWd = oursWd;
        this.server = server;
        this.webctl = webctl;
        this.checkTimed = checkTimed;
        this.classicHandler = classicHandler;
    }

    Loop loop(Design d) {
        return loops.stream().filter(l -> l.design() == d).findFirst().orElseThrow();
    }

    /** {@link #start(Path, Path, Set)} with the three handler designs ({@link Design#HANDLERS}). */
    static SelfHealingLab start(Path module, Path root) throws IOException {
        return start(module, root, Design.HANDLERS);
    }

    /**
     * Cleans {@code root}, starts cf-serverd with both monitoring keys trusted and admitted, one web server
     * per design, and writes the scripts (webctl.sh, check-timed.sh, the classic handler) under {@code root}.
     * The classic handler's log belongs to the first design's loop: {@code designs} must hold CLASSIC.
     */
    static SelfHealingLab start(Path module, Path root, Set<Design> designs) throws IOException {
        Path repo = module.getParent();
        for (String bin : List.of("bin/cfrun-event-handler", "bin/check_cfserverd")) {
            assertTrue(Files.isExecutable(repo.resolve(bin)), repo.resolve(bin) + " missing");
        }
        assertTrue(Files.isRegularFile(repo.resolve("nagios-handler/target/cfrun-nagios.jar")),
                "nagios-handler/target/cfrun-nagios.jar missing: build the reactor first (mvn -B verify)");
        Processes.killAllMentioning(root.toString()); // leftovers of an aborted earlier run of this test
        deleteTree(root);
        Files.createDirectories(root);

        Path webctl = copyScript("webctl.sh", root.resolve("bin/webctl.sh"), Map.of());
        Path checkTimed = copyScript("check-timed.sh", root.resolve("bin/check-timed.sh"), Map.of());
        List<Loop> loops = new ArrayList<>();
        for (Design d : EnumSet.copyOf(designs)) {
            String n = d.name().toLowerCase(java.util.Locale.ROOT);
            Path log = d == Design.CLASSIC ? root.resolve("classic/classic-handler.log")
                    : root.resolve("monitor-home/" + n + "-handler.log");
            loops.add(new Loop(d, CfServerd.freePort("127.0.0.1"), root.resolve("web-" + n), log,
                    root.resolve("monitor-home/state-" + n)));
        }

        // The monitoring side: our handler's key made by our own generator (no CFEngine on the monitor),
        // the classic handler's key made by cf-key (cf-runagent needs a CFEngine work dir).
        ClientWorkdir oursWd = ClientWorkdir.withOurKeys(root.resolve("monitor-home/.cfrun"));
        ClientWorkdir classicWd = ClientWorkdir.withCfKey(root.resolve("classic/workdir"));

        // The web server's side: trusts both monitoring keys explicitly (no trustkeysfrom), lets exactly
        // these keys run the agent, and lets their users define nagios_* classes only.
        CfServerd server = CfServerd.builder(root.resolve("webserver")).trustKeysFrom().legacy().allowUsers("nagios", "root")
                .admitKeys(oursWd.digest, classicWd.digest).roles("nagios_.*").agentPolicy(policy(webctl, loops)).start();
        try {
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
                    "LOG", loops.get(0).log().toString(), "WORKDIR", classicWd.workdir.toString(),
                    "POLICY", runagentPolicy.toString(), "PORT", String.valueOf(server.port())));
            SelfHealingLab lab = new SelfHealingLab(root, repo, root.resolve("checks.log"), loops, oursWd, server,
                    webctl, checkTimed, classicHandler);
            for (Loop l : loops) {
                Files.createDirectories(l.log().getParent());
                Proc.Result r = lab.webctl("start", l);
                assertEquals(0, r.exit(), () -> "web server " + l + ": " + r);
            }
            return lab;
        } catch (RuntimeException | Error | IOException e) {
            server.close();
            throw e;
        }
    }

    Proc.Result webctl(String action, Loop l) {
        return Proc.run(List.of(webctl.toString(), action, String.valueOf(l.port()), l.webDir().toString()),
                Map.of(), Duration.ofSeconds(30));
    }

    /**
     * The checks every design has to pass besides the timing: every run a handler started finished on its own
     * with exit 0, cf-serverd ran the agent with each handler's class, the agent restarted each web server in
     * every cycle. Returns the problems found.
     */
    List<String> loopProblems(List<Recovery.Cycle> cycles, int perLoop) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        for (Loop l : loops) {
            problems.addAll(Recovery.runsFinished(l, cycles, Duration.ofSeconds(15)));
        }
        for (Loop l : loops) {
            problems.addAll(agentProblems(l, perLoop));
        }
        return problems;
    }

    /**
     * Whether the agent did the repairs: cf-serverd ran it with the loop's class, and it restarted the loop's
     * web server at least {@code cycles} times. Returns the problems found.
     */
    List<String> agentProblems(Loop l, int cycles) throws IOException {
        List<String> problems = new ArrayList<>();
        String serverLog = server.log();
        String cls = l.design().agentClass();
        if (!serverLog.contains("cf-serverd executing cfruncommand: ") || !serverLog.contains("-D " + cls)) {
            problems.add("cf-serverd's log has no cfruncommand with -D " + cls + ":\n" + serverLog);
        }
        List<String> webctlLog = Files.readAllLines(l.webDir().resolve("webctl.log"));
        long agentStarts = webctlLog.stream()
                .filter(s -> s.contains("action=started") && s.contains("cf-agent") && s.contains("-D " + cls)).count();
        if (agentStarts < cycles) {
            problems.add(l.name() + ": the agent (-D " + cls + ") restarted the web server " + agentStarts
                    + " times in " + cycles + " cycles:\n" + String.join("\n", webctlLog));
        }
        return problems;
    }

    @Override
    public void close() {
        server.close();
    }

    /** The agent policy: when a handler's class is defined, (re)start exactly the web server that failed. */
    private static String policy(Path webctl, List<Loop> loops) {
        StringBuilder commands = new StringBuilder();
        StringBuilder reports = new StringBuilder();
        for (Loop l : loops) {
            String cls = l.design().agentClass();
            commands.append("    ").append(cls).append("::\n      \"$(webctl) start ").append(l.port()).append(' ')
                    .append(l.webDir()).append("\"\n        handle => \"restart_")
                    .append(l.design().name().toLowerCase(java.util.Locale.ROOT)).append("\";\n");
            reports.append("    ").append(cls).append("::\n      \"e2e: ").append(l.service())
                    .append(" CRITICAL, web server on port ").append(l.port()).append(" (re)started\";\n");
        }
        return "bundle agent main\n{\n  vars:\n      \"webctl\" string => \"" + webctl + "\";\n\n  commands:\n"
                + commands + "\n  reports:\n" + reports + "}\n";
    }

    /** Copies a script from the test resources, filling in @NAME@ placeholders, mode 755. */
    static Path copyScript(String resource, Path to, Map<String, String> values) throws IOException {
        String text;
        try (InputStream in = SelfHealingLab.class.getResourceAsStream("/nagios-e2e/" + resource)) {
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

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + p + ": " + e + ")";
        }
    }

    static void deleteTree(Path root) throws IOException {
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
     * The end of a test, passed or not: closes the monitoring system and the lab, then stops by PID whatever is
     * left of the run; after a passed test, anything that outlived that fails it.
     */
    static void finish(String testName, Path root, boolean passed, AutoCloseable... parts) throws Exception {
        for (AutoCloseable c : parts) {
            if (c != null) {
                c.close();
            }
        }
        List<String> left = sweep(testName, root);
        if (passed) {
            assertTrue(left.isEmpty(), "processes left running: " + left);
        }
    }

    /** Stops by PID whatever is left of this run, waits until nothing mentions {@code root}; returns what is left. */
    private static List<String> sweep(String testName, Path root) throws InterruptedException {
        List<String> swept = Processes.killAllMentioning(root.toString());
        if (!swept.isEmpty()) {
            System.out.println(testName + ": stopped at the end (by PID): " + String.join("\n  ", swept));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left = Processes.mentioning(root.toString());
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = Processes.killAllMentioning(root.toString());
        }
        return left;
    }
}
