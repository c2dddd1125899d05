package dev.cfrun.client.internal.transport;

import dev.cfrun.client.RunTimeoutException;

import java.net.SocketTimeoutException;
import java.time.Duration;

/** A deadline of the connection passed while reading or writing. */
public class DeadlineException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    private final RunTimeoutException.Phase phase;
    private final transient Duration limit;

    public DeadlineException(RunTimeoutException.Phase phase, Duration limit) {
        super(phase.name().toLowerCase(java.util.Locale.ROOT) + " deadline of " + Deadlines.describe(limit) + " passed");
        this.phase = phase;
        this.limit = limit;
    }

    public RunTimeoutException.Phase phase() {
        return phase;
    }

    public Duration limit() {
        return limit;
    }
}
