package dev.cfrun.service.store;

import dev.cfrun.service.Trigger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The limits every store applies to what it keeps, and the helpers both stores share. */
public final class Bounds {
    /** At most this many output lines are kept per run. */
    public static final int MAX_OUTPUT_LINES = 2000;
    /** At most this many bytes (UTF-8) of output are kept per run. */
    public static final int MAX_OUTPUT_BYTES = 256 * 1024;
    /** Messages, reasons and error kinds are cut to this many characters. */
    public static final int MAX_TEXT = 1000;
    /** At most this many rows per list query ({@code limit} above is lowered to it). */
    public static final int MAX_LIMIT = 10_000;
    /** The error kind of a run the process died during, set by {@link Store#requeueUnfinished}. */
    public static final String INTERRUPTED = "interrupted";
    /** The longest cooldown a trigger may carry (as the service's own). */
    public static final Duration MAX_COOLDOWN = Duration.ofDays(30);

    private Bounds() {
    }

    /**
     * The output as kept: the first lines within both bounds, then one line telling what was cut.
     *
     * @param output the lines (no {@code null} elements)
     * @return the kept lines
     */
    public static List<String> output(List<String> output) {
        Objects.requireNonNull(output, "output");
        List<String> kept = new ArrayList<>(Math.min(output.size(), MAX_OUTPUT_LINES) + 1);
        long bytes = 0;
        int i = 0;
        for (; i < output.size() && kept.size() < MAX_OUTPUT_LINES; i++) {
            String line = Objects.requireNonNull(output.get(i), "output line");
            int len = line.getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes + len > MAX_OUTPUT_BYTES) {
                break;
            }
            bytes += len;
            kept.add(line);
        }
        if (i < output.size()) {
            kept.add("[cfrun-service: " + (output.size() - i) + " more output lines not kept]");
        }
        return List.copyOf(kept);
    }

    /**
     * A text cut to {@link #MAX_TEXT} characters.
     *
     * @param s the text, or {@code null}
     * @return the text as kept, {@code null} for {@code null}
     */
    public static String text(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }

    /**
     * An instant as kept: to the microsecond.
     *
     * @param t the instant
     * @return it, truncated
     */
    public static Instant instant(Instant t) {
        return Objects.requireNonNull(t, "instant").truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * A list limit, checked and capped at {@link #MAX_LIMIT}.
     *
     * @param limit the asked limit
     * @return the limit to use
     */
    public static int limit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        return Math.min(limit, MAX_LIMIT);
    }

    /**
     * A trigger as kept: required fields checked, lists and labels copied, the instant to the microsecond, its
     * cooldown to the millisecond.
     *
     * @param t the trigger
     * @return the copy
     * @throws NullPointerException naming the missing field
     */
    public static Trigger trigger(Trigger t) {
        Objects.requireNonNull(t, "trigger");
        Objects.requireNonNull(t.source(), "trigger source");
        Objects.requireNonNull(t.host(), "trigger host");
        Objects.requireNonNull(t.classes(), "trigger classes");
        Objects.requireNonNull(t.bundles(), "trigger bundles");
        Map<String, String> labels = t.labels() == null ? Map.of() : Map.copyOf(t.labels());
        return new Trigger(t.source(), t.dedupeKey(), t.cooldownKey(), t.group(), instant(t.receivedAt()), t.host(),
                List.copyOf(t.classes()), List.copyOf(t.bundles()), labels, cooldown(t.cooldown()));
    }

    /**
     * A trigger's own cooldown as kept: to the millisecond.
     *
     * @param d the cooldown, or {@code null} (the service's)
     * @return it, truncated; {@code null} for {@code null}
     * @throws IllegalArgumentException if negative or longer than {@link #MAX_COOLDOWN}
     */
    public static Duration cooldown(Duration d) {
        if (d == null) {
            return null;
        }
        if (d.isNegative() || d.compareTo(MAX_COOLDOWN) > 0) {
            throw new IllegalArgumentException("trigger cooldown must be from 0 to " + MAX_COOLDOWN + ": " + d);
        }
        return d.truncatedTo(ChronoUnit.MILLIS);
    }
}
