package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The service's memory: accepted triggers, runs and their outcome, cooldowns and dedupe keys.
 *
 * <p>Every method is one short transaction and safe to call from several threads. Instants are kept to the
 * microsecond. A call that does not fit the state (a trigger that is not QUEUED, a run that already ended, an
 * unknown id) throws {@link IllegalStateException} or {@link IllegalArgumentException} and changes nothing;
 * a storage failure throws {@link StoreException}.
 */
public interface Store extends AutoCloseable {
    /**
     * Records the trigger as QUEUED unless its dedupe key was accepted before (then it is a duplicate and
     * nothing is stored). One transaction.
     *
     * @param t the trigger
     * @return the trigger id (new, or the earlier one for a duplicate)
     */
    Accepted accept(Trigger t);

    /**
     * Records the triggers of one delivery as {@link #accept} would one after the other, in <b>one</b>
     * transaction: all are stored or none (a failure stores nothing). Dedupe is the same as {@link #accept}'s,
     * within the list too: a trigger whose key came earlier in the list is a duplicate of that earlier one.
     *
     * @param ts the triggers, in the order they came
     * @return one answer per trigger, in the same order
     */
    List<Accepted> acceptAll(List<Trigger> ts);

    /**
     * QUEUED triggers, oldest (first accepted) first.
     *
     * @param limit at most this many, at least 1
     * @return the triggers
     */
    default List<StoredTrigger> queued(int limit) {
        return queuedAfter(0, limit);
    }

    /**
     * QUEUED triggers with an id above {@code afterId}, oldest first: the dispatcher's incremental read of what
     * came in since its last one. A store gives ids that grow in the order its transactions commit, so a reader
     * that remembers the highest id it saw misses no trigger accepted later (triggers queued again by
     * {@link #requeueUnfinished} keep their old ids: a reader starts from 0 after that).
     *
     * @param afterId only ids above this one (0: all)
     * @param limit   at most this many, at least 1
     * @return the triggers
     */
    List<StoredTrigger> queuedAfter(long afterId, int limit);

    /**
     * The QUEUED triggers of one host (host and port), oldest first: what one run of it would serve.
     *
     * @param host  the host
     * @param limit at most this many, at least 1
     * @return the triggers
     */
    List<StoredTrigger> queuedFor(HostAddress host, int limit);

    /**
     * How many triggers are QUEUED (waiting for a run or a decision): the metric {@code cfrun_service_queue_depth}.
     *
     * @return the count, 0 or more
     */
    long queueDepth();

    /**
     * Starts a run for these QUEUED triggers of one host: they become RUNNING, linked to the run.
     *
     * @param host       the host; every trigger must be for it
     * @param triggerIds the triggers the run serves, at least one
     * @param classes    the classes to define
     * @param bundles    the bundles to run
     * @param at         the start
     * @return the run id
     */
    long startRun(HostAddress host, List<Long> triggerIds, List<String> classes, List<String> bundles, Instant at);

    /**
     * Ends a run: its triggers become DONE. The output is kept up to {@link Bounds#MAX_OUTPUT_LINES} lines and
     * {@link Bounds#MAX_OUTPUT_BYTES} bytes (a last line says what was cut).
     *
     * @param runId   a run that has not ended
     * @param outcome how it ended
     */
    void finishRun(long runId, RunOutcome outcome);

    /**
     * A QUEUED trigger decided not to run (cooldown, rate limit, blast radius, paused and dry-run...):
     * it becomes SUPPRESSED and keeps the reason (up to {@link Bounds#MAX_TEXT} characters).
     *
     * @param triggerId the trigger
     * @param reason    why
     */
    void suppress(long triggerId, String reason);

    /**
     * Where a trigger is.
     *
     * @param triggerId the trigger
     * @return its status, or empty for an unknown id
     */
    Optional<TriggerStatus> triggerStatus(long triggerId);

    /**
     * One run.
     *
     * @param runId the run
     * @return the run, or empty for an unknown id
     */
    Optional<RunRecord> run(long runId);

    /**
     * The latest runs, newest first.
     *
     * @param host  only the runs on this host name (any port), or all
     * @param limit at most this many, at least 1
     * @return the runs
     */
    default List<RunRecord> recentRuns(Optional<String> host, int limit) {
        return recentRuns(host, OptionalInt.empty(), limit);
    }

    /**
     * The latest runs, newest first.
     *
     * @param host  only the runs on this host name, or all
     * @param port  with a host: only the runs on this port of it; empty: any port
     * @param limit at most this many, at least 1
     * @return the runs
     */
    List<RunRecord> recentRuns(Optional<String> host, OptionalInt port, int limit);

    /**
     * The alert groups of the runs started at or after {@code since}, with their hosts, oldest first: the
     * dispatcher's blast radius counts them again after a restart.
     *
     * @param since the start of the window
     * @param limit at most this many, at least 1
     * @return one entry per run and group of its triggers (triggers without a group are left out)
     */
    List<GroupRun> groupRunsSince(Instant since, int limit);

    /**
     * Whether dispatching is paused (the kill switch), as last set; false in a new store.
     *
     * @return the stored state
     */
    boolean paused();

    /**
     * Records the kill switch, so that a restarted service keeps it.
     *
     * @param paused true: paused
     */
    void setPaused(boolean paused);

    /**
     * Runs started but not finished (the process died during them), oldest first: the dispatcher runs them once
     * more with {@link #requeueUnfinished}.
     *
     * @return the runs
     */
    List<RunRecord> unfinishedRuns();

    /**
     * Marks an unfinished run as interrupted (it ends with error kind {@link Bounds#INTERRUPTED}); its triggers
     * become QUEUED again, flagged retried_after_restart, so the run that serves them next says
     * {@link RunRecord#retriedAfterRestart()}.
     *
     * @param runId a run that has not ended
     */
    void requeueUnfinished(long runId);

    /**
     * The end of the cooldown of this key on this host, as last set (it may lie in the past).
     *
     * @param host        the host
     * @param cooldownKey the key
     * @return the end, or empty if none was set
     */
    Optional<Instant> cooldownUntil(HostAddress host, String cooldownKey);

    /**
     * Sets (replaces) the end of the cooldown of this key on this host.
     *
     * @param host        the host
     * @param cooldownKey the key
     * @param until       the end
     */
    void setCooldown(HostAddress host, String cooldownKey, Instant until);

    /**
     * Forgets the dedupe keys of triggers received before this instant (bounded growth); a trigger with such a
     * key is accepted again afterwards.
     *
     * @param before the limit
     * @return how many keys were forgotten
     */
    int expireDedupeKeys(Instant before);

    /** Releases the store; further calls fail. */
    @Override
    void close();
}
