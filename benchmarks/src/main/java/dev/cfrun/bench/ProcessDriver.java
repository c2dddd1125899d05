package dev.cfrun.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds the commands (bin/cfrun, cf-runagent, their fan-outs) and measures them through the {@link Spawner}:
 * one run, a series, or ours and theirs alternating. Exit codes and output are checked; what does not match
 * goes to the report's failures.
 */
final class ProcessDriver {
    /** The clone (bin/cfrun, bin/cfrun-event-handler, bin/lib/cds.sh). */
    final Path root;
    /** benchmarks/target/bench-work: every file the benchmark writes. */
    final Path work;
    /** The servers and the client work dir. */
    final Lab lab;
    private final Spawner spawner;
    private final Report report;

    /** A command to measure. */
    record Cmd(List<String> argv, Map<String, String> env) {
    }

    /** Samples of one command. */
    record Series(Stats wall, Stats cpu, Stats rss, List<Spawner.Run> runs) {
        static Series of(List<Spawner.Run> runs) {
            return new Series(Stats.of(runs.stream().map(Spawner.Run::wallMs).toList()),
                    Stats.of(runs.stream().map(Spawner.Run::cpuMs).toList()),
                    Stats.of(runs.stream().map(Spawner.Run::rssMb).filter(d -> !d.isNaN()).toList()), runs);
        }
    }

    /** Ours and theirs, measured alternately. */
    record Pair(Series ours, Series theirs) {
    }

    /** One fan-out measurement of ours, with the heap read from its GC log. */
    record FanOut(Spawner.Run run, double heapPeakMb, double heapCommittedMb, double liveMaxMb) {
    }

    ProcessDriver(Path root, Path work, Lab lab, Spawner spawner, Report report) {
        this.root = root;
        this.work = work;
        this.lab = lab;
        this.spawner = spawner;
        this.report = report;
    }

    boolean measuresRss() {
        return spawner.measuresRss();
    }

    /** A {@link WarmClient} JVM with the lab's client work dir. */
    WarmJvm warm(List<String> jvmOptions) throws IOException {
        return new WarmJvm(jvmOptions, lab.client, report);
    }

    // ---------------------------------------------------------------- commands

    Cmd ours(String hostPort, String protocol, String... more) {
        List<String> a = new ArrayList<>(List.of(root.resolve("bin/cfrun").toString(), "--workdir", lab.client.toString(),
                "-H", hostPort));
        if (protocol.equals("classic")) {
            a.addAll(List.of("--protocol", "classic"));
        }
        a.addAll(List.of(more));
        return new Cmd(a, Map.of());
    }

    Cmd runagent(String hosts, String protocol, String... more) {
        List<String> a = new ArrayList<>(List.of(Lab.CF_RUNAGENT.toString(), "-t", "10", "-f",
                lab.runagentPolicy(protocol.equals("classic") ? "classic" : "latest").toString(), "-H", hosts));
        a.addAll(List.of(more));
        return new Cmd(a, Lab.env(lab.client));
    }

    Path hostsFile(List<String> addresses, int port) throws IOException {
        Path f = work.resolve("hosts-" + addresses.size() + "-" + port);
        StringBuilder sb = new StringBuilder("# " + addresses.size() + " loopback hosts, one cf-serverd\n");
        for (String a : addresses) {
            sb.append(a).append(':').append(port).append('\n');
        }
        Files.writeString(f, sb.toString());
        return f;
    }

    Cmd oursFanOut(Path hosts, int b, String javaOpts) {
        return new Cmd(List.of(root.resolve("bin/cfrun").toString(), "--workdir", lab.client.toString(), "-f",
                hosts.toString(), "-b", Integer.toString(b)), javaOpts == null ? Map.of() : Map.of("JAVA_OPTS", javaOpts));
    }

    /** cf-runagent -b (its optional argument must be attached: "-b 50" would make 50 the policy file). */
    private Cmd theirsFanOut(List<String> addresses, int port) {
        return runagent(addresses.stream().map(a -> a + ":" + port).collect(Collectors.joining(",")), "tls", "-b50");
    }

    // ---------------------------------------------------------------- measuring

