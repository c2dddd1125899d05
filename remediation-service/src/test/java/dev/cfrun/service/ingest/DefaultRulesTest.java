package dev.cfrun.service.ingest;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.cfrun.service.ingest.Resources.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefaultRulesTest {
    private static final Instant NOW = Instant.parse("2026-12-06T22:00:00Z");
    private final AlertRules rules = new DefaultRules();

    private Decisions decide(String resource) throws PayloadException {
        return rules.apply(AlertmanagerPayload.parse(Resources.bytes(resource), Limits.DEFAULTS), NOW);
    }

    private Decisions decideAlert(String alert) throws PayloadException {
        return rules.apply(AlertmanagerPayload.parse(utf8(AlertmanagerPayloadTest.withAlert(alert)), Limits.DEFAULTS),
                NOW);
    }

    @Test
    void theLabDeliveryBecomesOneTriggerForCfrunHostAndPort() throws Exception {
        Decisions d = decide("am-0.25-webdown.json");
        assertEquals(1, d.triggers().size());
        Trigger t = d.triggers().get(0);
        assertEquals(Source.ALERTMANAGER, t.source());
        assertEquals(HostAddress.of("127.0.0.1", 59621), t.host());
        assertEquals(List.of("alert_WebDown"), t.classes());
        assertEquals(List.of(), t.bundles());
        assertEquals("WebDown", t.cooldownKey());
        assertEquals("6ac8ee64230d31d5@2026-12-06T20:17:45.237Z", t.dedupeKey());
        assertEquals("{}:{alertname=\"WebDown\"}", t.group());
        assertEquals(NOW, t.receivedAt());
        assertEquals("critical", t.labels().get("severity"));
        assertEquals(List.of(), d.skipped());
        assertEquals(List.of(), d.resolved());
    }

    @Test
    void aResolvedAlertIsRecordedNeverRun() throws Exception {
        Decisions d = decide("am-resolved.json");
        assertEquals(List.of(), d.triggers());
        assertEquals(1, d.resolved().size());
        assertEquals("6ac8ee64230d31d5", d.resolved().get(0).fingerprint());
    }

    @Test
    void aMixedGroupExporterHostsIpv6AndAnAlertWithoutHost() throws Exception {
        Decisions d = decide("am-mixed-group.json");
        assertEquals(List.of(HostAddress.of("web1.example.org", 5308), HostAddress.of("2001:db8::7", 5308)),
                d.triggers().stream().map(Trigger::host).toList());
        assertEquals("a1b2c3d4e5f60708@2026-12-06T20:00:00.123456789Z", d.triggers().get(0).dedupeKey(),
                "startsAt in UTC, whatever offset Alertmanager wrote");
        assertEquals(1, d.resolved().size());
        assertEquals(1, d.skipped().size());
        assertEquals("00000000000000ff", d.skipped().get(0).alert().fingerprint());
        assertEquals("no label cfrun_host or instance", d.skipped().get(0).reason());
        assertEquals(4, d.triggers().size() + d.skipped().size() + d.resolved().size(), "every alert once");
    }

    @Test
    void blackboxProbesUrlsAndCanonifiedAlertnames() throws Exception {
        Decisions d = decide("am-blackbox.json");
        assertEquals(List.of(HostAddress.of("shop.example.org", 5308), HostAddress.of("fd00::5", 15308)),
                d.triggers().stream().map(Trigger::host).toList());
        assertEquals(List.of("alert_HTTP_Probe_failed"), d.triggers().get(0).classes());
        assertEquals("HTTP-Probe failed", d.triggers().get(0).cooldownKey(), "the alertname as it is");
        assertEquals("{}:{job=\"blackbox\"}", d.triggers().get(1).group());
    }

    @Test
    void aNewOutageOfTheSameAlertIsNotADuplicate() throws Exception {
        String first = AlertmanagerPayloadTest.ALERT;
        String again = first.replace("2026-12-06T20:00:00Z", "2026-12-06T21:30:00Z");
        assertNotEquals(decideAlert(first).triggers().get(0).dedupeKey(), decideAlert(again).triggers().get(0).dedupeKey());
        assertEquals(decideAlert(first).triggers().get(0).dedupeKey(), decideAlert(first).triggers().get(0).dedupeKey());
    }

    @Test
    void withoutAlertnameOrWithAnUnusableHostTheAlertIsSkippedWithTheReason() throws Exception {
        Decisions noName = decideAlert(AlertmanagerPayloadTest.ALERT.replace("\"alertname\":\"A\",", ""));
        assertEquals("no label alertname", noName.skipped().get(0).reason());
        Decisions badPort = decideAlert(AlertmanagerPayloadTest.ALERT.replace("\"instance\":\"h:1\"",
                "\"instance\":\"h:1\",\"cfrun_port\":\"70000\""));
        assertTrue(badPort.skipped().get(0).reason().startsWith("label cfrun_port is not a port"));
        assertEquals(List.of(), badPort.triggers());
    }

    @Test
    void anAlertnameTooLongForAClassNameIsSkipped() throws Exception {
        String longName = "\u00e9".repeat(600); // 1,200 bytes in UTF-8, each byte one '_'
        Decisions d = decideAlert(AlertmanagerPayloadTest.ALERT.replace("\"alertname\":\"A\"",
                "\"alertname\":\"" + longName + "\""));
        assertTrue(d.skipped().get(0).reason().startsWith("class alert_<alertname> is longer than 1024"));
    }
}
