package dev.cfrun.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * scripts/bench.sh: our client beside cf-runagent 3.21, alternating, against cf-serverd instances started
 * here, and the ratios (ours / cf-runagent) with medians and spread:
 * <ol>
 *   <li>single hail, whole process (bin/cfrun vs cf-runagent), TLS and classic, /bin/echo and a trivial agent;</li>
 *   <li>in process: one warm client (library) hailing again and again, vs cf-runagent's whole process;</li>
 *   <li>fan-out to 500 loopback hosts (one server bound to all addresses): cf-runagent -b 50 vs bin/cfrun -b 50
 *       and -b 200: wall, CPU, peak RSS, heap;</li>
 *   <li>the Nagios event handler: launcher start to the remote run started, vs a shell handler starting
 *       cf-runagent in the background;</li>
 *   <li>growth: 10 … 2000 hosts, and 10 … 100k output lines (with the streaming client's live heap).</li>
 * </ol>
 * Whole processes are measured by scripts/lib/spawn.py (fork/exec/wait4: wall, CPU of the process and its
 * children, and peak RSS under GNU time). Every result is also checked (exit codes, output).
 */
public final class Bench {
    private static final Pattern GC_PAUSE = Pattern.compile("Pause [\\w ]+\\([^)]*\\) (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Pattern HEAP_USED = Pattern.compile("(?:def new generation|tenured generation)\\s+total \\d+K, used (\\d+)K");

    private final Path root;
    private final Path work;
    private final Options o;
    private final PrintStream log = System.err;
    private final List<Row> rows = new ArrayList<>();
    private final StringBuilder details = new StringBuilder();
    private final List<String> failures = new ArrayList<>();
    private Lab lab;
    private Spawner spawner;
    private Path cfrun;
    private Path handler;

    /** One line of the ratio table. */
    record Row(String section, String what, String ours, String theirs, double ratio, String target, Boolean met) {
    }

    /** A command to measure. */
    record Cmd(List<String> argv, Map<String, String> env) {
    }

    /** What to run, and how much. */
    static final class Options {
        int runs = 21;
        int warmPairs = 31;
        double burstSeconds = 5;
        int fanoutHosts = 500;
        int fanoutRounds = 3;
        int handlerRuns = 11;
        List<Integer> growthHosts = List.of(10, 100, 500, 2000);
        List<Integer> outputLines = List.of(10, 10_000, 100_000);
        int outputRuns = 5;
        Set<String> sections = new LinkedHashSet<>(List.of("single", "inprocess", "fanout", "handler", "growth", "output"));
        boolean jmh;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> {
                        o.runs = 7;
                        o.warmPairs = 11;
                        o.burstSeconds = 2;
                        o.fanoutHosts = 100;
                        o.fanoutRounds = 1;
                        o.handlerRuns = 5;
                        o.growthHosts = List.of(10, 100);
                        o.outputLines = List.of(10, 10_000);
                        o.outputRuns = 3;
                    }
                    case "--runs" -> o.runs = Integer.parseInt(args[++i]);
                    case "--hosts" -> o.fanoutHosts = Integer.parseInt(args[++i]);
                    case "--rounds" -> o.fanoutRounds = Integer.parseInt(args[++i]);
                    case "--only" -> o.sections = new LinkedHashSet<>(List.of(args[++i].split(",")));
                    case "--jmh" -> o.jmh = true;
                    case "--root", "--work" -> i++;
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see scripts/bench.sh --help)");
                }
            }
            return o;
        }
    }

    private Bench(Path root, Path work, Options o) {
        this.root = root;
        this.work = work;
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(value(args, "--root", ".")).toAbsolutePath().normalize();
        Path work = Path.of(value(args, "--work", root.resolve("benchmarks/target/bench-work").toString())).toAbsolutePath();
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        int rc = new Bench(root, work, o).run();
        System.exit(rc);
    }

    private static String value(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private int run() throws Exception {
        cfrun = root.resolve("bin/cfrun");
        handler = root.resolve("bin/cfrun-event-handler");
        for (Path p : List.of(Lab.CF_SERVERD, Lab.CF_RUNAGENT, Lab.CF_KEY, root.resolve("cfrun-cli/target/cfrun.jar"),
                root.resolve("nagios-handler/target/cfrun-nagios.jar"))) {
            if (!Files.exists(p)) {
                log.println("bench: " + p + " is missing (scripts/test.sh installs cfengine3 and builds the jars)");
                return 2;
            }
        }
        deleteTree(work);
        Files.createDirectories(work);
        String started = Instant.now().toString();
        String loadBefore = loadAverage();
        try (Lab l = new Lab(work.resolve("lab")); Spawner s = new Spawner(root.resolve("scripts/lib/spawn.py"))) {
            lab = l;
            spawner = s;
            if (!s.measuresRss()) {
                log.println("bench: /usr/bin/time (GNU time) not found: peak RSS is not measured (apt-get install time)");
            }
            if (o.sections.contains("single")) {
                single();
            }
            if (o.sections.contains("inprocess")) {
                inProcess();
            }
            if (o.sections.contains("fanout")) {
                fanOut();
            }
            if (o.sections.contains("handler")) {
                handler();
            }
            if (o.sections.contains("growth")) {
                growth();
            }
            if (o.sections.contains("output")) {
                output();
            }
            if (o.jmh) {
                jmh();
            }
        }
        String report = report(started, loadBefore, loadAverage());
        System.out.print(report);
        Files.writeString(work.resolve("results.md"), report);
        log.println("bench: results also in " + work.resolve("results.md"));
        return failures.isEmpty() ? 0 : 1;
    }

    // ---------------------------------------------------------------- 1. single hail, whole process

    private Cmd ours(String hostPort, String protocol, String... more) {
        List<String> a = new ArrayList<>(List.of(cfrun.toString(), "--workdir", lab.client.toString(), "-H", hostPort));
        if (protocol.equals("classic")) {
            a.addAll(List.of("--protocol", "classic"));
        }
        a.addAll(List.of(more));
        return new Cmd(a, Map.of());
    }

    private Cmd runagent(String hosts, String protocol, String... more) {
        List<String> a = new ArrayList<>(List.of(Lab.CF_RUNAGENT.toString(), "-t", "10", "-f",
                lab.runagentPolicy(protocol.equals("classic") ? "classic" : "latest").toString(), "-H", hosts));
        a.addAll(List.of(more));
        return new Cmd(a, Lab.env(lab.client));
    }

    private void single() throws Exception {
        section("single hail, whole process");
        Lab.Server echo = lab.start(new Lab.Spec("echo"));
        Lab.Server agent = lab.start(new Lab.Spec("agent").agent());
        for (Lab.Server s : List.of(echo, agent)) {
            for (String proto : List.of("tls", "classic")) {
                String what = proto.toUpperCase(Locale.ROOT) + ", " + (s == echo ? "/bin/echo" : "trivial agent");
                String expect = s == echo ? "127.0.0.1> -> hello" : "127.0.0.1> -> R: trivial";
                Pair p = pair(what, ours(s.hostPort(), proto), runagent(s.hostPort(), proto), o.runs, 2, expect, 0);
                rows.add(new Row("1 single hail", what + ": wall ms", p.ours.wall.spread(1), p.theirs.wall.spread(1),
                        p.ours.wall.median() / p.theirs.wall.median(), "≤ 1.5", p.ours.wall.median() / p.theirs.wall.median() <= 1.5));
                rows.add(new Row("1 single hail", what + ": CPU ms", p.ours.cpu.spread(1), p.theirs.cpu.spread(1),
                        p.ours.cpu.median() / p.theirs.cpu.median(), "", null));
                if (spawner.measuresRss()) {
                    rows.add(new Row("1 single hail", what + ": peak RSS MB", p.ours.rss.spread(1), p.theirs.rss.spread(1),
                            p.ours.rss.median() / p.theirs.rss.median(), "", null));
                }
            }
        }
        // what bounds a whole process: the JVM's own start, and cf-runagent's start without a server
        List<String> jvm = new ArrayList<>(List.of(javaForLaunchers()));
        jvm.addAll(List.of(launcherOptions().split(" ")));
        jvm.add("-version");
        Series floor = series(new Cmd(jvm, Map.of()), o.runs, 1, 0);
        Series refused = series(runagent("127.0.0.1:" + Lab.freePort(), "tls"), o.runs, 1, -1);
        rows.add(new Row("1 single hail", "floor: JVM start+exit (java -version, launcher options) vs cf-runagent"
                + " start + policy load (connection refused): wall ms", floor.wall.spread(1), refused.wall.spread(1),
                floor.wall.median() / refused.wall.median(), "", null));
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

    /**
     * Runs both commands {@code n} times, alternating (and alternating which goes first), after
     * {@code warmup} unmeasured runs of each; the first measured run of each is checked for {@code expect}
     * in its output. Exit codes other than {@code exit} are failures.
     */
    private Pair pair(String what, Cmd ours, Cmd theirs, int n, int warmup, String expect, int exit) throws IOException {
        log.printf("  %s: %d runs each, alternating%n", what, n);
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
                    fail(what + ": " + (f == outOurs ? "our" : "cf-runagent's") + " output lacks '" + expect + "':\n" + text);
                }
            }
        }
        Pair p = new Pair(Series.of(a), Series.of(b));
        log.printf("    ours %s ms, cf-runagent %s ms%n", p.ours.wall.spread(1), p.theirs.wall.spread(1));
        return p;
    }

    private Series series(Cmd cmd, int n, int warmup, int exit) {
        for (int i = 0; i < warmup; i++) {
            measure(cmd, null, exit, String.join(" ", cmd.argv()));
        }
        List<Spawner.Run> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runs.add(measure(cmd, null, exit, String.join(" ", cmd.argv())));
        }
        return Series.of(runs);
    }

    private Spawner.Run measure(Cmd cmd, Path stdout, int exit, String what) {
        Spawner.Run r = spawner.run(cmd.argv(), cmd.env(), stdout, Duration.ofMinutes(5));
        if (exit >= 0 && r.exit() != exit) {
            fail(what + ": exit " + r.exit() + ", expected " + exit + (r.timedOut() ? " (timed out)" : ""));
        }
        return r;
    }

    // ---------------------------------------------------------------- 2. in process

    private void inProcess() throws Exception {
        section("in process: one warm client");
        Lab.Server echo = lab.start(new Lab.Spec("inproc-echo"));
        try (Warm w = new Warm(List.of())) {
            for (String proto : List.of("tls", "classic")) {
                String what = proto.toUpperCase(Locale.ROOT) + ", /bin/echo";
                log.printf("  %s: warming up (%d runs), then %d alternating pairs%n", what, 300, o.warmPairs);
                for (int i = 0; i < 300; i++) {
                    w.hail(echo.hostPort(), proto);
                }
                Cmd theirs = runagent(echo.hostPort(), proto);
                measure(theirs, null, 0, what + " (cf-runagent, warm-up)");
                List<Double> lat = new ArrayList<>();
                List<Spawner.Run> ra = new ArrayList<>();
                for (int i = 0; i < o.warmPairs; i++) {
                    lat.add(w.hail(echo.hostPort(), proto));
                    ra.add(measure(theirs, null, 0, what + " (cf-runagent)"));
                }
                Stats l = Stats.of(lat);
                Series r = Series.of(ra);
                log.printf("    warm hail %s ms, cf-runagent %s ms%n", l.spread(2), r.wall.spread(1));
                rows.add(new Row("2 in process", what + ": warm hail latency vs cf-runagent whole process, ms",
                        l.spread(2), r.wall.spread(1), l.median() / r.wall.median(), "≤ 0.8", l.median() / r.wall.median() <= 0.8));
                double[] burst = w.burst(echo.hostPort(), proto, o.burstSeconds, 1);
                double perSecond = burst[0] / burst[1];
                double theirsPerSecond = 1000 / r.wall.median();
                rows.add(new Row("2 in process", what + ": runs per second, one after another", fmt(perSecond, 0),
                        fmt(theirsPerSecond, 1), perSecond / theirsPerSecond, "", null));
                double[] par = w.burst(echo.hostPort(), proto, o.burstSeconds, 8);
                detail("2 in process, " + what, String.format(Locale.ROOT,
                        "%.0f runs/s sequential (%.3f ms per run), %.0f runs/s with 8 threads on one client",
                        perSecond, 1000 / perSecond, par[0] / par[1]));
            }
        }
    }

    /** A {@link WarmClient} JVM, driven over stdin/stdout. */
    private final class Warm implements AutoCloseable {
        private final Process p;
        private final Writer in;
        private final BufferedReader out;

        Warm(List<String> jvmOptions) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WarmClient.class.getName(), lab.client.toString()));
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        }

        private String[] call(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
            String reply = out.readLine();
            if (reply == null) {
                throw new IOException("the warm client ended (see above)");
            }
            return reply.split(" ");
        }

        double hail(String host, String proto) throws IOException {
            String[] r = call("hail " + host + " " + proto);
            if (!r[0].equals("ok") || !r[2].equals("0")) {
                fail("warm hail " + host + " " + proto + ": " + String.join(" ", r));
            }
            return Long.parseLong(r[1]) / 1e6;
        }

        /** {runs, seconds}. */
        double[] burst(String host, String proto, double seconds, int threads) throws IOException {
            String[] r = call("burst " + host + " " + proto + " " + seconds + " " + threads);
            return new double[] {Long.parseLong(r[1]), Long.parseLong(r[2]) / 1e9};
        }

        /** {hosts that ran, wall ms, process CPU ms} of one TLS fan-out in this JVM. */
        double[] fanout(Path hostsFile, int parallelism) throws IOException {
            String[] r = call("fanout " + hostsFile + " " + parallelism);
            return new double[] {Long.parseLong(r[1]), Long.parseLong(r[2]) / 1e6, Long.parseLong(r[3]) / 1e6};
        }

        /** {lines, ms, live MB before, peak live MB during, collections}. */
        double[] stream(String host) throws IOException {
            String[] r = call("stream " + host + " 0");
            return new double[] {Long.parseLong(r[1]), Long.parseLong(r[2]) / 1e6, Long.parseLong(r[3]) / 1048576.0,
                Long.parseLong(r[4]) / 1048576.0, Long.parseLong(r[5])};
        }

        @Override
        public void close() throws IOException {
            try {
                in.write("quit\n");
                in.flush();
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                p.destroy();
            }
        }
    }

    // ---------------------------------------------------------------- 3. fan-out

    /** One fan-out measurement of ours, with the heap read from its GC log. */
    record FanOut(Spawner.Run run, double heapPeakMb, double heapCommittedMb, double liveMaxMb) {
    }

    private Path hostsFile(List<String> addresses, int port) throws IOException {
        Path f = work.resolve("hosts-" + addresses.size() + "-" + port);
        StringBuilder sb = new StringBuilder("# " + addresses.size() + " loopback hosts, one cf-serverd\n");
        for (String a : addresses) {
            sb.append(a).append(':').append(port).append('\n');
        }
        Files.writeString(f, sb.toString());
        return f;
    }

    private Cmd oursFanOut(Path hosts, int b, String javaOpts) {
        return new Cmd(List.of(cfrun.toString(), "--workdir", lab.client.toString(), "-f", hosts.toString(), "-b",
                Integer.toString(b)), javaOpts == null ? Map.of() : Map.of("JAVA_OPTS", javaOpts));
    }

    /** cf-runagent -b (its optional argument must be attached: "-b 50" would make 50 the policy file). */
    private Cmd theirsFanOut(List<String> addresses, int port) {
        return runagent(addresses.stream().map(a -> a + ":" + port).collect(Collectors.joining(",")), "tls", "-b50");
    }

    /**
     * cf-runagent -b50 on the hosts; its exit status with -b is no success indicator (it counts the hosts), so
     * every host's "(exit code: 0)" is looked for in its output instead.
     */
    private Spawner.Run theirsFanOutRun(List<String> addresses, int port, String what) throws IOException {
        Path out = work.resolve("fanout-cf-runagent.out");
        Spawner.Run r = measure(theirsFanOut(addresses, port), out, -1, what);
        long ok = Files.readAllLines(out).stream().filter(l -> l.endsWith("> (exit code: 0)")).count();
        if (ok != addresses.size()) {
            fail(what + ": " + ok + " of " + addresses.size() + " hosts ran (see " + out + ")");
        }
        return r;
    }

    private FanOut oursWithHeap(Path hosts, int b, int n) throws IOException {
        return oursWithHeap(hosts, b, n, "");
    }

    private FanOut oursWithHeap(Path hosts, int b, int n, String javaOpts) throws IOException {
        Path gc = work.resolve("gc-" + b + ".log");
        Files.deleteIfExists(gc);
        Spawner.Run r = measure(oursFanOut(hosts, b, (javaOpts + " -Xlog:gc,gc+heap+exit:file=" + gc).strip()), null, 0,
                "bin/cfrun -b " + b + " on " + n + " hosts " + javaOpts);
        double[] heap = heap(gc);
        return new FanOut(r, heap[0], heap[1], heap[2]);
    }

    /**
     * {peak used, committed, largest live set} in MB from a SerialGC log: the largest "before" of a pause or
     * the use at exit (garbage included: a big young generation is simply not collected), the largest heap
     * size, and the largest "after" of a pause (what was still reachable).
     */
    private static double[] heap(Path gcLog) throws IOException {
        double peak = 0;
        double committed = 0;
        double live = 0;
        if (!Files.exists(gcLog)) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        double atExit = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_PAUSE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Double.parseDouble(m.group(1)));
                live = Math.max(live, Double.parseDouble(m.group(2)));
                committed = Math.max(committed, Double.parseDouble(m.group(3)));
            }
            Matcher h = HEAP_USED.matcher(line);
            if (h.find()) {
                atExit += Double.parseDouble(h.group(1)) / 1024;
            }
        }
        return new double[] {Math.max(peak, atExit), committed, live > 0 ? live : Math.max(peak, atExit)};
    }

    private void fanOut() throws Exception {
        int n = o.fanoutHosts;
        section("fan-out to " + n + " hosts");
        Lab.Server s = lab.start(new Lab.Spec("fanout").bindAll(Math.max(2000, n * 2)));
        List<String> addrs = Lab.addresses(n);
        Path hosts = hostsFile(addrs, s.port());
        log.printf("  warm-up: one run each (our client records each address it meets in ppkeys/cfrun_lastseen)%n");
        theirsFanOutRun(addrs, s.port(), "cf-runagent -b 50 (warm-up)");
        measure(oursFanOut(hosts, 200, null), null, 0, "bin/cfrun -b 200 (warm-up)");
        List<Spawner.Run> ra = new ArrayList<>();
        List<FanOut> b50 = new ArrayList<>();
        List<FanOut> b200 = new ArrayList<>();
        List<Double> serverTheirs = new ArrayList<>();
        List<Double> serverOurs = new ArrayList<>();
        for (int i = 0; i < o.fanoutRounds; i++) {
            log.printf("  round %d of %d%n", i + 1, o.fanoutRounds);
            List<Runnable> order = new ArrayList<>();
            order.add(() -> {
                double c0 = Lab.cpuMillis(s);
                ra.add(uncheck(() -> theirsFanOutRun(addrs, s.port(), "cf-runagent -b 50")));
                serverTheirs.add(Lab.cpuMillis(s) - c0);
            });
            order.add(() -> {
                double c0 = Lab.cpuMillis(s);
                b50.add(uncheck(() -> oursWithHeap(hosts, 50, n)));
                serverOurs.add(Lab.cpuMillis(s) - c0);
            });
            order.add(() -> b200.add(uncheck(() -> oursWithHeap(hosts, 200, n))));
            for (int k = 0; k < order.size(); k++) {
                order.get((k + i) % order.size()).run();
            }
        }
        Series theirsS = Series.of(ra);
        for (var e : List.of(Map.entry(50, b50), Map.entry(200, b200))) {
            Series ours = Series.of(e.getValue().stream().map(FanOut::run).toList());
            Stats heap = Stats.of(e.getValue().stream().map(FanOut::heapPeakMb).toList());
            String w = n + " hosts, bin/cfrun -b " + e.getKey() + " vs cf-runagent -b 50";
            rows.add(new Row("3 fan-out", w + ": wall ms", ours.wall.spread(0), theirsS.wall.spread(0),
                    ours.wall.median() / theirsS.wall.median(), "≤ 0.5", ours.wall.median() / theirsS.wall.median() <= 0.5));
            rows.add(new Row("3 fan-out", w + ": client CPU ms", ours.cpu.spread(0), theirsS.cpu.spread(0),
                    ours.cpu.median() / theirsS.cpu.median(), "≤ 0.3", ours.cpu.median() / theirsS.cpu.median() <= 0.3));
            if (spawner.measuresRss()) {
                rows.add(new Row("3 fan-out", w + ": peak RSS MB (one process; cf-runagent's children each have their own)",
                        ours.rss.spread(1), theirsS.rss.spread(1), ours.rss.median() / theirsS.rss.median(), "", null));
            }
            detail("3 fan-out, bin/cfrun -b " + e.getKey() + ", default heap", "heap used at its peak " + heap.spread(1)
                    + " MB (garbage included), live after a collection " + fmt(Stats.of(e.getValue().stream()
                    .map(FanOut::liveMaxMb).toList()).max(), 1) + " MB at most, heap size " + fmt(Stats.of(e.getValue()
                    .stream().map(FanOut::heapCommittedMb).toList()).max(), 0) + " MB at most");
        }
        // what bounds the wall time here: the server shares the machine's cores with the client
        int cores = Runtime.getRuntime().availableProcessors();
        Stats st = Stats.of(serverTheirs);
        Stats so = Stats.of(serverOurs);
        rows.add(new Row("3 fan-out", n + " hosts: CPU of the one cf-serverd (and the commands it ran) during the run, ms",
                so.spread(0), st.spread(0), so.median() / st.median(), "", null));
        rows.add(new Row("3 fan-out", n + " hosts: wall floor on " + cores + " cores = (client CPU + server CPU) / cores, ms",
                fmt((Series.of(b50.stream().map(FanOut::run).toList()).cpu.median() + so.median()) / cores, 0),
                fmt((theirsS.cpu.median() + st.median()) / cores, 0), Double.NaN, "", null));
        rows.add(new Row("3 fan-out", n + " hosts: the server's CPU alone / " + cores + " cores, vs 0.5 × cf-runagent's wall, ms",
                fmt(st.median() / cores, 0), fmt(0.5 * theirsS.wall.median(), 0), Double.NaN, "", null));
        // what bounds the client CPU: one JVM's first fan-out (JIT compilation) against its later ones (warm)
        try (Warm w = new Warm(List.of("-XX:+UseSerialGC"))) {
            List<double[]> r = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                r.add(w.fanout(hosts, 50));
                if ((long) r.get(i)[0] != n) {
                    fail("library fan-out " + (i + 1) + ": " + (long) r.get(i)[0] + " of " + n + " hosts ran");
                }
            }
            rows.add(new Row("3 fan-out", n + " hosts, library in one JVM, parallelism 50: client CPU per host, ms, 1st"
                    + " fan-out (cold: JIT) / 3rd (warm), vs cf-runagent -b 50", fmt(r.get(0)[2] / n, 2) + " / "
                    + fmt(r.get(2)[2] / n, 2), fmt(theirsS.cpu.median() / n, 2), r.get(2)[2] / theirsS.cpu.median(), "", null));
            rows.add(new Row("3 fan-out", n + " hosts, library in one JVM: wall ms, 1st / 3rd fan-out", fmt(r.get(0)[1], 0)
                    + " / " + fmt(r.get(2)[1], 0), theirsS.wall.spread(0), r.get(2)[1] / theirsS.wall.median(), "", null));
        }
        // the heap target: the same runs with the heap capped at 128 MB must succeed
        for (int b : List.of(50, 200)) {
            FanOut capped = oursWithHeap(hosts, b, n, "-Xmx128m");
            boolean ok = capped.run().exit() == 0;
            rows.add(new Row("3 fan-out", n + " hosts, bin/cfrun -b " + b + " with JAVA_OPTS=-Xmx128m: wall ms / CPU ms /"
                    + " largest live heap MB", fmt(capped.run().wallMs(), 0) + " / " + fmt(capped.run().cpuMs(), 0) + " / "
                    + fmt(capped.liveMaxMb(), 1), "–", Double.NaN, "heap ≤ 128 MB", ok));
        }
    }

    // ---------------------------------------------------------------- 4. the Nagios handler

    private void handler() throws Exception {
        section("the Nagios event handler");
        // cf-serverd appends " -D <classes>" to cfruncommand: a script ignores them, /bin/date would not
        Path stamp = work.resolve("stamp.sh");
        Files.writeString(stamp, "#!/bin/sh\nexec /bin/date +%s%N\n");
        Lab.Server s = lab.start(new Lab.Spec("handler").command("/bin/sh " + stamp).roles());
        Path hlog = work.resolve("handler.log");
        Path state = work.resolve("handler-state");
        Cmd ours = new Cmd(List.of(handler.toString(), "--workdir", lab.client.toString(), "--log", hlog.toString(),
                "--state-dir", state.toString(), "--port", Integer.toString(s.port()), "--service", "HTTP", "--hostname",
                "web", "-D", "nagios_${service}_${state}", "CRITICAL", "HARD", "3", "127.0.0.1"), Map.of());
        Path raOut = work.resolve("handler-cf-runagent.out");
        String sh = "setsid " + Lab.CF_RUNAGENT + " -t 10 -f " + lab.runagentPolicy("latest") + " -H " + s.hostPort()
                + " -D nagios_http_critical > " + raOut + " 2>&1 < /dev/null &";
        Cmd theirs = new Cmd(List.of("/bin/sh", "-c", sh), Lab.env(lab.client));
        List<double[]> a = new ArrayList<>();
        List<double[]> b = new ArrayList<>();
        log.printf("  %d runs each, alternating%n", o.handlerRuns);
        for (int i = -1; i < o.handlerRuns; i++) { // i = -1: warm-up
            double[] x = handlerRun(ours, () -> lastResult(hlog), "handler");
            double[] y = handlerRun(theirs, () -> uncheck(() -> Files.exists(raOut) ? Files.readString(raOut) : ""), "shell");
            Files.deleteIfExists(raOut);
            if (i >= 0) {
                a.add(x);
                b.add(y);
            }
        }
        String[] names = {"launcher exit (what Nagios waits for), ms", "launcher start → remote command started, ms",
            "launcher start → run finished, ms"};
        for (int k = 0; k < 3; k++) {
            int kk = k;
            Stats x = Stats.of(a.stream().map(v -> v[kk]).toList());
            Stats y = Stats.of(b.stream().map(v -> v[kk]).toList());
            rows.add(new Row("4 handler", "bin/cfrun-event-handler vs sh + setsid cf-runagent &: " + names[k],
                    x.spread(1), y.spread(1), x.median() / y.median(), "", null));
        }
    }

    /** {process wall, start → remote command started, start → finished} of one handler run. */
    private double[] handlerRun(Cmd cmd, java.util.function.Supplier<String> output, String what) throws Exception {
        String before = output.get();
        Spawner.Run r = measure(cmd, null, 0, what);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Pattern stamp = Pattern.compile("(\\d{19})");
        while (System.nanoTime() < deadline) {
            String now = output.get();
            if (!now.equals(before) && (now.contains("(exit code:") || now.contains("event=result"))) {
                long done = System.currentTimeMillis() * 1_000_000L;
                String fresh = now.substring(Math.min(before.length(), now.length()));
                Matcher m = stamp.matcher(fresh);
                if (!m.find()) {
                    fail(what + ": no timestamp from the remote /bin/date in:\n" + fresh);
                    return new double[] {r.wallMs(), Double.NaN, Double.NaN};
                }
                long remote = Long.parseLong(m.group(1));
                return new double[] {r.wallMs(), (remote - r.startEpochNs()) / 1e6, (done - r.startEpochNs()) / 1e6};
            }
            Thread.sleep(1);
        }
        fail(what + ": the run did not finish within 60 s");
        return new double[] {r.wallMs(), Double.NaN, Double.NaN};
    }

    private String lastResult(Path hlog) {
        try {
            if (!Files.exists(hlog)) {
                return "";
            }
            return Files.readAllLines(hlog).stream().filter(l -> l.contains("event=result")).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "";
        }
    }

    // ---------------------------------------------------------------- 5. growth

    private void growth() throws Exception {
        section("growth with the number of hosts");
        int max = o.growthHosts.stream().max(Comparator.naturalOrder()).orElse(10);
        Lab.Server s = lab.start(new Lab.Spec("growth").bindAll(Math.max(2000, max * 2)));
        List<String> all = Lab.addresses(max);
        log.printf("  warm-up: one run of bin/cfrun on all %d hosts (records the addresses)%n", max);
        measure(oursFanOut(hostsFile(all, s.port()), 200, null), null, 0, "bin/cfrun warm-up");
        StringBuilder t = new StringBuilder("| hosts | cf-runagent -b 50: wall / CPU ms, RSS MB | bin/cfrun -b 50 | bin/cfrun -b 200 | ours -b 200 heap peak MB |\n|---|---|---|---|---|\n");
        for (int n : o.growthHosts) {
            List<String> addrs = all.subList(0, n);
            Path hosts = hostsFile(addrs, s.port());
            log.printf("  %d hosts%n", n);
            Spawner.Run ra = theirsFanOutRun(addrs, s.port(), "cf-runagent -b 50, " + n + " hosts");
            FanOut b50 = oursWithHeap(hosts, 50, n);
            FanOut b200 = oursWithHeap(hosts, 200, n);
            t.append("| ").append(n).append(" | ").append(cell(ra)).append(" | ").append(cell(b50.run())).append(" | ")
                    .append(cell(b200.run())).append(" | ").append(fmt(b200.heapPeakMb(), 1)).append(" |\n");
        }
        details.append("\n### Growth with the number of hosts (one run each, /bin/echo, TLS)\n\n").append(t);
    }

    private static String cell(Spawner.Run r) {
        return fmt(r.wallMs(), 0) + " / " + fmt(r.cpuMs(), 0) + ", " + (Double.isNaN(r.rssMb()) ? "–" : fmt(r.rssMb(), 1));
    }

    // ---------------------------------------------------------------- 6. output size

    private void output() throws Exception {
        section("growth with the output size");
        StringBuilder t = new StringBuilder("| lines | cf-runagent: wall / CPU ms, RSS MB | bin/cfrun | ratio (wall) "
                + "| bin/cfrun heap peak MB | library, streaming (retainOutput(false)): live heap peak MB, GCs |\n"
                + "|---|---|---|---|---|---|\n");
        // the library check runs in a small heap, so that collections happen and show the live set
        try (Warm small = new Warm(List.of("-Xmx32m", "-Xmn4m", "-XX:+UseSerialGC"))) {
            for (int lines : o.outputLines) {
                Lab.Server s = lab.start(new Lab.Spec("seq-" + lines).command("/usr/bin/seq " + lines));
                Cmd ours = new Cmd(ours(s.hostPort(), "tls").argv(), Map.of());
                Path gc = work.resolve("gc-output-" + lines + ".log");
                Cmd oursGc = new Cmd(ours.argv(), Map.of("JAVA_OPTS", "-Xlog:gc,gc+heap+exit:file=" + gc));
                Pair p = pair(lines + " lines", oursGc, runagent(s.hostPort(), "tls"), o.outputRuns, 1,
                        "127.0.0.1> -> " + lines, 0);
                double[] heap = heap(gc);
                double[] st = small.stream(s.hostPort());
                if ((long) st[0] != lines + 2) { // the command line, the output, the exit code
                    fail("streaming " + lines + " lines: the listener saw " + (long) st[0] + " lines");
                }
                if (lines == o.outputLines.get(o.outputLines.size() - 1)) {
                    // constant memory, shown by the CLI: the largest output through a 24 MB heap
                    Path small24 = work.resolve("out-small-heap.txt");
                    Spawner.Run capped = measure(new Cmd(ours.argv(), Map.of("JAVA_OPTS", "-Xmx24m")), small24, 0,
                            lines + " lines, bin/cfrun -Xmx24m");
                    long got = Files.readAllLines(small24).stream().filter(l -> l.startsWith("127.0.0.1> -> ")).count();
                    rows.add(new Row("6 output", lines + " lines through bin/cfrun with JAVA_OPTS=-Xmx24m: lines printed, wall ms",
                            got + ", " + fmt(capped.wallMs(), 0), "–", Double.NaN, "constant memory", got == lines && capped.exit() == 0));
                }
                t.append("| ").append(lines).append(" | ").append(fmt(p.theirs.wall.median(), 0)).append(" / ")
                        .append(fmt(p.theirs.cpu.median(), 0)).append(", ").append(fmt(p.theirs.rss.median(), 1))
                        .append(" | ").append(fmt(p.ours.wall.median(), 0)).append(" / ").append(fmt(p.ours.cpu.median(), 0))
                        .append(", ").append(fmt(p.ours.rss.median(), 1)).append(" | ")
                        .append(fmt(p.ours.wall.median() / p.theirs.wall.median(), 2)).append(" | ").append(fmt(heap[0], 1))
                        .append(" | ").append(fmt(st[3], 2)).append(" (before: ").append(fmt(st[2], 2)).append("), ")
                        .append((long) st[4]).append(" |\n");
            }
        }
        details.append("\n### Growth with the output size (one host, TLS, `/usr/bin/seq N`; medians of ")
                .append(o.outputRuns).append(")\n\n").append(t);
    }

    // ---------------------------------------------------------------- JMH

    private void jmh() throws Exception {
        section("JMH: warm client");
        Lab.Server s = lab.start(new Lab.Spec("jmh"));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.openjdk.jmh.Main", WarmHailBenchmark.class.getSimpleName(),
                "-f", "1", "-wi", "3", "-w", "2s", "-i", "5", "-r", "2s", "-jvmArgsAppend",
                "-Dcfrun.bench.workdir=" + lab.client + " -Dcfrun.bench.host=" + s.hostPort());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder tail = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            boolean result = false;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                log.println("  " + line);
                if (line.startsWith("Benchmark ")) {
                    result = true;
                }
                if (result) {
                    tail.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0) {
            fail("JMH ended with " + p.exitValue());
        }
        details.append("\n### JMH (WarmHailBenchmark, /bin/echo)\n\n```\n").append(tail).append("```\n");
    }

    // ---------------------------------------------------------------- report

    private String report(String started, String loadBefore, String loadAfter) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("## cfrun-java vs cf-runagent (scripts/bench.sh)\n\n");
        sb.append("Ratios are ours / cf-runagent of the medians; cells are median [10th–90th percentile].\n\n");
        sb.append("| section | measure | ours | cf-runagent | ratio | target | met |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.section()).append(" | ").append(r.what()).append(" | ").append(r.ours()).append(" | ")
                    .append(r.theirs()).append(" | ").append(Double.isNaN(r.ratio()) ? "–" : fmt(r.ratio(), 2)).append(" | ")
                    .append(r.target()).append(" | ").append(r.met() == null ? "" : r.met() ? "yes" : "**no**").append(" |\n");
        }
        sb.append(details);
        sb.append("\n### Machine and run\n\n");
        sb.append("- started ").append(started).append(", load average before ").append(loadBefore).append(", after ")
                .append(loadAfter).append('\n');
        sb.append("- ").append(machine()).append('\n');
        sb.append("- our JVM (bin/cfrun): ").append(javaVersion()).append("; launcher options: ").append(launcherOptions())
                .append("; class-data-sharing archive: ").append(archive()).append('\n');
        sb.append("- cf-runagent: ").append(firstLine(List.of(Lab.CF_RUNAGENT.toString(), "--version"))).append('\n');
        sb.append("- peak RSS: ").append(spawner == null || spawner.measuresRss() ? "GNU time (%M)" : "not measured").append('\n');
        if (!failures.isEmpty()) {
            sb.append("\n### Failures\n\n");
            failures.forEach(f -> sb.append("- ").append(f.replace("\n", "\n  ")).append('\n'));
        }
        return sb.toString();
    }

    private void section(String name) {
        log.println("bench: " + name);
    }

    private void detail(String what, String text) {
        if (!text.isEmpty()) {
            details.append("- ").append(what).append(": ").append(text).append('\n');
        }
    }

    private void fail(String what) {
        failures.add(what);
        log.println("bench: FAILED: " + what);
    }

    private static String fmt(double d, int decimals) {
        return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", d);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String machine() {
        String cpu = grep(Path.of("/proc/cpuinfo"), "model name", l -> l.substring(l.indexOf(':') + 1).strip());
        String mem = grep(Path.of("/proc/meminfo"), "MemTotal", l -> l.replaceAll("\\D+", " ").strip());
        String os = grep(Path.of("/etc/os-release"), "PRETTY_NAME", l -> l.substring(l.indexOf('=') + 1).replace("\"", ""));
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            kernel = "?";
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), "
                + (mem.isEmpty() ? "?" : Long.parseLong(mem) / 1024 / 1024 + " GB") + " RAM, " + os + ", Linux " + kernel;
    }

    private static String grep(Path f, String prefix, Function<String, String> value) {
        try (Stream<String> s = Files.lines(f)) {
            return s.filter(l -> l.startsWith(prefix)).findFirst().map(value).orElse("");
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static String javaForLaunchers() {
        String home = System.getenv("JAVA_HOME");
        return home != null && !home.isEmpty() ? Path.of(home, "bin", "java").toString() : "java";
    }

    private String launcherOptions() {
        return firstLine(List.of("sh", "-c", ". \"$1\"; printf '%s\\n' \"$cfrun_jvm_options\"", "sh",
                root.resolve("bin/lib/cds.sh").toString()));
    }

    private String archive() {
        String a = firstLine(List.of("sh", "-c", ". \"$1\"; cds_archive \"$2\" \"$3\"; printf '%s\\n' \"$cds_file\"", "sh",
                root.resolve("bin/lib/cds.sh").toString(), javaForLaunchers(), root.resolve("cfrun-cli/target/cfrun.jar").toString()));
        return a.isEmpty() ? "none (JVM without a release file)" : Files.exists(Path.of(a)) ? a : "none (" + a + " missing)";
    }

    private static String javaVersion() {
        List<String> lines = lines(List.of(javaForLaunchers(), "-version"));
        return lines.size() > 1 ? lines.get(0) + "; " + lines.get(1) : String.join("; ", lines);
    }

    private static String firstLine(List<String> cmd) {
        List<String> l = lines(cmd);
        return l.isEmpty() ? "?" : l.get(0);
    }

    private static List<String> lines(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private interface IoSupplier<T> {
        T get() throws Exception;
    }

    private static <T> T uncheck(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
