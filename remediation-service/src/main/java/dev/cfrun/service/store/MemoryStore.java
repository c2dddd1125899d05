package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/** A {@link Store} in memory, for tests: thread-safe (one lock), forgets everything when dropped. */
public final class MemoryStore implements Store {
    private static final class Row {
        final Trigger trigger;
        TriggerState state = TriggerState.QUEUED;
        String reason;
        Long runId;
        boolean retried;

        Row(Trigger trigger) {
            this.trigger = trigger;
        }
    }

    private record Dedupe(long triggerId, Instant receivedAt) {}

    private final TreeMap<Long, Row> triggers = new TreeMap<>();
    private final TreeMap<Long, RunRecord> runs = new TreeMap<>();
    private final Map<String, Dedupe> dedupe = new LinkedHashMap<>();
    private final Map<String, Instant> cooldowns = new HashMap<>();
    private long nextTrigger = 1;
    private long nextRun = 1;
    private boolean closed;
    private boolean paused;

    /** An empty store. */
    public MemoryStore() {
    }

    @Override
    public synchronized Accepted accept(Trigger t) {
        open();
        return store(Bounds.trigger(t));
    }

    @Override
    public synchronized List<Accepted> acceptAll(List<Trigger> ts) {
        open();
        List<Trigger> kept = ts.stream().map(Bounds::trigger).toList(); // all checked before any is stored
        List<Accepted> out = new ArrayList<>(kept.size());
        for (Trigger t : kept) {
            out.add(store(t));
        }
        return out;
    }

    private Accepted store(Trigger kept) {
        if (kept.dedupeKey() != null) {
            Dedupe seen = dedupe.get(kept.dedupeKey());
            if (seen != null) {
                return new Accepted(seen.triggerId(), true);
            }
        }
        long id = nextTrigger++;
        triggers.put(id, new Row(kept));
        if (kept.dedupeKey() != null) {
            dedupe.put(kept.dedupeKey(), new Dedupe(id, kept.receivedAt()));
        }
        return new Accepted(id, false);
    }

    @Override
    public synchronized List<StoredTrigger> queuedAfter(long afterId, int limit) {
        open();
        return queued(triggers.tailMap(afterId, false), null, Bounds.limit(limit));
    }

    @Override
    public synchronized List<StoredTrigger> queuedFor(HostAddress host, int limit) {
        open();
        return queued(triggers, Objects.requireNonNull(host, "host"), Bounds.limit(limit));
    }

    /** The QUEUED rows of {@code rows} (of this host, unless null), oldest first, at most {@code max}. */
    private static List<StoredTrigger> queued(Map<Long, Row> rows, HostAddress host, int max) {
        List<StoredTrigger> out = new ArrayList<>();
        for (Map.Entry<Long, Row> e : rows.entrySet()) {
            if (out.size() == max) {
                break;
            }
            Row r = e.getValue();
            if (r.state == TriggerState.QUEUED && (host == null || host.equals(r.trigger.host()))) {
                out.add(new StoredTrigger(e.getKey(), r.trigger));
            }
        }
        return out;
    }

    @Override
    public synchronized long queueDepth() {
        open();
        return triggers.values().stream().filter(r -> r.state == TriggerState.QUEUED).count();
    }

    @Override
    public synchronized long startRun(HostAddress host, List<Long> triggerIds, List<String> classes,
                                      List<String> bundles, Instant at) {
        open();
        Objects.requireNonNull(host, "host");
        List<Long> ids = StoreChecks.runTriggerIds(triggerIds);
        boolean retried = false;
        for (long id : ids) {
            Row row = row(id);
            StoreChecks.startable(id, row.state, row.trigger.host(), host);
            retried |= row.retried;
        }
        long runId = nextRun++;
        for (long id : ids) {
            Row row = triggers.get(id);
            row.state = TriggerState.RUNNING;
            row.runId = runId;
        }
        runs.put(runId, new RunRecord(runId, host, Bounds.instant(at), Optional.empty(), OptionalInt.empty(), null,
                null, List.copyOf(classes), List.copyOf(bundles), ids, List.of(), retried));
        return runId;
    }

    @Override
    public synchronized void finishRun(long runId, RunOutcome outcome) {
        open();
        Objects.requireNonNull(outcome, "outcome");
        RunRecord r = unfinished(runId);
        runs.put(runId, new RunRecord(r.id(), r.host(), r.startedAt(), Optional.of(Bounds.instant(outcome.endedAt())),
                outcome.exitCode() == null ? OptionalInt.empty() : outcome.exitCode(), Bounds.text(outcome.errorKind()),
                Bounds.text(outcome.message()), r.classes(), r.bundles(), r.triggerIds(),
                Bounds.output(outcome.output() == null ? List.of() : outcome.output()), r.retriedAfterRestart()));
        for (long id : r.triggerIds()) {
            triggers.get(id).state = TriggerState.DONE;
        }
    }

