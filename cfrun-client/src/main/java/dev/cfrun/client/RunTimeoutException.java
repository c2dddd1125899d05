package dev.cfrun.client;

import java.time.Duration;
import java.util.List;

/** A deadline passed. {@link #phase()} tells which one, {@link #limit()} how long it was. */
public class RunTimeoutException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /** The deadlines a run has, kept apart as in {@link Timeouts}. */
    public enum Phase {
        /** Opening the TCP connection. */
        CONNECT,
        /** TLS handshake and identification, or the classic RSA dialogue. */
        HANDSHAKE,
        /** No data from the server for too long while the remote agent runs. */
        IDLE,
        /** The whole run took too long. */
        OVERALL
    }

    private final Phase phase;
    private final Duration limit;

    public RunTimeoutException(Phase phase, Duration limit, String message, List<ReplyLine> linesReceived) {
        super(ErrorKind.TIMEOUT, message, null, List.of(), linesReceived);
        this.phase = phase;
        this.limit = limit;
    }

    public Phase phase() {
        return phase;
    }

    public Duration limit() {
        return limit;
    }
}
