package dev.cfrun.nagios;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import java.util.HashMap;
import java.util.Map;

/**
 * Fuzzes what Nagios hands the event handler: the command line (macros, options) and the class templates.
 * Only IllegalArgumentException (a configuration error, exit 2) or a decision; a template's result is
 * always a valid CFEngine class name.
 */
class MacrosFuzzTest {

    @FuzzTest(maxDuration = "30m")
    void commandLine(FuzzedDataProvider data) {
        String[] args = new String[data.consumeInt(0, 12)];
        for (int i = 0; i < args.length; i++) {
            args[i] = data.consumeString(40);
        }
        try {
            HandlerOptions o = HandlerOptions.parse(args);
            if (!o.help) {
                Decision.decide(o.hostEvent, o.state, o.stateType, o.attempt,
                        new Decision.Rules(o.states, o.softAttempt, !o.noHard));
            }
        } catch (IllegalArgumentException expected) {
            // a configuration error with a message
        }
    }

    @FuzzTest(maxDuration = "30m")
    void templates(FuzzedDataProvider data) {
        Map<String, String> values = new HashMap<>();
        for (String v : Templates.VARIABLES) {
            values.put(v, data.consumeString(30));
        }
        String template = data.consumeRemainingAsString();
        try {
            String name = Templates.expand(template, values, "class");
            if (!name.matches("[A-Za-z0-9_:]+")) {
                throw new AssertionError("not a class name: " + name);
            }
        } catch (IllegalArgumentException expected) {
            // unknown variable, missing value, or a template that is not a class name
        }
    }
}
