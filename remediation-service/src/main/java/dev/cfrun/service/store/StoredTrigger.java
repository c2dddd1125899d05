package dev.cfrun.service.store;

import dev.cfrun.service.Trigger;

/**
 * A trigger as the store keeps it.
 *
 * @param id      the store's id of the trigger
 * @param trigger the trigger as accepted (instants kept to the microsecond)
 */
public record StoredTrigger(long id, Trigger trigger) {}
