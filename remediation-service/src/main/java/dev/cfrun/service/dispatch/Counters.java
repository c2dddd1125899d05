package dev.cfrun.service.dispatch;

/** The {@link Dispatcher}'s mutable counters; guarded by its lock. */
final class Counters {
    long runsStarted;
    long runsFinished;
    long triggersMerged;
    long cooldown;
    long rateLimited;
    long blastRadius;
    long invalid;
    long requeued;

    DispatchStats snapshot(int inFlight, boolean paused) {
        return new DispatchStats(runsStarted, runsFinished, triggersMerged, cooldown, rateLimited, blastRadius,
                invalid, requeued, inFlight, paused);
    }
}
