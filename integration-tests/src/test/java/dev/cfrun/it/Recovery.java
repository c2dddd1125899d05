package dev.cfrun.it;

import dev.cfrun.it.SelfHealingLab.Design;
import dev.cfrun.it.SelfHealingLab.Loop;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.DoubleStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The end-to-end measurement shared by {@link NagiosE2EIT} and {@link IcingaE2EIT}: cycles in which each
 * design's web server is SIGKILLed the same random (seeded) time before its service's next scheduled check,
 * measuring kill → the first OK check result and the monitoring's first CRITICAL → OK (from the check
 * wrapper's millisecond log), and counting the HARD problem states reached (the notifications that would
 * have gone out).
 */
final class Recovery {
    /** Cycles per design. */
    static final int CYCLES = Integer.getInteger("cfrun.e2e.cycles", 5);
    static final long SEED = Long.getLong("cfrun.e2e.seed", 20261206L);
    /** The targets of design 3 against design 1 (medians measured in the same run). */
    static final double MAX_CRITICAL_TO_OK_RATIO = 0.2;
    static final double MAX_KILL_TO_OK_RATIO = 0.5;
    /** Two designs' repairs are not started within this of each other (they would compete for the CPU). */
    static final long SPACING_MS = 2000;

    private static final Pattern LINE = Pattern.compile("^(\\S+) ([\\w.-]+)\\[(\\d+)]: (.*)$");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

    private Recovery() { }

    /** What the measurement needs from the monitoring system. */
    interface Monitor {
        /** "Nagios 4", "Icinga 2". */
        String name();

        /** The check interval (= retry interval) of the HTTP services, in ms. */
        long intervalMs();

        /** Waits until the service's last check was OK and its state is HARD. */
        void waitOkHard(String service, Duration timeout);

        /** When the service's next check is scheduled (epoch ms), as the monitoring system says. */
        long nextCheckMs(String service);

        /** The log with Nagios-style "SERVICE ALERT: host;service;STATE;TYPE;attempt;output" lines. */
        Path alertLog();

        /** The end of its log, for failure messages. */
        String logTail();
    }

    /** One measured cycle of one design; seconds after the kill. */
    record Cycle(String loop, int n, double phaseS, Instant killed, double criticalS, double okS, String events) {
        double criticalToOkS() {
            return okS - criticalS;
        }
    }

    /** One line of a handler log: its time and key=value fields. */
    record LogLine(Instant time, Map<String, String> fields, String raw) {
        String get(String k) {
            return fields.getOrDefault(k, "");
        }

