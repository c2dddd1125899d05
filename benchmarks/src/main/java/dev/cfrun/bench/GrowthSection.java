package dev.cfrun.bench;

import static dev.cfrun.bench.Report.fmt;

import dev.cfrun.bench.ProcessDriver.FanOut;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** 5. Growth with the number of hosts: one run each of cf-runagent -b 50, bin/cfrun -b 50 and -b 200. */
final class GrowthSection implements Section {

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        r.section("growth with the number of hosts");
        int max = o.growthHosts.stream().max(Comparator.naturalOrder()).orElse(10);
        Lab.Server s = d.lab.start(new Lab.Spec("growth").bindAll(Math.max(2000, max * 2)));
        List<String> all = Lab.addresses(max);
        r.log().printf("  warm-up: one run of bin/cfrun on all %d hosts (records the addresses)%n", max);
        d.measure(d.oursFanOut(d.hostsFile(all, s.port()), 200, null), null, 0, "bin/cfrun warm-up");
        StringBuilder t = new StringBuilder("| hosts | cf-runagent -b 50: wall / CPU ms, RSS MB | bin/cfrun -b 50 | bin/cfrun -b 200 | ours -b 200 heap peak MB |\n|---|---|---|---|---|\n");
        for (int n : o.growthHosts) {
            List<String> addrs = all.subList(0, n);
            Path hosts = d.hostsFile(addrs, s.port());
            r.log().printf("  %d hosts%n", n);
            Spawner.Run ra = d.theirsFanOutRun(addrs, s.port(), "cf-runagent -b 50, " + n + " hosts");
            FanOut b50 = d.oursWithHeap(hosts, 50, n);
            FanOut b200 = d.oursWithHeap(hosts, 200, n);
            t.append("| ").append(n).append(" | ").append(cell(ra)).append(" | ").append(cell(b50.run())).append(" | ")
                    .append(cell(b200.run())).append(" | ").append(fmt(b200.heapPeakMb(), 1)).append(" |\n");
        }
        r.details(new StringBuilder("\n### Growth with the number of hosts (one run each, /bin/echo, TLS)\n\n").append(t));
    }

    private static String cell(Spawner.Run r) {
        return fmt(r.wallMs(), 0) + " / " + fmt(r.cpuMs(), 0) + ", " + (Double.isNaN(r.rssMb()) ? "–" : fmt(r.rssMb(), 1));
    }
}
