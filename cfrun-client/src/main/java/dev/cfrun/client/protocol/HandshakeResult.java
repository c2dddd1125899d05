package dev.cfrun.client.protocol;

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
}
