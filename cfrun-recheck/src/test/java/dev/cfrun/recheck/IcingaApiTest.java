package dev.cfrun.recheck;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IcingaApi against a local HTTPS server with a test CA: the request, the answers, TLS failures, timeouts. */
class IcingaApiTest {
    @TempDir
    Path dir;
    private static TestPki pki;
    private HttpsServer server;
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{\"results\":[{\"code\":200.0,\"status\":\"Successfully rescheduled check\"}]}";
    private volatile long delayMs;
    private Path ca;
    private Path password;

    @BeforeEach
    void setUp() throws Exception {
        if (pki == null) {
            pki = new TestPki();
        }
        ca = pki.writeCa(dir.resolve("ca.crt"));
        password = dir.resolve("api-password");
        Files.writeString(password, "s3cr\"et:x\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext()));
        server.createContext("/", ex -> {
            Map<String, String> r = new ConcurrentHashMap<>();
            r.put("method", ex.getRequestMethod());
            r.put("path", ex.getRequestURI().getRawPath());
            ex.getRequestHeaders().forEach((k, v) -> r.put(k.toLowerCase(), String.join(",", v)));
            r.put("body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(r);
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private String url() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    private IcingaApi api(String url) {
        return IcingaApi.builder(url).user("cfrun").passwordFile(password).caFile(ca).timeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void serviceRequestHasMethodPathHeadersAuthAndBody() {
        Outcome o = api(url() + "/").request(Target.ofService("web-01", "HTTP \"ours\"\\x"));
        assertEquals(Outcome.scheduled(), o);
        assertEquals(1, requests.size());
        Map<String, String> r = requests.get(0);
        assertEquals("POST", r.get("method"));
        assertEquals("/v1/actions/reschedule-check", r.get("path"));
        assertEquals("application/json", r.get("accept"));
        assertEquals("application/json", r.get("content-type"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("cfrun:s3cr\"et:x".getBytes(StandardCharsets.UTF_8)),
                r.get("authorization"));
        assertEquals("{\"type\":\"Service\",\"service\":\"web-01!HTTP \\\"ours\\\"\\\\x\",\"force\":true}", r.get("body"));
    }

    @Test
    void hostRequestBody() {
        assertTrue(api(url()).request(Target.ofHost("web-01")).isScheduled());
        assertEquals("{\"type\":\"Host\",\"host\":\"web-01\",\"force\":true}", requests.get(0).get("body"));
    }

    @Test
    void jsonEscapesControlCharacters() {
        assertEquals("\"a\\u0001b\\u001fc\\\"\\\\\"", Json.string("a\u0001b\u001fc\"\\"));
    }

    @Test
    void answersBecomeReasons() {
        status = 401;
        answer = "Unauthorized";
        assertEquals("wrong Icinga API user or password (HTTP 401 from " + url() + "/v1/actions/reschedule-check)",
                api(url()).request(Target.ofService("web", "HTTP")).reason());
        status = 404;
        answer = "{\"error\":404,\"status\":\"No objects found.\"}";
        assertEquals("API user 'cfrun' lacks permission actions/reschedule-check, or no such object (HTTP 404 for"
                + " service 'web!HTTP')", api(url()).request(Target.ofService("web", "HTTP")).reason());
        status = 500;
        answer = "{\"results\":[]}";
        assertEquals("no such host/service in Icinga: service 'web!HTTP' (HTTP 500, no results)",
                api(url()).request(Target.ofService("web", "HTTP")).reason());
        status = 503;
        answer = "x".repeat(300) + "\n";
        String r = api(url()).request(Target.ofService("web", "HTTP")).reason();
        assertEquals("HTTP 503 from " + url() + "/v1/actions/reschedule-check: " + "x".repeat(200), r);
        assertEquals(4, requests.size(), "one request each");
    }

    @Test
    void aWrongCaIsATlsReasonAfterExactlyOneConnection() throws Exception {
        Path other = new TestPki().writeCa(dir.resolve("other-ca.crt"));
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!ss.isClosed()) {
                    try (Socket s = ss.accept()) {
                        accepted.incrementAndGet();
                        SSLSocket tls = (SSLSocket) pki.serverContext().getSocketFactory().createSocket(s, null, true);
                        tls.setUseClientMode(false);
                        tls.startHandshake();
                    } catch (Exception e) {
                        // the client refuses us: expected
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            String url = "https://localhost:" + ss.getLocalPort();
            Outcome o = IcingaApi.builder(url).user("cfrun").passwordFile(password).caFile(other).build()
                    .request(Target.ofService("web", "HTTP"));
            assertFalse(o.isScheduled());
            assertTrue(o.reason().startsWith("the API certificate of " + url + " is not signed by the CA in " + other),
                    o.reason());
            Thread.sleep(300);
            assertEquals(1, accepted.get(), "exactly one connection: no retry");
        }
    }

    @Test
    void anIpAddressUrlSaysWhichNameToUse() {
        int port = server.getAddress().getPort();
        Outcome o = api("https://127.0.0.1:" + port).request(Target.ofService("web", "HTTP"));
        assertEquals("the API certificate is for 'localhost', not '127.0.0.1': use https://localhost:" + port,
                o.reason());
        assertEquals(0, requests.size(), "host name checked: nothing sent");
    }

    @Test
    void aSlowServerIsBoundedByTheTimeout() {
        delayMs = 4000;
        long t0 = System.nanoTime();
        Outcome o = IcingaApi.builder(url()).user("cfrun").passwordFile(password).caFile(ca)
                .timeout(Duration.ofMillis(500)).build().request(Target.ofService("web", "HTTP"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(o.isScheduled());
        assertTrue(o.reason().startsWith("no answer from " + url() + " within 0.5 s"), o.reason());
        assertTrue(ms < 2500, "took " + ms + " ms");
    }

    @Test
    void refusedConnectionIsAReason() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Outcome o = api("https://localhost:" + port).request(Target.ofHost("web"));
        assertTrue(o.reason().startsWith("cannot connect to https://localhost:" + port), o.reason());
    }

    @Test
    void configurationErrors() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> api("http://localhost:5665"));
        assertThrows(IllegalArgumentException.class, () -> api("https://u:p@localhost:5665"));
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r-----"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> api(url()));
        assertTrue(e.getMessage().contains("accessible by group or others") && e.getMessage().contains("chmod 600"),
                e.getMessage());
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(password, "\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> api(url())).getMessage().contains("is empty"));
        e = assertThrows(IllegalArgumentException.class, () -> IcingaApi.builder(url()).user("cfrun")
                .passwordFile(dir.resolve("missing")).caFile(ca).build());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Files.writeString(password, "pw\n");
        e = assertThrows(IllegalArgumentException.class, () -> IcingaApi.builder(url()).user("cfrun")
                .passwordFile(password).caFile(dir.resolve("no-ca.crt")).build());
        assertTrue(e.getMessage().contains("no-ca.crt"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> IcingaApi.builder(url()).user("a:b").passwordFile(password).caFile(ca).build());
    }

    @Test
    void hostNamesWithABangAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> api(url()).validate(Target.ofService("we!b", "HTTP")));
    }
}
