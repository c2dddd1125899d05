package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.keys.ClientIdentity;

import javax.crypto.Cipher;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;

/**
 * Our last two classic messages:
 * <pre>
 * C: MD5 of the decrypted counter-challenge — proof that we hold our private key
 * C: 16-byte Blowfish session key, RSA-encrypted to the server key
 * </pre>
 * Both are only QUEUED: the server sends nothing back before EXEC, so they go out with the EXEC request in
 * one segment, at {@code ExecDialogue}'s {@code sendQueued()} (the run's flush point), a round trip saved.
 * Nothing may read from the connection between this step and that one.
 */
final class SessionKey {
    private static final int SESSION_KEY_BYTES = 16; // Blowfish, community

    private SessionKey() {
    }

    /** Answers the counter-challenge and queues the session key; sends nothing. */
    static void queue(Connection conn, ClientIdentity id, RSAPublicKey serverKey, byte[] counterChallenge,
                      String proofAlgorithm, SecureRandom random, Peer peer) throws IOException, ProtocolViolationException {
        byte[] counter = ClassicCrypto.rsa(Cipher.DECRYPT_MODE, id.privateKey(), counterChallenge, peer,
                "the server's counter-challenge");
        conn.queueFrame(ClassicCrypto.digest(proofAlgorithm, counter));
        byte[] sessionKey = new byte[SESSION_KEY_BYTES];
        random.nextBytes(sessionKey);
        conn.queueFrame(ClassicCrypto.rsa(Cipher.ENCRYPT_MODE, serverKey, sessionKey, peer, "the session key"));
        Arrays.fill(sessionKey, (byte) 0);
    }
}
