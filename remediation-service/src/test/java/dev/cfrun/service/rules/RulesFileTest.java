package dev.cfrun.service.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesFileTest {
    @TempDir
    Path dir;

    static final String EXAMPLE = """
            # the example of docs/alertmanager.md
            rules:
              - name: restart-web
                matchers: ['alertname="WebDown"', 'severity=~"critical|page"', 'env!="dev"']
                host: '{{ .Labels.cfrun_host }}'
                port: '{{ .Labels.cfrun_port }}'
                classes: ['alert_{{ .Labels.alertname }}', 'web_restart']
                bundles: ['restart_web']
                on_resolved: ignore
                cooldown: 10m
                action: run
              - name: record-only
                matchers:
                  - severity = info
                action: skip
              - name: everything-else
            """;

    static RuleSet parse(String yaml) throws RulesException {
        return RulesFile.parse("rules.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> errors(String yaml) {
        return assertThrows(RulesException.class, () -> parse(yaml)).errors();
    }

    @Test
    void theExampleLoads() throws Exception {
        RuleSet rules = parse(EXAMPLE);
        assertEquals(3, rules.size());
        assertEquals(List.of(
                "restart-web (line 3): alertname=\"WebDown\", severity=~\"critical|page\", env!=\"dev\" -> host "
                        + "{{ .Labels.cfrun_host }}, port {{ .Labels.cfrun_port }}; classes alert_{{ .Labels.alertname }} "
                        + "web_restart; bundles restart_web; cooldown 10m",
                "record-only (line 12): severity=\"info\" -> skip",
                "everything-else (line 16): every alert -> host from labels; classes alert_<alertname>"),
                rules.summary());
    }

    @Test
    void errorsNameFileLineColumnAndField() {
        List<String> e = errors("""
                rules:
                  - name: a
                    matchers: ['alertname="X"', 'severity~="critical"']
                    classes: ['ok', 'bad name {{ .Foo }}']
                    bundles: ['no-dashes']
                    on_resolved: maybe
                    cooldown: 10 minutes
                    action: [run]
                    match: {alertname: X}
                    colour: blue
                  - name: a
                  - matchers: []
                  - just a string
                """);
        assertEquals(List.of(
                "rules.yml:3:33: rules[0].matchers[1]: unknown operator \"~=\" (use =, !=, =~ or !~)",
                "rules.yml:4:21: rules[0].classes[1]: {{ .Foo }} at character 10: only {{ .Labels.NAME }}, "
                        + "{{ .Annotations.NAME }} and {{ .Status }} are allowed",
                "rules.yml:5:15: rules[0].bundles[0]: invalid bundle name 'no-dashes': cf-serverd accepts only "
                        + "letters, digits, '_' and ':'",
                "rules.yml:6:18: rules[0].on_resolved: \"maybe\": expected ignore or run",
                "rules.yml:7:15: rules[0].cooldown: a duration like 30s, 5m, 1h30m, 7d or 0, not \"10 minutes\"",
                "rules.yml:8:13: rules[0].action: expected a string, got a list",
                "rules.yml:9:5: rules[0]: unknown field \"match\" (Alertmanager's old form: write matchers: "
                        + "['name=\"value\"', 'name=~\"regex\"'])",
                "rules.yml:10:5: rules[0]: unknown field \"colour\" (known: name, matchers, host, port, classes, "
                        + "bundles, on_resolved, cooldown, action)",
                "rules.yml:11:11: rules[1].name: \"a\" is also the name of rules[0] (line 2) (names are unique)",
                "rules.yml:12:5: rules[2]: missing the field name",
                "rules.yml:13:5: rules[3]: expected a rule (a map with name, matchers, ...), got a string"), e);
        assertTrue(e.stream().noneMatch(l -> l.contains("\n")));
    }

    @Test
    void namesAreUnique() {
        assertEquals(List.of("rules.yml:3:11: rules[1].name: \"a\" is also the name of rules[0] (line 2) "
                + "(names are unique)"), errors("rules:\n  - name: a\n  - name: a\n"));
        assertEquals(List.of("rules.yml:3:13: rules[0].action: \"x\": expected run or skip",
                "rules.yml:4:11: rules[1].name: \"a\" is also the name of rules[0] (line 2) (names are unique)"),
                errors("rules:\n  - name: a\n    action: x\n  - name: a\n"), "a rule with errors still has its name");
        assertTrue(errors("rules:\n  - name: 'a b'\n").get(0).startsWith("rules.yml:2:11: rules[0].name: \"a b\" is "
                + "not a rule name"));
    }

    @Test
    void theFileAsAWhole() {
        assertEquals(List.of("rules.yml: empty (write rules: followed by a list of rules)"), errors(""));
        assertEquals(List.of("rules.yml:1:1: expected a map with the key rules, got a list"), errors("- a\n"));
        assertEquals(List.of("rules.yml:1:1: unknown key \"rule\" (known: rules)", "rules.yml:1:1: missing the key rules"),
                errors("rule: []\n"));
        assertEquals(List.of("rules.yml:1:8: rules: expected a list of rules, got a map"), errors("rules: {a: 1}\n"));
        assertTrue(errors("rules: [\n").get(0).startsWith("rules.yml:"), errors("rules: [\n").get(0));
        String dup = errors("rules: []\nrules: []\n").get(0);
        assertTrue(dup.startsWith("rules.yml:2:") && dup.contains("Duplicate field 'rules'"), dup);
        assertTrue(errors("rules: []\n---\nrules: []\n").get(0).contains("more than one YAML document"));
        assertTrue(errors("rules:\n  - name: a\n    classes: ['x', 'x']\n    bogus: 1\n").get(0)
                .startsWith("rules.yml:4:5:"));
    }

    @Test
    void yamlBombsAndBoundsAreRefused() {
        String aliases = "a: &a [x, x]\nb: &b [*a, *a]\nrules: [*b]\n";
        assertTrue(errors(aliases).get(0).startsWith("rules.yml:1:4: YAML anchors (&name) are not allowed"),
                errors(aliases).get(0));
        assertTrue(errors("rules: []\nx: *y\n").get(0).startsWith("rules.yml:"));
        String deep = "rules: " + "[".repeat(50) + "]".repeat(50) + "\n";
        assertTrue(errors(deep).get(0).contains("nested too deep") || errors(deep).get(0).contains("depth"),
                errors(deep).get(0));
        StringBuilder many = new StringBuilder("rules:\n");
        for (int i = 0; i <= RulesFile.MAX_RULES; i++) {
            many.append("  - name: r").append(i).append('\n');
        }
        assertEquals(List.of("rules.yml:2:3: rules: too many rules (1001, limit 1000)"), errors(many.toString()));
        String big = "rules: []\n#" + "x".repeat(RulesFile.MAX_BYTES) + "\n";
        assertEquals(List.of("rules.yml: larger than 1048576 bytes"), errors(big));
        assertEquals(List.of("rules.yml: not UTF-8 text"), assertThrows(RulesException.class,
                () -> RulesFile.parse("rules.yml", new byte[] {'r', (byte) 0xff})).errors());
        String longList = "rules:\n  - name: a\n    classes: [" + "c,".repeat(RulesFile.MAX_LIST) + "c]\n";
        assertTrue(errors(longList).get(0).contains("too many entries (65, limit 64)"), errors(longList).get(0));
    }

    @Test
    void cooldownsAndChoices() throws Exception {
        assertTrue(parse("rules:\n  - name: a\n    cooldown: 1h30m\n").summary().get(0).endsWith("; cooldown 1h30m"));
        assertTrue(parse("rules:\n  - name: a\n    cooldown: 1s500ms\n").summary().get(0).endsWith("; cooldown 1s500ms"));
        assertTrue(errors("rules:\n  - name: a\n    cooldown: 30\n").get(0).startsWith("rules.yml:3:15: rules[0].cooldown: "
                + "a duration like"));
        assertEquals(List.of("rules.yml:3:15: rules[0].cooldown: 31d is longer than 30d"),
                errors("rules:\n  - name: a\n    cooldown: 31d\n"));
        RuleSet zero = parse("rules:\n  - name: a\n    cooldown: 0\n    on_resolved: run\n");
        assertTrue(zero.summary().get(0).endsWith("; runs on resolved; cooldown 0"), zero.summary().get(0));
    }

    @Test
    void checkPrintsASummaryOrTheErrors() throws Exception {
        Path good = dir.resolve("good.yml");
        Files.writeString(good, EXAMPLE);
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "rules:\n  - name: a\n    matchers: ['x~=\"1\"']\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, RulesFile.check(good, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith(good + ": 3 rules, valid\n  restart-web (line 3)"),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(1, RulesFile.check(bad, o, e));
        assertEquals(bad + ":3:16: rules[0].matchers[0]: unknown operator \"~=\" (use =, !=, =~ or !~)\n"
                + bad + ": 1 error, not valid\n", err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(1, RulesFile.check(dir.resolve("missing.yml"), o, e));
        assertEquals(dir.resolve("missing.yml") + ": cannot read: no such file\n" + dir.resolve("missing.yml")
                + ": 1 error, not valid\n", err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(1, RulesFile.check(dir, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(dir + ": cannot read: "), err.toString());
    }
}
