package dev.cfrun.client;

import dev.cfrun.client.ReplyLine.Kind;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EXEC over an authenticated connection, identical in both protocols: what the client sends, how it reads
 * cf-serverd's reply, and how it reports refusals, cut-offs and hostile replies.
 */
class ExecReplyTest extends FakeServerFixture {
    @Override
    protected void prepare() throws Exception {
        super.prepare();
        tc.trustKeyFile(fake.publicKey());
    }

    private static List<String> texts(List<ReplyLine> lines) {
        return lines.stream().map(ReplyLine::text).toList();
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void successfulRunReportsEveryLineInOrder(Protocol p) throws Exception {
        fake.reply(Reply.ok("/var/cfengine/bin/cf-agent -I -K", 0, "info: promise kept", "", "  indented > text"));
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        RunRequest req = RunRequest.builder(fake.hostSpec())
                .listener((host, address, line) -> heard.add(host + "|" + address + "|" + line.kind() + "|" + line.text()))
                .build();

        RunResult r = client(p).run(req);

        assertEquals(p, r.protocol());
        assertEquals(p == Protocol.TLS ? 3 : 1, r.protocolVersion());
        assertEquals(p == Protocol.TLS, r.tlsVersion().isPresent());
        assertEquals(fake.digest(), r.serverKeyDigest());
        assertEquals("127.0.0.1", r.address());
        assertEquals(List.of(Kind.COMMAND, Kind.OUTPUT, Kind.OUTPUT, Kind.OUTPUT, Kind.EXIT_CODE),
                r.lines().stream().map(ReplyLine::kind).toList());
        assertEquals("/var/cfengine/bin/cf-agent -I -K", r.command().orElseThrow());
        assertEquals(List.of("info: promise kept", "", "  indented > text"), r.outputLines());
        assertEquals(3, r.outputLineCount());
        assertEquals(0, r.exitCode().orElseThrow());
        assertTrue(r.succeeded());
        assertEquals("> info: promise kept\n", r.lines().get(1).raw());
        String prefix = fake.hostSpec() + "|127.0.0.1|";
        assertEquals(List.of(prefix + "COMMAND|/var/cfengine/bin/cf-agent -I -K", prefix + "OUTPUT|info: promise kept",
                prefix + "OUTPUT|", prefix + "OUTPUT|  indented > text", prefix + "EXIT_CODE|0"), heard);

        Session s = fake.session(0);
        assertEquals(p == Protocol.TLS ? "tls" : "classic", s.protocol);
        assertEquals(client.user(), s.user);
        assertEquals(client.clientDigest(), s.clientDigest());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void execRequestBytesOnTheWire(Protocol p) throws Exception {
        RunRequest req = RunRequest.builder(fake.hostSpec()).defineClasses("foo", "bar").bundles("b1,b2")
                .selectClasses("linux,debian:ubuntu").build();

        client(p).run(req);

        Session s = fake.session(0);
        assertEquals("EXEC -Dfoo,bar -b b1,b2", s.execLine);
        assertEquals(List.of("linux", "debian", "ubuntu"), s.selectClasses);
        assertTrue(s.terminatorReceived);
        List<byte[]> frames = s.execFrames;
        assertEquals(5, frames.size(), "EXEC, one transaction per select class, terminator");
        assertArrayEquals(wire("t 23", "EXEC -Dfoo,bar -b b1,b2"), frames.get(0));
        assertArrayEquals(wire("t 5", "linux"), frames.get(1));
        assertArrayEquals(wire("t 6", "debian"), frames.get(2));
        assertArrayEquals(wire("t 6", "ubuntu"), frames.get(3));
        assertArrayEquals(wire("t 27", "---cfXen/gine/cfXen/gine---"), frames.get(4), "27 bytes, no NUL");
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void plainExecIsFourBytesThenTheTerminator(Protocol p) throws Exception {
        client(p).run(TestClient.request(fake));

        Session s = fake.session(0);
        assertEquals(2, s.execFrames.size());
        assertArrayEquals(wire("t 4", "EXEC"), s.execFrames.get(0));
        assertArrayEquals(wire("t 27", "---cfXen/gine/cfXen/gine---"), s.execFrames.get(1));
        assertEquals(List.of(), s.selectClasses);
    }

    /** An 8-byte header (text, then zero padding) followed by the payload. */
    private static byte[] wire(String header, String payload) {
        byte[] h = Arrays.copyOf(header.getBytes(StandardCharsets.US_ASCII), 8);
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, 8 + p.length);
        System.arraycopy(p, 0, out, 8, p.length);
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void exitCodeOfTheRemoteCommand(Protocol p) throws Exception {
        fake.reply(Reply.ok(3, "agent-stdout", "agent-stderr"));
        RunResult r = client(p).run(TestClient.request(fake));
        assertEquals(3, r.exitCode().orElseThrow());
        assertFalse(r.succeeded());
        assertEquals(List.of("agent-stdout", "agent-stderr"), r.outputLines());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void aPre318ServerSendsNoExitCode(Protocol p) throws Exception {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"), Step.line("> done\n"),
                Step.terminator()));
        RunResult r = client(p).run(TestClient.request(fake));
        assertTrue(r.exitCode().isEmpty());
        assertFalse(r.succeeded());
        assertEquals(List.of("done"), r.outputLines());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void retainOutputFalseStillStreamsAndCounts(Protocol p) throws Exception {
        fake.reply(Reply.ok(0, "a", "b", "c"));
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        RunResult r = client(p).run(RunRequest.builder(fake.hostSpec()).retainOutput(false)
                .listener((h, a, l) -> heard.add(l.text())).build());
        assertEquals(List.of(), r.lines());
        assertEquals(3, r.outputLineCount());
        assertEquals(0, r.exitCode().orElseThrow());
        assertEquals(List.of("/bin/true", "a", "b", "c", "0"), heard);
    }

    // ---- refusals ----

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void unspecifiedRefusal(Protocol p) throws Exception {
        fake.reply(Reply.refuse());
        ServerRefusedException e = assertThrows(ServerRefusedException.class, () -> client(p).run(TestClient.request(fake)));
        assertEquals(ErrorKind.REFUSED, e.kind());
        assertTrue(e.serverText().orElseThrow().contains("Unspecified server refusal (see verbose server output)"), e.serverText().toString());
        String causes = String.join("\n", e.likelyCauses());
        assertTrue(causes.contains("allowusers"), causes);
        assertTrue(causes.contains("cfruncommand"), causes);
        assertTrue(causes.contains("'" + client.user() + "'"), causes);
        assertEquals(List.of(Kind.REFUSAL), e.linesReceived().stream().map(ReplyLine::kind).toList());
        assertEquals("Unspecified server refusal (see verbose server output)", e.linesReceived().get(0).text());
    }

    static Stream<Arguments> denials() {
        List<Arguments> out = new ArrayList<>();
        for (Protocol p : new Protocol[] {Protocol.TLS, Protocol.CLASSIC}) {
            out.add(Arguments.of(p, "EXEC denied role activation (check cf-serverd verbose output)", "roles", "someclass"));
            out.add(Arguments.of(p, "EXEC denied bundle activation (check cf-serverd verbose output)", "resource_type => \"bundle\"", "mybundle"));
            out.add(Arguments.of(p, "EXEC denied: invalid arguments: -x", "only -D and -b", "-D"));
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("denials")
    void denialTextsMapToTheirCauses(Protocol p, String denial, String causeWord, String causeArgument) throws Exception {
        fake.reply(Reply.denied(denial));
        RunRequest req = RunRequest.builder(fake.hostSpec()).defineClasses("someclass").bundles("mybundle").build();
        ServerRefusedException e = assertThrows(ServerRefusedException.class, () -> client(p).run(req));
        assertEquals(denial, e.serverText().orElseThrow());
        String causes = String.join("\n", e.likelyCauses());
        assertTrue(causes.contains(causeWord), causes);
        assertTrue(causes.contains(causeArgument), causes);
        assertEquals(List.of(denial), texts(e.linesReceived()));
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void failedClassMatch(Protocol p) throws Exception {
        fake.reply(s -> Reply.denied("Hello  (127.0.0.1), nothing relevant to do here...\n\n",
                "EXEC denied due to failed class match (check cf-serverd verbose output)"));
        RunRequest req = RunRequest.builder(fake.hostSpec()).selectClasses("no_such_class").build();
        ServerRefusedException e = assertThrows(ServerRefusedException.class, () -> client(p).run(req));
        assertTrue(e.serverText().orElseThrow().contains("failed class match"), e.serverText().orElseThrow());
        assertTrue(String.join("\n", e.likelyCauses()).contains("no_such_class"), e.likelyCauses().toString());
        assertEquals(2, e.linesReceived().size());
        assertEquals(List.of("no_such_class"), fake.session(0).selectClasses);
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void silentCloseAfterExecIsARefusal(Protocol p) throws Exception {
        fake.closeAt(FakeCfServerd.Stage.EXEC);
        ServerRefusedException e = assertThrows(ServerRefusedException.class, () -> client(p).run(TestClient.request(fake)));
        assertTrue(e.serverText().isEmpty());
        assertTrue(String.join("\n", e.likelyCauses()).contains("allowusers"), e.likelyCauses().toString());
        assertEquals(List.of(), e.linesReceived());
        assertEquals("EXEC", fake.session(0).execLine);
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void closeInTheMiddleOfTheOutputKeepsEveryLineReceived(Protocol p) throws Exception {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"), Step.line("> one\n"),
                Step.line("> two\n"), Step.line("> three\n"), Step.close()));
        ConnectionLostException e = assertThrows(ConnectionLostException.class, () -> client(p).run(TestClient.request(fake)));
        assertEquals(ErrorKind.CONNECTION_LOST, e.kind());
        assertEquals(List.of("/bin/true", "one", "two", "three"), texts(e.linesReceived()));
        assertEquals(List.of(Kind.COMMAND, Kind.OUTPUT, Kind.OUTPUT, Kind.OUTPUT),
                e.linesReceived().stream().map(ReplyLine::kind).toList());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void closeBeforeTheTerminatorAfterTheExitCodeIsStillALoss(Protocol p) throws Exception {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"), Step.line("> one\n"),
                Step.line("(exit code: 0)\n"), Step.close()));
        ConnectionLostException e = assertThrows(ConnectionLostException.class, () -> client(p).run(TestClient.request(fake)));
        assertEquals(List.of("/bin/true", "one", "0"), texts(e.linesReceived()));
    }

    // ---- hostile replies ----

    static Stream<Arguments> malformedHeaders() {
        List<Arguments> out = new ArrayList<>();
        String[][] headers = {
            {"unknown status byte", "x 12\0\0\0\0" + "hello world!"},
            {"length above 4088", "t 9999\0\0" + "x".repeat(100)},
            {"no NUL", "t 123456" + "x".repeat(100)},
            {"non-numeric length", "t abc\0\0\0" + "x".repeat(100)},
            {"zero length", "t 0\0\0\0\0\0" + "x".repeat(100)},
        };
        for (Protocol p : new Protocol[] {Protocol.TLS, Protocol.CLASSIC}) {
            for (String[] h : headers) {
                out.add(Arguments.of(p, h[0], h[1]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("malformedHeaders")
    void malformedHeaderIsAProtocolViolation(Protocol p, String what, String bytes) throws Exception {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/true\n"), Step.raw(bytes), Step.silence()));
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> client(p).run(TestClient.request(fake)));
        assertEquals(ErrorKind.PROTOCOL, e.kind());
        assertEquals(List.of("/bin/true"), texts(e.linesReceived()), "the line before the bad header is kept");
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void endlessContinuationIsAProtocolViolation(Protocol p) {
        fake.reply(Reply.of(Step.endlessMore()));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                    () -> client(p).run(TestClient.request(fake)));
            assertTrue(e.getMessage().contains("'m'"), e.getMessage());
        });
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void aServerThatNeverClosesAfterTheTerminatorDoesNotHoldTheRun(Protocol p) throws Exception {
        // cf-serverd's socket can outlive it: a daemon the agent restarted inherits it, so no close_notify
        // and no FIN come; the run is complete at the terminator and must not wait for the idle timeout
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/restart-httpd\n"),
                Step.line("(exit code: 0)\n"), Step.terminator(), Step.holdOpen()));
        client = tc.builder(p).timeouts(Timeouts.builder().idle(Duration.ofSeconds(30)).build()).build();
        RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> client.run(TestClient.request(fake)));
        assertEquals(0, r.exitCode().orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void endlessOutputStopsAtTheLimit(Protocol p) {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/yes\n"), Step.endlessOutput()));
        List<ReplyLine> heard = Collections.synchronizedList(new ArrayList<>());
        RunRequest req = RunRequest.builder(fake.hostSpec()).maxOutputLines(1000)
                .listener((h, a, l) -> heard.add(l)).build();
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            OutputLimitExceededException e = assertThrows(OutputLimitExceededException.class, () -> client(p).run(req));
            assertEquals(1000, e.limit());
            assertEquals(ErrorKind.OUTPUT_LIMIT, e.kind());
            int n = e.linesReceived().size();
            assertEquals(1000, n, "lines kept");
            assertEquals("/bin/yes", e.linesReceived().get(0).text());
            assertEquals("endless line 0", e.linesReceived().get(1).text());
            assertEquals("endless line 998", e.linesReceived().get(999).text());
            assertEquals(1000, heard.size(), "listener calls: the line over the limit is not passed on");
        });
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void silenceDuringTheRunIsAnIdleTimeout(Protocol p) throws Exception {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/sleep 3600\n"), Step.line("> started\n"),
                Step.silence()));
        client = tc.builder(p).timeouts(TestClient.FAST.toBuilder().idle(Duration.ofSeconds(1)).build()).build();
        assertTimeoutPreemptively(Duration.ofSeconds(1 + 8), () -> { // idle limit 1 s, generous margin
            RunTimeoutException e = assertThrows(RunTimeoutException.class, () -> client.run(TestClient.request(fake)));
            assertEquals(RunTimeoutException.Phase.IDLE, e.phase());
            assertEquals(Duration.ofSeconds(1), e.limit());
            assertEquals(List.of("/bin/sleep 3600", "started"), texts(e.linesReceived()));
        });
    }

    /**
     * A server that keeps talking (never idle) is cut by the overall deadline, and the error says so: the
     * per-read timeout is shortened to the overall deadline, and that must not be reported as an idle timeout.
     * Repeated because the read timeout and the watchdog race for the same instant.
     */
    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void overallDeadlineCutsATricklingRun(Protocol p) throws Exception {
        List<Step> steps = new ArrayList<>();
        steps.add(Step.line("cf-serverd executing cfruncommand: /bin/true\n"));
        for (int i = 0; i < 100; i++) {
            steps.add(Step.line("> tick " + i + "\n"));
            steps.add(Step.pause(Duration.ofMillis(100)));
        }
        fake.reply(new Reply(steps));
        client = tc.builder(p).timeouts(TestClient.FAST.toBuilder().overall(Duration.ofMillis(700)).build()).build();
        for (int attempt = 0; attempt < 3; attempt++) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                RunTimeoutException e = assertThrows(RunTimeoutException.class, () -> client.run(TestClient.request(fake)));
                assertEquals(RunTimeoutException.Phase.OVERALL, e.phase(), e.getMessage());
                assertEquals(Duration.ofMillis(700), e.limit());
                assertTrue(e.linesReceived().size() >= 2, "lines before the deadline are kept: " + e.linesReceived());
            });
        }
    }
}
