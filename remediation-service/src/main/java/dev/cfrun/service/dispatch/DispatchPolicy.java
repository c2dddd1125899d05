package dev.cfrun.service.dispatch;

import dev.cfrun.service.store.Bounds;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@link Dispatcher}'s limits, checked when built: {@code DispatchPolicy.builder().cooldown(…).build()}, or
 * {@link #defaults()}; {@link #toBuilder()} changes a copy.
 *
 * @param parallelism      runs at the same time (on different hosts), 1 to 1024: the worker pool's size
 * @param runsPerMinute    global rate limit: runs started in any 60 seconds, 1 to 100000; 0 = no limit
 * @param cooldown         after a run on a host ends, triggers for the same host and cooldown key are
 *                         suppressed for this long; zero = no cooldown; at most 30 days
 * @param maxHostsPerGroup blast radius: at most this many distinct hosts run for one alert group within
 *                         {@code groupWindow}; 0 = no cap
 * @param groupWindow      how long a host counts against its group's cap, 1 second to 30 days
 * @param dryRun           record what would run (a run with error kind {@code dry_run}), run nothing
 * @param queueBatch       how many queued triggers one store read returns, 1 to {@link Bounds#MAX_LIMIT}: a
 *                         pass reads what is new in batches of this size, and one run serves at most this many
 *                         of its host's queued triggers (the rest make the next run)
 * @param dedupeRetention  dedupe keys older than this are forgotten, 1 minute to 365 days
 * @param pollInterval     the dispatch loop looks at the queue at least this often, 10 ms to 1 minute
 */
public record DispatchPolicy(int parallelism, int runsPerMinute, Duration cooldown, int maxHostsPerGroup,
                             Duration groupWindow, boolean dryRun, int queueBatch, Duration dedupeRetention,
                             Duration pollInterval) {

    /**
     * Checks every limit; the parameters are the record's components.
     *
     * @param parallelism      runs at the same time, 1 to 1024
     * @param runsPerMinute    runs started in any 60 seconds, 0 = no limit
     * @param cooldown         per host and cooldown key, after a run ends; zero = none
     * @param maxHostsPerGroup distinct hosts per alert group within the window; 0 = no cap
     * @param groupWindow      how long a host counts against its group
     * @param dryRun           record what would run, run nothing
     * @param queueBatch       queued triggers per store read and per run
     * @param dedupeRetention  how long dedupe keys are kept
     * @param pollInterval     the longest wait between two passes
     * @throws IllegalArgumentException naming the first limit out of range
     */
    public DispatchPolicy {
        range("parallelism", parallelism, 1, 1024);
        range("runsPerMinute", runsPerMinute, 0, 100_000);
        range("maxHostsPerGroup", maxHostsPerGroup, 0, 1_000_000);
        range("queueBatch", queueBatch, 1, Bounds.MAX_LIMIT);
        span("cooldown", cooldown, Duration.ZERO, Duration.ofDays(30));
        span("groupWindow", groupWindow, Duration.ofSeconds(1), Duration.ofDays(30));
        span("dedupeRetention", dedupeRetention, Duration.ofMinutes(1), Duration.ofDays(365));
        span("pollInterval", pollInterval, Duration.ofMillis(10), Duration.ofMinutes(1));
    }

    /**
     * Parallelism 8, 60 runs per minute, 5 minutes cooldown, 10 hosts per group within an hour, not dry-run,
     * 1000 triggers per pass, dedupe keys kept 7 days, the queue polled every second.
     *
     * @return the default policy
     */
    public static DispatchPolicy defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the {@linkplain #defaults() defaults}.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this policy's values.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        return new Builder().parallelism(parallelism).runsPerMinute(runsPerMinute).cooldown(cooldown)
                .maxHostsPerGroup(maxHostsPerGroup).groupWindow(groupWindow).dryRun(dryRun).queueBatch(queueBatch)
                .dedupeRetention(dedupeRetention).pollInterval(pollInterval);
    }

    /**
     * Collects the limits; {@link #build()} checks them all. Not thread-safe; the policy it builds is immutable.
     */
    public static final class Builder {
        private int parallelism = 8;
        private int runsPerMinute = 60;
        private Duration cooldown = Duration.ofMinutes(5);
        private int maxHostsPerGroup = 10;
        private Duration groupWindow = Duration.ofHours(1);
        private boolean dryRun;
        private int queueBatch = 1000;
        private Duration dedupeRetention = Duration.ofDays(7);
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder() {
        }

        /**
         * @param n runs at the same time, 1 to 1024
         * @return this builder
         */
        public Builder parallelism(int n) {
            this.parallelism = n;
            return this;
        }

        /**
         * @param n runs started in any 60 seconds, 0 = no limit
         * @return this builder
         */
        public Builder runsPerMinute(int n) {
            this.runsPerMinute = n;
            return this;
        }

        /**
         * @param d per host and cooldown key, after a run ends; zero = none
         * @return this builder
         */
        public Builder cooldown(Duration d) {
            this.cooldown = d;
            return this;
        }

        /**
         * @param n distinct hosts per alert group within {@link #groupWindow(Duration)}; 0 = no cap
         * @return this builder
         */
        public Builder maxHostsPerGroup(int n) {
            this.maxHostsPerGroup = n;
            return this;
        }

        /**
         * @param d how long a host counts against its group's cap
         * @return this builder
         */
        public Builder groupWindow(Duration d) {
            this.groupWindow = d;
            return this;
        }

        /**
         * @param on record what would run, run nothing
         * @return this builder
         */
        public Builder dryRun(boolean on) {
            this.dryRun = on;
            return this;
        }

        /**
         * @param n queued triggers per store read and per run
         * @return this builder
         */
        public Builder queueBatch(int n) {
            this.queueBatch = n;
            return this;
        }

        /**
         * @param d how long dedupe keys are kept
         * @return this builder
         */
        public Builder dedupeRetention(Duration d) {
            this.dedupeRetention = d;
            return this;
        }

        /**
         * @param d the longest wait between two looks at the queue
         * @return this builder
         */
        public Builder pollInterval(Duration d) {
            this.pollInterval = d;
            return this;
        }

        /**
         * @return the policy
         * @throws IllegalArgumentException naming the first limit out of range
         * @throws NullPointerException     naming a duration left null
         */
        public DispatchPolicy build() {
            return new DispatchPolicy(parallelism, runsPerMinute, cooldown, maxHostsPerGroup, groupWindow, dryRun,
                    queueBatch, dedupeRetention, pollInterval);
        }
    }

    private static void range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ": " + v);
        }
    }

    private static void span(String name, Duration d, Duration min, Duration max) {
        Objects.requireNonNull(d, name);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ": " + d);
        }
    }
}
