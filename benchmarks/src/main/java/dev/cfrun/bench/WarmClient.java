package dev.cfrun.bench;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.OutputListener;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.Timeouts;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process side of the benchmark: one long-lived JVM with one client per protocol (as a service
 * using the library would have), driven line by line on stdin so that the harness can alternate its hails
 * with whole cf-runagent processes.
 * <ul>
 *   <li>{@code hail HOST:PORT tls|classic} → {@code ok NANOS EXIT}: one run, timed around {@code client.run};</li>
 *   <li>{@code burst HOST:PORT tls|classic SECONDS THREADS} → {@code burst RUNS NANOS}: back-to-back runs;</li>
 *   <li>{@code stream HOST:PORT LINES} → {@code stream LINES NANOS LIVE_BEFORE PEAK_LIVE GCS}: one run with
 *       {@code retainOutput(false)} and a counting listener, the largest live set (heap used after a collection) during it;</li>
 *   <li>{@code fanout HOSTSFILE PARALLELISM} → {@code fanout OK NANOS CPU_NANOS}: one TLS fan-out to the
 *       {@code host:port} lines of the file, with the process CPU time it took (how much a warm JVM spends per host);</li>
 *   <li>{@code quit}.</li>
 * </ul>
 */
public final class WarmClient {
    private WarmClient() {
    }

    public static void main(String[] args) throws Exception {
        Path workdir = Path.of(args[0]);
        Map<Protocol, CfRunClient> clients = new EnumMap<>(Protocol.class);
        Timeouts t = Timeouts.builder().connect(Duration.ofSeconds(10)).handshake(Duration.ofSeconds(10))
                .idle(Duration.ofSeconds(120)).build();
        for (Protocol p : new Protocol[] {Protocol.TLS, Protocol.CLASSIC}) {
            clients.put(p, CfRunClient.builder().workdir(workdir).protocol(p).timeouts(t).build());
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] w = line.trim().split(" ");
            switch (w[0]) {
                case "hail" -> {
                    CfRunClient c = clients.get(protocol(w[2]));
                    RunRequest req = RunRequest.builder(HostAddress.parse(w[1])).build();
                    long t0 = System.nanoTime();
                    RunResult r = c.run(req);
                    long ns = System.nanoTime() - t0;
                    out.println("ok " + ns + " " + r.exitCode().orElse(255));
                }
                case "burst" -> {
                    CfRunClient c = clients.get(protocol(w[2]));
                    HostAddress h = HostAddress.parse(w[1]);
                    long until = System.nanoTime() + (long) (Double.parseDouble(w[3]) * 1e9);
                    int threads = Integer.parseInt(w[4]);
                    AtomicLong runs = new AtomicLong();
                    long t0 = System.nanoTime();
                    Thread[] pool = new Thread[threads];
                    for (int i = 0; i < threads; i++) {
                        pool[i] = new Thread(() -> {
                            RunRequest req = RunRequest.builder(h).build();
                            while (System.nanoTime() < until) {
                                try {
                                    c.run(req);
                                    runs.incrementAndGet();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        });
                        pool[i].start();
                    }
                    for (Thread th : pool) {
                        th.join();
                    }
                    out.println("burst " + runs.get() + " " + (System.nanoTime() - t0));
                }
                case "stream" -> stream(clients.get(Protocol.TLS), w[1], out);
                case "fanout" -> {
                    List<RunRequest> reqs = new java.util.ArrayList<>();
                    for (String h : java.nio.file.Files.readAllLines(Path.of(w[1]))) {
                        if (!h.isBlank() && !h.startsWith("#")) {
                            reqs.add(RunRequest.builder(HostAddress.parse(h.trim())).build());
                        }
                    }
                    com.sun.management.OperatingSystemMXBean os =
                            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    long cpu0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    long ok = clients.get(Protocol.TLS).runAll(reqs, Integer.parseInt(w[2]), null).stream()
                            .filter(o -> o.result().map(RunResult::succeeded).orElse(false)).count();
                    out.println("fanout " + ok + " " + (System.nanoTime() - t0) + " " + (os.getProcessCpuTime() - cpu0));
                }
                case "quit" -> {
                    clients.values().forEach(CfRunClient::close);
                    return;
                }
                default -> out.println("error unknown command " + w[0]);
            }
        }
    }

    /**
     * One run streamed to a counting listener; reports the largest live set seen during it (heap used right
     * after each collection, from the GC notifications) and how many collections there were.
     */
    private static void stream(CfRunClient c, String host, PrintStream out) throws Exception {
        AtomicLong lines = new AtomicLong();
        OutputListener count = (h, a, l) -> lines.incrementAndGet();
        RunRequest req = RunRequest.builder(HostAddress.parse(host)).retainOutput(false).listener(count)
                .maxOutputLines(Long.MAX_VALUE).build();
        AtomicLong peakLive = new AtomicLong();
        AtomicLong gcs = new AtomicLong();
        NotificationListener onGc = (n, handback) -> {
            if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
                long used = info.getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
                peakLive.accumulateAndGet(used, Math::max);
                gcs.incrementAndGet();
            }
        };
        List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        for (GarbageCollectorMXBean gc : collectors) {
            ((NotificationEmitter) gc).addNotificationListener(onGc, null, null);
        }
        System.gc();
        Thread.sleep(100); // the notification of that collection is delivered on another thread
        long before = peakLive.getAndSet(0);
        gcs.set(0);
        long t0 = System.nanoTime();
        c.run(req);
        long ns = System.nanoTime() - t0;
        Thread.sleep(100);
        for (GarbageCollectorMXBean gc : collectors) {
            ((NotificationEmitter) gc).removeNotificationListener(onGc);
        }
        out.println("stream " + lines.get() + " " + ns + " " + before + " " + peakLive.get() + " " + gcs.get());
    }

    private static Protocol protocol(String s) {
        return s.equals("classic") ? Protocol.CLASSIC : Protocol.TLS;
    }
}
