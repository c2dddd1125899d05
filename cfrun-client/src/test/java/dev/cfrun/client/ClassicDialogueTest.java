package dev.cfrun.client;

import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.ClassicFault;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classic protocol against a fake cf-serverd 3.21: CAUTH/SAUTH, the 'y' and 'n' forms, key checks, faults. */
class ClassicDialogueTest extends FakeServerFixture {
    private CfRunClient client() {
        client = tc.client(Protocol.CLASSIC);
        return client;
    }

    private static String oldDigest() {
        return KeyDigest.md5(TestClient.pub(FakeCfServerd.otherKeys()));
    }

    @Test
    void trustedKeyFileWithoutRecordUsesTheNFormThenRecordsTheAddressForY() throws Exception {
        tc.trustKeyFile(fake.publicKey());
        assertNull(tc.recordFor(fake));

        RunResult first = client().run(TestClient.request(fake));
        Session s0 = fake.session(0);
        assertEquals('n', s0.sauthFlag);
        assertEquals("SAUTH n 37 37 c", s0.sauthHeader, "nonce in clear: L = N = 37");
        assertFalse(first.serverAuthenticated(), "the 'n' form proves nothing about the server");
        assertFalse(first.newlyTrusted());
        assertEquals(fake.digest(), first.serverKeyDigest());
        assertEquals("127.0.0.1 " + fake.port() + " " + fake.digest(), tc.recordFor(fake));

        RunResult second = client.run(TestClient.request(fake));
        Session s1 = fake.session(1);
        assertEquals('y', s1.sauthFlag);
        assertEquals("SAUTH y 256 37 c", s1.sauthHeader, "nonce RSA-encrypted to the 2048-bit server key");
        assertTrue(second.serverAuthenticated());
        assertEquals(List.of("fake agent output"), second.outputLines());
    }

    @Test
    void cauthAndProofOfOurKey() throws Exception {
        tc.trustAndRecord(fake.publicKey(), fake.port());
        RunResult r = client().run(TestClient.request(fake));

        Session s = fake.session(0);
        assertEquals("classic", s.protocol);
        assertEquals("CAUTH 127.0.0.1 " + TestClient.CLIENT_HOST_NAME + " " + client.user() + " 0", s.cauth);
        assertEquals(client.user(), s.user);
        assertEquals('y', s.sauthFlag);
        assertEquals(client.clientDigest(), s.clientDigest(), "C2/C3 carry our key");
        assertTrue(s.clientProvedKey, "C4 is the MD5 of the decrypted counter-challenge");
        assertEquals(16, s.sessionKeyLength, "C5 is a 16-byte Blowfish key encrypted to the server key");
        assertEquals("EXEC", s.execLine);
        assertEquals(1, r.protocolVersion());
        assertTrue(r.tlsVersion().isEmpty());
    }

    @Test
    void changedServerKeyAtARecordedAddress() throws Exception {
        tc.trustAndRecord(TestClient.pub(FakeCfServerd.otherKeys()), fake.port());
        tc.trustKeyFile(fake.publicKey()); // a trusted key file does not override what this address had
        client = tc.client(Protocol.CLASSIC, TrustPolicy.trustOnFirstUse());
        Map<String, String> before = tc.ppkeysSnapshot();

        ChangedServerKeyException e = assertThrows(ChangedServerKeyException.class, () -> client.run(TestClient.request(fake)));

        assertEquals(ErrorKind.CHANGED_SERVER_KEY, e.kind());
        assertEquals(oldDigest(), e.expectedDigest());
        assertEquals(fake.digest(), e.presentedDigest());
        assertTrue(e.getMessage().contains(oldDigest()) && e.getMessage().contains(fake.digest()), e.getMessage());
        List<Session> sessions = fake.finishedSessions();
        assertEquals('y', sessions.get(0).sauthFlag, "first try: challenge encrypted to the recorded key");
        for (Session s : sessions) {
            assertNull(s.execLine, "nothing executed: " + s);
            assertFalse(s.clientProvedKey, "no proof sent to an untrusted server: " + s);
        }
        assertEquals(before, tc.ppkeysSnapshot());
    }

