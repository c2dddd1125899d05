package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The behaviour every {@link Store} must have; one subclass per implementation. */
abstract class StoreContractTest {
    static final Instant T0 = Instant.parse("2026-12-06T10:00:00.123456789Z");
    static final HostAddress WEB1 = HostAddress.of("web1", 5308);
    static final HostAddress WEB2 = HostAddress.of("web2", 5308);

    Store store;

    /** A new, empty store. */
    abstract Store create() throws Exception;

    /** The same store after the process died and started again (a persistent store loses nothing). */
    abstract Store reopen(Store s) throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        store = create();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    static Trigger trigger(HostAddress host, String dedupeKey, Instant at) {
        return new Trigger(Source.ALERTMANAGER, dedupeKey, "DiskFull", "{}:{alertname=\"DiskFull\"}", at, host,
                List.of("alert_DiskFull", "cfrun_remediation"), List.of("repair"),
                Map.of("alertname", "DiskFull", "instance", host.host() + ":9100"));
    }

    long accept(HostAddress host) {
        return store.accept(trigger(host, null, T0)).triggerId();
    }

    TriggerState state(long triggerId) {
        return store.triggerStatus(triggerId).orElseThrow().state();
    }

    static RunOutcome ok(Instant at, List<String> output) {
        return new RunOutcome(at, OptionalInt.of(0), null, "ran", output);
    }

    @Test
    void acceptKeepsTheTriggerAndDedupesByKey() {
        Trigger t = trigger(WEB1, "fp1@" + T0, T0);
        Accepted first = store.accept(t);
        Accepted again = store.accept(trigger(WEB2, "fp1@" + T0, T0.plusSeconds(5)));
        long noKey1 = accept(WEB1);
        long noKey2 = accept(WEB1);

        assertFalse(first.duplicate());
        assertTrue(again.duplicate());
        assertEquals(first.triggerId(), again.triggerId());
        assertNotEquals(noKey1, noKey2);
        List<StoredTrigger> q = store.queued(10);
        assertEquals(List.of(first.triggerId(), noKey1, noKey2), q.stream().map(StoredTrigger::id).toList());
        Trigger kept = q.get(0).trigger();
        assertEquals(Instant.parse("2026-12-06T10:00:00.123456Z"), kept.receivedAt(), "kept to the microsecond");
        assertEquals(new Trigger(t.source(), t.dedupeKey(), t.cooldownKey(), t.group(), kept.receivedAt(), t.host(),
                t.classes(), t.bundles(), t.labels()), kept);
        assertEquals(TriggerState.QUEUED, state(first.triggerId()));
        assertTrue(store.triggerStatus(9999).isEmpty());
    }

    @Test
    void acceptAllIsAcceptInOrderDedupingWithinTheDeliveryToo() {
        long earlier = store.accept(trigger(WEB1, "fp0", T0)).triggerId();
        List<Accepted> as = store.acceptAll(List.of(trigger(WEB1, "fp1", T0), trigger(WEB2, "fp2", T0),
                trigger(WEB2, "fp1", T0.plusSeconds(1)), trigger(WEB1, null, T0), trigger(WEB1, "fp0", T0),
                trigger(WEB1, null, T0)));
        assertEquals(List.of(false, false, true, false, true, false), as.stream().map(Accepted::duplicate).toList());
        assertEquals(as.get(0).triggerId(), as.get(2).triggerId(), "a key twice in one delivery: the first id");
        assertEquals(earlier, as.get(4).triggerId(), "a key of an earlier delivery: its id");
        List<Long> fresh = List.of(earlier, as.get(0).triggerId(), as.get(1).triggerId(), as.get(3).triggerId(),
                as.get(5).triggerId());
        assertEquals(fresh, store.queued(10).stream().map(StoredTrigger::id).toList(), "ids in the delivery's order");
        assertEquals(WEB2, store.queued(10).get(2).trigger().host());
        assertTrue(store.acceptAll(List.of()).isEmpty());
        assertTrue(store.acceptAll(List.of(trigger(WEB1, "fp2", T0))).get(0).duplicate());
    }

