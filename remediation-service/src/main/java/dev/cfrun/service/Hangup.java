package dev.cfrun.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the service does on SIGHUP ({@code systemctl reload}, logrotate): reload the rules, reopen the audit log…
 * Each action registered with {@link #onSignal} runs in turn, one signal at a time; an action that throws is
 * logged and the next still runs. Once installed, SIGHUP no longer ends the JVM (its default), even with no
 * action registered.
 */
public final class Hangup {
    private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

    private final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    private Hangup() {
    }

    /**
     * Takes over SIGHUP for this process (it replaces the JVM's handler, so install one per process).
     *
     * @return the handler, with no action yet
     * @throws IllegalArgumentException if the JVM does not let us handle SIGHUP (e.g. started with {@code -Xrs})
     */
    public static Hangup install() {
        Hangup h = new Hangup();
        Signal.handle(new Signal("HUP"), sig -> h.fire());
        return h;
    }

    /**
     * A handler not tied to the signal ({@link #fire()} only), for tests and for callers that take SIGHUP
     * elsewhere.
     *
     * @return the handler
     */
    public static Hangup unattached() {
        return new Hangup();
    }

    /**
     * Adds an action to run on each SIGHUP, after those added before.
     *
     * @param action quick or not: it runs on the signal's own thread, never on a request's
     * @return this
     */
    public Hangup onSignal(Runnable action) {
        actions.add(java.util.Objects.requireNonNull(action, "action"));
        return this;
    }

    /** Runs every action, in order, as on a SIGHUP; never throws. */
    public void fire() {
        synchronized (lock) {
            LOG.info("SIGHUP: {} action(s)", actions.size());
            for (Runnable r : actions) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.error("SIGHUP action failed: {}", e.toString());
                }
            }
        }
    }
}
