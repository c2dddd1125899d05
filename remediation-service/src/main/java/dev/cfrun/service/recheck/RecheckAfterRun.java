package dev.cfrun.service.recheck;

import dev.cfrun.client.HostAddress;
import dev.cfrun.recheck.Outcome;
import dev.cfrun.recheck.Recheck;
import dev.cfrun.recheck.Target;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.ingest.MonitorEvent;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * After a run that served Nagios or Icinga 2 triggers, asks that monitoring system to check the host or service
 * again at once ({@link Recheck}: the command pipe, or the Icinga 2 API), so the repair shows as OK within a
 * second instead of at the next retry. Also after a failed run (the monitoring then confirms the problem); not
 * after a dry run. The requests run on one thread of their own with a bounded queue, since
 * {@link #runFinished} is called under the dispatcher's lock; a full queue drops the request with a warning.
 * Each outcome is logged ({@code verify=scheduled} or {@code verify=unavailable} with the reason).
 */
public final class RecheckAfterRun implements ServiceEvents, AutoCloseable {
    /** Re-checks waiting at most; more are dropped (a burst beyond it means the monitoring is stuck anyway). */
    public static final int QUEUE = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(RecheckAfterRun.class);

    /**
     * One re-check done.
     *
     * @param runId   the run it followed
     * @param source  the system asked
     * @param target  what it was asked to check
     * @param outcome scheduled, or unavailable with the reason
     */
    public record Result(long runId, Source source, Target target, Outcome outcome) {
    }

    private final Map<Source, Recheck> systems;
    private final Consumer<Result> report;
    private final ThreadPoolExecutor worker;
    private final Set<Source> missingLogged = ConcurrentHashMap.newKeySet();

    /**
     * @param systems the re-check of each source ({@link Source#NAGIOS}, {@link Source#ICINGA}); a source without
     *                one is not re-checked
     */
    public RecheckAfterRun(Map<Source, Recheck> systems) {
        this(systems, QUEUE, r -> { });
    }

    /**
     * @param systems  as above
     * @param capacity the most re-checks waiting
     * @param report   told of each re-check done, on the re-check thread, after it is logged (tests)
     */
    public RecheckAfterRun(Map<Source, Recheck> systems, int capacity, Consumer<Result> report) {
        this.systems = systems.isEmpty() ? Map.of() : new EnumMap<>(systems);
        this.report = Objects.requireNonNull(report, "report");
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity), r -> {
            Thread t = new Thread(r, "cfrun-recheck");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** @return true when at least one system is configured */
    public boolean configured() {
        return !systems.isEmpty();
    }

    @Override
    public void runFinished(long runId, HostAddress host, List<StoredTrigger> triggers, RunOutcome outcome,
                           Duration took) {
        if ("dry_run".equals(outcome.errorKind())) {
            return;
        }
        Set<Map.Entry<Source, Target>> asked = new LinkedHashSet<>();
        for (StoredTrigger st : triggers) {
            Trigger t = st.trigger();
            if (t.source() != Source.NAGIOS && t.source() != Source.ICINGA) {
                continue;
            }
            Target target = target(t);
            if (target != null) {
                asked.add(Map.entry(t.source(), target)); // merged triggers of one service: one re-check
            }
        }
        for (Map.Entry<Source, Target> a : asked) {
            Recheck r = systems.get(a.getKey());
            if (r == null) {
                if (missingLogged.add(a.getKey())) {
                    LOG.info("no re-check for {} triggers ({} not given): the next scheduled check will see the"
                            + " repair", a.getKey().name().toLowerCase(Locale.ROOT),
                            a.getKey() == Source.NAGIOS ? "--nagios-command-file" : "--icinga-api");
                }
                continue;
            }
            try {
                worker.execute(() -> recheck(runId, a.getKey(), r, a.getValue()));
            } catch (RejectedExecutionException e) {
                LOG.warn("re-check after run {} dropped: {} re-checks already waiting (is the monitoring system"
                        + " answering?) target={}", runId, worker.getQueue().size(), a.getValue());
            }
        }
    }

    private void recheck(long runId, Source source, Recheck r, Target target) {
        Outcome o;
        try {
            o = r.request(target);
        } catch (RuntimeException e) {
            o = Outcome.unavailable("re-check failed: " + e);
        }
        if (o.isScheduled()) {
            LOG.info("re-check after run {}: {} {} verify=scheduled", runId, source.name().toLowerCase(
                    Locale.ROOT), target);
        } else {
            LOG.warn("re-check after run {}: {} {} verify=unavailable verify_reason=\"{}\"", runId,
                    source.name().toLowerCase(Locale.ROOT), target, o.reason());
        }
        report.accept(new Result(runId, source, target, o));
    }

    /** The monitoring names the trigger carries, or null (logged) if they cannot name a check. */
    static Target target(Trigger t) {
        String host = t.labels().get(MonitorEvent.HOST);
        String service = t.labels().getOrDefault(MonitorEvent.SERVICE, "");
        if (host == null || host.isEmpty()) {
            LOG.warn("{} trigger for {} has no monitoring host name: no re-check", t.source(), t.host());
            return null;
        }
        try {
            return new Target(host, service);
        } catch (IllegalArgumentException e) {
            LOG.warn("{} trigger for {}: no re-check: {}", t.source(), t.host(), e.getMessage());
            return null;
        }
    }

    /** Lets the waiting re-checks finish for up to {@code grace}, then stops the thread. */
    public void close(Duration grace) {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} re-checks not done at shutdown", worker.shutdownNow().size());
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #close(Duration)} with 5 seconds (each re-check is bounded by its own timeouts). */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
