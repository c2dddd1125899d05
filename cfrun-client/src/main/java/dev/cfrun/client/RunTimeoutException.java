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

    /** The deadline that passed. */
    private final Phase phase;
    /** How long that deadline was. */
    private final Duration limit;

    /**
     * Creates the failure; the library throws it when one of the {@link Timeouts} passes.
     *
     * @param phase         the deadline that passed
     * @param limit         how long that deadline was
     * @param message       what timed out, naming the server
     * @param linesReceived the reply lines received before the deadline passed
     */
    public RunTimeoutException(Phase phase, Duration limit, String message, List<ReplyLine> linesReceived) {
        super(ErrorKind.TIMEOUT, message, null, List.of(), linesReceived);
        this.phase = phase;
        this.limit = limit;
    }

    /**
     * Which deadline passed.
     *
     * @return the phase of the run that took too long
     */
    public Phase phase() {
        return phase;
    }

    /**
     * How long the deadline was.
     *
     * @return the configured duration of the deadline that passed
     */
    public Duration limit() {
        return limit;
    }
}