    @Override
    public synchronized void suppress(long triggerId, String reason) {
        open();
        Objects.requireNonNull(reason, "reason");
        Row row = row(triggerId);
        StoreChecks.suppressible(triggerId, row.state);
        row.state = TriggerState.SUPPRESSED;
        row.reason = Bounds.text(reason);
    }

    @Override
    public synchronized Optional<TriggerStatus> triggerStatus(long triggerId) {
        open();
        Row row = triggers.get(triggerId);
        return row == null ? Optional.empty() : Optional.of(new TriggerStatus(row.state, row.reason,
                row.runId == null ? OptionalLong.empty() : OptionalLong.of(row.runId), row.retried));
    }

    @Override
    public synchronized Optional<RunRecord> run(long runId) {
        open();
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public synchronized List<GroupRun> groupRunsSince(Instant since, int limit) {
        open();
        int max = Bounds.limit(limit);
        List<GroupRun> out = new ArrayList<>();
        Instant from = since.truncatedTo(java.time.temporal.ChronoUnit.MICROS); // instants are kept to the microsecond
        for (RunRecord r : runs.values()) {
            if (r.startedAt().isBefore(from)) {
                continue;
            }
            Set<String> seen = new HashSet<>();
            for (long id : r.triggerIds()) {
                Row row = triggers.get(id);
                String g = row == null ? null : row.trigger.group();
                if (g != null && seen.add(g) && out.size() < max) {
                    out.add(new GroupRun(g, r.host(), r.startedAt()));
                }
            }
        }
        return out;
    }

    @Override
    public synchronized boolean paused() {
        open();
        return paused;
    }

    @Override
    public synchronized void setPaused(boolean on) {
        open();
        paused = on;
    }

    @Override
    public synchronized List<RunRecord> recentRuns(Optional<String> host, OptionalInt port, int limit) {
        open();
        int max = Bounds.limit(limit);
        List<RunRecord> out = new ArrayList<>();
        for (RunRecord r : runs.descendingMap().values()) {
            if (out.size() == max) {
                break;
            }
            if (host.isEmpty() || host.get().equals(r.host().host())
                    && (port.isEmpty() || port.getAsInt() == r.host().port())) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public synchronized List<RunRecord> unfinishedRuns() {
        open();
        return runs.values().stream().filter(r -> r.endedAt().isEmpty()).toList();
    }

    @Override
    public synchronized void requeueUnfinished(long runId) {
        open();
        RunRecord r = unfinished(runId);
        runs.put(runId, new RunRecord(r.id(), r.host(), r.startedAt(), Optional.of(r.startedAt()),
                OptionalInt.empty(), Bounds.INTERRUPTED, StoreChecks.INTERRUPTED_MESSAGE, r.classes(), r.bundles(),
                r.triggerIds(), List.of(), r.retriedAfterRestart()));
        for (long id : r.triggerIds()) {
            Row row = triggers.get(id);
            row.state = TriggerState.QUEUED;
            row.retried = true;
        }
    }

    @Override
    public synchronized Optional<Instant> cooldownUntil(HostAddress host, String cooldownKey) {
        open();
        return Optional.ofNullable(cooldowns.get(StoreChecks.cooldownId(host, cooldownKey)));
    }

    @Override
    public synchronized void setCooldown(HostAddress host, String cooldownKey, Instant until) {
        open();
        cooldowns.put(StoreChecks.cooldownId(host, cooldownKey), Bounds.instant(until));
    }

    @Override
    public synchronized int expireDedupeKeys(Instant before) {
        open();
        Objects.requireNonNull(before, "before");
        int n = 0;
        for (Iterator<Dedupe> it = dedupe.values().iterator(); it.hasNext(); ) {
            if (it.next().receivedAt().isBefore(before)) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    private Row row(long id) {
        Row row = triggers.get(id);
        if (row == null) {
            throw new IllegalArgumentException("unknown trigger " + id);
        }
        return row;
    }

    private RunRecord unfinished(long runId) {
        RunRecord r = runs.get(runId);
        if (r == null) {
            throw new IllegalArgumentException("unknown run " + runId);
        }
        if (r.endedAt().isPresent()) {
            throw new IllegalStateException("run " + runId + " already ended");
        }
        return r;
    }
}
