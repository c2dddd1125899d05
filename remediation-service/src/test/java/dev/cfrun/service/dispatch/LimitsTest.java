package dev.cfrun.service.dispatch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.cfrun.service.dispatch.DispatchFakes.T0;
import static dev.cfrun.service.dispatch.DispatchFakes.host;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy's checks and the bounded memory of the rate limit and the blast radius. */
class LimitsTest {

    @Test
    void thePolicyNamesTheLimitOutOfRange() {
        DispatchPolicy p = DispatchPolicy.defaults();
        assertEquals("parallelism must be 1 to 1024: 0",
                assertThrows(IllegalArgumentException.class, () -> p.withParallelism(0)).getMessage());
        assertEquals("runsPerMinute must be 0 to 100000: -1",
                assertThrows(IllegalArgumentException.class, () -> p.withRunsPerMinute(-1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.withCooldown(Duration.ofSeconds(-1)))
                .getMessage().startsWith("cooldown must be"));
        assertThrows(IllegalArgumentException.class, () -> p.withQueueBatch(10_001));
        assertThrows(IllegalArgumentException.class, () -> p.withPollInterval(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> p.withBlastRadius(1, null));
        assertEquals(3, p.withParallelism(3).parallelism());
    }

    @Test
    void theRateWindowSlidesAndHoldsNoMoreThanTheLimit() {
        RateLimit r = new RateLimit(3);
        for (int i = 0; i < 3; i++) {
            assertTrue(r.tryAcquire(T0.plusSeconds(i)));
        }
        for (int i = 0; i < 1000; i++) {
            assertFalse(r.tryAcquire(T0.plusSeconds(10)));
        }
        assertTrue(r.tryAcquire(T0.plusSeconds(60)), "the first start left the window");
        assertFalse(r.tryAcquire(T0.plusSeconds(60)));
        assertTrue(new RateLimit(0).tryAcquire(T0), "0 = no limit");
    }

    @Test
    void blastRadiusForgetsOldEntriesAndBoundsItsGroups() {
        BlastRadius b = new BlastRadius(1, Duration.ofMinutes(10));
        for (int i = 0; i <= BlastRadius.MAX_GROUPS; i++) {
            b.record("g" + i, host("web1"), T0);
        }
        assertEquals(BlastRadius.MAX_GROUPS, b.groupCount());
        assertNull(b.refusal("g0", host("web2"), T0), "the oldest group was forgotten");
        assertTrue(b.refusal("g1", host("web2"), T0).endsWith("already has 1 hosts"));
        assertNull(b.refusal(null, host("web2"), T0), "no group, no cap");
        Instant later = T0.plus(Duration.ofMinutes(10));
        b.expire(later);
        assertEquals(0, b.groupCount());
        assertNull(b.refusal("g1", host("web2"), later));
        String longGroup = "x".repeat(5000);
        b.record(longGroup, host("web1"), later);
        assertTrue(b.refusal(longGroup, host("web2"), later).length() < 200, "the reason stays short");
    }
}
