package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.store.StoredTrigger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One run made of one host's triggers: the union of their classes and bundles (first-seen order, no
 * repeats), the earliest trigger time; the cooldowns to start when it ends come from {@link #cooldowns}.
 *
 * @param runId      the store's run id, or 0 before the run is started
 * @param host       the host
 * @param triggerIds the triggers it serves
 * @param classes    the union of their classes
 * @param bundles    the union of their bundles
 * @param earliest   the earliest time one of them was received
 * @param triggers   the triggers themselves (for the listeners and the cooldowns)
 * @param startedAt  when the run was started, or null before
 */
record RunPlan(long runId, HostAddress host, List<Long> triggerIds, List<String> classes, List<String> bundles,
               Instant earliest, List<StoredTrigger> triggers, Instant startedAt) {

    /** Merges the triggers (at least one, all for {@code host}) into one plan. */
    static RunPlan of(HostAddress host, List<StoredTrigger> triggers) {
        List<Long> ids = new ArrayList<>(triggers.size());
        Set<String> classes = new LinkedHashSet<>();
        Set<String> bundles = new LinkedHashSet<>();
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
            if (t.receivedAt() != null && (earliest == null || t.receivedAt().isBefore(earliest))) {
                earliest = t.receivedAt();
            }
        }
        return new RunPlan(0, host, List.copyOf(ids), List.copyOf(classes), List.copyOf(bundles), earliest,
                List.copyOf(triggers), null);
    }

    /**
     * The cooldown to start per cooldown key when the run ends: the longest of the cooldowns of the triggers with
     * that key.
     *
     * @param fallback the policy's cooldown, for triggers without their own
     * @return key → cooldown (possibly zero), in first-seen order
     */
    Map<String, Duration> cooldowns(Duration fallback) {
        Map<String, Duration> out = new LinkedHashMap<>();
        for (StoredTrigger st : triggers) {
            Trigger t = st.trigger();
            if (t.cooldownKey() != null) {
                Duration d = cooldownOf(t, fallback);
                out.merge(t.cooldownKey(), d, (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        return out;
    }

    /**
     * A trigger's cooldown: its own if set, else the policy's.
     *
     * @param t        the trigger
     * @param fallback the policy's cooldown
     * @return the cooldown (zero = none)
     */
    static Duration cooldownOf(Trigger t, Duration fallback) {
        return t.cooldown() != null ? t.cooldown() : fallback;
    }

    /** The same plan with the store's run id and start time. */
    RunPlan withRunId(long id, Instant at) {
        return new RunPlan(id, host, triggerIds, classes, bundles, earliest, triggers, at);
    }
}
