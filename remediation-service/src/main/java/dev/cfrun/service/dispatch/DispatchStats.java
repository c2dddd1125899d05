package dev.cfrun.service.dispatch;

/**
 * Counters of a {@link Dispatcher} since it was built (for metrics and tests), a consistent snapshot.
 *
 * @param runsStarted      runs started (dry runs included)
 * @param runsFinished     runs whose outcome was recorded
 * @param triggersMerged   triggers that joined another trigger's run (a run of k triggers counts k - 1)
 * @param cooldown         triggers suppressed by a cooldown
 * @param rateLimited      triggers suppressed by the global rate limit
 * @param blastRadius      triggers suppressed by the cap on hosts per alert group
 * @param invalid          stored triggers that could not be run at all (suppressed with the reason)
 * @param requeued         unfinished runs requeued after a restart
 * @param inFlight         runs going on now
 * @param paused           whether dispatching is paused
 */
public record DispatchStats(long runsStarted, long runsFinished, long triggersMerged, long cooldown,
                            long rateLimited, long blastRadius, long invalid, long requeued, int inFlight,
                            boolean paused) {}
