package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;

import java.time.Instant;

/**
 * A host that ran for an alert group: what the blast radius counts, read back after a restart.
 *
 * @param group     the alert group (Alertmanager's groupKey)
 * @param host      the host the run was for
 * @param startedAt when the run started
 */
public record GroupRun(String group, HostAddress host, Instant startedAt) {}
