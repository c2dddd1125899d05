package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Frame;
import dev.cfrun.client.internal.transport.FrameException;

import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;

/**
 * The server's reply to SAUTH, read one transaction at a time:
 * <pre>
 * S: OK: key accepted | OK: unknown key was accepted on trust | BAD: …
 * S: MD5 of the nonce                     — for "y", proof that the server holds its private key
 * S: counter-challenge encrypted to our key
 * S: server n, e (MPIs)                   — only for "n"
 * </pre>
 */
final class ServerProof {
    private static final int MAX_TEXT = 4088;

    private ServerProof() {
    }

    /** One transaction of the reply; EOF if the server closed instead. */
    static byte[] read(Connection conn, String what) throws IOException {
        Frame f = conn.readFrame();
        if (f == null) {
            throw new EOFException("connection closed while waiting for the " + what);
        }
        if (f.more()) {
            throw new FrameException("unexpected continued ('m') transaction for the " + what);
        }
        return f.payload();
    }

    /** The answer to our key ({@code OK: …} or {@code BAD: …}), as text. */
    static String keyReply(Connection conn) throws IOException {
        return text(read(conn, "key reply"));
    }

    /** MD5 (community) or SHA-256 (FIPS enterprise) of the nonce, whichever the server used; null if neither. */
    static String proofAlgorithm(byte[] proof, byte[] nonce) {
        if (MessageDigest.isEqual(proof, ClassicCrypto.digest("MD5", nonce))) {
            return "MD5";
        }
        if (MessageDigest.isEqual(proof, ClassicCrypto.digest("SHA-256", nonce))) {
            return "SHA-256";
        }
        return null;
    }

    /** The key the server sends in the "n" form (its modulus and exponent); claimed, not proven. */
    static RSAPublicKey serverKey(Connection conn, Peer peer) throws IOException {
        BigInteger n = Mpi.decode(read(conn, "server modulus"), "server modulus");
        BigInteger e = Mpi.decode(read(conn, "server exponent"), "server exponent");
        try {
            return RsaKeys.publicKey(n, e);
        } catch (KeyFileException ex) {
            throw new ProtocolViolationException("server " + peer.endpoint() + " sent an invalid key: " + ex.getMessage());
        }
    }

    private static String text(byte[] payload) {
        int len = Math.min(payload.length, MAX_TEXT);
        while (len > 0 && payload[len - 1] == 0) {
            len--;
        }
        return new String(payload, 0, len, StandardCharsets.UTF_8);
    }
}
