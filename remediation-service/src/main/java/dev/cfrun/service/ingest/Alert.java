package dev.cfrun.service.ingest;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One alert of an Alertmanager delivery (immutable; the maps keep the payload's order and cannot be changed).
 *
 * @param status       firing or resolved
 * @param labels       the alert's labels (identify it; {@code alertname} among them)
 * @param annotations  the alert's annotations (summary, description…), or empty
 * @param startsAt     when it started firing; with the fingerprint it identifies one outage
 * @param endsAt       when it ended, empty while it fires (Alertmanager's zero time {@code 0001-01-01T00:00:00Z})
 * @param fingerprint  Alertmanager's stable hash of the labels
 * @param generatorURL the link back to the rule's expression, or empty
 */
public record Alert(AlertStatus status, Map<String, String> labels, Map<String, String> annotations,
                    Instant startsAt, Optional<Instant> endsAt, String fingerprint, String generatorURL) {
    /**
     * The label's value.
     *
     * @param name a label name
     * @return its value, or null if the alert has no such label
     */
    public String label(String name) {
        return labels.get(name);
    }
}
