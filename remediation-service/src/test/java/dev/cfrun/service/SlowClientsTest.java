package dev.cfrun.service;

import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.service.http.ApiServer;
import dev.cfrun.service.http.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service as its own process: clients that open a connection, start a TLS handshake and stall (slowloris)
 * hold a handler thread each, more of them than there are threads keep everyone else out; they are cut off after
 * {@link Main#MAX_REQUEST_SECONDS}, and the service answers again.
 */
class SlowClientsTest {
    private static final Pattern STARTED = Pattern.compile("started on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void stalledHandshakesAreCutOffAndTheServiceAnswersAgain() throws Exception {
        Path token = TestCerts.file(dir.resolve("token"), "0123456789abcdef0123\n", "rw-------");
        KeyFiles.generate(dir.resolve("work"), KeyFiles.DEFAULT_BITS);
        TestCerts.Identity id = TestCerts.rsa();
        TestCerts.PemFiles tls = id.write(dir, "server");
        Path log = dir.resolve("service.log");
        Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--listen", "127.0.0.1:0",
                "--token-file", token.toString(), "--state", Files.createDirectory(dir.resolve("state")).toString(),
                "--workdir", dir.resolve("work").toString(), "--tls-cert", tls.cert().toString(),
                "--tls-key", tls.key().toString(), "--dry-run")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<Socket> stalled = new ArrayList<>();
        try {
            int port = port(service, log);
            for (int i = 0; i < 2 * ApiServer.THREADS; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});   // a record header, then nothing
                s.getOutputStream().flush();
                stalled.add(s);
            }
            long t0 = System.nanoTime();
            for (Socket s : stalled) {
                s.setSoTimeout((Main.MAX_REQUEST_SECONDS + 10) * 1000);
                assertTrue(closedByServer(s), "closed by the server, not answered");
            }
            long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(took <= Main.MAX_REQUEST_SECONDS + 5, "cut off after " + took + " s");
            HttpClient https = HttpClient.newBuilder().sslContext(id.trustingClient()).build();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                    + "/healthz")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "served again");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
            service.destroy();
            if (!service.waitFor(20, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    /**
     * @return whether the server closed the connection (an end, maybe after a TLS alert, or a reset); an
     *         exception if it stays open past the socket's timeout
     */
    private static boolean closedByServer(Socket s) throws IOException {
        try (InputStream in = s.getInputStream()) {
            byte[] answer = in.readAllBytes();
            return answer.length == 0 || answer[0] == 0x15;
        } catch (SocketException e) {
            return true;
        }
    }

    /** @return the port the service says it listens on, once it does */
    private static int port(Process service, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Matcher m = STARTED.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!service.isAlive()) {
                throw new AssertionError("the service ended: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the service did not start within 60 s: " + Files.readString(log));
    }
}
