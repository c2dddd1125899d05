package dev.cfrun.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.Store;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiServerTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MemoryStore store = new MemoryStore();
    private final AtomicInteger runs = new AtomicInteger();
    private final List<String> ranOn = new ArrayList<>();
    private Dispatcher dispatcher;
    private ApiServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private byte[] payload;

    @BeforeEach
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/dev/cfrun/service/ingest/am-0.25-webdown.json")) {
            payload = in.readAllBytes();
        }
        DispatchPolicy policy = DispatchPolicy.builder().pollInterval(Duration.ofMillis(20)).build();
        dispatcher = Dispatcher.create(store, this::fakeRun, Clock.systemUTC(), policy);
        server = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), new BearerToken(TOKEN), store, dispatcher)
                .limits(new Limits(4096, 100, 64, 1024, 16384)).start();
    }

    private RunOutcome fakeRun(HostAddress host, List<String> classes, List<String> bundles) {
        runs.incrementAndGet();
        synchronized (ranOn) {
            ranOn.add(host.host());
        }
        return new RunOutcome(java.time.Instant.now(), OptionalInt.of(0), null, "ok", List.of("R: ran " + classes));
    }

    @AfterEach
    void stop() {
        server.close();
        dispatcher.close();
    }

    private HttpResponse<String> send(String method, String path, String type, byte[] body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return send("POST", path, "application/json", body, TOKEN);
    }

    @Test
    void acceptedTriggerIsStoredBeforeTheAnswer() throws Exception {
        dispatcher.pause();   // nothing may pick the trigger up before we look
        HttpResponse<String> r = post("/v1/alertmanager", payload);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(1, body.get("accepted").size());
        long id = body.get("accepted").get(0).asLong();
        assertTrue(store.queued(10).stream().map(StoredTrigger::id).anyMatch(x -> x == id), "stored as queued");
        assertEquals(0, body.get("duplicates").size());
        assertEquals(0, body.get("resolved").asInt());
    }

    @Test
    void theSameAlertTwiceInOneDeliveryIsOneTriggerAndADuplicate() throws Exception {
        dispatcher.pause();
        ObjectNode twice = (ObjectNode) JSON.readTree(payload);
        ArrayNode alerts = (ArrayNode) twice.get("alerts");
        alerts.add(alerts.get(0).deepCopy());
        HttpResponse<String> r = post("/v1/alertmanager", JSON.writeValueAsBytes(twice));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(1, body.get("accepted").size(), r.body());
        assertEquals(1, body.get("duplicates").size(), r.body());
        assertEquals(body.get("accepted").get(0).asLong(), body.get("duplicates").get(0).asLong());
        assertEquals(1, store.queueDepth());
    }

    @Test
    void samePayloadTenTimesIsOneRun() throws Exception {
        dispatcher.start();
        int accepted = 0;
        int duplicates = 0;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = post("/v1/alertmanager", payload);
            assertEquals(202, r.statusCode(), r.body());
            JsonNode body = JSON.readTree(r.body());
            accepted += body.get("accepted").size();
            duplicates += body.get("duplicates").size();
        }
        assertEquals(1, accepted);
        assertEquals(9, duplicates);
        waitFor(() -> !store.recentRuns(Optional.empty(), 10).isEmpty()
                && store.recentRuns(Optional.empty(), 10).get(0).endedAt().isPresent());
        Thread.sleep(200);
        assertEquals(1, runs.get());
        long runId = store.recentRuns(Optional.empty(), 10).get(0).id();

        HttpResponse<String> one = send("GET", "/v1/runs/" + runId, null, null, TOKEN);
        assertEquals(200, one.statusCode(), one.body());
        JsonNode run = JSON.readTree(one.body());
        assertEquals("ok", run.get("status").asText());
        assertEquals(0, run.get("exitCode").asInt());
        assertTrue(run.get("output").get(0).asText().contains("alert_WebDown"), run.toString());

        HttpResponse<String> list = send("GET", "/v1/runs?host=127.0.0.1&limit=5", null, null, TOKEN);
        assertEquals(200, list.statusCode(), list.body());
        assertEquals(runId, JSON.readTree(list.body()).get("runs").get(0).get("id").asLong());
        HttpResponse<String> other = send("GET", "/v1/runs?host=elsewhere", null, null, TOKEN);
        assertEquals(0, JSON.readTree(other.body()).get("runs").size());
        // the host as the run lists it (host:port) finds it; another port does not
        String listed = run.get("host").asText();
        assertTrue(listed.matches("127\\.0\\.0\\.1:\\d+"), listed);
        HttpResponse<String> byPort = send("GET", "/v1/runs?host=" + listed, null, null, TOKEN);
        assertEquals(runId, JSON.readTree(byPort.body()).get("runs").get(0).get("id").asLong(), byPort.body());
        HttpResponse<String> otherPort = send("GET", "/v1/runs?host=127.0.0.1:1", null, null, TOKEN);
        assertEquals(0, JSON.readTree(otherPort.body()).get("runs").size(), otherPort.body());
        assertEquals(400, send("GET", "/v1/runs?host=127.0.0.1:x", null, null, TOKEN).statusCode());

        assertEquals(404, send("GET", "/v1/runs/99999", null, null, TOKEN).statusCode());
        assertEquals(404, send("GET", "/v1/runs/abc", null, null, TOKEN).statusCode());
    }

    @Test
    void pauseStopsRunsButAcceptsTriggers() throws Exception {
        dispatcher.start();
        HttpResponse<String> p = post("/v1/pause", new byte[0]);
        assertEquals(200, p.statusCode(), p.body());
        assertTrue(JSON.readTree(p.body()).get("paused").asBoolean());
        HttpResponse<String> r = post("/v1/runs", "{\"hosts\":[\"web1\",\"web2\"],\"classes\":[\"fix\"]}".getBytes());
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(2, JSON.readTree(r.body()).get("accepted").size());
        Thread.sleep(300);
        assertEquals(0, runs.get());
        assertEquals(2, store.queued(10).size());
        assertFalse(JSON.readTree(post("/v1/resume", new byte[0]).body()).get("paused").asBoolean());
        waitFor(() -> runs.get() == 2);
    }

    @Test
    void idempotencyKeyMakesARepeatADuplicate() throws Exception {
        dispatcher.pause();
        byte[] body = "{\"hosts\":[\"web1\"]}".getBytes();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + server.address().getPort() + "/v1/runs"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                    .header("Idempotency-Key", "abc-1").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());
            assertEquals(i == 0 ? 1 : 0, JSON.readTree(r.body()).get("accepted").size());
        }
    }

    @Test
    void authIsRequiredOnV1Only() throws Exception {
        HttpResponse<String> none = send("POST", "/v1/alertmanager", "application/json", payload, null);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, send("POST", "/v1/alertmanager", "application/json", payload, TOKEN + "x").statusCode());
        assertEquals(401, send("GET", "/v1/runs", null, null, "short").statusCode());
        assertTrue(store.queued(10).isEmpty(), "nothing accepted without the token");
        HttpResponse<String> health = send("GET", "/healthz", null, null, null);
        assertEquals(200, health.statusCode());
        assertEquals("ok", health.body().strip());
    }

    @Test
    void badRequestsGetOneLineAnswers() throws Exception {
        HttpResponse<String> type = send("POST", "/v1/alertmanager", "text/plain", payload, TOKEN);
        assertEquals(415, type.statusCode());
        HttpResponse<String> big = post("/v1/alertmanager", new byte[5000]);
        assertEquals(413, big.statusCode());
        HttpResponse<String> bad = post("/v1/alertmanager", "{\"version\":\"3\"}".getBytes());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("version"), bad.body());
        assertEquals(400, post("/v1/alertmanager", "{not json".getBytes()).statusCode());
        for (HttpResponse<String> r : List.of(type, big, bad)) {
            assertEquals(1, r.body().strip().lines().count(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertFalse(r.body().contains("Exception"), r.body());
        }
        assertEquals(405, send("GET", "/v1/alertmanager", null, null, TOKEN).statusCode());
        assertEquals(405, send("DELETE", "/v1/runs/1", null, null, TOKEN).statusCode());
        assertEquals(404, send("GET", "/v1/nothing", null, null, TOKEN).statusCode());
        assertEquals(404, send("GET", "/other", null, null, TOKEN).statusCode());
        assertEquals(404, send("GET", "/metrics", null, null, null).statusCode(), "started without metrics");
        assertEquals(400, send("GET", "/v1/runs?limit=0", null, null, TOKEN).statusCode());
        assertTrue(store.queued(10).isEmpty());
    }

    @Test
    void oversizeChunkedBodyIsRefusedWhileReading() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                        + "/v1/alertmanager"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[9000])))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("4096"), r.body());
    }

    @Test
    void internalErrorIsLoggedAndAnsweredInOneLine() throws Exception {
        Store broken = (Store) java.lang.reflect.Proxy.newProxyInstance(Store.class.getClassLoader(),
                new Class<?>[] {Store.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("disk on fire\nsecond line");
                });
        try (ApiServer other = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), new BearerToken(TOKEN), broken,
                dispatcher).start()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + other.address().getPort() + "/v1/alertmanager"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode());
            assertEquals(1, r.body().strip().lines().count(), r.body());
            assertFalse(r.body().contains("disk on fire"), "no internals to the client: " + r.body());
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
