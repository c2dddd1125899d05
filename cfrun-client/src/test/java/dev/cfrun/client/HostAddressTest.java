package dev.cfrun.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostAddressTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "host.example.com         | host.example.com | 5308",
            "host.example.com:5309    | host.example.com | 5309",
            "10.0.0.1                 | 10.0.0.1         | 5308",
            "10.0.0.1:1               | 10.0.0.1         | 1",
            "10.0.0.1:65535           | 10.0.0.1         | 65535",
            "10.0.0.1:05308           | 10.0.0.1         | 5308",
            "[::1]:5308               | ::1              | 5308",
            "[::1]:6000               | ::1              | 6000",
            "[::1]                    | ::1              | 5308",
            "[2001:db8::1]:80         | 2001:db8::1      | 80",
            "::1                      | ::1              | 5308",
            "2001:db8::1              | 2001:db8::1      | 5308",
            "fe80::1%eth0             | fe80::1%eth0     | 5308",
            "'  host:7 '              | host             | 7",
            "[host.example.com]:22    | host.example.com | 22",
    })
    void parses(String spec, String host, int port) {
        HostAddress a = HostAddress.parse(spec);
        assertEquals(host, a.host());
        assertEquals(port, a.port());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "   ",
            "host:", "host:0", "host:65536", "host:99999", "host:123456", "host:-1", "host:+1", "host:80a", "host: 80",
            ":5308", "[]", "[]:5308",
            "[::1", "[::1]:", "[::1]5308", "[::1]:0", "[::1]:x", "[::1]:5308:", "[[::1]]",
            "a b", "host/path", "user@host", "host\\x", "h\u00e9st", "a]b",
            "[::1]]:5308",
    })
    void rejects(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostAddress.parse(spec), spec);
        assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    }

    @Test
    void rejectsOverlongNamesAndNull() {
        HostAddress.parse("a".repeat(253));
        assertThrows(IllegalArgumentException.class, () -> HostAddress.parse("a".repeat(254)));
        assertThrows(NullPointerException.class, () -> HostAddress.parse(null));
    }

    @Test
    void ofValidates() {
        assertThrows(IllegalArgumentException.class, () -> HostAddress.of("h", 0));
        assertThrows(IllegalArgumentException.class, () -> HostAddress.of("h", 65536));
        assertThrows(IllegalArgumentException.class, () -> HostAddress.of("", 1));
        assertEquals(5308, HostAddress.DEFAULT_PORT);
    }

    @Test
    void toStringRoundTrips() {
        assertEquals("[::1]:5308", HostAddress.parse("::1").toString());
        assertEquals("host:5308", HostAddress.parse("host").toString());
        assertEquals("[2001:db8::1]:99", HostAddress.parse("[2001:db8::1]:99").toString());
        for (String s : new String[] {"host", "h:1", "::1", "[::1]:2", "10.1.2.3:4"}) {
            HostAddress a = HostAddress.parse(s);
            assertEquals(a, HostAddress.parse(a.toString()));
            assertEquals(a.hashCode(), HostAddress.parse(a.toString()).hashCode());
        }
        assertNotEquals(HostAddress.parse("h:1"), HostAddress.parse("h:2"));
        assertNotEquals(HostAddress.parse("h:1"), HostAddress.parse("g:1"));
    }
}
