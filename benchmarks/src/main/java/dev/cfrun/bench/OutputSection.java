package dev.cfrun.bench;

import static dev.cfrun.bench.Report.fmt;

import dev.cfrun.bench.ProcessDriver.Cmd;
import dev.cfrun.bench.ProcessDriver.Pair;
import dev.cfrun.bench.Report.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * 6. Growth with the output size (/usr/bin/seq N): bin/cfrun vs cf-runagent, the CLI's heap, the streaming
 * library's live heap, and the largest output through a 24 MB heap.
 */
final class OutputSection implements Section {

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        r.section("growth with the output size");
        StringBuilder t = new StringBuilder("| lines | cf-runagent: wall / CPU ms, RSS MB | bin/cfrun | ratio (wall) "
                + "| bin/cfrun heap peak MB | library, streaming (retainOutput(false)): live heap peak MB, GCs |\n"
                + "|---|---|---|---|---|---|\n");
        // the library check runs in a small heap, so that collections happen and show the live set
        try (WarmJvm small = d.warm(List.of("-Xmx32m", "-Xmn4m", "-XX:+UseSerialGC"))) {
            for (int lines : o.outputLines) {
                Lab.Server s = d.lab.start(new Lab.Spec("seq-" + lines).command("/usr/bin/seq " + lines));
                Cmd ours = new Cmd(d.ours(s.hostPort(), "tls").argv(), Map.of());
                Path gc = d.work.resolve("gc-output-" + lines + ".log");
                Cmd oursGc = new Cmd(ours.argv(), Map.of("JAVA_OPTS", "-Xlog:gc,gc+heap+exit:file=" + gc));
                Pair p = d.pair(lines + " lines", oursGc, d.runagent(s.hostPort(), "tls"), o.outputRuns, 1,
                        "127.0.0.1> -> " + lines, 0);
                GcLog.Heap heap = GcLog.read(gc);
                double[] st = small.stream(s.hostPort());
                if ((long) st[0] != lines + 2) { // the command line, the output, the exit code
                    r.fail("streaming " + lines + " lines: the listener saw " + (long) st[0] + " lines");
                }
                if (lines == o.outputLines.get(o.outputLines.size() - 1)) {
                    // constant memory, shown by the CLI: the largest output through a 24 MB heap
                    Path small24 = d.work.resolve("out-small-heap.txt");
                    Spawner.Run capped = d.measure(new Cmd(ours.argv(), Map.of("JAVA_OPTS", "-Xmx24m")), small24, 0,
                            lines + " lines, bin/cfrun -Xmx24m");
                    long got = Files.readAllLines(small24).stream().filter(l -> l.startsWith("127.0.0.1> -> ")).count();
                    r.row(new Row("6 output", lines + " lines through bin/cfrun with JAVA_OPTS=-Xmx24m: lines printed, wall ms",
                            got + ", " + fmt(capped.wallMs(), 0), "–", Double.NaN, "constant memory", got == lines && capped.exit() == 0));
                }
                t.append("| ").append(lines).append(" | ").append(fmt(p.theirs().wall().median(), 0)).append(" / ")
                        .append(fmt(p.theirs().cpu().median(), 0)).append(", ").append(fmt(p.theirs().rss().median(), 1))
                        .append(" | ").append(fmt(p.ours().wall().median(), 0)).append(" / ").append(fmt(p.ours().cpu().median(), 0))
                        .append(", ").append(fmt(p.ours().rss().median(), 1)).append(" | ")
                        .append(fmt(p.ours().wall().median() / p.theirs().wall().median(), 2)).append(" | ")
                        .append(fmt(heap.peakMb(), 1)).append(" | ").append(fmt(st[3], 2)).append(" (before: ")
                        .append(fmt(st[2], 2)).append("), ").append((long) st[4]).append(" |\n");
            }
        }
        r.details(new StringBuilder("\n### Growth with the output size (one host, TLS, `/usr/bin/seq N`; medians of ")
                .append(o.outputRuns).append(")\n\n").append(t));
    }
}
