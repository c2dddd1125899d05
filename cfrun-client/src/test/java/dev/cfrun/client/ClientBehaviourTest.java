package dev.cfrun.client;

import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Opening;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Stage;
import dev.cfrun.fakeserver.FakeCfServerd.Step;
import dev.cfrun.fakeserver.FakeCfServerd.TlsSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The façade's own behaviour: protocol choice, connect and handshake failures, cancellation, concurrency. */
class ClientBehaviourTest extends FakeServerFixture {
    private CfRunClient trustingClient(Protocol p) {
        tc.trustKeyFile(fake.publicKey());
        client = tc.client(p);
        return client;
    }

    // ---- Protocol.AUTO ----

    @Test
    void autoPrefersTls() throws Exception {
        RunResult r = trustingClient(Protocol.AUTO).run(TestClient.request(fake));
        assertEquals(Protocol.TLS, r.protocol());
        assertEquals(1, fake.finishedSessions().size());
    }

    @ParameterizedTest
    @EnumSource(value = TlsSupport.class, names = {"CLOSE", "GARBAGE"})
    void autoFallsBackToClassicWhenTheServerDoesNotSpeakTls(TlsSupport support) throws Exception {
        fake.tlsSupport(support);
        RunResult r = trustingClient(Protocol.AUTO).run(TestClient.request(fake));
        assertEquals(Protocol.CLASSIC, r.protocol());
        assertEquals(List.of("fake agent output"), r.outputLines());
        List<Session> sessions = fake.finishedSessions();
        assertEquals(2, sessions.size());
        assertEquals("tls", sessions.get(0).protocol);
        assertNull(sessions.get(0).execLine);
        assertEquals("classic", sessions.get(1).protocol);
        assertEquals("EXEC", sessions.get(1).execLine);
    }

    @Test
    void autoDoesNotFallBackOnAnUnknownTlsKey() throws Exception {
        client = tc.client(Protocol.AUTO);
        assertThrows(UnknownServerKeyException.class, () -> client.run(TestClient.request(fake)));
        assertEquals(1, fake.finishedSessions().size(), "no classic attempt");
        assertEquals("tls", fake.session(0).protocol);
    }

    @Test
    void autoDoesNotFallBackOnAChangedTlsKey() throws Exception {
        tc.trustAndRecord(TestClient.pub(FakeCfServerd.otherKeys()), fake.port());
        client = tc.client(Protocol.AUTO, TrustPolicy.trustOnFirstUse());
        assertThrows(ChangedServerKeyException.class, () -> client.run(TestClient.request(fake)));
        assertEquals(1, fake.finishedSessions().size(), "no classic attempt");
    }

    @Test
    void autoDoesNotFallBackWhenTheServerRefusesOurKeyOverTls() throws Exception {
        FakeCfServerd stranger = FakeCfServerd.start();
        try {
            tc.trustKeyFile(stranger.publicKey());
            client = tc.client(Protocol.AUTO);
            assertThrows(AuthenticationFailedException.class, () -> client.run(TestClient.request(stranger)));
            assertEquals(1, stranger.finishedSessions().size(), "no classic attempt");
        } finally {
            stranger.close();
        }
    }

    @Test
    void autoReportsTheTlsRefusalWhenClassicIsRefusedToo() throws Exception {
        fake.closeAt(Stage.ACCEPT);
        ServerRefusedException e = assertThrows(ServerRefusedException.class,
                () -> trustingClient(Protocol.AUTO).run(TestClient.request(fake)));
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
        assertEquals(2, fake.finishedSessions().size());
    }

