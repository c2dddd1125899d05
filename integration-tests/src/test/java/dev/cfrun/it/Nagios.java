package dev.cfrun.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Nagios Core 4 (Debian {@code nagios4-core}), self-contained: its config is rendered from a template
 * directory on the test class path into {@code <dir>/etc}, every path it writes (log, status.dat, command
 * pipe, query socket, lock file, check results, temp files) lives under {@code <dir>}, it runs in the
 * foreground as a child of the test, and {@link #close()} stops it (SIGTERM, SIGKILL after 10 s) together
 * with its worker processes. Nothing outside {@code <dir>} is read or written but the plugins it runs.
 */
final class Nagios implements AutoCloseable {
    private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Z][A-Z0-9_]*)@");

    private final Path dir;
    private final Path cfg;
    private final Process process;
    private final List<ProcessHandle> known = new ArrayList<>();

    private Nagios(Path dir, Path cfg, Process process) {
        this.dir = dir;
        this.cfg = cfg;
        this.process = process;
    }

    static Builder builder(Path dir) {
        return new Builder(dir);
    }

    Path dir() {
        return dir;
    }

    /** The rendered main config file. */
    Path config() {
        return cfg;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** nagios.log (whole-second timestamps; SERVICE ALERT / SERVICE EVENT HANDLER lines). */
    String log() {
        return read(dir.resolve("nagios.log")) + "\n--- stdout/stderr\n" + read(dir.resolve("nagios.out"));
    }

    /** One service's block of status.dat (written atomically by Nagios every second), if present. */
    Optional<Map<String, String>> serviceStatus(String host, String service) {
        String text;
        try {
            text = Files.readString(dir.resolve("status.dat"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (Map<String, String> block : blocks(text, "servicestatus")) {
            if (host.equals(block.get("host_name")) && service.equals(block.get("service_description"))) {
                return Optional.of(block);
            }
        }
        return Optional.empty();
    }

    /** Waits until the service has been checked and is in this state (0 OK .. 3 UNKNOWN) and type. */
    Map<String, String> waitForService(String host, String service, int state, boolean hard, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Map<String, String>> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nagios4 exited with " + process.exitValue() + "\n" + log());
            }
            last = serviceStatus(host, service);
            if (last.isPresent() && "1".equals(last.get().get("has_been_checked"))
                    && String.valueOf(state).equals(last.get().get("current_state"))
                    && (hard ? "1" : "0").equals(last.get().get("state_type"))) {
                return last.get();
            }
            sleep(50);
        }
        throw new AssertionError("service " + host + "/" + service + " not in state " + state + (hard ? " HARD" : " SOFT")
                + " within " + timeout + "; status.dat: " + last.map(Object::toString).orElse("(none)")
                + "\n--- nagios.log (end)\n" + tail(log(), 40));
    }

    /** Writes an external command ({@code SCHEDULE_FORCED_SVC_CHECK;host;svc;<time>} …) to the command pipe. */
    void command(String command) {
        Path pipe = dir.resolve("rw/nagios.cmd");
        if (!process.isAlive() || !Files.exists(pipe)) {
            throw new AssertionError("nagios4 is not running (no command pipe " + pipe + ")\n" + log());
        }
        String line = "[" + System.currentTimeMillis() / 1000 + "] " + command + "\n";
        try {
            Files.writeString(pipe, line, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Schedules a forced check of the service now (external command) and waits for its result: returns the
     * service's status.dat block once last_check is at or after the command's time.
     */
    Map<String, String> forceCheck(String host, String service, Duration timeout) {
        long now = System.currentTimeMillis() / 1000;
        command("SCHEDULE_FORCED_SVC_CHECK;" + host + ";" + service + ";" + now);
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Map<String, String>> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = serviceStatus(host, service);
            if (last.isPresent() && Long.parseLong(last.get().getOrDefault("last_check", "0")) >= now
                    && read(dir.resolve("nagios.log")).contains("EXTERNAL COMMAND: SCHEDULE_FORCED_SVC_CHECK;" + host + ";" + service)) {
                return last.get();
            }
            sleep(50);
        }
        throw new AssertionError("forced check of " + host + "/" + service + " gave no result within " + timeout
                + "; status.dat: " + last.map(Object::toString).orElse("(none)") + "\n" + tail(log(), 30));
    }

    /** SIGTERM, SIGKILL after 10 s; then every process it started that is still there (workers, handlers). */
    @Override
    public void close() {
        Processes.stop(process, known, Duration.ofSeconds(10));
    }

    static List<Map<String, String>> blocks(String statusDat, String type) {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = null;
        for (String line : statusDat.split("\n")) {
            String t = line.strip();
            if (cur == null) {
                if (t.equals(type + " {")) {
                    cur = new LinkedHashMap<>();
                }
            } else if (t.equals("}")) {
                out.add(cur);
                cur = null;
            } else {
                int eq = t.indexOf('=');
                if (eq > 0) {
                    cur.put(t.substring(0, eq), t.substring(eq + 1));
                }
            }
        }
        return out;
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + p.getFileName() + ": " + e + ")";
        }
    }

    static String tail(String text, int lines) {
        String[] l = text.split("\n");
        return String.join("\n", List.of(l).subList(Math.max(0, l.length - lines), l.length));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static final class Builder {
        private final Path dir;
        private String template = "nagios-e2e";
        private final List<String> files = new ArrayList<>(List.of("nagios.cfg", "resource.cfg", "objects/base.cfg"));
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** Class path directory holding nagios.cfg, resource.cfg and objects/base.cfg. */
        Builder template(String resourceDir) {
            this.template = resourceDir;
            return this;
        }

        /** One more file of the template directory, e.g. {@code objects/e2e.cfg}, rendered like the others. */
        Builder file(String relative) {
            files.add(relative);
            return this;
        }

        /** A value for {@code @NAME@} in the templates (CFG_DIR and RUN_DIR are set by the fixture). */
        Builder value(String name, Object v) {
            values.put(name, String.valueOf(v));
            return this;
        }

        /** An environment variable for Nagios (inherited by its checks and handlers). */
        Builder env(String name, String v) {
            env.put(name, v);
            return this;
        }

        Nagios start() {
            Peers.requireNagios();
            try {
                Files.createDirectories(dir);
                Path etc = dir.resolve("etc");
                Map<String, String> all = new LinkedHashMap<>(values);
                all.put("CFG_DIR", etc.toString());
                all.put("RUN_DIR", dir.toString());
                for (String f : files) {
                    String text;
                    try (InputStream in = Nagios.class.getResourceAsStream("/" + template + "/" + f)) {
                        if (in == null) {
                            throw new AssertionError("no test resource /" + template + "/" + f);
                        }
                        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    Path out = etc.resolve(f);
                    Files.createDirectories(out.getParent());
                    Files.writeString(out, render(text, all, f));
                }
                for (String d : new String[] {"tmp", "spool/checkresults", "rw", "archives"}) {
                    Files.createDirectories(dir.resolve(d));
                }
                Files.deleteIfExists(dir.resolve("rw/nagios.cmd")); // a stale pipe makes the start fail
                Files.deleteIfExists(dir.resolve("rw/nagios.qh"));
                Files.setPosixFilePermissions(dir.resolve("rw"), PosixFilePermissions.fromString("rwx------"));
                Path cfg = etc.resolve("nagios.cfg");
                if (dir.resolve("rw/nagios.qh").toString().getBytes(StandardCharsets.UTF_8).length > 100) {
                    throw new AssertionError("run directory path too long for the query socket: " + dir);
                }

                Proc.Result v = Proc.run(List.of(Peers.NAGIOS4.toString(), "-v", cfg.toString()), env, Duration.ofSeconds(30));
                Files.writeString(dir.resolve("verify.out"), v.out() + v.err());
                if (v.exit() != 0 || !v.out().contains("Total Errors:   0")) {
                    throw new AssertionError("nagios4 -v " + cfg + " failed:\n" + v);
                }

                ProcessBuilder pb = new ProcessBuilder(Peers.NAGIOS4.toString(), cfg.toString());
                pb.environment().putAll(env);
                pb.directory(dir.toFile());
                pb.redirectErrorStream(true);
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nagios.out").toFile()));
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                Nagios n = new Nagios(dir, cfg, pb.start());
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!(Files.exists(dir.resolve("rw/nagios.cmd")) && n.log().contains("Successfully launched command file worker"))) {
                    if (!n.isAlive() || System.nanoTime() > deadline) {
                        n.close();
                        throw new AssertionError("nagios4 did not come up (alive=" + n.isAlive() + ")\n" + n.log());
                    }
                    sleep(20);
                }
                n.known.addAll(n.process.descendants().collect(Collectors.toList()));
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static String render(String text, Map<String, String> values, String file) {
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = values.get(m.group(1));
                if (v == null) {
                    throw new AssertionError("no value for @" + m.group(1) + "@ in " + file);
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            return sb.toString();
        }
    }
}
