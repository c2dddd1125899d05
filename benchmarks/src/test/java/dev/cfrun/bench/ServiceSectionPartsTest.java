package dev.cfrun.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The service section's payloads, its "nothing lost" check and its options, without a service. */
class ServiceSectionPartsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aDeliveryIsOneGroupOfFiringAlertsOverItsHostsWithOwnFingerprints() throws Exception {
        List<String> hosts = Lab.addresses(200);
        AlertLoad load = new AlertLoad(hosts, 5308, 100, 25);
        Set<String> fingerprints = new HashSet<>();
        for (int k : List.of(0, 7, 8)) {
            JsonNode d = JSON.readTree(load.delivery(k));
            assertEquals("4", d.path("version").asText());
            assertEquals("{}:{batch=\"" + k + "\"}", d.path("groupKey").asText());
            assertEquals(100, d.path("alerts").size());
            Set<String> seenHosts = new HashSet<>();
            Map<String, Integer> perHost = new HashMap<>();
            for (JsonNode a : d.path("alerts")) {
                assertEquals("firing", a.path("status").asText());
                assertTrue(fingerprints.add(a.path("fingerprint").asText()), "fingerprints are unique");
                assertEquals("5308", a.path("labels").path("cfrun_port").asText());
                String h = a.path("labels").path("cfrun_host").asText();
                seenHosts.add(h);
                perHost.merge(h + "/" + a.path("labels").path("alertname").asText(), 1, Integer::sum);
            }
            assertEquals(25, seenHosts.size());
            assertEquals(100, perHost.size(), "4 alert names per host, each once");
            assertTrue(seenHosts.contains(hosts.get(k * 25 % 200)), "delivery k starts at host 25k");
            assertEquals(k == 7, seenHosts.contains(hosts.get(199)), "the last host in delivery 7 only");
        }
        assertThrows(IllegalArgumentException.class, () -> new AlertLoad(hosts, 5308, 100, 30));
        assertThrows(IllegalArgumentException.class, () -> new AlertLoad(hosts.subList(0, 10), 5308, 100, 25));
    }

    @Test
    void nothingLostHoldsOnlyWhenEveryAcceptedTriggerRanOrWasSuppressedWithAReason() {
        Map<Long, ServiceLedger.Trigger> t = new HashMap<>();
        t.put(1L, new ServiceLedger.Trigger(1, "DONE", null, 10L));
        t.put(2L, new ServiceLedger.Trigger(2, "SUPPRESSED", "blast radius: group g already has 2 hosts", null));
        ServiceLedger.Store store = new ServiceLedger.Store(t, 1, 1, Map.of("exit 0", 1));
        ServiceLedger.Api api = new ServiceLedger.Api(Set.of(1L), 1, Map.of("ok", 1));
        assertEquals(List.of(), ServiceLedger.check(Set.of(1L, 2L), store, api));
        assertEquals(Map.of("blast radius", 1), ServiceLedger.suppressions(store));

        assertEquals(List.of("1 accepted trigger(s) done but in no run GET /v1/runs lists"),
                ServiceLedger.check(Set.of(1L, 2L), store, new ServiceLedger.Api(Set.of(), 1, Map.of())));
        List<String> p = ServiceLedger.check(Set.of(1L, 2L, 3L), store, api);
        assertTrue(p.contains("1 accepted trigger(s) accepted but not in the store"), p.toString());
        assertTrue(p.contains("the store has 2 triggers, 3 were accepted"), p.toString());

        Map<Long, ServiceLedger.Trigger> bad = new HashMap<>(t);
        bad.put(2L, new ServiceLedger.Trigger(2, "SUPPRESSED", " ", null));
        bad.put(3L, new ServiceLedger.Trigger(3, "QUEUED", null, null));
        List<String> q = ServiceLedger.check(Set.of(1L, 2L, 3L), new ServiceLedger.Store(bad, 1, 1, Map.of()), api);
        assertTrue(q.contains("1 accepted trigger(s) suppressed without a reason"), q.toString());
        assertTrue(q.contains("1 accepted trigger(s) still QUEUED"), q.toString());

        List<String> r = ServiceLedger.check(Set.of(1L, 2L), new ServiceLedger.Store(t, 2, 1, Map.of()), api);
        assertEquals(List.of("runs: 2 in the store, 1 ended, 1 listed by GET /v1/runs"), r);
    }

    @Test
    void theServiceSectionIsSelectedAndSized() {
        BenchOptions o = BenchOptions.parse(new String[] {"--root", "/tmp", "--only", "service", "--alerts", "3000",
            "--posters", "2"});
        assertEquals(Set.of("service"), o.sections);
        assertEquals(3000, o.serviceAlerts);
        assertEquals(2, o.servicePosters);
        assertTrue(BenchOptions.parse(new String[] {"--root", "/tmp"}).sections.contains("service"));
        assertEquals(2000, BenchOptions.parse(new String[] {"--root", "/tmp", "--quick"}).serviceAlerts);
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--alerts", "150"}));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--posters", "0"}));
        assertEquals(List.of("remediation-service/target/cfrun-service.jar"), new ServiceSection().jars());
    }
}
