package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cap on hosts per alert group: within a window, at most {@code maxHosts} distinct hosts run for one group
 * (Alertmanager's groupKey); a host already counted may run again. Memory is bounded: entries older than the
 * window are dropped, and at most {@link #MAX_GROUPS} groups are remembered (the oldest forgotten first).
 * Not thread-safe: the {@link Dispatcher} holds its lock. Kept in memory, and filled again from the store's runs
 * after a restart ({@link Recovery#seedBlastRadius}).
 */
final class BlastRadius {
    static final int MAX_GROUPS = 10_000;
    private static final int MAX_SHOWN = 120;
    private final int maxHosts;
    private final Duration window;
    /** group → (host → last start), groups in order of their last use. */
    private final LinkedHashMap<String, Map<HostAddress, Instant>> groups = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param maxHosts hosts per group; 0 = no cap
     * @param window   how long a host counts against its group
     */
    BlastRadius(int maxHosts, Duration window) {
        this.maxHosts = maxHosts;
        this.window = window;
    }

    /** Why this host may not run for this group now, or null if it may (also for no group or no cap). */
    String refusal(String group, HostAddress host, Instant now) {
        if (group == null || maxHosts == 0) {
            return null;
        }
        Map<HostAddress, Instant> hosts = groups.get(group);
        if (hosts == null) {
            return null;
        }
        prune(hosts, now);
        if (hosts.containsKey(host) || hosts.size() < maxHosts) {
            return null;
        }
        String shown = group.length() > MAX_SHOWN ? group.substring(0, MAX_SHOWN) + "…" : group;
        return "blast radius: group " + shown + " already has " + hosts.size() + " hosts";
    }

    /** Counts a run of this host for this group (no-op without a group or a cap). */
    void record(String group, HostAddress host, Instant now) {
        if (group == null || maxHosts == 0) {
            return;
        }
        groups.computeIfAbsent(group, g -> new HashMap<>()).put(host, now);
        if (groups.size() > MAX_GROUPS) {
            Iterator<Map.Entry<String, Map<HostAddress, Instant>>> it = groups.entrySet().iterator();
            it.next();
            it.remove();
        }
    }

    /** Forgets expired entries of every group (called once per pass; bounded by the number remembered). */
    void expire(Instant now) {
        groups.values().removeIf(hosts -> {
            prune(hosts, now);
            return hosts.isEmpty();
        });
    }

    /** How many groups are remembered (for tests). */
    int groupCount() {
        return groups.size();
    }

    private void prune(Map<HostAddress, Instant> hosts, Instant now) {
        Instant horizon = now.minus(window);
        hosts.values().removeIf(t -> !t.isAfter(horizon));
    }
}
