package dev.cfrun.service.rules;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cfrun.client.ClassNames;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.ingest.Alert;
import dev.cfrun.service.ingest.AlertStatus;
import dev.cfrun.service.ingest.AlertmanagerPayload;
import dev.cfrun.service.ingest.Decisions;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzzes the rules file reader (YAML, matchers, templates, durations) and then the rules it accepts against a few
 * alerts. The only expected failure is RulesException, whose every error must be one bounded line naming the
 * file; anything else escaping (a Jackson or SnakeYAML exception, a regex error, a StackOverflowError) is a
 * finding, as is an alert lost or counted twice, or a trigger with an invalid class or bundle name. In a normal
 * build this runs the checked-in inputs under src/test/resources/.../RulesFuzzTestInputs/ (regression mode);
 * scripts/fuzz.sh fuzzes.
 */
class RulesFuzzTest {
    private static final Instant NOW = Instant.parse("2026-12-06T22:00:00Z");
    /** Regex steps per match: small, so that a costly regex costs the fuzzer little time. */
    private static final int FUZZ_BUDGET = 100_000;
    private static final AlertmanagerPayload ALERTS = new AlertmanagerPayload("4", "g", AlertStatus.FIRING, "r", 0,
            List.of(alert(AlertStatus.FIRING, Map.of("alertname", "WebDown", "cfrun_host", "web1", "severity", "page")),
                    alert(AlertStatus.FIRING, Map.of("alertname", "Disk Full!", "instance", "http://db1:9100/x",
                            "cfrun_port", "5309")),
                    alert(AlertStatus.RESOLVED, Map.of("alertname", "WebDown", "instance", "[::1]:9100")),
                    alert(AlertStatus.FIRING, Map.of("job", "node"))));

    private static Alert alert(AlertStatus s, Map<String, String> labels) {
        return new Alert(s, labels, Map.of("summary", "it is down", "bundle", "fix_it"),
                Instant.parse("2026-12-06T20:00:00Z"), Optional.empty(), "fp" + labels.hashCode(), "");
    }

    @FuzzTest(maxDuration = "30m")
    void rulesFile(byte[] data) {
        RuleSet rules;
        try {
            rules = RulesFile.parse("f.yml", data);
        } catch (RulesException e) {
            for (String line : e.errors()) {
                if (!line.startsWith("f.yml:") || line.length() > 1000 || line.chars().anyMatch(c -> c < ' ')) {
                    throw new AssertionError("not a one-line error: " + line);
                }
            }
            return;
        }
        Decisions d = rules.apply(ALERTS, NOW);
        if (d.triggers().size() + d.skipped().size() + d.resolved().size() != ALERTS.alerts().size()) {
            throw new AssertionError("an alert was lost or counted twice");
        }
        for (Trigger t : d.triggers()) {
            if (t.host() == null || t.classes().stream().anyMatch(c -> !ClassNames.isValid(c))
                    || t.bundles().stream().anyMatch(b -> !ClassNames.isValid(b))) {
                throw new AssertionError("invalid trigger: " + t);
            }
        }
        rules.summary();
    }

    @FuzzTest(maxDuration = "30m")
    void matcher(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        int split = s.indexOf('\u0000');
        String text = split < 0 ? s : s.substring(0, split);
        String value = split < 0 ? "" : s.substring(split + 1, Math.min(s.length(), split + 1 + 256));
        try {
            for (Matcher m : Matcher.parseAll(text, FUZZ_BUDGET)) {
                try {
                    m.matches(Map.of(m.name(), value));
                } catch (Undecided e) {
                    // bounded: the budget did its job
                }
                Matcher.parse(m.toString());
            }
        } catch (InvalidRule e) {
            if (e.getMessage().isEmpty() || e.getMessage().contains("\n")) {
                throw new AssertionError("not a one-line error: " + e.getMessage());
            }
        }
    }
}
