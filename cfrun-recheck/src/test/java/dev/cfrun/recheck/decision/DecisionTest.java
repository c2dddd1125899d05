package dev.cfrun.recheck.decision;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every state × type × attempt × rule set against an oracle written here from the classic handler's rule:
 * act iff the state is one to act on and (HARD and HARD acts, or SOFT at exactly the configured attempt).
 */
class DecisionTest {
    private static final List<String> SERVICE_STATES = List.of("OK", "WARNING", "CRITICAL", "UNKNOWN");
    private static final List<String> HOST_STATES = List.of("UP", "DOWN", "UNREACHABLE");
    private static final List<String> TYPES = List.of("SOFT", "HARD");

    /** A rule set as the command line gives it (the name is what an admin would write). */
    private record RuleSet(String name, Set<String> states, int softAttempt, boolean onHard) {
        Decision.Rules rules() {
            return new Decision.Rules(states, softAttempt, onHard);
        }
    }

    private static List<RuleSet> ruleSets(boolean host) {
        String problem = host ? "DOWN" : "CRITICAL";
        return List.of(
                new RuleSet("default", Set.of(problem), 3, true),
                new RuleSet("--soft-attempt 1", Set.of(problem), 1, true),
                new RuleSet("--soft-attempt 0", Set.of(problem), 0, true),
                new RuleSet("--no-hard", Set.of(problem), 3, false),
                host ? new RuleSet("--states DOWN,UNREACHABLE", Set.of("DOWN", "UNREACHABLE"), 3, true)
                        : new RuleSet("--states CRITICAL,WARNING", Set.of("CRITICAL", "WARNING"), 3, true));
    }

    /** The oracle: the classic handler's rule, written independently of {@link Decision}. */
    private static boolean oracle(RuleSet r, String state, String type, int attempt) {
        if (!r.states().contains(state)) {
            return false;
        }
        if (type.equals("HARD")) {
            return r.onHard();
        }
        return r.softAttempt() != 0 && attempt == r.softAttempt();
    }

    @Test
    void defaultRulesAreTheClassicHandlers() {
        assertEquals(new Decision.Rules(Set.of("CRITICAL"), 3, true), Decision.Rules.defaults(false));
        assertEquals(new Decision.Rules(Set.of("DOWN"), 3, true), Decision.Rules.defaults(true));
    }

    @TestFactory
    Stream<DynamicTest> serviceEvents() {
        return combinations(false, SERVICE_STATES);
    }

    @TestFactory
    Stream<DynamicTest> hostEvents() {
        return combinations(true, HOST_STATES);
    }

