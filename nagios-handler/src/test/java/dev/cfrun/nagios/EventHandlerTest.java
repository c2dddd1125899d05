package dev.cfrun.nagios;

import dev.cfrun.client.HostAddress;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import dev.cfrun.fakeserver.FakeCfServerd.Step;
import dev.cfrun.fakeserver.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link EventHandler#run} in process with {@code --wait} (and once detached, its child a real second JVM) against
 * the scriptable fake cf-serverd: what the server received, what the log says, and the exit status.
 */
class EventHandlerTest {
    @TempDir
    Path dir;
    private FakeCfServerd fake;
    private Path work;
    private Path log;
    private Path stateDir;

    @BeforeEach
    void setUp() throws Exception {
        fake = FakeCfServerd.start();
        work = clientOf(fake, dir.resolve("work"));
        log = dir.resolve("handler.log");
        stateDir = work.resolve("cfrun-handler");
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    /** A client work dir (test keys) whose key {@code fake} accepts and which trusts the fake's key. */
    static Path clientOf(FakeCfServerd fake, Path workdir) throws Exception {
        Path work = TestKeys.workdir(workdir);
        fake.allowClient(KeyFiles.loadFromWorkdir(work).publicKey());
        trust(work, fake.publicKey());
        return work;
    }

    /** {@code cf-key -t}: the server key as ppkeys/root-MD5=….pub. */
    static void trust(Path workdir, RSAPublicKey key) {
        try {
            Path f = KeyFiles.ppkeys(workdir).resolve("root-" + KeyDigest.md5(key) + ".pub");
            Files.writeString(f, RsaKeys.writePublic(key), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit=" + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run handler(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = EventHandler.run(args.toArray(new String[0]), o, e);
        }
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The handler with our work dir, log, short timeouts and --wait, then these arguments. */
    private Run handlerWait(String... args) {
        List<String> a = new ArrayList<>(List.of("--workdir", work.toString(), "--log", log.toString(), "--wait",
                "-t", "5", "--idle-timeout", "10", "--max-time", "20"));
        a.addAll(List.of(args));
        return handler(a);
    }

    /** The handler at the fake's port. */
    private Run event(String... args) {
        List<String> a = new ArrayList<>(List.of("--port", Integer.toString(fake.port())));
        a.addAll(List.of(args));
        return handlerWait(a.toArray(new String[0]));
    }

    // ---- the log: "<time> cfrun-event-handler[<pid>]: key=value ..." ----
    private static final Pattern LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z cfrun-event-handler\\[(\\d+)]: (.*)");
    private static final Pattern FIELD = Pattern.compile("([a-z_]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^ \"]+)(?: |$)");

    /** One log line's fields (plus "pid"), parsed independently of HandlerLog. */
    static Map<String, String> parse(String line) {
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), "log line format: " + line);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("pid", m.group(1));
        Matcher fm = FIELD.matcher(m.group(2));
        int pos = 0;
        while (pos < m.group(2).length()) {
            assertTrue(fm.find(pos) && fm.start() == pos, "field at " + pos + " in: " + line);
            String v = fm.group(2);
            if (v.startsWith("\"")) {
                v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            assertNull(f.put(fm.group(1), v), "field " + fm.group(1) + " twice in: " + line);
            pos = fm.end();
        }
        return f;
    }

    static List<Map<String, String>> logLines(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertTrue(text.isEmpty() || text.endsWith("\n"), "whole lines only");
            List<Map<String, String>> out = new ArrayList<>();
            for (String l : text.split("\n")) {
                if (!l.isEmpty()) {
                    out.add(parse(l));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Map<String, String>> logLines() {
        return logLines(log);
    }

    private static void assertOnlyNothingPrinted(Run r) {
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out(), "nothing on stdout: Nagios discards it anyway");
        assertEquals("", r.err(), "nothing on stderr");
    }

    // ---- acting ----

    @Test
    void criticalHardRunsTheAgentWithTheExpandedClassAndLogsDecisionAndResult() throws Exception {
        Run r = event("--service", "HTTP-ours", "--hostname", "web-01", "-D", "nagios_${service}_${state}",
                "CRITICAL", "HARD", "3", "127.0.0.1");
        assertOnlyNothingPrinted(r);
        assertEquals(1, fake.sessions().size());
        FakeCfServerd.Session s = fake.session(0);
        assertEquals("EXEC -Dnagios_HTTP_ours_CRITICAL", s.execLine);
        assertEquals("tls", s.protocol);

        List<Map<String, String>> lines = logLines();
        assertEquals(2, lines.size(), lines.toString());
        Map<String, String> d = lines.get(0);
        assertEquals("decision", d.get("event"));
        assertEquals("web-01", d.get("host"));
        assertEquals("127.0.0.1", d.get("address"));
        assertEquals(Integer.toString(fake.port()), d.get("port"));
        assertEquals("HTTP-ours", d.get("service"));
        assertEquals("CRITICAL", d.get("state"));
        assertEquals("HARD", d.get("type"));
        assertEquals("3", d.get("attempt"));
        assertEquals("run", d.get("action"));
        assertEquals("CRITICAL HARD", d.get("reason"));
        assertEquals("nagios_HTTP_ours_CRITICAL", d.get("classes"));
        assertEquals("wait", d.get("mode"));

        Map<String, String> res = lines.get(1);
        assertEquals("result", res.get("event"));
        assertEquals("web-01", res.get("host"));
        assertEquals("HTTP-ours", res.get("service"));
        assertEquals("0", res.get("exit"));
        assertEquals("ok", res.get("status"));
        assertEquals("tls", res.get("protocol"));
        assertEquals(fake.digest(), res.get("server_key"));
        assertTrue(res.get("output_tail").contains("fake agent output"), res.toString());
        assertTrue(Long.parseLong(res.get("duration_ms")) >= 0);
        assertNull(res.get("error_kind"));
        assertEquals(Long.toString(ProcessHandle.current().pid()), res.get("pid"), "--wait: this process ran it");
    }

    @Test
    void bundlesAndSeveralClassTemplates() throws Exception {
        Run r = event("--service", "HTTP", "--hostname", "web-01.example.com", "-D", "nagios_${service}_${state}",
                "--define-class", "nagios_${statetype}_${attempt},nagios_host_${hostname}", "-D", "fixed_class",
                "--remote-bundles", "fix_${service},ns:other", "CRITICAL", "SOFT", "3", "127.0.0.1");
        assertOnlyNothingPrinted(r);
        assertEquals("EXEC -Dnagios_HTTP_CRITICAL,nagios_SOFT_3,nagios_host_web_01_example_com,fixed_class"
                + " -b fix_HTTP,ns:other", fake.session(0).execLine);
        Map<String, String> d = logLines().get(0);
        assertEquals("fix_HTTP,ns:other", d.get("bundles"));
        assertEquals("CRITICAL SOFT at attempt 3", d.get("reason"));
    }

    @Test
    void noTemplatesRunsAPlainExec() throws Exception {
        assertOnlyNothingPrinted(event("CRITICAL", "HARD", "1", "127.0.0.1"));
        assertEquals("EXEC", fake.session(0).execLine);
        Map<String, String> d = logLines().get(0);
        assertEquals("127.0.0.1", d.get("host"), "without --hostname the address names the host");
        assertNull(d.get("service"));
    }

    @Test
    void hostileMacroValuesReachTheServerOnlyAsClassCharacters() throws Exception {
        Run r = event("--service", "x\"; $(touch /tmp/pwned) `id` -b evil,other", "--hostname", "a b;c",
                "-D", "nagios_${service}_${hostname}_${state}", "critical", "hard", "3", "127.0.0.1");
        assertOnlyNothingPrinted(r);
        String exec = fake.session(0).execLine;
        assertTrue(exec.matches("EXEC -D[A-Za-z0-9_]+"), exec);
        assertTrue(exec.endsWith("_a_b_c_CRITICAL"), exec);
        assertEquals(2, Files.readAllLines(log).size(), "still one line per event");
        assertEquals("x\"; $(touch /tmp/pwned) `id` -b evil,other", logLines().get(0).get("service"),
                "the log quotes the value faithfully");
    }

    @Test
    void controlCharactersCannotSplitALogLine() throws Exception {
        fake.reply(Reply.ok(0, "line one\rstill one", "x".repeat(2000)));
        Run r = event("--service", "HTTP\nforged=1 event=result", "--hostname", "web\u2028x", "CRITICAL", "HARD", "3",
                "127.0.0.1");
        assertOnlyNothingPrinted(r);
        List<String> raw = Files.readAllLines(log);
        assertEquals(2, raw.size(), raw.toString());
        List<Map<String, String>> lines = logLines();
        assertEquals("decision", lines.get(0).get("event"));
        assertNull(lines.get(0).get("forged"));
        String tail = lines.get(1).get("output_tail");
        assertTrue(tail.length() <= 501 && tail.endsWith("…"), "long values are cut: " + tail.length());
    }

    @Test
    void theOutputTailIsTheLastThreeLines() throws Exception {
        fake.reply(Reply.ok(0, "one", "two", "three", "four", "five"));
        assertOnlyNothingPrinted(event("CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals("three | four | five", logLines().get(1).get("output_tail"));
    }

    @Test
    void aFailingAgentIsLoggedWithItsExitCodeAndTheHandlerStillExitsZero() throws Exception {
        fake.reply(Reply.ok(4, "could not restart httpd"));
        assertOnlyNothingPrinted(event("CRITICAL", "HARD", "3", "127.0.0.1"));
        Map<String, String> res = logLines().get(1);
        assertEquals("4", res.get("exit"));
        assertEquals("failed", res.get("status"));
        assertTrue(res.get("output_tail").contains("could not restart httpd"));
    }

    @Test
    void softActsOnlyAtTheConfiguredAttempt() throws Exception {
        for (int a = 1; a <= 5; a++) {
            assertOnlyNothingPrinted(event("CRITICAL", "SOFT", Integer.toString(a), "127.0.0.1"));
        }
        assertEquals(1, fake.finishedSessions().size(), "one run: SOFT 3");
        List<Map<String, String>> lines = logLines();
        assertEquals(6, lines.size(), lines.toString());
        for (int i = 0; i < 6; i++) {
            Map<String, String> l = lines.get(i);
            if (i == 3) {
                assertEquals("result", l.get("event"));
                assertEquals("ok", l.get("status"));
            } else {
                assertEquals("decision", l.get("event"));
                int attempt = Integer.parseInt(l.get("attempt"));
                assertEquals(attempt == 3 ? "run" : "skip", l.get("action"), l.toString());
            }
        }
        assertTrue(lines.get(0).get("reason").contains("acting at attempt 3"), lines.get(0).toString());
    }

    @Test
    void softAttemptOneAndNoHard() throws Exception {
        assertOnlyNothingPrinted(event("--soft-attempt", "1", "--no-hard", "CRITICAL", "SOFT", "1", "127.0.0.1"));
        assertOnlyNothingPrinted(event("--soft-attempt", "1", "--no-hard", "CRITICAL", "HARD", "2", "127.0.0.1"));
        assertEquals(1, fake.finishedSessions().size());
        List<Map<String, String>> lines = logLines();
        assertEquals(List.of("run", "skip"), List.of(lines.get(0).get("action"), lines.get(2).get("action")));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource({
            "OK,HARD,3,''", "OK,SOFT,2,''", "WARNING,HARD,1,''", "UNKNOWN,HARD,1,''", "CRITICAL,SOFT,1,''",
            "CRITICAL,SOFT,2,''", "CRITICAL,HARD,3,--no-hard", "UP,HARD,1,--host-event",
            "UNREACHABLE,HARD,1,--host-event", "DOWN,SOFT,1,--host-event",
    })
    void skipsLogOneLineAndNeverConnect(String state, String type, String attempt, String flag) throws Exception {
        List<String> a = new ArrayList<>();
        if (!flag.isEmpty()) {
            a.add(flag);
        }
        a.addAll(List.of("--service", "HTTP", "-D", "nagios_${service}_${state}", state, type, attempt, "127.0.0.1"));
        assertOnlyNothingPrinted(event(a.toArray(new String[0])));
        Thread.sleep(50);
        assertEquals(List.of(), fake.sessions(), "no connection");
        List<Map<String, String>> lines = logLines();
        assertEquals(1, lines.size(), lines.toString());
        assertEquals("skip", lines.get(0).get("action"));
        assertEquals(state, lines.get(0).get("state"));
        assertFalse(lines.get(0).get("reason").isBlank());
        assertNull(lines.get(0).get("classes"), "nothing to send");
        assertFalse(Files.exists(stamp(stateDir)), "no run recorded");
    }

    @Test
    void hostEventsAct() throws Exception {
        assertOnlyNothingPrinted(event("--host-event", "--hostname", "web-01", "-D", "nagios_host_${state}",
                "DOWN", "HARD", "2", "127.0.0.1"));
        assertEquals("EXEC -Dnagios_host_DOWN", fake.session(0).execLine);
    }

    // ---- configuration errors: exit 2, a clear message on stderr, nothing run ----

    private void assertConfigError(Run r, String message) throws Exception {
        assertEquals(EventHandler.CONFIG_ERROR, r.exit(), r.toString());
        assertEquals("", r.out());
        List<String> err = r.err().lines().toList();
        assertFalse(err.isEmpty(), r.toString());
        assertTrue(err.get(0).startsWith("cfrun-event-handler: configuration error: "), r.toString());
        assertTrue(err.get(0).contains(message), "'" + message + "' in: " + err.get(0));
        assertEquals(1, err.size(), "one line, no stack trace: " + r);
        assertFalse(r.err().contains("Exception"), r.toString());
        Thread.sleep(50);
        assertEquals(List.of(), fake.sessions(), "nothing run");
        assertFalse(Files.exists(log) && Files.size(log) > 0, "nothing logged as a decision");
    }

    @Test
    void unknownOption() throws Exception {
        assertConfigError(event("--bogus", "1", "CRITICAL", "HARD", "3", "127.0.0.1"), "unknown option --bogus");
    }

    @Test
    void unexpandedMacro() throws Exception {
        assertConfigError(event("$SERVICESTATE$", "HARD", "3", "127.0.0.1"), "unexpanded macro");
        assertConfigError(event("CRITICAL", "HARD", "3", "$HOSTADDRESS$"), "unexpanded macro");
    }

    @Test
    void misconfigurationShowsOnEveryCallNotOnlyWhenActing() throws Exception {
        // an OK event with a broken template: the admin sees the error on the first (recovery) call
        assertConfigError(event("-D", "nagios-${service}", "--service", "HTTP", "OK", "HARD", "1", "127.0.0.1"),
                "invalid class name 'nagios-HTTP'");
    }

    @Test
    void badTemplates() throws Exception {
        assertConfigError(event("-D", "nagios_${servicedesc}", "CRITICAL", "HARD", "3", "127.0.0.1"),
                "unknown variable ${servicedesc}");
        assertConfigError(event("-D", "nagios_${service}", "CRITICAL", "HARD", "3", "127.0.0.1"),
                "--service");
        assertConfigError(event("--remote-bundles", "fix-it", "CRITICAL", "HARD", "3", "127.0.0.1"),
                "invalid bundle name 'fix-it'");
    }

    @Test
    void ourKeyMissingOrUnreadable() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-keys"));
        Run r = handler(List.of("--workdir", empty.toString(), "--log", log.toString(), "--wait", "--port",
                Integer.toString(fake.port()), "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertConfigError(r, empty.toString());

        Path broken = TestKeys.workdir(dir.resolve("broken"));
        Files.writeString(KeyFiles.ppkeys(broken).resolve(KeyFiles.PRIVATE_FILE), "-----BEGIN RSA PRIVATE KEY-----\ngarbage\n");
        r = handler(List.of("--workdir", broken.toString(), "--log", log.toString(), "--wait", "--port",
                Integer.toString(fake.port()), "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertConfigError(r, KeyFiles.PRIVATE_FILE);
    }

    @Test
    void hostsFileProblems() throws Exception {
        assertConfigError(event("-f", dir.resolve("missing.hosts").toString(), "CRITICAL", "HARD", "3", "127.0.0.1"),
                "missing.hosts");
        Path hosts = Files.writeString(dir.resolve("cfrun.hosts"), "127.0.0.1:" + fake.port() + " -K -D web\n");
        assertConfigError(handlerWait("-f", hosts.toString(), "CRITICAL", "HARD", "3", "127.0.0.1"), "-K");
    }

    @Test
    void badTrustDigest() throws Exception {
        assertConfigError(event("--trust", "not-a-digest", "CRITICAL", "HARD", "3", "127.0.0.1"), "not-a-digest");
    }

    @Test
    void helpExitsZero() {
        Run r = handler(List.of("--help"));
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("Usage: cfrun-event-handler"), r.out());
    }

    @Test
    void anUnusableLogFileIsNotSilentlyLost() throws Exception {
        // Nagios discards a handler's output when it exits 0: a log that cannot be written must not go unnoticed
        Path aDirectory = Files.createDirectories(dir.resolve("log-is-a-dir"));
        assertConfigError(handler(List.of("--workdir", work.toString(), "--log", aDirectory.toString(), "--wait",
                "--port", Integer.toString(fake.port()), "CRITICAL", "HARD", "3", "127.0.0.1")), aDirectory.toString());

        Path missingDir = dir.resolve("no/such/dir/handler.log");
        Run r = handler(List.of("--workdir", work.toString(), "--log", missingDir.toString(), "--wait",
                "--port", Integer.toString(fake.port()), "CRITICAL", "HARD", "3", "127.0.0.1"));
        boolean reported = r.exit() == EventHandler.CONFIG_ERROR && r.err().contains(missingDir.toString());
        boolean written = Files.exists(missingDir) && logLines(missingDir).size() == 2;
        assertTrue(reported || written, "neither a configuration error nor the log lines: " + r);
    }

    @Test
    void anUnusableStateDirIsAConfigurationError() throws Exception {
        // without its lock the handler can never act: that is its own misconfiguration (exit 2), not a skip
        Path notADir = Files.writeString(dir.resolve("state-file"), "x");
        assertConfigError(event("--state-dir", notADir.toString(), "CRITICAL", "HARD", "3", "127.0.0.1"),
                notADir.toString());
        assertConfigError(event("--state-dir", notADir.resolve("sub").toString(), "CRITICAL", "HARD", "3", "127.0.0.1"),
                notADir.toString());
    }

    // ---- the remote run failing: exit 0 anyway, status=error with the kind ----

    private Map<String, String> failedRun(String errorKind, String... args) {
        Run r = handlerWait(args);
        assertOnlyNothingPrinted(r);
        List<Map<String, String>> lines = logLines();
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("run", lines.get(0).get("action"));
        Map<String, String> res = lines.get(1);
        assertEquals("result", res.get("event"));
        assertEquals("error", res.get("status"), res.toString());
        assertEquals(errorKind, res.get("error_kind"), res.toString());
        assertEquals("none", res.get("exit"));
        assertFalse(res.get("error").isBlank());
        return res;
    }

    @Test
    void serverRefuses() throws Exception {
        fake.reply(Reply.refuse());
        Map<String, String> res = failedRun("refused", "--port", Integer.toString(fake.port()), "CRITICAL", "HARD", "3",
                "127.0.0.1");
        assertTrue(res.get("output_tail").contains("Unspecified server refusal"), res.toString());
        assertTrue(res.get("error").contains("BAD: Unspecified server refusal"), res.toString());
    }

    @Test
    void serverDown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Map<String, String> res = failedRun("connect", "--port", Integer.toString(port), "CRITICAL", "HARD", "3",
                "127.0.0.1");
        assertEquals(Integer.toString(port), res.get("port"));
    }

    @Test
    void unknownServerKey() throws Exception {
        Files.delete(KeyFiles.ppkeys(work).resolve("root-" + fake.digest() + ".pub"));
        Map<String, String> res = failedRun("unknown_server_key", "--port", Integer.toString(fake.port()),
                "CRITICAL", "HARD", "3", "127.0.0.1");
        assertTrue(res.get("error").contains(fake.digest()), res.toString());
        assertTrue(fake.session(0).execLine == null, "nothing was sent");
    }

    @Test
    void trustOptionPinsAnUntrustedKey() throws Exception {
        Files.delete(KeyFiles.ppkeys(work).resolve("root-" + fake.digest() + ".pub"));
        assertOnlyNothingPrinted(event("--trust", fake.digest(), "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals("ok", logLines().get(1).get("status"));
    }

    @Test
    void serverDoesNotKnowOurKey() throws Exception {
        fake.close();
        fake = FakeCfServerd.start(); // same server key, but it does not know our key
        failedRun("authentication", "--port", Integer.toString(fake.port()), "CRITICAL", "HARD", "3", "127.0.0.1");
    }

    @Test
    void serverHangsUpMidRun() throws Exception {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"), Step.line("> half\n"),
                Step.close()));
        Map<String, String> res = failedRun("connection_lost", "--port", Integer.toString(fake.port()), "CRITICAL",
                "HARD", "3", "127.0.0.1");
        assertTrue(res.get("output_tail").contains("half"), res.toString());
    }

    @Test
    void classicProtocol() throws Exception {
        assertOnlyNothingPrinted(event("--protocol", "classic", "-D", "c_${state}", "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals("classic", fake.session(0).protocol);
        assertEquals("EXEC -Dc_CRITICAL", fake.session(0).execLine);
        assertEquals("classic", logLines().get(1).get("protocol"));
    }

    // ---- lock and cooldown ----

    @Test
    void aSecondEventWhileARunHoldsTheLockIsSkipped() throws Exception {
        HostAddress target = HostAddress.of("127.0.0.1", fake.port());
        try (LockHolder.Child running = LockHolder.start(stateDir, target)) {
            assertEquals("locked", running.verdict());
            assertOnlyNothingPrinted(event("CRITICAL", "HARD", "3", "127.0.0.1"));
            Thread.sleep(50);
            assertEquals(List.of(), fake.sessions(), "no second run");
            Map<String, String> d = logLines().get(0);
            assertEquals("skip", d.get("action"));
            assertTrue(d.get("reason").contains("in progress"), d.toString());

            // the detached child that lost the race to the lock logs a skipped result, and runs nothing
            assertOnlyNothingPrinted(event("--detached-run", "CRITICAL", "HARD", "3", "127.0.0.1"));
            Map<String, String> res = logLines().get(1);
            assertEquals("result", res.get("event"));
            assertEquals("skipped", res.get("status"));
            assertTrue(res.get("reason").contains("in progress"), res.toString());
            assertEquals(List.of(), fake.sessions());
        }
        // the holder is gone (SIGKILL): the next event runs
        assertOnlyNothingPrinted(event("CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals(1, fake.finishedSessions().size());
    }

    @Test
    void anotherServiceOfTheSameHostWaitsForTheRunningRepairInsteadOfBeingLost() throws Exception {
        // HTTP's repair runs (the server takes a second); HTTPS fails meanwhile: its repair must follow, not vanish
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/fix\n"), Step.pause(Duration.ofSeconds(1)),
                Step.line("(exit code: 0)\n"), Step.terminator()));
        Thread first = new Thread(() -> event("--service", "HTTP", "-D", "nagios_${service}_${state}",
                "CRITICAL", "HARD", "3", "127.0.0.1"));
        first.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fake.sessions().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertOnlyNothingPrinted(event("--service", "HTTPS", "-D", "nagios_${service}_${state}",
                "CRITICAL", "HARD", "3", "127.0.0.1"));
        first.join(20_000);
        List<String> execs = fake.finishedSessions().stream().map(x -> x.execLine).toList();
        assertEquals(List.of("EXEC -Dnagios_HTTP_CRITICAL", "EXEC -Dnagios_HTTPS_CRITICAL"), execs,
                "both repairs ran, one after the other: " + logLines());
        long ok = logLines().stream().filter(l -> "result".equals(l.get("event")) && "ok".equals(l.get("status"))).count();
        assertEquals(2, ok, logLines().toString());
    }

    @Test
    void aLockOnAnotherPortDoesNotBlock() throws Exception {
        try (LockHolder.Child running = LockHolder.start(stateDir, HostAddress.of("127.0.0.1", fake.port() == 1 ? 2 : 1))) {
            assertEquals("locked", running.verdict());
            assertOnlyNothingPrinted(event("CRITICAL", "HARD", "3", "127.0.0.1"));
            assertEquals(1, fake.finishedSessions().size());
        }
    }

    @Test
    void cooldownSuppressesARepeat() throws Exception {
        assertOnlyNothingPrinted(event("--cooldown", "600", "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertOnlyNothingPrinted(event("--cooldown", "600", "CRITICAL", "HARD", "3", "127.0.0.1"));
        Thread.sleep(50);
        assertEquals(1, fake.sessions().size());
        List<Map<String, String>> lines = logLines();
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("skip", lines.get(2).get("action"));
        assertTrue(lines.get(2).get("reason").startsWith("cooldown"), lines.get(2).toString());

        // without --cooldown (the default 0) the repeat runs
        assertOnlyNothingPrinted(event("CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals(2, fake.finishedSessions().size());
    }

    @Test
    void cooldownCountsFromTheLastRunStartAndExpires() throws Exception {
        assertOnlyNothingPrinted(event("--cooldown", "600", "CRITICAL", "HARD", "3", "127.0.0.1"));
        // pretend the run started 11 minutes ago
        Path stamp = stamp(stateDir);
        assertTrue(Files.exists(stamp));
        Files.writeString(stamp, Long.toString(System.currentTimeMillis() - 660_000));
        assertOnlyNothingPrinted(event("--cooldown", "600", "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals(2, fake.finishedSessions().size());
    }

    @Test
    void cooldownIsPerHost() throws Exception {
        try (FakeCfServerd second = FakeCfServerd.start()) {
            second.allowClient(KeyFiles.loadFromWorkdir(work).publicKey());
            assertOnlyNothingPrinted(event("--cooldown", "600", "CRITICAL", "HARD", "3", "127.0.0.1"));
            assertOnlyNothingPrinted(handlerWait("--cooldown", "600", "--port", Integer.toString(second.port()),
                    "CRITICAL", "HARD", "3", "127.0.0.1"));
            assertEquals(1, second.finishedSessions().size());
        }
    }

    @Test
    void aSkippedOrFailedRunDoesNotStartTheCooldownButAnAttemptedOneDoes() throws Exception {
        fake.reply(Reply.refuse());
        assertOnlyNothingPrinted(event("--cooldown", "600", "CRITICAL", "SOFT", "1", "127.0.0.1"));
        assertFalse(Files.exists(stamp(stateDir)), "a skip is not a run");
        assertOnlyNothingPrinted(event("--cooldown", "600", "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertTrue(Files.exists(stamp(stateDir)), "an attempted run counts");
    }

    @Test
    void stateDirOption() throws Exception {
        Path custom = dir.resolve("custom-state");
        assertOnlyNothingPrinted(event("--state-dir", custom.toString(), "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertTrue(Files.exists(stamp(custom)));
        assertFalse(Files.exists(stateDir), "the default state dir was not used");
    }

    /** The cooldown stamp of this host's run (one per host and request), or a path that does not exist. */
    private Path stamp(Path state) throws java.io.IOException {
        String prefix = "127.0.0.1_" + fake.port() + ".";
        if (Files.isDirectory(state)) {
            try (var files = Files.list(state)) {
                List<Path> stamps = files.filter(f -> f.getFileName().toString().startsWith(prefix)
                        && f.getFileName().toString().endsWith(".last")).toList();
                assertTrue(stamps.size() <= 1, "one stamp per request: " + stamps);
                if (!stamps.isEmpty()) {
                    return stamps.get(0);
                }
            }
        }
        return state.resolve(prefix + "none.last");
    }

    // ---- hosts file ----

    @Test
    void hostsFileSuppliesPortAndOptions() throws Exception {
        Path hosts = Files.writeString(dir.resolve("cfrun.hosts"), "# web servers\n192.0.2.99 -D other\n127.0.0.1:"
                + fake.port() + " -D webserver,from_file -b fixweb\n");
        assertOnlyNothingPrinted(handlerWait("-f", hosts.toString(), "--service", "HTTP", "-D", "nagios_${service}",
                "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals("EXEC -Dnagios_HTTP,webserver,from_file -b fixweb", fake.session(0).execLine);
        assertEquals(Integer.toString(fake.port()), logLines().get(0).get("port"));
    }

    @Test
    void hostsFileEntryFoundByNagiosHostName() throws Exception {
        Path hosts = Files.writeString(dir.resolve("cfrun.hosts"), "web-01:" + fake.port() + " -D byname\n");
        assertOnlyNothingPrinted(handlerWait("-f", hosts.toString(), "--hostname", "web-01", "CRITICAL", "HARD", "3",
                "127.0.0.1"));
        assertEquals("EXEC -Dbyname", fake.session(0).execLine);
        Map<String, String> res = logLines().get(1);
        assertEquals("127.0.0.1", res.get("address"), "connects to $HOSTADDRESS$, not to the name in the file");
        assertEquals("ok", res.get("status"));
    }

    @Test
    void hostsFileByBareNameIsLookedUpInTheWorkdirsInputs() throws Exception {
        Files.createDirectories(work.resolve("inputs"));
        Files.writeString(work.resolve("inputs/cfrun.hosts"), "127.0.0.1:" + fake.port() + " -D from_inputs\n");
        assertOnlyNothingPrinted(handlerWait("-f", "cfrun.hosts", "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals("EXEC -Dfrom_inputs", fake.session(0).execLine);
    }

    @Test
    void portOptionOverridesTheHostsFile() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path hosts = Files.writeString(dir.resolve("cfrun.hosts"), "127.0.0.1:" + closed + " -D webserver\n");
        assertOnlyNothingPrinted(handlerWait("-f", hosts.toString(), "--port", Integer.toString(fake.port()),
                "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals("EXEC -Dwebserver", fake.session(0).execLine, "the file's options still apply");
        assertEquals("ok", logLines().get(1).get("status"));
    }

    @Test
    void aHostNotInTheFileUsesThePortOptionAndNoFileOptions() throws Exception {
        Path hosts = Files.writeString(dir.resolve("cfrun.hosts"), "192.0.2.99:1 -D other\n");
        assertOnlyNothingPrinted(handlerWait("-f", hosts.toString(), "--port", Integer.toString(fake.port()),
                "CRITICAL", "HARD", "3", "127.0.0.1"));
        assertEquals("EXEC", fake.session(0).execLine);
    }

    // ---- detached (in process: the child is a second JVM on this test's class path) ----

    @Test
    void detachedReturnsAtOnceAndTheChildRunsAndLogsTheResult() throws Exception {
        // the "agent" runs until the test lets it finish: the handler must have returned long before
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        fake.reply(session -> {
            try {
                finish.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.ok(0, "remediated");
        });
        List<String> a = new ArrayList<>(List.of("--workdir", work.toString(), "--log", log.toString(), "-t", "5",
                "--port", Integer.toString(fake.port()), "--service", "HTTP", "-D", "nagios_${service}_${state}",
                "CRITICAL", "HARD", "3", "127.0.0.1"));
        long t0 = System.nanoTime();
        Run r = handler(a);
        long handlerMillis = (System.nanoTime() - t0) / 1_000_000;
        assertOnlyNothingPrinted(r);
        assertTrue(logLines().size() == 1, "the handler returned before the run's result: " + logLines());
        assertEquals("detached", logLines().get(0).get("mode"));
        // (right after the spawn the child may still be the JDK's jspawnhelper, before it execs the command)
        awaitOrFail(() -> detachedChild().isPresent(), Duration.ofSeconds(10), "the detached run is running");
        ProcessHandle child = detachedChild().orElseThrow();
        awaitOrFail(() -> !fake.sessions().isEmpty(), Duration.ofSeconds(30), "the detached run connected");
        assertTrue(fake.sessions().get(0).awaitExec(Duration.ofSeconds(30)), "and asked to run the agent");
        long childSession = sessionId(child.pid());
        assertEquals(1, logLines().size(), "no result while the agent runs");
        assertTrue(child.isAlive());
        finish.countDown();

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (logLines().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<Map<String, String>> lines = logLines();
        assertEquals(2, lines.size(), "the detached run logged its result: " + lines);
        Map<String, String> res = lines.get(1);
        assertEquals("ok", res.get("status"), res.toString());
        assertEquals("0", res.get("exit"));
        assertEquals("remediated", res.get("output_tail"));
        assertNotEquals(Long.toString(ProcessHandle.current().pid()), res.get("pid"), "another process ran it");
        assertEquals(lines.get(0).get("pid"), Long.toString(ProcessHandle.current().pid()));
        assertEquals("EXEC -Dnagios_HTTP_CRITICAL", fake.session(0).execLine);
        assertTrue(handlerMillis < 10_000, "the handler returned within 10 s: " + handlerMillis + " ms");

        assertEquals(res.get("pid"), Long.toString(child.pid()));
        child.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(child.isAlive(), "the detached run exited by itself");
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            assertEquals(child.pid(), childSession, "the child led its own session");
            assertFalse(parentPid(child.pid()) == ProcessHandle.current().pid(),
                    "setsid --fork: not our child, so that our JVM's exit never waits for it");
        }
    }

    /** The detached run of this test (setsid --fork: not our child, hence found by its arguments, our log file). */
    private java.util.Optional<ProcessHandle> detachedChild() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(x -> List.of(x).contains("--detached-run")
                        && List.of(x).contains(log.toString())).orElse(false))
                .findFirst();
    }

    /** Field 4 of /proc/PID/stat (after the parenthesised name), or -1. */
    private static long parentPid(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Field 6 of /proc/PID/stat (after the parenthesised name). */
    private static long sessionId(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[3]);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void detachedSkipsStartNothing() throws Exception {
        List<String> a = List.of("--workdir", work.toString(), "--log", log.toString(), "--port",
                Integer.toString(fake.port()), "OK", "HARD", "3", "127.0.0.1");
        java.util.Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid)
                .collect(java.util.stream.Collectors.toSet());
        assertOnlyNothingPrinted(handler(a));
        assertEquals(List.of(), ProcessHandle.current().children().filter(p -> !before.contains(p.pid()))
                .map(p -> p.info().commandLine().orElse("?")).toList(), "no process started");
        assertNull(logLines().get(0).get("mode"));
    }

    static void awaitOrFail(java.util.function.BooleanSupplier c, Duration d, String what) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail(what);
            }
            Thread.sleep(20);
        }
    }
}
