package dev.cfrun.service.events;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What happens to triggers and runs, for the audit log, the metrics and the re-check after a run. The ingress
 * and the dispatcher call these after the store has recorded the fact, so a listener never sees something the
 * store does not know. Every method has an empty default; listeners override what they need.
 * <p>
 * Called on the HTTP threads and on the dispatcher's threads (sometimes while it holds its lock): an
 * implementation must be thread-safe, quick and must not call back into the dispatcher. An exception thrown by a
 * listener is logged by {@link #of} and never reaches the caller.
 */
public interface ServiceEvents {
    /** Listens to nothing. */
    ServiceEvents NONE = new ServiceEvents() {
    };

    /**
     * A trigger was stored and queued.
     *
     * @param triggerId the store's id
     * @param trigger   the trigger
     */
    default void accepted(long triggerId, Trigger trigger) {
    }

    /**
     * A trigger had a dedupe key seen before; nothing was stored.
     *
     * @param triggerId the id of the trigger first stored with that key
     * @param trigger   the repeated trigger
     */
    default void duplicate(long triggerId, Trigger trigger) {
    }

    /**
     * A firing alert of a delivery was not turned into a trigger (no host, no rule matched, …).
     *
     * @param fingerprint the alert's fingerprint
     * @param groupKey    the delivery's groupKey, or null
     * @param labels      the alert's labels
     * @param reason      one line
     */
    default void skipped(String fingerprint, String groupKey, Map<String, String> labels, String reason) {
    }

    /**
     * A resolved alert was received and recorded (it runs nothing unless a rule makes it a trigger).
     *
     * @param fingerprint the alert's fingerprint
     * @param groupKey    the delivery's groupKey, or null
     * @param labels      the alert's labels
     */
    default void resolved(String fingerprint, String groupKey, Map<String, String> labels) {
    }

    /**
     * The dispatcher held a queued trigger back; it will not run.
     *
     * @param trigger the stored trigger
     * @param why     the category
     * @param reason  one line
     */
    default void suppressed(StoredTrigger trigger, Suppression why, String reason) {
    }

    /**
     * A run was recorded as started (a dry run too).
     *
     * @param runId    the store's run id
     * @param host     the host
     * @param triggers the triggers it serves (more than one: merged)
     * @param classes  the classes sent
     * @param bundles  the bundles sent
     * @param dryRun   nothing is executed, the run is only recorded
     */
    default void runStarted(long runId, HostAddress host, List<StoredTrigger> triggers, List<String> classes,
                            List<String> bundles, boolean dryRun) {
    }

    /**
     * A run's outcome was recorded.
     *
     * @param runId    the store's run id
     * @param host     the host
     * @param triggers the triggers it served
     * @param outcome  how it ended ({@code errorKind} null = the agent ran and reported)
     * @param took     from the start of the run to its end, on the dispatcher's clock
     */
    default void runFinished(long runId, HostAddress host, List<StoredTrigger> triggers, RunOutcome outcome,
                             Duration took) {
    }

    /**
     * The library authenticated to a server (only successful handshakes are timed).
     *
     * @param host      the host
     * @param handshake the TLS or classic handshake and identification
     */
    default void handshake(HostAddress host, Duration handshake) {
    }

    /**
     * All of {@code listeners}, in order; each call to one is guarded, so a failing listener is logged and the
     * others are still called.
     *
     * @param listeners the listeners
     * @return one listener
     */
    static ServiceEvents of(List<ServiceEvents> listeners) {
        return new FanOutEvents(List.copyOf(listeners));
    }
}
