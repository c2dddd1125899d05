package dev.cfrun.service.observe;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.dispatch.DispatchStats;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.events.Suppression;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The service's Prometheus metrics, {@code GET /metrics}: counters and histograms fed by the {@link ServiceEvents}
 * it listens to, gauges read when scraped (queue depth, runs in flight, paused), and the JVM's metrics, all in a
 * registry of its own (never the client library's default one). Every counter's label values are a fixed set, so
 * the number of series is bounded whatever the alerts contain. Thread-safe; each event costs a few atomic
 * increments, so it may be called under the dispatcher's lock.
 */
public final class Metrics implements ServiceEvents {
    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
    /** The {@code result} of a run that reported exit code 0 (or no exit code) without an error. */
    public static final String SUCCESS = "success";
    /** The {@code result} of a run whose agent reported a non-zero exit code. */
    public static final String AGENT_FAILED = "agent_failed";
    /** The {@code result} of an error kind that is not a short lower-case word. */
    public static final String OTHER = "other";
    private static final Pattern ERROR_KIND = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final double[] RUN_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
    private static final double[] HANDSHAKE_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter triggers;
    private final Counter alerts;
    private final Counter suppressed;
    private final Counter merged;
    private final Counter runsStarted;
    private final Counter runs;
    private final Histogram runDuration;
    private final Histogram handshake;
    private boolean watching;
    private boolean watchingAudit;

    private Metrics(boolean jvm) {
        triggers = Counter.builder().name("cfrun_service_triggers")
                .help("Triggers received, by source and outcome (accepted = stored and queued, duplicate = dedupe "
                        + "key seen before)")
                .labelNames("source", "outcome").register(registry);
        alerts = Counter.builder().name("cfrun_service_alerts")
                .help("Alerts of Alertmanager deliveries, by outcome (triggered = a new trigger, duplicate = its "
                        + "trigger exists, skipped = no trigger, resolved = recorded only)")
                .labelNames("outcome").register(registry);
        suppressed = Counter.builder().name("cfrun_service_triggers_suppressed")
                .help("Queued triggers the dispatcher held back, by reason").labelNames("reason").register(registry);
        merged = Counter.builder().name("cfrun_service_triggers_merged")
                .help("Triggers that joined another trigger's run (a run serving k triggers counts k - 1)")
                .register(registry);
        runsStarted = Counter.builder().name("cfrun_service_runs_started")
                .help("Runs started (dry runs included)").register(registry);
        runs = Counter.builder().name("cfrun_service_runs")
                .help("Runs ended, by result: success, agent_failed (non-zero exit code), dry_run, or the error kind "
                        + "(connect, timeout, unknown_server_key, interrupted, ...)")
                .labelNames("result").register(registry);
        runDuration = Histogram.builder().name("cfrun_service_run_duration_seconds")
                .help("Time from the start of a run to its recorded end (dry runs not included)")
                .classicOnly().classicUpperBounds(RUN_BUCKETS).register(registry);
        handshake = Histogram.builder().name("cfrun_service_handshake_duration_seconds")
                .help("Time of the handshake and identification of the runs that got through it")
                .classicOnly().classicUpperBounds(HANDSHAKE_BUCKETS).register(registry);
        for (Source s : Source.values()) {
            triggers.labelValues(label(s), "accepted");
            triggers.labelValues(label(s), "duplicate");
        }
        for (String o : List.of("triggered", "duplicate", "skipped", "resolved")) {
            alerts.labelValues(o);
        }
        for (Suppression s : Suppression.values()) {
            suppressed.labelValues(s.name().toLowerCase(Locale.ROOT));
        }
        for (String r : List.of(SUCCESS, AGENT_FAILED, "dry_run")) {
            runs.labelValues(r);
        }
        if (jvm) {
            JvmMetrics.builder().register(registry);
        }
    }

    /**
     * The service's metrics with the JVM's (memory, GC, threads, class loading, process CPU and file
     * descriptors); call {@link #watch} once the store and dispatcher exist.
     *
     * @return the metrics
     */
    public static Metrics create() {
        return new Metrics(true);
    }

    /**
     * The service's metrics only, without the JVM's (tests: a smaller page).
     *
     * @return the metrics
     */
    static Metrics withoutJvm() {
        return new Metrics(false);
    }

    /**
     * Adds the gauges read at each scrape: {@code cfrun_service_queue_depth}, {@code cfrun_service_runs_in_flight},
     * {@code cfrun_service_paused}, and the counter {@code cfrun_service_runs_requeued_total}. A supplier that
     * throws (a store closing during shutdown) leaves its series out of that scrape.
     *
     * @param queueDepth triggers queued ({@link dev.cfrun.service.store.Store#queueDepth()})
     * @param stats      the dispatcher's counters ({@link dev.cfrun.service.dispatch.Dispatcher#stats()})
     * @throws IllegalStateException if called twice
     */
    public synchronized void watch(LongSupplier queueDepth, Supplier<DispatchStats> stats) {
        Objects.requireNonNull(queueDepth, "queueDepth");
        Objects.requireNonNull(stats, "stats");
        if (watching) {
            throw new IllegalStateException("metrics already watch a store and dispatcher");
        }
        watching = true;
        GaugeWithCallback.builder().name("cfrun_service_queue_depth")
                .help("Triggers queued: waiting for their host's run to end, for a worker, or for the dispatcher")
                .callback(cb -> guarded("queue depth", () -> cb.call(queueDepth.getAsLong())))
                .register(registry);
        GaugeWithCallback.builder().name("cfrun_service_runs_in_flight").help("Runs going on now")
                .callback(cb -> guarded("runs in flight", () -> cb.call(stats.get().inFlight())))
                .register(registry);
        GaugeWithCallback.builder().name("cfrun_service_paused")
                .help("1 while dispatching is paused (POST /v1/pause), else 0")
                .callback(cb -> guarded("paused", () -> cb.call(stats.get().paused() ? 1 : 0)))
                .register(registry);
        CounterWithCallback.builder().name("cfrun_service_runs_requeued")
                .help("Runs left unfinished by a previous process whose triggers were queued again")
                .callback(cb -> guarded("requeued", () -> cb.call(stats.get().requeued())))
                .register(registry);
    }

    /**
     * Adds the audit log's counters: {@code cfrun_service_audit_log_lines_total} and
     * {@code cfrun_service_audit_log_lost_total{cause="io_error|queue_full"}}.
     *
     * @param log the audit log
     * @throws IllegalStateException if called twice
     */
    public synchronized void watchAuditLog(AuditLog log) {
        Objects.requireNonNull(log, "log");
        if (watchingAudit) {
            throw new IllegalStateException("metrics already watch an audit log");
        }
        watchingAudit = true;
        CounterWithCallback.builder().name("cfrun_service_audit_log_lines")
                .help("Lines written to the audit log").callback(cb -> cb.call(log.linesWritten()))
                .register(registry);
        CounterWithCallback.builder().name("cfrun_service_audit_log_lost")
                .help("Audit log lines lost, by cause (io_error: the write failed and is retried with the next "
                        + "line; queue_full: the writer fell behind)")
                .labelNames("cause").callback(cb -> {
                    cb.call(log.lostToErrors(), "io_error");
                    cb.call(log.lostToFullQueue(), "queue_full");
                }).register(registry);
    }

    private static void guarded(String what, Runnable read) {
        try {
            read.run();
        } catch (RuntimeException e) {
            LOG.debug("metric {} not read: {}", what, e.toString());
        }
    }

    /**
     * The content type of {@link #write}: the Prometheus text format, version 0.0.4.
     *
     * @return the content type
     */
    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /**
     * Writes every metric, as scraped now, in the Prometheus text format 0.0.4.
     *
     * @param out where to; not closed
     * @throws IOException if {@code out} fails
     */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /**
     * The {@code result} label of a run's outcome: {@value #SUCCESS}, {@value #AGENT_FAILED}, or its error kind
     * ({@code dry_run}, {@code connect}, ...) when that is a short lower-case word, else {@value #OTHER}.
     *
     * @param o the outcome
     * @return the label value
     */
    public static String result(RunOutcome o) {
        if (o.errorKind() != null) {
            return ERROR_KIND.matcher(o.errorKind()).matches() ? o.errorKind() : OTHER;
        }
        return o.exitCode() != null && o.exitCode().isPresent() && o.exitCode().getAsInt() != 0 ? AGENT_FAILED
                : SUCCESS;
    }

    private static String label(Source s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static double seconds(Duration d) {
        return d == null || d.isNegative() ? 0 : d.toNanos() / 1e9;
    }

    private void count(Trigger t, String outcome) {
        triggers.labelValues(label(t.source()), outcome).inc();
        if (t.source() == Source.ALERTMANAGER) {
            alerts.labelValues("accepted".equals(outcome) ? "triggered" : "duplicate").inc();
        }
    }

    @Override
    public void accepted(long triggerId, Trigger trigger) {
        count(trigger, "accepted");
    }

    @Override
    public void duplicate(long triggerId, Trigger trigger) {
        count(trigger, "duplicate");
    }

    @Override
    public void skipped(String fingerprint, String groupKey, Map<String, String> labels, String reason) {
        alerts.labelValues("skipped").inc();
    }

    @Override
    public void resolved(String fingerprint, String groupKey, Map<String, String> labels) {
        alerts.labelValues("resolved").inc();
    }

    @Override
    public void suppressed(StoredTrigger trigger, Suppression why, String reason) {
        suppressed.labelValues(why.name().toLowerCase(Locale.ROOT)).inc();
    }

    @Override
    public void runStarted(long runId, HostAddress host, List<StoredTrigger> triggers, List<String> classes,
                           List<String> bundles, boolean dryRun) {
        runsStarted.inc();
        if (triggers.size() > 1) {
            merged.inc(triggers.size() - 1);
        }
    }

    @Override
    public void runFinished(long runId, HostAddress host, List<StoredTrigger> triggers, RunOutcome outcome,
                            Duration took) {
        String result = result(outcome);
        runs.labelValues(result).inc();
        if (!"dry_run".equals(result)) {
            runDuration.observe(seconds(took));
        }
    }

    @Override
    public void handshake(HostAddress host, Duration d) {
        handshake.observe(seconds(d));
    }
}
