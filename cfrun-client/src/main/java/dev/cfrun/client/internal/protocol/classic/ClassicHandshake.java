package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.internal.protocol.Failures;
import dev.cfrun.client.internal.protocol.Failures.Stage;
import dev.cfrun.client.internal.protocol.HandshakeOutcome;
import dev.cfrun.client.internal.protocol.HandshakeResult;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.protocol.RefusalCauses;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.trust.ServerTrust;
import dev.cfrun.client.internal.trust.TrustStore;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Cipher;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The classic protocol (protocol_version 1), client side, step by step: {@link ClassicHello} (CAUTH, SAUTH,
 * our key), {@link ServerProof} (the server's answer, its proof, its counter-challenge, its key for "n"),
 * the trust decision ({@link ServerTrust}), {@link SessionKey} (our proof and the session key, queued).
 * <p>The "y" form authenticates the server; it needs the server's key before connecting, which the trust
 * store provides per address. The "n" form authenticates nothing about the server: the key it sends is
 * accepted only if the trust store already trusts exactly that key (or the caller's policy accepts it).
 * Either way, after this dialogue EXEC and its output travel <b>in clear</b>: the session key is only
 * used by file-copy commands.
 */
public final class ClassicHandshake {
    private static final Logger log = LoggerFactory.getLogger(ClassicHandshake.class);

    /**
     * What the classic steps need from the client.
     *
     * @param identity     our key pair
     * @param announcedName the host name for CAUTH, for a given connection (its local address's name)
     * @param random       nonces and session keys
     */
    public record Credentials(ClientIdentity identity, Function<Connection, String> announcedName, SecureRandom random) {
    }

    private ClassicHandshake() {
    }

    /**
     * Runs the dialogue. Returns {@link HandshakeOutcome.Authenticated} with the last two messages queued but
     * not sent (see {@link SessionKey}: the EXEC request's {@code sendQueued()} sends them), or
     * {@link HandshakeOutcome.KeyNotProven} if the "y" form ended before the server proved its key (see
     * {@link ChangedKeyRecovery}).
     */
    public static HandshakeOutcome perform(Connection conn, Credentials cred, Peer peer, ServerTrust trust)
            throws CfRunException {
        conn.enterHandshake();
        Optional<TrustStore.Expected> expected = trust.expectedAt(peer.address(), peer.port());
        RSAPublicKey known = expected.flatMap(TrustStore.Expected::key).orElse(null);
        byte[] nonce = ClassicHello.nonce(cred.random());
        try {
            ClassicHello.send(conn, cred.identity(), peer, cred.announcedName().apply(conn), nonce, known);
        } catch (IOException e) {
            throw Failures.translate(e, Stage.CLASSIC_FIRST_REPLY, peer, List.of());
        }

        String reply = null;
        byte[] proof;
        try {
            reply = ServerProof.keyReply(conn);
            if (reply.startsWith("BAD")) {
                AuthenticationFailedException refused = new AuthenticationFailedException("server " + peer.endpoint()
                        + " did not accept our key " + peer.clientDigest() + ": " + reply, reply,
                        RefusalCauses.keyNotAccepted(peer.user(), peer.clientDigest()), null);
                // a 3.21 server that cannot decrypt a "y" challenge answers with the generic refusal
                if (known != null) {
                    return new HandshakeOutcome.KeyNotProven(expected.get(), refused);
                }
                throw refused;
            }
            log.debug("{}: {}", peer.endpoint(), reply);
            proof = ServerProof.read(conn, "nonce proof");
        } catch (CfRunException e) {
            throw e;
        } catch (IOException e) {
            // before its first answer the server is still deciding whether to talk to us at all;
            // after "OK: key accepted" it is authenticating
            CfRunException failure = Failures.translate(e, reply == null ? Stage.CLASSIC_FIRST_REPLY : Stage.CLASSIC_AUTH,
                    peer, List.of());
            if (known != null && Failures.isClosed(e)) {
                return new HandshakeOutcome.KeyNotProven(expected.get(), failure);
            }
            throw failure;
        }

        try {
            byte[] counterChallenge = ServerProof.read(conn, "counter-challenge");
            String alg = ServerProof.proofAlgorithm(proof, nonce);
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
                serverKey = ServerProof.serverKey(conn, peer);
                // Trust is decided before we prove anything or send anything more.
                newlyTrusted = trust.verify(peer.address(), peer.port(), serverKey);
            }
            SessionKey.queue(conn, cred.identity(), serverKey, counterChallenge, alg, cred.random(), peer);
            return new HandshakeOutcome.Authenticated(conn,
                    HandshakeResult.classic(KeyDigest.md5(serverKey), newlyTrusted, known != null));
        } catch (IOException e) {
            throw Failures.translate(e, Stage.CLASSIC_AUTH, peer, List.of());
        }
    }

    /**
     * Asks the server for its key with the "n" form and stops before proving anything: used to tell a
     * changed server key apart from other failures after the "y" form failed, and by probing. Nothing is
     * trusted here.
     */
    public static RSAPublicKey probeServerKey(Connection conn, Credentials cred, Peer peer) throws CfRunException {
        conn.enterHandshake();
        try {
            ClassicHello.send(conn, cred.identity(), peer, cred.announcedName().apply(conn),
                    ClassicHello.nonce(cred.random()), null);
            String reply = ServerProof.keyReply(conn);
            if (reply.startsWith("BAD")) {
                throw new AuthenticationFailedException("server " + peer.endpoint() + " did not accept our key: " + reply,
                        reply, RefusalCauses.keyNotAccepted(peer.user(), peer.clientDigest()), null);
            }
            ServerProof.read(conn, "nonce proof");
            ServerProof.read(conn, "counter-challenge");
            return ServerProof.serverKey(conn, peer);
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
}
