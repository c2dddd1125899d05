package dev.cfrun.client;

import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Opening;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The TLS protocol against a fake cf-serverd 3.21: handshake, key pinning, identification, version negotiation. */
class TlsDialogueTest extends FakeServerFixture {
    private CfRunClient trustingClient() {
        tc.trustKeyFile(fake.publicKey());
        client = tc.client(Protocol.TLS);
        return client;
    }

    @Test
    void identificationLinesAndMutualKeys() throws Exception {
        RunResult r = trustingClient().run(TestClient.request(fake));

        Session s = fake.session(0);
        assertEquals(List.of("CFE_v3 cf-agent 3.21.0", "IDENTITY USERNAME=" + client.user()), s.identificationLines);
        assertEquals(client.clientDigest(), s.clientDigest(), "the client certificate carries our CFEngine key");
        assertEquals(fake.digest(), r.serverKeyDigest());
        assertEquals(s.tlsVersion, r.tlsVersion().orElseThrow());
        assertTrue(r.cipherSuite().isPresent());
        assertTrue(r.serverAuthenticated());
        assertEquals(false, r.newlyTrusted());
        assertEquals("127.0.0.1 " + fake.port() + " " + fake.digest(), tc.recordFor(fake), "the address is recorded");
    }

    @Test
    void oneConnectionForAServerWithX25519() throws Exception {
        trustingClient().run(TestClient.request(fake));
        assertEquals(1, fake.finishedSessions().size());
    }

