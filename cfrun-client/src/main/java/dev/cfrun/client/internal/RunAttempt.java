package dev.cfrun.client.internal;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunCancelledException;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.ServerDialect;
import dev.cfrun.client.ServerKeyException;
import dev.cfrun.client.internal.protocol.ExecDialogue;
import dev.cfrun.client.internal.protocol.HandshakeOutcome;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.protocol.classic.ChangedKeyRecovery;
import dev.cfrun.client.internal.protocol.tls.TlsHandshake;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Deadlines;
import dev.cfrun.client.internal.trust.ServerTrust;

import java.util.List;

/**
 * One run of one request: connect, handshake (TLS, or classic with its changed-key recovery), EXEC, result.
 * Each protocol try is {@link #with}; {@link ProtocolFallback} decides whether there is a second one.
 */
public final class RunAttempt {
    private final ClientContext ctx;
    private final RunRequest request;
    private final Deadlines deadlines;
    private final ServerTrust trust;

    private RunAttempt(ClientContext ctx, RunRequest request) {
        this.ctx = ctx;
        this.request = request;
        this.deadlines = new Deadlines(ctx.timeouts());
        this.trust = ctx.trust(request.host());
    }

    /** Runs the request, falling back to classic as {@link ProtocolFallback} says. */
    public static RunResult run(ClientContext ctx, RunRequest request) throws CfRunException {
        if (ctx.connections().isClosed()) {
            throw new RunCancelledException("run on " + request.host() + " not started: client closed", List.of());
        }
        RunAttempt attempt = new RunAttempt(ctx, request);
        Protocol first = ctx.firstProtocol();
        if (request.dialect() == ServerDialect.CFENGINE2) {
            if (ctx.protocol() == Protocol.TLS) {
                throw new IllegalArgumentException("CFEngine 2 cfservd speaks only the classic protocol, not TLS");
            }
            first = Protocol.CLASSIC; // no TLS attempt: cfservd 2.x would only see garbage
        }
        return ProtocolFallback.run(ctx.protocol(), first, request.host(), attempt::with);
    }

    /** One try with one protocol, on connections of its own. */
    private Outcome<RunResult> with(Protocol protocol) throws CfRunException {
        HostAddress host = request.host();
        Opened opened = Opened.open(ctx, host, deadlines);
        Connection conn = opened.conn();
        Peer peer = opened.peer();
        try {
            HandshakeOutcome.Authenticated auth;
            if (protocol == Protocol.TLS) {
                HandshakeOutcome o = TlsHandshake.perform(conn, opened.dialer(), ctx.tls(), host.host(), peer, trust);
                if (o instanceof HandshakeOutcome.NoTlsSession none) {
                    if (ctx.connections().isClosed()) {
                        throw cancelled(none.error());
                    }
                    return new Outcome.NoTls<>(none.error());
                }
                auth = (HandshakeOutcome.Authenticated) o;
            } else {
                auth = ChangedKeyRecovery.authenticate(conn, opened.dialer(), ctx.credentials(), peer, trust);
            }
            long tAuthenticated = System.nanoTime();
            auth.conn().enterExec();
            ExecDialogue.Outcome out = ExecDialogue.run(auth.conn(), request, peer);
            long tDone = System.nanoTime();
            return new Outcome.Done<>(RunResults.of(host, opened.address(), auth.result(), out, deadlines.start(),
                    opened.start(), opened.connected(), tAuthenticated, tDone));
        } catch (CfRunException e) {
            if (ctx.connections().isClosed() && !(e instanceof ServerKeyException)) {
                throw cancelled(e);
            }
            throw e;
        } finally {
            opened.dialer().releaseAll();
        }
    }

    private RunCancelledException cancelled(CfRunException e) {
        return new RunCancelledException("run on " + request.host() + " cancelled: client closed", e.linesReceived());
    }
}
