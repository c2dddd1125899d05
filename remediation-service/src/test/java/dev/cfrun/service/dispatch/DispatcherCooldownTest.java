package dev.cfrun.service.dispatch;

import dev.cfrun.service.Trigger;
import dev.cfrun.service.dispatch.DispatchFakes.FakeClock;
import dev.cfrun.service.dispatch.DispatchFakes.FakeRunner;
import dev.cfrun.service.dispatch.DispatchFakes.ManualWorkers;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.TriggerState;
import dev.cfrun.service.store.TriggerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.cfrun.service.dispatch.DispatchFakes.T0;
import static dev.cfrun.service.dispatch.DispatchFakes.accept;
import static dev.cfrun.service.dispatch.DispatchFakes.host;
import static dev.cfrun.service.dispatch.DispatchFakes.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A trigger's own cooldown (a rule's {@code cooldown}) instead of the policy's. */
class DispatcherCooldownTest {
    private final FakeClock clock = new FakeClock();
    private final MemoryStore store = new MemoryStore();
    private final FakeRunner runner = new FakeRunner();
    private final ManualWorkers workers = new ManualWorkers();
    private final Dispatcher d = Dispatcher.create(store, runner, clock, DispatchPolicy.builder()
            .cooldown(Duration.ofMinutes(5)).runsPerMinute(0).maxHostsPerGroup(0).build(), workers);

    @AfterEach
    void tearDown() {
        d.close();
        store.close();
    }

    private Trigger alert(String key, Duration cooldown) {
        Trigger t = trigger(clock, "web1", key, null, List.of("alert_" + key), List.of());
        return new Trigger(t.source(), t.dedupeKey(), t.cooldownKey(), t.group(), t.receivedAt(), t.host(),
                t.classes(), t.bundles(), t.labels(), cooldown);
    }

    private TriggerStatus status(long id) {
        return store.triggerStatus(id).orElseThrow();
    }

    /** Accepts the trigger, dispatches, and finishes whatever run started; returns the trigger's id. */
    private long runOnce(Trigger t) {
        long id = accept(store, t);
        d.dispatch();
        workers.runAll();
        return id;
    }

    @Test
    void aShorterOwnCooldownEndsBeforeThePolicys() {
        runOnce(alert("HttpDown", Duration.ofSeconds(30))); // ends at T0: cooled down until T0 + 30 s
        assertEquals(Optional.of(T0.plusSeconds(30)), store.cooldownUntil(host("web1"), "HttpDown"));
        clock.advance(Duration.ofSeconds(29));
        long held = runOnce(alert("HttpDown", Duration.ofSeconds(30)));
        assertEquals(TriggerState.SUPPRESSED, status(held).state());
        assertEquals("cooldown until " + T0.plusSeconds(30), status(held).reason());
        clock.advance(Duration.ofSeconds(1));
        long runs = runOnce(alert("HttpDown", Duration.ofSeconds(30)));
        assertEquals(TriggerState.DONE, status(runs).state(), "30 s later it runs, though the policy says 5 min");
    }

    @Test
    void aZeroOwnCooldownMeansNone() {
        runOnce(alert("Flappy", Duration.ZERO));
        assertTrue(store.cooldownUntil(host("web1"), "Flappy").isEmpty(), "no cooldown started");
        long again = runOnce(alert("Flappy", Duration.ZERO));
        assertEquals(TriggerState.DONE, status(again).state());
        runOnce(alert("Flappy", null)); // a trigger without its own: the policy's 5 min start
        clock.advance(Duration.ofSeconds(10));
        long policy = runOnce(alert("Flappy", null));
        assertEquals(TriggerState.SUPPRESSED, status(policy).state());
        long own = runOnce(alert("Flappy", Duration.ZERO));
        assertEquals(TriggerState.DONE, status(own).state(), "a trigger with no cooldown of its own is not held");
        assertEquals(3 + 1, runner.calls().size());
    }

    @Test
    void aMergedRunStartsTheLongestCooldownOfItsTriggersPerKey() {
        accept(store, alert("DiskFull", Duration.ofSeconds(10)));
        d.dispatch();
        accept(store, alert("HttpDown", Duration.ofSeconds(30)));
        accept(store, alert("HttpDown", Duration.ofMinutes(20)));
        accept(store, alert("LoadHigh", null));
        workers.runAll(); // the first run ends at T0
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, d.dispatch(), "the three waiting triggers make one follow-up run");
        workers.runAll(); // ends at T0 + 1 s
        assertEquals(Optional.of(T0.plusSeconds(10)), store.cooldownUntil(host("web1"), "DiskFull"));
        assertEquals(Optional.of(T0.plusSeconds(1).plus(Duration.ofMinutes(20))),
                store.cooldownUntil(host("web1"), "HttpDown"));
        assertEquals(Optional.of(T0.plusSeconds(1).plus(Duration.ofMinutes(5))),
                store.cooldownUntil(host("web1"), "LoadHigh"));
    }
}