    @Test
    void acceptAllStoresAllOrNothing() {
        Trigger noHost = new Trigger(Source.API, null, null, null, T0, null, List.of(), List.of(), Map.of());
        assertThrows(RuntimeException.class, () -> store.acceptAll(List.of(trigger(WEB1, "fp1", T0), noHost)));
        assertTrue(store.queued(10).isEmpty(), "the good trigger before the bad one is not stored either");
        assertEquals(0, store.queueDepth());
        assertFalse(store.accept(trigger(WEB1, "fp1", T0)).duplicate(), "nor its dedupe key");
    }

    @Test
    void queuedAfterReadsOnlyTheNewerQueuedTriggers() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(accept(i % 2 == 0 ? WEB1 : WEB2));
        }
        assertEquals(ids, store.queuedAfter(0, 10).stream().map(StoredTrigger::id).toList());
        assertEquals(ids.subList(2, 6), store.queuedAfter(ids.get(1), 10).stream().map(StoredTrigger::id).toList());
        assertEquals(ids.subList(2, 4), store.queuedAfter(ids.get(1), 2).stream().map(StoredTrigger::id).toList());
        store.suppress(ids.get(3), "cooldown");
        store.startRun(WEB1, List.of(ids.get(4)), List.of(), List.of(), T0);
        assertEquals(List.of(ids.get(2), ids.get(5)),
                store.queuedAfter(ids.get(1), 10).stream().map(StoredTrigger::id).toList());
        assertTrue(store.queuedAfter(ids.get(5), 10).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.queuedAfter(0, 0));
    }

    @Test
    void queuedForReadsOneHostAndPortOldestFirst() {
        HostAddress otherPort = HostAddress.of("web1", 5309);
        long a = accept(WEB1);
        long b = accept(WEB2);
        long c = accept(otherPort);
        long d = accept(WEB1);
        long e = accept(WEB1);
        assertEquals(List.of(a, d, e), store.queuedFor(WEB1, 10).stream().map(StoredTrigger::id).toList());
        assertEquals(List.of(a, d), store.queuedFor(WEB1, 2).stream().map(StoredTrigger::id).toList());
        assertEquals(List.of(c), store.queuedFor(otherPort, 10).stream().map(StoredTrigger::id).toList());
        assertEquals(WEB2, store.queuedFor(WEB2, 10).get(0).trigger().host());
        assertEquals(List.of(b), store.queuedFor(WEB2, 10).stream().map(StoredTrigger::id).toList());
        long run = store.startRun(WEB1, List.of(a), List.of(), List.of(), T0);
        store.suppress(d, "cooldown");
        assertEquals(List.of(e), store.queuedFor(WEB1, 10).stream().map(StoredTrigger::id).toList());
        store.requeueUnfinished(run);
        assertEquals(List.of(a, e), store.queuedFor(WEB1, 10).stream().map(StoredTrigger::id).toList());
        assertTrue(store.queuedFor(HostAddress.of("web9", 5308), 10).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.queuedFor(WEB1, 0));
    }

    @Test
    void acceptRejectsMissingFields() {
        Trigger noHost = new Trigger(Source.API, null, null, null, T0, null, List.of(), List.of(), Map.of());
        assertThrows(NullPointerException.class, () -> store.accept(noHost));
        assertTrue(store.queued(10).isEmpty());
    }

    @Test
    void queuedIsOldestFirstAndLimited() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(store.accept(trigger(i % 2 == 0 ? WEB1 : WEB2, "k" + i, T0.plusSeconds(i))).triggerId());
        }
        assertEquals(ids.subList(0, 3), store.queued(3).stream().map(StoredTrigger::id).toList());
        store.suppress(ids.get(1), "cooldown");
        assertEquals(List.of(ids.get(0), ids.get(2), ids.get(3)),
                store.queued(3).stream().map(StoredTrigger::id).toList());
        assertThrows(IllegalArgumentException.class, () -> store.queued(0));
    }

    @Test
    void queueDepthCountsOnlyQueuedTriggers() throws Exception {
        assertEquals(0, store.queueDepth());
        long a = store.accept(trigger(WEB1, "d1", T0)).triggerId();
        long b = accept(WEB1);
        long c = accept(WEB2);
        store.accept(trigger(WEB2, "d1", T0));
        assertEquals(3, store.queueDepth(), "a duplicate is not queued");
        store.suppress(c, "cooldown");
        long run = store.startRun(WEB1, List.of(a, b), List.of("x"), List.of(), T0);
        assertEquals(0, store.queueDepth(), "suppressed and running triggers are not queued");
        store = reopen(store);
        store.requeueUnfinished(run);
        assertEquals(2, store.queueDepth(), "requeued after a crash: queued again");
        long again = store.startRun(WEB1, List.of(a, b), List.of("x"), List.of(), T0.plusSeconds(1));
        store.finishRun(again, ok(T0.plusSeconds(2), List.of()));
        accept(WEB2);
        assertEquals(1, store.queueDepth());
    }

    @Test
    void startAndFinishRun() {
        long a = accept(WEB1);
        long b = accept(WEB1);
        long other = accept(WEB1);
        long runId = store.startRun(WEB1, List.of(b, a), List.of("alert_DiskFull"), List.of("repair"), T0);

        assertEquals(TriggerState.RUNNING, state(a));
        assertEquals(runId, store.triggerStatus(b).orElseThrow().runId().orElseThrow());
        assertEquals(List.of(other), store.queued(10).stream().map(StoredTrigger::id).toList());
        RunRecord running = store.run(runId).orElseThrow();
        assertEquals(WEB1, running.host());
        assertEquals(List.of(a, b), running.triggerIds());
        assertTrue(running.endedAt().isEmpty());
        assertEquals(List.of(runId), store.unfinishedRuns().stream().map(RunRecord::id).toList());

        store.finishRun(runId, new RunOutcome(T0.plusSeconds(3), OptionalInt.of(2), "agent", "exit 2",
                List.of("R: repaired", "done")));
        RunRecord done = store.run(runId).orElseThrow();
        assertEquals(Optional.of(Bounds.instant(T0.plusSeconds(3))), done.endedAt());
        assertEquals(OptionalInt.of(2), done.exitCode());
        assertEquals("agent", done.errorKind());
        assertEquals("exit 2", done.message());
        assertEquals(List.of("R: repaired", "done"), done.output());
        assertEquals(List.of("alert_DiskFull"), done.classes());
        assertEquals(List.of("repair"), done.bundles());
        assertFalse(done.retriedAfterRestart());
        assertEquals(TriggerState.DONE, state(a));
        assertEquals(TriggerState.DONE, state(b));
        assertTrue(store.unfinishedRuns().isEmpty());
        assertThrows(IllegalStateException.class, () -> store.finishRun(runId, ok(T0, List.of())));
        assertThrows(IllegalArgumentException.class, () -> store.finishRun(777, ok(T0, List.of())));
        assertTrue(store.run(777).isEmpty());
    }

    @Test
    void startRunIsAllOrNothing() {
        long a = accept(WEB1);
        long b = accept(WEB1);
        long onWeb2 = accept(WEB2);
        store.suppress(b, "rate limit");
        assertThrows(IllegalStateException.class, () -> store.startRun(WEB1, List.of(a, b), List.of(), List.of(), T0));
        assertThrows(IllegalArgumentException.class,
                () -> store.startRun(WEB1, List.of(a, onWeb2), List.of(), List.of(), T0));
        assertThrows(IllegalArgumentException.class, () -> store.startRun(WEB1, List.of(a, 4242L), List.of(),
                List.of(), T0));
        assertThrows(IllegalArgumentException.class, () -> store.startRun(WEB1, List.of(), List.of(), List.of(), T0));
        assertThrows(IllegalArgumentException.class, () -> store.startRun(WEB1, List.of(a, a), List.of(), List.of(),
                T0));
        assertEquals(TriggerState.QUEUED, state(a));
        assertTrue(store.recentRuns(Optional.empty(), 10).isEmpty());
    }

    @Test
    void outputAndTextsAreBounded() {
        long a = accept(WEB1);
        long runId = store.startRun(WEB1, List.of(a), List.of(), List.of(), T0);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < Bounds.MAX_OUTPUT_LINES + 500; i++) {
            many.add("line " + i);
        }
        store.finishRun(runId, new RunOutcome(T0, OptionalInt.empty(), "x".repeat(5000), "m".repeat(5000), many));
        RunRecord r = store.run(runId).orElseThrow();
        assertEquals(Bounds.MAX_OUTPUT_LINES + 1, r.output().size());
        assertEquals("line 0", r.output().get(0));
        assertTrue(r.output().get(Bounds.MAX_OUTPUT_LINES).contains("500 more output lines"), r.output().get(2000));
        assertEquals(Bounds.MAX_TEXT, r.message().length());
        assertEquals(Bounds.MAX_TEXT, r.errorKind().length());
        assertTrue(r.exitCode().isEmpty());

        long b = accept(WEB1);
        long run2 = store.startRun(WEB1, List.of(b), List.of(), List.of(), T0);
        String kib = "é".repeat(512); // 1 KiB in UTF-8
        store.finishRun(run2, ok(T0, Collections.nCopies(400, kib)));
        List<String> out = store.run(run2).orElseThrow().output();
        assertEquals(Bounds.MAX_OUTPUT_BYTES / 1025 + 1, out.size());
        assertTrue(out.get(out.size() - 1).startsWith("[cfrun-service: "));
    }

    @Test
    void suppressKeepsTheReason() {
        long a = accept(WEB1);
        store.suppress(a, "cooldown until 2026-12-06T10:05:00Z");
        TriggerStatus s = store.triggerStatus(a).orElseThrow();
        assertEquals(TriggerState.SUPPRESSED, s.state());
        assertEquals("cooldown until 2026-12-06T10:05:00Z", s.reason());
        assertTrue(store.queued(10).isEmpty());
        assertThrows(IllegalStateException.class, () -> store.suppress(a, "again"));
        assertThrows(IllegalStateException.class, () -> store.startRun(WEB1, List.of(a), List.of(), List.of(), T0));
        assertThrows(IllegalArgumentException.class, () -> store.suppress(999, "unknown"));
        store.suppress(accept(WEB1), "r".repeat(3000));
        assertEquals(Bounds.MAX_TEXT, store.triggerStatus(a + 1).orElseThrow().reason().length());
    }

    @Test
    void recentRunsNewestFirstByHost() {
        HostAddress web1Alt = HostAddress.of("web1", 5309);
        long r1 = store.startRun(WEB1, List.of(accept(WEB1)), List.of(), List.of(), T0);
        long r2 = store.startRun(WEB2, List.of(accept(WEB2)), List.of(), List.of(), T0);
        long r3 = store.startRun(web1Alt, List.of(accept(web1Alt)), List.of(), List.of(), T0);
        store.finishRun(r1, ok(T0, List.of()));

        assertEquals(List.of(r3, r1), ids(store.recentRuns(Optional.of("web1"), 10)));
        assertEquals(List.of(r3), ids(store.recentRuns(Optional.of("web1"), 1)));
        assertEquals(List.of(r3, r2, r1), ids(store.recentRuns(Optional.empty(), 10)));
        assertTrue(store.recentRuns(Optional.of("web3"), 10).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.recentRuns(Optional.empty(), -1));
        // a host and a port, as the runs list them
        assertEquals(List.of(r3), ids(store.recentRuns(Optional.of("web1"), OptionalInt.of(5309), 10)));
        assertEquals(List.of(r1), ids(store.recentRuns(Optional.of("web1"), OptionalInt.of(WEB1.port()), 10)));
        assertTrue(store.recentRuns(Optional.of("web1"), OptionalInt.of(1), 10).isEmpty());
    }

    @Test
    void groupRunsSinceListsTheGroupsOfRecentRuns() throws Exception {
        long a = accept(WEB1);
        long b = accept(WEB2);
        long noGroup = store.accept(new Trigger(Source.API, null, null, null, T0, WEB2, List.of("x"), List.of(),
                Map.of())).triggerId();
        long r1 = store.startRun(WEB1, List.of(a), List.of(), List.of(), T0);
        long r2 = store.startRun(WEB2, List.of(b, noGroup), List.of(), List.of(), T0.plusSeconds(60));
        store.finishRun(r1, ok(T0.plusSeconds(1), List.of()));
        store = reopen(store);
        String g = "{}:{alertname=\"DiskFull\"}";
        List<GroupRun> all = store.groupRunsSince(T0, 10);
        assertEquals(List.of(new GroupRun(g, WEB1, T0.truncatedTo(java.time.temporal.ChronoUnit.MICROS)),
                new GroupRun(g, WEB2, T0.plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MICROS))), all);
        assertEquals(List.of(WEB2), store.groupRunsSince(T0.plusSeconds(30), 10).stream().map(GroupRun::host).toList());
        assertEquals(1, store.groupRunsSince(T0, 1).size());
        assertTrue(r2 > r1);
    }

    @Test
    void thePauseOutlivesARestart() throws Exception {
        assertFalse(store.paused(), "a new store is not paused");
        store.setPaused(true);
        assertTrue(store.paused());
        store = reopen(store);
        assertTrue(store.paused(), "paused after the restart");
        store.setPaused(false);
        store = reopen(store);
        assertFalse(store.paused());
    }

    static List<Long> ids(List<RunRecord> runs) {
        return runs.stream().map(RunRecord::id).toList();
    }

    @Test
    void unfinishedRunsAreRequeuedOnceAfterACrash() throws Exception {
        long a = accept(WEB1);
        long b = accept(WEB1);
        long finished = store.startRun(WEB2, List.of(accept(WEB2)), List.of(), List.of(), T0);
        store.finishRun(finished, ok(T0, List.of()));
        long runId = store.startRun(WEB1, List.of(a, b), List.of("alert_DiskFull"), List.of(), T0.plusSeconds(1));

        store = reopen(store); // the process died during the run

        List<RunRecord> unfinished = store.unfinishedRuns();
        assertEquals(List.of(runId), ids(unfinished));
        assertEquals(List.of(a, b), unfinished.get(0).triggerIds());
        assertFalse(unfinished.get(0).retriedAfterRestart());
        store.requeueUnfinished(runId);

        assertTrue(store.unfinishedRuns().isEmpty());
        RunRecord interrupted = store.run(runId).orElseThrow();
        assertEquals(Bounds.INTERRUPTED, interrupted.errorKind());
        assertTrue(interrupted.endedAt().isPresent());
        assertEquals(List.of(a, b), store.queued(10).stream().map(StoredTrigger::id).toList());
        assertTrue(store.triggerStatus(a).orElseThrow().retriedAfterRestart());
        assertThrows(IllegalStateException.class, () -> store.requeueUnfinished(runId));
        assertThrows(IllegalStateException.class, () -> store.requeueUnfinished(finished));

        long retry = store.startRun(WEB1, List.of(a, b), List.of("alert_DiskFull"), List.of(), T0.plusSeconds(9));
        store = reopen(store); // and died again: the retry says it was one
        RunRecord second = store.unfinishedRuns().get(0);
        assertEquals(retry, second.id());
        assertTrue(second.retriedAfterRestart());
        assertEquals(List.of(a, b), store.run(runId).orElseThrow().triggerIds(), "the first run keeps its triggers");
    }

    @Test
    void aTriggersOwnCooldownIsKeptToTheMillisecond() throws Exception {
        Trigger t = trigger(WEB1, null, T0);
        long none = store.accept(t).triggerId();
        long zero = store.accept(withCooldown(t, Duration.ZERO)).triggerId();
        long own = store.accept(withCooldown(t, Duration.ofSeconds(600, 123_456_789))).triggerId();
        assertThrows(IllegalArgumentException.class, () -> store.accept(withCooldown(t, Duration.ofSeconds(-1))));
        assertThrows(IllegalArgumentException.class, () -> store.accept(withCooldown(t, Duration.ofDays(31))));
        store = reopen(store);
        Map<Long, Duration> kept = new HashMap<>();
        store.queued(10).forEach(st -> kept.put(st.id(), st.trigger().cooldown()));
        assertEquals(3, kept.size(), "the refused ones were not stored");
        assertNull(kept.get(none));
        assertEquals(Duration.ZERO, kept.get(zero));
        assertEquals(Duration.ofMillis(600_123), kept.get(own));
    }

    static Trigger withCooldown(Trigger t, Duration d) {
        return new Trigger(t.source(), t.dedupeKey(), t.cooldownKey(), t.group(), t.receivedAt(), t.host(), t.classes(),
                t.bundles(), t.labels(), d);
    }

    @Test
    void cooldownsPerHostAndKey() throws Exception {
        HostAddress web1Alt = HostAddress.of("web1", 5309);
        assertTrue(store.cooldownUntil(WEB1, "DiskFull").isEmpty());
        store.setCooldown(WEB1, "DiskFull", T0.plusSeconds(300));
        store.setCooldown(WEB1, "LoadHigh", T0.plusSeconds(60));
        store.setCooldown(WEB1, "DiskFull", T0.plusSeconds(600));
        store = reopen(store);
        assertEquals(Optional.of(Bounds.instant(T0.plusSeconds(600))), store.cooldownUntil(WEB1, "DiskFull"));
        assertEquals(Optional.of(Bounds.instant(T0.plusSeconds(60))), store.cooldownUntil(WEB1, "LoadHigh"));
        assertTrue(store.cooldownUntil(web1Alt, "DiskFull").isEmpty());
        assertTrue(store.cooldownUntil(WEB2, "DiskFull").isEmpty());
    }

    @Test
    void expiredDedupeKeysAreAcceptedAgain() {
        long old = store.accept(trigger(WEB1, "old", T0)).triggerId();
        long fresh = store.accept(trigger(WEB1, "fresh", T0.plusSeconds(3600))).triggerId();
        assertEquals(1, store.expireDedupeKeys(T0.plusSeconds(60)));
        assertEquals(0, store.expireDedupeKeys(T0.plusSeconds(60)));

        Accepted again = store.accept(trigger(WEB1, "old", T0.plusSeconds(7200)));
        assertFalse(again.duplicate());
        assertNotEquals(old, again.triggerId());
        assertEquals(new Accepted(fresh, true), store.accept(trigger(WEB1, "fresh", T0.plusSeconds(7200))));
        assertEquals(TriggerState.QUEUED, state(old), "expiry forgets the key, not the trigger");
    }

    @Test
    void concurrentAcceptsLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Accepted>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<Accepted> out = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        // even i: a key every thread sends (one must win); odd i: a key of this thread only
                        String key = i % 2 == 0 ? "shared-" + i : "own-" + thread + "-" + i;
                        out.add(store.accept(trigger(thread % 2 == 0 ? WEB1 : WEB2, key, T0)));
                    }
                    return out;
                }));
            }
            List<Accepted> all = new ArrayList<>();
            for (Future<List<Accepted>> f : results) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            long fresh = all.stream().filter(x -> !x.duplicate()).count();
            Set<Long> ids = new HashSet<>();
            all.forEach(x -> ids.add(x.triggerId()));
            int expected = perThread / 2 + threads * perThread / 2;
            assertEquals(expected, fresh);
            assertEquals(expected, ids.size());
            assertEquals(expected, store.queued(Bounds.MAX_LIMIT).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClosedStoreRefusesWork() {
        store.close();
        assertThrows(IllegalStateException.class, () -> store.queued(1));
        assertThrows(IllegalStateException.class, () -> accept(WEB1));
    }
}
