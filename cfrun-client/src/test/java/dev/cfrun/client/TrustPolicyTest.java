package dev.cfrun.client;

import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each {@link TrustPolicy} does with an unknown or changed server key, in both protocols. */
class TrustPolicyTest extends FakeServerFixture {
    private Path storedKeyFile() {
        return tc.ppkeys.resolve(CfRunClient.localUserName() + "-" + fake.digest() + ".pub");
    }

    private void assertStoredAndRecorded() throws Exception {
        assertTrue(Files.isRegularFile(storedKeyFile()), "stored as " + storedKeyFile());
        assertEquals(fake.digest(), KeyDigest.md5(KeyFiles.readPublic(storedKeyFile())));
        assertEquals("127.0.0.1 " + fake.port() + " " + fake.digest(), tc.recordFor(fake));
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void trustOnFirstUseStoresTheKeyOnce(Protocol p) throws Exception {
        client = tc.client(p, TrustPolicy.trustOnFirstUse());

        RunResult first = client.run(TestClient.request(fake));
        assertTrue(first.newlyTrusted());
        assertEquals(fake.digest(), first.serverKeyDigest());
        assertStoredAndRecorded();

        RunResult second = client.run(TestClient.request(fake));
        assertFalse(second.newlyTrusted());
        if (p == Protocol.CLASSIC) {
            assertEquals('n', fake.session(0).sauthFlag);
            assertEquals('y', fake.session(1).sauthFlag, "the stored key lets the server prove itself");
            assertTrue(second.serverAuthenticated());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void pinnedDigestIsAcceptedAndStored(Protocol p) throws Exception {
        client = tc.client(p, TrustPolicy.pinned(List.of(fake.digest().toUpperCase().replace("MD5=", "md5="))));
        RunResult r = client.run(TestClient.request(fake));
        assertTrue(r.newlyTrusted());
        assertStoredAndRecorded();
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void pinnedShaDigestIsAccepted(Protocol p) throws Exception {
        client = tc.client(p, TrustPolicy.pinned(List.of(KeyDigest.sha256(fake.publicKey()))));
        assertTrue(client.run(TestClient.request(fake)).newlyTrusted());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void anotherPinnedDigestIsRefused(Protocol p) throws Exception {
        String other = KeyDigest.md5(TestClient.pub(FakeCfServerd.otherKeys()));
        client = tc.client(p, TrustPolicy.pinned(List.of(other)));
        Map<String, String> before = tc.ppkeysSnapshot();

        UnknownServerKeyException e = assertThrows(UnknownServerKeyException.class, () -> client.run(TestClient.request(fake)));

        assertEquals(fake.digest(), e.presentedDigest());
        assertTrue(e.getMessage().contains(other), "the message shows what was pinned: " + e.getMessage());
        assertEquals(before, tc.ppkeysSnapshot());
        for (Session s : fake.finishedSessions()) {
            assertNull(s.execLine);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void askPolicySeesTheDigestAndDecides(Protocol p) throws Exception {
        List<String> asked = Collections.synchronizedList(new ArrayList<>());
        client = tc.client(p, TrustPolicy.ask((host, address, digest) -> {
            asked.add(host + " " + address + " " + digest);
            return false;
        }));
        Map<String, String> before = tc.ppkeysSnapshot();
        assertThrows(UnknownServerKeyException.class, () -> client.run(TestClient.request(fake)));
        assertEquals(List.of(fake.hostSpec() + " 127.0.0.1 " + fake.digest()), asked);
        assertEquals(before, tc.ppkeysSnapshot());
        client.close();

        client = tc.client(p, TrustPolicy.ask((host, address, digest) -> true));
        assertTrue(client.run(TestClient.request(fake)).newlyTrusted());
        assertStoredAndRecorded();
    }

    /** "A key different from the one trusted for the server's address is always refused, except when the caller pinned exactly that key." */
    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void changedKeyIsAcceptedWhenExactlyThatKeyIsPinned(Protocol p) throws Exception {
        tc.trustAndRecord(TestClient.pub(FakeCfServerd.otherKeys()), fake.port());
        client = tc.client(p, TrustPolicy.pinned(List.of(fake.digest())));

        RunResult r = client.run(TestClient.request(fake));

        assertEquals(fake.digest(), r.serverKeyDigest());
        assertTrue(r.newlyTrusted());
        assertTrue(r.serverAuthenticated());
        assertEquals(List.of("fake agent output"), r.outputLines());
        assertStoredAndRecorded();
        List<Session> sessions = fake.finishedSessions();
        assertEquals(1, sessions.stream().filter(s -> s.execLine != null).count(), "one EXEC: " + sessions);
        if (p == Protocol.CLASSIC) {
            Session last = sessions.get(sessions.size() - 1);
            assertEquals('y', last.sauthFlag, "the new key was proven with the 'y' form before EXEC");
            assertEquals("EXEC", last.execLine);
        }
    }
}
