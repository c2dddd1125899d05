package dev.cfrun.service.dispatch;

import dev.cfrun.service.dispatch.DispatchFakes.FakeClock;
import dev.cfrun.service.dispatch.DispatchFakes.FakeRunner;
import dev.cfrun.service.dispatch.DispatchFakes.ManualWorkers;
import dev.cfrun.service.store.Bounds;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.TriggerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.cfrun.service.dispatch.DispatchFakes.accept;
import static dev.cfrun.service.dispatch.DispatchFakes.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restart: a dispatcher that "dies" (dropped with its runs never finished) and a new one on the same store.
 * Queued triggers run once; a run the process died during runs once more, flagged; never a third time.
 */
class DispatcherRestartTest {
    private final FakeClock clock = new FakeClock();
    private final MemoryStore store = new MemoryStore();
    private final DispatchPolicy policy = DispatchPolicy.builder().cooldown(Duration.ofMinutes(5)).build();

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** A dispatcher whose worker tasks are never run: the process "dies" with its runs going on. */
    private Dispatcher dying(FakeRunner runner) {
        return Dispatcher.create(store, runner, clock, policy, new ManualWorkers());
    }

    @Test
    void queuedTriggersAndTheInterruptedRunRunExactlyOnceAfterARestart() {
        FakeRunner before = new FakeRunner();
        Dispatcher first = dying(before);
        long running = accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        assertEquals(1, first.dispatch());
        long queuedBehind = accept(store, trigger(clock, "web1", "DiskFull", null, List.of("alert_DiskFull"), List.of()));
        first.pause();
        long queuedOther = accept(store, trigger(clock, "web2", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        long interrupted = store.triggerStatus(running).orElseThrow().runId().getAsLong();
        // SIGKILL: nothing of `first` is closed or finished

        clock.advance(Duration.ofSeconds(30));
        FakeRunner after = new FakeRunner();
        ManualWorkers workers = new ManualWorkers();
        try (Dispatcher second = Dispatcher.create(store, after, clock, policy, workers)) {
            assertEquals(1, second.recover());
            assertEquals(0, second.recover(), "a second call finds nothing to do");
            assertTrue(second.paused(), "the pause outlived the restart");
            assertEquals(0, second.dispatch(), "paused: nothing starts");
            second.resume();
            RunRecord old = store.run(interrupted).orElseThrow();
            assertEquals(Bounds.INTERRUPTED, old.errorKind());
            assertEquals(2, second.dispatch(), "web1 (retry merged with what queued behind it) and web2");
            workers.runAll();
            assertEquals(0, second.dispatch());
            workers.runAll();

            assertEquals(2, after.calls().size(), after.calls().toString());
            assertEquals(List.of("alert_HttpDown", "alert_DiskFull"), after.calls().get(0).classes());
            RunRecord retry = store.run(store.triggerStatus(running).orElseThrow().runId().getAsLong()).orElseThrow();
            assertTrue(retry.retriedAfterRestart());
            assertEquals(List.of(running, queuedBehind), retry.triggerIds());
            assertFalse(store.run(store.triggerStatus(queuedOther).orElseThrow().runId().getAsLong())
                    .orElseThrow().retriedAfterRestart());
            for (long id : List.of(running, queuedBehind, queuedOther)) {
                assertEquals(TriggerState.DONE, store.triggerStatus(id).orElseThrow().state());
            }
            assertEquals(1, second.stats().requeued());
        }
        assertEquals(List.of(), before.calls(), "the first process never got to run anything");
    }

    @Test
    void aRunInterruptedAgainIsNotRunAThirdTime() {
        long t = accept(store, trigger(clock, "web1", "alert_a"));
        dying(new FakeRunner()).dispatch();
        Dispatcher second = dying(new FakeRunner());
        assertEquals(1, second.recover());
        assertEquals(1, second.dispatch()); // the retry starts, and the process dies again
        long retryRun = store.triggerStatus(t).orElseThrow().runId().getAsLong();

        FakeRunner third = new FakeRunner();
        try (Dispatcher d = Dispatcher.create(store, third, clock, policy, new ManualWorkers())) {
            assertEquals(0, d.recover());
            RunRecord r = store.run(retryRun).orElseThrow();
            assertEquals(Bounds.INTERRUPTED, r.errorKind());
            assertEquals("interrupted by a restart twice; not run again", r.message());
            assertEquals(0, d.dispatch());
            assertEquals(List.of(), third.calls());
            assertEquals(List.of(), store.unfinishedRuns());
            assertEquals(TriggerState.DONE, store.triggerStatus(t).orElseThrow().state());
        }
    }

    @Test
    void theBlastRadiusCountsSurviveARestart() {
        DispatchPolicy one = policy.toBuilder().maxHostsPerGroup(1).groupWindow(Duration.ofMinutes(10)).build();
        ManualWorkers w = new ManualWorkers();
        Dispatcher first = Dispatcher.create(store, new FakeRunner(), clock, one, w);
        accept(store, trigger(clock, "web1", "NodeDown", "{}:{alertname=\"NodeDown\"}", List.of("a"), List.of()));
        assertEquals(1, first.dispatch());
        w.runAll();
        clock.advance(Duration.ofMinutes(1));
        try (Dispatcher second = Dispatcher.create(store, new FakeRunner(), clock, one, new ManualWorkers())) {
            second.recover();
            long t = accept(store, trigger(clock, "web2", "NodeDown", "{}:{alertname=\"NodeDown\"}", List.of("a"),
                    List.of()));
            assertEquals(0, second.dispatch(), "web1 already counts against the group's cap of 1");
            assertEquals(TriggerState.SUPPRESSED, store.triggerStatus(t).orElseThrow().state());
            assertTrue(store.triggerStatus(t).orElseThrow().reason().startsWith("blast radius"),
                    store.triggerStatus(t).toString());
        }
        clock.advance(Duration.ofMinutes(10));
        try (Dispatcher third = Dispatcher.create(store, new FakeRunner(), clock, one, new ManualWorkers())) {
            third.recover();
            accept(store, trigger(clock, "web3", "NodeDown", "{}:{alertname=\"NodeDown\"}", List.of("a"), List.of()));
            assertEquals(1, third.dispatch(), "outside the window the group counts nothing");
        }
    }

    @Test
    void theRateLimitWindowSurvivesARestart() {
        DispatchPolicy two = policy.toBuilder().runsPerMinute(2).build();
        ManualWorkers w = new ManualWorkers();
        Dispatcher first = Dispatcher.create(store, new FakeRunner(), clock, two, w);
        accept(store, trigger(clock, "web1", "alert_a"));
        accept(store, trigger(clock, "web2", "alert_a"));
        assertEquals(2, first.dispatch());
        w.runAll();
        clock.advance(Duration.ofSeconds(20));
        try (Dispatcher second = Dispatcher.create(store, new FakeRunner(), clock, two, new ManualWorkers())) {
            second.recover();
            long t = accept(store, trigger(clock, "web3", "alert_a"));
            assertEquals(0, second.dispatch());
            assertEquals(TriggerState.SUPPRESSED, store.triggerStatus(t).orElseThrow().state());
        }
        assertEquals(2, store.recentRuns(Optional.empty(), 10).size());
    }
}
