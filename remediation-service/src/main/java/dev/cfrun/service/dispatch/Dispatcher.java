package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.events.Suppression;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.Store;
import dev.cfrun.service.store.StoredTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Turns the {@link Store}'s queue into agent runs, one host at a time. Each pass ({@link #dispatch()}) goes
 * through the hosts with queued triggers, the host with the oldest one first, and, per host:
 * <ul>
 *   <li>a host with a run going on is left alone: its queued triggers wait and become <b>one</b> follow-up run
 *       when the run ends (the union of their classes and bundles), never one run each;</li>
 *   <li>otherwise each trigger is checked against the cooldown of its host and cooldown key (the trigger's own
 *       cooldown if it has one, else the policy's), then against the cap
 *       on hosts per alert group; those that pass make one run if the global rate limit has room. Held-back
 *       triggers are {@linkplain Store#suppress suppressed} with the reason, never dropped silently.</li>
 * </ul>
 * At most {@link DispatchPolicy#parallelism()} runs go on at once, on the worker pool. When a run ends its
 * outcome is recorded and the cooldowns of its triggers' keys start. In dry-run mode a run is recorded with the
 * error kind {@code dry_run} and nothing is executed. {@link #pause()} stops starting runs; the queue keeps
 * growing. Time comes from the injected {@link Clock} only.
 * <p>
 * Either call {@link #start()} (recovery, then a loop thread that dispatches on {@link #wakeUp()} and every
 * {@link DispatchPolicy#pollInterval()}), or drive it by hand with {@link #recover()} and {@link #dispatch()}
 * (tests). Thread-safe.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** How often a pass forgets {@link PendingHosts} and reads the whole queue again (a safety net). */
    private static final Duration RESYNC = Duration.ofMinutes(1);
    /** Most batches one pass reads of what is new; the rest waits for the next pass. */
    private static final int MAX_READS_PER_PASS = 100;

    private final Store store;
    private final RunExecutor runner;
    private final Clock clock;
    private final DispatchPolicy policy;
    private final Executor workers;
    private final ExecutorService ownedPool;
    private final RateLimit rate;
    private final BlastRadius blast;
    private final DispatchLoop loop;
    private final ServiceEvents events;
    private final Object lock = new Object();
    private final Map<HostAddress, RunPlan> running = new HashMap<>();
    private final Counters counters = new Counters();
    private final PendingHosts pending = new PendingHosts();
    private volatile boolean paused;
    private boolean seededBlast;
    private boolean closed;
    private boolean started;
    private Instant lastExpiry;
    private Instant lastResync;

    private Dispatcher(Store store, RunExecutor runner, Clock clock, DispatchPolicy policy, Executor workers,
                       ServiceEvents events) {
        this.store = Objects.requireNonNull(store, "store");
        this.events = Objects.requireNonNull(events, "events");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ownedPool = workers == null ? DispatchLoop.workerPool(policy.parallelism()) : null;
        this.workers = workers == null ? ownedPool : workers;
        this.loop = new DispatchLoop(this::dispatch, policy.pollInterval());
        this.rate = new RateLimit(policy.runsPerMinute());
        this.blast = new BlastRadius(policy.maxHostsPerGroup(), policy.groupWindow());
    }

    /**
     * A dispatcher with its own worker pool of {@link DispatchPolicy#parallelism()} threads.
     *
     * @param store  where the queue is and where decisions and runs are recorded
     * @param runner carries out the runs
     * @param clock  the only source of time (cooldowns, rate limit, records)
     * @param policy the limits
     * @return a dispatcher, not started
     */
    public static Dispatcher create(Store store, RunExecutor runner, Clock clock, DispatchPolicy policy) {
        return builder(store, runner).clock(clock).policy(policy).build();
    }

    /**
     * A dispatcher whose runs are handed to {@code workers} (tests: an executor that runs tasks when told).
     *
     * @param store   where the queue is and where decisions and runs are recorded
     * @param runner  carries out the runs
     * @param clock   the only source of time
     * @param policy  the limits ({@link DispatchPolicy#parallelism()} still bounds the runs going on)
     * @param workers executes one task per run
     * @return a dispatcher, not started
     */
    public static Dispatcher create(Store store, RunExecutor runner, Clock clock, DispatchPolicy policy,
                                    Executor workers) {
        return builder(store, runner).clock(clock).policy(policy).workers(workers).build();
    }

    /**
     * A builder: the clock defaults to UTC system time, the policy to {@link DispatchPolicy#defaults()}, the
     * workers to an own pool of {@link DispatchPolicy#parallelism()} threads, the listener to
     * {@link ServiceEvents#NONE}.
     *
     * @param store  where the queue is and where decisions and runs are recorded
     * @param runner carries out the runs
     * @return a builder
     */
    public static Builder builder(Store store, RunExecutor runner) {
        return new Builder(Objects.requireNonNull(store, "store"), Objects.requireNonNull(runner, "runner"));
    }

    /** Configures a {@link Dispatcher}; not thread-safe, the dispatcher it builds is. */
    public static final class Builder {
        private final Store store;
        private final RunExecutor runner;
        private Clock clock = Clock.systemUTC();
        private DispatchPolicy policy = DispatchPolicy.defaults();
        private Executor workers;
        private ServiceEvents events = ServiceEvents.NONE;

        private Builder(Store store, RunExecutor runner) {
            this.store = store;
            this.runner = runner;
        }

        /**
         * @param c the only source of time (cooldowns, rate limit, records)
         * @return this builder
         */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * @param p the limits
         * @return this builder
         */
        public Builder policy(DispatchPolicy p) {
            this.policy = Objects.requireNonNull(p, "policy");
            return this;
        }

        /**
         * @param w executes one task per run (tests: an executor that runs tasks when told);
         *          {@link DispatchPolicy#parallelism()} still bounds the runs going on
         * @return this builder
         */
        public Builder workers(Executor w) {
            this.workers = Objects.requireNonNull(w, "workers");
            return this;
        }

        /**
         * @param e told of every suppression, run start and run end (audit log, metrics, re-checks)
         * @return this builder
         */
        public Builder events(ServiceEvents e) {
            this.events = Objects.requireNonNull(e, "events");
            return this;
        }

        /** @return a dispatcher, not started */
        public Dispatcher build() {
            return new Dispatcher(store, runner, clock, policy, workers, events);
        }
    }

    /**
     * Recovers after a restart, then starts the loop thread.
     *
     * @throws IllegalStateException if started before or closed
     */
    public void start() {
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "dispatcher closed" : "dispatcher already started");
            }
            started = true;
            recover();
            loop.start();
        }
    }

    /**
     * What a restart needs, before any run starts: each run that was started but never finished (the process
     * died) has its triggers queued again, once; a run that was itself such a retry is recorded as
     * {@code interrupted} instead, so a run that kills the service cannot loop. Queued triggers then run once
     * through the normal passes. The rate limit's window is refilled from the runs of the last minute, the blast
     * radius counts the hosts that ran for each alert group within its window again (once), and a pause
     * stored before the restart is in force again. Runs going on in this process are left alone, so a second call
     * does no harm.
     *
     * @return how many runs were requeued
     */
    public int recover() {
        synchronized (lock) {
            Instant now = clock.instant();
            Set<Long> live = new HashSet<>();
            running.values().forEach(p -> live.add(p.runId()));
            int requeued = Recovery.requeueUnfinished(store, now, live);
            pending.reset(); // the requeued triggers have old ids: the next pass reads the queue from the start
            Recovery.seed(store, rate, policy.runsPerMinute(), now);
            if (policy.maxHostsPerGroup() > 0 && !seededBlast) {
                Recovery.seedBlastRadius(store, blast, policy.groupWindow(), now);
                seededBlast = true;
            }
            counters.requeued += requeued;
            if (store.paused()) {
                paused = true;
                LOG.warn("dispatch is paused (kept from before the restart): triggers are queued, no run starts until"
                        + " POST /v1/resume");
            }
            return requeued;
        }
    }

    /**
     * One pass over the queue (see the class comment): decides and starts what may start now. A pass reads only
     * the triggers queued since the last one (to learn which hosts have some), then, for the hosts that may run,
     * oldest trigger first, that host's queued triggers: the queued triggers of busy hosts are not read again
     * and again while they wait.
     *
     * @return how many runs were started (dry runs included)
     */
    public int dispatch() {
        synchronized (lock) {
            if (closed) {
                return 0;
            }
            Instant now = clock.instant();
            expireDedupeKeys(now);
            if (paused) {
                return 0;
            }
            blast.expire(now);
            try {
                return pass(now);
            } catch (RuntimeException e) {
                pending.reset(); // the next pass reads the whole queue again: no queued trigger is forgotten
                throw e;
            }
        }
    }

    /** The pass itself; holds the lock. */
    private int pass(Instant now) {
        if (lastResync == null || !now.isBefore(lastResync.plus(RESYNC))) {
            lastResync = now;
            pending.reset();
        }
        readNew();
        int started = 0;
        for (HostAddress host : pending.inOrder()) {
            if (running.size() >= policy.parallelism()) {
                break;
            }
            if (running.containsKey(host)) {
                continue; // its triggers wait for the end of its run, unread, and then make one follow-up run
            }
            List<StoredTrigger> queued = store.queuedFor(host, policy.queueBatch());
            if (queued.isEmpty()) {
                pending.taken(host);
                continue;
            }
            if (startRun(host, queued, now)) {
                started++;
            }
            if (queued.size() < policy.queueBatch()) {
                pending.taken(host);
            } else {
                List<StoredTrigger> more = store.queuedFor(host, 1);
                if (more.isEmpty()) {
                    pending.taken(host);
                } else {
                    pending.stillQueued(host, more.get(0).id());
                }
            }
        }
        return started;
    }

    /**
     * Reads the triggers queued since the last read (in batches of {@link DispatchPolicy#queueBatch()}, each
     * its own short transaction) and lists their hosts; a trigger without a host is suppressed here.
     */
    private void readNew() {
        for (int round = 0; round < MAX_READS_PER_PASS; round++) {
            List<StoredTrigger> batch = store.queuedAfter(pending.cursor(), policy.queueBatch());
            for (StoredTrigger st : batch) {
                pending.read(st.id(), st.trigger().host());
                if (st.trigger().host() == null) {
                    counters.invalid++;
                    store.suppress(st.id(), "invalid trigger: no host");
                    events.suppressed(st, Suppression.INVALID, "invalid trigger: no host");
                }
            }
            if (batch.size() < policy.queueBatch()) {
                return;
            }
        }
    }

    /** Decides on an idle host's queued triggers; true if a run started. Holds the lock. */
    private boolean startRun(HostAddress host, List<StoredTrigger> queued, Instant now) {
        List<StoredTrigger> go = new ArrayList<>();
        for (StoredTrigger st : queued) {
            Refusal why = refusal(host, st, now);
            if (why != null) {
                store.suppress(st.id(), why.reason());
                events.suppressed(st, why.kind(), why.reason());
            } else {
                go.add(st);
            }
        }
        if (go.isEmpty()) {
            return false;
        }
        if (!rate.tryAcquire(now)) {
            counters.rateLimited += go.size();
            for (StoredTrigger st : go) {
                store.suppress(st.id(), rate.reason());
                events.suppressed(st, Suppression.RATE_LIMIT, rate.reason());
            }
            return false;
        }
        RunPlan plan = RunPlan.of(host, go);
        for (StoredTrigger st : go) {
            blast.record(st.trigger().group(), host, now);
        }
        long runId = store.startRun(host, plan.triggerIds(), plan.classes(), plan.bundles(), now);
        RunPlan started = plan.withRunId(runId, now);
        events.runStarted(runId, host, plan.triggers(), plan.classes(), plan.bundles(), policy.dryRun());
        counters.runsStarted++;
        counters.triggersMerged += go.size() - 1;
        LOG.info("run {} on {}: classes {} bundles {} ({} trigger(s), the first received {}{})", runId, host,
                plan.classes(), plan.bundles(), go.size(), plan.earliest(), policy.dryRun() ? ", dry run" : "");
        if (policy.dryRun()) {
            finish(started, new RunOutcome(now, OptionalInt.empty(), "dry_run",
                    "dry run: would run classes " + plan.classes() + " bundles " + plan.bundles() + " on " + host,
                    List.of()));
            return true;
        }
        running.put(host, started);
        try {
            workers.execute(() -> execute(started));
        } catch (RejectedExecutionException e) {
            running.remove(host);
            LOG.warn("run {} on {} not started: the worker pool is shut down; it runs after a restart", runId, host);
        }
        return true;
    }

    /** Why a trigger may not run. */
    private record Refusal(Suppression kind, String reason) {}

    /** Why a trigger of an idle host may not run now, or null; counts the refusal. */
    private Refusal refusal(HostAddress host, StoredTrigger st, Instant now) {
        String key = st.trigger().cooldownKey();
        if (key != null && !RunPlan.cooldownOf(st.trigger(), policy.cooldown()).isZero()) {
            Optional<Instant> until = store.cooldownUntil(host, key);
            if (until.isPresent() && until.get().isAfter(now)) {
                counters.cooldown++;
                return new Refusal(Suppression.COOLDOWN, "cooldown until " + until.get());
            }
        }
        String why = blast.refusal(st.trigger().group(), host, now);
        if (why != null) {
            counters.blastRadius++;
            return new Refusal(Suppression.BLAST_RADIUS, why);
        }
        return null;
    }

    /** On a worker thread: the run itself, then its record. */
    private void execute(RunPlan plan) {
        RunOutcome outcome;
        try {
            outcome = runner.execute(plan.host(), plan.classes(), plan.bundles());
            if (outcome == null) {
                outcome = new RunOutcome(clock.instant(), OptionalInt.empty(), "internal", "no outcome", List.of());
            }
        } catch (RuntimeException e) {
            LOG.error("run {} on {} failed inside the service", plan.runId(), plan.host(), e);
            outcome = new RunOutcome(clock.instant(), OptionalInt.empty(), "internal", String.valueOf(e), List.of());
        }
        synchronized (lock) {
            try {
                finish(plan, outcome);
            } finally {
                running.remove(plan.host());
            }
        }
        wakeUp();
    }

    /**
     * Records the outcome (the end time from our clock) and starts the cooldowns: per key, the longest of its
     * triggers' cooldowns (each trigger's own, else the policy's). Holds the lock.
     */
    private void finish(RunPlan plan, RunOutcome o) {
        Instant end = clock.instant();
        OptionalInt exit = o.exitCode() == null ? OptionalInt.empty() : o.exitCode();
        RunOutcome recorded = new RunOutcome(end, exit, o.errorKind(), o.message(),
                o.output() == null ? List.of() : o.output());
        store.finishRun(plan.runId(), recorded);
        counters.runsFinished++;
        plan.cooldowns(policy.cooldown()).forEach((key, d) -> {
            if (!d.isZero()) {
                store.setCooldown(plan.host(), key, end.plus(d));
            }
        });
        LOG.info("run {} on {} ended: exit {} {}", plan.runId(), plan.host(),
                exit.isPresent() ? exit.getAsInt() : "-", o.errorKind() == null ? "" : o.errorKind());
        Duration took = plan.startedAt() == null || end.isBefore(plan.startedAt()) ? Duration.ZERO
                : Duration.between(plan.startedAt(), end);
        events.runFinished(plan.runId(), plan.host(), plan.triggers(), recorded, took);
    }

    private void expireDedupeKeys(Instant now) {
        if (lastExpiry == null || !now.isBefore(lastExpiry.plusSeconds(60))) {
            lastExpiry = now;
            LOG.debug("forgot {} dedupe keys", store.expireDedupeKeys(now.minus(policy.dedupeRetention())));
        }
    }

    /**
     * Stops starting runs; triggers are still accepted and queued, runs going on finish. The pause is kept in the
     * store, so a restarted service stays paused until {@link #resume()}. It takes effect before it is stored:
     * if storing fails (the exception is thrown), this process is paused all the same.
     */
    public void pause() {
        paused = true;
        store.setPaused(true);
        LOG.info("dispatch paused");
    }

    /** Starts runs again, beginning with what queued up during the pause; stored as {@link #pause()} is. */
    public void resume() {
        store.setPaused(false);
        paused = false;
        LOG.info("dispatch resumed");
        wakeUp();
    }

    /**
     * Whether dispatching is paused.
     *
     * @return true between {@link #pause()} and {@link #resume()}
     */
    public boolean paused() {
        return paused;
    }

    /** Asks the loop for a pass now (the ingress calls this after accepting triggers). */
    public void wakeUp() {
        loop.wakeUp();
    }

    /**
     * The counters, as one consistent snapshot.
     *
     * @return the counters since this dispatcher was built
     */
    public DispatchStats stats() {
        synchronized (lock) {
            return counters.snapshot(running.size(), paused);
        }
    }

    /**
     * Stops the loop and the worker pool it owns, waiting up to 10 seconds for runs going on; a run still going
     * on then is left unfinished in the store and runs again after a restart.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        loop.stop();
        if (ownedPool != null) {
            ownedPool.shutdown();
            try {
                ownedPool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
