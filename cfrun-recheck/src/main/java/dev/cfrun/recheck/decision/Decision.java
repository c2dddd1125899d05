package dev.cfrun.recheck.decision;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether to act on a Nagios / Naemon / Icinga 2 event, as the classic event handler decided it: a problem
 * state, HARD, or SOFT at exactly the configured attempt (the article's handler: CRITICAL SOFT at attempt 3, or
 * CRITICAL HARD). Recoveries and other states do nothing. A pure function of the event and the rules, shared by
 * the event handler ({@code bin/cfrun-event-handler}) and the resident service ({@code POST /v1/nagios}).
 */
public final class Decision {
    /** The service states Nagios and Icinga 2 report. */
    public static final Set<String> SERVICE_STATES = Set.of("OK", "WARNING", "CRITICAL", "UNKNOWN");
    /** The host states Nagios and Icinga 2 report. */
    public static final Set<String> HOST_STATES = Set.of("UP", "DOWN", "UNREACHABLE");

    /**
     * @param act    true to run the remote agent
     * @param reason why, in words for the log
     */
    public record Outcome(boolean act, String reason) {
    }

    /**
     * The rules: which states act, SOFT at which attempt (0 = never), and whether HARD acts.
     *
     * @param states      the states to act on (upper case)
     * @param softAttempt act on SOFT at exactly this attempt; 0 = never on SOFT
     * @param onHard      act on HARD
     */
    public record Rules(Set<String> states, int softAttempt, boolean onHard) {
        /** An unmodifiable copy of the states. */
        public Rules {
            states = Set.copyOf(states);
        }

        /**
         * The classic handler's rules: CRITICAL (DOWN for a host) HARD, or SOFT at attempt 3.
         *
         * @param hostEvent a host event (host states) rather than a service event
         * @return the rules
         */
        public static Rules defaults(boolean hostEvent) {
            return new Rules(Set.of(hostEvent ? "DOWN" : "CRITICAL"), 3, true);
        }
    }

    /**
     * How the messages name the event's three values and the two switches: the handler's macros and options, or
     * the service's request fields.
     *
     * @param state         the state's name, e.g. {@code $SERVICESTATE$}
     * @param stateType     the state type's name, e.g. {@code $SERVICESTATETYPE$}
     * @param attempt       the attempt's name, e.g. {@code $SERVICEATTEMPT$}
     * @param hostEventHint how to send a host event instead, e.g. {@code use --host-event}
     * @param noHard        what turned HARD events off, e.g. {@code --no-hard}
     */
    public record Wording(String state, String stateType, String attempt, String hostEventHint, String noHard) {
        /**
         * The event handler's words: Nagios' macros and its options.
         *
         * @param hostEvent host macros rather than service macros
         * @return the wording
         */
        public static Wording handler(boolean hostEvent) {
            return hostEvent ? new Wording("$HOSTSTATE$", "$HOSTSTATETYPE$", "$HOSTATTEMPT$", "use --host-event",
                    "--no-hard")
                    : new Wording("$SERVICESTATE$", "$SERVICESTATETYPE$", "$SERVICEATTEMPT$", "use --host-event",
                    "--no-hard");
        }
    }

    private Decision() {
    }

    /**
     * Validates the macros Nagios passed to the handler (a misconfigured command definition shows up here) and
     * decides; messages name the handler's macros and options.
     *
     * @throws IllegalArgumentException with a message for the admin, for macros that cannot be right
     */
    public static Outcome decide(boolean hostEvent, String state, String stateType, String attempt, Rules rules) {
        return decide(hostEvent, state, stateType, attempt, rules, Wording.handler(hostEvent));
    }

    /**
     * Validates the event's values and decides.
     *
     * @param hostEvent a host event (host states) rather than a service event
     * @param state     the state (any case, surrounding blanks ignored)
     * @param stateType SOFT or HARD (any case)
     * @param attempt   the check attempt, a positive number
     * @param rules     which events act
     * @param words     how messages name the values
     * @return act or not, and why
     * @throws IllegalArgumentException with a one-line message for the admin, for values that cannot be right
     */
    public static Outcome decide(boolean hostEvent, String state, String stateType, String attempt, Rules rules,
                                 Wording words) {
        String s = macro(state, words.state()).toUpperCase(Locale.ROOT);
        String t = macro(stateType, words.stateType()).toUpperCase(Locale.ROOT);
        String a = macro(attempt, words.attempt());
        Set<String> known = hostEvent ? HOST_STATES : SERVICE_STATES;
        if (!known.contains(s)) {
            throw new IllegalArgumentException("unknown " + (hostEvent ? "host" : "service") + " state '" + state
                    + "' (expected one of " + sorted(known)
                    + (hostEvent ? "" : "; for host events " + words.hostEventHint()) + ")");
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
            return rules.onHard() ? new Outcome(true, s + " HARD")
                    : new Outcome(false, "HARD events are off (" + words.noHard() + ")");
        }
        if (rules.softAttempt() > 0 && n == rules.softAttempt()) {
            return new Outcome(true, s + " SOFT at attempt " + n);
        }
        return new Outcome(false, "SOFT attempt " + n + (rules.softAttempt() > 0
                ? " (acting at attempt " + rules.softAttempt() + ")" : " (SOFT events are off)"));
    }

    /**
     * The states of a comma-separated list ({@code critical, warning}), upper case, in order, blanks ignored.
     *
     * @param list      the list
     * @param hostEvent host states rather than service states
     * @return the states, at least one
     * @throws IllegalArgumentException for an empty list or a state that is not a host (service) state
     */
    public static Set<String> states(String list, boolean hostEvent) {
        Set<String> s = new LinkedHashSet<>();
        for (String p : list.split(",", 64)) {
            if (!p.isBlank()) {
                s.add(p.strip().toUpperCase(Locale.ROOT));
            }
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("at least one state is needed");
        }
        checkStates(s, hostEvent);
        return s;
    }

    /**
     * Checks that every state is one of the event kind's.
     *
     * @param states    upper-case states
     * @param hostEvent host states rather than service states
     * @throws IllegalArgumentException naming the first state that is not
     */
    public static void checkStates(Set<String> states, boolean hostEvent) {
        Set<String> known = hostEvent ? HOST_STATES : SERVICE_STATES;
        for (String s : states) {
            if (!known.contains(s)) {
                throw new IllegalArgumentException("'" + s + "' is not a " + (hostEvent ? "host" : "service")
                        + " state (" + sorted(known) + ")");
            }
        }
    }

    /**
     * Rejects empty values and macros the monitoring system did not expand (a typo in the command definition).
     *
     * @param value the value as passed
     * @param name  what it should have been, for the message (e.g. {@code $HOSTADDRESS$})
     * @return the value without surrounding blanks
     * @throws IllegalArgumentException if empty or an unexpanded macro
     */
    public static String macro(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is empty: check the event handler's command definition");
        }
        String v = value.strip();
        if (v.matches(".*\\$[A-Za-z0-9_.]+\\$.*")) {
            throw new IllegalArgumentException("'" + v + "' is an unexpanded macro: check the command definition"
                    + " (expected " + name + ")");
        }
        return v;
    }

    private static String sorted(Set<String> states) {
        return String.join(", ", List.copyOf(states).stream().sorted().toList());
    }
}
