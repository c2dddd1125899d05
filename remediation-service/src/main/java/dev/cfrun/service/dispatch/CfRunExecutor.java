package dev.cfrun.service.dispatch;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.store.Bounds;
import dev.cfrun.service.store.RunOutcome;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The real {@link RunExecutor}: one {@link CfRunClient#run} per call, on the library (no process started).
 * The output is kept as it arrives, bounded by lines and bytes (the rest is counted, not kept), so a chatty or
 * hostile server costs constant memory; the client's own output-line limit and timeouts bound the time.
 * Failures become outcomes: the error kind is the library's {@link dev.cfrun.client.ErrorKind} in lower case
 * ({@code connect}, {@code timeout}, {@code refused}, {@code unknown_server_key}…), or {@code invalid_request}
 * for classes or bundles the request cannot carry (nothing is sent then); the message is the error's one line
 * with its likely causes.
 */
public final class CfRunExecutor implements RunExecutor {
    /** The error kind of a request that could not be built (invalid names, too long): nothing was sent. */
    public static final String INVALID_REQUEST = "invalid_request";
    private static final int MAX_MESSAGE = 1000;

    private final CfRunClient client;
    private final ServiceEvents events;
    private final Clock clock;
    private final int maxLines;
    private final int maxBytes;

    /**
     * An executor keeping at most the store's output bounds ({@link Bounds#MAX_OUTPUT_LINES} lines,
     * {@link Bounds#MAX_OUTPUT_BYTES} bytes).
     *
     * @param client the library client (work dir, keys, trust policy, timeouts); not closed by this executor
     * @param clock  the end time of the outcomes
     */
    public CfRunExecutor(CfRunClient client, Clock clock) {
        this(client, clock, ServiceEvents.NONE);
    }

    /**
     * An executor keeping at most the store's output bounds, telling {@code events} of each handshake's time.
     *
     * @param client the library client; not closed by this executor
     * @param clock  the end time of the outcomes
     * @param events told of the handshake time of each run that got through its handshake
     */
    public CfRunExecutor(CfRunClient client, Clock clock, ServiceEvents events) {
        this(client, clock, Bounds.MAX_OUTPUT_LINES, Bounds.MAX_OUTPUT_BYTES, events);
    }

    /**
     * An executor with its own output bounds.
     *
     * @param client   the library client; not closed by this executor
     * @param clock    the end time of the outcomes
     * @param maxLines output lines kept per run, at least 1
     * @param maxBytes output bytes (UTF-8) kept per run, at least 1
     */
    public CfRunExecutor(CfRunClient client, Clock clock, int maxLines, int maxBytes) {
        this(client, clock, maxLines, maxBytes, ServiceEvents.NONE);
    }

    private CfRunExecutor(CfRunClient client, Clock clock, int maxLines, int maxBytes, ServiceEvents events) {
        this.events = Objects.requireNonNull(events, "events");
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxLines < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("output bounds must be at least 1: " + maxLines + ", " + maxBytes);
        }
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    @Override
    public RunOutcome execute(HostAddress host, List<String> classes, List<String> bundles) {
        Output out = new Output(maxLines, maxBytes);
        RunRequest request;
        try {
            request = RunRequest.builder(host).defineClasses(classes).bundles(bundles)
                    .listener((h, address, line) -> out.add(line)).retainOutput(false).build();
        } catch (IllegalArgumentException e) {
            return new RunOutcome(clock.instant(), OptionalInt.empty(), INVALID_REQUEST, oneLine(e.getMessage()),
                    List.of());
        }
        try {
            RunResult r = client.run(request);
            if (r.timings() != null && r.timings().handshake() != null) {
                events.handshake(host, r.timings().handshake());
            }
            String message = r.exitCode().isPresent() ? "exit code " + r.exitCode().getAsInt()
                    : "the server sent no exit code";
            return new RunOutcome(clock.instant(), r.exitCode(), null, message, out.lines());
        } catch (CfRunException e) {
            String message = e.getMessage();
            if (!e.likelyCauses().isEmpty()) {
                message += " (likely: " + String.join("; ", e.likelyCauses()) + ")";
            }
            return new RunOutcome(clock.instant(), OptionalInt.empty(), e.kind().name().toLowerCase(Locale.ROOT),
                    oneLine(message), out.lines());
        }
    }

    private static String oneLine(String s) {
        String t = s == null ? "" : s.replaceAll("[\\r\\n]+", " ").strip();
        return t.length() > MAX_MESSAGE ? t.substring(0, MAX_MESSAGE) + "…" : t;
    }

    /** The kept lines of one run: agent output and server messages, bounded; thread-confined to the run. */
    private static final class Output {
        private final int maxLines;
        private final int maxBytes;
        private final List<String> kept = new ArrayList<>();
        private int bytes;
        private long dropped;

        Output(int maxLines, int maxBytes) {
            this.maxLines = maxLines;
            this.maxBytes = maxBytes;
        }

        void add(ReplyLine line) {
            String text = switch (line.kind()) {
                case OUTPUT -> line.text();
                case REFUSAL, MESSAGE -> line.raw().strip();
                case COMMAND, EXIT_CODE -> null; // in the outcome's message and exit code
            };
            if (text == null) {
                return;
            }
            int size = text.getBytes(StandardCharsets.UTF_8).length + 1;
            if (kept.size() >= maxLines - 1 || bytes + size > maxBytes) {
                dropped++;
                return;
            }
            kept.add(text);
            bytes += size;
        }

        List<String> lines() {
            if (dropped == 0) {
                return List.copyOf(kept);
            }
            List<String> all = new ArrayList<>(kept);
            all.add("… " + dropped + " more line(s) not kept");
            return List.copyOf(all);
        }
    }
}
