package dev.cfrun.service.ingest;

import dev.cfrun.service.Trigger;

/**
 * What a Nagios / Icinga 2 event comes to: a trigger to accept, or no run and why.
 *
 * @param trigger the trigger, or null when the event does not act
 * @param reason  why it acts ({@code CRITICAL SOFT at attempt 3}) or why not ({@code state OK is not one to act
 *                on (CRITICAL)}), one line
 */
public record MonitorDecision(Trigger trigger, String reason) {
    /** @return true when the event acts (there is a trigger) */
    public boolean acts() {
        return trigger != null;
    }
}
