package dev.cfrun.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/** The machine and the JVM the launchers use, for the report (and the JVM-start floor of the single section). */
final class Machine {
    private Machine() {
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static String describe() {
        String cpu = grep(Path.of("/proc/cpuinfo"), "model name", l -> l.substring(l.indexOf(':') + 1).strip());
        String mem = grep(Path.of("/proc/meminfo"), "MemTotal", l -> l.replaceAll("\\D+", " ").strip());
        String os = grep(Path.of("/etc/os-release"), "PRETTY_NAME", l -> l.substring(l.indexOf('=') + 1).replace("\"", ""));
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            kernel = "?";
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), "
                + (mem.isEmpty() ? "?" : Long.parseLong(mem) / 1024 / 1024 + " GB") + " RAM, " + os + ", Linux " + kernel;
    }

    private static String grep(Path f, String prefix, Function<String, String> value) {
        try (Stream<String> s = Files.lines(f)) {
            return s.filter(l -> l.startsWith(prefix)).findFirst().map(value).orElse("");
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** The first {@code --java DIR}: the JDK the launchers run on (null: $JAVA_HOME's or the PATH's java). */
    static volatile Path launcherHome;

    /** The java that bin/cfrun starts: the first --java's, else $JAVA_HOME's, else the one on the PATH. */
    static String javaForLaunchers() {
        if (launcherHome != null) {
            return launcherHome.resolve("bin/java").toString();
        }
        String home = System.getenv("JAVA_HOME");
        return home != null && !home.isEmpty() ? Path.of(home, "bin", "java").toString() : "java";
    }

    /** The JVM options of the launchers (bin/lib/cds.sh). */
    static String launcherOptions(Path root) {
        return firstLine(List.of("sh", "-c", ". \"$1\"; printf '%s\\n' \"$cfrun_jvm_options\"", "sh",
                root.resolve("bin/lib/cds.sh").toString()));
    }

    static String archive(Path root) {
        String a = archiveFile(root, javaForLaunchers(), Map.of());
        return a.isEmpty() ? "none (JVM without a release file)" : Files.exists(Path.of(a)) ? a : "none (" + a + " missing)";
    }

    /** The archive (or AOT cache) bin/cfrun would use on {@code java} in the environment {@code env} ("": none). */
    static String archiveFile(Path root, String java, Map<String, String> env) {
        return firstLine(List.of("sh", "-c", ". \"$1\"; cds_archive \"$2\" \"$3\"; printf '%s\\n' \"$cds_file\"", "sh",
                root.resolve("bin/lib/cds.sh").toString(), java, root.resolve("cfrun-cli/target/cfrun.jar").toString()), env);
    }

    static String javaVersion() {
        List<String> lines = lines(List.of(javaForLaunchers(), "-version"));
        return lines.size() > 1 ? lines.get(0) + "; " + lines.get(1) : String.join("; ", lines);
    }

    static String firstLine(List<String> cmd) {
        return firstLine(cmd, Map.of());
    }

    private static String firstLine(List<String> cmd, Map<String, String> env) {
        List<String> l = lines(cmd, env);
        return l.isEmpty() ? "?" : l.get(0);
    }

    private static List<String> lines(List<String> cmd) {
        return lines(cmd, Map.of());
    }

    private static List<String> lines(List<String> cmd, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
