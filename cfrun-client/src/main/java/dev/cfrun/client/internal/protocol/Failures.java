package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ConnectionLostException;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunTimeoutException;
import dev.cfrun.client.ServerRefusedException;
import dev.cfrun.client.internal.transport.DeadlineException;
import dev.cfrun.client.internal.transport.FrameException;

import javax.net.ssl.SSLHandshakeException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.List;

/** Turns a low-level failure into the typed error that says what happened at that stage of the dialogue. */
public final class Failures {

    /** Where in the dialogue the failure happened. */
    public enum Stage {
        TLS_HANDSHAKE("the TLS handshake"),
        TLS_SERVER_VERSION("waiting for the server's version line"),
        TLS_IDENTIFICATION("the identification (IDENTITY)"),
        CLASSIC_FIRST_REPLY("waiting for the server's answer to our key (classic CAUTH/SAUTH)"),
        CLASSIC_AUTH("the classic authentication dialogue"),
        EXEC("the remote run");

        private final String doing;

        Stage(String doing) {
            this.doing = doing;
        }
    }

    private Failures() {
    }

    /** True if the failure means the peer went away (EOF, reset, broken pipe, TLS close). */
    public static boolean isClosed(IOException e) {
        return e instanceof EOFException || (e instanceof SocketException && !(e.getCause() instanceof DeadlineException))
                || (e instanceof javax.net.ssl.SSLException && isClosedSsl(e));
    }

    private static boolean isClosedSsl(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("terminated the handshake") || m.contains("eof") || m.contains("closed")
                || m.contains("connection reset") || m.contains("broken pipe")
                || e.getCause() instanceof SocketException || e.getCause() instanceof EOFException;
    }

    public static CfRunException translate(IOException e, Stage stage, Peer peer, List<ReplyLine> lines) {
        if (e instanceof CfRunException c) {
            return c;
        }
        if (e instanceof DeadlineException d) {
            return new RunTimeoutException(d.phase(), d.limit(), d.getMessage() + " during " + stage.doing
                    + " with " + peer.endpoint(), lines);
        }
        if (e instanceof FrameException) {
            return new ProtocolViolationException("protocol violation by " + peer.endpoint() + " during "
                    + stage.doing + ": " + e.getMessage(), lines);
        }
        if (e instanceof javax.net.ssl.SSLException && !isClosedSsl(e)
                && (e instanceof SSLHandshakeException || stage == Stage.TLS_HANDSHAKE)) {
            // also "Unsupported or unrecognized SSL message": the peer answered the ClientHello with non-TLS bytes
            return new ProtocolViolationException("TLS handshake with " + peer.endpoint() + " failed: " + e.getMessage()
                    + tlsHint(e), e);
        }
        if (isClosed(e)) {
            String what = "server " + peer.endpoint() + " closed the connection during " + stage.doing;
            switch (stage) {
                case TLS_HANDSHAKE:
                case TLS_SERVER_VERSION:
                    return new ServerRefusedException(what + " (likely denied by its access rules)", null,
                            RefusalCauses.closedOnConnect(false), lines);
                case CLASSIC_FIRST_REPLY:
                    return new ServerRefusedException(what + " (likely denied by its access rules)", null,
                            RefusalCauses.closedOnConnect(true), lines);
                case TLS_IDENTIFICATION:
                    return new AuthenticationFailedException(what + ": it did not accept our identity", null,
                            RefusalCauses.closedAfterIdentity(peer.user(), peer.clientDigest()), e);
                case CLASSIC_AUTH:
                    return new AuthenticationFailedException(what + ": it did not accept our proof of identity",
                            null, List.of("the server could not verify our key " + peer.clientDigest()), e);
                case EXEC:
                default:
                    if (lines.isEmpty()) {
                        return new ServerRefusedException("server " + peer.endpoint()
                                + " closed the connection after EXEC without a reply", null,
                                RefusalCauses.execRefused(peer.user()), lines);
                    }
                    return new ConnectionLostException("connection to " + peer.endpoint() + " lost after "
                            + lines.size() + " reply lines: " + describe(e), e, lines);
            }
        }
        return new ConnectionLostException("I/O error with " + peer.endpoint() + " during " + stage.doing + ": "
                + describe(e), e, lines);
    }

    private static String tlsHint(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("handshake_failure") || m.contains("No appropriate protocol") || m.contains("cipher")) {
            return " (cf-serverd offers TLS 1.3 with TLS_AES_256_GCM_SHA384 and, for TLS 1.2, only static-RSA"
                    + " suites such as AES256-GCM-SHA384, which JDK 24 and later disable by default: allow TLS 1.3"
                    + " on the server (allowciphers must include TLS_AES_256_GCM_SHA384, allowtlsversion <= 1.3)"
                    + " or re-enable TLS_RSA_* in the JDK's java.security)";
        }
        return "";
    }

    public static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
