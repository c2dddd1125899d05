package dev.cfrun.bench;

import static dev.cfrun.bench.Report.fmt;
import static dev.cfrun.bench.Section.uncheck;

import dev.cfrun.bench.ProcessDriver.FanOut;
import dev.cfrun.bench.ProcessDriver.Series;
import dev.cfrun.bench.Report.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * 3. Fan-out to many loopback hosts (one server bound to all addresses): cf-runagent -b 50 vs bin/cfrun -b 50
 * and -b 200 (wall, CPU, peak RSS, heap), what bounds the wall time and the client CPU, and the heap cap.
 */
final class FanOutSection implements Section {

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        int n = o.fanoutHosts;
        r.section("fan-out to " + n + " hosts");
        Lab.Server s = d.lab.start(new Lab.Spec("fanout").bindAll(Math.max(2000, n * 2)));
        List<String> addrs = Lab.addresses(n);
        Path hosts = d.hostsFile(addrs, s.port());
        r.log().printf("  warm-up: one run each (our client records each address it meets in ppkeys/cfrun_lastseen)%n");
        d.theirsFanOutRun(addrs, s.port(), "cf-runagent -b 50 (warm-up)");
        d.measure(d.oursFanOut(hosts, 200, null), null, 0, "bin/cfrun -b 200 (warm-up)");
        List<Spawner.Run> ra = new ArrayList<>();
        List<FanOut> b50 = new ArrayList<>();
        List<FanOut> b200 = new ArrayList<>();
        List<Double> serverTheirs = new ArrayList<>();
        List<Double> serverOurs = new ArrayList<>();
        for (int i = 0; i < o.fanoutRounds; i++) {
            r.log().printf("  round %d of %d%n", i + 1, o.fanoutRounds);
            List<Runnable> order = new ArrayList<>();
            order.add(() -> {
                double c0 = Lab.cpuMillis(s);
                ra.add(uncheck(() -> d.theirsFanOutRun(addrs, s.port(), "cf-runagent -b 50")));
                serverTheirs.add(Lab.cpuMillis(s) - c0);
            });
            order.add(() -> {
                double c0 = Lab.cpuMillis(s);
                b50.add(uncheck(() -> d.oursWithHeap(hosts, 50, n)));
                serverOurs.add(Lab.cpuMillis(s) - c0);
            });
            order.add(() -> b200.add(uncheck(() -> d.oursWithHeap(hosts, 200, n))));
            for (int k = 0; k < order.size(); k++) {
                order.get((k + i) % order.size()).run();
            }
        }
        Series theirsS = Series.of(ra);
        for (var e : List.of(Map.entry(50, b50), Map.entry(200, b200))) {
            Series ours = Series.of(e.getValue().stream().map(FanOut::run).toList());
            Stats heap = Stats.of(e.getValue().stream().map(FanOut::heapPeakMb).toList());
            String w = n + " hosts, bin/cfrun -b " + e.getKey() + " vs cf-runagent -b 50";
            r.row(new Row("3 fan-out", w + ": wall ms", ours.wall().spread(0), theirsS.wall().spread(0),
                    ours.wall().median() / theirsS.wall().median(), "≤ 0.5", ours.wall().median() / theirsS.wall().median() <= 0.5));
            r.row(new Row("3 fan-out", w + ": client CPU ms", ours.cpu().spread(0), theirsS.cpu().spread(0),
                    ours.cpu().median() / theirsS.cpu().median(), "≤ 0.3", ours.cpu().median() / theirsS.cpu().median() <= 0.3));
            if (d.measuresRss()) {
                r.row(new Row("3 fan-out", w + ": peak RSS MB (one process; cf-runagent's children each have their own)",
                        ours.rss().spread(1), theirsS.rss().spread(1), ours.rss().median() / theirsS.rss().median(), "", null));
            }
            r.detail("3 fan-out, bin/cfrun -b " + e.getKey() + ", default heap", "heap used at its peak " + heap.spread(1)
                    + " MB (garbage included), live after a collection " + fmt(Stats.of(e.getValue().stream()
                    .map(FanOut::liveMaxMb).toList()).max(), 1) + " MB at most, heap size " + fmt(Stats.of(e.getValue()
                    .stream().map(FanOut::heapCommittedMb).toList()).max(), 0) + " MB at most");
        }
        bounds(n, r, theirsS, Series.of(b50.stream().map(FanOut::run).toList()), serverTheirs, serverOurs);
        libraryInOneJvm(n, d, r, hosts, theirsS);
        // the heap target: the same runs with the heap capped at 128 MB must succeed
        for (int b : List.of(50, 200)) {
            FanOut capped = d.oursWithHeap(hosts, b, n, "-Xmx128m");
            boolean ok = capped.run().exit() == 0;
            r.row(new Row("3 fan-out", n + " hosts, bin/cfrun -b " + b + " with JAVA_OPTS=-Xmx128m: wall ms / CPU ms /"
                    + " largest live heap MB", fmt(capped.run().wallMs(), 0) + " / " + fmt(capped.run().cpuMs(), 0) + " / "
                    + fmt(capped.liveMaxMb(), 1), "–", Double.NaN, "heap ≤ 128 MB", ok));
        }
    }

    /** What bounds the wall time here: the server shares the machine's cores with the client. */
    private static void bounds(int n, Report r, Series theirsS, Series oursB50, List<Double> serverTheirs,
            List<Double> serverOurs) {
        int cores = Runtime.getRuntime().availableProcessors();
        Stats st = Stats.of(serverTheirs);
        Stats so = Stats.of(serverOurs);
        r.row(new Row("3 fan-out", n + " hosts: CPU of the one cf-serverd (and the commands it ran) during the run, ms",
                so.spread(0), st.spread(0), so.median() / st.median(), "", null));
        r.row(new Row("3 fan-out", n + " hosts: wall floor on " + cores + " cores = (client CPU + server CPU) / cores, ms",
                fmt((oursB50.cpu().median() + so.median()) / cores, 0),
                fmt((theirsS.cpu().median() + st.median()) / cores, 0), Double.NaN, "", null));
        r.row(new Row("3 fan-out", n + " hosts: the server's CPU alone / " + cores + " cores, vs 0.5 × cf-runagent's wall, ms",
                fmt(st.median() / cores, 0), fmt(0.5 * theirsS.wall().median(), 0), Double.NaN, "", null));
    }

    /** What bounds the client CPU: one JVM's first fan-out (JIT compilation) against its later ones (warm). */
    private static void libraryInOneJvm(int n, ProcessDriver d, Report r, Path hosts, Series theirsS) throws Exception {
        try (WarmJvm w = d.warm(List.of("-XX:+UseSerialGC"))) {
            List<double[]> f = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                f.add(w.fanout(hosts, 50));
                if ((long) f.get(i)[0] != n) {
                    r.fail("library fan-out " + (i + 1) + ": " + (long) f.get(i)[0] + " of " + n + " hosts ran");
                }
            }
            r.row(new Row("3 fan-out", n + " hosts, library in one JVM, parallelism 50: client CPU per host, ms, 1st"
                    + " fan-out (cold: JIT) / 3rd (warm), vs cf-runagent -b 50", fmt(f.get(0)[2] / n, 2) + " / "
                    + fmt(f.get(2)[2] / n, 2), fmt(theirsS.cpu().median() / n, 2), f.get(2)[2] / theirsS.cpu().median(), "", null));
            r.row(new Row("3 fan-out", n + " hosts, library in one JVM: wall ms, 1st / 3rd fan-out", fmt(f.get(0)[1], 0)
                    + " / " + fmt(f.get(2)[1], 0), theirsS.wall().spread(0), f.get(2)[1] / theirsS.wall().median(), "", null));
        }
    }
}
