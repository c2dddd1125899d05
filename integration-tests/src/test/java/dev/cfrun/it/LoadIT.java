package dev.cfrun.it;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostOutcome;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load: 1,000 runs, 100 at a time, against one real cf-serverd answering all of 127.0.0.0/8 (each run
 * to its own 127.0.x.y address). Every run's lines must arrive complete and in order; afterwards file
 * descriptors and threads are back where they were and the heap stayed small. Prints its figures.
 */
class LoadIT {
    static final int RUNS = 1000;
    static final int PARALLEL = 100;
    static final int LINES = 20;

    @TempDir
    Path tmp;

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** CPU time of this whole JVM (all threads), ns. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @Test
    void thousandRunsHundredAtATime() throws Exception {
        String cmd = "/usr/bin/seq -f line-%g 1 " + LINES;
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).bindAll().cfruncommand(cmd).start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            List<RunRequest> requests = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                requests.add(RunRequest.builder("127.0." + (1 + i / 250) + "." + (1 + i % 250) + ":" + server.port()).build());
            }
            System.gc();
            long fdsBefore = openFds();
            int threadsBefore = Thread.activeCount();
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            List<HostOutcome> outcomes;
            long peakHeap = 0;
            Timeouts t = Timeouts.builder().connect(Duration.ofSeconds(20)).handshake(Duration.ofSeconds(30))
                    .idle(Duration.ofSeconds(30)).build();
            try (CfRunClient c = client.clientBuilder(Protocol.TLS).timeouts(t).build()) {
                long[] peak = {0};
                java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
                outcomes = c.runAll(requests, PARALLEL, o -> {
                    if (done.incrementAndGet() % 100 == 0) { // live heap: what is left after a collection
                        System.gc();
                        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                        synchronized (peak) {
                            peak[0] = Math.max(peak[0], used);
                        }
                    }
                });
                peakHeap = peak[0];
            }
            long cpuNanos = processCpuNanos() - cpu0;
            long wallNanos = System.nanoTime() - t0;
            long wallMs = wallNanos / 1_000_000;
            int failed = 0;
            for (HostOutcome o : outcomes) {
                if (o.result().isEmpty()) {
                    failed++;
                    continue;
                }
                List<String> lines = o.result().get().outputLines();
                for (int i = 0; i < LINES; i++) {
                    assertEquals("line-" + (i + 1), lines.get(i), "run " + o.index() + " lost or reordered a line");
                }
                assertEquals(LINES, lines.size());
                assertEquals(0, o.exitCode().orElseThrow());
            }
            assertEquals(0, failed, outcomes.stream().filter(o -> o.error().isPresent()).limit(5)
                    .map(o -> o.error().get().getMessage()).toList().toString());
            // resources back to where they were (threads end asynchronously: give them a moment)
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((Thread.activeCount() > threadsBefore || openFds() > fdsBefore) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long fdsAfter = openFds();
            int threadsAfter = Thread.activeCount();
            int cores = Runtime.getRuntime().availableProcessors();
            String figures = String.format("LOAD %d runs x %d lines, %d at a time: wall %.1f s (%.0f runs/s),"
                            + " CPU %.1f s (%d cores), peak live heap %d MB, fds %d -> %d, threads %d -> %d",
                    RUNS, LINES, PARALLEL, wallMs / 1000.0, RUNS * 1000.0 / wallMs, cpuNanos / 1e9, cores,
                    peakHeap >> 20, fdsBefore, fdsAfter, threadsBefore, threadsAfter);
            System.out.println(figures);
            System.err.println(figures);
            Files.writeString(Path.of("target", "load-figures.txt"), figures + "\n");
            assertTrue(fdsAfter <= fdsBefore, figures);
            assertTrue(threadsAfter <= threadsBefore, figures);
            assertTrue(peakHeap < 128L << 20, figures);
            // 1,000 handshakes cost CPU; the process cannot use more than its cores for the time it ran
            // (plus the clock's granularity, 10 ms)
            assertTrue(cpuNanos > 0, "no CPU time measured: " + figures);
            assertTrue(cpuNanos <= wallNanos * cores + 10_000_000L, "CPU time above wall x cores: " + figures);
        }
    }
}
