package dev.cfrun.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Hangup;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.rules.ReloadingRules;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Alertmanager's delivery through the HTTP ingress with a rules file, reloaded as on SIGHUP. */
class ApiServerRulesTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final MemoryStore store = new MemoryStore();
    private Dispatcher dispatcher;
    private ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    private JsonNode post(byte[] body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.address().getPort() + "/v1/alertmanager"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void aSkipRuleThenAReloadedRunRule() throws Exception {
        byte[] payload;
        try (InputStream in = getClass().getResourceAsStream("/dev/cfrun/service/ingest/am-0.25-webdown.json")) {
            payload = in.readAllBytes();
        }
        Path file = dir.resolve("rules.yml");
        Files.writeString(file, "rules:\n  - name: hold\n    matchers: ['alertname=\"WebDown\"']\n    action: skip\n");
        ReloadingRules rules = ReloadingRules.load(file);
        Hangup hangup = Hangup.unattached().onSignal(rules::reload);
        dispatcher = Dispatcher.create(store, (HostAddress h, List<String> c, List<String> b) ->
                new RunOutcome(Instant.now(), OptionalInt.of(0), null, "ok", List.of()), Clock.systemUTC(),
                DispatchPolicy.defaults());
        dispatcher.pause();
        server = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), new BearerToken(TOKEN), store, dispatcher)
                .rules(rules).start();

        JsonNode held = post(payload);
        assertEquals(0, held.get("accepted").size());
        assertEquals("rule \"hold\": action skip", held.get("skipped").get(0).get("reason").asText());

        Files.writeString(file, "rules:\n  - name: web\n    matchers: ['alertname=\"WebDown\"', 'severity=~\"critical|page\"']"
                + "\n    classes: ['alert_{{ .Labels.alertname }}', web_restart]\n    bundles: [restart_web]\n"
                + "    cooldown: 90s\n");
        hangup.fire();
        JsonNode ran = post(payload);
        assertEquals(1, ran.get("accepted").size(), ran.toString());
        Trigger t = store.queued(10).get(0).trigger();
        assertEquals(List.of("alert_WebDown", "web_restart"), t.classes());
        assertEquals(List.of("restart_web"), t.bundles());
        assertEquals(Duration.ofSeconds(90), t.cooldown());
        assertEquals(HostAddress.of("127.0.0.1", 59621), t.host());

        Files.writeString(file, "rules:\n  - name: web\n    matchers: ['alertname=~\"(\"']\n");
        hangup.fire();
        assertTrue(post(payload).get("duplicates").size() == 1, "the bad file was not taken: the rule still acts");
    }
}
