package dev.cfrun.bench;

import dev.cfrun.bench.ProcessDriver.Cmd;
import dev.cfrun.bench.ProcessDriver.Pair;
import dev.cfrun.bench.ProcessDriver.Series;
import dev.cfrun.bench.Report.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * 1. Single hail, whole process: bin/cfrun vs cf-runagent, TLS and classic, /bin/echo and a trivial agent;
 * and what bounds a whole process (the JVM's own start, cf-runagent's start without a server).
 */
final class SingleHailSection implements Section {

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        r.section("single hail, whole process");
        Lab.Server echo = d.lab.start(new Lab.Spec("echo"));
        Lab.Server agent = d.lab.start(new Lab.Spec("agent").agent());
        for (Lab.Server s : List.of(echo, agent)) {
            for (String proto : List.of("tls", "classic")) {
                String what = proto.toUpperCase(Locale.ROOT) + ", " + (s == echo ? "/bin/echo" : "trivial agent");
                String expect = s == echo ? "127.0.0.1> -> hello" : "127.0.0.1> -> R: trivial";
                Pair p = d.pair(what, d.ours(s.hostPort(), proto), d.runagent(s.hostPort(), proto), o.runs, 2, expect, 0);
                r.row(new Row("1 single hail", what + ": wall ms", p.ours().wall().spread(1), p.theirs().wall().spread(1),
                        p.ours().wall().median() / p.theirs().wall().median(), "≤ 1.5",
                        p.ours().wall().median() / p.theirs().wall().median() <= 1.5));
                r.row(new Row("1 single hail", what + ": CPU ms", p.ours().cpu().spread(1), p.theirs().cpu().spread(1),
                        p.ours().cpu().median() / p.theirs().cpu().median(), "", null));
                if (d.measuresRss()) {
                    r.row(new Row("1 single hail", what + ": peak RSS MB", p.ours().rss().spread(1), p.theirs().rss().spread(1),
                            p.ours().rss().median() / p.theirs().rss().median(), "", null));
                }
            }
        }
        // what bounds a whole process: the JVM's own start, and cf-runagent's start without a server
        List<String> jvm = new ArrayList<>(List.of(Machine.javaForLaunchers()));
        jvm.addAll(List.of(Machine.launcherOptions(d.root).split(" ")));
        jvm.add("-version");
        Series floor = d.series(new Cmd(jvm, Map.of()), o.runs, 1, 0);
        Series refused = d.series(d.runagent("127.0.0.1:" + Lab.freePort(), "tls"), o.runs, 1, -1);
        r.row(new Row("1 single hail", "floor: JVM start+exit (java -version, launcher options) vs cf-runagent"
                + " start + policy load (connection refused): wall ms", floor.wall().spread(1), refused.wall().spread(1),
                floor.wall().median() / refused.wall().median(), "", null));
    }
}
