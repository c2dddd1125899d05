package dev.cfrun.service.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The body of POST /v1/nagios and /v1/icinga: form fields as curl --data-urlencode sends them, and JSON. */
class MonitorEventTest {
    private static final Limits LIMITS = new Limits(4096, 100, 8, 64, 1024);

    private static MonitorEvent form(String body) throws PayloadException {
        return MonitorEvent.parseForm(body.getBytes(StandardCharsets.UTF_8), LIMITS);
    }

    private static MonitorEvent json(String body) throws PayloadException {
        return MonitorEvent.parseJson(body.getBytes(StandardCharsets.UTF_8), LIMITS);
    }

    @Test
    void curlDataUrlencodeFieldsAreDecoded() throws Exception {
        // what `curl --data-urlencode 'service=HTTP ours' --data-urlencode 'host=web-01' …` sends (curl joins the
        // fields with '&' and percent-encodes every byte outside [A-Za-z0-9*-._])
        MonitorEvent e = form("host=web-01&address=192.0.2.20&service=HTTP%20ours%2Bv2%3Bx%26y&state=CRITICAL"
                + "&state_type=SOFT&attempt=1&last_state_change=1733526445&classes=a%2Cb");
        assertEquals("web-01", e.get("host"));
        assertEquals("HTTP ours+v2;x&y", e.get("service"), "'+', ';' and '&' inside a value stay in it");
        assertEquals("a,b", e.get("classes"));
        assertEquals(List.of("host", "address", "service", "state", "state_type", "attempt", "last_state_change",
                "classes"), List.copyOf(e.fields().keySet()), "in the body's order");
    }

    @Test
    void plusIsASpaceAndUtf8IsDecoded() throws Exception {
        MonitorEvent e = form("host=web1&service=Caf%C3%A9+Web&state=OK&state_type=HARD&attempt=1");
        assertEquals("Café Web", e.get("service"));
    }

    @Test
    void emptyAndBlankValuesReadAsAbsent() throws Exception {
        // Nagios expands $SERVICEDESC$ to nothing in a host event's command: an empty service is a host event
        MonitorEvent e = form("host=web1&service=&state=DOWN&state_type=HARD&attempt=1&&address=%20");
        assertNull(e.get("service"));
        assertNull(e.get("address"));
        assertEquals("web1", e.get("host"));
    }

    @Test
    void aFieldHiddenBehindTooManyFieldsIsRefusedNotSwallowed() {
        StringBuilder b = new StringBuilder("host=a");
        for (int i = 0; i < MonitorEvent.FIELDS.size(); i++) {
            b.append("&state=x");
        }
        PayloadException x = assertThrows(PayloadException.class, () -> form(b.toString()));
        assertTrue(x.getMessage().contains("given twice") || x.getMessage().contains("too many"), x.getMessage());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            many.append("&");
        }
        many.append("host=a");
        try {
            assertEquals("a", form(many.toString()).get("host"), "empty pairs are not fields");
        } catch (PayloadException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void notUtf8IsRefused() {
        byte[] body = {'h', 'o', 's', 't', '=', (byte) 0xff};
        PayloadException x = assertThrows(PayloadException.class, () -> MonitorEvent.parseForm(body, LIMITS));
        assertTrue(x.getMessage().contains("not UTF-8"), x.getMessage());
    }

    @Test
    void oversizeBodyIsRefused() {
        byte[] body = new byte[LIMITS.maxBytes() + 1];
        PayloadException x = assertThrows(PayloadException.class, () -> MonitorEvent.parseForm(body, LIMITS));
        assertTrue(x.getMessage().contains("too large"), x.getMessage());
    }

    @Test
    void jsonTakesStringsNumbersAndLists() throws Exception {
        MonitorEvent e = json("{\"host\":\"web1\",\"service\":\"HTTP\",\"state\":\"CRITICAL\",\"state_type\":\"HARD\","
                + "\"attempt\":3,\"port\":5309,\"classes\":[\"a\",\"b\"],\"bundles\":\"x,y\",\"address\":null}");
        assertEquals(Map.of("host", "web1", "service", "HTTP", "state", "CRITICAL", "state_type", "HARD",
                "attempt", "3", "port", "5309", "classes", "a,b", "bundles", "x,y"), e.fields());
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "form|host=a&clases=x|clases: unknown field",
            "form|host=a&host=b|host: given twice",
            "form|host=a&state=%ZZ|malformed form field",
            "form|host=a&state=%E|malformed form field",
            "form|host=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|host: too long",
            "json|{\"host\":\"a\",\"clases\":\"x\"}|clases: unknown field",
            "json|{\"host\":1}|host: expected a string, got a number",
            "json|{\"host\":\"a\",\"state\":[\"x\"]}|state: expected a string, got an array",
            "json|{\"host\":\"a\",\"classes\":[1]}|classes[0]: expected a string",
            "json|{\"host\":\"a\",\"host\":\"b\"}|invalid JSON",
            "json|[1]|expected a JSON object",
    })
    void badBodiesAreRefusedWithOneLine(String kind, String body, String message) {
        PayloadException x = assertThrows(PayloadException.class, () -> {
            if (kind.equals("form")) {
                form(body);
            } else {
                json(body);
            }
        });
        assertTrue(x.getMessage().contains(message), x.getMessage());
        assertFalse(x.getMessage().contains("\n"));
    }
}
