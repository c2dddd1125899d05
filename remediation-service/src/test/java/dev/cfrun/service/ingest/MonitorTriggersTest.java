package dev.cfrun.service.ingest;

import dev.cfrun.client.HostAddress;
import dev.cfrun.recheck.decision.Decision;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nagios / Icinga 2 events to triggers: the handler's decision, the host, classes, keys and labels. */
class MonitorTriggersTest {
    private static final Instant NOW = Instant.parse("2026-12-06T23:50:10Z");

    private static Map<String, String> event(String... kv) {
        Map<String, String> m = new LinkedHashMap<>(Map.of("host", "web1", "service", "HTTP", "state", "CRITICAL",
                "state_type", "HARD", "attempt", "3"));
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private static MonitorDecision decide(Map<String, String> fields) throws PayloadException {
        return MonitorTriggers.decide(new MonitorEvent(fields), Source.NAGIOS, NOW, Limits.DEFAULTS);
    }

    private static String error(Map<String, String> fields) {
        return assertThrows(PayloadException.class, () -> decide(fields)).getMessage();
    }

    @Test
    void everyCombinationDecidesAsTheEventHandler() throws Exception {
        // the same oracle as the handler's: Decision itself, with the event's rules
        for (boolean host : new boolean[] {false, true}) {
            for (String state : host ? Decision.HOST_STATES : Decision.SERVICE_STATES) {
                for (String type : List.of("SOFT", "HARD")) {
                    for (int attempt = 1; attempt <= 4; attempt++) {
                        for (String soft : new String[] {null, "1", "0"}) {
                            Map<String, String> f = event("service", host ? null : "HTTP", "state", state,
                                    "state_type", type, "attempt", Integer.toString(attempt), "soft_attempt", soft);
                            Decision.Rules r = new Decision.Rules(Set.of(host ? "DOWN" : "CRITICAL"),
                                    soft == null ? 3 : Integer.parseInt(soft), true);
                            Decision.Outcome expected = Decision.decide(host, state, type, Integer.toString(attempt), r);
                            MonitorDecision d = decide(f);
                            assertEquals(expected.act(), d.acts(), f + ": " + d.reason());
                            assertEquals(expected.reason(), d.reason(), f.toString());
                        }
                    }
                }
            }
        }
    }

    @Test
    void theDefaultsAreCriticalHardOrSoftAtAttemptThree() throws Exception {
        assertTrue(decide(event()).acts());
        assertTrue(decide(event("state_type", "SOFT", "attempt", "3")).acts());
        MonitorDecision soft1 = decide(event("state_type", "SOFT", "attempt", "1"));
        assertFalse(soft1.acts());
        assertNull(soft1.trigger());
        assertEquals("SOFT attempt 1 (acting at attempt 3)", soft1.reason());
        assertEquals("state OK is not one to act on (CRITICAL)", decide(event("state", "OK")).reason());
        assertEquals("HARD events are off (hard=no)", decide(event("hard", "no")).reason());
        assertTrue(decide(event("state", "WARNING", "states", "warning,critical")).acts());
        assertTrue(decide(event("service", null, "state", "DOWN")).acts(), "a host event: DOWN acts");
    }

    @Test
    void aServiceEventBecomesATriggerForTheAddress() throws Exception {
        Trigger t = decide(event("address", "192.0.2.20", "service", "HTTP-ours", "state_type", "SOFT",
                "attempt", "1", "soft_attempt", "1", "last_state_change", "1733526445")).trigger();
        assertEquals(Source.NAGIOS, t.source());
        assertEquals(HostAddress.of("192.0.2.20", 5308), t.host());
        assertEquals(List.of("nagios_HTTP_ours_CRITICAL"), t.classes(), "the handler's documented naming, canonified");
        assertEquals(List.of(), t.bundles());
        assertEquals("nagios:HTTP-ours", t.cooldownKey());
        assertNull(t.group());
        assertEquals(NOW, t.receivedAt());
        assertEquals("nagios:web1;HTTP-ours;CRITICAL;SOFT;1;1733526445", t.dedupeKey());
        assertEquals(Map.of("host", "web1", "service", "HTTP-ours", "state", "CRITICAL", "state_type", "SOFT",
                "attempt", "1", "last_state_change", "1733526445"), t.labels());
    }

    @Test
    void aHostEventHasTheHostClassAndNoService() throws Exception {
        Trigger t = MonitorTriggers.decide(new MonitorEvent(event("service", "", "state", "down", "state_type", "hard",
                "attempt", "1")), Source.ICINGA, NOW, Limits.DEFAULTS).trigger();
        assertEquals(Source.ICINGA, t.source());
        assertEquals(HostAddress.of("web1", 5308), t.host(), "no address: the host name is hailed");
        assertEquals(List.of("nagios_host_DOWN"), t.classes());
        assertEquals("nagios:", t.cooldownKey());
        assertFalse(t.labels().containsKey("service"));
        assertTrue(t.dedupeKey().startsWith("icinga:web1;;DOWN;HARD;1;"), t.dedupeKey());
    }

    @Test
    void theSameEventIsTheSameKeyTheNextOutageIsNot() throws Exception {
        Map<String, String> first = event("last_state_change", "1733526445");
        assertEquals(decide(first).trigger().dedupeKey(), MonitorTriggers.decide(new MonitorEvent(first), Source.NAGIOS,
                NOW.plusSeconds(3600), Limits.DEFAULTS).trigger().dedupeKey(), "a re-post an hour later: duplicate");
        assertNotEquals(decide(first).trigger().dedupeKey(),
                decide(event("last_state_change", "1733530000")).trigger().dedupeKey());
        // without last_state_change the minute of arrival stands in for it
        Map<String, String> bare = event();
        String k = decide(bare).trigger().dedupeKey();
        assertEquals(k, MonitorTriggers.decide(new MonitorEvent(bare), Source.NAGIOS, NOW.plusSeconds(20),
                Limits.DEFAULTS).trigger().dedupeKey());
        assertNotEquals(k, MonitorTriggers.decide(new MonitorEvent(bare), Source.NAGIOS, NOW.plusSeconds(3600),
                Limits.DEFAULTS).trigger().dedupeKey());
        // names with the separator cannot run into each other
        assertNotEquals(decide(event("host", "a;b", "service", "c")).trigger().dedupeKey(),
                decide(event("host", "a", "service", "b;c")).trigger().dedupeKey());
    }

    @Test
    void twoOutagesWithinOneSecondDifferByNagiosEventId() throws Exception {
        // CRITICAL, OK, CRITICAL within one second: $LASTSERVICESTATECHANGE$ (whole seconds) is the same
        Map<String, String> first = event("last_state_change", "1733526445", "event_id", "4711");
        Map<String, String> second = event("last_state_change", "1733526445", "event_id", "4713");
        assertNotEquals(decide(first).trigger().dedupeKey(), decide(second).trigger().dedupeKey());
        assertEquals(decide(first).trigger().dedupeKey(), decide(event("last_state_change", "1733526445",
                "event_id", "4711")).trigger().dedupeKey(), "the same event posted again");
        assertEquals("4711", decide(first).trigger().labels().get("event_id"));
    }

    @Test
    void givenClassesAreCanonifiedAndBundlesChecked() throws Exception {
        Trigger t = decide(event("classes", "nagios_HTTP-ours_CRITICAL, web restart,,web_restart",
                "bundles", "restart_web,ns:fix")).trigger();
        assertEquals(List.of("nagios_HTTP_ours_CRITICAL", "web_restart"), t.classes());
        assertEquals(List.of("restart_web", "ns:fix"), t.bundles());
    }

    @Test
    void portFieldAddressPortAndIpv6() throws Exception {
        assertEquals(HostAddress.of("192.0.2.20", 5309), decide(event("address", "192.0.2.20", "port", "5309"))
                .trigger().host());
        assertEquals(HostAddress.of("192.0.2.20", 5310), decide(event("address", "192.0.2.20:5310")).trigger().host());
        assertEquals(HostAddress.of("2001:db8::1", 5308), decide(event("address", "2001:db8::1")).trigger().host());
        assertEquals(HostAddress.of("2001:db8::1", 5309), decide(event("address", "[2001:db8::1]", "port", "5309"))
                .trigger().host());
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "host||host: missing",
            "state||state: missing",
            "attempt||attempt: missing",
            "state_type||state_type: missing",
            "state|BOGUS|unknown service state 'BOGUS'",
            "state|DOWN|for host events send no service field",
            "state|$SERVICESTATE$|unexpanded macro",
            "host|$HOSTNAME$|unexpanded macro",
            "service|$service.name$|unexpanded macro",
            "address|$HOSTADDRESS$|unexpanded macro",
            "address|web1:123456|address: invalid port",
            "address|web 1|address: invalid character",
            "state_type|FIRM|state type must be SOFT or HARD",
            "attempt|0|attempt must be a positive number",
            "port|0|port: a number from 1 to 65535",
            "port|http|port: a number from 1 to 65535",
            "soft_attempt|-1|soft_attempt: a number from 0",
            "hard|maybe|hard: yes or no",
            "states|DOWN|states: 'DOWN' is not a service state",
            "states|' , '|states: at least one state",
            "classes|' , '|classes: no class named",
            "bundles|restart-web|bundles: invalid bundle name 'restart-web'",
            "last_state_change|yesterday|last_state_change: a time in seconds",
            "event_id|$SERVICEEVENTID$|event_id: a whole number",
            "event_id|12.5|event_id: a whole number",
    })
    void badFieldsAreA400WithTheReason(String field, String value, String message) {
        String m = error(event(field, value == null ? null : value));
        assertTrue(m.contains(message.strip()), m);
    }

    @Test
    void namesTheReCheckCannotCarryAreRefused() {
        assertTrue(error(event("service", "HT\u0001TP")).contains("control character"));
    }

    @Test
    void badFieldsAreRefusedAlsoWhenTheEventWouldNotAct() {
        // a broken command definition shows on the first (OK) event, not only when a problem occurs
        assertTrue(error(event("state", "OK", "bundles", "bad-name")).contains("bundles"));
        assertTrue(error(event("state", "OK", "port", "x")).contains("port"));
    }

    @Test
    void tooManyClassesAreRefused() {
        StringBuilder b = new StringBuilder("c0");
        for (int i = 1; i <= Limits.DEFAULTS.maxLabels(); i++) {
            b.append(",c").append(i);
        }
        assertTrue(error(event("classes", b.toString())).contains("classes: too many"));
    }
}
