package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.store.StoredTrigger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One run made of one host's triggers: the union of their classes and bundles (first-seen order, no
 * repeats), the earliest trigger time, and the cooldown keys to start when it ends.
 *
 * @param runId        the store's run id, or 0 before the run is started
 * @param host         the host
 * @param triggerIds   the triggers it serves
 * @param classes      the union of their classes
 * @param bundles      the union of their bundles
 * @param cooldownKeys their distinct cooldown keys
 * @param earliest     the earliest time one of them was received
 * @param triggers     the triggers themselves (for the listeners)
 * @param startedAt    when the run was started, or null before
 */
record RunPlan(long runId, HostAddress host, List<Long> triggerIds, List<String> classes, List<String> bundles,
               List<String> cooldownKeys, Instant earliest, List<StoredTrigger> triggers, Instant startedAt) {

    /** Merges the triggers (at least one, all for {@code host}) into one plan. */
    static RunPlan of(HostAddress host, List<StoredTrigger> triggers) {
        List<Long> ids = new ArrayList<>(triggers.size());
        Set<String> classes = new LinkedHashSet<>();
        Set<String> bundles = new LinkedHashSet<>();
        Set<String> keys = new LinkedHashSet<>();
        Instant earliest = null;
        for (StoredTrigger st : triggers) {
            Trigger t = st.trigger();
            ids.add(st.id());
            if (t.classes() != null) {
                classes.addAll(t.classes());
            }
            if (t.bundles() != null) {
                bundles.addAll(t.bundles());
            }
            if (t.cooldownKey() != null) {
                keys.add(t.cooldownKey());
            }
            if (t.receivedAt() != null && (earliest == null || t.receivedAt().isBefore(earliest))) {
                earliest = t.receivedAt();
            }
        }
        return new RunPlan(0, host, List.copyOf(ids), List.copyOf(classes), List.copyOf(bundles), List.copyOf(keys),
                earliest, List.copyOf(triggers), null);
    }

    /** The same plan with the store's run id and start time. */
    RunPlan withRunId(long id, Instant at) {
        return new RunPlan(id, host, triggerIds, classes, bundles, cooldownKeys, earliest, triggers, at);
    }
}
