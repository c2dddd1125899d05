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
        assertEquals("parallelism must be 1 to 1024: 0", assertThrows(IllegalArgumentException.class,
                () -> p.toBuilder().parallelism(0).build()).getMessage());
        assertEquals("runsPerMinute must be 0 to 100000: -1", assertThrows(IllegalArgumentException.class,
                () -> p.toBuilder().runsPerMinute(-1).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> p.toBuilder().cooldown(Duration.ofSeconds(-1)).build()).getMessage().startsWith("cooldown must be"));
        assertThrows(IllegalArgumentException.class, () -> p.toBuilder().queueBatch(10_001).build());
        assertThrows(IllegalArgumentException.class, () -> p.toBuilder().pollInterval(Duration.ZERO).build());
        assertThrows(NullPointerException.class, () -> p.toBuilder().groupWindow(null).build());
        assertEquals(3, p.toBuilder().parallelism(3).build().parallelism());
    }

    @Test
    void theBuilderStartsFromTheDefaultsAndCopiesAPolicy() {
        DispatchPolicy d = DispatchPolicy.defaults();
        assertEquals(new DispatchPolicy(8, 60, Duration.ofMinutes(5), 10, Duration.ofHours(1), false, 1000,
                Duration.ofDays(7), Duration.ofSeconds(1)), d);
        assertEquals(d, DispatchPolicy.builder().build());
        DispatchPolicy changed = DispatchPolicy.builder().parallelism(2).runsPerMinute(0).cooldown(Duration.ZERO)
                .maxHostsPerGroup(3).groupWindow(Duration.ofMinutes(7)).dryRun(true).queueBatch(5)
                .dedupeRetention(Duration.ofDays(1)).pollInterval(Duration.ofMillis(50)).build();
        assertEquals(new DispatchPolicy(2, 0, Duration.ZERO, 3, Duration.ofMinutes(7), true, 5, Duration.ofDays(1),
                Duration.ofMillis(50)), changed);
        assertEquals(changed, changed.toBuilder().build());
        assertEquals(d, d.toBuilder().build());
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