    Spawner.Run measure(Cmd cmd, Path stdout, int exit, String what) {
        Map<String, String> env = cmd.env();
        if (Machine.launcherHome != null && cmd.argv().get(0).startsWith(root.resolve("bin") + "/")
                && !env.containsKey("JAVA_HOME")) {
            env = new HashMap<>(env); // --java: the launchers run on that JDK
            env.put("JAVA_HOME", Machine.launcherHome.toString());
        }
        Spawner.Run r = spawner.run(cmd.argv(), env, stdout, Duration.ofMinutes(5));
        if (exit >= 0 && r.exit() != exit) {
            report.fail(what + ": exit " + r.exit() + ", expected " + exit + (r.timedOut() ? " (timed out)" : ""));
        }
        return r;
    }

    Series series(Cmd cmd, int n, int warmup, int exit) {
        for (int i = 0; i < warmup; i++) {
            measure(cmd, null, exit, String.join(" ", cmd.argv()));
        }
        List<Spawner.Run> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runs.add(measure(cmd, null, exit, String.join(" ", cmd.argv())));
        }
        return Series.of(runs);
    }

    /**
     * Runs both commands {@code n} times, alternating (and alternating which goes first), after
     * {@code warmup} unmeasured runs of each; the first measured run of each is checked for {@code expect}
     * in its output. Exit codes other than {@code exit} are failures.
     */
    Pair pair(String what, Cmd ours, Cmd theirs, int n, int warmup, String expect, int exit) throws IOException {
        report.log().printf("  %s: %d runs each, alternating%n", what, n);
        for (int i = 0; i < warmup; i++) {
            measure(ours, null, exit, what + " (ours, warm-up)");
            measure(theirs, null, exit, what + " (cf-runagent, warm-up)");
        }
        Path outOurs = work.resolve("out-ours.txt");
        Path outTheirs = work.resolve("out-theirs.txt");
        List<Spawner.Run> a = new ArrayList<>();
        List<Spawner.Run> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                a.add(measure(ours, i == 0 ? outOurs : null, exit, what + " (ours)"));
                b.add(measure(theirs, i == 0 ? outTheirs : null, exit, what + " (cf-runagent)"));
            } else {
                b.add(measure(theirs, null, exit, what + " (cf-runagent)"));
                a.add(measure(ours, null, exit, what + " (ours)"));
            }
        }
        if (expect != null) {
            for (Path f : List.of(outOurs, outTheirs)) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                if (!text.contains(expect)) {
                    report.fail(what + ": " + (f == outOurs ? "our" : "cf-runagent's") + " output lacks '" + expect + "':\n" + text);
                }
            }
        }
        Pair p = new Pair(Series.of(a), Series.of(b));
        report.log().printf("    ours %s ms, cf-runagent %s ms%n", p.ours.wall.spread(1), p.theirs.wall.spread(1));
        return p;
    }

    /**
     * cf-runagent -b50 on the hosts; its exit status with -b is no success indicator (it counts the hosts), so
     * every host's "(exit code: 0)" is looked for in its output instead.
     */
    Spawner.Run theirsFanOutRun(List<String> addresses, int port, String what) throws IOException {
        Path out = work.resolve("fanout-cf-runagent.out");
        Spawner.Run r = measure(theirsFanOut(addresses, port), out, -1, what);
        long ok = Files.readAllLines(out).stream().filter(l -> l.endsWith("> (exit code: 0)")).count();
        if (ok != addresses.size()) {
            report.fail(what + ": " + ok + " of " + addresses.size() + " hosts ran (see " + out + ")");
        }
        return r;
    }

    FanOut oursWithHeap(Path hosts, int b, int n) throws IOException {
        return oursWithHeap(hosts, b, n, "");
    }

    /** bin/cfrun -b {@code b} on the hosts, with a GC log for its heap figures. */
    FanOut oursWithHeap(Path hosts, int b, int n, String javaOpts) throws IOException {
        Path gc = work.resolve("gc-" + b + ".log");
        Files.deleteIfExists(gc);
        Spawner.Run r = measure(oursFanOut(hosts, b, (javaOpts + " -Xlog:gc,gc+heap+exit:file=" + gc).strip()), null, 0,
                "bin/cfrun -b " + b + " on " + n + " hosts " + javaOpts);
        GcLog.Heap heap = GcLog.read(gc);
        return new FanOut(r, heap.peakMb(), heap.committedMb(), heap.liveMaxMb());
    }
}
