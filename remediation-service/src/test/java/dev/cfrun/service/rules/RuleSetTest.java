package dev.cfrun.service.rules;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.ingest.Alert;
import dev.cfrun.service.ingest.AlertStatus;
import dev.cfrun.service.ingest.AlertmanagerPayload;
import dev.cfrun.service.ingest.Decisions;
import dev.cfrun.service.ingest.Limits;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleSetTest {
    private static final Instant NOW = Instant.parse("2026-12-06T22:00:00Z");

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Alert firing(String fp, String... kv) {
        return new Alert(AlertStatus.FIRING, labels(kv), Map.of("summary", "down"),
                Instant.parse("2026-12-06T20:17:45.237Z"), java.util.Optional.empty(), fp, "");
    }

    private static Alert resolved(String fp, String... kv) {
        Alert a = firing(fp, kv);
        return new Alert(AlertStatus.RESOLVED, a.labels(), a.annotations(), a.startsAt(),
                java.util.Optional.of(NOW), fp, "");
    }

    private static Decisions apply(String yaml, Alert... alerts) throws Exception {
        AlertmanagerPayload p = new AlertmanagerPayload("4", "{}:{alertname=\"WebDown\"}", AlertStatus.FIRING, "cfrun",
                0, Arrays.asList(alerts));
        return RulesFileTest.parse(yaml).apply(p, NOW);
    }

    @Test
    void theExample() throws Exception {
        Decisions d = apply(RulesFileTest.EXAMPLE,
                firing("a1", "alertname", "WebDown", "severity", "page", "cfrun_host", "web1", "cfrun_port", "5309"),
                firing("a2", "alertname", "WebDown", "severity", "page", "env", "dev", "instance", "web2:9100"),
                firing("a3", "alertname", "DiskFull", "severity", "info", "instance", "db1:9100"),
                firing("a4", "alertname", "WebDown", "severity", "warning", "instance", "http://web3:8080/health"),
                firing("a5", "alertname", "WebDown", "severity", "critical", "instance", "web4:9100"));
        Trigger t = d.triggers().get(0);
        assertEquals(new Trigger(Source.ALERTMANAGER, "a1@2026-12-06T20:17:45.237Z", "WebDown",
                "{}:{alertname=\"WebDown\"}", NOW, HostAddress.of("web1", 5309), List.of("alert_WebDown", "web_restart"),
                List.of("restart_web"), t.labels(), Duration.ofMinutes(10)), t);
        assertEquals(List.of("a2", "a4"), d.triggers().subList(1, 3).stream()
                .map(x -> x.dedupeKey().substring(0, 2)).toList(), "dev and warning fall through to the last rule");
        assertEquals(HostAddress.of("web2", 5308), d.triggers().get(1).host());
        assertEquals(List.of("alert_WebDown"), d.triggers().get(1).classes());
        assertNull(d.triggers().get(1).cooldown(), "no cooldown of its own: the service's");
        assertEquals(HostAddress.of("web3", 5308), d.triggers().get(2).host());
        assertEquals(3, d.triggers().size());
        assertEquals(List.of("rule \"record-only\": action skip", "rule \"restart-web\": host: no label cfrun_host"),
                d.skipped().stream().map(s -> s.alert().fingerprint().equals("a3") || s.alert().fingerprint()
                        .equals("a5") ? s.reason() : "?").toList(), "a5 matches restart-web, whose host needs cfrun_host");
    }

    @Test
    void aTemplateTheAlertCannotFillSkipsItWithTheReason() throws Exception {
        String yaml = """
                rules:
                  - name: web
                    matchers: ['alertname="WebDown"']
                    host: '{{ .Labels.cfrun_host }}'
                    classes: ['restart_{{ .Labels.service }}']
                    bundles: ['{{ .Annotations.bundle }}']
                """;
        Decisions d = apply(yaml,
                firing("a1", "alertname", "WebDown", "instance", "web1:9100"),
                firing("a2", "alertname", "WebDown", "cfrun_host", "web1"),
                firing("a3", "alertname", "WebDown", "cfrun_host", "web1", "service", "nginx"),
                firing("a4", "alertname", "Other", "cfrun_host", "web1"));
        assertEquals(List.of("rule \"web\": host: no label cfrun_host",
                        "rule \"web\": classes: no label service",
                        "rule \"web\": bundles: no annotation bundle",
                        "no rule matched"),
                d.skipped().stream().map(s -> s.reason()).toList());
        assertTrue(d.triggers().isEmpty());
    }

    @Test
    void classesAreCanonifiedAndBundlesChecked() throws Exception {
        String yaml = """
                rules:
                  - name: r
                    classes: ['alert_{{ .Labels.alertname }}', 'svc-{{ .Labels.service }}', 'alert_{{ .Labels.alertname }}']
                    bundles: ['{{ .Labels.bundle }}']
                """;
        Decisions d = apply(yaml,
                firing("a1", "alertname", "HTTP-ours", "service", "café", "bundle", "ns:fix_web", "cfrun_host", "w1"),
                firing("a2", "alertname", "X", "service", "s", "bundle", "bad-bundle", "cfrun_host", "w1"));
        assertEquals(List.of("alert_HTTP_ours", "svc_caf__"), d.triggers().get(0).classes());
        assertEquals(List.of("ns:fix_web"), d.triggers().get(0).bundles());
        assertEquals("rule \"r\": bundles: \"bad-bundle\" is not a bundle name (letters, digits, '_' and ':', at "
                        + "most 1024 characters)",
                d.skipped().get(0).reason());
    }

    @Test
    void hostAndPortTemplates() throws Exception {
        String yaml = """
                rules:
                  - name: r
                    host: '{{ .Labels.node }}.example.net'
                    port: '{{ .Labels.cf_port }}'
                """;
        Decisions d = apply(yaml,
                firing("a1", "alertname", "X", "node", "web1", "cf_port", "5310"),
                firing("a2", "alertname", "X", "node", "web1", "cf_port", "99999"),
                firing("a3", "alertname", "X", "node", "web1:80", "cf_port", "5308"));
        assertEquals(HostAddress.of("web1.example.net", 5310), d.triggers().get(0).host());
        assertEquals(2, d.skipped().size());
        assertTrue(d.skipped().get(0).reason().contains("not a port"), d.skipped().get(0).reason());
        Decisions v6 = apply("rules:\n  - name: r\n    host: '{{ .Labels.addr }}'\n",
                firing("a1", "alertname", "X", "addr", "[::1]"), firing("a2", "alertname", "X", "addr", "::1"));
        assertEquals(List.of(HostAddress.of("::1", 5308), HostAddress.of("::1", 5308)),
                v6.triggers().stream().map(Trigger::host).toList());
        Decisions port = apply("rules:\n  - name: r\n    port: 5400\n",
                firing("a1", "alertname", "X", "instance", "web1:9100", "cfrun_port", "bad"));
        assertEquals(HostAddress.of("web1", 5400), port.triggers().get(0).host(), "the rule's port wins");
    }

    @Test
    void resolvedAlertsRunOnlyWhenTheRuleSaysSo() throws Exception {
        String yaml = """
                rules:
                  - name: undo
                    matchers: ['alertname="Maintenance"']
                    classes: ['maint_{{ .Status }}']
                    on_resolved: run
                    cooldown: 0
                  - name: other
                """;
        Decisions d = apply(yaml,
                resolved("m1", "alertname", "Maintenance", "cfrun_host", "w1"),
                firing("m1", "alertname", "Maintenance", "cfrun_host", "w1"),
                resolved("o1", "alertname", "WebDown", "cfrun_host", "w1"));
        assertEquals(2, d.triggers().size());
        Trigger r = d.triggers().get(0);
        assertEquals(List.of("maint_resolved"), r.classes());
        assertEquals("m1@2026-12-06T20:17:45.237Z/resolved", r.dedupeKey());
        assertEquals("Maintenance/resolved", r.cooldownKey());
        assertEquals(Duration.ZERO, r.cooldown());
        assertEquals(List.of("maint_firing"), d.triggers().get(1).classes());
        assertEquals("Maintenance", d.triggers().get(1).cooldownKey());
        assertEquals(List.of("o1"), d.resolved().stream().map(Alert::fingerprint).toList());
        assertTrue(d.skipped().isEmpty());
    }

    @Test
    void anAlertWithoutAlertnameNeedsClassesAndCoolsDownByRule() throws Exception {
        Decisions d = apply("rules:\n  - name: any\n", firing("a1", "job", "node", "cfrun_host", "w1"));
        assertEquals("rule \"any\": no label alertname for the default class (give the rule classes)",
                d.skipped().get(0).reason());
        Decisions e = apply("rules:\n  - name: any\n    classes: [fix]\n", firing("a1", "job", "x", "cfrun_host", "w1"));
        assertEquals("rule:any", e.triggers().get(0).cooldownKey());
    }

    @Test
    void aRegexThatGivesUpSkipsTheAlert() throws Exception {
        Decisions d = apply("rules:\n  - name: r\n    matchers: ['x=~\"(.*a){12}b\"']\n",
                firing("a1", "alertname", "X", "x", "a".repeat(200), "cfrun_host", "w1"));
        assertEquals("the regex gave up after " + Matcher.MATCH_BUDGET + " steps", d.skipped().get(0).reason());
    }

    @Test
    void alertmanagersRealPayloadThroughTheRules() throws Exception {
        byte[] json;
        try (InputStream in = RuleSetTest.class.getResourceAsStream("/dev/cfrun/service/ingest/am-0.25-webdown.json")) {
            json = in.readAllBytes();
        }
        AlertmanagerPayload p = AlertmanagerPayload.parse(json, Limits.DEFAULTS);
        Decisions d = RulesFileTest.parse(RulesFileTest.EXAMPLE).apply(p, NOW);
        assertEquals(p.alerts().size(), d.triggers().size() + d.skipped().size() + d.resolved().size());
        assertEquals(1, d.triggers().size());
        Trigger t = d.triggers().get(0);
        assertEquals(HostAddress.of("127.0.0.1", 59621), t.host());
        assertEquals(List.of("alert_WebDown", "web_restart"), t.classes());
        assertEquals(Duration.ofMinutes(10), t.cooldown());
    }
}
