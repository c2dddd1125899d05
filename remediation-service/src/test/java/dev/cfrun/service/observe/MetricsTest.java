package dev.cfrun.service.observe;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.dispatch.DispatchStats;
import dev.cfrun.service.events.Suppression;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Metrics} fed by hand: each event's counter, the result labels, histograms and scrape-time gauges. */
class MetricsTest {
    private static final HostAddress WEB1 = HostAddress.of("web1", 5308);
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    static Trigger trigger(Source source, String dedupeKey) {
        return new Trigger(source, dedupeKey, "WebDown", "{}:{alertname=\"WebDown\"}", T0, WEB1,
                List.of("alert_WebDown"), List.of(), Map.of("alertname", "WebDown"));
    }

    private static RunOutcome outcome(OptionalInt exit, String errorKind) {
        return new RunOutcome(T0, exit, errorKind, "m", List.of());
    }

    private static MetricsText scrape(Metrics m) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.write(b);
        return MetricsText.parse(b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void eachEventCountsInItsSeriesAndEverySeriesStartsAtZero() throws Exception {
        Metrics m = Metrics.withoutJvm();
        MetricsText before = scrape(m);
        assertEquals(0, before.value("cfrun_service_triggers_total", "source", "nagios", "outcome", "duplicate"));
        assertEquals(0, before.value("cfrun_service_triggers_suppressed_total", "reason", "blast_radius"));
        assertEquals(0, before.value("cfrun_service_runs_total", "result", "agent_failed"));
        assertEquals(0, before.value("cfrun_service_alerts_total", "outcome", "skipped"));

        StoredTrigger st = new StoredTrigger(1, trigger(Source.ALERTMANAGER, "fp@t"));
        m.accepted(1, trigger(Source.ALERTMANAGER, "fp@t"));
        m.duplicate(1, trigger(Source.ALERTMANAGER, "fp@t"));
        m.duplicate(1, trigger(Source.ALERTMANAGER, "fp@t"));
        m.accepted(2, trigger(Source.API, null));
        m.skipped("fp2", "g", Map.of(), "no host");
        m.resolved("fp3", "g", Map.of());
        m.suppressed(st, Suppression.COOLDOWN, "cooldown until x");
        m.suppressed(st, Suppression.RATE_LIMIT, "rate");
        m.suppressed(st, Suppression.RATE_LIMIT, "rate");
        List<StoredTrigger> three = List.of(st, new StoredTrigger(2, st.trigger()), new StoredTrigger(3, st.trigger()));
        m.runStarted(7, WEB1, three, List.of(), List.of(), false);
        m.runStarted(8, WEB1, List.of(st), List.of(), List.of(), false);

        MetricsText t = scrape(m);
        assertEquals(1, t.value("cfrun_service_triggers_total", "source", "alertmanager", "outcome", "accepted"));
        assertEquals(2, t.value("cfrun_service_triggers_total", "source", "alertmanager", "outcome", "duplicate"));
        assertEquals(1, t.value("cfrun_service_triggers_total", "source", "api", "outcome", "accepted"));
        assertEquals(1, t.value("cfrun_service_alerts_total", "outcome", "triggered"));
        assertEquals(2, t.value("cfrun_service_alerts_total", "outcome", "duplicate"));
        assertEquals(1, t.value("cfrun_service_alerts_total", "outcome", "skipped"));
        assertEquals(1, t.value("cfrun_service_alerts_total", "outcome", "resolved"));
        assertEquals(1, t.value("cfrun_service_triggers_suppressed_total", "reason", "cooldown"));
        assertEquals(2, t.value("cfrun_service_triggers_suppressed_total", "reason", "rate_limit"));
        assertEquals(0, t.value("cfrun_service_triggers_suppressed_total", "reason", "invalid"));
        assertEquals(2, t.value("cfrun_service_triggers_merged_total"), "a run of 3 triggers merged 2");
        assertEquals(2, t.value("cfrun_service_runs_started_total"));
        for (String family : t.types.keySet()) {
            assertTrue(t.helped.contains(family), "HELP for " + family);
        }
        assertEquals("counter", t.types.get("cfrun_service_triggers_total"));
        assertEquals("histogram", t.types.get("cfrun_service_run_duration_seconds"));
        assertFalse(t.has("jvm_memory_used_bytes"), "no JVM metrics in this one");
    }

    @Test
    void runsCountByResultAndOnlyRealRunsAreTimed() throws Exception {
        Metrics m = Metrics.withoutJvm();
        m.runFinished(1, WEB1, List.of(), outcome(OptionalInt.of(0), null), Duration.ofMillis(80));
        m.runFinished(2, WEB1, List.of(), outcome(OptionalInt.empty(), null), Duration.ofMillis(300));
        m.runFinished(3, WEB1, List.of(), outcome(OptionalInt.of(1), null), Duration.ofSeconds(2));
        m.runFinished(4, WEB1, List.of(), outcome(OptionalInt.empty(), "connect"), Duration.ofSeconds(20));
        m.runFinished(5, WEB1, List.of(), outcome(OptionalInt.empty(), "dry_run"), Duration.ZERO);
        m.runFinished(6, WEB1, List.of(), outcome(OptionalInt.empty(), "Weird Kind\n{x=\"y\"}"), Duration.ofSeconds(-1));
        m.handshake(WEB1, Duration.ofMillis(4));
        m.handshake(WEB1, Duration.ofMillis(40));

        MetricsText t = scrape(m);
        assertEquals(2, t.value("cfrun_service_runs_total", "result", "success"), "no exit code and no error: success");
        assertEquals(1, t.value("cfrun_service_runs_total", "result", "agent_failed"));
        assertEquals(1, t.value("cfrun_service_runs_total", "result", "connect"));
        assertEquals(1, t.value("cfrun_service_runs_total", "result", "dry_run"));
        assertEquals(1, t.value("cfrun_service_runs_total", "result", "other"), "odd error kinds never become labels");
        assertEquals(5, t.value("cfrun_service_run_duration_seconds_count"), "dry runs are not timed");
        assertEquals(22.38, t.value("cfrun_service_run_duration_seconds_sum"), 1e-9);
        assertEquals(2, t.value("cfrun_service_run_duration_seconds_bucket", "le", "0.1"), "80 ms and the negative one");
        assertEquals(3, t.value("cfrun_service_run_duration_seconds_bucket", "le", "0.5"));
        assertEquals(5, t.value("cfrun_service_run_duration_seconds_bucket", "le", "+Inf"));
        assertEquals(2, t.value("cfrun_service_handshake_duration_seconds_count"));
        assertEquals(1, t.value("cfrun_service_handshake_duration_seconds_bucket", "le", "0.005"));
        assertEquals(2, t.value("cfrun_service_handshake_duration_seconds_bucket", "le", "0.05"));
    }

    @Test
    void gaugesAreReadAtEachScrapeAndAFailingSourceLeavesOnlyItsSeriesOut() throws Exception {
        Metrics m = Metrics.withoutJvm();
        AtomicLong depth = new AtomicLong(3);
        DispatchStats[] stats = {new DispatchStats(5, 4, 1, 0, 0, 0, 0, 2, 1, true)};
        m.watch(() -> {
            if (depth.get() < 0) {
                throw new IllegalStateException("store is closed");
            }
            return depth.get();
        }, () -> stats[0]);
        MetricsText t = scrape(m);
        assertEquals(3, t.value("cfrun_service_queue_depth"));
        assertEquals(1, t.value("cfrun_service_runs_in_flight"));
        assertEquals(1, t.value("cfrun_service_paused"));
        assertEquals(2, t.value("cfrun_service_runs_requeued_total"));
        assertEquals("gauge", t.types.get("cfrun_service_queue_depth"));
        t.types.keySet().forEach(family -> assertTrue(t.helped.contains(family), "HELP for " + family));

        depth.set(-1);
        stats[0] = new DispatchStats(5, 5, 1, 0, 0, 0, 0, 2, 0, false);
        MetricsText after = scrape(m);
        assertFalse(after.has("cfrun_service_queue_depth"));
        assertEquals(0, after.value("cfrun_service_runs_in_flight"));
        assertEquals(0, after.value("cfrun_service_paused"));
        assertThrows(IllegalStateException.class, () -> m.watch(() -> 0, () -> stats[0]));
    }

    @Test
    void theJvmMetricsAreInTheSameRegistryAndTheContentTypeIsTextFormat004() throws Exception {
        Metrics m = Metrics.create();
        MetricsText t = scrape(m);
        assertTrue(t.has("jvm_memory_used_bytes"), t.types.keySet().toString());
        assertTrue(t.has("jvm_threads_current"), t.types.keySet().toString());
        assertTrue(t.has("cfrun_service_runs_total"));
        assertEquals("text/plain; version=0.0.4; charset=utf-8", m.contentType());
    }

    @Test
    void resultLabels() {
        assertEquals("success", Metrics.result(outcome(OptionalInt.of(0), null)));
        assertEquals("agent_failed", Metrics.result(outcome(OptionalInt.of(127), null)));
        assertEquals("unknown_server_key", Metrics.result(outcome(OptionalInt.empty(), "unknown_server_key")));
        assertEquals("interrupted", Metrics.result(outcome(OptionalInt.empty(), "interrupted")));
        assertEquals("other", Metrics.result(outcome(OptionalInt.empty(), "x".repeat(41))));
        assertEquals("other", Metrics.result(outcome(OptionalInt.empty(), "")));
        assertEquals("success", Metrics.result(new RunOutcome(T0, null, null, null, null)));
    }
}
