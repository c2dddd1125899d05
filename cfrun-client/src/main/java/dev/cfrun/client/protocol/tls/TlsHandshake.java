package dev.cfrun.client.protocol.tls;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.protocol.Causes;
import dev.cfrun.client.protocol.Failures;
import dev.cfrun.client.protocol.Failures.Stage;
import dev.cfrun.client.protocol.HandshakeResult;
import dev.cfrun.client.protocol.Peer;
import dev.cfrun.client.protocol.ServerKeyVerifier;
import dev.cfrun.client.transport.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TLS protocol (CFEngine 3.7+ default), client side:
 * <ol>
 *   <li>TLS handshake, presenting our certificate;</li>
 *   <li>the server key inside its certificate is checked against the trust store — <b>before anything is
 *       sent</b>; an unknown or changed key ends the connection here;</li>
 *   <li>identification, plain text lines inside TLS: server {@code CFE_v<N> cf-serverd <version>}, we answer
 *       {@code CFE_v<min(N,3)> cf-agent …} and {@code IDENTITY USERNAME=<user>}, server {@code OK WELCOME…}
 *       (after checking our key against its ppkeys);</li>
 *   <li>transactions from then on.</li>
 * </ol>
 */
public final class TlsHandshake {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshake.class);

    /** The highest version we speak: 3 "cookie" (3.15+); 2 "tls" for 3.7-3.14. EXEC is the same in both. */
    public static final int MAX_VERSION = 3;
    /** cf-serverd reads identification lines into a 1024-byte buffer. */
    private static final int MAX_LINE = 1024;
    /** We introduce ourselves as cf-agent does (the server parses only the CFE_vN prefix). */
    static final String CLIENT_SOFTWARE = "cf-agent 3.21.0";
    private static final Pattern SERVER_VERSION = Pattern.compile("CFE_v(\\d{1,3})(?:\\s.*)?");

    private TlsHandshake() {
    }

    /** The handshake, the trust decision and the identification, offering these key-exchange groups. */
    public static HandshakeResult perform(Connection conn, TlsContext tls, TlsContext.KeyShares shares, String hostName,
                                          Peer peer, ServerKeyVerifier verifier, int maxVersion) throws CfRunException {
        SSLSession session = handshake(conn, tls, shares, hostName, peer);
        RSAPublicKey serverKey = serverKey(session, peer);
        String digest = KeyDigest.md5(serverKey);
        log.debug("{}: TLS {} {}, server key {}", peer.endpoint(), session.getProtocol(), session.getCipherSuite(), digest);

        boolean newlyTrusted = verifier.verify(peer.address(), peer.port(), serverKey); // throws if untrusted

        int version = identify(conn, peer, maxVersion);
        return new HandshakeResult(Protocol.TLS, version, digest, newlyTrusted, true, session.getProtocol(),
                session.getCipherSuite());
    }

    /**
     * The identification dialogue after a trusted handshake: the server's version line, ours and
     * {@code IDENTITY USERNAME=…}, and the server's {@code OK WELCOME}.
     *
     * @return the protocol version agreed (2 or 3)
     * @throws AuthenticationFailedException if the server does not welcome us
     */
    public static int identify(Connection conn, Peer peer, int maxVersion) throws CfRunException {
        String serverLine;
        try {
            serverLine = conn.readLine(MAX_LINE);
        } catch (IOException e) {
            throw Failures.translate(e, Stage.TLS_SERVER_VERSION, peer, List.of());
        }
        if (serverLine == null) {
            throw Failures.translate(new java.io.EOFException("no version line"), Stage.TLS_SERVER_VERSION, peer, List.of());
        }
        Matcher m = SERVER_VERSION.matcher(serverLine);
        if (!m.matches()) {
            throw new ProtocolViolationException("server " + peer.endpoint() + " sent an invalid version line: '"
                    + abbreviate(serverLine) + "'");
        }
        int offered = Integer.parseInt(m.group(1));
        if (offered < 2) {
            throw new ProtocolViolationException("server " + peer.endpoint() + " offered protocol version " + offered
                    + " inside TLS (TLS needs 2 or later)");
        }
        int version = Math.min(offered, Math.min(maxVersion, MAX_VERSION));
        String hello = "CFE_v" + version + " " + CLIENT_SOFTWARE + "\n" + "IDENTITY USERNAME=" + peer.user() + "\n";
        String welcome;
        try {
            conn.writeRaw(hello.getBytes(StandardCharsets.US_ASCII));
            conn.flush();
            welcome = conn.readLine(MAX_LINE);
        } catch (IOException e) {
            throw Failures.translate(e, Stage.TLS_IDENTIFICATION, peer, List.of());
        }
        if (welcome == null) {
            throw Failures.translate(new java.io.EOFException("closed after IDENTITY"), Stage.TLS_IDENTIFICATION, peer, List.of());
        }
        if (!welcome.startsWith("OK WELCOME")) {
            throw new AuthenticationFailedException("server " + peer.endpoint() + " did not welcome us: '"
                    + abbreviate(welcome) + "'", welcome, Causes.closedAfterIdentity(peer.user(), peer.clientDigest()), null);
        }
        return version;
    }

    /**
     * Only the TLS handshake: returns the key the server proved it holds, and sends nothing else (for
     * showing a server's digest before trusting it).
     */
    public static RSAPublicKey fetchServerKey(Connection conn, TlsContext tls, String hostName, Peer peer)
            throws CfRunException {
        return serverKey(handshake(conn, tls, TlsContext.KeyShares.ALL_GROUPS, hostName, peer), peer);
    }

    private static SSLSession handshake(Connection conn, TlsContext tls, TlsContext.KeyShares shares, String hostName,
                                        Peer peer) throws CfRunException {
        conn.enterHandshake();
        try {
            SSLSocket ssl = tls.layer(conn.tcpSocket(), hostName, peer.port(), shares);
            conn.startTls(ssl);
            return ssl.getSession();
        } catch (IOException e) {
            throw Failures.translate(e, Stage.TLS_HANDSHAKE, peer, List.of());
        }
    }

    private static RSAPublicKey serverKey(SSLSession session, Peer peer) throws CfRunException {
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

    private static String abbreviate(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "…" : s;
        StringBuilder sb = new StringBuilder();
        for (char c : t.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
