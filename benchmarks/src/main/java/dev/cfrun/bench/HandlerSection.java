package dev.cfrun.bench;

import static dev.cfrun.bench.Section.uncheck;

import dev.cfrun.bench.ProcessDriver.Cmd;
import dev.cfrun.bench.Report.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * 4. The Nagios event handler: launcher start to the remote run started (a remote /bin/date stamps it), vs a
 * shell handler starting cf-runagent in the background.
 */
final class HandlerSection implements Section {
    private static final Pattern STAMP = Pattern.compile("(\\d{19})");

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        r.section("the Nagios event handler");
        Path work = d.work;
        Lab lab = d.lab;
        // cf-serverd appends " -D <classes>" to cfruncommand: a script ignores them, /bin/date would not
        Path stamp = work.resolve("stamp.sh");
        Files.writeString(stamp, "#!/bin/sh\nexec /bin/date +%s%N\n");
        Lab.Server s = lab.start(new Lab.Spec("handler").command("/bin/sh " + stamp).roles());
        Path hlog = work.resolve("handler.log");
        Path state = work.resolve("handler-state");
        Cmd ours = new Cmd(List.of(d.root.resolve("bin/cfrun-event-handler").toString(), "--workdir", lab.client.toString(),
                "--log", hlog.toString(), "--state-dir", state.toString(), "--port", Integer.toString(s.port()), "--service",
                "HTTP", "--hostname", "web", "-D", "nagios_${service}_${state}", "CRITICAL", "HARD", "3", "127.0.0.1"),
                Map.of());
        Path raOut = work.resolve("handler-cf-runagent.out");
        String sh = "setsid " + Lab.CF_RUNAGENT + " -t 10 -f " + lab.runagentPolicy("latest") + " -H " + s.hostPort()
                + " -D nagios_http_critical > " + raOut + " 2>&1 < /dev/null &";
        Cmd theirs = new Cmd(List.of("/bin/sh", "-c", sh), Lab.env(lab.client));
        List<double[]> a = new ArrayList<>();
        List<double[]> b = new ArrayList<>();
        r.log().printf("  %d runs each, alternating%n", o.handlerRuns);
        for (int i = -1; i < o.handlerRuns; i++) { // i = -1: warm-up
            double[] x = handlerRun(d, r, ours, () -> lastResult(hlog), "handler");
            double[] y = handlerRun(d, r, theirs, () -> uncheck(() -> Files.exists(raOut) ? Files.readString(raOut) : ""),
                    "shell");
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
            r.row(new Row("4 handler", "bin/cfrun-event-handler vs sh + setsid cf-runagent &: " + names[k],
                    x.spread(1), y.spread(1), x.median() / y.median(), "", null));
        }
    }

    /** {process wall, start → remote command started, start → finished} of one handler run. */
    private static double[] handlerRun(ProcessDriver d, Report rep, Cmd cmd, Supplier<String> output, String what)
            throws Exception {
        String before = output.get();
        Spawner.Run r = d.measure(cmd, null, 0, what);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String now = output.get();
            if (!now.equals(before) && (now.contains("(exit code:") || now.contains("event=result"))) {
                long done = System.currentTimeMillis() * 1_000_000L;
                String fresh = now.substring(Math.min(before.length(), now.length()));
                Matcher m = STAMP.matcher(fresh);
                if (!m.find()) {
                    rep.fail(what + ": no timestamp from the remote /bin/date in:\n" + fresh);
                    return new double[] {r.wallMs(), Double.NaN, Double.NaN};
                }
                long remote = Long.parseLong(m.group(1));
                return new double[] {r.wallMs(), (remote - r.startEpochNs()) / 1e6, (done - r.startEpochNs()) / 1e6};
            }
            Thread.sleep(1);
        }
        rep.fail(what + ": the run did not finish within 60 s");
        return new double[] {r.wallMs(), Double.NaN, Double.NaN};
    }

    private static String lastResult(Path hlog) {
        try {
            if (!Files.exists(hlog)) {
                return "";
            }
            return Files.readAllLines(hlog).stream().filter(l -> l.contains("event=result")).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "";
        }
    }
}
