package dev.cfrun.nagios;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cfrun.recheck.decision.Decision;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Fuzzes what Nagios hands the event handler: the command line (macros, options) and the class templates.
 * An input is an argument vector as the kernel holds it (/proc/PID/cmdline: each argument ends with a NUL
 * byte, so no argument contains one). The parsers' own error is IllegalArgumentException with a message (a
 * configuration error, exit 2); its subclasses NumberFormatException, PatternSyntaxException and
 * InvalidPathException are not: they would be a library call failing on input the parser did not check, and
 * are findings. A template's result is always a valid CFEngine class name. In a normal build these run the
 * checked-in inputs under src/test/resources/.../MacrosFuzzTestInputs/ (regression mode); scripts/fuzz.sh
 * fuzzes.
 */
class MacrosFuzzTest {

    /** The NUL-separated arguments of {@code data} (a trailing NUL ends the last one, as in /proc/PID/cmdline). */
    static String[] argv(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        if (s.isEmpty()) {
            return new String[0];
        }
        String[] a = s.split("\0", -1);
        return s.endsWith("\0") ? Arrays.copyOf(a, a.length - 1) : a;
    }

    /** Only the parser's own IllegalArgumentException is expected; the library's subclasses are findings. */
    private static void expected(IllegalArgumentException e) {
        if (e instanceof NumberFormatException || e instanceof PatternSyntaxException
                || e instanceof InvalidPathException) {
            throw e;
        }
    }

    @FuzzTest(maxDuration = "30m")
    void commandLine(byte[] data) {
        String[] args = argv(data);
        try {
            HandlerOptions o = HandlerOptions.parse(args);
            if (!o.help) {
                Decision.decide(o.hostEvent, o.state, o.stateType, o.attempt,
                        new Decision.Rules(o.states, o.softAttempt, !o.noHard));
            }
        } catch (IllegalArgumentException e) {
            expected(e); // a configuration error with a message
        }
    }

    /** The first argument is the template, the next ones the values of Templates.VARIABLES in their order. */
    @FuzzTest(maxDuration = "30m")
    void templates(byte[] data) {
        String[] args = argv(data);
        if (args.length == 0) {
            return;
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < Templates.VARIABLES.size() && i + 1 < args.length; i++) {
            values.put(Templates.VARIABLES.get(i), args[i + 1]);
        }
        try {
            String name = Templates.expand(args[0], values, "class");
            if (!name.matches("[A-Za-z0-9_:]+")) {
                throw new AssertionError("not a class name: " + name);
            }
        } catch (IllegalArgumentException e) {
            expected(e); // unknown variable, missing value, or a template that is not a class name
        }
    }
}
