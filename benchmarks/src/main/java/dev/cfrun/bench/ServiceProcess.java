package dev.cfrun.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bin/cfrun-service as its own process for the service section: a token file (mode 600), a state directory and
 * a free loopback port of its own, its log in {@code service.log}; HTTP calls with the token; its memory from
 * /proc and jcmd; stopped with SIGTERM (forcibly after 30 s, and on {@link #close()}).
 */
final class ServiceProcess implements AutoCloseable {
    /** A SerialGC generation in {@code jcmd GC.heap_info}: committed and used KiB. */
    private static final Pattern GENERATION = Pattern.compile("(?:def new|tenured) generation\\s+total (\\d+)K, used (\\d+)K");

    private final Process process;
    private final Path log;
    private final Path state;
    private final URI base;
    private final String token;
    private final HttpClient http;

    /** Heap of the service now, MB: used (garbage included) and committed. */
    record Heap(double usedMb, double committedMb) {
    }

    private ServiceProcess(Process process, Path log, Path state, URI base, String token) {
        this.process = process;
        this.log = log;
        this.state = state;
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Starts the service and waits until {@code /healthz} answers.
     *
     * @param root          the clone (bin/cfrun-service)
     * @param dir           the service's own directory (token, state, log)
     * @param clientWorkdir the CFEngine work dir it hails with (identity, trusted keys)
     * @param options       more options (limits)
     */
    static ServiceProcess start(Path root, Path dir, Path clientWorkdir, List<String> options)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Path state = dir.resolve("state");
        int port = Lab.freePort();
        List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/cfrun-service").toString(), "--listen",
                "127.0.0.1:" + port, "--workdir", clientWorkdir.toString(), "--state", state.toString(), "--token-file",
                tokenFile.toString()));
        cmd.addAll(options);
        Path log = dir.resolve("service.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Files.writeString(log, String.join(" ", cmd) + "\n");
        ServiceProcess s = new ServiceProcess(pb.start(), log, state, URI.create("http://127.0.0.1:" + port), token);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!s.healthy()) {
            if (!s.process.isAlive() || System.nanoTime() > deadline) {
                s.close();
                throw new IOException("cfrun-service did not start:\n" + tail(log, 20));
            }
            Thread.sleep(50);
        }
        return s;
    }

    private boolean healthy() throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/healthz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The command line it was started with and its log, for the report. */
    String commandLine() throws IOException {
        return Files.readAllLines(log).get(0);
    }

    /** The SQLite database. */
    Path database() {
        return state.resolve("cfrun-service.db");
    }

    long pid() {
        return process.pid();
    }

    /** A POST of JSON with the token. */
    HttpResponse<String> post(String path, byte[] json) throws IOException, InterruptedException {
        return http.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with the token. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    /** Resident set now and at its peak (VmRSS, VmHWM of /proc/PID/status), MB. */
    double[] rssMb() throws IOException {
        double rss = Double.NaN;
        double hwm = Double.NaN;
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (l.startsWith("VmRSS:")) {
                rss = kib(l) / 1024;
            } else if (l.startsWith("VmHWM:")) {
                hwm = kib(l) / 1024;
            }
        }
        return new double[] {rss, hwm};
    }

    /** CPU time of the process so far (utime + stime of /proc/PID/stat, 10 ms ticks), ms. */
    double cpuMs() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
    }

    /** The heap now, from {@code jcmd PID GC.heap_info} (the launcher runs SerialGC). */
    Heap heap() throws IOException, InterruptedException {
        String out = jcmd("GC.heap_info");
        Matcher m = GENERATION.matcher(out);
        double used = 0;
        double committed = 0;
        int found = 0;
        while (m.find()) {
            committed += Double.parseDouble(m.group(1)) / 1024;
            used += Double.parseDouble(m.group(2)) / 1024;
            found++;
        }
        return found == 2 ? new Heap(used, committed) : new Heap(Double.NaN, Double.NaN);
    }

    /** A full collection ({@code jcmd PID GC.run}), so that {@link #heap()} shows what is live. */
    void collect() throws IOException, InterruptedException {
        jcmd("GC.run");
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid() + " " + command + " failed: " + out.strip());
        }
        return out;
    }

    /**
     * SIGTERM, then waits for the clean stop (HTTP server, dispatcher, store).
     *
     * @return the exit status (143 after SIGTERM), or -1 if it had to be killed
     */
    int stop() throws InterruptedException {
        process.destroy();
        if (process.waitFor(30, TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return -1;
    }

    /** The last lines of its log. */
    String logTail(int lines) {
        return tail(log, lines);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static double kib(String statusLine) {
        return Double.parseDouble(statusLine.replaceAll("\\D+", ""));
    }

    private static String tail(Path log, int n) {
        try {
            List<String> l = Files.readAllLines(log);
            return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
