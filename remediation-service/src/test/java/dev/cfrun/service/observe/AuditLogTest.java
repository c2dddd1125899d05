package dev.cfrun.service.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cfrun.client.HostAddress;
import dev.cfrun.recheck.Fifos;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.events.Suppression;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link AuditLog}: the lines, their bounds, reopening after logrotate, and I/O errors that never reach a caller. */
class AuditLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    private static final HostAddress WEB1 = HostAddress.of("web1", 5308);

    @TempDir
    Path dir;
    private final List<AuditLog> logs = new ArrayList<>();

    @AfterEach
    void closeAll() {
        logs.forEach(AuditLog::close);
    }

    private AuditLog open(Path file) throws IOException {
        AuditLog log = AuditLog.open(file, CLOCK);
        logs.add(log);
        return log;
    }

    static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(JSON.readTree(line)); // each line alone is one JSON object
        }
        return out;
    }

    private static void flush(AuditLog log) throws InterruptedException {
        assertTrue(log.flush(Duration.ofSeconds(10)), "written in time");
    }

    static Trigger alert(String dedupeKey) {
        return new Trigger(Source.ALERTMANAGER, dedupeKey, "WebDown", "{}:{alertname=\"WebDown\"}", T0, WEB1,
                List.of("alert_WebDown"), List.of("restart_web"), Map.of("alertname", "WebDown"));
    }

    @Test
    void eachEventIsOneJsonLineWithItsIdsFingerprintAndGroupKey() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file);
        Trigger t = alert("6ac8ee64230d31d5@2026-12-06T09:59:00Z");
        Trigger api = new Trigger(Source.API, null, null, null, T0, HostAddress.of("web2", 5309), List.of("x"),
                List.of(), Map.of());
        StoredTrigger st = new StoredTrigger(11, t);
        log.accepted(11, t);
        log.duplicate(11, t);
        log.accepted(12, api);
        log.skipped("ffff", "{}:{}", Map.of("alertname", "NodeDown"), "no host: neither cfrun_host nor instance");
        log.resolved("6ac8ee64230d31d5", "{}:{}", Map.of("alertname", "WebDown"));
        log.suppressed(st, Suppression.COOLDOWN, "cooldown until 2026-12-06T10:05:00Z");
        log.runStarted(3, WEB1, List.of(st, new StoredTrigger(12, api)), List.of("alert_WebDown", "x"),
                List.of("restart_web"), false);
        log.runFinished(3, WEB1, List.of(st, new StoredTrigger(12, api)),
                new RunOutcome(T0, OptionalInt.of(0), null, "exit code 0", List.of("R: hidden")), Duration.ofMillis(1234));
        log.runFinished(4, WEB1, List.of(st), new RunOutcome(T0, OptionalInt.empty(), "connect", "refused", List.of()),
                Duration.ofMillis(5));
        log.handshake(WEB1, Duration.ofMillis(3)); // metrics only
        flush(log);

        List<JsonNode> lines = read(file);
        assertEquals(List.of("accepted", "duplicate", "accepted", "skipped", "resolved", "suppressed", "run_started",
                "run_finished", "run_finished"), lines.stream().map(l -> l.get("event").asText()).toList());
        lines.forEach(l -> assertEquals(T0.toString(), l.get("time").asText()));
        JsonNode accepted = lines.get(0);
        assertEquals(11, accepted.get("trigger").asLong());
        assertEquals("alertmanager", accepted.get("source").asText());
        assertEquals("web1:5308", accepted.get("host").asText());
        assertEquals("6ac8ee64230d31d5", accepted.get("fingerprint").asText(), "the dedupe key before '@'");
        assertEquals("6ac8ee64230d31d5@2026-12-06T09:59:00Z", accepted.get("dedupe_key").asText());
        assertEquals("{}:{alertname=\"WebDown\"}", accepted.get("group_key").asText());
        assertEquals("[\"alert_WebDown\"]", accepted.get("classes").toString());
        assertEquals("[\"restart_web\"]", accepted.get("bundles").toString());
        assertFalse(lines.get(2).has("fingerprint"), "an API trigger has none");
        assertEquals("api", lines.get(2).get("source").asText());
        assertEquals("NodeDown", lines.get(3).get("labels").get("alertname").asText());
        assertEquals("no host: neither cfrun_host nor instance", lines.get(3).get("reason").asText());
        assertEquals("cooldown", lines.get(5).get("suppression").asText());
        assertEquals(11, lines.get(5).get("trigger").asLong());
        JsonNode started = lines.get(6);
        assertEquals(3, started.get("run").asLong());
        assertEquals(2, started.get("triggers").size());
        assertEquals("6ac8ee64230d31d5", started.get("triggers").get(0).get("fingerprint").asText());
        assertEquals(12, started.get("triggers").get(1).get("id").asLong());
        assertFalse(started.get("dry_run").asBoolean());
        JsonNode finished = lines.get(7);
        assertEquals("success", finished.get("result").asText());
        assertEquals(0, finished.get("exit_code").asInt());
        assertEquals(1234, finished.get("took_ms").asLong());
        assertFalse(finished.has("output"), "agent output stays in the store");
        assertEquals("connect", lines.get(8).get("result").asText());
        assertEquals("connect", lines.get(8).get("error_kind").asText());
        assertFalse(lines.get(8).has("exit_code"));
        assertEquals(9, log.linesWritten());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void linesAreBoundedWhateverTheAlertsContain() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file);
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            labels.put("label" + i, "v".repeat(5000));
        }
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            classes.add("class_" + i);
        }
        log.skipped("f".repeat(10_000), "g", labels, "r".repeat(10_000));
        Trigger t = new Trigger(Source.ALERTMANAGER, "k@t", null, null, T0, WEB1, classes, List.of(), Map.of());
        log.runStarted(1, WEB1, List.of(new StoredTrigger(1, t)), classes, List.of(), true);
        Map<String, String> escapes = new HashMap<>();
        for (int i = 0; i < 32; i++) {
            escapes.put(i + "\u0001".repeat(256), "\u0002".repeat(256));
        }
        log.skipped("\u0003".repeat(256), "\u0004".repeat(256), escapes, "\u0005".repeat(256));
        flush(log);

        List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(3, raw.size());
        raw.forEach(l -> assertTrue(l.getBytes(StandardCharsets.UTF_8).length < AuditLines.MAX_LINE, l.length() + ""));
        List<JsonNode> lines = read(file);
        JsonNode skipped = lines.get(0);
        assertEquals(AuditLines.MAX_TEXT, skipped.get("fingerprint").asText().length());
        assertTrue(skipped.get("reason").asText().endsWith("…"));
        assertEquals(AuditLines.MAX_ITEMS, skipped.get("labels").size());
        assertEquals(100 - AuditLines.MAX_ITEMS, skipped.get("labels_omitted").asInt());
        assertEquals(AuditLines.MAX_ITEMS, lines.get(1).get("classes").size());
        assertEquals(100 - AuditLines.MAX_ITEMS, lines.get(1).get("classes_omitted").asInt());
        assertTrue(lines.get(1).get("dry_run").asBoolean());
        JsonNode escaped = lines.get(2);
        assertTrue(escaped.get("truncated").asBoolean(), escaped.toString());
        assertEquals("skipped", escaped.get("event").asText());
        assertFalse(escaped.has("labels"));
    }

    @Test
    void reopenAfterLogrotateWritesTheNextLineToTheNewFile() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file);
        log.accepted(1, alert("a@t"));
        flush(log);
        Files.move(file, dir.resolve("audit.jsonl.1")); // logrotate renames, then sends SIGHUP
        log.reopen();
        log.accepted(2, alert("b@t"));
        flush(log);
        assertEquals(1, read(dir.resolve("audit.jsonl.1")).get(0).get("trigger").asLong());
        assertEquals(2, read(file).get(0).get("trigger").asLong());
        assertEquals(1, read(file).size());
        assertEquals(0, log.lostToErrors());
    }

    @Test
    void anIoErrorIsCountedNeverThrownAndTheNextLineTriesAgain() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("logs"));
        Path file = sub.resolve("audit.jsonl");
        AuditLog log = open(file);
        Files.delete(file);
        Files.delete(sub);
        log.reopen(); // the file cannot be opened again: the directory is gone
        log.accepted(1, alert("a@t"));
        log.accepted(2, alert("b@t"));
        flush(log);
        assertEquals(2, log.lostToErrors());
        assertEquals(0, log.linesWritten());

        Files.createDirectory(sub);
        log.accepted(3, alert("c@t"));
        flush(log);
        assertEquals(3, read(file).get(0).get("trigger").asLong(), "retried with the next line");
        assertEquals(1, log.linesWritten());
        assertEquals(2, log.lostToErrors());
    }

    @Test
    void aStuckFileNeverBlocksTheCallersAndLinesBeyondTheQueueAreCounted() throws Exception {
        Path fifo = Fifos.mkfifo(dir.resolve("audit.fifo"));
        CountDownLatch drain = new CountDownLatch(1);
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                drain.await(); // opened but not read: the pipe fills and the writer blocks in write()
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().count();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        AuditLog log = open(fifo);
        int events = AuditLog.QUEUE + 5000;
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            log.accepted(i, alert("k" + i + "@t"));
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 10_000, "the callers never waited for the stuck file: " + tookMs + " ms");
        assertTrue(log.lostToFullQueue() > 0, "lines beyond the queue are lost, not waited for");
        drain.countDown();
        flush(log);
        log.close();
        assertEquals(log.linesWritten(), reader.get(30, TimeUnit.SECONDS));
        assertEquals(events, log.linesWritten() + log.lostToFullQueue());
        assertEquals(0, log.lostToErrors());
    }

    @Test
    void aFileThatCannotBeOpenedAtTheStartIsAnError() {
        assertThrows(IOException.class, () -> AuditLog.open(dir.resolve("missing/audit.jsonl"), CLOCK));
        assertThrows(IOException.class, () -> AuditLog.open(dir, CLOCK));
    }

    @Test
    void afterCloseEventsAreIgnored() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file);
        log.accepted(1, alert("a@t"));
        log.close();
        assertEquals(1, read(file).size(), "close writes what was queued");
        log.accepted(2, alert("b@t"));
        assertFalse(log.flush(Duration.ofMillis(100)));
        assertEquals(1, read(file).size());
    }

    @Test
    void twoWritersAppendingToOneFileNeverInterleaveLines() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog a = open(file);
        AuditLog b = open(file);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                AuditLog log = w % 2 == 0 ? a : b;
                int base = w * 1000;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        log.accepted(base + i, alert("k" + (base + i) + "@t"));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        flush(a);
        flush(b);
        List<JsonNode> lines = read(file);
        assertEquals(2000, lines.size());
        assertEquals(2000, lines.stream().map(l -> l.get("trigger").asLong()).distinct().count());
    }
}