        static List<LogLine> readAll(Path log) {
            List<LogLine> out = new ArrayList<>();
            for (String l : lines(log, StandardCharsets.UTF_8)) {
                Matcher m = LINE.matcher(l);
                if (!m.matches()) {
                    continue; // a line being written
                }
                Map<String, String> f = new LinkedHashMap<>();
                Matcher fm = FIELD.matcher(m.group(4));
                while (fm.find()) {
                    String v = fm.group(2);
                    if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
                        v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                    }
                    f.put(fm.group(1), v);
                }
                out.add(new LogLine(Instant.parse(m.group(1)), f, l));
            }
            return out;
        }
    }

    /** A check result as check-timed.sh logged it: when the monitoring got it (ms), the service, the exit code. */
    record Check(Instant time, String service, int exit) {
        static List<Check> readAll(Path log, String service) {
            List<Check> out = new ArrayList<>();
            for (String l : lines(log, StandardCharsets.US_ASCII)) {
                String[] f = l.strip().split(" ");
                if (f.length == 3 && f[0].matches("\\d{13}") && f[2].matches("\\d+") && f[1].equals(service)) {
                    out.add(new Check(Instant.ofEpochMilli(Long.parseLong(f[0])), f[1], Integer.parseInt(f[2])));
                }
            }
            return out;
        }
    }

    private record Kill(Loop loop, long atMs) {
    }

    /**
     * Runs the cycles: in cycle i every design's web server is killed {@code phase_i} before its service's
     * next check (designs in rotating order, their repairs at least {@value #SPACING_MS} ms apart), then each
     * design's first CRITICAL and first OK check after the kill are awaited.
     */
    static List<Cycle> run(Monitor m, SelfHealingLab lab) throws InterruptedException {
        Random random = new Random(SEED);
        List<Cycle> cycles = new ArrayList<>();
        double intervalS = m.intervalMs() / 1000.0;
        for (int i = 1; i <= CYCLES; i++) {
            double phase = 0.1 * intervalS + 0.8 * intervalS * random.nextDouble();
            List<Kill> kills = new ArrayList<>();
            for (int k = 0; k < lab.loops.size(); k++) {
                Loop l = lab.loops.get((i - 1 + k) % lab.loops.size());
                m.waitOkHard(l.service(), Duration.ofSeconds(60));
                Proc.Result st = lab.webctl("status", l);
                int cycle = i;
                assertEquals(0, st.exit(), () -> l.name() + " cycle " + cycle + ": web server not running before the kill: " + st);
                long check = m.nextCheckMs(l.service());
                while (check - Math.round(phase * 1000) < System.currentTimeMillis() + 100
                        || conflicts(kills, check, Math.round(phase * 1000))) {
                    check += m.intervalMs();
                }
                kills.add(new Kill(l, check - Math.round(phase * 1000)));
            }
            kills.sort(Comparator.comparingLong(Kill::atMs));
            Map<Loop, Instant> killed = new LinkedHashMap<>();
            for (Kill k : kills) {
                Thread.sleep(Math.max(0, k.atMs() - System.currentTimeMillis()));
                long pid = Long.parseLong(SelfHealingLab.read(k.loop().webDir().resolve("web.pid")).strip());
                ProcessHandle web = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("web server " + pid + " gone"));
                killed.put(k.loop(), Instant.now());
                web.destroyForcibly(); // SIGKILL
            }
            for (Map.Entry<Loop, Instant> e : killed.entrySet()) {
                cycles.add(awaitRecovery(m, lab, e.getKey(), i, phase, e.getValue()));
            }
        }
        return cycles;
    }

    private static boolean conflicts(List<Kill> kills, long check, long phaseMs) {
        return kills.stream().anyMatch(k -> Math.abs(k.atMs() + phaseMs - check) < SPACING_MS);
    }

    private static Cycle awaitRecovery(Monitor m, SelfHealingLab lab, Loop l, int n, double phase, Instant killed)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis(4 * m.intervalMs() + 30_000).toNanos();
        while (true) {
            List<Check> after = Check.readAll(lab.checkLog, l.service()).stream().filter(c -> c.time().isAfter(killed)).toList();
            Check critical = after.stream().filter(c -> c.exit() != 0).findFirst().orElse(null);
            Check ok = critical == null ? null
                    : after.stream().filter(c -> c.exit() == 0 && c.time().isAfter(critical.time())).findFirst().orElse(null);
            if (ok != null) {
                StringBuilder events = new StringBuilder();
                for (LogLine x : LogLine.readAll(l.log())) {
                    if (x.time().isBefore(killed) || x.time().isAfter(ok.time().plusSeconds(1))) {
                        continue;
                    }
                    events.append(String.format(Locale.ROOT, "+%.3f ", seconds(killed, x.time())));
                    events.append(x.get("event").equals("decision")
                            ? x.get("state") + "/" + x.get("type") + "/" + x.get("attempt") + ":" + x.get("action")
                            : "result:exit=" + x.get("exit") + "(" + x.get("duration_ms") + "ms)"
                            + (x.get("verify").isEmpty() ? "" : ",verify=" + x.get("verify"))).append("  ");
                }
                return new Cycle(l.name(), n, phase, killed, seconds(killed, critical.time()), seconds(killed, ok.time()),
                        events.toString().strip());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(l.name() + " cycle " + n + ": no CRITICAL and then OK check after the kill at "
                        + killed + "\n--- checks\n" + after + "\n--- handler log\n" + SelfHealingLab.read(l.log())
                        + "\n--- webctl.log\n" + SelfHealingLab.read(l.webDir().resolve("webctl.log"))
                        + "\n--- " + m.name() + " log (end)\n" + m.logTail());
            }
            Thread.sleep(20);
        }
    }

    /** HARD problem states the service reached (each would have sent a notification). */
    static long hardStates(Monitor m, String service) {
        Pattern p = Pattern.compile("SERVICE ALERT: " + Pattern.quote(SelfHealingLab.HOST + ";" + service)
                + ";(WARNING|CRITICAL|UNKNOWN);HARD;");
        return lines(m.alertLog(), StandardCharsets.UTF_8).stream().filter(s -> p.matcher(s).find()).count();
    }

    /**
     * The report (printed, also to the build log and {@code reportFile}) and the verdict on the timing:
     * design 3 against design 1, medians of the same run, and no HARD state for design 3.
     */
    static List<String> report(Monitor m, SelfHealingLab lab, List<Cycle> cycles, String settings, Path reportFile)
            throws IOException {
        StringBuilder summary = new StringBuilder();
        for (Loop l : lab.loops) {
            summary.append(String.format(Locale.ROOT,
                    "E2E %s %-20s n=%d kill->OK median=%.2fs max=%.2fs, CRITICAL->OK median=%.2fs max=%.2fs, HARD states=%d%n",
                    m.name(), l.name() + ":", count(cycles, l), median(cycles, l, Cycle::okS), max(cycles, l, Cycle::okS),
                    median(cycles, l, Cycle::criticalToOkS), max(cycles, l, Cycle::criticalToOkS), hardStates(m, l.service())));
        }
        Loop classic = lab.loop(Design.CLASSIC);
        Loop recheck = lab.loop(Design.RECHECK);
        double critRatio = median(cycles, recheck, Cycle::criticalToOkS) / median(cycles, classic, Cycle::criticalToOkS);
        double killRatio = median(cycles, recheck, Cycle::okS) / median(cycles, classic, Cycle::okS);
        summary.append(String.format(Locale.ROOT, "E2E %s ours+recheck vs classic: CRITICAL->OK %.2fx (target <= %.1fx),"
                + " kill->OK %.2fx (target <= %.1fx)%n", m.name(), critRatio, MAX_CRITICAL_TO_OK_RATIO, killRatio,
                MAX_KILL_TO_OK_RATIO));
        StringBuilder text = new StringBuilder(summary).append('\n').append(settings).append(String.format(Locale.ROOT,
                "; %d cycles, seed %d; kill = SIGKILL <phase> s before the service's next check as the monitoring"
                + " system scheduled it (the same phase for every design in a cycle). Seconds after the kill: the first"
                + " failed check (critical), the first OK check after it (ok), the handler's log lines up to 1 s after"
                + " the OK check:%n", CYCLES, SEED));
        text.append(String.format(Locale.ROOT, "%-21s %5s %6s %9s %7s  %s%n", "design", "cycle", "phase", "critical", "ok",
                "handler events after the kill"));
        for (Cycle c : cycles) {
            text.append(String.format(Locale.ROOT, "%-21s %5d %6.3f %9.3f %7.3f  %s%n", c.loop(), c.n(), c.phaseS(),
                    c.criticalS(), c.okS(), c.events()));
        }
        publish(summary, text, reportFile);

        List<String> problems = new ArrayList<>();
        if (!(critRatio <= MAX_CRITICAL_TO_OK_RATIO)) {
            problems.add("ours+recheck: median CRITICAL->OK is " + critRatio + "x the classic design's (target <= "
                    + MAX_CRITICAL_TO_OK_RATIO + "x)");
        }
        if (!(killRatio <= MAX_KILL_TO_OK_RATIO)) {
            problems.add("ours+recheck: median kill->OK is " + killRatio + "x the classic design's (target <= "
                    + MAX_KILL_TO_OK_RATIO + "x)");
        }
        if (hardStates(m, recheck.service()) != 0) {
            problems.add("ours+recheck reached a HARD state (a notification would have gone out)");
        }
        return problems;
    }

    /**
     * Writes the report to {@code reportFile} and the test's output, and its summary to the build log (test output
     * goes to a file, redirectTestOutputToFile: the fork's stderr reaches the build log).
     */
    static void publish(CharSequence summary, CharSequence text, Path reportFile) throws IOException {
        Files.writeString(reportFile, text);
        System.out.println(text);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        err.print(summary);
        err.flush();
    }

    /**
     * Every run a handler started in a cycle must have logged its result before the test killed that web
     * server again (the last cycle: within the grace time): exit 0, or skipped because a run for the host was
     * in progress. The re-check design's results must say {@code verify=scheduled}.
     */
    static List<String> runsFinished(Loop l, List<Cycle> cycles, Duration grace) throws InterruptedException {
        List<Cycle> mine = cycles.stream().filter(c -> c.loop().equals(l.name())).toList();
        Instant lastKill = mine.get(mine.size() - 1).killed();
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline) {
            List<LogLine> tail = LogLine.readAll(l.log()).stream().filter(x -> x.time().isAfter(lastKill)).toList();
            if (runs(tail).size() <= results(tail, runs(tail)).size()) {
                break;
            }
            Thread.sleep(100);
        }
        List<LogLine> log = LogLine.readAll(l.log());
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < mine.size(); i++) {
            Instant from = mine.get(i).killed();
            boolean last = i + 1 == mine.size();
            Instant to = last ? Instant.now() : mine.get(i + 1).killed();
            List<LogLine> in = log.stream().filter(x -> x.time().isAfter(from) && x.time().isBefore(to)).toList();
            List<LogLine> runs = runs(in);
            List<LogLine> results = results(in, runs);
            String what = l.name() + " cycle " + (i + 1) + ": ";
            if (runs.isEmpty()) {
                problems.add(what + "the handler started no run");
                continue;
            }
            if (results.size() < runs.size()) {
                problems.add(what + runs.size() + " run(s) started (first at " + runs.get(0).time() + "), "
                        + results.size() + " result(s) logged " + (last ? "within " + grace + " after the last cycle"
                        : "before the next kill of its web server at " + to));
            }
            for (LogLine r : results) {
                boolean skipped = r.get("status").equals("skipped") && r.get("reason").contains("in progress");
                boolean ok = r.get("status").equals("ok") && r.get("exit").equals("0") || skipped;
                if (!ok) {
                    problems.add(what + "remote run failed: " + abbreviate(r.raw(), 600));
                } else if (!skipped && l.design() == Design.RECHECK && !r.get("verify").equals("scheduled")) {
                    problems.add(what + "the re-check was not scheduled: " + abbreviate(r.raw(), 600));
                }
            }
        }
        return problems;
    }

    private static List<LogLine> runs(List<LogLine> lines) {
        return lines.stream().filter(x -> x.get("event").equals("decision") && x.get("action").equals("run")).toList();
    }

    /** Results logged after the first of these runs started (a result before it belongs to an earlier run). */
    private static List<LogLine> results(List<LogLine> lines, List<LogLine> runs) {
        if (runs.isEmpty()) {
            return List.of();
        }
        Instant first = runs.get(0).time();
        return lines.stream().filter(x -> x.get("event").equals("result") && x.time().isAfter(first)).toList();
    }

    static int count(List<Cycle> cycles, Loop l) {
        return (int) cycles.stream().filter(c -> c.loop().equals(l.name())).count();
    }

    static double median(List<Cycle> cycles, Loop l, ToDoubleFunction<Cycle> f) {
        return median(cycles.stream().filter(c -> c.loop().equals(l.name())).mapToDouble(f));
    }

    static double median(DoubleStream values) {
        double[] v = values.sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double max(List<Cycle> cycles, Loop l, ToDoubleFunction<Cycle> f) {
        return cycles.stream().filter(c -> c.loop().equals(l.name())).mapToDouble(f).max().orElse(Double.NaN);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    private static List<String> lines(Path log, java.nio.charset.Charset cs) {
        try {
            return Files.exists(log) ? Files.readAllLines(log, cs) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
