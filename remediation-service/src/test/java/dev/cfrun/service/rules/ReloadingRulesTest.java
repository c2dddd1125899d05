package dev.cfrun.service.rules;

import dev.cfrun.service.Hangup;
import dev.cfrun.service.ingest.Alert;
import dev.cfrun.service.ingest.AlertStatus;
import dev.cfrun.service.ingest.AlertmanagerPayload;
import dev.cfrun.service.ingest.Decisions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReloadingRulesTest {
    @TempDir
    Path dir;

    private static final AlertmanagerPayload WEB_DOWN = new AlertmanagerPayload("4", "g", AlertStatus.FIRING, "r", 0,
            List.of(new Alert(AlertStatus.FIRING, Map.of("alertname", "WebDown", "cfrun_host", "web1"), Map.of(),
                    Instant.parse("2026-12-06T20:00:00Z"), Optional.empty(), "fp", "")));

    private static List<String> classes(ReloadingRules rules) {
        Decisions d = rules.apply(WEB_DOWN, Instant.EPOCH);
        return d.triggers().isEmpty() ? List.of("skipped: " + d.skipped().get(0).reason())
                : d.triggers().get(0).classes();
    }

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("rules.yml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void goodThenBadKeepsTheOldRulesThenGoodAgainSwitches() throws Exception {
        Path f = write("rules:\n  - name: one\n    classes: [first]\n");
        ReloadingRules rules = ReloadingRules.load(f);
        assertEquals(List.of("first"), classes(rules));

        write("rules:\n  - name: one\n    classes: [second]\n  - name: two\n    matchers: ['a~=\"b\"']\n");
        assertFalse(rules.reload(), "a bad file is not taken");
        assertEquals(List.of("first"), classes(rules), "the old rules stay in force");
        assertEquals(1, rules.current().size());

        Files.delete(f);
        assertFalse(rules.reload(), "a missing file is not taken");
        assertEquals(List.of("first"), classes(rules));

        write("rules:\n  - name: one\n    matchers: ['alertname=\"Other\"']\n");
        assertTrue(rules.reload());
        assertEquals(List.of("skipped: no rule matched"), classes(rules));
    }

    @Test
    void aBadFileAtStartIsRefusedWithEveryError() throws Exception {
        Path f = write("rules:\n  - name: a\n    action: maybe\n  - cooldown: 5x\n");
        RulesException e = assertThrows(RulesException.class, () -> ReloadingRules.load(f));
        assertEquals(List.of(f + ":3:13: rules[0].action: \"maybe\": expected run or skip",
                f + ":4:5: rules[1]: missing the field name",
                f + ":4:15: rules[1].cooldown: a duration like 30s, 5m, 1h30m, 7d or 0, not \"5x\""), e.errors());
        assertTrue(e.getMessage().endsWith("(and 2 more)"), e.getMessage());
    }

    @Test
    void hangupRunsEachActionInTurnEvenAfterOneFails() {
        Hangup h = Hangup.unattached();
        AtomicInteger runs = new AtomicInteger();
        h.onSignal(() -> {
            throw new IllegalStateException("boom");
        }).onSignal(runs::incrementAndGet);
        h.fire();
        h.fire();
        assertEquals(2, runs.get());
    }

    @Test
    void aRealSighupReloadsTheRules() throws Exception {
        Path f = write("rules:\n  - name: one\n    classes: [first]\n");
        ReloadingRules rules = ReloadingRules.load(f);
        CountDownLatch reloaded = new CountDownLatch(1);
        Hangup.install().onSignal(() -> {
            rules.reload();
            reloaded.countDown();
        });
        write("rules:\n  - name: one\n    classes: [second]\n");
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
        assertEquals(0, kill.waitFor());
        assertTrue(reloaded.await(10, TimeUnit.SECONDS), "the handler ran");
        assertEquals(List.of("second"), classes(rules));
    }
}
