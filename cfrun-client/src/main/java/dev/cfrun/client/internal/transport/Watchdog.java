package dev.cfrun.client.internal.transport;

import dev.cfrun.client.RunTimeoutException.Phase;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Enforces hard deadlines by closing the socket when one passes. Socket read timeouts alone cannot:
 * a peer that sends one byte just before each timeout would stretch a handshake forever. One watchdog
 * (one daemon thread) serves every connection of a client; it holds no global state.
 */
public final class Watchdog implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    public Watchdog() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "cfrun-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** A guard for one connection. */
    public Guard guard(Closeable target) {
        return new Guard(target);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Closes its target when the armed deadline passes, and remembers which deadline that was. */
    public final class Guard {
        private final Closeable target;
        private ScheduledFuture<?> task;
        private volatile Phase firedPhase;
        private volatile Duration firedLimit;

        private Guard(Closeable target) {
            this.target = target;
        }

        /** Arms (or re-arms) the guard: at {@code deadlineNanos} the target is closed. */
        public synchronized void arm(Phase phase, Duration limit, long deadlineNanos) {
            disarm();
            if (deadlineNanos == Long.MAX_VALUE) {
                return;
            }
            long delay = Math.max(0, deadlineNanos - System.nanoTime());
            task = timer.schedule(() -> fire(phase, limit), delay, TimeUnit.NANOSECONDS);
        }

        public synchronized void disarm() {
            if (task != null) {
                task.cancel(false);
                task = null;
            }
        }

        /** The deadline that closed the connection, or null. */
        public Phase firedPhase() {
            return firedPhase;
        }

        public Duration firedLimit() {
            return firedLimit;
        }

        private void fire(Phase phase, Duration limit) {
            firedLimit = limit;
            firedPhase = phase;
            try {
                target.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }
    }
}
