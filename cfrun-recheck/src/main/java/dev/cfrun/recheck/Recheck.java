package dev.cfrun.recheck;

/**
 * Asks a monitoring system to check a host or service again now, so that a repair is confirmed at once
 * instead of at the next scheduled retry.
 *
 * <p>Implementations: {@link NagiosCommandFile} (Nagios / Naemon external command pipe) and {@link IcingaApi}
 * (Icinga 2 REST API). {@link #request} never throws for run-time failures and returns within a bounded time;
 * what could not be done comes back as {@link Outcome#unavailable(String)} with a one-line reason.
 */
public interface Recheck {
    /**
     * Asks for a forced check of {@code target} now: exactly one attempt, no retries.
     *
     * @return {@link Outcome#isScheduled() scheduled}, or unavailable with the reason
     */
    Outcome request(Target target);

    /**
     * Checks up front that this monitoring system can name {@code target} (for a configuration error before
     * anything runs). The default accepts every target.
     *
     * @throws IllegalArgumentException with a message for the user when it cannot
     */
    default void validate(Target target) {
    }
}
