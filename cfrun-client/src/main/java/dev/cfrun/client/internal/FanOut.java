package dev.cfrun.client.internal;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.HostOutcome;
import dev.cfrun.client.RunCancelledException;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Many hosts with at most {@code parallelism} runs at once: one small daemon thread per concurrent run (no
 * forking), each taking the next request until none is left. One host's failure never stops the others.
 */
public final class FanOut {
    private static final Logger log = LoggerFactory.getLogger(FanOut.class);
    private static final long STACK_BYTES = 512 * 1024;

    private FanOut() {
    }

    /** See {@link dev.cfrun.client.CfRunClient#runAll}. */
    public static List<HostOutcome> runAll(ClientContext ctx, List<RunRequest> requests, int parallelism,
                                           Consumer<HostOutcome> onEach) throws InterruptedException {
        int n = requests.size();
        HostOutcome[] outcomes = new HostOutcome[n];
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                HostOutcome o = runOne(ctx, i, requests.get(i));
                outcomes[i] = o;
                if (onEach != null) {
                    try {
                        onEach.accept(o);
                    } catch (RuntimeException e) {
                        log.warn("fan-out callback failed for {}: {}", o.request().host(), e.toString());
                    }
                }
            }
        };
        int threads = Math.min(parallelism, n);
        List<Thread> pool = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(null, worker, "cfrun-run-" + t, STACK_BYTES);
            th.setDaemon(true);
            pool.add(th);
            th.start();
        }
        try {
            for (Thread th : pool) {
                th.join();
            }
        } catch (InterruptedException e) {
            next.set(n); // start nothing more
            ctx.connections().abortAll();
            throw e;
        }
        return Arrays.asList(outcomes);
    }

    private static HostOutcome runOne(ClientContext ctx, int i, RunRequest req) {
        long t0 = System.nanoTime();
        try {
            if (ctx.connections().isClosed()) {
                return failed(i, req, t0, new RunCancelledException("run on " + req.host() + " not started: client closed",
                        List.of()));
            }
            RunResult r = RunAttempt.run(ctx, req);
            return new HostOutcome(i, req, Optional.of(r), Optional.empty(), Duration.ofNanos(System.nanoTime() - t0));
        } catch (CfRunException e) {
            return failed(i, req, t0, e);
        } catch (RuntimeException e) {
            log.error("internal error on {}", req.host(), e);
            return failed(i, req, t0, new CfRunException(ErrorKind.PROTOCOL, "internal error on " + req.host() + ": " + e, e));
        }
    }

    private static HostOutcome failed(int i, RunRequest req, long t0, CfRunException e) {
        return new HostOutcome(i, req, Optional.empty(), Optional.of(e), Duration.ofNanos(System.nanoTime() - t0));
    }
}
