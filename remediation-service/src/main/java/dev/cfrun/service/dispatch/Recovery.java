package dev.cfrun.service.dispatch;

import dev.cfrun.service.store.Bounds;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.GroupRun;
import dev.cfrun.service.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** What the {@link Dispatcher} does after a restart, before any run starts (see {@link Dispatcher#recover()}). */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {
    }

    /**
     * Requeues the runs the process died during, once; a run that was itself a retry is ended as interrupted.
     *
     * @param live the ids of runs going on in this process (never touched)
     * @return how many runs were requeued
     */
    static int requeueUnfinished(Store store, Instant now, Set<Long> live) {
        int requeued = 0;
        for (RunRecord r : store.unfinishedRuns()) {
            if (live.contains(r.id())) {
                continue;
            }
            if (r.retriedAfterRestart()) {
                LOG.warn("run {} on {} was interrupted again after a restart; not run a third time", r.id(), r.host());
                store.finishRun(r.id(), new RunOutcome(now, OptionalInt.empty(), Bounds.INTERRUPTED,
                        "interrupted by a restart twice; not run again", List.of()));
            } else {
                LOG.info("run {} on {} was interrupted by a restart; its triggers are queued again", r.id(), r.host());
                store.requeueUnfinished(r.id());
                requeued++;
            }
        }
        return requeued;
    }

    /** Counts again, against their groups' caps, the hosts that ran for a group within the window. */
    static void seedBlastRadius(Store store, BlastRadius blast, Duration window, Instant now) {
        for (GroupRun g : store.groupRunsSince(now.minus(window), Bounds.MAX_LIMIT)) {
            blast.record(g.group(), g.host(), g.startedAt());
        }
    }

    /** Refills the rate limit's window with the runs started in the last minute. */
    static void seed(Store store, RateLimit rate, int perMinute, Instant now) {
        if (perMinute > 0) {
            for (RunRecord r : store.recentRuns(Optional.empty(), perMinute)) {
                rate.seed(r.startedAt(), now);
            }
        }
    }
}
