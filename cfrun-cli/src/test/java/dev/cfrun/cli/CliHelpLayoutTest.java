package dev.cfrun.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --help} of cfrun and of each subcommand, laid out for an 80-column terminal: no line longer,
 * and no phrase broken across lines (a parenthesis opened on one line and closed on the next, or one of
 * the phrases below split).
 */
class CliHelpLayoutTest {
    private static final PrintStream NULL = new PrintStream(OutputStream.nullOutputStream());

    /** Phrases a wrap at the wrong place would split, by the command whose help shows them. */
    private static final Map<String, List<String>> PHRASES = Map.of(
            "cfrun", List.of("cf-runagent style:  cfrun [OPTIONS] -H", "cfrun 2.x style:    cfrun [OPTIONS] -f", "(default: all)",
                    "--trust tofu", "else ~/.cfrun.", "needs allowlegacyconnects", "(someone on the path can force"
                            + " classic)", "(default 30)", "0 = none (default)", "(for allowusers and roles)",
                    "the number of hosts that did not return 0 (at most 100)", "(root-MD5=….pub)"),
            "keygen", List.of("Never overwrites a key.", "(PKCS#1 PEM, RSA, e=65537, mode 0600)"),
            "trust", List.of("'cf-key -p'", "101 local error", "only a new key", "verified it on the server"),
            "digest", List.of("MD5=… (or SHA=… with --sha)"),
            "completion", List.of("bin/cfrun completion > /etc/bash_completion.d/cfrun"));

    /** Each command's usage help, as --help prints it. */
    private static Map<String, String> usages() {
        CommandLine root = Picocli.commandLine(new CfRunCommand(new RunOptions(), NULL, NULL,
                InputStream.nullInputStream()), NULL, NULL, InputStream.nullInputStream());
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cfrun", root.getUsageMessage(CommandLine.Help.Ansi.OFF));
        root.getSubcommands().forEach((name, sub) -> m.put(name, sub.getUsageMessage(CommandLine.Help.Ansi.OFF)));
        return m;
    }

    @Test
    void everyLineFitsEightyColumnsAndNoParenthesisSpansLines() {
        Map<String, String> usages = usages();
        assertEquals(List.of("cfrun", "keygen", "digest", "trust", "completion"), List.copyOf(usages.keySet()));
        List<String> bad = new ArrayList<>();
        usages.forEach((command, text) -> {
            for (String line : text.split("\r?\n")) {
                if (line.codePointCount(0, line.length()) > 80) {
                    bad.add(command + ": longer than 80: " + line);
                }
                if (line.chars().filter(c -> c == '(').count() != line.chars().filter(c -> c == ')').count()) {
                    bad.add(command + ": parenthesis across lines: " + line);
                }
            }
        });
        assertEquals(List.of(), bad);
    }

    @Test
    void knownPhrasesAreNotSplit() {
        Map<String, String> usages = usages();
        PHRASES.forEach((command, phrases) -> {
            List<String> lines = List.of(usages.get(command).split("\r?\n"));
            for (String phrase : phrases) {
                assertTrue(lines.stream().anyMatch(l -> l.contains(phrase)),
                        command + ": '" + phrase + "' on one line in:\n" + usages.get(command));
            }
        });
    }
}
