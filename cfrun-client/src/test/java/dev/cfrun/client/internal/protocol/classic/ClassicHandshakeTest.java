package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.HostAddress;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.internal.protocol.HandshakeOutcome;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.transport.LoopbackPair;
import dev.cfrun.client.internal.trust.ServerTrust;
import dev.cfrun.client.internal.trust.TrustStore;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic handshake over a loopback connection, the test playing cf-serverd's side of the dialogue
 * byte by byte (not the fake server): the "n" form, the "y" form's refusal, a wrong proof, and the
 * explicit flush point (the last two messages wait for the EXEC request).
 */
class ClassicHandshakeTest {
    private static final Peer PEER = new Peer("127.0.0.1", 5308, "alice", "MD5=ours");
    private static KeyPair server;
    private static final ClientIdentity ID = KeyFixtures.cfkeyIdentity();

    @TempDir
    Path ppkeys;

    @BeforeAll
    static void serverKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        server = g.generateKeyPair();
    }

    private ServerTrust trust(TrustStore store) {
        return new ServerTrust(store, TrustPolicy.trustOnFirstUse(), HostAddress.of("127.0.0.1", 5308));
    }

    private static ClassicHandshake.Credentials credentials() {
        return new ClassicHandshake.Credentials(ID, c -> "testhost", new SecureRandom());
    }

    private static byte[] rsa(int mode, java.security.Key key, byte[] data) throws Exception {
        Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        c.init(mode, key);
        return c.doFinal(data);
    }

    /** cf-serverd's side up to its key: returns the counter-challenge it sent. */
    private static byte[] serveNForm(LoopbackPair p, boolean rightProof) throws Exception {
        assertEquals("CAUTH 127.0.0.1 testhost alice 0", new String(p.serverReceives(), StandardCharsets.US_ASCII));
        byte[] sauth = p.serverReceives();
        assertEquals("SAUTH n 37 37 c", new String(sauth, 0, 15, StandardCharsets.US_ASCII));
        byte[] nonce = Arrays.copyOfRange(sauth, 24, sauth.length);
        assertEquals(ID.publicKey().getModulus(), Mpi.decode(p.serverReceives(), "n"));
        assertEquals(ID.publicKey().getPublicExponent(), Mpi.decode(p.serverReceives(), "e"));
        p.serverSends("OK: key accepted".getBytes(StandardCharsets.US_ASCII));
        byte[] proof = MessageDigest.getInstance("MD5").digest(nonce);
        if (!rightProof) {
            proof[0] ^= 1;
        }
        p.serverSends(proof);
        byte[] counter = new byte[37];
        new SecureRandom().nextBytes(counter);
        p.serverSends(rsa(Cipher.ENCRYPT_MODE, ID.publicKey(), counter));
        RSAPublicKey pub = (RSAPublicKey) server.getPublic();
        p.serverSends(Mpi.encode(pub.getModulus()));
        p.serverSends(Mpi.encode(pub.getPublicExponent()));
        return counter;
    }

    @Test
    void nFormTrustsOnFirstUseAndLeavesTheLastTwoMessagesQueued() throws Exception {
        TrustStore store = new TrustStore(ppkeys, "alice");
        try (LoopbackPair p = new LoopbackPair()) {
            CompletableFuture<byte[]> serverSide = CompletableFuture.supplyAsync(() -> {
                try {
                    return serveNForm(p, true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            HandshakeOutcome out = ClassicHandshake.perform(p.client(), credentials(), PEER, trust(store));
            byte[] counter = serverSide.get(10, TimeUnit.SECONDS);
            HandshakeOutcome.Authenticated a = assertInstanceOf(HandshakeOutcome.Authenticated.class, out);
            assertEquals(KeyDigest.md5((RSAPublicKey) server.getPublic()), a.result().serverDigest());
            assertTrue(a.result().newlyTrusted());
            assertFalse(a.result().serverAuthenticated(), "the n form never proves the server's key");
            assertTrue(store.isTrusted((RSAPublicKey) server.getPublic()));

            assertFalse(p.clientBytesWithin(300), "the proof and the session key must wait for the EXEC request");
            p.client().sendQueued();
            assertArrayEquals(MessageDigest.getInstance("MD5").digest(counter), p.serverReceives());
            assertEquals(16, rsa(Cipher.DECRYPT_MODE, server.getPrivate(), p.serverReceives()).length);
        }
    }

    @Test
    void aWrongNonceDigestIsAProtocolViolation() throws Exception {
        TrustStore store = new TrustStore(ppkeys, "alice");
        try (LoopbackPair p = new LoopbackPair()) {
            CompletableFuture.runAsync(() -> {
                try {
                    serveNForm(p, false);
                } catch (Exception ignored) {
                    // the client's exception is the test
                }
            });
            ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                    () -> ClassicHandshake.perform(p.client(), credentials(), PEER, trust(store)));
            assertEquals("server 127.0.0.1:5308 sent a wrong nonce digest", e.getMessage());
            assertFalse(store.isTrusted((RSAPublicKey) server.getPublic()), "nothing trusted before the proof");
        }
    }

    @Test
    void yFormRefusedBeforeTheProofIsReturnedAsKeyNotProven() throws Exception {
        TrustStore store = new TrustStore(ppkeys, "alice");
        store.trust((RSAPublicKey) server.getPublic(), "127.0.0.1", 5308);
        try (LoopbackPair p = new LoopbackPair()) {
            CompletableFuture.runAsync(() -> {
                try {
                    p.serverReceives();
                    byte[] sauth = p.serverReceives();
                    assertEquals("SAUTH y 256 37 c", new String(sauth, 0, 16, StandardCharsets.US_ASCII));
                    p.serverSends("BAD: Unspecified server refusal".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the client's outcome is the test
                }
            });
            HandshakeOutcome out = ClassicHandshake.perform(p.client(), credentials(), PEER, trust(store));
            HandshakeOutcome.KeyNotProven k = assertInstanceOf(HandshakeOutcome.KeyNotProven.class, out);
            assertEquals(KeyDigest.md5((RSAPublicKey) server.getPublic()), k.expected().digest());
            assertTrue(k.failure().getMessage().endsWith("did not accept our key MD5=ours: BAD: Unspecified server refusal"),
                    k.failure().getMessage());
        }
    }
}
