package dev.cfrun.service.store;

/** Where a stored trigger is in its life. */
public enum TriggerState {
    /** Accepted, waiting for the dispatcher. */
    QUEUED,
    /** Part of a run that started and has not finished. */
    RUNNING,
    /** Its run finished (whatever the outcome). */
    DONE,
    /** Decided not to run; the reason is kept. */
    SUPPRESSED
}
