package dev.cfrun.service.store;

import java.util.OptionalLong;

/**
 * Where one stored trigger is.
 *
 * @param state               its state
 * @param reason              why it was suppressed, or {@code null}
 * @param runId               the last run it belongs to, if any
 * @param retriedAfterRestart {@code true} if it was requeued after the process died during its run
 */
public record TriggerStatus(TriggerState state, String reason, OptionalLong runId, boolean retriedAfterRestart) {}
