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

    public static Timeouts defaults() {
        return DEFAULTS;
    }

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

    public Builder toBuilder() {
        Builder b = new Builder();
        b.connect = connect;
        b.handshake = handshake;
        b.idle = idle;
        b.overall = overall;
        return b;
    }

    public Duration connect() {
        return connect;
    }

    public Duration handshake() {
        return handshake;
    }

    public Optional<Duration> idle() {
        return Optional.ofNullable(idle);
    }

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

        public Builder connect(Duration d) {
            this.connect = positive(d, "connect");
            return this;
        }

        public Builder handshake(Duration d) {
            this.handshake = positive(d, "handshake");
            return this;
        }

        public Builder idle(Duration d) {
            this.idle = positive(d, "idle");
            return this;
        }

        public Builder noIdleLimit() {
            this.idle = null;
            return this;
        }

        public Builder overall(Duration d) {
            this.overall = positive(d, "overall");
            return this;
        }

        public Builder noOverallLimit() {
            this.overall = null;
            return this;
        }

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
