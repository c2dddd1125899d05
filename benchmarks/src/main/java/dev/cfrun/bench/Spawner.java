package dev.cfrun.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs and measures whole processes through scripts/lib/spawn.py (fork, exec, wait4): wall time, CPU time
 * of the process and the children it waited for, and peak RSS (under GNU time when installed). The
 * Python helper runs for the whole benchmark; this JVM only talks to it between measurements.
 */
final class Spawner implements AutoCloseable {
    private static final Path TIME = Path.of("/usr/bin/time");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (-?[0-9]+|true|false|\"[^\"]*\")");

    /** One measured process. */
    record Run(double wallMs, double cpuMs, double rssMb, int exit, long startEpochNs, boolean timedOut) {
    }

    private final Process helper;
    private final Writer in;
    private final BufferedReader out;
    private final boolean rss;

    Spawner(Path script) throws IOException {
        helper = new ProcessBuilder("python3", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        in = new OutputStreamWriter(helper.getOutputStream(), StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
        rss = Files.isExecutable(TIME);
    }

    /** Whether peak RSS is measured (GNU time is installed). */
    boolean measuresRss() {
        return rss;
    }

    Run run(List<String> argv, Map<String, String> env, Path stdout, Duration timeout) {
        StringBuilder req = new StringBuilder("{\"argv\": [");
        for (int i = 0; i < argv.size(); i++) {
            req.append(i == 0 ? "" : ", ").append(json(argv.get(i)));
        }
        req.append("], \"env\": {");
        int i = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            req.append(i++ == 0 ? "" : ", ").append(json(e.getKey())).append(": ").append(json(e.getValue()));
        }
        req.append("}, \"stdout\": ").append(stdout == null ? "null" : json(stdout.toString()))
                .append(", \"timeout\": ").append(timeout.toMillis() / 1000.0)
                .append(", \"time\": ").append(rss ? json(TIME.toString()) : "null").append("}\n");
        try {
            in.write(req.toString());
            in.flush();
            String reply = out.readLine();
            if (reply == null) {
                throw new IOException("scripts/lib/spawn.py ended");
            }
            if (reply.contains("\"error\"")) {
                throw new IOException("spawn.py: " + reply + " for " + argv);
            }
            Matcher m = FIELD.matcher(reply);
            long wall = 0;
            long utime = 0;
            long stime = 0;
            long rssKb = -1;
            int exit = -1;
            long start = 0;
            boolean timedOut = false;
            while (m.find()) {
                String v = m.group(2);
                switch (m.group(1)) {
                    case "wall_ns" -> wall = Long.parseLong(v);
                    case "utime_us" -> utime = Long.parseLong(v);
                    case "stime_us" -> stime = Long.parseLong(v);
                    case "maxrss_kb" -> rssKb = Long.parseLong(v);
                    case "exit" -> exit = Integer.parseInt(v);
                    case "start_epoch_ns" -> start = Long.parseLong(v);
                    case "timed_out" -> timedOut = Boolean.parseBoolean(v);
                    default -> { }
                }
            }
            return new Run(wall / 1e6, (utime + stime) / 1e3, rss && rssKb >= 0 ? rssKb / 1024.0 : Double.NaN, exit,
                    start, timedOut);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // ending anyway
        }
        helper.destroy();
    }
}
