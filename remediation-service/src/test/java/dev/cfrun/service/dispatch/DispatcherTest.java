package dev.cfrun.service.dispatch;

import dev.cfrun.service.dispatch.DispatchFakes.Call;
import dev.cfrun.service.dispatch.DispatchFakes.FakeClock;
import dev.cfrun.service.dispatch.DispatchFakes.FakeRunner;
import dev.cfrun.service.dispatch.DispatchFakes.ManualWorkers;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.TriggerState;
import dev.cfrun.service.store.TriggerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.cfrun.service.dispatch.DispatchFakes.T0;
import static dev.cfrun.service.dispatch.DispatchFakes.accept;
import static dev.cfrun.service.dispatch.DispatchFakes.host;
import static dev.cfrun.service.dispatch.DispatchFakes.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-host decisions of {@link Dispatcher}, with a fake clock, a hand-run worker pool and a fake executor. */
class DispatcherTest {
    private final FakeClock clock = new FakeClock();
    private final MemoryStore store = new MemoryStore();
    private final FakeRunner runner = new FakeRunner();
    private final ManualWorkers workers = new ManualWorkers();
    private Dispatcher dispatcher;

    private Dispatcher dispatcher(DispatchPolicy policy) {
        dispatcher = Dispatcher.create(store, runner, clock, policy, workers);
        return dispatcher;
    }

    /** No cooldown, rate limit or blast radius unless a test sets one. */
    private static DispatchPolicy.Builder open() {
        return DispatchPolicy.builder().cooldown(Duration.ZERO).runsPerMinute(0).maxHostsPerGroup(0);
    }

