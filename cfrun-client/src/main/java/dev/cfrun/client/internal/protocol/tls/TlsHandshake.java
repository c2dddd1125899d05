package dev.cfrun.client.internal.protocol.tls;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.internal.protocol.Failures;
import dev.cfrun.client.internal.protocol.Failures.Stage;
import dev.cfrun.client.internal.protocol.HandshakeOutcome;
import dev.cfrun.client.internal.protocol.HandshakeResult;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Dialer;
import dev.cfrun.client.internal.trust.ServerTrust;
import dev.cfrun.client.keys.KeyDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.List;

/**
 * The TLS protocol (CFEngine 3.7+ default), client side:
 * <ol>
 *   <li>TLS handshake, presenting our certificate ({@link TlsContext}, {@link ClientCertificate});</li>
 *   <li>the server key inside its certificate is checked against the trust store ({@link ServerTrust}) —
 *       <b>before anything is sent</b>; an unknown or changed key ends the connection here;</li>
 *   <li>{@link Identification}: {@code CFE_v}, {@code IDENTITY}, {@code OK WELCOME};</li>
 *   <li>transactions from then on.</li>
 * </ol>
 */
public final class TlsHandshake {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshake.class);

    /** How starting TLS on a connection ended. */
    public sealed interface Start {
    }

    /** The TLS session is up. */
    public record Up(SSLSession session) implements Start {
    }

    /** No session: the server refused or did not answer in TLS ({@code error} says how). */
    public record Down(CfRunException error) implements Start {
    }

    private TlsHandshake() {
    }

    /**
     * The handshake, the trust decision and the identification. The first ClientHello offers X25519 only
     * ({@link TlsContext.KeyShares}); a server that refuses that is tried once more, here and only here, on a
     * new connection from {@code dialer}, with every group.
     *
     * @return {@link HandshakeOutcome.Authenticated} (on {@code conn} or the new connection), or
     *         {@link HandshakeOutcome.NoTlsSession} if no TLS session came about
     */
    public static HandshakeOutcome perform(Connection conn, Dialer dialer, TlsContext tls, String hostName, Peer peer,
                                           ServerTrust trust) throws CfRunException {
        Start start = start(conn, tls, TlsContext.KeyShares.X25519_ONLY, hostName, peer);
        if (start instanceof Down d && TlsContext.needsAllGroups(d.error())) {
            log.debug("{}: TLS handshake with X25519 only failed ({}); again with every group", peer.endpoint(),
                    d.error().getMessage());
            dialer.release(conn);
            conn = dialer.open();
            start = start(conn, tls, TlsContext.KeyShares.ALL_GROUPS, hostName, peer);
        }
        if (start instanceof Down d) {
            return new HandshakeOutcome.NoTlsSession(d.error());
        }
        SSLSession session = ((Up) start).session();
        RSAPublicKey serverKey = serverKey(session, peer);
        String digest = KeyDigest.md5(serverKey);
        log.debug("{}: TLS {} {}, server key {}", peer.endpoint(), session.getProtocol(), session.getCipherSuite(), digest);

        boolean newlyTrusted = trust.verify(peer.address(), peer.port(), serverKey); // throws if untrusted

        int version = Identification.identify(conn, peer, Identification.MAX_VERSION);
        return new HandshakeOutcome.Authenticated(conn, new HandshakeResult(Protocol.TLS, version, digest, newlyTrusted,
                true, session.getProtocol(), session.getCipherSuite()));
    }

    /**
     * Only the TLS handshake. A refusal or a non-TLS answer is returned as {@link Down}; other failures
     * (a deadline, a lost connection) are thrown.
     */
    public static Start start(Connection conn, TlsContext tls, TlsContext.KeyShares shares, String hostName,
                              Peer peer) throws CfRunException {
        conn.enterHandshake();
        try {
            SSLSocket ssl = tls.layer(conn.tcpSocket(), hostName, peer.port(), shares);
            conn.startTls(ssl);
            return new Up(ssl.getSession());
        } catch (IOException e) {
            CfRunException error = Failures.translate(e, Stage.TLS_HANDSHAKE, peer, List.of());
            if (error.kind() == ErrorKind.REFUSED || error.kind() == ErrorKind.PROTOCOL) {
                return new Down(error);
            }
            throw error;
        }
    }

    /** The RSA key in the server's certificate (the handshake proved the server holds it). */
    public static RSAPublicKey serverKey(SSLSession session, Peer peer) throws CfRunException {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new ProtocolViolationException("server " + peer.endpoint() + " presented no certificate", e);
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)
                || !(x.getPublicKey() instanceof RSAPublicKey key)) {
            throw new ProtocolViolationException("server " + peer.endpoint()
                    + " presented a certificate without an RSA key (CFEngine keys are RSA)");
        }
        return key;
    }
}
