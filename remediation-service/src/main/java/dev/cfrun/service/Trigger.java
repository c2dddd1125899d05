package dev.cfrun.service;

import dev.cfrun.client.HostAddress;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request for one agent run on one host, as accepted (immutable).
 * @param dedupeKey   same key seen before (within retention) = duplicate, not stored again; null = no dedupe
 * @param cooldownKey per host: triggers with the same key are held back during the cooldown (e.g. the
 *                    alertname); null = no cooldown
 * @param labels      the alert's labels (or empty), kept for the record (bounded by the ingest limits)
 * @param group       Alertmanager's groupKey (blast radius: hosts per group), or null
 * @param cooldown    this trigger's own cooldown (a rule's {@code cooldown}), used instead of the service's when
 *                    set; zero = none; null = the service's
 */
public record Trigger(Source source, String dedupeKey, String cooldownKey, String group, Instant receivedAt,
                      HostAddress host, List<String> classes, List<String> bundles, Map<String, String> labels,
                      Duration cooldown) {
    /**
     * A trigger with the service's cooldown (no cooldown of its own).
     *
     * @param source      where it came from
     * @param dedupeKey   see the record
     * @param cooldownKey see the record
     * @param group       see the record
     * @param receivedAt  when it arrived
     * @param host        the host to run on
     * @param classes     classes to define
     * @param bundles     bundles to run
     * @param labels      the alert's labels, or empty
     */
    public Trigger(Source source, String dedupeKey, String cooldownKey, String group, Instant receivedAt,
                   HostAddress host, List<String> classes, List<String> bundles, Map<String, String> labels) {
        this(source, dedupeKey, cooldownKey, group, receivedAt, host, classes, bundles, labels, null);
    }
}