    @AfterEach
    void tearDown() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        store.close();
    }

    private TriggerStatus status(long id) {
        return store.triggerStatus(id).orElseThrow();
    }

    @Test
    void triggersDuringARunMergeIntoExactlyOneFollowUpWithTheUnion() {
        Dispatcher d = dispatcher(open().build());
        long first = accept(store, trigger(clock, "web1", null, null, List.of("alert_a"), List.of("fix_web")));
        assertEquals(1, d.dispatch());
        List<Long> during = new ArrayList<>();
        for (String cls : List.of("alert_b", "alert_c", "alert_b", "alert_d", "alert_a")) {
            clock.advance(Duration.ofSeconds(1));
            during.add(accept(store, trigger(clock, "web1", null, null, List.of(cls), List.of("fix_web", "extra"))));
            assertEquals(0, d.dispatch(), "the host is running: nothing else starts");
        }
        assertEquals(TriggerState.RUNNING, status(first).state());
        workers.runNext();
        assertEquals(List.of(new Call(host("web1"), List.of("alert_a"), List.of("fix_web"))), runner.calls());

        assertEquals(1, d.dispatch(), "one follow-up run");
        assertEquals(0, d.dispatch());
        workers.runAll();
        assertEquals(0, d.dispatch());
        List<Call> calls = runner.calls();
        assertEquals(2, calls.size(), "never one run per trigger: " + calls);
        assertEquals(List.of("alert_b", "alert_c", "alert_d", "alert_a"), calls.get(1).classes());
        assertEquals(List.of("fix_web", "extra"), calls.get(1).bundles());
        RunRecord followUp = store.recentRuns(Optional.empty(), 1).get(0);
        assertEquals(during, followUp.triggerIds());
        for (long id : during) {
            assertEquals(TriggerState.DONE, status(id).state());
            assertEquals(followUp.id(), status(id).runId().getAsLong());
        }
        assertEquals(4, d.stats().triggersMerged());
        assertEquals(2, d.stats().runsFinished());
    }

    @Test
    void hostsRunSideBySideUpToTheParallelism() {
        Dispatcher d = dispatcher(open().parallelism(2).build());
        for (String h : List.of("web1", "web2", "web3")) {
            accept(store, trigger(clock, h, "alert_x"));
        }
        assertEquals(2, d.dispatch());
        assertEquals(2, d.stats().inFlight());
        assertEquals(0, d.dispatch(), "the pool is full: web3 waits, queued");
        workers.runNext();
        assertEquals(1, d.dispatch());
        workers.runAll();
        assertEquals(List.of("web1", "web2", "web3"), runner.calls().stream().map(c -> c.host().host()).toList());
    }

    @Test
    void cooldownPerHostAndKeySuppressesWithTheReasonAndEnds() {
        Dispatcher d = dispatcher(open().cooldown(Duration.ofMinutes(5)).build());
        accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        d.dispatch();
        long during = accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        clock.advance(Duration.ofSeconds(10));
        workers.runNext(); // the run ends at T0 + 10 s: the cooldown lasts until T0 + 5 min 10 s
        long other = accept(store, trigger(clock, "web1", "DiskFull", null, List.of("alert_DiskFull"), List.of()));
        long otherHost = accept(store, trigger(clock, "web2", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        assertEquals(2, d.dispatch());
        assertEquals(TriggerState.SUPPRESSED, status(during).state());
        assertEquals("cooldown until " + T0.plusSeconds(310), status(during).reason());
        assertEquals(TriggerState.RUNNING, status(other).state(), "another key on the same host runs");
        assertEquals(TriggerState.RUNNING, status(otherHost).state(), "the same key on another host runs");
        workers.runAll();

        clock.advance(Duration.ofSeconds(299)); // T0 + 5 min 9 s: the last second of the cooldown
        long atEnd = accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        assertEquals(0, d.dispatch());
        assertEquals(TriggerState.SUPPRESSED, status(atEnd).state());
        clock.advance(Duration.ofSeconds(1));
        long after = accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        assertEquals(1, d.dispatch());
        assertEquals(TriggerState.RUNNING, status(after).state());
        assertEquals(2, d.stats().cooldown());
    }

    @Test
    void theGlobalRateLimitSuppressesRunsBeyondItWithinAMinute() {
        Dispatcher d = dispatcher(open().runsPerMinute(2).build());
        long a = accept(store, trigger(clock, "web1", "alert_x"));
        long b = accept(store, trigger(clock, "web2", "alert_x"));
        long c1 = accept(store, trigger(clock, "web3", "alert_x"));
        long c2 = accept(store, trigger(clock, "web3", "alert_y"));
        assertEquals(2, d.dispatch());
        assertEquals(TriggerState.RUNNING, status(a).state());
        assertEquals(TriggerState.RUNNING, status(b).state());
        for (long c : List.of(c1, c2)) {
            assertEquals(TriggerState.SUPPRESSED, status(c).state());
            assertEquals("rate limit: 2 runs per minute reached", status(c).reason());
        }
        workers.runAll();
        clock.advance(Duration.ofSeconds(59));
        long early = accept(store, trigger(clock, "web3", "alert_z"));
        assertEquals(0, d.dispatch());
        assertEquals(TriggerState.SUPPRESSED, status(early).state());
        clock.advance(Duration.ofSeconds(1));
        long later = accept(store, trigger(clock, "web3", "alert_z"));
        assertEquals(1, d.dispatch(), "a minute after the first two, there is room again");
        assertEquals(TriggerState.RUNNING, status(later).state());
        assertEquals(3, d.stats().rateLimited());
    }

    @Test
    void blastRadiusCapsTheHostsOfOneAlertGroup() {
        Dispatcher d = dispatcher(open().maxHostsPerGroup(2).groupWindow(Duration.ofMinutes(30)).build());
        String g = "{}:{alertname=\"HttpDown\"}";
        accept(store, trigger(clock, "web1", null, g, List.of("alert_HttpDown"), List.of()));
        accept(store, trigger(clock, "web2", null, g, List.of("alert_HttpDown"), List.of()));
        long third = accept(store, trigger(clock, "web3", null, g, List.of("alert_HttpDown"), List.of()));
        long otherGroup = accept(store, trigger(clock, "web3", null, "other", List.of("alert_DiskFull"), List.of()));
        assertEquals(3, d.dispatch());
        assertEquals(TriggerState.SUPPRESSED, status(third).state());
        assertEquals("blast radius: group " + g + " already has 2 hosts", status(third).reason());
        assertEquals(TriggerState.RUNNING, status(otherGroup).state());
        workers.runAll();

        long again = accept(store, trigger(clock, "web1", null, g, List.of("alert_HttpDown"), List.of()));
        long stillNot = accept(store, trigger(clock, "web4", null, g, List.of("alert_HttpDown"), List.of()));
        assertEquals(1, d.dispatch());
        assertEquals(TriggerState.RUNNING, status(again).state(), "a host already counted may run again");
        assertEquals(TriggerState.SUPPRESSED, status(stillNot).state());
        workers.runAll();

        clock.advance(Duration.ofMinutes(31));
        long afterWindow = accept(store, trigger(clock, "web4", null, g, List.of("alert_HttpDown"), List.of()));
        assertEquals(1, d.dispatch());
        assertEquals(TriggerState.RUNNING, status(afterWindow).state());
        assertEquals(2, d.stats().blastRadius());
    }

    @Test
    void dryRunRecordsWhatWouldRunAndRunsNothing() {
        Dispatcher d = dispatcher(open().dryRun(true).cooldown(Duration.ofMinutes(5)).build());
        long a = accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of("fix")));
        long b = accept(store, trigger(clock, "web1", "DiskFull", null, List.of("alert_DiskFull"), List.of()));
        assertEquals(1, d.dispatch());
        assertEquals(0, workers.pending(), "nothing handed to a worker");
        assertEquals(List.of(), runner.calls(), "nothing executed");
        RunRecord r = store.recentRuns(Optional.empty(), 5).get(0);
        assertEquals("dry_run", r.errorKind());
        assertEquals("dry run: would run classes [alert_HttpDown, alert_DiskFull] bundles [fix] on web1:5308",
                r.message());
        assertEquals(List.of(a, b), r.triggerIds());
        assertTrue(r.endedAt().isPresent());
        assertEquals(TriggerState.DONE, status(a).state());
        long again = accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        assertEquals(0, d.dispatch(), "a dry run starts the cooldown as a run would");
        assertEquals(TriggerState.SUPPRESSED, status(again).state());
    }

    @Test
    void pauseKeepsTheQueueGrowingAndResumeRunsItMerged() {
        Dispatcher d = dispatcher(open().build());
        d.pause();
        assertTrue(d.paused());
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(accept(store, trigger(clock, "web1", "alert_" + i)));
        }
        ids.add(accept(store, trigger(clock, "web2", "alert_9")));
        assertEquals(0, d.dispatch());
        assertEquals(5, store.queued(100).size());
        for (long id : ids) {
            assertEquals(TriggerState.QUEUED, status(id).state());
        }
        assertEquals(0, workers.pending());
        d.resume();
        assertFalse(d.paused());
        assertEquals(2, d.dispatch());
        workers.runAll();
        assertEquals(List.of("alert_0", "alert_1", "alert_2", "alert_3"), runner.calls().get(0).classes());
        assertEquals(2, runner.calls().size());
    }

    @Test
    void aFailingExecutorIsRecordedAndFreesTheHost() {
        Dispatcher d = dispatcher(open().build());
        runner.failWith = new IllegalStateException("boom");
        accept(store, trigger(clock, "web1", "alert_a"));
        d.dispatch();
        workers.runNext();
        RunRecord r = store.recentRuns(Optional.empty(), 1).get(0);
        assertEquals("internal", r.errorKind());
        assertTrue(r.message().contains("boom"), r.message());
        runner.failWith = null;
        accept(store, trigger(clock, "web1", "alert_b"));
        assertEquals(1, d.dispatch(), "the host is free again");
    }

    @Test
    void theOutcomeIsRecordedWithTheDispatchersClock() {
        Dispatcher d = dispatcher(open().build());
        accept(store, trigger(clock, "web1", "alert_a"));
        d.dispatch();
        clock.advance(Duration.ofSeconds(3));
        workers.runNext();
        RunRecord r = store.recentRuns(Optional.empty(), 1).get(0);
        assertEquals(T0, r.startedAt());
        assertEquals(Optional.of(T0.plusSeconds(3)), r.endedAt());
        assertEquals(0, r.exitCode().getAsInt());
        assertEquals(List.of("ran [alert_a]"), r.output());
    }

    @Test
    void anOutcomeWithNothingInItIsRecordedAsEndedWithoutExitCode() {
        dispatcher = Dispatcher.create(store, (h, c, b) -> new RunOutcome(null, null, null, null, null), clock, open().build(),
                workers);
        accept(store, trigger(clock, "web1", "alert_a"));
        dispatcher.dispatch();
        workers.runNext();
        RunRecord r = store.recentRuns(Optional.empty(), 1).get(0);
        assertEquals(Optional.of(T0), r.endedAt());
        assertTrue(r.exitCode().isEmpty());
        assertEquals(List.of(), r.output());
        assertEquals(0, dispatcher.stats().inFlight());
    }
}
