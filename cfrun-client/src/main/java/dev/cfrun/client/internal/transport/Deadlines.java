package dev.cfrun.client.internal.transport;

import dev.cfrun.client.RunTimeoutException.Phase;
import dev.cfrun.client.Timeouts;

import java.time.Duration;

/**
 * The clock of one run: when it started and the deadlines derived from {@link Timeouts}. Monotonic
 * ({@link System#nanoTime()}), immutable apart from the phase start times set by {@link Connection}.
 */
public final class Deadlines {
    private final Timeouts timeouts;
    private final long start;
    private final long overallDeadline; // Long.MAX_VALUE = none

    public Deadlines(Timeouts timeouts) {
        this.timeouts = timeouts;
        this.start = System.nanoTime();
        this.overallDeadline = timeouts.overall().map(d -> start + d.toNanos()).orElse(Long.MAX_VALUE);
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public long start() {
        return start;
    }

    public long overallDeadline() {
        return overallDeadline;
    }

    /** Milliseconds left before the overall deadline (Long.MAX_VALUE if none), at least 0. */
    public long overallRemainingMillis() {
        if (overallDeadline == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, (overallDeadline - System.nanoTime()) / 1_000_000);
    }

    /** The overall deadline as an exception, if it has passed. */
    public void checkOverall() throws DeadlineException {
        if (overallDeadline != Long.MAX_VALUE && System.nanoTime() - overallDeadline >= 0) {
            throw new DeadlineException(Phase.OVERALL, timeouts.overall().orElseThrow());
        }
    }

    /** Timeout in ms for one connect attempt: the connect limit, cut by the overall deadline. */
    public int connectTimeoutMillis() throws DeadlineException {
        checkOverall();
        long ms = Math.min(timeouts.connect().toMillis(), overallRemainingMillis());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    public static String describe(Duration d) {
        if (d == null) {
            return "none";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
