package dev.cfrun.service.dispatch;

import dev.cfrun.service.dispatch.DispatchFakes.FakeClock;
import dev.cfrun.service.dispatch.DispatchFakes.FakeRunner;
import dev.cfrun.service.dispatch.DispatchFakes.ManualWorkers;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.Store;
import dev.cfrun.service.store.StoreException;
import dev.cfrun.service.store.TriggerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.cfrun.service.dispatch.DispatchFakes.accept;
import static dev.cfrun.service.dispatch.DispatchFakes.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a pass reads the queue: only what is new, then the queued triggers of the hosts that may run; the queued
 * triggers of a busy host are not read again while they wait, and still become one follow-up run.
 */
class DispatcherQueueReadTest {
    private final FakeClock clock = new FakeClock();
    private final MemoryStore memory = new MemoryStore();
    private final AtomicLong rowsRead = new AtomicLong();
    private final AtomicBoolean failStart = new AtomicBoolean();
    /** The memory store, counting the queued triggers its reads return; startRun fails once when told. */
    private final Store store = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(),
            new Class<?>[] {Store.class}, (proxy, method, args) -> {
                if (method.getName().equals("startRun") && failStart.getAndSet(false)) {
                    throw new StoreException("disk full (test)");
                }
                Object r;
                try {
                    r = method.invoke(memory, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (method.getName().startsWith("queued") && r instanceof List<?> l) {
                    rowsRead.addAndGet(l.size());
                }
                return r;
            });
    private final FakeRunner runner = new FakeRunner();
    private final ManualWorkers workers = new ManualWorkers();

    /** A dispatcher driven by hand (no loop thread, the test's workers): nothing to close but the store. */
    private Dispatcher dispatcher(DispatchPolicy.Builder policy) {
        return Dispatcher.create(store, runner, clock,
                policy.cooldown(Duration.ZERO).runsPerMinute(0).maxHostsPerGroup(0).build(), workers);
    }

    @AfterEach
    void tearDown() {
        memory.close();
    }

    private TriggerState state(long id) {
        return memory.triggerStatus(id).orElseThrow().state();
    }

    @Test
    void theQueuedTriggersOfABusyHostAreReadOnceAndMakeOneFollowUpRun() {
        Dispatcher d = dispatcher(DispatchPolicy.builder());
        accept(store, trigger(clock, "web1", "alert_first"));
        assertEquals(1, d.dispatch());
        List<Long> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(accept(store, trigger(clock, "web1", "alert_" + i)));
        }
        rowsRead.set(0);
        for (int pass = 0; pass < 20; pass++) {
            assertEquals(0, d.dispatch(), "web1 is running");
        }
        assertEquals(50, rowsRead.get(), "each waiting trigger read once (as new), not once per pass");
        workers.runNext();
        assertEquals(1, d.dispatch(), "one follow-up run");
        RunRecord followUp = memory.recentRuns(Optional.empty(), 1).get(0);
        assertEquals(waiting, followUp.triggerIds());
        assertEquals(0, d.dispatch());
        workers.runAll();
        assertEquals(0, d.dispatch());
        assertEquals(2, runner.calls().size());
        assertEquals(49, d.stats().triggersMerged());
    }

    @Test
    void aFullPoolReadsOnlyWhatIsNew() {
        Dispatcher d = dispatcher(DispatchPolicy.builder().parallelism(2));
        accept(store, trigger(clock, "web1", "alert_a"));
        accept(store, trigger(clock, "web2", "alert_a"));
        assertEquals(2, d.dispatch());
        for (int i = 0; i < 30; i++) {
            accept(store, trigger(clock, "web" + (3 + i % 10), "alert_a"));
        }
        rowsRead.set(0);
        for (int pass = 0; pass < 10; pass++) {
            assertEquals(0, d.dispatch(), "the pool is full");
        }
        assertEquals(30, rowsRead.get());
        workers.runNext();
        assertEquals(1, d.dispatch(), "web3, whose trigger is the oldest waiting, with its 3 triggers");
        assertEquals("web3", memory.recentRuns(Optional.empty(), 1).get(0).host().host());
        assertEquals(3, memory.recentRuns(Optional.empty(), 1).get(0).triggerIds().size());
    }

    @Test
    void aRunServesAtMostABatchAndTheHostWithTheOldestTriggerGoesFirst() {
        Dispatcher d = dispatcher(DispatchPolicy.builder().parallelism(1).queueBatch(3));
        accept(store, trigger(clock, "web1", "alert_0"));
        assertEquals(1, d.dispatch());
        List<Long> web1 = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            web1.add(accept(store, trigger(clock, "web1", "alert_" + i)));
        }
        long web2 = accept(store, trigger(clock, "web2", "alert_x"));
        long web1Last = accept(store, trigger(clock, "web1", "alert_5"));
        workers.runNext();
        assertEquals(1, d.dispatch());
        assertEquals(web1.subList(0, 3), memory.recentRuns(Optional.empty(), 1).get(0).triggerIds());
        workers.runNext();
        assertEquals(1, d.dispatch());
        assertEquals(List.of(web1.get(3), web1Last), memory.recentRuns(Optional.empty(), 1).get(0).triggerIds(),
                "web1's oldest waiting trigger is older than web2's: web1 again, with all it has left");
        workers.runNext();
        assertEquals(1, d.dispatch());
        assertEquals(List.of(web2), memory.recentRuns(Optional.empty(), 1).get(0).triggerIds());
        workers.runAll();
        assertEquals(0, d.dispatch());
        assertEquals(0, memory.queueDepth());
    }

    @Test
    void aPassThatFailsForgetsWhatItKnewAndTheNextOneFindsEveryTrigger() {
        Dispatcher d = dispatcher(DispatchPolicy.builder());
        long a = accept(store, trigger(clock, "web1", "alert_a"));
        long b = accept(store, trigger(clock, "web2", "alert_a"));
        failStart.set(true);
        assertThrows(StoreException.class, d::dispatch);
        assertEquals(TriggerState.QUEUED, state(a));
        assertEquals(2, d.dispatch(), "both hosts run: nothing was forgotten");
        assertEquals(TriggerState.RUNNING, state(a));
        assertEquals(TriggerState.RUNNING, state(b));
    }

    @Test
    void aTriggerQueuedAgainBehindTheDispatchersBackRunsWithinAMinute() {
        Dispatcher d = dispatcher(DispatchPolicy.builder());
        long a = accept(store, trigger(clock, "web1", "alert_a"));
        Dispatcher other = Dispatcher.create(store, runner, clock, DispatchPolicy.defaults(), new ManualWorkers());
        assertEquals(1, other.dispatch()); // another dispatcher on the same store starts the run, then "dies"
        long b = accept(store, trigger(clock, "web2", "alert_b"));
        assertEquals(1, d.dispatch(), "web2; this dispatcher's cursor moves past both triggers");
        assertEquals(TriggerState.RUNNING, state(b));
        memory.requeueUnfinished(memory.triggerStatus(a).orElseThrow().runId().getAsLong()); // not via recover()
        assertEquals(0, d.dispatch(), "the trigger's id is behind the cursor");
        clock.advance(Duration.ofSeconds(60));
        assertEquals(1, d.dispatch(), "a minute later a pass reads the whole queue again");
        assertEquals(TriggerState.RUNNING, state(a));
        assertTrue(memory.triggerStatus(a).orElseThrow().retriedAfterRestart());
    }
}
