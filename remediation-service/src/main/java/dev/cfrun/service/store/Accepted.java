package dev.cfrun.service.store;

/**
 * The answer of {@link Store#accept}.
 *
 * @param triggerId the id of the stored trigger: the new one, or for a duplicate the one accepted before
 * @param duplicate {@code true} if the dedupe key was accepted before and nothing was stored
 */
public record Accepted(long triggerId, boolean duplicate) {}
