package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.Protocol;

/**
 * An authenticated connection's facts.
 *
 * @param protocol        TLS or CLASSIC
 * @param version         1 (classic), 2 or 3 (TLS)
 * @param serverDigest    the server key's digest
 * @param newlyTrusted    the key was stored during this handshake
 * @param serverAuthenticated false only for the classic "n" form, where the server never proved it holds its key
 * @param tlsVersion      the negotiated TLS version ("TLSv1.3"), null for classic
 * @param cipherSuite     the negotiated cipher suite, null for classic
 */
public record HandshakeResult(Protocol protocol, int version, String serverDigest, boolean newlyTrusted,
                              boolean serverAuthenticated, String tlsVersion, String cipherSuite) {

    /** The classic handshake's facts: version 1, no TLS session. */
    public static HandshakeResult classic(String serverDigest, boolean newlyTrusted, boolean serverAuthenticated) {
        return new HandshakeResult(Protocol.CLASSIC, 1, serverDigest, newlyTrusted, serverAuthenticated, null, null);
    }

    /** The same facts, with the key stored during this run (by an earlier step, e.g. the changed-key recovery). */
    public HandshakeResult withNewlyTrusted() {
        return new HandshakeResult(protocol, version, serverDigest, true, serverAuthenticated, tlsVersion, cipherSuite);
    }
}
