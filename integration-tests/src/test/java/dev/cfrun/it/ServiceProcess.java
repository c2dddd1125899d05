package dev.cfrun.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/cfrun-service} as its own process (the shaded jar), on a loopback port, with its state directory,
 * client work dir and token file; its output appended to {@code service.log}. Can be SIGKILLed and started again
 * on the same state. Talks to it over HTTP with the bearer token.
 */
final class ServiceProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: status and body (parsed when it is JSON). */
    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
            }
        }
    }

    private final List<String> cmd;
    private final Path log;
    private final int port;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private Daemon daemon;

    private ServiceProcess(List<String> cmd, Path log, int port, String token) {
        this.cmd = cmd;
        this.log = log;
        this.port = port;
        this.token = token;
    }

    /**
     * Starts {@code <repo>/bin/cfrun-service} and waits for {@code /healthz}.
     *
     * @param repo      the repository (bin/, remediation-service/target/cfrun-service.jar)
     * @param dir       its directory: state/, service.log
     * @param workdir   the client's CFEngine work dir (identity, trusted server keys)
     * @param tokenFile the bearer token (mode 600)
     * @param extra     more options ({@code --nagios-command-file FILE}, {@code --cooldown 0} …)
     */
    static ServiceProcess start(Path repo, Path dir, Path workdir, Path tokenFile, String... extra) throws IOException {
        return start(repo, dir, workdir, tokenFile, CfServerd.freePort("127.0.0.1"), extra);
    }

    /**
     * As {@link #start(Path, Path, Path, Path, String...)}, on this port: for a monitoring system that must be
     * configured with the service's URL before the service can start (Icinga: the service reads the API's CA).
     */
    static ServiceProcess start(Path repo, Path dir, Path workdir, Path tokenFile, int port, String... extra)
            throws IOException {
        Path launcher = repo.resolve("bin/cfrun-service");
        if (!Files.isRegularFile(repo.resolve("remediation-service/target/cfrun-service.jar"))) {
            throw new AssertionError("remediation-service/target/cfrun-service.jar missing: build the reactor first"
                    + " (mvn -B -o package -DskipTests -pl remediation-service,integration-tests -am)");
        }
        Files.createDirectories(dir.resolve("state"));
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--listen", "127.0.0.1:" + port, "--workdir",
                workdir.toString(), "--state", dir.resolve("state").toString(), "--token-file", tokenFile.toString()));
        cmd.addAll(List.of(extra));
        ServiceProcess s = new ServiceProcess(cmd, dir.resolve("service.log"), port, Files.readString(tokenFile).strip());
        s.launch();
        return s;
    }

    private void launch() {
        daemon = Daemon.start("cfrun-service", cmd, Map.of(), log);
        try {
            daemon.awaitListening(port, Duration.ofSeconds(60));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (get("/healthz").status() != 200) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cfrun-service: no 200 on /healthz\n" + tail(30));
                }
                Nagios.sleep(50);
            }
        } catch (RuntimeException | Error e) {
            daemon.close();
            throw e;
        }
    }

    /** SIGKILL (no shutdown hook, as a crash), then the same command line again on the same state. */
    void killAndRestart() {
        daemon.kill();
        launch();
    }

    /** Where it listens, {@code 127.0.0.1:PORT}. */
    String hostPort() {
        return "127.0.0.1:" + port;
    }

    String alertmanagerUrl() {
        return url("/v1/alertmanager");
    }

    /** The URL of one of its endpoints, e.g. {@code /v1/nagios}. */
    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    Answer post(String path, byte[] json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)));
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** The runs the service lists (newest first, up to 1000). */
    List<JsonNode> runs() {
        Answer a = get("/v1/runs?limit=1000");
        if (a.status() != 200) {
            throw new AssertionError("GET /v1/runs: " + a);
        }
        List<JsonNode> out = new ArrayList<>();
        a.json().path("runs").forEach(out::add);
        return out;
    }

    /** Its log (stdout and stderr). */
    Path log() {
        return log;
    }

    /** The end of its log. */
    String tail(int lines) {
        return daemon.tail(lines);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private Answer send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.close();
        }
    }
}
