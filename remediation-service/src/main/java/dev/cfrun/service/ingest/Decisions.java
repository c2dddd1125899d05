package dev.cfrun.service.ingest;

import dev.cfrun.service.Trigger;

import java.util.ArrayList;
import java.util.List;

/**
 * What the rules made of one delivery; every alert is in exactly one list.
 *
 * @param triggers one per alert that acts (firing, or resolved where a rule says {@code on_resolved: run}), in
 *                 the payload's order
 * @param skipped  firing alerts that do not act, and resolved alerts a rule would run but cannot fill, each with
 *                 its reason
 * @param resolved resolved alerts that do not act (recorded by the caller, never run)
 */
public record Decisions(List<Trigger> triggers, List<Skipped> skipped, List<Alert> resolved) {
    /** Unmodifiable copies. */
    public Decisions {
        triggers = List.copyOf(triggers);
        skipped = List.copyOf(skipped);
        resolved = List.copyOf(resolved);
    }

    /**
     * Collects the decisions of one delivery.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects decisions alert by alert, each list in the payload's order (not thread-safe). */
    public static final class Builder {
        private final List<Trigger> triggers = new ArrayList<>();
        private final List<Skipped> skipped = new ArrayList<>();
        private final List<Alert> resolved = new ArrayList<>();

        private Builder() {
        }

        /**
         * An alert that acts.
         *
         * @param t its trigger
         */
        public void trigger(Trigger t) {
            triggers.add(t);
        }

        /**
         * An alert that should act but cannot.
         *
         * @param a      the alert
         * @param reason one line
         */
        public void skip(Alert a, String reason) {
            skipped.add(new Skipped(a, reason));
        }

        /**
         * A resolved alert that does not act.
         *
         * @param a the alert
         */
        public void resolved(Alert a) {
            resolved.add(a);
        }

        /**
         * An alert that does not act: skipped with the reason if it fires, recorded if it is resolved.
         *
         * @param a      the alert
         * @param reason one line
         */
        public void decline(Alert a, String reason) {
            if (a.status() == AlertStatus.RESOLVED) {
                resolved(a);
            } else {
                skip(a, reason);
            }
        }

        /**
         * The decisions so far.
         *
         * @return them, unmodifiable
         */
        public Decisions build() {
            return new Decisions(triggers, skipped, resolved);
        }
    }
}
