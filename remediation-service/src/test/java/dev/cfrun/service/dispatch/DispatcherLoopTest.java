package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.cfrun.service.dispatch.DispatchFakes.accept;
import static dev.cfrun.service.dispatch.DispatchFakes.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher with its own thread and worker pool, real time: single flight holds while triggers pour in
 * from several threads and every run is held open (the pool has room for more than the five hosts).
 */
class DispatcherLoopTest {

    /** Blocks each run until released; records the most runs seen at once per host and in all. */
    static final class GatedRunner implements RunExecutor {
        final CountDownLatch release = new CountDownLatch(1);
        final Map<HostAddress, AtomicInteger> perHost = new ConcurrentHashMap<>();
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger maxPerHost = new AtomicInteger();
        final AtomicInteger maxAll = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public RunOutcome execute(HostAddress host, List<String> classes, List<String> bundles) {
            calls.incrementAndGet();
            int h = perHost.computeIfAbsent(host, k -> new AtomicInteger()).incrementAndGet();
            maxPerHost.accumulateAndGet(h, Math::max);
            maxAll.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            perHost.get(host).decrementAndGet();
            return new RunOutcome(null, OptionalInt.of(0), null, null, List.of());
        }
    }

    @Test
    @Timeout(30)
    void singleFlightPerHostWithTheRealLoop() throws Exception {
        Clock clock = Clock.systemUTC();
        GatedRunner runner = new GatedRunner();
        DispatchPolicy policy = DispatchPolicy.builder().parallelism(8).runsPerMinute(0)
                .cooldown(Duration.ZERO).pollInterval(Duration.ofMillis(20)).build();
        try (MemoryStore store = new MemoryStore();
             Dispatcher d = Dispatcher.create(store, runner, clock, policy)) {
            d.start();
            assertThrows(IllegalStateException.class, d::start);
            Thread[] senders = new Thread[4];
            for (int s = 0; s < senders.length; s++) {
                int sender = s;
                senders[s] = new Thread(() -> {
                    for (int i = 0; i < 25; i++) {
                        accept(store, trigger(clock, "web" + (i % 5), "alert_" + sender + "_" + i));
                        d.wakeUp();
                    }
                });
                senders[s].start();
            }
            for (Thread t : senders) {
                t.join();
            }
            waitFor(() -> d.stats().inFlight() == 5);
            Thread.sleep(100); // give a wrong implementation time to start more
            runner.release.countDown();
            waitFor(() -> store.queued(1000).isEmpty() && d.stats().inFlight() == 0);

            assertEquals(1, runner.maxPerHost.get(), "never two runs on one host at once");
            assertEquals(5, runner.maxAll.get(), "one run per host, the pool has room for more");
            List<RunRecord> runs = store.recentRuns(Optional.empty(), 1000);
            assertEquals(runner.calls.get(), runs.size());
            assertTrue(runs.size() <= 10, "100 triggers on 5 hosts: at most a run and a follow-up each: " + runs.size());
            assertEquals(100, runs.stream().mapToInt(r -> r.triggerIds().size()).sum(), "every trigger ran once");
            assertTrue(runs.stream().allMatch(r -> r.endedAt().isPresent()));
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(5);
        }
    }
}
