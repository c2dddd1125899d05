package dev.cfrun.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to run, and how much: the options of scripts/bench.sh (its {@code --help} is the script's own header).
 * {@code --root} and {@code --work} are read first (the script passes {@code --root}); the others in order.
 */
final class BenchOptions {
    Path root;
    Path work;
    int runs = 21;
    int warmPairs = 31;
    double burstSeconds = 5;
    int fanoutHosts = 500;
    int fanoutRounds = 3;
    int handlerRuns = 11;
    List<Integer> growthHosts = List.of(10, 100, 500, 2000);
    List<Integer> outputLines = List.of(10, 10_000, 100_000);
    int outputRuns = 5;
    int serviceAlerts = 10_000;
    int serviceAlertsPerDelivery = 100;
    int servicePosters = 4;
    int serviceHosts = 200;
    int serviceHostsPerDelivery = 25;
    int serviceGroupCap = 20;
    Set<String> sections = new LinkedHashSet<>(List.of("single", "inprocess", "fanout", "handler", "growth", "output", "service"));
    // (and "jvm", JvmSection, only when named)
    boolean jmh;
    /** {@code --java DIR} (repeatable): the JDK homes bin/cfrun runs on; the first one in every section. */
    List<Path> javas = new ArrayList<>();

    /** @throws IllegalArgumentException for an unknown option */
    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        o.root = Path.of(value(args, "--root", ".")).toAbsolutePath().normalize();
        o.work = Path.of(value(args, "--work", o.root.resolve("benchmarks/target/bench-work").toString())).toAbsolutePath();
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
                    o.serviceAlerts = 2_000;
                }
                case "--runs" -> o.runs = Integer.parseInt(args[++i]);
                case "--hosts" -> o.fanoutHosts = Integer.parseInt(args[++i]);
                case "--rounds" -> o.fanoutRounds = Integer.parseInt(args[++i]);
                case "--alerts" -> o.serviceAlerts = Integer.parseInt(args[++i]);
                case "--posters" -> o.servicePosters = Integer.parseInt(args[++i]);
                case "--only" -> o.sections = new LinkedHashSet<>(List.of(args[++i].split(",")));
                case "--jmh" -> o.jmh = true;
                case "--java" -> o.javas.add(Path.of(args[++i]).toAbsolutePath().normalize());
                case "--root", "--work" -> i++;
                default -> throw new IllegalArgumentException("unknown option " + a + " (see scripts/bench.sh --help)");
            }
        }
        if (o.serviceAlerts < o.serviceAlertsPerDelivery || o.serviceAlerts % o.serviceAlertsPerDelivery != 0
                || o.servicePosters < 1 || o.servicePosters > 64) {
            throw new IllegalArgumentException("--alerts: a multiple of " + o.serviceAlertsPerDelivery
                    + "; --posters: 1 to 64");
        }
        return o;
    }

    /** The value after the first {@code name}, or {@code dflt}. */
    private static String value(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }
}
