package dev.cfrun.cli;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ChangedServerKeyException;
import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.HostOutcome;
import dev.cfrun.client.OutputListener;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.RunTimeoutException;
import dev.cfrun.client.ServerKeyException;
import dev.cfrun.client.ServerRefusedException;
import dev.cfrun.client.keys.KeyFiles;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints what the hosts answered: text as cf-runagent prints it, or one JSON object per host; each host's
 * lines together (never interleaved with another host's), optionally in the order the hosts were given;
 * or one file per host. Keeps the counts for the final summary. Thread-safe: fan-out workers call it.
 */
final class Reporter {
    enum Format { TEXT, JSON }

    private final PrintStream out;
    private final PrintStream err;
    private final Format format;
    private final boolean streaming;
    private final boolean sorted;
    private final Path outputDir;
    private final int total;
    private final boolean progress;
    private final StringBuilder[] buffers;
    private final Map<Integer, String[]> pending = new TreeMap<>();
    private int nextToPrint;
    private int done;
    private int ok;
    private int failed;
    private int unreachable;
    private int cancelled;
    private final List<Path> files = new ArrayList<>();

    Reporter(PrintStream out, PrintStream err, Format format, boolean streaming, boolean sorted, Path outputDir,
             int total, boolean progress) {
        this.out = out;
        this.err = err;
        this.format = format;
        this.streaming = streaming && format == Format.TEXT && outputDir == null;
        this.sorted = sorted;
        this.outputDir = outputDir;
        this.total = total;
        this.progress = progress;
        this.buffers = new StringBuilder[total];
    }

    /** Whether results must keep their lines (JSON needs them). */
    boolean needsRetainedLines() {
        return format == Format.JSON;
    }

    /** The per-host listener: prints at once when streaming, else collects the host's text block. */
    OutputListener listener(int index) {
        if (format != Format.TEXT) {
            return null;
        }
        if (streaming) {
            return (host, address, line) -> {
                synchronized (this) {
                    out.print(TextOutput.format(address, line));
                }
            };
        }
        StringBuilder b = new StringBuilder();
        buffers[index] = b;
        return (host, address, line) -> b.append(TextOutput.format(address, line));
    }

    synchronized void done(HostOutcome o) {
        String block;
        if (format == Format.JSON) {
            block = json(o) + "\n";
        } else {
            StringBuilder b = buffers[o.index()];
            block = b == null ? "" : b.toString();
            buffers[o.index()] = null;
        }
        String errorLine = o.error().filter(e -> e.kind() != ErrorKind.CANCELLED) // counted in the summary
                .map(e -> "cfrun: " + o.request().host() + ": " + Errors.oneLine(e) + "\n").orElse("");
        String newKey = o.result().filter(RunResult::newlyTrusted)
                .map(r -> "cfrun: " + o.request().host() + ": trusted new server key " + r.serverKeyDigest() + "\n")
                .orElse("");
        if (outputDir != null) {
            Path f = outputDir.resolve(fileName(o));
            try {
                KeyFiles.writeOwnerOnly(f, (block + (format == Format.TEXT ? errorLine : "")).getBytes(StandardCharsets.UTF_8));
                files.add(f);
            } catch (CfRunException e) {
                errorLine += "cfrun: " + o.request().host() + ": cannot write " + f + ": " + e.getMessage() + "\n";
            }
            block = "";
        }
        count(o);
        clearProgress();
        if (sorted) {
            pending.put(o.index(), new String[] {block, newKey + errorLine});
            while (pending.containsKey(nextToPrint)) {
                String[] p = pending.remove(nextToPrint++);
                emit(p[0], p[1]);
            }
        } else {
            emit(block, newKey + errorLine);
        }
        showProgress();
    }

    private void emit(String block, String errors) {
        if (!streaming) {
            out.print(block);
        }
        out.flush();
        if (!errors.isEmpty()) {
            err.print(errors);
            err.flush();
        }
    }

    private void count(HostOutcome o) {
        done++;
        if (o.result().isPresent() && ExitCodes.forHost(o) == 0) {
            ok++;
        } else if (o.error().isPresent()) {
            CfRunException e = o.error().get();
            if (e.kind() == ErrorKind.CONNECT || (e instanceof RunTimeoutException t && t.phase() == RunTimeoutException.Phase.CONNECT)) {
                unreachable++;
            } else if (e.kind() == ErrorKind.CANCELLED) {
                cancelled++;
            } else {
                failed++;
            }
        } else {
            failed++;
        }
    }

    private void clearProgress() {
        if (progress) {
            err.print("\r\033[K");
        }
    }

    private void showProgress() {
        if (progress && done < total) {
            err.print(String.format(Locale.ROOT, "[%d/%d] %d ok, %d failed, %d unreachable", done, total, ok, failed, unreachable));
            err.flush();
        }
    }

    synchronized int failedHosts() {
        return total - ok;
    }

    synchronized String summary(Duration elapsed, boolean interrupted) {
        clearProgress();
        StringBuilder sb = new StringBuilder("cfrun: ");
        sb.append(total).append(total == 1 ? " host" : " hosts");
        if (interrupted) {
            sb.append(", interrupted");
        }
        sb.append(String.format(Locale.ROOT, " in %.1f s: %d ok, %d failed, %d unreachable", elapsed.toMillis() / 1000.0,
                ok, failed, unreachable));
        if (cancelled > 0 || interrupted) {
            sb.append(", ").append(cancelled + (total - done)).append(" cancelled");
        }
        if (outputDir != null) {
            sb.append("; output in ").append(outputDir);
        }
        return sb.toString();
    }

    static String fileName(HostOutcome o) {
        String h = o.request().host().host().replaceAll("[^A-Za-z0-9._-]", "_");
        int port = o.request().host().port();
        return port == dev.cfrun.client.HostAddress.DEFAULT_PORT ? h : h + "_" + port;
    }

    static String json(HostOutcome o) {
        Json.Obj j = Json.object()
                .put("host", o.request().host().host())
                .put("port", o.request().host().port());
        List<ReplyLine> lines;
        if (o.result().isPresent()) {
            RunResult r = o.result().get();
            j.put("address", r.address())
                    .put("protocol", r.protocol().name().toLowerCase(Locale.ROOT))
                    .put("protocol_version", r.protocolVersion())
                    .put("tls_version", r.tlsVersion())
                    .put("cipher_suite", r.cipherSuite())
                    .put("server_key", r.serverKeyDigest())
                    .put("server_key_newly_trusted", r.newlyTrusted())
                    .put("server_authenticated", r.serverAuthenticated())
                    .put("command", r.command())
                    .put("exit_code", r.exitCode())
                    .put("ok", r.succeeded());
            lines = r.lines();
        } else {
            CfRunException e = o.error().orElseThrow();
            String key = e instanceof ServerKeyException k ? k.presentedDigest() : null;
            j.put("address", null).put("protocol", null).put("protocol_version", null).put("tls_version", null)
                    .put("cipher_suite", null).put("server_key", key).put("server_key_newly_trusted", false)
                    .put("server_authenticated", null).put("command", null).put("exit_code", null).put("ok", false);
            lines = e.linesReceived();
        }
        List<String> output = new ArrayList<>();
        List<Object> all = new ArrayList<>();
        for (ReplyLine l : lines) {
            if (l.kind() == ReplyLine.Kind.OUTPUT) {
                output.add(l.text());
            }
            all.add(Json.object().put("kind", l.kind().name().toLowerCase(Locale.ROOT)).put("text", l.text()));
        }
        j.put("output", output).put("lines", all);
        j.put("error", o.error().map(Reporter::error).orElse(null));
        o.result().ifPresentOrElse(r -> j.put("timings_ms", Json.object()
                        .put("connect", r.timings().connect().toMillis())
                        .put("handshake", r.timings().handshake().toMillis())
                        .put("exec", r.timings().exec().toMillis())
                        .put("total", r.timings().total().toMillis())),
                () -> j.put("timings_ms", Json.object().put("total", o.elapsed().toMillis())));
        return j.toString();
    }

    private static Json.Obj error(CfRunException e) {
        Json.Obj j = Json.object().put("kind", e.kind().name().toLowerCase(Locale.ROOT)).put("message", e.getMessage());
        if (e instanceof RunTimeoutException t) {
            j.put("phase", t.phase().name().toLowerCase(Locale.ROOT));
        }
        if (e instanceof ServerRefusedException r) {
            j.put("server_text", r.serverText());
        }
        if (e instanceof ChangedServerKeyException c) {
            j.put("expected_key", c.expectedDigest());
        }
        return j.put("likely_causes", e.likelyCauses());
    }
}
