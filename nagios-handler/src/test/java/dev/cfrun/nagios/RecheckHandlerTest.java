package dev.cfrun.nagios;

import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.recheck.Fifos;
import dev.cfrun.recheck.TestPki;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The re-check after the run ({@code --command-file}, {@code --icinga-api}) through {@link EventHandler#run} with
 * {@code --wait} against the fake cf-serverd: what reaches a real FIFO, and {@code verify=} in the result line.
 */
class RecheckHandlerTest {
    private static final Pattern SVC_LINE =
            Pattern.compile("\\[(\\d+)] SCHEDULE_FORCED_SVC_CHECK;web-01;HTTP;(\\d+)\n");

    @TempDir
    Path dir;
    private FakeCfServerd fake;
    private Path work;
    private Path log;

    @BeforeEach
    void setUp() throws Exception {
        fake = FakeCfServerd.start();
        work = EventHandlerTest.clientOf(fake, dir.resolve("work"));
        log = dir.resolve("handler.log");
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    /** The handler with --wait at the fake's port, short timeouts, then these arguments and a CRITICAL HARD event. */
    private EventHandlerTest.Run event(int port, String... args) {
        List<String> a = new ArrayList<>(List.of("--workdir", work.toString(), "--log", log.toString(), "--wait",
                "-t", "5", "--idle-timeout", "10", "--max-time", "20", "--port", Integer.toString(port)));
        a.addAll(List.of(args));
        a.addAll(List.of("CRITICAL", "HARD", "3", "127.0.0.1"));
        return EventHandlerTest.handler(a);
    }

    private Map<String, String> result() {
        List<Map<String, String>> lines = EventHandlerTest.logLines(log);
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("result", lines.get(1).get("event"));
        return lines.get(1);
    }

    private static void assertQuiet(EventHandlerTest.Run r) {
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void afterTheRunTheForcedCheckReachesTheCommandPipe() throws Exception {
        Path fifo = mkfifo();
        CompletableFuture<String> read = Fifos.readUntilEof(fifo);
        long before = System.currentTimeMillis() / 1000;
        EventHandlerTest.Run r = event(fake.port(), "--service", "HTTP", "--hostname", "web-01", "--command-file",
                fifo.toString());
        assertQuiet(r);
        String line = read.get(10, TimeUnit.SECONDS);
        Matcher m = SVC_LINE.matcher(line);
        assertTrue(m.matches(), line);
        assertEquals(m.group(1), m.group(2));
        long t = Long.parseLong(m.group(1));
        assertTrue(t >= before && t <= System.currentTimeMillis() / 1000, line);
        assertEquals(1, fake.sessions().size());
        Map<String, String> res = result();
        assertEquals("ok", res.get("status"));
        assertEquals("scheduled", res.get("verify"));
        assertNull(res.get("verify_reason"));
    }

    @Test
    void aFailedRunIsReCheckedToo() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path fifo = mkfifo();
        CompletableFuture<String> read = Fifos.readUntilEof(fifo);
        assertQuiet(event(closed, "--service", "HTTP", "--hostname", "web-01", "--command-file", fifo.toString()));
        assertTrue(SVC_LINE.matcher(read.get(10, TimeUnit.SECONDS)).matches());
        Map<String, String> res = result();
        assertEquals("error", res.get("status"));
        assertEquals("scheduled", res.get("verify"), "the monitoring looks at the truth after a failed repair too");
    }

    @Test
    void aPipeWithoutReaderIsUnavailableAndTheHandlerStillExitsZero() throws Exception {
        Path fifo = mkfifo();
        long t0 = System.nanoTime();
        assertQuiet(event(fake.port(), "--service", "HTTP", "--hostname", "web-01", "--command-file", fifo.toString()));
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L);
        Map<String, String> res = result();
        assertEquals("ok", res.get("status"));
        assertEquals("unavailable", res.get("verify"));
        assertEquals("command file " + fifo + " has no reader (is Nagios running with check_external_commands=1?)",
                res.get("verify_reason"));
    }

    @Test
    void withoutAReCheckOptionTheResultSaysNone() {
        assertQuiet(event(fake.port(), "--service", "HTTP", "--hostname", "web-01"));
        assertEquals("none", result().get("verify"));
    }

    @Test
    void anUnreachableIcingaApiIsUnavailableWithItsReason() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path pw = password("rw-------");
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n"
                + "-----END CERTIFICATE-----\n");
        assertQuiet(event(fake.port(), "--service", "HTTP", "--hostname", "web-01", "--icinga-api",
                "https://localhost:" + closed, "--icinga-user", "cfrun", "--icinga-password-file", pw.toString(),
                "--icinga-ca", ca.toString()));
        Map<String, String> res = result();
        assertEquals("unavailable", res.get("verify"));
        assertTrue(res.get("verify_reason").startsWith("cannot use the CA file " + ca), res.toString());
    }

    @Test
    void afterTheRunIcingaIsAskedOnceOverVerifiedTls() throws Exception {
        TestPki pki = new TestPki();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpsServer api = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext()));
        api.createContext("/v1/actions/reschedule-check", ex -> {
            bodies.add(ex.getRequestMethod() + " " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    + " sessions=" + fake.sessions().size());
            byte[] b = "{\"results\":[{\"code\":200.0}]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        api.start();
        try {
            assertQuiet(event(fake.port(), "--service", "HTTP", "--hostname", "web-01", "--icinga-api",
                    "https://localhost:" + api.getAddress().getPort(), "--icinga-user", "cfrun",
                    "--icinga-password-file", password("rw-------").toString(),
                    "--icinga-ca", pki.writeCa(dir.resolve("ca.crt")).toString()));
        } finally {
            api.stop(0);
        }
        assertEquals(List.of("POST {\"type\":\"Service\",\"service\":\"web-01!HTTP\",\"force\":true} sessions=1"), bodies,
                "one request, after the run");
        assertEquals("scheduled", result().get("verify"));
    }

    // ---- configuration errors: exit 2, one line, nothing run ----

    private void assertConfigError(EventHandlerTest.Run r, String message) {
        assertEquals(EventHandler.CONFIG_ERROR, r.exit(), r.toString());
        assertTrue(r.err().startsWith("cfrun-event-handler: configuration error: "), r.toString());
        assertTrue(r.err().contains(message), "'" + message + "' in: " + r.err());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertEquals(List.of(), fake.sessions(), "nothing run");
        assertFalse(Files.exists(log) && EventHandlerTest.logLines(log).size() > 0, "nothing logged");
    }

    @Test
    void missingNamesAreConfigurationErrors() {
        assertConfigError(event(fake.port(), "--service", "HTTP", "--command-file", "/nonexistent"),
                "--command-file needs --hostname");
        assertConfigError(event(fake.port(), "--hostname", "web-01", "--command-file", "/nonexistent"),
                "--command-file needs --service");
    }

    @Test
    void namesNagiosCannotCarryAreConfigurationErrors() {
        assertConfigError(event(fake.port(), "--service", "HTTP;x", "--hostname", "web-01", "--command-file", "/c"),
                "--command-file: the service name 'HTTP;x' contains ';'");
        assertConfigError(event(fake.port(), "--service", "HTTP\nx", "--hostname", "web-01", "--command-file", "/c"),
                "contains a control character");
    }

    @Test
    void bothSystemsAtOnceAreAConfigurationError() throws Exception {
        assertConfigError(event(fake.port(), "--service", "HTTP", "--hostname", "web-01", "--command-file", "/c",
                "--icinga-api", "https://localhost:5665", "--icinga-user", "u", "--icinga-password-file",
                password("rw-------").toString()), "exclude each other");
    }

    @Test
    void icingaFilesAreCheckedUpFront() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        String[] base = {"--service", "HTTP", "--hostname", "web-01", "--icinga-api", "https://localhost:5665",
            "--icinga-user", "cfrun", "--icinga-ca", ca.toString(), "--icinga-password-file"};
        assertConfigError(event(fake.port(), with(base, password("rw-r--r--").toString())),
                "--icinga-api: the Icinga API password file");
        assertConfigError(event(fake.port(), with(base, dir.resolve("missing").toString())), "does not exist");
        Path pw = password("rw-------");
        assertConfigError(event(fake.port(), with(base, dir.toString())), "not a regular file");
        assertConfigError(event(fake.port(), "--service", "HTTP", "--hostname", "web-01", "--icinga-api",
                "http://localhost:5665", "--icinga-user", "cfrun", "--icinga-password-file", pw.toString(),
                "--icinga-ca", ca.toString()), "must start with https://");
    }

    private static String[] with(String[] a, String last) {
        List<String> l = new ArrayList<>(List.of(a));
        l.add(last);
        return l.toArray(new String[0]);
    }

    private Path password(String mode) throws IOException {
        Path p = dir.resolve("pw-" + mode);
        Files.writeString(p, "secret\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private Path mkfifo() throws IOException, InterruptedException {
        return Fifos.mkfifo(dir.resolve("nagios.cmd"));
    }
}
