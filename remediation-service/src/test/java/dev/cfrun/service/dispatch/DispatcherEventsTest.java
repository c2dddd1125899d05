package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.dispatch.DispatchFakes.FakeClock;
import dev.cfrun.service.dispatch.DispatchFakes.FakeRunner;
import dev.cfrun.service.dispatch.DispatchFakes.ManualWorkers;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.events.Suppression;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.StoredTrigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static dev.cfrun.service.dispatch.DispatchFakes.accept;
import static dev.cfrun.service.dispatch.DispatchFakes.host;
import static dev.cfrun.service.dispatch.DispatchFakes.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the {@link Dispatcher} tells its {@link ServiceEvents}: suppressions by kind, run starts and ends. */
class DispatcherEventsTest {
    private final FakeClock clock = new FakeClock();
    private final MemoryStore store = new MemoryStore();
    private final FakeRunner runner = new FakeRunner();
    private final ManualWorkers workers = new ManualWorkers();
    private final Recorder events = new Recorder();
    private Dispatcher dispatcher;

    record Suppressed(long triggerId, Suppression why, String reason) {}

    record Started(long runId, HostAddress host, List<Long> triggerIds, List<String> classes, boolean dryRun) {}

    record Finished(long runId, HostAddress host, List<Long> triggerIds, RunOutcome outcome, Duration took) {}

    /** Records the dispatcher's calls, in order. */
    static final class Recorder implements ServiceEvents {
        final List<Object> all = new ArrayList<>();

        @Override
        public synchronized void suppressed(StoredTrigger trigger, Suppression why, String reason) {
            all.add(new Suppressed(trigger.id(), why, reason));
        }

        @Override
        public synchronized void runStarted(long runId, HostAddress host, List<StoredTrigger> triggers,
                                            List<String> classes, List<String> bundles, boolean dryRun) {
            all.add(new Started(runId, host, ids(triggers), classes, dryRun));
        }

        @Override
        public synchronized void runFinished(long runId, HostAddress host, List<StoredTrigger> triggers,
                                             RunOutcome outcome, Duration took) {
            all.add(new Finished(runId, host, ids(triggers), outcome, took));
        }

        private static List<Long> ids(List<StoredTrigger> triggers) {
            return triggers.stream().map(StoredTrigger::id).toList();
        }