    @Test
    void unknownServerKeyIsRefusedAndNothingIsStored() throws Exception {
        Map<String, String> before = tc.ppkeysSnapshot();

        UnknownServerKeyException e = assertThrows(UnknownServerKeyException.class, () -> client().run(TestClient.request(fake)));

        assertEquals(fake.digest(), e.presentedDigest());
        assertTrue(e.getMessage().contains(fake.digest()), e.getMessage());
        Session s = fake.session(0);
        assertEquals('n', s.sauthFlag);
        assertFalse(s.clientProvedKey, "the client stopped before answering the counter-challenge");
        assertNull(s.execLine);
        assertEquals(1, fake.sessions().size());
        assertEquals(before, tc.ppkeysSnapshot());
    }

    @Test
    void serverRefusesOurKey() throws Exception {
        FakeCfServerd stranger = FakeCfServerd.start(); // does not know our key
        try {
            tc.trustKeyFile(stranger.publicKey());
            client = tc.client(Protocol.CLASSIC);
            AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                    () -> client.run(TestClient.request(stranger)));
            assertEquals("BAD: key could not be accepted on trust", e.serverText().orElseThrow());
            String causes = String.join("\n", e.likelyCauses());
            assertTrue(causes.contains("cf-key -t") && causes.contains("trustkeysfrom"), causes);
            assertNull(stranger.session(0).execLine);
        } finally {
            stranger.close();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void scriptedKeyRefusal(boolean recorded) throws Exception {
        if (recorded) {
            tc.trustAndRecord(fake.publicKey(), fake.port());
        } else {
            tc.trustKeyFile(fake.publicKey());
        }
        fake.keyReply("BAD: keys did not match");
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                () -> client().run(TestClient.request(fake)));
        assertEquals("BAD: keys did not match", e.serverText().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void wrongNonceDigest(boolean recorded) throws Exception {
        if (recorded) {
            tc.trustAndRecord(fake.publicKey(), fake.port());
        } else {
            tc.trustKeyFile(fake.publicKey());
        }
        fake.classicFault(ClassicFault.WRONG_NONCE_DIGEST);
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> client().run(TestClient.request(fake)));
        assertTrue(e.getMessage().contains("nonce digest"), e.getMessage());
        Session s = fake.session(0);
        assertEquals(recorded ? 'y' : 'n', s.sauthFlag);
        assertFalse(s.clientProvedKey);
        assertNull(s.execLine);
    }

    @Test
    void undecryptableCounterChallenge() throws Exception {
        tc.trustAndRecord(fake.publicKey(), fake.port());
        fake.classicFault(ClassicFault.UNDECRYPTABLE_COUNTER_CHALLENGE);
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> client().run(TestClient.request(fake)));
        assertTrue(e.getMessage().contains("counter-challenge"), e.getMessage());
        assertNull(fake.session(0).execLine);
    }

    @Test
    void wrongMpiLengthInTheServerModulus() throws Exception {
        tc.trustKeyFile(fake.publicKey());
        fake.classicFault(ClassicFault.BAD_MODULUS_LENGTH);
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> client().run(TestClient.request(fake)));
        assertTrue(e.getMessage().contains("modulus"), e.getMessage());
        assertNull(fake.session(0).execLine);
        assertNull(tc.recordFor(fake));
    }

    @Test
    void closeAfterCauthPointsAtAllowlegacyconnects() throws Exception {
        tc.trustKeyFile(fake.publicKey());
        fake.closeAt(Stage.CAUTH);
        ServerRefusedException e = assertThrows(ServerRefusedException.class, () -> client().run(TestClient.request(fake)));
        assertTrue(String.join("\n", e.likelyCauses()).contains("allowlegacyconnects"), e.likelyCauses().toString());
    }

    @Test
    void classicNotAllowedIsASilentClose() throws Exception {
        tc.trustKeyFile(fake.publicKey());
        fake.classicAllowed(false);
        ServerRefusedException e = assertThrows(ServerRefusedException.class, () -> client().run(TestClient.request(fake)));
        assertTrue(e.likelyCauses().get(0).contains("allowlegacyconnects"), e.likelyCauses().toString());
        assertNull(fake.session(0).cauth, "dropped on the peeked bytes, before reading CAUTH");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void closeBeforeTheNonceProofIsAFailure(boolean recorded) throws Exception {
        if (recorded) {
            tc.trustAndRecord(fake.publicKey(), fake.port());
        } else {
            tc.trustKeyFile(fake.publicKey());
        }
        fake.closeAt(Stage.BEFORE_S2);
        CfRunException e = assertThrows(CfRunException.class, () -> client().run(TestClient.request(fake)));
        assertFalse(e instanceof ServerKeyException, "the server's key is the trusted one: " + e);
        for (Session s : fake.finishedSessions()) {
            assertNull(s.execLine);
        }
    }
}
