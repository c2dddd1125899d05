package dev.cfrun.client.protocol.classic;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.RsaKeys;
import dev.cfrun.client.keys.TrustStore;
import dev.cfrun.client.protocol.Causes;
import dev.cfrun.client.protocol.Failures;
import dev.cfrun.client.protocol.Failures.Stage;
import dev.cfrun.client.protocol.HandshakeResult;
import dev.cfrun.client.protocol.Peer;
import dev.cfrun.client.protocol.ServerKeyVerifier;
import dev.cfrun.client.transport.Addresses;
import dev.cfrun.client.transport.Connection;
import dev.cfrun.client.transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Cipher;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The classic protocol (protocol_version 1), client side:
 * <pre>
 * C: CAUTH &lt;our ip&gt; &lt;our host name&gt; &lt;user&gt; 0
 * C: SAUTH y|n &lt;L&gt; &lt;N&gt; c  (24 bytes, NUL-padded) + nonce (RSA-encrypted to the server key for y, in clear for n)
 * C: our modulus n, our exponent e (MPIs)
 * S: OK: key accepted | OK: unknown key was accepted on trust | BAD: …
 * S: MD5 of the nonce                     — for "y", proof that the server holds its private key
 * S: counter-challenge encrypted to our key
 * S: server n, e (MPIs)                   — only for "n"
 * C: MD5 of the decrypted counter-challenge — proof that we hold our private key
 * C: 16-byte Blowfish session key, RSA-encrypted to the server key
 * </pre>
 * The "y" form authenticates the server; it needs the server's key before connecting, which the trust
 * store provides per address. The "n" form authenticates nothing about the server: the key it sends is
 * accepted only if the trust store already trusts exactly that key (or the caller's policy accepts it).
 * Either way, after this dialogue EXEC and its output travel <b>in clear</b>: the session key is only
 * used by file-copy commands.
 */
public final class ClassicHandshake {
    private static final Logger log = LoggerFactory.getLogger(ClassicHandshake.class);
    private static final int SAUTH_HEADER = 24; // CF_RSA_PROTO_OFFSET
    private static final int NONCE_BITS = 256;  // CF_NONCELEN in bits
    private static final int SESSION_KEY_BYTES = 16; // Blowfish, community
    private static final int MAX_TEXT = 4088;

    /**
     * The "y" form failed before the server proved its key (it closed, or refused after failing to decrypt
     * our challenge): its key is probably not the one we expected.
     */
    public static final class ExpectedKeyNotProven extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient TrustStore.Expected expected;
        private final CfRunException failure;

        ExpectedKeyNotProven(TrustStore.Expected expected, CfRunException failure) {
            super("server did not prove it holds key " + expected.digest(), failure);
            this.expected = expected;
            this.failure = failure;
        }

        public TrustStore.Expected expected() {
            return expected;
        }

        /** The failure as seen, to report if the server's key turns out to be the expected one. */
        public CfRunException failure() {
            return failure;
        }
    }

    private ClassicHandshake() {
    }

    /**
     * Runs the dialogue. Returns with C4 and C5 queued but not flushed: the caller's EXEC goes out in
     * the same segment.
     *
     * @throws ExpectedKeyNotProven if the "y" form ended before the server proved its key (the caller may
     *                              probe the server's actual key with {@link #probeServerKey})
     */
    public static HandshakeResult perform(Connection conn, ClientIdentity id, Peer peer, String clientHostName,
                                          ServerKeyVerifier verifier, SecureRandom random)
            throws CfRunException, ExpectedKeyNotProven {
        conn.enterHandshake();
        Optional<TrustStore.Expected> expected = verifier.expectedAt(peer.address(), peer.port());
        RSAPublicKey known = expected.flatMap(TrustStore.Expected::key).orElse(null);
        byte[] nonce = nonce(random);
        try {
            sendHello(conn, id, peer, clientHostName, nonce, known);
        } catch (IOException e) {
            throw Failures.translate(e, Stage.CLASSIC_FIRST_REPLY, peer, List.of());
        }

        byte[] s1 = null;
        byte[] s2;
        try {
            s1 = read(conn, "key reply");
            String reply = text(s1);
            if (reply.startsWith("BAD")) {
                AuthenticationFailedException refused = new AuthenticationFailedException("server " + peer.endpoint()
                        + " did not accept our key " + peer.clientDigest() + ": " + reply, reply,
                        Causes.keyNotAccepted(peer.user(), peer.clientDigest()), null);
                // a 3.21 server that cannot decrypt a "y" challenge answers with the generic refusal
                throw known != null ? new ExpectedKeyNotProven(expected.get(), refused) : refused;
            }
            log.debug("{}: {}", peer.endpoint(), reply);
            s2 = read(conn, "nonce proof");
        } catch (ExpectedKeyNotProven e) {
            throw e;
        } catch (IOException e) {
            // before its first answer the server is still deciding whether to talk to us at all;
            // after "OK: key accepted" it is authenticating
            CfRunException failure = Failures.translate(e, s1 == null ? Stage.CLASSIC_FIRST_REPLY : Stage.CLASSIC_AUTH,
                    peer, List.of());
            if (known != null && Failures.isClosed(e)) {
                throw new ExpectedKeyNotProven(expected.get(), failure);
            }
            throw failure;
        }

        try {
            byte[] s3 = read(conn, "counter-challenge");
            String alg = proofAlgorithm(s2, nonce);
            if (alg == null) {
                if (known != null) {
                    throw new ProtocolViolationException("server " + peer.endpoint() + " failed to prove it holds key "
                            + expected.get().digest() + " (wrong nonce digest)");
                }
                throw new ProtocolViolationException("server " + peer.endpoint() + " sent a wrong nonce digest");
            }
            RSAPublicKey serverKey = known;
            boolean newlyTrusted = false;
            if (known == null) {
                BigInteger n = Mpi.decode(read(conn, "server modulus"), "server modulus");
                BigInteger e = Mpi.decode(read(conn, "server exponent"), "server exponent");
                try {
                    serverKey = RsaKeys.publicKey(n, e);
                } catch (KeyFileException ex) {
                    throw new ProtocolViolationException("server " + peer.endpoint() + " sent an invalid key: " + ex.getMessage());
                }
                // Trust is decided before we prove anything or send anything more.
                newlyTrusted = verifier.verify(peer.address(), peer.port(), serverKey);
            }
            byte[] counter = rsa(Cipher.DECRYPT_MODE, id.privateKey(), s3, peer, "the server's counter-challenge");
            conn.writeFrame(digest(alg, counter));
            byte[] sessionKey = new byte[SESSION_KEY_BYTES];
            random.nextBytes(sessionKey);
            conn.writeFrame(rsa(Cipher.ENCRYPT_MODE, serverKey, sessionKey, peer, "the session key"));
            Arrays.fill(sessionKey, (byte) 0);
            return new HandshakeResult(Protocol.CLASSIC, 1, KeyDigest.md5(serverKey), newlyTrusted, known != null,
                    null, null);
        } catch (IOException e) {
            throw Failures.translate(e, Stage.CLASSIC_AUTH, peer, List.of());
        }
    }

    /**
     * Asks the server for its key with the "n" form and stops before proving anything: used to tell a
     * changed server key apart from other failures after the "y" form failed. Nothing is trusted here.
     */
    public static RSAPublicKey probeServerKey(Connection conn, ClientIdentity id, Peer peer, String clientHostName,
                                              SecureRandom random) throws CfRunException {
        conn.enterHandshake();
        try {
            sendHello(conn, id, peer, clientHostName, nonce(random), null);
            String reply = text(read(conn, "key reply"));
            if (reply.startsWith("BAD")) {
                throw new AuthenticationFailedException("server " + peer.endpoint() + " did not accept our key: " + reply,
                        reply, Causes.keyNotAccepted(peer.user(), peer.clientDigest()), null);
            }
            read(conn, "nonce proof");
            read(conn, "counter-challenge");
            BigInteger n = Mpi.decode(read(conn, "server modulus"), "server modulus");
            BigInteger e = Mpi.decode(read(conn, "server exponent"), "server exponent");
            return RsaKeys.publicKey(n, e);
        } catch (KeyFileException e) {
            throw new ProtocolViolationException("server " + peer.endpoint() + " sent an invalid key: " + e.getMessage());
        } catch (IOException e) {
            throw Failures.translate(e, Stage.CLASSIC_FIRST_REPLY, peer, List.of());
        }
    }

    /**
     * Initialises the JDK's RSA cipher and digests used here (providers, the JCE policy): per-process work that
     * does not depend on the key. Failures are left for the handshake to report.
     */
    public static void warmUp() {
        try {
            Cipher.getInstance("RSA/ECB/PKCS1Padding");
            MessageDigest.getInstance("MD5");
        } catch (GeneralSecurityException | RuntimeException e) {
            // the handshake reports it
        }
    }

    private static void sendHello(Connection conn, ClientIdentity id, Peer peer, String clientHostName, byte[] nonce,
                                  RSAPublicKey known) throws IOException {
        String localIp = Addresses.numeric(conn.tcpSocket().getLocalAddress());
        conn.writeFrame(("CAUTH " + localIp + " " + clientHostName + " " + peer.user() + " 0").getBytes(StandardCharsets.US_ASCII));
        byte[] challenge = known == null ? nonce : rsa(Cipher.ENCRYPT_MODE, known, nonce, peer, "our challenge");
        String head = "SAUTH " + (known == null ? 'n' : 'y') + " " + challenge.length + " " + nonce.length + " c";
        byte[] sauth = new byte[SAUTH_HEADER + challenge.length];
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, sauth, 0, h.length);
        System.arraycopy(challenge, 0, sauth, SAUTH_HEADER, challenge.length);
        conn.writeFrame(sauth);
        conn.writeFrame(Mpi.encode(id.publicKey().getModulus()));
        conn.writeFrame(Mpi.encode(id.publicKey().getPublicExponent()));
        conn.flush();
    }

    /** A 256-bit random number with its top bit set (BN_rand(256, 0, 0)), MPI-encoded: always 37 bytes. */
    static byte[] nonce(SecureRandom random) {
        byte[] r = new byte[NONCE_BITS / 8];
        random.nextBytes(r);
        r[0] |= (byte) 0x80;
        return Mpi.encode(new BigInteger(1, r));
    }

    private static byte[] read(Connection conn, String what) throws IOException {
        Frame f = conn.readFrame();
        if (f == null) {
            throw new EOFException("connection closed while waiting for the " + what);
        }
        if (f.more()) {
            throw new dev.cfrun.client.transport.FrameException("unexpected continued ('m') transaction for the " + what);
        }
        return f.payload();
    }

    /** MD5 (community) or SHA-256 (FIPS enterprise) of the nonce, whichever the server used; null if neither. */
    private static String proofAlgorithm(byte[] proof, byte[] nonce) {
        if (MessageDigest.isEqual(proof, digest("MD5", nonce))) {
            return "MD5";
        }
        if (MessageDigest.isEqual(proof, digest("SHA-256", nonce))) {
            return "SHA-256";
        }
        return null;
    }

    private static byte[] digest(String alg, byte[] data) {
        try {
            return MessageDigest.getInstance(alg).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] rsa(int mode, Key key, byte[] data, Peer peer, String what) throws ProtocolViolationException {
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            c.init(mode, key);
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new ProtocolViolationException("RSA failed on " + what + " with " + peer.endpoint() + ": "
                    + Failures.describe(e), e);
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