    private static Stream<DynamicTest> combinations(boolean host, List<String> states) {
        List<DynamicTest> tests = new ArrayList<>();
        for (RuleSet r : ruleSets(host)) {
            for (String state : states) {
                for (String type : TYPES) {
                    for (int attempt = 1; attempt <= 5; attempt++) {
                        int a = attempt;
                        boolean expected = oracle(r, state, type, a);
                        String name = (host ? "host " : "service ") + state + " " + type + " " + a + " [" + r.name()
                                + "] -> " + (expected ? "act" : "skip");
                        tests.add(DynamicTest.dynamicTest(name, () -> {
                            Decision.Outcome o = Decision.decide(host, state, type, Integer.toString(a), r.rules());
                            assertEquals(expected, o.act(), name + ": " + o.reason());
                            assertFalse(o.reason() == null || o.reason().isBlank(), "a reason for the log");
                            if (o.act()) {
                                assertTrue(o.reason().contains(state) && o.reason().contains(type),
                                        "the log says what acted: " + o.reason());
                            }
                            // Nagios passes upper case; an admin's hand-written test call may not
                            Decision.Outcome lower = Decision.decide(host, state.toLowerCase(Locale.ROOT),
                                    type.toLowerCase(Locale.ROOT), " " + a + " ", r.rules());
                            assertEquals(o, lower, "case and surrounding blanks do not change the decision");
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    @Test
    void theCombinationsCoverBothOutcomesForEveryRuleSet() {
        // guards the table above against a rule set that never (or always) acts
        for (boolean host : new boolean[] {false, true}) {
            for (RuleSet r : ruleSets(host)) {
                boolean any = false;
                boolean none = false;
                for (String s : host ? HOST_STATES : SERVICE_STATES) {
                    for (String t : TYPES) {
                        for (int a = 1; a <= 5; a++) {
                            boolean act = Decision.decide(host, s, t, Integer.toString(a), r.rules()).act();
                            any |= act;
                            none |= !act;
                        }
                    }
                }
                assertTrue(any && none, r.name());
            }
        }
    }

    @Test
    void recoveriesNeverAct() {
        // recovery calls as Nagios makes them: the attempt is not reset (OK HARD 3, soft recovery OK SOFT 2)
        Decision.Rules all = new Decision.Rules(Set.of("CRITICAL", "WARNING", "UNKNOWN"), 1, true);
        for (String[] e : new String[][] {{"OK", "HARD", "3"}, {"OK", "SOFT", "2"}, {"OK", "SOFT", "1"}}) {
            Decision.Outcome o = Decision.decide(false, e[0], e[1], e[2], all);
            assertFalse(o.act(), String.join(" ", e));
            assertTrue(o.reason().contains("OK"), o.reason());
        }
        assertFalse(Decision.decide(true, "UP", "HARD", "3", new Decision.Rules(Set.of("DOWN", "UNREACHABLE"), 1, true)).act());
    }

    @Test
    void skipReasonsSayWhy() {
        Decision.Rules d = Decision.Rules.defaults(false);
        assertTrue(Decision.decide(false, "WARNING", "HARD", "3", d).reason().contains("CRITICAL"));
        assertTrue(Decision.decide(false, "CRITICAL", "SOFT", "2", d).reason().contains("attempt 3"));
        assertTrue(Decision.decide(false, "CRITICAL", "SOFT", "2", new Decision.Rules(Set.of("CRITICAL"), 0, true))
                .reason().contains("SOFT events are off"));
        assertTrue(Decision.decide(false, "CRITICAL", "HARD", "3", new Decision.Rules(Set.of("CRITICAL"), 3, false))
                .reason().contains("--no-hard"));
    }

    @Test
    void largeAttemptsAreNumbers() {
        Decision.Rules r = new Decision.Rules(Set.of("CRITICAL"), 12, true);
        assertTrue(Decision.decide(false, "CRITICAL", "SOFT", "12", r).act());
        assertTrue(Decision.decide(false, "CRITICAL", "SOFT", "012", r).act(), "leading zero: still attempt 12");
        assertFalse(Decision.decide(false, "CRITICAL", "SOFT", "120", r).act());
    }

    // ---- invalid macros: a misconfigured command definition must say what is wrong ----

    @ParameterizedTest(name = "service {0}/{1}/{2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "''|HARD|3|$SERVICESTATE$ is empty",
            "'   '|HARD|3|$SERVICESTATE$ is empty",
            "CRITICAL|''|3|$SERVICESTATETYPE$ is empty",
            "CRITICAL|HARD|''|$SERVICEATTEMPT$ is empty",
            "$SERVICESTATE$|HARD|3|unexpanded macro",
            "CRITICAL|$SERVICESTATETYPE$|3|unexpanded macro",
            "CRITICAL|HARD|$SERVICEATTEMPT$|unexpanded macro",
            "CRITICAL|HARD|$HOSTATTEMPT$|unexpanded macro",
            "BOGUS|HARD|3|unknown service state 'BOGUS'",
            "CRIT|HARD|3|unknown service state 'CRIT'",
            "2|HARD|3|unknown service state '2'",
            "UP|HARD|3|for host events use --host-event",
            "DOWN|HARD|3|for host events use --host-event",
            "CRITICAL|BOGUS|3|state type must be SOFT or HARD, not 'BOGUS'",
            "CRITICAL|HARD SOFT|3|state type must be SOFT or HARD",
            "CRITICAL|HARD|0|attempt must be a positive number, not '0'",
            "CRITICAL|HARD|x|attempt must be a positive number, not 'x'",
            "CRITICAL|HARD|-1|attempt must be a positive number, not '-1'",
            "CRITICAL|HARD|1.5|attempt must be a positive number",
            "CRITICAL|HARD|3x|attempt must be a positive number",
            "CRITICAL|HARD|99999999999|attempt must be a positive number",
    })
    void invalidServiceMacros(String state, String type, String attempt, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Decision.decide(false, state, type, attempt, Decision.Rules.defaults(false)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @ParameterizedTest(name = "host {0}/{1}/{2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "''|HARD|3|$HOSTSTATE$ is empty",
            "$HOSTSTATE$|HARD|3|unexpanded macro",
            "DOWN|$HOSTSTATETYPE$|3|unexpanded macro",
            "DOWN|HARD|$HOSTATTEMPT$|unexpanded macro",
            "CRITICAL|HARD|3|unknown host state 'CRITICAL'",
            "OK|HARD|3|unknown host state 'OK'",
            "WARNING|SOFT|1|unknown host state 'WARNING'",
            "UNKNOWN|SOFT|1|unknown host state 'UNKNOWN'",
            "DOWN|BOGUS|3|state type must be SOFT or HARD",
            "DOWN|HARD|0|attempt must be a positive number",
    })
    void invalidHostMacros(String state, String type, String attempt, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Decision.decide(true, state, type, attempt, Decision.Rules.defaults(true)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void unknownStateMessageListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Decision.decide(true, "CRITICAL", "HARD", "1", Decision.Rules.defaults(true)));
        for (String s : HOST_STATES) {
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> Decision.decide(false, "BOGUS", "HARD", "1", Decision.Rules.defaults(false)));
        for (String s : SERVICE_STATES) {
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
    }

    @Test
    void invalidMacrosAreRejectedEvenWhenTheRulesWouldSkip() {
        // a broken command definition must show up on the first call, not only when a problem occurs
        Decision.Rules never = new Decision.Rules(Set.of("CRITICAL"), 0, false);
        assertThrows(IllegalArgumentException.class, () -> Decision.decide(false, "OK", "HARD", "$SERVICEATTEMPT$", never));
        assertThrows(IllegalArgumentException.class, () -> Decision.decide(false, "OK", "BOGUS", "1", never));
    }

    // ---- shared with the service: its wording and the states list ----

    @Test
    void theServicesWordingNamesItsFields() {
        Decision.Wording w = new Decision.Wording("state", "state_type", "attempt", "send no service field", "hard=no");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Decision.decide(false, "DOWN", "HARD", "1", Decision.Rules.defaults(false), w));
        assertTrue(e.getMessage().contains("for host events send no service field"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Decision.decide(false, "", "HARD", "1", Decision.Rules.defaults(false), w));
        assertTrue(e.getMessage().startsWith("state is empty"), e.getMessage());
        assertEquals("HARD events are off (hard=no)", Decision.decide(false, "CRITICAL", "HARD", "1",
                new Decision.Rules(Set.of("CRITICAL"), 3, false), w).reason());
        // the same decision as with the handler's words
        assertEquals(Decision.decide(false, "CRITICAL", "SOFT", "3", Decision.Rules.defaults(false)),
                Decision.decide(false, "CRITICAL", "SOFT", "3", Decision.Rules.defaults(false), w));
    }

    @Test
    void icingaMacrosLeftUnexpandedAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Decision.decide(false, "$service.state$", "HARD", "1", Decision.Rules.defaults(false)));
        assertTrue(e.getMessage().contains("unexpanded macro"), e.getMessage());
    }

    @Test
    void statesListsAreCheckedForTheEventKind() {
        assertEquals(List.of("CRITICAL", "WARNING"), List.copyOf(Decision.states(" critical,, Warning ", false)));
        assertEquals(Set.of("DOWN", "UNREACHABLE"), Decision.states("DOWN,UNREACHABLE", true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Decision.states("DOWN", false));
        assertTrue(e.getMessage().contains("'DOWN' is not a service state"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Decision.states(" , ", true));
        assertTrue(e.getMessage().contains("at least one state"), e.getMessage());
    }
}
