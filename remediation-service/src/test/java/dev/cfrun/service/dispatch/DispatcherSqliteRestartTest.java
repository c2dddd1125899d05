package dev.cfrun.service.dispatch;

import dev.cfrun.service.dispatch.DispatchFakes.FakeClock;
import dev.cfrun.service.dispatch.DispatchFakes.FakeRunner;
import dev.cfrun.service.dispatch.DispatchFakes.ManualWorkers;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.SqliteStore;
import dev.cfrun.service.store.TriggerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.cfrun.service.dispatch.DispatchFakes.accept;
import static dev.cfrun.service.dispatch.DispatchFakes.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A restart through the SQLite file: what was accepted before runs exactly once after, nothing twice. */
class DispatcherSqliteRestartTest {
    @TempDir
    Path state;

    @Test
    void everyAcceptedTriggerRunsExactlyOnceAcrossARestart() {
        FakeClock clock = new FakeClock();
        DispatchPolicy policy = DispatchPolicy.builder().parallelism(1).build();
        SqliteStore before = SqliteStore.open(state); // never closed before the restart: SIGKILL
        Dispatcher dying = Dispatcher.create(before, new FakeRunner(), clock, policy, new ManualWorkers());
        long a = accept(before, trigger(clock, "web1", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        long b = accept(before, trigger(clock, "web2", "HttpDown", null, List.of("alert_HttpDown"), List.of()));
        assertEquals(1, dying.dispatch(), "parallelism 1: web1 runs, web2 waits");
        long c = accept(before, trigger(clock, "web1", "DiskFull", null, List.of("alert_DiskFull"), List.of()));
        // the process dies here: the run on web1 never ends, web2 and the second web1 trigger stay queued

        clock.advance(Duration.ofMinutes(1));
        FakeRunner runner = new FakeRunner();
        ManualWorkers workers = new ManualWorkers();
        try (SqliteStore after = SqliteStore.open(state);
             Dispatcher d = Dispatcher.create(after, runner, clock, policy, workers)) {
            assertEquals(1, d.recover());
            for (int i = 0; i < 5; i++) {
                d.dispatch();
                workers.runAll();
            }
            assertEquals(2, runner.calls().size(), runner.calls().toString());
            assertEquals(List.of("alert_HttpDown", "alert_DiskFull"), runner.calls().get(0).classes());
            assertEquals("web2", runner.calls().get(1).host().host());
            for (long id : List.of(a, b, c)) {
                assertEquals(TriggerState.DONE, after.triggerStatus(id).orElseThrow().state());
            }
            List<RunRecord> runs = after.recentRuns(Optional.empty(), 10);
            assertEquals(3, runs.size(), "the interrupted run, its retry, web2's run");
            assertTrue(after.run(after.triggerStatus(a).orElseThrow().runId().getAsLong()).orElseThrow()
                    .retriedAfterRestart());
            assertEquals(List.of(), after.unfinishedRuns());
        } finally {
            before.close();
        }
    }
}
