package dev.cfrun.recheck;

import java.util.Objects;

/**
 * The result of one {@link Recheck#request}: the check was scheduled, or it was unavailable with a one-line
 * reason meant for a log line. Immutable.
 */
public final class Outcome {
    private static final int MAX_REASON = 300;
    private static final Outcome SCHEDULED = new Outcome(true, "");

    private final boolean scheduled;
    private final String reason;

    private Outcome(boolean scheduled, String reason) {
        this.scheduled = scheduled;
        this.reason = reason;
    }

    /** The monitoring system accepted the request for a forced check. */
    public static Outcome scheduled() {
        return SCHEDULED;
    }

    /** The re-check could not be requested; {@code reason} is made one line (control characters become spaces). */
    public static Outcome unavailable(String reason) {
        Objects.requireNonNull(reason, "reason");
        String r = oneLine(reason).strip();
        return new Outcome(false, r.isEmpty() ? "unknown reason" : r);
    }

    /** True when the check was scheduled. */
    public boolean isScheduled() {
        return scheduled;
    }

    /** Why it was unavailable; empty when scheduled. */
    public String reason() {
        return reason;
    }

    /** {@code scheduled} or {@code unavailable}: the value of a log field such as {@code verify=}. */
    public String word() {
        return scheduled ? "scheduled" : "unavailable";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome other && other.scheduled == scheduled && other.reason.equals(reason);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(scheduled) * 31 + reason.hashCode();
    }

    @Override
    public String toString() {
        return scheduled ? "scheduled" : "unavailable: " + reason;
    }

    /** {@code s} on one line of at most 300 characters: control characters become spaces. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_REASON + 1));
        for (int i = 0; i < s.length() && b.length() < MAX_REASON; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        if (s.length() > MAX_REASON) {
            b.append('…');
        }
        return b.toString();
    }
}
