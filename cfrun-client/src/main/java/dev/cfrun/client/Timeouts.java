package dev.cfrun.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The deadlines of a run, kept apart (cf-runagent uses one value for all of them, which cuts quiet
 * agent runs after 30 s).
 * <ul>
 *   <li>{@code connect}: opening the TCP connection (per address tried), default 30 s;</li>
 *   <li>{@code handshake}: TLS handshake and identification, or the classic RSA dialogue, default 30 s;</li>
 *   <li>{@code idle}: no data from the server while the remote agent runs, default 1 hour
 *       ({@link Builder#noIdleLimit()} for none);</li>
 *   <li>{@code overall}: the whole run, default none.</li>
 * </ul>
 * Connect and handshake are hard deadlines (a server trickling one byte at a time cannot stretch them).
 */
public final class Timeouts {
    private static final Timeouts DEFAULTS = builder().build();
    /** The largest {@link #seconds} accepts: its milliseconds fit the int the socket timeouts take. */
    private static final double MAX_SECONDS = 1e6;

    private final Duration connect;
    private final Duration handshake;
    private final Duration idle;      // null = no limit
    private final Duration overall;   // null = no limit

    private Timeouts(Builder b) {
        this.connect = b.connect;
        this.handshake = b.handshake;
        this.idle = b.idle;
        this.overall = b.overall;
    }

    /**
     * The default deadlines: connect 30 s, handshake 30 s, idle 1 hour, no overall limit.
     *
     * @return the shared default instance
     */
    public static Timeouts defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A number of seconds as a user gives it (a command-line option, a configuration value), as the
     * {@link Duration} the builder takes: rounded to the millisecond, at least 1 ms.
     *
     * @param seconds the value; must be positive, finite and at most one million (about 11.5 days)
     * @param optionName how the user named the value, for the message (e.g. {@code "--timeout"})
     * @return the duration
     * @throws IllegalArgumentException "{@code <optionName> must be a positive number of seconds: <seconds>}"
     *         for zero, a negative value, NaN, infinity or more than one million
     */
    public static Duration seconds(double seconds, String optionName) {
        if (!(seconds > 0) || seconds > MAX_SECONDS) {
            throw new IllegalArgumentException(optionName + " must be a positive number of seconds: " + seconds);
        }
        return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
    }

    /**
     * A builder starting from these deadlines, to derive changed ones.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.connect = connect;
        b.handshake = handshake;
        b.idle = idle;
        b.overall = overall;
        return b;
    }

    /**
     * The deadline for opening the TCP connection, per address tried.
     *
     * @return the connect timeout
     */
    public Duration connect() {
        return connect;
    }

    /**
     * The hard deadline for the TLS handshake and identification, or the classic RSA dialogue.
     *
     * @return the handshake timeout
     */
    public Duration handshake() {
        return handshake;
    }

    /**
     * How long the server may send nothing while the remote agent runs.
     *
     * @return the idle timeout, or empty for no limit
     */
    public Optional<Duration> idle() {
        return Optional.ofNullable(idle);
    }

    /**
     * The deadline for the whole run.
     *
     * @return the overall timeout, or empty for no limit (the default)
     */
    public Optional<Duration> overall() {
        return Optional.ofNullable(overall);
    }

    @Override
    public String toString() {
        return "Timeouts[connect=" + connect + ", handshake=" + handshake + ", idle=" + idle + ", overall=" + overall + "]";
    }

    /** Builds {@link Timeouts}; every limit not set keeps its default. */
    public static final class Builder {
        private Duration connect = Duration.ofSeconds(30);
        private Duration handshake = Duration.ofSeconds(30);
        private Duration idle = Duration.ofHours(1);
        private Duration overall;

        private Builder() {
        }

        /**
         * Sets the deadline for opening the TCP connection (default 30 s).
         *
         * @param d a positive duration of at most {@link Integer#MAX_VALUE} milliseconds
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is not positive or too large
         */
        public Builder connect(Duration d) {
            this.connect = positive(d, "connect");
            return this;
        }

        /**
         * Sets the deadline for the handshake and identification (default 30 s).
         *
         * @param d a positive duration of at most {@link Integer#MAX_VALUE} milliseconds
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is not positive or too large
         */
        public Builder handshake(Duration d) {
            this.handshake = positive(d, "handshake");
            return this;
        }

        /**
         * Sets how long the server may stay silent while the agent runs (default 1 hour).
         *
         * @param d a positive duration of at most {@link Integer#MAX_VALUE} milliseconds
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is not positive or too large
         */
        public Builder idle(Duration d) {
            this.idle = positive(d, "idle");
            return this;
        }

        /**
         * Lets the server stay silent for any time while the agent runs.
         *
         * @return this builder
         */
        public Builder noIdleLimit() {
            this.idle = null;
            return this;
        }

        /**
         * Sets a deadline for the whole run (default none).
         *
         * @param d a positive duration of at most {@link Integer#MAX_VALUE} milliseconds
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is not positive or too large
         */
        public Builder overall(Duration d) {
            this.overall = positive(d, "overall");
            return this;
        }

        /**
         * Removes the deadline for the whole run (the default).
         *
         * @return this builder
         */
        public Builder noOverallLimit() {
            this.overall = null;
            return this;
        }

        /**
         * Returns the deadlines set so far.
         *
         * @return the immutable deadlines
         */
        public Timeouts build() {
            return new Timeouts(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " timeout must be positive: " + d);
            }
            if (d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " timeout too large: " + d);
            }
            return d;
        }
    }
}
