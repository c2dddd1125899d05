package dev.cfrun.service.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.http.ApiServer;
import dev.cfrun.service.http.BearerToken;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.RunRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's observability over real HTTP, as Main wires it: alerts and API requests posted while paused,
 * {@code GET /metrics} (no token) read with a strict text-format parser, then resumed and run; the audit log
 * read back line by line and each accepted trigger followed to its run's start and end.
 */
class ObserveOverHttpTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final MemoryStore store = new MemoryStore();
    private final HttpClient http = HttpClient.newHttpClient();
    private Metrics metrics;
    private AuditLog audit;
    private Dispatcher dispatcher;
    private ApiServer server;

    @BeforeEach
    void start() throws Exception {
        metrics = Metrics.create();
        audit = AuditLog.open(dir.resolve("audit.jsonl"), Clock.systemUTC());
        metrics.watchAuditLog(audit);
        ServiceEvents events = ServiceEvents.of(List.of(metrics, audit));
        // the blast radius lets one host of an alert group run: the mixed group's second host is suppressed
        DispatchPolicy policy = DispatchPolicy.builder().pollInterval(Duration.ofMillis(20))
                .cooldown(Duration.ZERO).runsPerMinute(0).maxHostsPerGroup(1).groupWindow(Duration.ofHours(1)).build();
        dispatcher = Dispatcher.builder(store, (host, classes, bundles) -> fakeRun(host, events)).policy(policy)
                .events(events).build();
        metrics.watch(store::queueDepth, dispatcher::stats);
        server = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), new BearerToken(TOKEN), store, dispatcher)
                .events(events).metrics(metrics).start();
    }

    /** web3 fails in the agent, web4 cannot be reached, the others succeed after a 4 ms handshake. */
    private static RunOutcome fakeRun(HostAddress host, ServiceEvents events) {
        return switch (host.host()) {
            case "web3" -> new RunOutcome(Instant.now(), OptionalInt.of(2), null, "exit code 2", List.of());
            case "web4" -> new RunOutcome(Instant.now(), OptionalInt.empty(), "connect", "refused", List.of());
            default -> {
                events.handshake(host, Duration.ofMillis(4));
                yield new RunOutcome(Instant.now(), OptionalInt.of(0), null, "exit code 0", List.of());
            }
        };
    }

    @AfterEach
    void stop() {
        server.close();
        dispatcher.close();
        audit.close();
        store.close();
    }

    private HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void post(String path, byte[] body) throws Exception {
        HttpResponse<String> r = send("POST", path, body);
        assertEquals(path.endsWith("pause") || path.endsWith("resume") ? 200 : 202, r.statusCode(), r.body());
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = ObserveOverHttpTest.class.getResourceAsStream("/dev/cfrun/service/ingest/" + name)) {
            return in.readAllBytes();
        }
    }

    private MetricsText scrape() throws Exception {
        HttpResponse<String> r = send("GET", "/metrics", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return MetricsText.parse(r.body());
    }

    private static void waitFor(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not done within 10 s");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void metricsAndAuditLogAfterAScenario() throws Exception {
        dispatcher.start();
        post("/v1/pause", new byte[0]);
        byte[] webDown = resource("am-0.25-webdown.json");
        post("/v1/alertmanager", webDown);
        post("/v1/alertmanager", webDown);                          // Alertmanager's re-send: a duplicate
        post("/v1/alertmanager", resource("am-mixed-group.json")); // 2 firing with a host, 1 resolved, 1 skipped
        post("/v1/alertmanager", resource("am-resolved.json"));
        post("/v1/runs", "{\"hosts\":[\"web3\",\"web4\"],\"classes\":[\"a\"]}".getBytes(StandardCharsets.UTF_8));
        post("/v1/runs", "{\"hosts\":[\"web3\"],\"classes\":[\"b\"]}".getBytes(StandardCharsets.UTF_8));

        MetricsText paused = scrape();
        assertEquals(6, paused.value("cfrun_service_queue_depth"));
        assertEquals(1, paused.value("cfrun_service_paused"));
        assertEquals(0, paused.value("cfrun_service_runs_in_flight"));
        assertEquals(3, paused.value("cfrun_service_triggers_total", "source", "alertmanager", "outcome", "accepted"));
        assertEquals(1, paused.value("cfrun_service_triggers_total", "source", "alertmanager", "outcome", "duplicate"));
        assertEquals(3, paused.value("cfrun_service_triggers_total", "source", "api", "outcome", "accepted"));
        assertEquals(3, paused.value("cfrun_service_alerts_total", "outcome", "triggered"));
        assertEquals(1, paused.value("cfrun_service_alerts_total", "outcome", "duplicate"));
        assertEquals(1, paused.value("cfrun_service_alerts_total", "outcome", "skipped"));
        assertEquals(2, paused.value("cfrun_service_alerts_total", "outcome", "resolved"));
        assertEquals(0, paused.value("cfrun_service_runs_started_total"));

        post("/v1/resume", new byte[0]);
        waitFor(() -> dispatcher.stats().runsFinished() == 4 && dispatcher.stats().inFlight() == 0);
        MetricsText t = scrape();
        assertEquals(0, t.value("cfrun_service_queue_depth"));
        assertEquals(0, t.value("cfrun_service_paused"));
        assertEquals(4, t.value("cfrun_service_runs_started_total"), "127.0.0.1, web1, web3 (merged), web4");
        assertEquals(1, t.value("cfrun_service_triggers_merged_total"));
        assertEquals(1, t.value("cfrun_service_triggers_suppressed_total", "reason", "blast_radius"));
        assertEquals(2, t.value("cfrun_service_runs_total", "result", "success"));
        assertEquals(1, t.value("cfrun_service_runs_total", "result", "agent_failed"));
        assertEquals(1, t.value("cfrun_service_runs_total", "result", "connect"));
        assertEquals(4, t.value("cfrun_service_run_duration_seconds_count"));
        assertEquals(2, t.value("cfrun_service_handshake_duration_seconds_count"));
        assertEquals(2, t.value("cfrun_service_handshake_duration_seconds_bucket", "le", "0.005"));
        assertTrue(t.has("jvm_memory_used_bytes"));
        assertEquals(405, send("POST", "/metrics", new byte[0]).statusCode());

        assertTrue(audit.flush(Duration.ofSeconds(10)));
        List<JsonNode> lines = AuditLogTest.read(dir.resolve("audit.jsonl"));
        Map<String, Integer> counts = new HashMap<>();
        lines.forEach(l -> counts.merge(l.get("event").asText(), 1, Integer::sum));
        assertEquals(Map.of("accepted", 6, "duplicate", 1, "skipped", 1, "resolved", 2, "suppressed", 1,
                "run_started", 4, "run_finished", 4), counts);
        assertEquals(lines.size(), (long) scrape().value("cfrun_service_audit_log_lines_total"));
        followEachAcceptedTriggerToItsRun(lines);
    }

    /** accepted → run_started (listing the trigger) → run_finished (same run), in this order; or suppressed. */
    private void followEachAcceptedTriggerToItsRun(List<JsonNode> lines) {
        Set<Long> suppressed = new HashSet<>();
        for (JsonNode l : lines) {
            if (l.get("event").asText().equals("suppressed")) {
                suppressed.add(l.get("trigger").asLong());
            }
        }
        int followed = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode a = lines.get(i);
            if (!a.get("event").asText().equals("accepted")) {
                continue;
            }
            long trigger = a.get("trigger").asLong();
            if (suppressed.contains(trigger)) {
                continue;
            }
            int started = indexOf(lines, i, l -> l.get("event").asText().equals("run_started")
                    && ids(l).contains(trigger));
            long run = lines.get(started).get("run").asLong();
            int finished = indexOf(lines, started, l -> l.get("event").asText().equals("run_finished")
                    && l.get("run").asLong() == run);
            assertEquals(ids(lines.get(started)), ids(lines.get(finished)));
            RunRecord r = store.run(run).orElseThrow();
            assertEquals(Metrics.result(new RunOutcome(Instant.EPOCH, r.exitCode(), r.errorKind(), null, List.of())),
                    lines.get(finished).get("result").asText(), "the result as recorded");
            for (JsonNode t : lines.get(started).get("triggers")) {
                if (t.get("id").asLong() == trigger) {
                    assertEquals(a.path("fingerprint"), t.path("fingerprint"));
                    assertEquals(a.path("group_key"), t.path("group_key"));
                }
            }
            followed++;
        }
        assertEquals(5, followed, "6 accepted, 1 suppressed");
    }

    private static List<Long> ids(JsonNode run) {
        List<Long> out = new ArrayList<>();
        run.get("triggers").forEach(t -> out.add(t.get("id").asLong()));
        return out;
    }

    private static int indexOf(List<JsonNode> lines, int after, Predicate<JsonNode> p) {
        for (int j = after + 1; j < lines.size(); j++) {
            if (p.test(lines.get(j))) {
                return j;
            }
        }
        throw new AssertionError("no matching line after line " + (after + 1) + ": " + lines);
    }
}
