package dev.cfrun.bench;

import static dev.cfrun.bench.Report.fmt;

import dev.cfrun.bench.ProcessDriver.Cmd;
import dev.cfrun.bench.ProcessDriver.Series;
import dev.cfrun.bench.Report.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * 2. In process: one warm client (the library) hailing again and again, vs cf-runagent's whole process;
 * and runs per second, one after another and with 8 threads on one client.
 */
final class InProcessSection implements Section {

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        r.section("in process: one warm client");
        Lab.Server echo = d.lab.start(new Lab.Spec("inproc-echo"));
        try (WarmJvm w = d.warm(List.of())) {
            for (String proto : List.of("tls", "classic")) {
                String what = proto.toUpperCase(Locale.ROOT) + ", /bin/echo";
                r.log().printf("  %s: warming up (%d runs), then %d alternating pairs%n", what, 300, o.warmPairs);
                for (int i = 0; i < 300; i++) {
                    w.hail(echo.hostPort(), proto);
                }
                Cmd theirs = d.runagent(echo.hostPort(), proto);
                d.measure(theirs, null, 0, what + " (cf-runagent, warm-up)");
                List<Double> lat = new ArrayList<>();
                List<Spawner.Run> ra = new ArrayList<>();
                for (int i = 0; i < o.warmPairs; i++) {
                    lat.add(w.hail(echo.hostPort(), proto));
                    ra.add(d.measure(theirs, null, 0, what + " (cf-runagent)"));
                }
                Stats l = Stats.of(lat);
                Series s = Series.of(ra);
                r.log().printf("    warm hail %s ms, cf-runagent %s ms%n", l.spread(2), s.wall().spread(1));
                r.row(new Row("2 in process", what + ": warm hail latency vs cf-runagent whole process, ms",
                        l.spread(2), s.wall().spread(1), l.median() / s.wall().median(), "≤ 0.8",
                        l.median() / s.wall().median() <= 0.8));
                double[] burst = w.burst(echo.hostPort(), proto, o.burstSeconds, 1);
                double perSecond = burst[0] / burst[1];
                double theirsPerSecond = 1000 / s.wall().median();
                r.row(new Row("2 in process", what + ": runs per second, one after another", fmt(perSecond, 0),
                        fmt(theirsPerSecond, 1), perSecond / theirsPerSecond, "", null));
                double[] par = w.burst(echo.hostPort(), proto, o.burstSeconds, 8);
                r.detail("2 in process, " + what, String.format(Locale.ROOT,
                        "%.0f runs/s sequential (%.3f ms per run), %.0f runs/s with 8 threads on one client",
                        perSecond, 1000 / perSecond, par[0] / par[1]));
            }
        }
    }
}
