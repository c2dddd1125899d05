package dev.cfrun.service.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The global rate limit: at most {@code perMinute} run starts in any 60 seconds (a sliding window of the start
 * times, so memory is bounded by the limit). Not thread-safe: the {@link Dispatcher} holds its lock.
 */
final class RateLimit {
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private final int perMinute;
    private final Deque<Instant> starts = new ArrayDeque<>();

    /** @param perMinute runs per minute; 0 = no limit */
    RateLimit(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Counts a start at {@code now} if the window has room; false (nothing counted) if it is full. */
    boolean tryAcquire(Instant now) {
        if (perMinute == 0) {
            return true;
        }
        Instant horizon = now.minus(WINDOW);
        while (!starts.isEmpty() && !starts.peekFirst().isAfter(horizon)) {
            starts.pollFirst();
        }
        if (starts.size() >= perMinute) {
            return false;
        }
        starts.addLast(now);
        return true;
    }

    /** Counts a start that happened before (seeding the window after a restart); ignores old or excess ones. */
    void seed(Instant startedAt, Instant now) {
        if (perMinute > 0 && startedAt.isAfter(now.minus(WINDOW)) && starts.size() < perMinute) {
            starts.addLast(startedAt);
        }
    }

    /** The reason recorded with a trigger held back by the limit. */
    String reason() {
        return "rate limit: " + perMinute + " runs per minute reached";
    }
}
