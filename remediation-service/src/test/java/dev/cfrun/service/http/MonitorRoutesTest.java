package dev.cfrun.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cfrun.client.HostAddress;
import dev.cfrun.recheck.Fifos;
import dev.cfrun.recheck.NagiosCommandFile;
import dev.cfrun.service.Source;
import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.recheck.RecheckAfterRun;
import dev.cfrun.service.store.MemoryStore;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.StoredTrigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * POST /v1/nagios and /v1/icinga over real HTTP: the answers, the trigger, the run and the re-check it asks
 * for through a real FIFO; and the documented event commands, macros expanded as Nagios / Icinga 2 do, run by
 * the real curl (Nagios through /bin/sh, Icinga 2 as an argument vector).
 */
class MonitorRoutesTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The service command of docs/alertmanager.md, verbatim. */
    static final String NAGIOS_SERVICE_COMMAND = "/usr/bin/curl -sS -m 10 -H @/etc/cfrun/curl-auth"
            + " --data-urlencode 'host=$HOSTNAME$' --data-urlencode 'address=$HOSTADDRESS$'"
            + " --data-urlencode 'service=$SERVICEDESC$' --data-urlencode 'state=$SERVICESTATE$'"
            + " --data-urlencode 'state_type=$SERVICESTATETYPE$' --data-urlencode 'attempt=$SERVICEATTEMPT$'"
            + " --data-urlencode 'last_state_change=$LASTSERVICESTATECHANGE$'"
            + " --data-urlencode 'event_id=$SERVICEEVENTID$' --data-urlencode 'soft_attempt=1'"
            + " http://127.0.0.1:9308/v1/nagios";
    /** The host command of docs/alertmanager.md, verbatim. */
    static final String NAGIOS_HOST_COMMAND = "/usr/bin/curl -sS -m 10 -H @/etc/cfrun/curl-auth"
            + " --data-urlencode 'host=$HOSTNAME$' --data-urlencode 'address=$HOSTADDRESS$'"
            + " --data-urlencode 'state=$HOSTSTATE$' --data-urlencode 'state_type=$HOSTSTATETYPE$'"
            + " --data-urlencode 'attempt=$HOSTATTEMPT$' --data-urlencode 'last_state_change=$LASTHOSTSTATECHANGE$'"
            + " --data-urlencode 'event_id=$HOSTEVENTID$' http://127.0.0.1:9308/v1/nagios";
    /** The Icinga 2 EventCommand's command array of docs/alertmanager.md, verbatim. */
    static final List<String> ICINGA_SERVICE_COMMAND = List.of("/usr/bin/curl", "-sS", "-m", "10",
            "-H", "@/etc/cfrun/curl-auth",
            "--data-urlencode", "host=$host.name$", "--data-urlencode", "address=$host.address$",
            "--data-urlencode", "service=$service.name$", "--data-urlencode", "state=$service.state$",
            "--data-urlencode", "state_type=$service.state_type$",
            "--data-urlencode", "attempt=$service.check_attempt$",
            "--data-urlencode", "last_state_change=$service.last_state_change$",
            "--data-urlencode", "soft_attempt=1",
            "http://127.0.0.1:9308/v1/icinga");

    @TempDir
    Path dir;
    private final MemoryStore store = new MemoryStore();
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<RecheckAfterRun.Result> rechecked = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Dispatcher dispatcher;
    private ApiServer server;
    private RecheckAfterRun recheck;
    private Path fifo;

    @BeforeEach
    void start() throws Exception {
        fifo = Fifos.mkfifo(dir.resolve("nagios.cmd"));
        recheck = new RecheckAfterRun(Map.of(Source.NAGIOS, new NagiosCommandFile(fifo)), 10, rechecked::add);
        DispatchPolicy policy = DispatchPolicy.builder().pollInterval(Duration.ofMillis(20)).build();
        dispatcher = Dispatcher.builder(store, this::fakeRun).clock(Clock.systemUTC()).policy(policy).events(recheck)
                .build();
        server = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), new BearerToken(TOKEN), store, dispatcher)
                .limits(new Limits(4096, 100, 64, 1024, 16384)).events(recheck).start();
    }

    private RunOutcome fakeRun(HostAddress host, List<String> classes, List<String> bundles) {
        ran.add(host + " " + classes);
        return new RunOutcome(Instant.now(), OptionalInt.of(0), null, "ok", List.of());
    }

    @AfterEach
    void stop() {
        server.close();
        dispatcher.close();
        recheck.close();
    }

    private HttpResponse<String> post(String path, String type, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                + path)).POST(HttpRequest.BodyPublishers.ofString(body)).header("Authorization", "Bearer " + TOKEN);
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> form(String path, String body) throws Exception {
        return post(path, "application/x-www-form-urlencoded", body);
    }

    @Test
    void aCriticalEventRunsOnceAndAsksNagiosToLookAgain() throws Exception {
        CompletableFuture<String> nagios = Fifos.readUntilEof(fifo);
        dispatcher.start();
        String event = "host=web1&address=127.0.0.1%3A5309&service=HTTP&state=CRITICAL&state_type=SOFT&attempt=1"
                + "&soft_attempt=1&last_state_change=1733526445";
        HttpResponse<String> r = form("/v1/nagios", event);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("run", body.get("action").asText());
        assertEquals("CRITICAL SOFT at attempt 1", body.get("reason").asText());
        long id = body.get("accepted").get(0).asLong();

        HttpResponse<String> again = form("/v1/nagios", event);
        assertEquals(202, again.statusCode(), again.body());
        assertEquals(id, JSON.readTree(again.body()).get("duplicates").get(0).asLong(), "a re-post is a duplicate");

        String line = nagios.get(20, TimeUnit.SECONDS);
        assertTrue(line.matches("\\[\\d+] SCHEDULE_FORCED_SVC_CHECK;web1;HTTP;\\d+\n"), line);
        waitFor(() -> rechecked.size() == 1);
        assertEquals(List.of("127.0.0.1:5309 [nagios_HTTP_CRITICAL]"), ran);
        assertTrue(rechecked.get(0).outcome().isScheduled(), rechecked.get(0).toString());
        RunRecord run = store.recentRuns(Optional.empty(), 5).get(0);
        assertEquals(List.of(id), run.triggerIds());
    }

    @Test
    void anEventThatDoesNotActIs200WithTheReasonAndStoresNothing() throws Exception {
        dispatcher.pause();
        HttpResponse<String> r = form("/v1/icinga", "host=web1&service=HTTP&state=OK&state_type=HARD&attempt=1");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("skip", body.get("action").asText());
        assertEquals("state OK is not one to act on (CRITICAL)", body.get("reason").asText());
        assertTrue(store.queued(10).isEmpty());
    }

    @Test
    void jsonIsAcceptedToo() throws Exception {
        dispatcher.pause();
        HttpResponse<String> r = post("/v1/icinga", "application/json; charset=utf-8",
                "{\"host\":\"web1\",\"service\":\"HTTP\",\"state\":\"CRITICAL\",\"state_type\":\"HARD\",\"attempt\":1}");
        assertEquals(202, r.statusCode(), r.body());
        StoredTrigger t = store.queued(10).get(0);
        assertEquals(Source.ICINGA, t.trigger().source());
        assertEquals("HTTP", t.trigger().labels().get("service"));
    }

    @Test
    void errorsAreOneLineAndRunNothing() throws Exception {
        dispatcher.pause();
        HttpResponse<String> r = form("/v1/nagios", "host=web1&service=HTTP&state=$SERVICESTATE$&state_type=HARD"
                + "&attempt=1");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("unexpanded macro"), r.body());
        assertEquals(400, form("/v1/nagios", "host=web1&state=CRITICAL&state_type=HARD&attempt=1").statusCode(),
                "a host event with a service state");
        assertEquals(400, form("/v1/nagios", "hostname=web1").statusCode());
        HttpResponse<String> type = post("/v1/nagios", "text/plain", "host=web1");
        assertEquals(415, type.statusCode());
        assertTrue(type.body().contains("application/x-www-form-urlencoded"), type.body());
        HttpResponse<String> big = form("/v1/nagios", "host=" + "a".repeat(5000));
        assertEquals(413, big.statusCode(), big.body());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.address().getPort() + "/v1/nagios")).header("Authorization", "Bearer " + TOKEN).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.address().getPort() + "/v1/nagios")).POST(HttpRequest.BodyPublishers.ofString("host=a"))
                .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noToken.statusCode());
        assertTrue(store.queued(10).isEmpty());
    }

    /** Nagios' macro expansion: each $NAME$ replaced by its value (unknown macros become empty, as Nagios does). */
    private static String expand(String commandLine, Map<String, String> macros) {
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("\\$([A-Za-z0-9_.]+)\\$").matcher(commandLine);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(macros.getOrDefault(m.group(1), "")));
        }
        return m.appendTail(out).toString();
    }

    private String local(String s) throws Exception {
        Path auth = dir.resolve("curl-auth");
        Files.writeString(auth, "Authorization: Bearer " + TOKEN + "\n");
        Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-------"));
        return s.replace("http://127.0.0.1:9308", "http://127.0.0.1:" + server.address().getPort())
                .replace("/etc/cfrun/curl-auth", auth.toString());
    }

    /** Runs an event command (curl must be installed) with the dispatcher paused; its output. */
    private String run(List<String> argv) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is installed");
        dispatcher.pause();
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl ends");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theDocumentedNagiosCommandsPostTheEvent() throws Exception {
        Map<String, String> macros = Map.of("HOSTNAME", "web-01", "HOSTADDRESS", "192.0.2.20",
                "SERVICEDESC", "HTTP ours", "SERVICESTATE", "CRITICAL", "SERVICESTATETYPE", "SOFT",
                "SERVICEATTEMPT", "1", "LASTSERVICESTATECHANGE", "1733526445", "SERVICEEVENTID", "4711");
        String out = run(List.of("/bin/sh", "-c", expand(local(NAGIOS_SERVICE_COMMAND), macros)));
        assertTrue(out.contains("\"action\":\"run\""), out);
        StoredTrigger t = store.queued(10).get(0);
        assertEquals(Source.NAGIOS, t.trigger().source());
        assertEquals(HostAddress.of("192.0.2.20", 5308), t.trigger().host());
        assertEquals(List.of("nagios_HTTP_ours_CRITICAL"), t.trigger().classes());
        assertEquals(Map.of("host", "web-01", "service", "HTTP ours", "state", "CRITICAL", "state_type", "SOFT",
                "attempt", "1", "last_state_change", "1733526445", "event_id", "4711"), t.trigger().labels());
        assertEquals("nagios:web-01;HTTP ours;CRITICAL;SOFT;1;1733526445;e4711", t.trigger().dedupeKey());

        Map<String, String> host = Map.of("HOSTNAME", "web-02", "HOSTADDRESS", "192.0.2.21", "HOSTSTATE", "DOWN",
                "HOSTSTATETYPE", "HARD", "HOSTATTEMPT", "3", "LASTHOSTSTATECHANGE", "1733526500", "HOSTEVENTID", "4712");
        out = run(List.of("/bin/sh", "-c", expand(local(NAGIOS_HOST_COMMAND), host)));
        assertTrue(out.contains("\"action\":\"run\""), out);
        StoredTrigger h = store.queued(10).get(1);
        assertEquals(List.of("nagios_host_DOWN"), h.trigger().classes());
        assertEquals(Map.of("host", "web-02", "state", "DOWN", "state_type", "HARD", "attempt", "3",
                "last_state_change", "1733526500", "event_id", "4712"), h.trigger().labels());

        // a recovery: 200, nothing stored
        out = run(List.of("/bin/sh", "-c", expand(local(NAGIOS_SERVICE_COMMAND), Map.of("HOSTNAME", "web-01",
                "HOSTADDRESS", "192.0.2.20", "SERVICEDESC", "HTTP ours", "SERVICESTATE", "OK",
                "SERVICESTATETYPE", "HARD", "SERVICEATTEMPT", "1", "LASTSERVICESTATECHANGE", "1733526600",
                "SERVICEEVENTID", "4713"))));
        assertTrue(out.contains("\"action\":\"skip\""), out);
        assertEquals(2, store.queued(10).size());
    }

    @Test
    void theDocumentedIcingaCommandPostsTheEvent() throws Exception {
        Map<String, String> macros = Map.of("host.name", "web1", "host.address", "192.0.2.20",
                "service.name", "http", "service.state", "CRITICAL", "service.state_type", "SOFT",
                "service.check_attempt", "1", "service.last_state_change", "1733526445.123456");
        List<String> argv = new ArrayList<>();
        for (String a : ICINGA_SERVICE_COMMAND) {
            argv.add(expand(local(a), macros)); // Icinga 2 runs the array as it is, without a shell
        }
        String out = run(argv);
        assertTrue(out.contains("\"action\":\"run\""), out);
        StoredTrigger t = store.queued(10).get(0);
        assertEquals(Source.ICINGA, t.trigger().source());
        assertEquals(List.of("nagios_http_CRITICAL"), t.trigger().classes());
        assertEquals("1733526445.123456", t.trigger().labels().get("last_state_change"));
    }

    private static void waitFor(BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(10);
        }
    }
}
