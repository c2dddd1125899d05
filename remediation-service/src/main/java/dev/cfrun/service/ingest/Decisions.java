package dev.cfrun.service.ingest;

import dev.cfrun.service.Trigger;

import java.util.List;

/**
 * What the rules made of one delivery; every alert is in exactly one list.
 *
 * @param triggers one per firing alert that acts, in the payload's order
 * @param skipped  firing alerts that do not act, each with its reason
 * @param resolved resolved alerts (recorded by the caller, never run)
 */
public record Decisions(List<Trigger> triggers, List<Skipped> skipped, List<Alert> resolved) {
    /** Unmodifiable copies. */
    public Decisions {
        triggers = List.copyOf(triggers);
        skipped = List.copyOf(skipped);
        resolved = List.copyOf(resolved);
    }
}
