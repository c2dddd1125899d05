package dev.cfrun.service.ingest;

import java.time.Instant;

/**
 * Decides which alerts of a delivery act, on which host, with which classes and bundles. Pure: no I/O, no
 * state; the caller stores the triggers and records the rest.
 */
public interface AlertRules {
    /**
     * Applies the rules to one delivery.
     *
     * @param payload    the parsed delivery
     * @param receivedAt when it arrived (each trigger's {@code receivedAt})
     * @return the triggers, the skipped firing alerts and the resolved alerts
     */
    Decisions apply(AlertmanagerPayload payload, Instant receivedAt);
}
