package dev.cfrun.service.dispatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread that calls a pass on every {@link #wakeUp()} and at least every poll interval; wake-ups that arrive
 * during a pass fold into one more pass. Also makes the worker pool a {@link Dispatcher} owns.
 */
final class DispatchLoop {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchLoop.class);
    private final Semaphore wake = new Semaphore(0);
    private final Runnable pass;
    private final Duration poll;
    private Thread thread;

    DispatchLoop(Runnable pass, Duration poll) {
        this.pass = pass;
        this.poll = poll;
    }

    /** A fixed pool of daemon threads named {@code cfrun-run-N}. */
    static ExecutorService workerPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cfrun-run-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("dispatcher already started");
        }
        thread = new Thread(this::run, "cfrun-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    void wakeUp() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    /** Stops the thread (a pass going on completes first), waiting up to five seconds. */
    void stop() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                wake.tryAcquire(poll.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                pass.run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("dispatch pass failed; trying again at the next one", e);
            }
        }
    }
}
