package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/** The state checks both stores make, so they fail alike. */
final class StoreChecks {
    /** The message of a run ended by {@link Store#requeueUnfinished}. */
    static final String INTERRUPTED_MESSAGE = "the service stopped during the run; its triggers were queued again";

    private StoreChecks() {
    }

    static List<Long> runTriggerIds(List<Long> triggerIds) {
        Objects.requireNonNull(triggerIds, "triggerIds");
        if (triggerIds.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one trigger");
        }
        LinkedHashSet<Long> unique = new LinkedHashSet<>(triggerIds);
        if (unique.size() != triggerIds.size()) {
            throw new IllegalArgumentException("duplicate trigger id in " + triggerIds);
        }
        return unique.stream().sorted().toList();
    }

    static void startable(long id, TriggerState state, HostAddress triggerHost, HostAddress runHost) {
        if (state != TriggerState.QUEUED) {
            throw new IllegalStateException("trigger " + id + " is " + state + ", not QUEUED");
        }
        if (!triggerHost.equals(runHost)) {
            throw new IllegalArgumentException("trigger " + id + " is for " + triggerHost + ", not " + runHost);
        }
    }

    static void suppressible(long id, TriggerState state) {
        if (state != TriggerState.QUEUED) {
            throw new IllegalStateException("trigger " + id + " is " + state + ", not QUEUED");
        }
    }

    static String cooldownId(HostAddress host, String cooldownKey) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(cooldownKey, "cooldownKey");
        return host + "\n" + cooldownKey;
    }
}
