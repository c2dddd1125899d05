package dev.cfrun.service;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Prometheus and Alertmanager write them: {@code 0}, or whole numbers with a unit, largest first,
 * each unit at most once ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 7d}, {@code 2w}). The
 * command line's options and the rules file read them the same way.
 */
public final class Durations {
    /** Longest text accepted (a bound on the input, far above any sensible duration). */
    static final int MAX_TEXT = 40;
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w)");
    private static final String[] ORDER = {"w", "d", "h", "m", "s", "ms"};
    private static final String EXPECTED = "a duration like 30s, 5m, 1h30m, 7d or 0";

    private Durations() {
    }

    /**
     * @param text the duration, e.g. {@code 5m}
     * @return the duration, never negative
     * @throws IllegalArgumentException one line naming what was expected and what was given
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
            throw new IllegalArgumentException(EXPECTED + ", not " + shown(text));
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        int lastUnit = -1;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException(EXPECTED + ", not " + shown(text));
            }
            int unit = unitIndex(m.group(2));
            if (unit <= lastUnit) {
                throw new IllegalArgumentException(EXPECTED + " (units largest first, each once), not " + shown(text));
            }
            lastUnit = unit;
            total = total.plus(of(Long.parseLong(m.group(1)), m.group(2)));
            at = m.end();
        }
        return total;
    }

    /**
     * The text {@link #parse} reads back as {@code d}, in days and smaller units (no weeks), to the millisecond.
     *
     * @param d a duration, not negative
     * @return e.g. {@code 1h30m}, {@code 30d}, {@code 0}
     */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        long ms = d.toMillis();
        long[] sizes = {7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
        for (int i = 1; i < ORDER.length; i++) {
            if (ms >= sizes[i]) {
                sb.append(ms / sizes[i]).append(ORDER[i]);
                ms %= sizes[i];
            }
        }
        return sb.toString();
    }

    private static int unitIndex(String unit) {
        for (int i = 0; i < ORDER.length; i++) {
            if (ORDER[i].equals(unit)) {
                return i;
            }
        }
        throw new IllegalStateException(unit);
    }

    private static Duration of(long n, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    private static String shown(String text) {
        if (text == null) {
            return "nothing";
        }
        String t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "…" : text;
        return "\"" + t.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
}
