package dev.cfrun.client.internal;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.ProbeResult;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ServerKey;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.protocol.classic.ClassicHandshake;
import dev.cfrun.client.internal.protocol.tls.Identification;
import dev.cfrun.client.internal.protocol.tls.TlsContext;
import dev.cfrun.client.internal.protocol.tls.TlsHandshake;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Deadlines;
import dev.cfrun.client.internal.trust.ServerTrust;

import javax.net.ssl.SSLSocket;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks a server without running anything: connects, reads its key (TLS: the handshake only; classic: the
 * "n" form up to the key), classifies it with {@link ServerTrust}, and — when asked and the key is trusted or
 * pinned — completes the TLS identification. Nothing is stored.
 */
public final class Probe {
    private final ClientContext ctx;
    private final HostAddress host;
    private final boolean identify;
    private final Deadlines deadlines;
    private final ServerTrust trust;

    private Probe(ClientContext ctx, HostAddress host, boolean identify) {
        this.ctx = ctx;
        this.host = host;
        this.identify = identify;
        this.deadlines = new Deadlines(ctx.timeouts());
        this.trust = ctx.trust(host);
    }

    /** Probes {@code host}; with {@code identify} false, stops at the key. */
    public static ProbeResult probe(ClientContext ctx, HostAddress host, boolean identify) throws CfRunException {
        Probe p = new Probe(ctx, host, identify);
        return ProtocolFallback.run(ctx.protocol(), ctx.firstProtocol(), host, p::with);
    }

    private Outcome<ProbeResult> with(Protocol protocol) throws CfRunException {
        Opened opened = Opened.open(ctx, host, deadlines);
        Connection conn = opened.conn();
        Peer peer = opened.peer();
        try {
            RSAPublicKey key;
            if (protocol == Protocol.TLS) {
                TlsHandshake.Start start = TlsHandshake.start(conn, ctx.tls(), TlsContext.KeyShares.ALL_GROUPS,
                        host.host(), peer);
                if (start instanceof TlsHandshake.Down down) {
                    return new Outcome.NoTls<>(down.error());
                }
                key = TlsHandshake.serverKey(((TlsHandshake.Up) start).session(), peer);
            } else {
                key = ClassicHandshake.probeServerKey(conn, ctx.credentials(), peer);
            }
            ServerKey serverKey = trust.keyStatus(opened.address(), protocol, key);
            boolean accepted = serverKey.status() == ServerKey.Status.TRUSTED
                    || ctx.trustPolicy().isPinned(serverKey.digest(), serverKey.shaDigest());
            int version = protocol == Protocol.CLASSIC ? 1 : 0;
            boolean authenticated = protocol == Protocol.CLASSIC; // probeServerKey got "OK: key accepted"
            if (identify && accepted && protocol == Protocol.TLS) {
                version = Identification.identify(conn, peer, Identification.MAX_VERSION);
                authenticated = true;
            }
            long tDone = System.nanoTime();
            String tlsVersion = protocol == Protocol.TLS && conn.socket() instanceof SSLSocket ssl
                    ? ssl.getSession().getProtocol() : null;
            return new Outcome.Done<>(new ProbeResult(serverKey, authenticated, version, Optional.ofNullable(tlsVersion),
                    Duration.ofNanos(opened.connected() - opened.start()), Duration.ofNanos(tDone - opened.connected())));
        } finally {
            opened.dialer().releaseAll();
        }
    }
}
