package dev.cfrun.service.rules;

import dev.cfrun.service.ingest.Alert;
import dev.cfrun.service.ingest.AlertStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateTest {
    static Alert alert(AlertStatus status, Map<String, String> labels, Map<String, String> annotations) {
        return new Alert(status, labels, annotations, Instant.parse("2026-12-06T20:17:45.237Z"), Optional.empty(),
                "fp1", "");
    }

    private static final Alert WEB = alert(AlertStatus.FIRING, Map.of("alertname", "WebDown", "cfrun_host", "web1"),
            Map.of("summary", "web1 is down"));

    private static String render(String template) throws Exception {
        return Template.parse(template).render(WEB);
    }

    @Test
    void labelsAnnotationsStatusAndLiteralText() throws Exception {
        assertEquals("alert_WebDown", render("alert_{{ .Labels.alertname }}"));
        assertEquals("web1", render("{{.Labels.cfrun_host}}"));
        assertEquals("web1 is down!", render("{{ .Annotations.summary }}!"));
        assertEquals("WebDown_firing", render("{{ .Labels.alertname }}_{{ .Status }}"));
        assertEquals("resolved", Template.parse("{{ .Status }}").render(alert(AlertStatus.RESOLVED, Map.of(),
                Map.of())));
        assertEquals("plain }} text", render("plain }} text"));
        assertTrue(Template.parse("web_restart").isLiteral());
        assertFalse(Template.parse("a{{ .Status }}").isLiteral());
    }

    @Test
    void goTrimMarkers() throws Exception {
        assertEquals("a-WebDown-b", render("a- {{- .Labels.alertname -}} -b"));
        assertEquals("a WebDown b", render("a {{ .Labels.alertname }} b"));
    }

    @Test
    void anythingElseIsRefusedAtLoad() {
        for (String bad : new String[] {"{{ .Labels.alertname", "{{ }}", "{{ .Labels }}", "{{ .labels.x }}",
                "{{ .Labels.x | upper }}", "{{ printf \"%s\" .Labels.x }}", "{{ index .Labels \"x\" }}",
                "{{ $labels.x }}", "{{ template \"x\" }}", "{{ .Labels.a.b }}", "{{ .Labels.1x }}", "{{/* c */}}",
                "x".repeat(Template.MAX_TEXT + 1)}) {
            InvalidRule e = assertThrows(InvalidRule.class, () -> Template.parse(bad),
                    bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void aMissingLabelIsAnErrorNeverNoValue() throws Exception {
        Template t = Template.parse("{{ .Labels.cfrun_port }}");
        assertEquals("no label cfrun_port", assertThrows(Undecided.class, () -> t.render(WEB)).getMessage());
        Template a = Template.parse("{{ .Annotations.runbook }}");
        assertEquals("no annotation runbook", assertThrows(Undecided.class, () -> a.render(WEB))
                .getMessage());
    }

    @Test
    void theOutputIsBounded() throws Exception {
        Alert big = alert(AlertStatus.FIRING, Map.of("x", "y".repeat(600)), Map.of());
        Template t = Template.parse("{{ .Labels.x }}{{ .Labels.x }}");
        assertEquals("longer than " + Template.MAX_OUTPUT + " characters",
                assertThrows(Undecided.class, () -> t.render(big)).getMessage());
        assertEquals(600, Template.parse("{{ .Labels.x }}").render(big).length());
    }
}
