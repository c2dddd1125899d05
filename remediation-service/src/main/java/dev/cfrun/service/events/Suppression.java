package dev.cfrun.service.events;

/** Why the dispatcher held a trigger back instead of running it (the reason text says more). */
public enum Suppression {
    /** A run for the same host and cooldown key ended less than the cooldown ago. */
    COOLDOWN,
    /** The global runs-per-minute limit was reached. */
    RATE_LIMIT,
    /** The alert group already reached its cap on distinct hosts. */
    BLAST_RADIUS,
    /** The trigger cannot be run at all (no host). */
    INVALID
}