        synchronized <T> List<T> of(Class<T> type) {
            return all.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private Dispatcher dispatcher(DispatchPolicy policy) {
        dispatcher = Dispatcher.builder(store, runner).clock(clock).policy(policy).workers(workers).events(events)
                .build();
        return dispatcher;
    }

    private static DispatchPolicy.Builder open() {
        return DispatchPolicy.builder().cooldown(Duration.ZERO).runsPerMinute(0).maxHostsPerGroup(0)
                .groupWindow(Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        store.close();
    }

    @Test
    void aMergedRunIsOneRunStartedWithBothTriggersAndFinishesWithTheRecordedOutcome() {
        Dispatcher d = dispatcher(open().build());
        long first = accept(store, trigger(clock, "web1", "alert_a"));
        d.dispatch();
        long second = accept(store, trigger(clock, "web1", "alert_b"));
        long third = accept(store, trigger(clock, "web1", "alert_c"));
        assertEquals(0, d.dispatch());
        clock.advance(Duration.ofSeconds(3));
        workers.runNext();
        assertEquals(1, d.dispatch());
        clock.advance(Duration.ofMillis(1500));
        workers.runNext();

        List<Started> started = events.of(Started.class);
        assertEquals(2, started.size(), "one follow-up run, not one per trigger: " + started);
        assertEquals(List.of(first), started.get(0).triggerIds());
        assertEquals(List.of(second, third), started.get(1).triggerIds());
        assertEquals(List.of("alert_b", "alert_c"), started.get(1).classes());
        assertFalse(started.get(1).dryRun());

        List<Finished> finished = events.of(Finished.class);
        assertEquals(2, finished.size());
        assertEquals(Duration.ofSeconds(3), finished.get(0).took());
        assertEquals(Duration.ofMillis(1500), finished.get(1).took());
        for (int i = 0; i < 2; i++) {
            Finished f = finished.get(i);
            assertEquals(started.get(i).runId(), f.runId());
            assertEquals(host("web1"), f.host());
            assertEquals(started.get(i).triggerIds(), f.triggerIds());
            RunRecord r = store.run(f.runId()).orElseThrow();
            assertEquals(r.endedAt().orElseThrow(), f.outcome().endedAt(), "the outcome as recorded");
            assertEquals(OptionalInt.of(0), f.outcome().exitCode());
            assertNull(f.outcome().errorKind());
        }
        assertTrue(events.of(Suppressed.class).isEmpty());
        List<Object> order = events.all;
        assertTrue(order.indexOf(finished.get(0)) < order.indexOf(started.get(1)), "ended before the next started");
    }

    @Test
    void cooldownIsASuppressionOfKindCooldown() {
        Dispatcher d = dispatcher(open().cooldown(Duration.ofMinutes(5)).build());
        accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        d.dispatch();
        workers.runNext();
        long held = accept(store, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        assertEquals(0, d.dispatch());
        assertEquals(List.of(new Suppressed(held, Suppression.COOLDOWN, "cooldown until " + clock.instant()
                .plus(Duration.ofMinutes(5)))), events.of(Suppressed.class));
    }

    @Test
    void rateLimitIsASuppressionOfKindRateLimitForEachTriggerOfTheRun() {
        Dispatcher d = dispatcher(open().runsPerMinute(1).build());
        accept(store, trigger(clock, "web1", "alert_x"));
        long b1 = accept(store, trigger(clock, "web2", "alert_x"));
        long b2 = accept(store, trigger(clock, "web2", "alert_y"));
        assertEquals(1, d.dispatch());
        String why = "rate limit: 1 runs per minute reached";
        assertEquals(List.of(new Suppressed(b1, Suppression.RATE_LIMIT, why),
                new Suppressed(b2, Suppression.RATE_LIMIT, why)), events.of(Suppressed.class));
        assertEquals(1, events.of(Started.class).size());
    }

    @Test
    void blastRadiusIsASuppressionOfKindBlastRadius() {
        Dispatcher d = dispatcher(open().maxHostsPerGroup(1).groupWindow(Duration.ofMinutes(30)).build());
        accept(store, trigger(clock, "web1", null, "g", List.of("alert_a"), List.of()));
        long second = accept(store, trigger(clock, "web2", null, "g", List.of("alert_a"), List.of()));
        assertEquals(1, d.dispatch());
        assertEquals(List.of(new Suppressed(second, Suppression.BLAST_RADIUS,
                "blast radius: group g already has 1 hosts")), events.of(Suppressed.class));
    }

    @Test
    void aDryRunStartsAndFinishesAtOnceWithResultDryRun() {
        Dispatcher d = dispatcher(open().dryRun(true).build());
        long t = accept(store, trigger(clock, "web1", "alert_a"));
        assertEquals(1, d.dispatch());
        assertEquals(0, workers.pending());
        Started s = events.of(Started.class).get(0);
        assertTrue(s.dryRun());
        assertEquals(List.of(t), s.triggerIds());
        Finished f = events.of(Finished.class).get(0);
        assertEquals(s.runId(), f.runId());
        assertEquals("dry_run", f.outcome().errorKind());
        assertEquals(Duration.ZERO, f.took());
    }

    @Test
    void aFailingRunFinishesWithTheErrorKindAndANonNegativeDuration() {
        Dispatcher d = dispatcher(open().build());
        runner.failWith = new IllegalStateException("boom");
        accept(store, trigger(clock, "web1", "alert_a"));
        d.dispatch();
        workers.runNext();
        Finished f = events.of(Finished.class).get(0);
        assertEquals("internal", f.outcome().errorKind());
        assertFalse(f.took().isNegative());
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheDispatcherThroughServiceEventsOf() {
        ServiceEvents failing = new ServiceEvents() {
            @Override
            public void runStarted(long runId, HostAddress host, List<StoredTrigger> triggers, List<String> classes,
                                   List<String> bundles, boolean dryRun) {
                throw new IllegalStateException("listener bug");
            }
        };
        dispatcher = Dispatcher.builder(store, runner).clock(clock).policy(open().build()).workers(workers)
                .events(ServiceEvents.of(List.of(failing, events))).build();
        accept(store, trigger(clock, "web1", "alert_a"));
        assertEquals(1, dispatcher.dispatch());
        workers.runNext();
        assertEquals(1, events.of(Started.class).size(), "the next listener is still called");
        assertEquals(1, events.of(Finished.class).size());
        assertEquals(1, dispatcher.stats().runsFinished());
    }
}