    @ParameterizedTest(name = "server {0} -> client CFE_v{1}")
    @CsvSource({
        "CFE_v2 cf-serverd 3.14.0, 2",
        "CFE_v3 cf-serverd 3.21.0, 3",
        "CFE_v5 cf-serverd 3.26.0, 3",
        "CFE_v9 cf-serverd 9.0.0, 3",
        "CFE_v3, 3",
    })
    void versionNegotiation(String serverLine, int expected) throws Exception {
        fake.versionLine(serverLine);
        RunResult r = trustingClient().run(TestClient.request(fake));
        assertEquals(expected, r.protocolVersion());
        Session s = fake.session(0);
        assertEquals(expected, s.clientVersion);
        assertTrue(s.identificationLines.get(0).startsWith("CFE_v" + expected + " cf-agent "), s.identificationLines.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CFE_v1 cf-serverd 3.21.0",
        "CFE_v0 cf-serverd 3.21.0",
        "HELLO cf-serverd",
        "CFE_vX cf-serverd 3.21.0",
        "CFE_v3cf-serverd",
    })
    void unusableVersionLineIsAViolationAndNothingIsSent(String serverLine) throws Exception {
        fake.versionLine(serverLine);
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> trustingClient().run(TestClient.request(fake)));
        assertTrue(e.getMessage().contains(fake.hostSpec()), e.getMessage());
        Session s = fake.session(0);
        assertEquals(List.of(), s.identificationLines);
        assertEquals(0, s.applicationBytesReceived);
    }

    @Test
    void unknownServerKeyIsRefusedBeforeAnyApplicationByte() throws Exception {
        client = tc.client(Protocol.TLS);
        Map<String, String> before = tc.ppkeysSnapshot();

        UnknownServerKeyException e = assertThrows(UnknownServerKeyException.class, () -> client.run(TestClient.request(fake)));

        assertEquals(ErrorKind.UNKNOWN_SERVER_KEY, e.kind());
        assertEquals(fake.digest(), e.presentedDigest());
        assertTrue(e.getMessage().contains(fake.digest()), e.getMessage());
        Session s = fake.session(0);
        assertEquals(client.clientDigest(), s.clientDigest(), "the TLS handshake itself completed");
        assertEquals(List.of(), s.identificationLines, "no identification line reached the server");
        assertEquals(0, s.applicationBytesReceived, "not a single application byte reached the server");
        assertNull(s.execLine);
        assertEquals(before, tc.ppkeysSnapshot());
    }

    @Test
    void changedServerKeyIsRefusedBeforeAnyApplicationByte() throws Exception {
        tc.trustAndRecord(TestClient.pub(FakeCfServerd.otherKeys()), fake.port());
        tc.trustKeyFile(fake.publicKey()); // even a trusted key file does not override the address record
        client = tc.client(Protocol.TLS, TrustPolicy.trustOnFirstUse());
        Map<String, String> before = tc.ppkeysSnapshot();

        ChangedServerKeyException e = assertThrows(ChangedServerKeyException.class, () -> client.run(TestClient.request(fake)));

        String old = KeyDigest.md5(TestClient.pub(FakeCfServerd.otherKeys()));
        assertEquals(old, e.expectedDigest());
        assertEquals(fake.digest(), e.presentedDigest());
        assertTrue(e.getMessage().contains(old) && e.getMessage().contains(fake.digest()), e.getMessage());
        Session s = fake.session(0);
        assertEquals(0, s.applicationBytesReceived);
        assertNull(s.execLine);
        assertEquals(before, tc.ppkeysSnapshot());
    }

    @Test
    void clientKeyNotTrustedByTheServer() throws Exception {
        FakeCfServerd other = FakeCfServerd.start(); // same server key, but it does not know our key
        try {
            tc.trustKeyFile(other.publicKey());
            client = tc.client(Protocol.TLS);
            AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                    () -> client.run(TestClient.request(other)));
            assertEquals(ErrorKind.AUTHENTICATION, e.kind());
            String causes = String.join("\n", e.likelyCauses());
            assertTrue(causes.contains("cf-key -t"), causes);
            assertTrue(causes.contains("trustkeysfrom"), causes);
            assertTrue(causes.contains(client.clientDigest()), causes);
            Session s = other.session(0);
            assertEquals(2, s.identificationLines.size());
            assertNull(s.execLine);
        } finally {
            other.close();
        }
    }

    @Test
    void closeAfterIdentityIsAnAuthenticationFailure() throws Exception {
        fake.closeAt(Stage.IDENTITY);
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                () -> trustingClient().run(TestClient.request(fake)));
        assertTrue(e.serverText().isEmpty(), "a silent close carries no server text");
    }

    @Test
    void closeAfterTheHandshakeIsAnAccessDenial() throws Exception {
        fake.closeAt(Stage.TLS_HANDSHAKE);
        ServerRefusedException e = assertThrows(ServerRefusedException.class,
                () -> trustingClient().run(TestClient.request(fake)));
        assertTrue(String.join("\n", e.likelyCauses()).contains("allowconnects"), e.likelyCauses().toString());
    }

    @ParameterizedTest
    @EnumSource(value = Opening.class, names = {"TRICKLE_TLS_HANDSHAKE", "TRICKLE_IDENTIFICATION"})
    void slowLorisIsCutByTheHandshakeDeadline(Opening opening) throws Exception {
        fake.opening(opening).trickleInterval(Duration.ofMillis(300));
        tc.trustKeyFile(fake.publicKey());
        client = tc.builder(Protocol.TLS).timeouts(TestClient.FAST.toBuilder().handshake(Duration.ofSeconds(1)).build()).build();
        assertTimeoutPreemptively(Duration.ofSeconds(1 + 6), () -> { // the trickle alone would last minutes
            RunTimeoutException e = assertThrows(RunTimeoutException.class, () -> client.run(TestClient.request(fake)));
            assertEquals(RunTimeoutException.Phase.HANDSHAKE, e.phase());
            assertEquals(Duration.ofSeconds(1), e.limit());
        });
        assertTrue(fake.session(0).end.contains("trickl"), fake.session(0).end);
    }

    @Test
    void tls12WithCfServerdSuites() throws Exception {
        List<String> suites = Arrays.asList(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
        // cf-serverd's TLS 1.2 suites are static RSA; some JDKs disable them (the client then needs TLS 1.3)
        assumeTrue(suites.contains("TLS_RSA_WITH_AES_256_GCM_SHA384") || suites.contains("TLS_RSA_WITH_AES_256_CBC_SHA"),
                "this JDK disables the TLS_RSA suites");
        fake.tlsProtocols("TLSv1.2");
        RunResult r = trustingClient().run(TestClient.request(fake));
        assertEquals("TLSv1.2", r.tlsVersion().orElseThrow());
        assertTrue(r.cipherSuite().orElseThrow().startsWith("TLS_RSA_WITH_AES_256"), r.cipherSuite().orElseThrow());
        assertEquals(List.of("fake agent output"), r.outputLines());
    }
}
