package dev.cfrun.service.dispatch;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import dev.cfrun.fakeserver.TestKeys;
import dev.cfrun.service.dispatch.DispatchFakes.FakeClock;
import dev.cfrun.service.store.RunOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.cfrun.service.dispatch.DispatchFakes.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CfRunExecutor} on the library against the fake cf-serverd: the request sent, the outcome kept. */
class CfRunExecutorTest {
    @TempDir
    Path dir;
    private FakeCfServerd fake;
    private CfRunClient client;
    private HostAddress host;
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void setUp() throws Exception {
        fake = FakeCfServerd.start();
        Path work = TestKeys.workdir(dir.resolve("work"));
        fake.allowClient(KeyFiles.loadFromWorkdir(work).publicKey());
        Duration t = Duration.ofSeconds(5);
        client = CfRunClient.builder().workdir(work).trustPolicy(TrustPolicy.strict())
                .timeouts(Timeouts.builder().connect(t).handshake(t).idle(t).build()).build();
        host = HostAddress.parse(fake.hostSpec());
    }

    @AfterEach
    void tearDown() {
        client.close();
        fake.close();
    }

    private void trustTheServer() throws Exception {
        client.trustServerKey(client.fetchServerKey(host));
    }

    @Test
    void aRunSendsTheClassesAndBundlesAndKeepsBoundedOutput() throws Exception {
        trustTheServer();
        String[] output = new String[50];
        for (int i = 0; i < output.length; i++) {
            output[i] = "line " + i;
        }
        fake.reply(Reply.ok(3, output));
        RunOutcome o = new CfRunExecutor(client, clock, 11, 10_000)
                .execute(host, List.of("alert_HttpDown", "alert_DiskFull"), List.of("fix_web"));

        assertEquals(2, fake.finishedSessions().size(), "the key fetch, then the run");
        assertEquals("EXEC -Dalert_HttpDown,alert_DiskFull -b fix_web", fake.session(1).execLine);
        assertNull(o.errorKind());
        assertEquals(3, o.exitCode().getAsInt());
        assertEquals("exit code 3", o.message());
        assertEquals(T0, o.endedAt());
        assertEquals(11, o.output().size(), "ten lines and what was cut");
        assertEquals("line 0", o.output().get(0));
        assertEquals("line 9", o.output().get(9));
        assertEquals("… 40 more line(s) not kept", o.output().get(10));
    }

    @Test
    void anUntrustedServerKeyIsAnErrorKindAndNothingIsSent() throws Exception {
        RunOutcome o = new CfRunExecutor(client, clock).execute(host, List.of("alert_x"), List.of());
        assertEquals("unknown_server_key", o.errorKind());
        assertTrue(o.message().contains(fake.digest()), o.message());
        assertTrue(o.exitCode().isEmpty());
        for (FakeCfServerd.Session s : fake.sessions()) {
            assertNull(s.execLine, "no EXEC to an untrusted server");
        }
    }

    @Test
    void aRefusalKeepsTheServersLine() throws Exception {
        trustTheServer();
        fake.reply(Reply.refuse());
        RunOutcome o = new CfRunExecutor(client, clock).execute(host, List.of("alert_x"), List.of());
        assertEquals("refused", o.errorKind());
        assertTrue(o.output().stream().anyMatch(l -> l.startsWith("BAD:")), o.output().toString());
    }

    @Test
    void namesTheRequestCannotCarryAreRefusedBeforeConnecting() throws Exception {
        RunOutcome o = new CfRunExecutor(client, clock).execute(host, List.of("alert x; rm -rf /"), List.of());
        assertEquals(CfRunExecutor.INVALID_REQUEST, o.errorKind());
        assertTrue(o.message().contains("alert x"), o.message());
        assertEquals(List.of(), fake.sessions(), "no connection at all");
    }
}
