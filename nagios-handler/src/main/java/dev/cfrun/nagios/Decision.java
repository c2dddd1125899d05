package dev.cfrun.nagios;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether to act on an event, as the classic event handler decided it: a problem state, HARD, or SOFT at
 * exactly the configured attempt (the article's handler: CRITICAL SOFT at attempt 3, or CRITICAL HARD).
 * Recoveries and other states do nothing. A pure function of the macros and the configuration.
 */
public final class Decision {
    static final Set<String> SERVICE_STATES = Set.of("OK", "WARNING", "CRITICAL", "UNKNOWN");
    static final Set<String> HOST_STATES = Set.of("UP", "DOWN", "UNREACHABLE");

    /**
     * @param act    true to run the remote agent
     * @param reason why, in words for the log
     */
    public record Outcome(boolean act, String reason) {
    }

    /** The rules: which states act, SOFT at which attempt (0 = never), and whether HARD acts. */
    public record Rules(Set<String> states, int softAttempt, boolean onHard) {
        public Rules {
            states = Set.copyOf(states);
        }

        static Rules defaults(boolean hostEvent) {
            return new Rules(Set.of(hostEvent ? "DOWN" : "CRITICAL"), 3, true);
        }
    }

    private Decision() {
    }

    /**
     * Validates the macros Nagios passed (a misconfigured command definition shows up here) and decides.
     *
     * @throws IllegalArgumentException with a message for the admin, for macros that cannot be right
     */
    public static Outcome decide(boolean hostEvent, String state, String stateType, String attempt, Rules rules) {
        String s = macro(state, hostEvent ? "$HOSTSTATE$" : "$SERVICESTATE$").toUpperCase(Locale.ROOT);
        String t = macro(stateType, hostEvent ? "$HOSTSTATETYPE$" : "$SERVICESTATETYPE$").toUpperCase(Locale.ROOT);
        String a = macro(attempt, hostEvent ? "$HOSTATTEMPT$" : "$SERVICEATTEMPT$");
        Set<String> known = hostEvent ? HOST_STATES : SERVICE_STATES;
        if (!known.contains(s)) {
            throw new IllegalArgumentException("unknown " + (hostEvent ? "host" : "service") + " state '" + state
                    + "' (expected one of " + String.join(", ", List.copyOf(known).stream().sorted().toList())
                    + (hostEvent ? "" : "; for host events use --host-event") + ")");
        }
        if (!t.equals("SOFT") && !t.equals("HARD")) {
            throw new IllegalArgumentException("state type must be SOFT or HARD, not '" + stateType + "'");
        }
        if (!a.matches("\\d{1,6}") || Integer.parseInt(a) < 1) {
            throw new IllegalArgumentException("attempt must be a positive number, not '" + attempt + "'");
        }
        int n = Integer.parseInt(a);
        if (!rules.states().contains(s)) {
            return new Outcome(false, "state " + s + " is not one to act on (" + String.join(",",
                    rules.states().stream().sorted().toList()) + ")");
        }
        if (t.equals("HARD")) {
            return rules.onHard() ? new Outcome(true, s + " HARD") : new Outcome(false, "HARD events are off (--no-hard)");
        }
        if (rules.softAttempt() > 0 && n == rules.softAttempt()) {
            return new Outcome(true, s + " SOFT at attempt " + n);
        }
        return new Outcome(false, "SOFT attempt " + n + (rules.softAttempt() > 0
                ? " (acting at attempt " + rules.softAttempt() + ")" : " (SOFT events are off)"));
    }

    /** Rejects empty values and macros Nagios did not expand (a typo in the command definition). */
    static String macro(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is empty: check the event handler's command definition");
        }
        String v = value.strip();
        if (v.matches(".*\\$[A-Z0-9_]+\\$.*")) {
            throw new IllegalArgumentException("'" + v + "' is an unexpanded macro: check the command definition"
                    + " (expected " + name + ")");
        }
        return v;
    }
}
