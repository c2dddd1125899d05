package dev.cfrun.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    @Test
    void readsPrometheusStyleDurations() {
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofDays(7).plusHours(2).plusMillis(5), Durations.parse("1w2h5ms"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s"), "a unit may overflow into the next");
    }

    @Test
    void refusesAnythingElseWithOneLine() {
        for (String bad : List.of("", "5", "m", "5 m", "-5m", "5M", "1.5h", "5m1h", "1s1s", "5m ", " 5m", "5mm",
                "1y", "1234567890s", "1h\n2m", "1".repeat(41) + "s")) {
            String m = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad).getMessage();
            assertTrue(m.startsWith("a duration like 30s, 5m, 1h30m, 7d or 0"), m);
            assertEquals(1, m.lines().count(), m);
            assertTrue(m.length() < 150, m);
        }
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    }

    @Test
    void formatIsTextParseReadsBack() {
        for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofMinutes(90), Duration.ofDays(30), Duration.ofDays(14).plusMillis(1500))) {
            assertEquals(d, Durations.parse(Durations.format(d)), d.toString());
        }
        assertEquals("1h30m", Durations.format(Duration.ofMinutes(90)));
        assertEquals("14d1s500ms", Durations.format(Duration.ofDays(14).plusMillis(1500)));
        assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
        assertEquals("30d", Durations.format(Duration.ofDays(30)));
    }
}
