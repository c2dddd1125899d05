package dev.cfrun.service.dispatch;

import dev.cfrun.service.store.Bounds;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@link Dispatcher}'s limits, checked when built. Start from {@link #defaults()} and change with the
 * {@code with…} methods.
 *
 * @param parallelism      runs at the same time (on different hosts), 1 to 1024: the worker pool's size
 * @param runsPerMinute    global rate limit: runs started in any 60 seconds, 1 to 100000; 0 = no limit
 * @param cooldown         after a run on a host ends, triggers for the same host and cooldown key are
 *                         suppressed for this long; zero = no cooldown; at most 30 days
 * @param maxHostsPerGroup blast radius: at most this many distinct hosts run for one alert group within
 *                         {@code groupWindow}; 0 = no cap
 * @param groupWindow      how long a host counts against its group's cap, 1 second to 30 days
 * @param dryRun           record what would run (a run with error kind {@code dry_run}), run nothing
 * @param queueBatch       how many queued triggers one dispatch pass reads (oldest first), 1 to
 *                         {@link Bounds#MAX_LIMIT}; a trigger behind that many waiting for busy hosts is seen
 *                         only when those start their follow-up runs
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
     * @param queueBatch       queued triggers read per pass
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
        return new DispatchPolicy(8, 60, Duration.ofMinutes(5), 10, Duration.ofHours(1), false, 1000,
                Duration.ofDays(7), Duration.ofSeconds(1));
    }

    /**
     * A copy with another parallelism.
     *
     * @param n runs at the same time
     * @return a changed copy
     */
    public DispatchPolicy withParallelism(int n) {
        return new DispatchPolicy(n, runsPerMinute, cooldown, maxHostsPerGroup, groupWindow, dryRun, queueBatch,
                dedupeRetention, pollInterval);
    }

    /**
     * A copy with another runs per minute.
     *
     * @param n runs per minute, 0 = no limit
     * @return a changed copy
     */
    public DispatchPolicy withRunsPerMinute(int n) {
        return new DispatchPolicy(parallelism, n, cooldown, maxHostsPerGroup, groupWindow, dryRun, queueBatch,
                dedupeRetention, pollInterval);
    }

    /**
     * A copy with another cooldown.
     *
     * @param d cooldown per host and key, zero = none
     * @return a changed copy
     */
    public DispatchPolicy withCooldown(Duration d) {
        return new DispatchPolicy(parallelism, runsPerMinute, d, maxHostsPerGroup, groupWindow, dryRun, queueBatch,
                dedupeRetention, pollInterval);
    }

    /**
     * A copy with another blast radius.
     *
     * @param n hosts per alert group, 0 = no cap
     * @param window how long a host counts
     * @return a changed copy
     */
    public DispatchPolicy withBlastRadius(int n, Duration window) {
        return new DispatchPolicy(parallelism, runsPerMinute, cooldown, n, window, dryRun, queueBatch,
                dedupeRetention, pollInterval);
    }

    /**
     * A copy with another dry run.
     *
     * @param on record what would run, run nothing
     * @return a changed copy
     */
    public DispatchPolicy withDryRun(boolean on) {
        return new DispatchPolicy(parallelism, runsPerMinute, cooldown, maxHostsPerGroup, groupWindow, on, queueBatch,
                dedupeRetention, pollInterval);
    }

    /**
     * A copy with another queue batch.
     *
     * @param n triggers read per pass
     * @return a changed copy
     */
    public DispatchPolicy withQueueBatch(int n) {
        return new DispatchPolicy(parallelism, runsPerMinute, cooldown, maxHostsPerGroup, groupWindow, dryRun, n,
                dedupeRetention, pollInterval);
    }

    /**
     * A copy with another dedupe retention.
     *
     * @param d how long dedupe keys are kept
     * @return a changed copy
     */
    public DispatchPolicy withDedupeRetention(Duration d) {
        return new DispatchPolicy(parallelism, runsPerMinute, cooldown, maxHostsPerGroup, groupWindow, dryRun,
                queueBatch, d, pollInterval);
    }

    /**
     * A copy with another poll interval.
     *
     * @param d the longest wait between two looks at the queue
     * @return a changed copy
     */
    public DispatchPolicy withPollInterval(Duration d) {
        return new DispatchPolicy(parallelism, runsPerMinute, cooldown, maxHostsPerGroup, groupWindow, dryRun,
                queueBatch, dedupeRetention, d);
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
