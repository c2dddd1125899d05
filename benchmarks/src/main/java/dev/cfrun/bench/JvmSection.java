package dev.cfrun.bench;

import dev.cfrun.bench.ProcessDriver.Cmd;
import dev.cfrun.bench.ProcessDriver.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bin/cfrun on several JVMs ({@code --java DIR}, repeatable; default the launchers' JVM), one single hail each
 * (TLS and classic, /bin/echo), all of them alternating round by round (the first in each round rotates):
 * each JVM with the archive bin/lib/cds.sh picks for it. Ratios are to the first. The archives are not made here
 * (nothing outside the work dir is written): a missing one is a failure that names the command making it.
 */
final class JvmSection implements Section {

    /** One way to run bin/cfrun: a JDK home and the launcher's environment for it. */
    private record Variant(String label, Map<String, String> env) {
    }

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        r.section("bin/cfrun on each JVM");
        List<Path> homes = new ArrayList<>(o.javas);
        if (homes.isEmpty()) {
            String java = Machine.firstLine(List.of("sh", "-c", "readlink -f \"$(command -v \"$1\")\"", "sh",
                    Machine.javaForLaunchers()));
            Path bin = java.startsWith("/") ? Path.of(java).getParent() : null;
            if (bin == null || bin.getParent() == null) {
                r.fail("no java found for the launchers (" + java + "): name one with --java DIR");
                return;
            }
            homes.add(bin.getParent());
        }
        List<Variant> variants = new ArrayList<>();
        for (Path home : homes) {
            String java = home.resolve("bin/java").toString();
            Map<String, String> env = Map.of("JAVA_HOME", home.toString());
            String archive = Machine.archiveFile(d.root, java, env);
            String label = "JDK " + feature(home) + " (" + home.getFileName() + "), dynamic CDS archive";
            if (archive.isEmpty() || archive.equals("?") || !Files.isRegularFile(Path.of(archive))) {
                r.fail(label + ": " + (archive.isEmpty() ? "no archive name" : archive + " missing") + "; make it with: "
                        + "sh bin/lib/cds.sh train " + java + " cfrun-cli/target/cfrun.jar dev.cfrun.cli.startup.CliTraining");
                continue;
            }
            variants.add(new Variant(label, env));
        }
        if (variants.isEmpty()) {
            return;
        }
        Lab.Server echo = d.lab.start(new Lab.Spec("echo"));
        Map<String, List<Series>> byProto = new HashMap<>();
        for (String proto : List.of("tls", "classic")) {
            byProto.put(proto, alternate(d, r, variants, d.ours(echo.hostPort(), proto), proto, o.runs));
        }
        StringBuilder md = new StringBuilder("\n### bin/cfrun on each JVM (single hail, /bin/echo; ").append(o.runs)
                .append(" runs each, alternating; median [10th–90th percentile])\n\n")
                .append("| JVM, archive | TLS wall ms | TLS CPU ms | CLASSIC wall ms | CLASSIC CPU ms | TLS wall / first |"
                        + " CLASSIC wall / first |\n|---|---|---|---|---|---|---|\n");
        List<Series> tls = byProto.get("tls");
        List<Series> classic = byProto.get("classic");
        for (int i = 0; i < variants.size(); i++) {
            md.append("| ").append(variants.get(i).label()).append(" | ").append(tls.get(i).wall().spread(1)).append(" | ")
                    .append(tls.get(i).cpu().spread(1)).append(" | ").append(classic.get(i).wall().spread(1)).append(" | ")
                    .append(classic.get(i).cpu().spread(1)).append(" | ")
                    .append(Report.fmt(tls.get(i).wall().median() / tls.get(0).wall().median(), 2)).append(" | ")
                    .append(Report.fmt(classic.get(i).wall().median() / classic.get(0).wall().median(), 2)).append(" |\n");
        }
        r.details(md);
    }

    /** Each variant {@code n} times (after two unmeasured rounds), round by round, the first of a round rotating. */
    private static List<Series> alternate(ProcessDriver d, Report r, List<Variant> variants, Cmd base, String proto, int n)
            throws IOException {
        String what = proto.toUpperCase(Locale.ROOT) + ", /bin/echo";
        r.log().printf("  %s: %d runs each of %d JVM variants, alternating%n", what, n, variants.size());
        int k = variants.size();
        List<List<Spawner.Run>> runs = new ArrayList<>();
        for (int v = 0; v < k; v++) {
            runs.add(new ArrayList<>());
        }
        for (int round = -2; round < n; round++) {
            for (int j = 0; j < k; j++) {
                int v = Math.floorMod(round + j, k);
                Variant var = variants.get(v);
                Path out = round == 0 ? d.work.resolve("out-jvm-" + v + ".txt") : null;
                Spawner.Run run = d.measure(new Cmd(base.argv(), var.env()), out, 0, what + " (" + var.label() + ")");
                if (round >= 0) {
                    runs.get(v).add(run);
                }
                if (out != null && !Files.readString(out).contains("127.0.0.1> -> hello")) {
                    r.fail(what + " (" + var.label() + "): output lacks '127.0.0.1> -> hello':\n" + Files.readString(out));
                }
            }
        }
        List<Series> series = new ArrayList<>();
        for (int v = 0; v < k; v++) {
            Series s = Series.of(runs.get(v));
            series.add(s);
            r.log().printf("    %s: wall %s ms, CPU %s ms%n", variants.get(v).label(), s.wall().spread(1), s.cpu().spread(1));
        }
        return series;
    }

    /** The feature version of the JDK at {@code home} (its release file's JAVA_VERSION), 0 if unknown. */
    private static int feature(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                String digits = v.replaceFirst("^(\\d+).*", "$1");
                return digits.matches("\\d+") ? Integer.parseInt(digits) : 0;
            }
        }
        return 0;
    }
}
