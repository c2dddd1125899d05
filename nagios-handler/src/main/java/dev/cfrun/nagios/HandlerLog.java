package dev.cfrun.nagios;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One line per decision and per run result: to a file ({@code --log}: appended with one write, so lines
 * from concurrent handlers never mix) or to syslog (through {@code logger}, tag {@code cfrun-event-handler}).
 * Values are quoted when needed; control characters from macros or server output are replaced.
 */
final class HandlerLog {
    static final String TAG = "cfrun-event-handler";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int MAX_VALUE = 500;

    private final Path file;

    HandlerLog(Path file) {
        this.file = file;
    }

    /** Ordered key=value fields. */
    static Map<String, Object> fields() {
        return new LinkedHashMap<>();
    }

    void write(Map<String, Object> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> {
            if (v == null) {
                return;
            }
            if (body.length() > 0) {
                body.append(' ');
            }
            body.append(k).append('=').append(quote(String.valueOf(v)));
        });
        long pid = ProcessHandle.current().pid();
        if (file != null) {
            String line = TIME.format(Instant.now()) + " " + TAG + "[" + pid + "]: " + body + "\n";
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                System.err.println(TAG + ": cannot write the log " + file + ": " + e.getMessage() + ": " + body);
            }
            return;
        }
        try {
            Process p = new ProcessBuilder("logger", "-t", TAG, "--id=" + pid, "-p", "daemon.notice", "--", body.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println(TAG + ": cannot log to syslog (" + e.getMessage() + "): " + body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String quote(String v) {
        StringBuilder clean = new StringBuilder();
        for (int i = 0; i < v.length() && clean.length() < MAX_VALUE; i++) {
            char c = v.charAt(i);
            clean.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        if (v.length() > MAX_VALUE) {
            clean.append('…');
        }
        String s = clean.toString();
        if (!s.isEmpty() && s.chars().noneMatch(c -> c == ' ' || c == '"' || c == '\\' || c == '=')) {
            return s;
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * The log file must be usable now: a handler exiting 0 has its stderr discarded by Nagios, so a log that
     * cannot be written is a configuration error. Creates missing parent directories.
     */
    static void checkWritable(Path file) {
        try {
            ensureParent(file);
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--log " + file + ": cannot be created or written (" + e.getMessage() + ")", e);
        }
    }

    static void ensureParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
