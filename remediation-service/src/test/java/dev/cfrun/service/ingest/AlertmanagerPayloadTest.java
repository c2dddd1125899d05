package dev.cfrun.service.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.cfrun.service.ingest.Resources.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertmanagerPayloadTest {

    /** A valid delivery whose first alert's body is {@code alert} (the fields inside the alert's braces). */
    static String withAlert(String alert) {
        return "{\"version\":\"4\",\"groupKey\":\"{}:{}\",\"status\":\"firing\",\"receiver\":\"cfrun\","
                + "\"alerts\":[{" + alert + "}]}";
    }

    static final String ALERT = "\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"instance\":\"h:1\"},"
            + "\"startsAt\":\"2026-12-06T20:00:00Z\",\"fingerprint\":\"f1\"";

    private static String reason(String json) {
        return reason(json, Limits.DEFAULTS);
    }

    private static String reason(String json, Limits limits) {
        PayloadException e = assertThrows(PayloadException.class, () -> AlertmanagerPayload.parse(utf8(json), limits));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theDeliveryAlertmanager025SentInTheLab() throws Exception {
        AlertmanagerPayload p = AlertmanagerPayload.parse(Resources.bytes("am-0.25-webdown.json"), Limits.DEFAULTS);
        assertEquals("4", p.version());
        assertEquals("{}:{alertname=\"WebDown\"}", p.groupKey());
        assertEquals(AlertStatus.FIRING, p.status());
        assertEquals("cfrun", p.receiver());
        assertEquals(0, p.truncatedAlerts());
        assertEquals(1, p.alerts().size());
        Alert a = p.alerts().get(0);
        assertEquals(AlertStatus.FIRING, a.status());
        assertEquals(List.of("alertname", "cfrun_host", "cfrun_port", "instance", "job", "severity"),
                List.copyOf(a.labels().keySet()), "the payload's order");
        assertEquals("59621", a.label("cfrun_port"));
        assertEquals(Map.of("summary", "web server down"), a.annotations());
        assertEquals(Instant.parse("2026-12-06T20:17:45.237Z"), a.startsAt());
        assertEquals(Optional.empty(), a.endsAt(), "Go's zero time means: still firing");
        assertEquals("6ac8ee64230d31d5", a.fingerprint());
        assertTrue(a.generatorURL().startsWith("http://vm:50475/graph?g0.expr=probe_success"));
        assertEquals(List.of(a), p.firing());
    }

    @Test
    void aGroupOfFiringAndResolvedAlertsWithOffsetsAndNanoseconds() throws Exception {
        AlertmanagerPayload p = AlertmanagerPayload.parse(Resources.bytes("am-mixed-group.json"), Limits.DEFAULTS);
        assertEquals(2, p.truncatedAlerts());
        assertEquals(4, p.alerts().size());
        assertEquals(Instant.parse("2026-12-06T20:00:00.123456789Z"), p.alerts().get(0).startsAt());
        Alert resolved = p.alerts().get(1);
        assertEquals(AlertStatus.RESOLVED, resolved.status());
        assertEquals(Optional.of(Instant.parse("2026-12-06T20:03:30.500Z")), resolved.endsAt());
        assertEquals(3, p.firing().size());
        assertEquals("", p.alerts().get(2).generatorURL());
    }

    @Test
    void aResolvedDelivery() throws Exception {
        AlertmanagerPayload p = AlertmanagerPayload.parse(Resources.bytes("am-resolved.json"), Limits.DEFAULTS);
        assertEquals(AlertStatus.RESOLVED, p.status());
        assertEquals(List.of(), p.firing());
    }

    @Test
    void unknownFieldsAreIgnoredWhateverTheirType() throws Exception {
        String json = "{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"receiver\":\"r\","
                + "\"newThing\":[1,{\"x\":null}],\"alerts\":[{" + ALERT + ",\"silencedBy\":[],\"extra\":7}]}";
        AlertmanagerPayload p = AlertmanagerPayload.parse(utf8(json), Limits.DEFAULTS);
        assertEquals(1, p.alerts().size());
        assertEquals(0, p.truncatedAlerts(), "absent before Alertmanager 0.22");
        assertEquals(Map.of(), p.alerts().get(0).annotations());
    }

    @Test
    void theValueCannotBeChanged() throws Exception {
        AlertmanagerPayload p = AlertmanagerPayload.parse(utf8(withAlert(ALERT)), Limits.DEFAULTS);
        assertThrows(UnsupportedOperationException.class, () -> p.alerts().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.alerts().get(0).labels().put("x", "y"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        not JSON                  | {"version":                                              | invalid JSON
        empty                     | '   '                                                    | empty body
        an array                  | []                                                       | expected a JSON object, got an array
        trailing data             | {"version":"4"} {}                                       | invalid JSON
        duplicate key             | {"version":"4","version":"4"}                            | Duplicate field 'version'
        wrong version             | {"version":"3"}                                          | version: expected "4"
        version a number          | {"version":4}                                            | version: expected a string, got a number
        no version                | {"status":"firing"}                                      | version: missing
        no groupKey               | {"version":"4","status":"firing","receiver":"r","alerts":[]}           | groupKey: missing
        bad status                | {"version":"4","groupKey":"g","status":"on","receiver":"r","alerts":[]} | status: expected "firing" or "resolved", got "on"
        alerts an object          | {"version":"4","groupKey":"g","status":"firing","receiver":"r","alerts":{}} | alerts: expected an array, got an object
        no alerts                 | {"version":"4","groupKey":"g","status":"firing","receiver":"r"}        | alerts: missing
        truncated negative        | {"version":"4","groupKey":"g","status":"firing","receiver":"r","truncatedAlerts":-1,"alerts":[]} | truncatedAlerts: expected a non-negative integer
        truncated a fraction      | {"version":"4","groupKey":"g","status":"firing","receiver":"r","truncatedAlerts":1.5,"alerts":[]} | truncatedAlerts: expected a non-negative integer
        commonLabels wrong        | {"version":"4","groupKey":"g","status":"firing","receiver":"r","commonLabels":{"a":1},"alerts":[]} | commonLabels.a: expected a string, got a number
        deep nesting              | {"version":"4","x":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]}       | invalid JSON
        """)
    void refusedDeliveries(String what, String json, String expected) {
        String reason = reason(json);
        assertTrue(reason.contains(expected), what + ": " + reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        alert not an object  | NOT_AN_OBJECT                                                                                  | alerts[0]: expected an object, got a string
        labels missing       | "status":"firing","startsAt":"2026-12-06T20:00:00Z","fingerprint":"f"                   | alerts[0].labels: missing
        label a number       | "status":"firing","labels":{"alertname":1},"startsAt":"2026-12-06T20:00:00Z","fingerprint":"f" | alerts[0].labels.alertname: expected a string, got a number
        odd label name       | "status":"firing","labels":{"a b":true},"startsAt":"2026-12-06T20:00:00Z","fingerprint":"f" | alerts[0].labels["a b"]: expected a string, got a boolean
        annotations a list   | "status":"firing","labels":{},"annotations":[],"startsAt":"2026-12-06T20:00:00Z","fingerprint":"f" | alerts[0].annotations: expected an object, got an array
        no startsAt          | "status":"firing","labels":{},"fingerprint":"f"                                        | alerts[0].startsAt: missing
        bad startsAt         | "status":"firing","labels":{},"startsAt":"yesterday","fingerprint":"f"                 | alerts[0].startsAt: expected an RFC 3339 time, got "yesterday"
        startsAt no zone     | "status":"firing","labels":{},"startsAt":"2026-12-06T20:00:00","fingerprint":"f"       | alerts[0].startsAt: expected an RFC 3339 time
        bad endsAt           | "status":"firing","labels":{},"startsAt":"2026-12-06T20:00:00Z","endsAt":5,"fingerprint":"f" | alerts[0].endsAt: expected a string, got a number
        no fingerprint       | "status":"firing","labels":{},"startsAt":"2026-12-06T20:00:00Z"                        | alerts[0].fingerprint: missing
        empty fingerprint    | "status":"firing","labels":{},"startsAt":"2026-12-06T20:00:00Z","fingerprint":""       | alerts[0].fingerprint: empty
        bad alert status     | "status":"pending","labels":{},"startsAt":"2026-12-06T20:00:00Z","fingerprint":"f"     | alerts[0].status: expected "firing" or "resolved"
        """)
    void refusedAlerts(String what, String alert, String expected) {
        String json = alert.equals("NOT_AN_OBJECT") ? "{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\","
                + "\"receiver\":\"r\",\"alerts\":[\"x\"]}" : withAlert(alert);
        String reason = reason(json);
        assertTrue(reason.startsWith(expected), what + ": " + reason);
    }

    @Test
    void limitsOnSizeAlertsLabelsAndLengths() {
        String one = withAlert(ALERT);
        Limits small = new Limits(one.length() - 1, 1000, 64, 1024, 16384);
        assertTrue(reason(one, small).startsWith("body too large: " + one.length() + " bytes (limit "));

        String two = one.replace("}]}", "},{" + ALERT + "}]}");
        assertEquals("alerts: too many elements (2, limit 1)", reason(two, new Limits(1 << 20, 1, 64, 1024, 16384)));

        assertEquals("alerts[0].labels: too many entries (2, limit 1)",
                reason(one, new Limits(1 << 20, 10, 1, 1024, 16384)));

        String longValue = withAlert(ALERT.replace("\"h:1\"", "\"" + "h".repeat(30) + "\""));
        assertEquals("alerts[0].labels.instance: too long (30 characters, limit 20)",
                reason(longValue, new Limits(1 << 20, 10, 64, 20, 16384)));

        String longName = withAlert(ALERT.replace("\"alertname\"", "\"" + "n".repeat(30) + "\""));
        assertTrue(reason(longName, new Limits(1 << 20, 10, 64, 20, 16384))
                .startsWith("alerts[0].labels: a name is empty or longer than 20"));
    }

    @Test
    void aHostileValueInAReasonStaysOneBoundedLine() {
        String json = withAlert(ALERT.replace("\"alertname\":\"A\"", "\"x\\nEVIL" + "y".repeat(500) + "\":1"));
        String reason = reason(json);
        assertTrue(reason.length() <= 303, reason);
        assertFalse(reason.contains("EVIL" + "y".repeat(100)), "the value is cut: " + reason);
    }

    @Test
    void everyLimitMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new Limits(0, 1, 1, 1, 1));
    }
}
