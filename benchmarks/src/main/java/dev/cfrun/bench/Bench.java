package dev.cfrun.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * scripts/bench.sh: our client beside cf-runagent 3.21, alternating, against cf-serverd instances started
 * here, and the ratios (ours / cf-runagent) with medians and spread, one {@link Section} each:
 * <ol>
 *   <li>{@link SingleHailSection}: single hail, whole process (bin/cfrun vs cf-runagent), TLS and classic,
 *       /bin/echo and a trivial agent;</li>
 *   <li>{@link InProcessSection}: one warm client (library) hailing again and again, vs cf-runagent's whole
 *       process;</li>
 *   <li>{@link FanOutSection}: fan-out to 500 loopback hosts (one server bound to all addresses): cf-runagent
 *       -b 50 vs bin/cfrun -b 50 and -b 200: wall, CPU, peak RSS, heap;</li>
 *   <li>{@link HandlerSection}: the Nagios event handler: launcher start to the remote run started, vs a shell
 *       handler starting cf-runagent in the background;</li>
 *   <li>{@link GrowthSection}, {@link OutputSection}: growth: 10 … 2000 hosts, and 10 … 100k output lines
 *       (with the streaming client's live heap);</li>
 *   <li>{@link ServiceSection}: bin/cfrun-service under 10,000 Alertmanager alerts (no cf-runagent
 *       counterpart): accepted per second, answer times, runs, memory, nothing lost;</li>
 *   <li>{@link JvmSection} (only when named: {@code --only jvm}): bin/cfrun on each {@code --java} JDK, with its
 *       class-data-sharing archive or AOT cache, alternating.</li>
 * </ol>
 * Whole processes are measured by scripts/lib/spawn.py ({@link Spawner}: fork/exec/wait4: wall, CPU of the
 * process and its children, and peak RSS under GNU time), driven by {@link ProcessDriver}. Every result is
 * also checked (exit codes, output); {@link Report} writes the table.
 */
public final class Bench {

    private Bench() {
    }

    /** The sections in the order they run, by the name {@code --only} selects. */
    private static Map<String, Section> sections() {
        Map<String, Section> s = new LinkedHashMap<>();
        s.put("single", new SingleHailSection());
        s.put("inprocess", new InProcessSection());
        s.put("fanout", new FanOutSection());
        s.put("handler", new HandlerSection());
        s.put("growth", new GrowthSection());
        s.put("output", new OutputSection());
        s.put("service", new ServiceSection());
        s.put("jvm", new JvmSection());
        return s;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(o, System.err));
    }

    private static int run(BenchOptions o, PrintStream log) throws Exception {
        Path root = o.root;
        Path work = o.work;
        Machine.launcherHome = o.javas.isEmpty() ? null : o.javas.get(0);
        List<Path> needed = new ArrayList<>(List.of(Lab.CF_SERVERD, Lab.CF_RUNAGENT, Lab.CF_KEY));
        for (Map.Entry<String, Section> e : sections().entrySet()) {
            if (o.sections.contains(e.getKey())) {
                e.getValue().jars().stream().map(root::resolve).filter(p -> !needed.contains(p)).forEach(needed::add);
            }
        }
        for (Path p : needed) {
            if (!Files.exists(p)) {
                log.println("bench: " + p + " is missing (scripts/test.sh installs cfengine3 and builds the jars)");
                return 2;
            }
        }
        deleteTree(work);
        Files.createDirectories(work);
        String started = Instant.now().toString();
        String loadBefore = Machine.loadAverage();
        Report report = new Report(log);
        boolean measuresRss;
        try (Lab lab = new Lab(work.resolve("lab")); Spawner spawner = new Spawner(root.resolve("scripts/lib/spawn.py"))) {
            measuresRss = spawner.measuresRss();
            if (!measuresRss) {
                log.println("bench: /usr/bin/time (GNU time) not found: peak RSS is not measured (apt-get install time)");
            }
            ProcessDriver driver = new ProcessDriver(root, work, lab, spawner, report);
            for (Map.Entry<String, Section> e : sections().entrySet()) {
                if (o.sections.contains(e.getKey())) {
                    e.getValue().run(o, driver, report);
                }
            }
            if (o.jmh) {
                new JmhSection().run(o, driver, report);
            }
        }
        String text = report.render(started, loadBefore, Machine.loadAverage(), root, measuresRss);
        System.out.print(text);
        Files.writeString(work.resolve("results.md"), text);
        log.println("bench: results also in " + work.resolve("results.md"));
        return report.failed() ? 1 : 0;
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
