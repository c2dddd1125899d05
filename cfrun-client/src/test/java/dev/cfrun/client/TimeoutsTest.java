package dev.cfrun.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Timeouts#seconds}: a user's number of seconds as a Duration, or the option's message. */
class TimeoutsTest {
    @Test
    void secondsAreRoundedToTheMillisecondAndAtLeastOne() {
        assertEquals(Duration.ofSeconds(30), Timeouts.seconds(30, "--timeout"));
        assertEquals(Duration.ofMillis(2500), Timeouts.seconds(2.5, "--timeout"));
        assertEquals(Duration.ofMillis(2), Timeouts.seconds(0.0015, "--timeout"));
        assertEquals(Duration.ofMillis(1), Timeouts.seconds(0.0001, "--timeout"));
        assertEquals(Duration.ofSeconds(1_000_000), Timeouts.seconds(1e6, "--max-time"));
        // what it returns, the builder takes
        assertEquals(Duration.ofMillis(1), Timeouts.builder().connect(Timeouts.seconds(1e-9, "-t")).build().connect());
    }

    @Test
    void zeroNegativeNotANumberAndTooLargeNameTheOption() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, 1e6 + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Timeouts.seconds(bad, "--idle-timeout"), "" + bad);
            assertEquals("--idle-timeout must be a positive number of seconds: " + bad, e.getMessage());
        }
    }
}
