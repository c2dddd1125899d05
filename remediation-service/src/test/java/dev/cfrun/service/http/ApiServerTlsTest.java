package dev.cfrun.service.http;

import dev.cfrun.service.TestCommands;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.store.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ApiServerTlsTest {
    private static final String TOKEN = "s3cret-token-0123456789";

    @TempDir
    Path dir;

    private final MemoryStore store = new MemoryStore();
    private static TestCerts.Identity identity;
    private TestCerts.PemFiles files;
    private ServerTls tls;
    private Dispatcher dispatcher;
    private ApiServer server;

    @BeforeAll
    static void certificate() throws Exception {
        identity = TestCerts.rsa();
    }

    @BeforeEach
    void start() throws Exception {
        files = identity.write(dir, "server");
        tls = ServerTls.load(files.cert(), files.key());
        dispatcher = Dispatcher.builder(store, (host, classes, bundles) -> {
            throw new AssertionError("no run in this test");
        }).build();
        dispatcher.pause();
        server = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), new BearerToken(TOKEN), store, dispatcher)
                .tls(tls).start();
    }

    @AfterEach
    void stop() {
        server.close();
        dispatcher.close();
    }

    private int port() {
        return server.address().getPort();
    }

    private HttpResponse<String> send(HttpClient client, String scheme, String method, String path, byte[] body,
                                      String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpClient trusting() throws Exception {
        return HttpClient.newBuilder().sslContext(identity.trustingClient()).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void httpsClientTrustingTheCertificateGetsHealthzAndV1() throws Exception {
        byte[] payload;
        try (InputStream in = getClass().getResourceAsStream("/dev/cfrun/service/ingest/am-0.25-webdown.json")) {
            payload = in.readAllBytes();
        }
        HttpClient https = trusting();
        HttpResponse<String> health = send(https, "https", "GET", "/healthz", null, null);
        assertEquals(200, health.statusCode());
        assertEquals("ok", health.body().strip());
        assertEquals(401, send(https, "https", "POST", "/v1/alertmanager", payload, null).statusCode());
        assertEquals(401, send(https, "https", "POST", "/v1/alertmanager", payload, TOKEN + "x").statusCode());
        assertTrue(store.queued(10).isEmpty());
        HttpResponse<String> accepted = send(https, "https", "POST", "/v1/alertmanager", payload, TOKEN);
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertEquals(1, store.queued(10).size());
        assertEquals("https", accepted.uri().getScheme());
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        HttpClient stranger = HttpClient.newBuilder().sslContext(TestCerts.rsa().trustingClient()).build();
        assertThrows(SSLHandshakeException.class, () -> send(stranger, "https", "GET", "/healthz", null, null));
    }

    @Test
    void plainHttpToTheTlsPortFailsQuicklyAndTheServerKeepsServing() throws Exception {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> send(plain, "http", "POST", "/v1/alertmanager",
                "{}".getBytes(), TOKEN));
        assertFalse(e instanceof HttpTimeoutException, "refused, not left hanging: " + e);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "refused within 5 s");
        assertTrue(store.queued(10).isEmpty());
        assertEquals(200, send(trusting(), "https", "GET", "/healthz", null, null).statusCode());
    }

    private String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return TestCommands.run(dir, cmd).toString();
    }

    @Test
    void curlAsAnotherTlsImplementationGetsThrough() throws Exception {
        assumeTrue(TestCommands.onPath("curl"), "no curl on PATH");
        String base = "https://127.0.0.1:" + port();
        String ca = files.cert().toString();
        assertEquals("exit 0: ok", curl("--cacert", ca, base + "/healthz"));
        assertEquals("exit 0: ok", curl("--cacert", ca, "--tlsv1.2", "--tls-max", "1.2", base + "/healthz"));
        assertEquals("exit 0: 401", curl("--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", base + "/v1/runs"));
        assertEquals("exit 0: {\"runs\":[]}", curl("--cacert", ca, "-H", "Authorization: Bearer " + TOKEN,
                base + "/v1/runs"));
        String plain = curl("http://127.0.0.1:" + port() + "/healthz");
        assertTrue(plain.startsWith("exit 52: ") || plain.startsWith("exit 56: "), plain);   // empty reply, reset
        assertTrue(curl("--cacert", ca, "--tls-max", "1.1", base + "/healthz").startsWith("exit 35: "));
    }

    /** @return the handshaken socket, offering only {@code protocol} and, if given, only {@code suite} */
    private SSLSocket handshake(SSLContext client, String protocol, String suite) throws IOException {
        SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port());
        s.setSoTimeout(5000);
        s.setEnabledProtocols(new String[] {protocol});
        if (suite != null) {
            s.setEnabledCipherSuites(new String[] {suite});
        }
        s.startHandshake();
        return s;
    }

    @Test
    void tls13And12AreServedWeakTls12SuitesAreNot() throws Exception {
        SSLContext client = identity.trustingClient();
        try (SSLSocket s = handshake(client, "TLSv1.3", null)) {
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
        try (SSLSocket s = handshake(client, "TLSv1.2", null)) {
            assertEquals("TLSv1.2", s.getSession().getProtocol());
            String suite = s.getSession().getCipherSuite();
            assertTrue(suite.startsWith("TLS_ECDHE_RSA_") && suite.contains("GCM"), suite);
        }
        for (String weak : new String[] {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}) {
            assertThrows(SSLHandshakeException.class, () -> handshake(client, "TLSv1.2", weak).close(), weak);
        }
    }

    @Test
    void reloadServesTheRenewedCertificateToNewConnections() throws Exception {
        TestCerts.Identity renewed = TestCerts.ec();
        SSLContext client = TestCerts.trusting(identity.certificate(), renewed.certificate());
        try (SSLSocket before = handshake(client, "TLSv1.3", null)) {
            assertEquals(identity.certificate(), before.getSession().getPeerCertificates()[0]);
            renewed.write(dir, "server");
            tls.reload();
            try (SSLSocket after = handshake(client, "TLSv1.3", null)) {
                assertEquals(renewed.certificate(), after.getSession().getPeerCertificates()[0]);
            }
        }
        HttpClient https = HttpClient.newBuilder().sslContext(renewed.trustingClient()).build();
        assertEquals(200, send(https, "https", "GET", "/healthz", null, null).statusCode());
    }
}
