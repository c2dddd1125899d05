package dev.cfrun.service.ingest;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.cfrun.service.ingest.Resources.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunsRequestTest {
    private static final Instant NOW = Instant.parse("2026-12-06T22:00:00Z");

    @Test
    void hostsClassesAndBundles() throws Exception {
        RunsRequest r = RunsRequest.parse(utf8("{\"hosts\": [\"web1\", \"web2:5308\", \"[::1]:15308\", \"web1:5308\"],"
                + " \"classes\": [\"alert_WebDown\", \"ns:cls\", \"alert_WebDown\"], \"bundles\": [\"restart_web\"]}"));
        assertEquals(List.of(HostAddress.of("web1", 5308), HostAddress.of("web2", 5308), HostAddress.of("::1", 15308)),
                r.hosts(), "web1 and web1:5308 are one host");
        assertEquals(List.of("alert_WebDown", "ns:cls"), r.classes());
        assertEquals(List.of("restart_web"), r.bundles());

        List<Trigger> ts = r.triggers(NOW, null);
        assertEquals(3, ts.size());
        Trigger t = ts.get(2);
        assertEquals(Source.API, t.source());
        assertEquals(HostAddress.of("::1", 15308), t.host());
        assertNull(t.dedupeKey(), "no idempotency key: every request runs");
        assertNull(t.cooldownKey());
        assertNull(t.group());
        assertEquals(NOW, t.receivedAt());
        assertEquals(List.of("alert_WebDown", "ns:cls"), t.classes());
        assertEquals(Map.of(), t.labels());
    }

    @Test
    void classesAndBundlesAreOptional() throws Exception {
        RunsRequest r = RunsRequest.parse(utf8("{\"hosts\":[\"web1\"]}"));
        assertEquals(List.of(), r.classes());
        assertEquals(List.of(), r.bundles());
    }

    @Test
    void anIdempotencyKeyDedupesHostByHost() throws Exception {
        RunsRequest r = RunsRequest.parse(utf8("{\"hosts\":[\"web1\",\"web2\"]}"));
        List<String> keys = r.triggers(NOW, "deploy-42").stream().map(Trigger::dedupeKey).toList();
        assertEquals(List.of("api:deploy-42@web1:5308", "api:deploy-42@web2:5308"), keys);
        assertEquals(keys, r.triggers(NOW.plusSeconds(5), "deploy-42").stream().map(Trigger::dedupeKey).toList(),
                "a retry has the same keys");
        for (String bad : new String[] {"", "a b", "x".repeat(256), "\u00e9"}) {
            assertThrows(PayloadException.class, () -> r.triggers(NOW, bad), bad);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        not an object      | ["web1"]                                 | expected a JSON object, got an array
        misspelt field     | {"hosts":["web1"],"clases":["x"]}        | clases: unknown field (known: bundles, classes, hosts)
        no hosts           | {"classes":["x"]}                        | hosts: missing
        empty hosts        | {"hosts":[]}                             | hosts: empty
        hosts a string     | {"hosts":"web1"}                         | hosts: expected an array, got a string
        host a number      | {"hosts":[1]}                            | hosts[0]: expected a string, got a number
        bad host           | {"hosts":["web 1"]}                      | hosts[0]: invalid character in host name
        bad port           | {"hosts":["web1:0"]}                     | hosts[0]: port out of range
        bad class          | {"hosts":["web1"],"classes":["a-b"]}     | classes[0]: invalid class name 'a-b'
        bad bundle         | {"hosts":["web1"],"bundles":["x","b c"]} | bundles[1]: invalid bundle name 'b c'
        classes an object  | {"hosts":["web1"],"classes":{}}          | classes: expected an array, got an object
        """)
    void refused(String what, String json, String expected) {
        PayloadException e = assertThrows(PayloadException.class, () -> RunsRequest.parse(utf8(json)));
        assertTrue(e.getMessage().startsWith(expected), what + ": " + e.getMessage());
    }

    @Test
    void limits() {
        Limits tiny = new Limits(1 << 20, 2, 1, 10, 100);
        assertThrows(PayloadException.class, () -> RunsRequest.parse(utf8("{\"hosts\":[\"a\",\"b\",\"c\"]}"), tiny));
        assertThrows(PayloadException.class,
                () -> RunsRequest.parse(utf8("{\"hosts\":[\"a\"],\"classes\":[\"x\",\"y\"]}"), tiny));
        assertThrows(PayloadException.class, () -> RunsRequest.parse(utf8("{\"hosts\":[\"a234567890x\"]}"), tiny));
    }
}
