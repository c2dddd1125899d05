package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the {@link Dispatcher} knows of the queue between passes, so that a pass reads only what is new: the
 * highest trigger id read so far (a cursor for {@link dev.cfrun.service.store.Store#queuedAfter}) and the hosts
 * that have queued triggers, ordered by the id of their oldest one. A hint, not the truth: the store is
 * asked for a host's triggers when it may run, and a host listed without any is dropped then. Memory is one
 * entry per host, whatever the length of the queue. Not thread-safe (the dispatcher's lock guards it).
 */
final class PendingHosts {
    private final Map<HostAddress, Long> oldest = new HashMap<>();
    private final TreeMap<Long, HostAddress> byOldest = new TreeMap<>();
    private long cursor;

    /** The highest trigger id read so far; 0 before the first read. */
    long cursor() {
        return cursor;
    }

    /** A queued trigger read by the cursor: its host (unless null) is listed, once, at its oldest trigger. */
    void read(long id, HostAddress host) {
        cursor = Math.max(cursor, id);
        if (host != null) {
            list(host, id);
        }
    }

    /** The host's queued triggers were taken (a run, suppressions): it leaves the list. */
    void taken(HostAddress host) {
        Long id = oldest.remove(host);
        if (id != null) {
            byOldest.remove(id);
        }
    }

    /** The host still has queued triggers, the oldest of them this one (a batch did not take them all). */
    void stillQueued(HostAddress host, long oldestId) {
        taken(host);
        list(host, oldestId);
    }

    /** The listed hosts, the one with the oldest queued trigger first (a copy). */
    List<HostAddress> inOrder() {
        return new ArrayList<>(byOldest.values());
    }

    /** Forgets everything: the next pass reads the whole queue again (after a restart's requeue, after a failure). */
    void reset() {
        oldest.clear();
        byOldest.clear();
        cursor = 0;
    }

    private void list(HostAddress host, long id) {
        if (!oldest.containsKey(host)) {
            oldest.put(host, id);
            byOldest.put(id, host);
        }
    }
}
