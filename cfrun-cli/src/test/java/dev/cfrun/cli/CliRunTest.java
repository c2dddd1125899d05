package dev.cfrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cfrun.cli.CliHarness.Capture;
import dev.cfrun.cli.CliHarness.Result;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Opening;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import dev.cfrun.fakeserver.FakeCfServerd.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.cfrun.cli.CliHarness.args;
import static dev.cfrun.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cfrun end to end, in process, against fake cf-serverds on 127.0.0.1: output, exit codes, fan-out, JSON, files. */
class CliRunTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final String IP = "127.0.0.1";
    private static final String COMMAND_LINE = IP + "> cf-serverd executing cfruncommand: " + FakeCfServerd.DEFAULT_COMMAND + "\n";
    private static final Pattern SUMMARY = Pattern.compile(
            "cfrun: (\\d+) hosts in \\d+\\.\\d s: (\\d+) ok, (\\d+) failed, (\\d+) unreachable(.*)");

    @TempDir
    Path dir;
    private Path wd;
    private final List<FakeCfServerd> fakes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        wd = CliHarness.workdir(dir.resolve("work"));
        CliHarness.trustKeyFile(wd, (java.security.interfaces.RSAPublicKey) FakeCfServerd.defaultKeys().getPublic());
    }

    @AfterEach
    void tearDown() {
        fakes.forEach(FakeCfServerd::close);
    }

    private FakeCfServerd fake(Reply reply) throws Exception {
        return fake(s -> reply);
    }

    private FakeCfServerd fake(Function<FakeCfServerd.Session, Reply> reply) throws Exception {
        FakeCfServerd f = FakeCfServerd.start();
        f.allowClient(CliHarness.identity(wd).publicKey());
        f.reply(reply);
        fakes.add(f);
        return f;
    }

    private String[] cfrun(String protocol, Object... more) {
        return args("--workdir", wd, "--protocol", protocol, "-t", "5", "--handshake-timeout", "10",
                "--idle-timeout", "10", more);
    }

    private static String text(String... outputLines) {
        return text(0, outputLines);
    }

    /** What cf-runagent prints for a Reply.ok run. */
    private static String text(int exit, String... outputLines) {
        StringBuilder sb = new StringBuilder(COMMAND_LINE);
        for (String l : outputLines) {
            sb.append(IP).append("> -> ").append(l).append('\n');
        }
        return sb.append(IP).append("> (exit code: ").append(exit).append(")\n").toString();
    }

    private static void assertNoStackTraces(Result r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception:") || r.err().contains("Caused by"),
                "no stack traces: " + r);
    }

    /** Every stderr line is "cfrun: …"; returns the summary's numbers {hosts, ok, failed, unreachable}. */
    private static int[] summary(Result r) {
        List<String> lines = r.errLines();
        for (String l : lines) {
            assertTrue(l.startsWith("cfrun: "), "stderr line: " + l + "\n" + r);
        }
        String last = lines.get(lines.size() - 1);
        var m = SUMMARY.matcher(last);
        assertTrue(m.matches(), "summary line: " + last);
        assertEquals(1, lines.stream().filter(l -> SUMMARY.matcher(l).matches()).count(), r.toString());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
            Integer.parseInt(m.group(4))};
    }

    // ---- one host: the remote exit code ----

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void oneHostPrintsAsCfRunagentAndReturnsTheRemoteExitCode(String protocol) throws Exception {
        FakeCfServerd f = fake(Reply.ok(3, "first line", "  second"));
        Result r = run(cfrun(protocol, "-H", f.hostSpec()));
        assertEquals(3, r.exit(), r.toString());
        assertEquals(text(3, "first line", "  second"), r.out());
        assertEquals("", r.err(), "no summary for one host");
        assertEquals(protocol, f.session(0).protocol);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void oneHostSucceeding(String protocol) throws Exception {
        FakeCfServerd f = fake(Reply.ok(0, "done"));
        Result r = run(cfrun(protocol, f.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(text("done"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void noExitCodeLineIs255() throws Exception {
        FakeCfServerd f = fake(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"),
                Step.line("> from a 3.15 server\n"), Step.terminator()));
        Result r = run(cfrun("tls", "-H", f.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertEquals(COMMAND_LINE + IP + "> -> from a 3.15 server\n", r.out());
        assertEquals("", r.err(), "not an error: the output is all there is");
    }

    @Test
    void exitCodesAboveAByteAreTruncatedAsByAShell() throws Exception {
        FakeCfServerd f = fake(Reply.ok(256 + 7));
        assertEquals(7, run(cfrun("tls", "-H", f.hostSpec())).exit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void oneHostRefusedIs255WithTheRefusalPrintedAndOneErrorLine(String protocol) throws Exception {
        FakeCfServerd f = fake(Reply.refuse());
        Result r = run(cfrun(protocol, "-H", f.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertEquals(IP + "> !!  Unspecified server refusal (see verbose server output)\n\n", r.out());
        assertEquals(1, r.errLines().size(), r.toString());
        String e = r.errLines().get(0);
        assertTrue(e.startsWith("cfrun: " + f.hostSpec() + ": "), e);
        assertTrue(e.contains("likely causes: ") && e.contains("allowusers"), e);
        assertNoStackTraces(r);
    }

    @Test
    void serverTextInAnErrorLineCannotBreakOrRewriteTheLine() throws Exception {
        // a hostile or broken server's refusal text with a carriage return, an escape sequence, a bell,
        // a vertical tab and a Unicode line separator
        FakeCfServerd f = fake(Reply.denied("EXEC denied role activation\rcfrun: other: fine\u001b[2K\u0007\u000b\u2028x"));
        Result r = run(cfrun("tls", "-D", "c", "-H", f.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        String e = r.errLines().get(0);
        assertTrue(e.startsWith("cfrun: " + f.hostSpec() + ": "), e);
        assertTrue(e.contains("EXEC denied role activation"), e);
        assertTrue(e.chars().noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029),
                "control characters in the error line: " + e.replace("\r", "<CR>").replace("\u001b", "<ESC>"));
        // stdout shows the server's text as cf-runagent does (verbatim)
        assertTrue(r.out().contains("\u001b[2K"), r.out());
    }

    @Test
    void oneHostUnreachableIs255() {
        int port = CliHarness.closedPort();
        Result r = run(cfrun("tls", "-H", IP + ":" + port));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().startsWith("cfrun: " + IP + ":" + port + ": could not connect"), r.toString());
        assertNoStackTraces(r);
    }

    @Test
    void silentServerIsOneTimeoutLine() throws Exception {
        FakeCfServerd f = fake(Reply.ok(0));
        f.opening(Opening.SILENCE);
        Result r = run(args("--workdir", wd, "-t", "5", "--handshake-timeout", "0.3", "-H", f.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().startsWith("cfrun: " + f.hostSpec() + ": "), r.toString());
        assertNoStackTraces(r);
    }

    @Test
    void oneHostAtATimeIsPrintedLiveAsTheLinesArrive() throws Exception {
        // the server sends a line, then keeps the agent "running"; a watcher hangs up on it as soon as the
        // line is on stdout: only a client printing lines as they arrive lets the watcher see it
        FakeCfServerd f = fake(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"),
                Step.line("> early\n"), Step.pause(Duration.ofSeconds(10)), Step.line("(exit code: 0)\n"),
                Step.terminator()));
        Capture capture = new Capture();
        AtomicBoolean seenWhileRunning = new AtomicBoolean(false);
        Thread watcher = new Thread(() -> {
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < end) {
                if (capture.outSoFar().contains("> -> early\n")) {
                    seenWhileRunning.set(true);
                    f.close();
                    return;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stdout-watcher");
        watcher.start();
        Result r = CliHarness.runWithInput("", capture, cfrun("tls", "-H", f.hostSpec()));
        watcher.join(20_000);
        assertTrue(seenWhileRunning.get(), r.toString());
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), "the run was cut off: " + r);
        assertEquals(COMMAND_LINE + IP + "> -> early\n", r.out());
        assertEquals(1, r.errLines().size(), r.toString());
    }

    @Test
    void idleTimeoutKeepsTheLinesReceivedAndNamesThePhase() throws Exception {
        FakeCfServerd f = fake(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"),
                Step.line("> started\n"), Step.silence()));
        Result text = run(args("--workdir", wd, "--idle-timeout", "0.3", "-H", f.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, text.exit(), text.toString());
        assertEquals(COMMAND_LINE + IP + "> -> started\n", text.out());
        assertEquals(1, text.errLines().size(), text.toString());

        Result json = run(args("--workdir", wd, "--idle-timeout", "0.3", "--format", "json", "-H", f.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, json.exit(), json.toString());
        JsonNode j = JACKSON.readTree(json.out());
        assertEquals("timeout", j.get("error").get("kind").textValue());
        assertEquals("idle", j.get("error").get("phase").textValue().toLowerCase(java.util.Locale.ROOT));
        assertEquals(List.of("command", "output"), kinds(j.get("lines")));
        assertEquals("started", j.get("output").get(0).textValue());
    }

    // ---- several hosts: the number of failed hosts ----

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void severalHostsReturnTheNumberOfFailedHostsAndASummary(String protocol) throws Exception {
        FakeCfServerd ok1 = fake(Reply.ok(0, "a"));
        FakeCfServerd nonZero = fake(Reply.ok(2, "b"));
        FakeCfServerd refusing = fake(Reply.refuse());
        int closed = CliHarness.closedPort();
        FakeCfServerd ok2 = fake(Reply.ok(0, "c"));
        Result r = run(cfrun(protocol, "-H", ok1.hostSpec() + "," + nonZero.hostSpec(), "-H", refusing.hostSpec(),
                "--hail", IP + ":" + closed + "," + ok2.hostSpec()));
        assertEquals(3, r.exit(), r.toString());
        // without -b: one host at a time, in the order given
        assertEquals(text("a") + text(2, "b") + IP + "> !!  Unspecified server refusal (see verbose server output)\n\n"
                + text("c"), r.out());
        assertArrayEquals(new int[] {5, 2, 2, 1}, summary(r), r.toString());
        List<String> errors = r.errLines().subList(0, r.errLines().size() - 1);
        assertEquals(2, errors.size(), "one line per failed host (a non-zero exit code is no error): " + r);
        assertTrue(errors.get(0).startsWith("cfrun: " + refusing.hostSpec() + ": "), r.toString());
        assertTrue(errors.get(1).startsWith("cfrun: " + IP + ":" + closed + ": "), r.toString());
        assertNoStackTraces(r);
    }

    @Test
    void quietSuppressesTheSummaryButNotTheErrors() throws Exception {
        FakeCfServerd ok = fake(Reply.ok(0, "a"));
        int closed = CliHarness.closedPort();
        Result r = run(cfrun("tls", "-q", "-H", ok.hostSpec() + "," + IP + ":" + closed));
        assertEquals(1, r.exit(), r.toString());
        assertEquals(text("a"), r.out());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().startsWith("cfrun: " + IP + ":" + closed + ": could not connect"), r.toString());
    }

    @Test
    void allSucceedingIsZero() throws Exception {
        FakeCfServerd a = fake(Reply.ok(0, "a"));
        FakeCfServerd b = fake(Reply.ok(0, "b"));
        Result r = run(cfrun("tls", "-b", "2", "--sorted", "-H", a.hostSpec() + "," + b.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(text("a") + text("b"), r.out());
        assertArrayEquals(new int[] {2, 2, 0, 0}, summary(r), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
    }

    @Test
    void failedHostCountIsCappedAt100() {
        int port = CliHarness.closedPort();
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < 103; i++) {
            hosts.add(IP + ":" + port);
        }
        Result r = run(args("--workdir", wd, "-b", "50", "-t", "2", "-H", String.join(",", hosts)));
        assertEquals(ExitCodes.MAX_FAILED_HOSTS, r.exit(), r.toString());
        assertArrayEquals(new int[] {103, 0, 0, 103}, summary(r), r.toString());
        assertEquals(104, r.errLines().size(), "one line per host and the summary");
        assertEquals("", r.out());
    }

    // ---- -b N: concurrent hosts, output per host ----

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void concurrentHostsNeverInterleaveTheirLines(String protocol) throws Exception {
        int n = 4;
        int lines = 12;
        CountDownLatch allAtExec = new CountDownLatch(n);
        AtomicBoolean concurrent = new AtomicBoolean(true);
        List<String> hostSpecs = new ArrayList<>();
        for (int h = 0; h < n; h++) {
            int host = h;
            FakeCfServerd f = fake(s -> {
                allAtExec.countDown();
                try {
                    if (!allAtExec.await(10, TimeUnit.SECONDS)) {
                        concurrent.set(false);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                List<Step> steps = new ArrayList<>();
                steps.add(Step.line("cf-serverd executing cfruncommand: /bin/true\n"));
                for (int l = 0; l < lines; l++) {
                    steps.add(Step.line("> host " + host + " line " + l + "\n"));
                    steps.add(Step.pause(Duration.ofMillis(3)));
                }
                steps.add(Step.line("(exit code: " + host + ")\n"));
                steps.add(Step.terminator());
                return new Reply(steps);
            });
            hostSpecs.add(f.hostSpec());
        }
        Result r = run(cfrun(protocol, "-b", n, "-H", String.join(",", hostSpecs)));
        assertTrue(concurrent.get(), "the fakes answered only once every host was at EXEC");
        assertEquals(3, r.exit(), "hosts 1..3 returned non-zero: " + r);
        List<String> out = r.outLines();
        assertEquals(n * (lines + 2), out.size(), r.toString());
        // each host's block: command line, its lines in order, exit code line, all contiguous
        for (int b = 0; b < n; b++) {
            List<String> block = out.subList(b * (lines + 2), (b + 1) * (lines + 2));
            assertEquals(COMMAND_LINE.strip(), block.get(0), r.toString());
            String first = block.get(1);
            assertTrue(first.startsWith(IP + "> -> host "), first);
            int host = Integer.parseInt(first.substring((IP + "> -> host ").length()).split(" ")[0]);
            for (int l = 0; l < lines; l++) {
                assertEquals(IP + "> -> host " + host + " line " + l, block.get(1 + l), "block " + b + ":\n" + r);
            }
            assertEquals(IP + "> (exit code: " + host + ")", block.get(lines + 1), r.toString());
        }
    }

    @Test
    void bareBackgroundOptionRunsHostsConcurrently() throws Exception {
        int n = 3;
        CountDownLatch allAtExec = new CountDownLatch(n);
        AtomicBoolean concurrent = new AtomicBoolean(true);
        List<String> hostSpecs = new ArrayList<>();
        for (int h = 0; h < n; h++) {
            FakeCfServerd f = fake(s -> {
                allAtExec.countDown();
                try {
                    if (!allAtExec.await(5, TimeUnit.SECONDS)) {
                        concurrent.set(false);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Reply.ok(0, "x");
            });
            hostSpecs.add(f.hostSpec());
        }
        Result r = run(cfrun("tls", "-b", "-H", String.join(",", hostSpecs)));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(concurrent.get(), "-b without a number hails up to 50 hosts at once");
    }

    @Test
    void sortedPrintsInTheOrderGivenEvenWhenLaterHostsFinishFirst() throws Exception {
        List<FakeCfServerd> last = new ArrayList<>();
        AtomicBoolean lastFinishedFirst = new AtomicBoolean(true);
        Function<String, Function<FakeCfServerd.Session, Reply>> waitingForLast = name -> s -> {
            try {
                last.get(0).session(0); // returns once the last host's connection is over
            } catch (InterruptedException | AssertionError e) {
                lastFinishedFirst.set(false);
            }
            return Reply.of(Step.pause(Duration.ofMillis(150)), Step.line("cf-serverd executing cfruncommand: /bin/true\n"),
                    Step.line("> " + name + "\n"), Step.line("(exit code: 0)\n"), Step.terminator());
        };
        FakeCfServerd a = fake(waitingForLast.apply("first"));
        FakeCfServerd b = fake(waitingForLast.apply("second"));
        FakeCfServerd c = fake(Reply.ok(0, "third"));
        last.add(c);
        Result r = run(cfrun("tls", "-b", "3", "--sorted", "-H", a.hostSpec() + "," + b.hostSpec() + "," + c.hostSpec()));
        assertTrue(lastFinishedFirst.get());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(text("first") + text("second") + text("third"), r.out());
    }

    @Test
    void withoutSortedHostsArePrintedAsTheyFinish() throws Exception {
        Capture capture = new Capture();
        AtomicBoolean sawThird = new AtomicBoolean(false);
        FakeCfServerd a = fake(s -> {
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!capture.outSoFar().contains("third") && System.nanoTime() < end) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            sawThird.set(capture.outSoFar().contains("third"));
            return Reply.ok(0, "first");
        });
        FakeCfServerd c = fake(Reply.ok(0, "third"));
        Result r = CliHarness.runWithInput("", capture, cfrun("tls", "-b", "2", "-H", a.hostSpec() + "," + c.hostSpec()));
        assertTrue(sawThird.get(), "the second host's output was printed while the first was still running: " + r);
        assertEquals(text("third") + text("first"), r.out());
    }

    // ---- --format json ----

    private static List<String> kinds(JsonNode lines) {
        List<String> k = new ArrayList<>();
        lines.forEach(l -> k.add(l.get("kind").textValue()));
        return k;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void jsonOneObjectPerHost(String protocol) throws Exception {
        FakeCfServerd ok = fake(Reply.ok(0, "one", "two \"quoted\" \u0001"));
        FakeCfServerd refusing = fake(Reply.refuse());
        int closed = CliHarness.closedPort();
        long t0 = System.nanoTime();
        Result r = run(cfrun(protocol, "--format", "json", "-H", ok.hostSpec() + "," + refusing.hostSpec() + ","
                + IP + ":" + closed));
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(2, r.exit(), r.toString());
        List<String> lines = r.outLines();
        assertEquals(3, lines.size(), r.toString());

        JsonNode j = JACKSON.readTree(lines.get(0));
        assertEquals(IP, j.get("host").textValue());
        assertEquals(ok.port(), j.get("port").intValue());
        assertEquals(IP, j.get("address").textValue());
        assertEquals(protocol, j.get("protocol").textValue());
        assertEquals(protocol.equals("tls") ? 3 : 1, j.get("protocol_version").intValue());
        assertEquals(protocol.equals("tls"), j.get("tls_version").isTextual(), j.toString());
        assertEquals(protocol.equals("tls"), j.get("cipher_suite").isTextual(), j.toString());
        assertEquals(ok.digest(), j.get("server_key").textValue());
        assertFalse(j.get("server_key_newly_trusted").booleanValue());
        // classic: first contact with a key trusted by file only ("n" form), the server did not prove it
        assertEquals(protocol.equals("tls"), j.get("server_authenticated").booleanValue(), j.toString());
        assertEquals(FakeCfServerd.DEFAULT_COMMAND, j.get("command").textValue());
        assertEquals(0, j.get("exit_code").intValue());
        assertTrue(j.get("ok").booleanValue());
        assertEquals(List.of("one", "two \"quoted\" \u0001"), List.of(j.get("output").get(0).textValue(),
                j.get("output").get(1).textValue()));
        assertEquals(2, j.get("output").size());
        assertEquals(List.of("command", "output", "output", "exit_code"), kinds(j.get("lines")));
        assertEquals("0", j.get("lines").get(3).get("text").textValue());
        assertTrue(j.get("error").isNull());
        JsonNode t = j.get("timings_ms");
        for (String k : List.of("connect", "handshake", "exec", "total")) {
            assertTrue(t.get(k).isIntegralNumber(), k + " in " + t);
        }
        // the phases add up to at most the total (1 ms of rounding each), the total to at most this call
        assertTrue(t.get("connect").longValue() + t.get("handshake").longValue() + t.get("exec").longValue()
                <= t.get("total").longValue() + 3, t.toString());
        assertTrue(t.get("total").longValue() <= wallMs, "total above the wall time (" + wallMs + " ms): " + t);

        JsonNode refused = JACKSON.readTree(lines.get(1));
        assertEquals(refusing.port(), refused.get("port").intValue());
        assertTrue(refused.get("exit_code").isNull());
        assertFalse(refused.get("ok").booleanValue());
        assertEquals(List.of("refusal"), kinds(refused.get("lines")));
        assertEquals(0, refused.get("output").size());
        JsonNode e = refused.get("error");
        assertEquals("refused", e.get("kind").textValue());
        assertTrue(e.get("message").textValue().contains(refusing.hostSpec()), e.toString());
        assertTrue(e.get("server_text").textValue().contains("Unspecified server refusal"), e.toString());
        assertTrue(e.get("likely_causes").isArray() && e.get("likely_causes").size() > 0, e.toString());
        assertTrue(e.get("likely_causes").toString().contains("allowusers"), e.toString());
        assertTrue(refused.get("timings_ms").get("total").isIntegralNumber(), refused.toString());

        JsonNode unreachable = JACKSON.readTree(lines.get(2));
        assertEquals(closed, unreachable.get("port").intValue());
        assertTrue(unreachable.get("address").isNull());
        assertTrue(unreachable.get("server_key").isNull());
        assertEquals("connect", unreachable.get("error").get("kind").textValue());
        assertTrue(unreachable.get("error").get("likely_causes").isArray(), unreachable.toString());
        assertEquals(0, unreachable.get("lines").size());

        assertArrayEquals(new int[] {3, 1, 1, 1}, summary(r), r.toString());
    }

    @Test
    void jsonForAnUnknownKeyCarriesThePresentedDigest() throws Exception {
        FakeCfServerd stranger = FakeCfServerd.start(FakeCfServerd.otherKeys());
        fakes.add(stranger);
        stranger.allowClient(CliHarness.identity(wd).publicKey());
        Result r = run(cfrun("tls", "--format", "json", "-H", stranger.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        JsonNode j = JACKSON.readTree(r.out());
        assertEquals(stranger.digest(), j.get("server_key").textValue());
        assertEquals("unknown_server_key", j.get("error").get("kind").textValue());
    }

    @Test
    void jsonWithHostileOutputIsStillValid() throws Exception {
        FakeCfServerd f = fake(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"),
                new Step(Step.Kind.SEND, dev.cfrun.client.internal.transport.Frames.encode(
                        "> \u007f\u0002\u001b[31mred\\ \"q\" \u00e9\n".getBytes(StandardCharsets.ISO_8859_1)), 0),
                Step.line("(exit code: 0)\n"),
                Step.terminator()));
        Result r = run(cfrun("tls", "--format", "json", "-H", f.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = JACKSON.readTree(r.out());
        assertEquals(1, j.get("output").size(), j.toString());
        String line = j.get("output").get(0).textValue();
        assertEquals("\u007f\u0002\u001b[31mred\\ \"q\" \uFFFD", line, "invalid UTF-8 becomes U+FFFD");
    }

    // ---- --output-dir ----

    @Test
    void outputDirWritesOneFilePerHost() throws Exception {
        FakeCfServerd a = fake(Reply.ok(0, "from a"));
        FakeCfServerd b = fake(Reply.ok(1, "from b"));
        FakeCfServerd refusing = fake(Reply.refuse());
        Path out = dir.resolve("out");
        Result r = run(cfrun("tls", "-b", "3", "--output-dir", out, "-H",
                a.hostSpec() + "," + b.hostSpec() + "," + refusing.hostSpec()));
        assertEquals(2, r.exit(), r.toString());
        assertEquals("", r.out(), "nothing on stdout for hosts written to files");
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(IP + "_" + a.port(), IP + "_" + b.port(), IP + "_" + refusing.port()).stream().sorted().toList(),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(text("from a"), Files.readString(out.resolve(IP + "_" + a.port())));
        assertEquals(text(1, "from b"), Files.readString(out.resolve(IP + "_" + b.port())));
        String refused = Files.readString(out.resolve(IP + "_" + refusing.port()));
        assertTrue(refused.startsWith(IP + "> !!  Unspecified server refusal (see verbose server output)\n\ncfrun: "
                + refusing.hostSpec() + ": "), refused);
        for (FakeCfServerd f : List.of(a, b, refusing)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(IP + "_" + f.port()))));
        }
        assertArrayEquals(new int[] {3, 1, 2, 0}, summary(r), r.toString());
        assertTrue(r.errLines().get(r.errLines().size() - 1).endsWith("; output in " + out), r.toString());
    }

    @Test
    void outputDirForOneHostAndJson() throws Exception {
        FakeCfServerd a = fake(Reply.ok(4, "x"));
        Path out = dir.resolve("json-out");
        Result r = run(cfrun("tls", "--format", "json", "--output-dir", out, "-H", a.hostSpec()));
        assertEquals(4, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals("", r.err());
        String content = Files.readString(out.resolve(IP + "_" + a.port()));
        assertTrue(content.endsWith("}\n") && content.indexOf('\n') == content.length() - 1, content);
        assertEquals(4, JACKSON.readTree(content).get("exit_code").intValue());
    }

    // ---- cfrun.hosts (cfrun 2.x style) against 3.x servers ----

    @Test
    void hostsFileGivesHostsPerHostClassesParallelismAndOutputDir() throws Exception {
        FakeCfServerd a = fake(Reply.ok(0, "a"));
        FakeCfServerd b = fake(Reply.ok(0, "b"));
        Path out = dir.resolve("hosts-out");
        Path hosts = dir.resolve("cfrun.hosts");
        Files.writeString(hosts, "# test\nmaxchild = 2\noutputdir = " + out + "\n" + a.hostSpec() + " -D web\n"
                + b.hostSpec() + "\n", StandardCharsets.UTF_8);
        Result r = run(cfrun("tls", "-f", hosts, "--", "-D", "all"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals("EXEC -Dweb,all", a.session(0).execLine);
        assertEquals("EXEC -Dall", b.session(0).execLine);
        assertEquals(text("a"), Files.readString(out.resolve(IP + "_" + a.port())));
        assertEquals(text("b"), Files.readString(out.resolve(IP + "_" + b.port())));
        assertArrayEquals(new int[] {2, 2, 0, 0}, summary(r), r.toString());

        // a host named on the command line selects it from the file
        Result one = run(cfrun("tls", "-f", hosts, "--output-dir", dir.resolve("one"), b.hostSpec()));
        assertEquals(0, one.exit(), one.toString());
        assertEquals(1, a.sessions().size(), "the other host was not hailed");
        assertEquals(2, b.sessions().size());
        assertTrue(Files.exists(dir.resolve("one").resolve(IP + "_" + b.port())), "--output-dir overrides outputdir");
        assertEquals("", one.err(), "one host: no summary");
    }

    @Test
    void hostsFileOptionsOnlyACfengine2ServerTakesAreRefusedWithTheirPlace() throws Exception {
        FakeCfServerd a = fake(Reply.ok(0, "a"));
        Path hosts = dir.resolve("cfrun.hosts");
        Files.writeString(hosts, "# test\n" + a.hostSpec() + " -v -K\n", StandardCharsets.UTF_8);
        Result r = run(cfrun("tls", "-f", hosts));
        assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
        assertTrue(r.err().contains("[-v, -K]") && r.err().contains("cfrun.hosts:2"), r.toString());
        assertEquals(List.of(), a.sessions());
    }

    @Test
    void hostsFileUnknownSelection() throws Exception {
        Path hosts = dir.resolve("cfrun.hosts");
        Files.writeString(hosts, "web1\n", StandardCharsets.UTF_8);
        Result r = run(cfrun("tls", "-f", hosts, "web2"));
        assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
        assertTrue(r.err().contains("'web2' is not in the hosts file"), r.toString());
    }

    @Test
    void fileNamesAsReporterNamesThem() {
        // the default port is left out; characters unsafe in a file name become '_'
        assertEquals("web1.example.com", Reporter.fileName(outcome("web1.example.com:5308")));
        assertEquals("web1_5309", Reporter.fileName(outcome("web1:5309")));
        assertEquals("2001_db8__1", Reporter.fileName(outcome("[2001:db8::1]")));
        assertEquals("2001_db8__1_5309", Reporter.fileName(outcome("[2001:db8::1]:5309")));
    }

    private static dev.cfrun.client.HostOutcome outcome(String host) {
        return new dev.cfrun.client.HostOutcome(0, dev.cfrun.client.RunRequest.builder(host).build(),
                java.util.Optional.empty(), java.util.Optional.of(new dev.cfrun.client.CfRunException(
                        dev.cfrun.client.ErrorKind.CONNECT, "x")), Duration.ZERO);
    }

    @Test
    void endlessOutputStopsAtMaxOutputLines() throws Exception {
        FakeCfServerd f = fake(Reply.of(FakeCfServerd.Step.line("cf-serverd executing cfruncommand: /bin/yes\n"),
                FakeCfServerd.Step.endlessOutput()));
        CliHarness.Result r = CliHarness.run("--workdir", wd.toString(), "-H", f.hostSpec(), "--max-output-lines", "500",
                "--format", "json");
        assertEquals(255, r.exit(), r.toString());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("output_limit", j.get("error").get("kind").asText(), r.out());
        assertEquals(500, j.get("lines").size(), "exactly the limit is kept");
        assertTrue(r.err().contains("more than 500 output lines"), r.err());
    }
}
