package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ServerKey;
import dev.cfrun.client.internal.protocol.HandshakeOutcome;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Dialer;
import dev.cfrun.client.internal.trust.ServerTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.interfaces.RSAPublicKey;

/**
 * The classic run with its changed-key recovery. The "y" form encrypts our challenge to the key we trust
 * for the address; a server holding another key cannot answer it and ends the dialogue without saying why.
 * Then: ask for the server's actual key on a new connection (the "n" form, stopping before any proof) and
 * classify it. The same key: the failure was about something else, report it. Another key: refused with
 * the changed-key message, unless the caller pinned exactly that key; then it is trusted and recorded (as
 * TLS does) and the "y" form runs again on a third connection, so that the server proves it holds it
 * before anything is run.
 */
public final class ChangedKeyRecovery {
    private static final Logger log = LoggerFactory.getLogger(ChangedKeyRecovery.class);

    private ChangedKeyRecovery() {
    }

    /** The classic handshake on {@code conn}, recovering from a changed key as described above. */
    public static HandshakeOutcome.Authenticated authenticate(Connection conn, Dialer dialer,
                                                              ClassicHandshake.Credentials cred, Peer peer,
                                                              ServerTrust trust) throws CfRunException {
        HandshakeOutcome first = ClassicHandshake.perform(conn, cred, peer, trust);
        if (first instanceof HandshakeOutcome.Authenticated a) {
            return a;
        }
        HandshakeOutcome.KeyNotProven notProven = (HandshakeOutcome.KeyNotProven) first;
        log.debug("{}: classic 'y' form failed ({}); probing the server's key", peer.endpoint(),
                notProven.failure().getMessage());
        dialer.release(conn);
        RSAPublicKey actualKey;
        Connection probe = dialer.open();
        try {
            actualKey = ClassicHandshake.probeServerKey(probe, cred, peer);
        } finally {
            dialer.release(probe);
        }
        ServerTrust.Classification actual = trust.classify(peer.address(), peer.port(), actualKey);
        if (actual.status() != ServerKey.Status.CHANGED) {
            throw notProven.failure(); // the server holds the key we trust: the failure was about something else
        }
        // refuses with the changed-key message unless the caller pinned exactly the new key; then stores it
        trust.verify(peer.address(), peer.port(), actualKey);
        Connection retry = dialer.open();
        try {
            HandshakeOutcome again = ClassicHandshake.perform(retry, cred, peer, trust);
            if (again instanceof HandshakeOutcome.Authenticated a) {
                return new HandshakeOutcome.Authenticated(a.conn(), a.result().withNewlyTrusted());
            }
            throw ((HandshakeOutcome.KeyNotProven) again).failure();
        } catch (CfRunException failure) {
            dialer.release(retry);
            throw failure;
        }
    }
}
