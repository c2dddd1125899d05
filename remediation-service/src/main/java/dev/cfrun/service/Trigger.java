package dev.cfrun.service;

import dev.cfrun.client.HostAddress;

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
 */
public record Trigger(Source source, String dedupeKey, String cooldownKey, String group, Instant receivedAt,
                      HostAddress host, List<String> classes, List<String> bundles, Map<String, String> labels) {}
