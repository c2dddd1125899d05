package dev.cfrun.it;

import dev.cfrun.client.ClassNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code bin/cfrun-event-handler} run the way a Nagios 4 worker runs it — its own process group (here via
 * setsid), stdin /dev/null, stdout/stderr pipes, cwd elsewhere — against a real cf-serverd 3.21 whose
 * cfruncommand takes seconds. The detached run must survive the handler's process group being SIGKILLed
 * (what the worker does at event_handler_timeout), and the handler must return long before the run ends.
 */
class EventHandlerIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    static final Path HANDLER = ROOT.resolve("bin/cfrun-event-handler");
    static final Path SETSID = Path.of("/usr/bin/setsid");
    /**
     * A class hold_NAME makes the remote "agent" wait until the test creates the file gates/hold_NAME (or 30 s
     * pass): a run that takes exactly as long as the test needs, without guessing durations.
     */
    static Path gates;

    @TempDir
    static Path tmp;
    static CfServerd server;
    static ClientWorkdir client;
    /** One line per agent run: "<args>" written when the agent finishes. */
    static Path runs;

    /** Processes a test started (or that its handler started), checked dead at the end. */
    private final List<ProcessHandle> started = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        runs = tmp.resolve("agent-runs.log");
        gates = Files.createDirectories(tmp.resolve("gates"));
        Path agent = tmp.resolve("agent.sh");
        Files.writeString(agent, "#!/bin/sh\n"
                + "# stands in for cf-agent: cf-serverd appends the -D/-b options of the request\n"
                + "for c in $(echo \"$*\" | tr ', ' '\\n\\n'); do\n"
                + "  case \"$c\" in hold_*)\n"
                + "    n=0; while [ ! -e " + gates + "/\"$c\" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done ;;\n"
                + "  esac\n"
                + "done\n"
                + "echo \"agent args: $*\"\n"
                + "echo \"agent done\"\n"
                + "echo \"$*\" >> " + runs + "\n"
                + "case \"$*\" in *exit_three*) exit 3 ;; esac\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = CfServerd.builder(tmp.resolve("srv")).cfruncommand(agent.toString()).roles().start();
        client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void closeGates() throws IOException {
        try (var files = Files.list(gates)) {
            for (Path g : files.toList()) {
                Files.delete(g);
            }
        }
    }

    @AfterEach
    void nothingLeft() throws Exception {
        for (String gate : List.of("hold_after_exit", "hold_while_running", "hold_locked")) {
            release(gate); // a failed test must not leave an agent waiting
        }
        for (ProcessHandle p : started) {
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
                fail("process " + p.pid() + " " + p.info().commandLine().orElse("") + " still running after the test");
            }
        }
    }

    private static void requirePeers() {
        assertTrue(Files.isExecutable(HANDLER), HANDLER + " missing");
        assertTrue(Files.exists(ROOT.resolve("nagios-handler/target/cfrun-nagios.jar")), "build first (mvn package)");
        assertTrue(Files.isExecutable(SETSID), "setsid (util-linux) is needed to start the handler in its own group");
    }

    /** The state dir (lock, stamp) that goes with a log file: one per test, so that tests cannot block each other. */
    static Path stateDir(Path log) {
        return log.resolveSibling(log.getFileName() + ".state");
    }

    /** The handler's arguments: our work dir, log and state dir, the server's port, then these. */
    private List<String> handlerArgs(Path log, String... args) {
        List<String> a = new ArrayList<>(List.of(HANDLER.toString(), "--workdir", client.workdir.toString(), "--log",
                log.toString(), "--state-dir", stateDir(log).toString(), "--port", Integer.toString(server.port()),
                "-t", "10"));
        a.addAll(List.of(args));
        return a;
    }

    /** Starts a command as a Nagios worker does: new process group (setsid), stdin /dev/null, output pipes. */
    private Process startLikeNagios(List<String> cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of(SETSID.toString()));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).directory(tmp.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        started.add(p.toHandle());
        return p;
    }

    /** Reads a stream to EOF in the background; the future completes when every writer has closed it. */
    private static java.util.concurrent.CompletableFuture<String> drain(InputStream in) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (in) {
                in.transferTo(b);
            } catch (IOException ignored) {
                // closed
            }
            return b.toString(StandardCharsets.UTF_8);
        });
    }

    /**
     * /proc/PID/stat: [pgrp, session], or empty once the process is gone or dead (a zombie: a killed orphan stays
     * one until init reaps it).
     */
    static Optional<long[]> groupAndSession(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f[0].equals("Z") || f[0].equals("X")) {
                return Optional.empty();
            }
            return Optional.of(new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every live process in a process group (from /proc). */
    static List<Long> membersOfGroup(long pgid) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> groupAndSession(p.pid()).ifPresent(gs -> {
            if (gs[0] == pgid) {
                out.add(p.pid());
            }
        }));
        return out;
    }

    /** The detached run started for this log file: a process with --detached-run and the log path in its arguments. */
    static Optional<ProcessHandle> detachedRun(Path log) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> List.of(a).contains("--detached-run") && List.of(a).contains(log.toString())).orElse(false))
                .findFirst();
    }

    /** Every detached run started for this log file (so that the test can stop them all). */
    static List<ProcessHandle> detachedRuns(Path log) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> List.of(a).contains("--detached-run") && List.of(a).contains(log.toString())).orElse(false))
                .toList();
    }

    static void kill9Group(long pgid) throws Exception {
        Process k = new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).redirectErrorStream(true).start();
        k.getInputStream().readAllBytes(); // "No such process" when the group is already empty: fine
        k.waitFor(10, TimeUnit.SECONDS);
    }

    // ---- the log ----
    private static final Pattern FIELD = Pattern.compile("([a-z_]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^ \"]+)(?: |$)");

    static List<Map<String, String>> logLines(Path log) {
        List<Map<String, String>> out = new ArrayList<>();
        try {
            if (!Files.exists(log)) {
                return out;
            }
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                int colon = line.indexOf("]: ");
                assertTrue(line.contains(" cfrun-event-handler[") && colon > 0, line);
                Map<String, String> f = new LinkedHashMap<>();
                f.put("pid", line.substring(line.indexOf('[') + 1, colon));
                Matcher m = FIELD.matcher(line.substring(colon + 3));
                while (m.find()) {
                    String v = m.group(2);
                    f.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1).replace("\\\"", "\"") : v);
                }
                out.add(f);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> awaitResult(Path log, Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            for (Map<String, String> l : logLines(log)) {
                if ("result".equals(l.get("event"))) {
                    return l;
                }
            }
            Thread.sleep(50);
        }
        fail("no result line within " + d + ": " + logLines(log));
        return null;
    }

    static void release(String gate) throws IOException {
        Files.writeString(gates.resolve(gate), "go");
    }

    static String runsLog() {
        try {
            return Files.exists(runs) ? Files.readString(runs) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- tests ----

    @Test
    void waitModeWithTheRealServer() throws Exception {
        requirePeers();
        Path log = tmp.resolve("wait.log");
        Process p = startLikeNagios(handlerArgs(log, "--wait", "--service", "HTTP-ours", "--hostname", "web-01",
                "-D", "nagios_${service}_${state}", "--remote-bundles", "main", "CRITICAL", "HARD", "3", "127.0.0.1"));
        var out = drain(p.getInputStream());
        var err = drain(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out.get() + err.get());
        assertEquals("", out.get() + err.get());
        List<Map<String, String>> lines = logLines(log);
        assertEquals(2, lines.size(), lines.toString());
        Map<String, String> res = lines.get(1);
        assertEquals("ok", res.get("status"), res.toString());
        assertEquals("0", res.get("exit"));
        assertEquals(server.digest(), res.get("server_key"));
        assertTrue(res.get("output_tail").contains("agent done"), res.toString());
        assertTrue(runsLog().contains("nagios_HTTP_ours_CRITICAL"), "the agent got the class: " + runsLog());
        System.out.println("agent saw: " + runsLog());
    }

    @Test
    void aFailingAgentIsLoggedAndTheHandlerExitsZero() throws Exception {
        requirePeers();
        Path log = tmp.resolve("exit3.log");
        Process p = startLikeNagios(handlerArgs(log, "--wait", "-D", "exit_three", "CRITICAL", "HARD", "3", "127.0.0.1"));
        drain(p.getInputStream());
        drain(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        Map<String, String> res = logLines(log).get(1);
        assertEquals("3", res.get("exit"), res.toString());
        assertEquals("failed", res.get("status"));
    }

    @Test
    void detachedRunSurvivesTheGroupKilledRightAfterTheHandlerExits() throws Exception {
        requirePeers();
        Path log = tmp.resolve("after-exit.log");
        long t0 = System.nanoTime();
        Process handler = startLikeNagios(handlerArgs(log, "--service", "after-exit",
                "-D", "it_${service}_${state},hold_after_exit", "CRITICAL", "HARD", "3", "127.0.0.1"));
        long pgid = handler.pid(); // setsid: the handler leads its own group (and session)
        var out = drain(handler.getInputStream());
        var err = drain(handler.getErrorStream());
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Optional<long[]> gs = groupAndSession(handler.pid());
        while (gs.isPresent() && gs.get()[0] != pgid && System.nanoTime() < until) {
            Thread.sleep(1); // between fork and setsid()
            gs = groupAndSession(handler.pid());
        }
        assertTrue(gs.isEmpty() || gs.get()[0] == pgid, "the handler leads its process group");

        assertTrue(handler.waitFor(30, TimeUnit.SECONDS), "the handler returned");
        long handlerMs = (System.nanoTime() - t0) / 1_000_000;
        // the Nagios worker's completion: the direct child exited; its pipes reach EOF (no grandchild holds them)
        String o = out.get(10, TimeUnit.SECONDS);
        String e = err.get(10, TimeUnit.SECONDS);
        boolean runDoneWhenHandlerExited = logLines(log).stream().anyMatch(l -> "result".equals(l.get("event")))
                || runsLog().contains("it_after_exit_CRITICAL");
        ProcessHandle child = detachedRun(log).orElse(null);
        assertTrue(child != null, "the detached run is running when the handler has exited: " + logLines(log));
        started.add(child);
        kill9Group(pgid); // what the worker does at event_handler_timeout: kill(-pgid, SIGKILL)

        assertEquals(0, handler.exitValue(), o + e);
        assertEquals("", o + e, "nothing on stdout/stderr");
        assertTrue(handlerMs < 10_000, "the handler returned within 10 s: " + handlerMs + " ms");
        assertFalse(runDoneWhenHandlerExited, "the handler returned before the run ended");

        Thread.sleep(200);
        assertTrue(child.isAlive(), "the detached run survived the group kill");
        assertNotEquals(pgid, groupAndSession(child.pid()).map(x -> x[0]).orElse(-1L), "not in the handler's group");
        assertTrue(membersOfGroup(pgid).isEmpty(), "the handler's group is empty");
        release("hold_after_exit");
        Map<String, String> res = awaitResult(log, Duration.ofSeconds(45));
        assertEquals("ok", res.get("status"), res.toString());
        assertEquals("0", res.get("exit"), res.toString());
        assertTrue(res.get("output_tail").contains("agent done"), res.toString());
        assertEquals(Long.toString(child.pid()), res.get("pid"), "the detached process logged it");
        assertTrue(runsLog().contains("it_after_exit_CRITICAL"), runsLog());
        Map<String, String> decision = logLines(log).get(0);
        assertEquals("detached", decision.get("mode"));
        assertEquals(Long.toString(handler.pid()), decision.get("pid"));
        assertTrue(membersOfGroup(pgid).isEmpty(), "the handler's group is empty");
    }

    @Test
    void detachedRunSurvivesTheGroupKilledWhileTheHandlerCommandIsStillRunning() throws Exception {
        requirePeers();
        Path log = tmp.resolve("while-running.log");
        Path marker = tmp.resolve("while-running.exit");
        // the command Nagios runs is still running (as a handler that lingers until event_handler_timeout)
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "\"$0\" \"$@\"; echo $? > " + marker + "; exec sleep 60"));
        cmd.addAll(handlerArgs(log, "--service", "while-running", "-D", "it_${service}_${state},hold_while_running",
                "CRITICAL", "HARD", "3", "127.0.0.1"));
        Process group = startLikeNagios(cmd);
        long pgid = group.pid();
        drain(group.getInputStream());
        drain(group.getErrorStream());

        // as soon as the detached run exists and has left the group (its own session), kill the whole group
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ProcessHandle child = null;
        while (System.nanoTime() < end) {
            Optional<ProcessHandle> c = detachedRun(log);
            if (c.isPresent() && groupAndSession(c.get().pid()).map(x -> x[1] == c.get().pid()).orElse(false)) {
                child = c.get();
                break;
            }
            Thread.sleep(2);
        }
        assertTrue(child != null, "a detached run in its own session within 30 s: " + logLines(log));
        started.add(child);
        List<Long> members = membersOfGroup(pgid);
        boolean handlerJvmStillRunning = !Files.exists(marker);
        kill9Group(pgid);
        System.out.println("killed group " + pgid + " with members " + members + "; handler JVM still running: "
                + handlerJvmStillRunning);

        assertTrue(group.waitFor(20, TimeUnit.SECONDS));
        assertEquals(128 + 9, group.exitValue(), "the group was killed (the sh got SIGKILL)");
        assertTrue(members.contains(pgid) && !members.contains(child.pid()), "killed while it ran: " + members);
        assertTrue(child.isAlive(), "the detached run is still running after the kill");
        assertFalse(runsLog().contains("it_while_running_CRITICAL"), "the kill came before the run ended");
        release("hold_while_running");

        Map<String, String> res = awaitResult(log, Duration.ofSeconds(45));
        assertEquals("ok", res.get("status"), res.toString());
        assertEquals("0", res.get("exit"), res.toString());
        assertEquals(Long.toString(child.pid()), res.get("pid"));
        assertTrue(runsLog().contains("it_while_running_CRITICAL"), runsLog());
        assertTrue(membersOfGroup(pgid).isEmpty());
        if (Files.exists(marker)) {
            assertEquals("0", Files.readString(marker).strip(), "the handler itself exited 0");
        }
    }

    @Test
    void whileADetachedRunHoldsTheLockARepeatIsSkippedAndAnotherRepairWaits() throws Exception {
        requirePeers();
        Path log = tmp.resolve("locked.log");
        Process first = startLikeNagios(handlerArgs(log, "--service", "locked", "-D", "it_${service}_first,hold_locked",
                "CRITICAL", "SOFT", "3", "127.0.0.1"));
        drain(first.getInputStream());
        drain(first.getErrorStream());
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        // wait until the detached run holds the lock (its cooldown stamp is written right after taking it)
        Path state = stateDir(log);
        String prefix = "127.0.0.1_" + server.port() + ".";
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        boolean running = false;
        while (!running && System.nanoTime() < end) {
            if (Files.isDirectory(state)) {
                try (var files = Files.list(state)) {
                    running = files.anyMatch(f -> f.getFileName().toString().startsWith(prefix)
                            && f.getFileName().toString().endsWith(".last"));
                }
            }
            Thread.sleep(20);
        }
        assertTrue(running, "the detached run started");
        detachedRun(log).ifPresent(started::add);

        // the same event again (Nagios re-runs a handler on every SOFT recheck): skipped
        Process repeat = startLikeNagios(handlerArgs(log, "--service", "locked", "-D", "it_${service}_first,hold_locked",
                "CRITICAL", "HARD", "4", "127.0.0.1"));
        drain(repeat.getInputStream());
        drain(repeat.getErrorStream());
        assertTrue(repeat.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, repeat.exitValue());
        // another repair for the same host (another service failed meanwhile): it waits for the first, then runs
        Process other = startLikeNagios(handlerArgs(log, "--service", "locked", "-D", "it_${service}_second",
                "CRITICAL", "HARD", "4", "127.0.0.1"));
        drain(other.getInputStream());
        drain(other.getErrorStream());
        assertTrue(other.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, other.exitValue());
        Thread.sleep(300);
        assertFalse(runsLog().contains("it_locked_second"), "the second repair does not overlap the first");
        detachedRuns(log).forEach(started::add);
        release("hold_locked");

        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        List<Map<String, String>> results = List.of();
        while (System.nanoTime() < deadline) {
            results = logLines(log).stream().filter(l -> "result".equals(l.get("event"))).toList();
            if (results.size() >= 2) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(2, results.size(), logLines(log).toString());
        assertTrue(results.stream().allMatch(r -> "ok".equals(r.get("status"))), results.toString());
        List<Map<String, String>> decisions = logLines(log).stream().filter(l -> "decision".equals(l.get("event"))).toList();
        assertEquals(3, decisions.size(), logLines(log).toString());
        assertEquals("skip", decisions.get(1).get("action"));
        assertTrue(decisions.get(1).get("reason").contains("same classes is in progress"), decisions.get(1).toString());
        assertEquals("run", decisions.get(2).get("action"));
        assertTrue(runsLog().contains("it_locked_second"), "the waiting repair ran after the first: " + runsLog());
    }

    @Test
    void templatesCanonifyAsCfAgentDoes() throws Exception {
        Peers.requireCfEngine();
        List<String> samples = List.of("HTTP-ours", "web-01.example.com", "two words", "café", "Über wachung", "日本",
                "x;y", "a/b", "tab\there", "_ok_", "192.0.2.10", "::1");
        StringBuilder policy = new StringBuilder("body common control\n{\n  bundlesequence => { \"main\" };\n}\n"
                + "bundle agent main\n{\n  reports:\n");
        for (int i = 0; i < samples.size(); i++) {
            String s = samples.get(i).replace("\\", "\\\\").replace("\"", "\\\"");
            policy.append("    \"CANON ").append(i).append(" [$(with)]\" with => canonify(\"").append(s).append("\");\n");
        }
        policy.append("}\n");
        ClientWorkdir wd = ClientWorkdir.withCfKey(tmp.resolve("canon"));
        Path f = wd.workdir.resolve("inputs/canon.cf");
        Files.createDirectories(f.getParent());
        Files.writeString(f, policy.toString(), StandardCharsets.UTF_8);
        Proc.Result r = Proc.run(List.of(Peers.CF_AGENT.toString(), "-K", "-f", f.toString()), CfServerd.env(wd.workdir),
                Duration.ofSeconds(60));
        Map<Integer, String> cf = new LinkedHashMap<>();
        Matcher m = Pattern.compile("R: CANON (\\d+) \\[(.*)]").matcher(r.out());
        while (m.find()) {
            cf.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        assertEquals(samples.size(), cf.size(), r.toString());
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            if (!cf.get(i).equals(ClassNames.canonify(samples.get(i)))) {
                mismatches.add(samples.get(i) + ": cf-agent " + cf.get(i) + ", ours " + ClassNames.canonify(samples.get(i)));
            }
        }
        assertEquals(List.of(), mismatches, "class names must match what policy gets from canonify()");
    }
}