    // ---- connect and handshake failures ----

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void connectionRefused(Protocol p) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        client = tc.client(p);
        ConnectFailedException e = assertThrows(ConnectFailedException.class,
                () -> client.run(RunRequest.builder("127.0.0.1:" + port).build()));
        assertEquals(ErrorKind.CONNECT, e.kind());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void httpServerOnThePortIsAProtocolViolation(Protocol p) {
        fake.opening(Opening.HTTP_GARBAGE);
        CfRunException e = assertThrows(CfRunException.class, () -> trustingClient(p).run(TestClient.request(fake)));
        assertEquals(ErrorKind.PROTOCOL, e.kind(), e.toString());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void silentServerIsAHandshakeTimeout(Protocol p) throws Exception {
        fake.opening(Opening.SILENCE);
        tc.trustKeyFile(fake.publicKey());
        client = tc.builder(p).timeouts(TestClient.FAST.toBuilder().handshake(Duration.ofSeconds(1)).build()).build();
        assertTimeoutPreemptively(Duration.ofSeconds(1 + 6), () -> {
            RunTimeoutException e = assertThrows(RunTimeoutException.class, () -> client.run(TestClient.request(fake)));
            assertEquals(RunTimeoutException.Phase.HANDSHAKE, e.phase());
            assertEquals(Duration.ofSeconds(1), e.limit());
        });
        assertEquals(1, fake.finishedSessions().size(), "a timeout is not a reason to try classic");
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void closeRightAfterAcceptIsAnAccessDenial(Protocol p) {
        fake.closeAt(Stage.ACCEPT);
        ServerRefusedException e = assertThrows(ServerRefusedException.class,
                () -> trustingClient(p).run(TestClient.request(fake)));
        String causes = String.join("\n", e.likelyCauses());
        assertTrue(causes.contains("allowconnects") && causes.contains("maxconnections"), causes);
        assertEquals(p == Protocol.CLASSIC, causes.contains("allowlegacyconnects"), causes);
    }

    // ---- cancellation and concurrency ----

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void closingTheClientCancelsARunInProgress(Protocol p) throws Exception {
        fake.reply(Reply.of(Step.line("cf-serverd executing cfruncommand: /bin/sleep 3600\n"), Step.line("> started\n"),
                Step.silence()));
        tc.trustKeyFile(fake.publicKey());
        client = tc.builder(p).timeouts(TestClient.RELAXED.toBuilder().idle(Duration.ofMinutes(5)).build()).build();
        CompletableFuture<RunResult> run = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                run.complete(client.run(TestClient.request(fake)));
            } catch (Throwable e) {
                run.completeExceptionally(e);
            }
        }, "run-to-cancel");
        t.start();
        assertTrue(waitForExec(), "the run reached EXEC");
        Thread.sleep(100); // let it block reading the reply

        client.close();

        ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(5, TimeUnit.SECONDS));
        RunCancelledException c = assertInstanceOf(RunCancelledException.class, e.getCause());
        assertEquals(ErrorKind.CANCELLED, c.kind());
        t.join(5000);
        RunCancelledException after = assertThrows(RunCancelledException.class, () -> client.run(TestClient.request(fake)));
        assertTrue(after.getMessage().contains("not started"), after.getMessage());
        assertEquals(1, fake.finishedSessions().size(), "a closed client does not connect");
    }

    private boolean waitForExec() throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fake.sessions().isEmpty()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return fake.sessions().get(0).awaitExec(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void oneClientManyConcurrentRuns(Protocol p) throws Exception {
        fake.reply(s -> {
            String cls = s.execLine.substring("EXEC -D".length());
            return Reply.ok(Integer.parseInt(cls.substring(1)), "hello " + cls, "selected " + s.selectClasses);
        });
        tc.trustKeyFile(fake.publicKey());
        client = tc.builder(p).timeouts(TestClient.RELAXED.toBuilder().handshake(Duration.ofSeconds(20)).build()).build();
        int n = 20;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RunResult>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                RunRequest req = RunRequest.builder(fake.hostSpec()).defineClasses("c" + i).selectClasses("s" + i).build();
                results.add(pool.submit(() -> {
                    go.await();
                    return client.run(req);
                }));
            }
            go.countDown();
            for (int i = 0; i < n; i++) {
                RunResult r = results.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(List.of("hello c" + i, "selected [s" + i + "]"), r.outputLines());
                assertEquals(i, r.exitCode().orElseThrow());
                assertEquals(p, r.protocol());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(n, fake.finishedSessions().size());
    }
}
