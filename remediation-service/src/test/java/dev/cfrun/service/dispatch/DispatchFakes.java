package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.Store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** The dispatcher tests' fakes: a clock moved by hand, a worker pool run by hand, an executor that records. */
final class DispatchFakes {
    private DispatchFakes() {
    }

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final AtomicLong SEQ = new AtomicLong();

    /** A clock that moves only when told. */
    static final class FakeClock extends Clock {
        private volatile Instant now = T0;

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** A worker pool whose tasks run only when the test says. */
    static final class ManualWorkers implements Executor {
        private final Deque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable r) {
            tasks.addLast(r);
        }

        synchronized int pending() {
            return tasks.size();
        }

        /** Runs the oldest task (one run to its end). */
        void runNext() {
            Runnable r;
            synchronized (this) {
                r = tasks.pollFirst();
            }
            if (r == null) {
                throw new AssertionError("no run is waiting for a worker");
            }
            r.run();
        }

        void runAll() {
            while (pending() > 0) {
                runNext();
            }
        }
    }

    /** One call of the fake executor. */
    record Call(HostAddress host, List<String> classes, List<String> bundles) {}

    /** Records each run; answers exit 0 with one output line, at a wrong time (the dispatcher uses its own). */
    static final class FakeRunner implements RunExecutor {
        final List<Call> calls = new ArrayList<>();
        RuntimeException failWith;

        @Override
        public synchronized RunOutcome execute(HostAddress host, List<String> classes, List<String> bundles) {
            calls.add(new Call(host, classes, bundles));
            if (failWith != null) {
                throw failWith;
            }
            return new RunOutcome(Instant.EPOCH, OptionalInt.of(0), null, "ok", List.of("ran " + classes));
        }

        synchronized List<Call> calls() {
            return List.copyOf(calls);
        }
    }

    static HostAddress host(String name) {
        return HostAddress.of(name, HostAddress.DEFAULT_PORT);
    }

    /** An Alertmanager-like trigger: dedupe key unique, cooldown key and group as given (null for none). */
    static Trigger trigger(Clock clock, String host, String cooldownKey, String group, List<String> classes,
                           List<String> bundles) {
        return new Trigger(Source.ALERTMANAGER, "fp" + SEQ.incrementAndGet() + "@" + clock.instant(), cooldownKey,
                group, clock.instant(), host(host), classes, bundles, Map.of());
    }

    /** A trigger with one class and no cooldown key or group. */
    static Trigger trigger(Clock clock, String host, String cls) {
        return trigger(clock, host, null, null, List.of(cls), List.of());
    }

    static long accept(Store store, Trigger t) {
        return store.accept(t).triggerId();
    }
}
