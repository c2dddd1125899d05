package dev.cfrun.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Debian's Prometheus stack, private to a test: prometheus-blackbox-exporter probing one web server, Prometheus
 * (1 s scrape and evaluation, {@code --rules.alert.resend-delay=1s}) with one alert rule, {@code WebDown}, and
 * Alertmanager ({@code group_wait: 0s}, gossip off) posting to the receivers of the test's designs. Every daemon
 * runs from {@code <dir>} on a free loopback port and is stopped by PID at {@link #close()}.
 * <p>
 * Which receiver acts is switched by the test, not by reloading anything: the rule fires only joined with the
 * series {@code e2e_route{design, cycle, cfrun_host}}, which the test serves itself ({@link #route}); the alert
 * carries those labels and Alertmanager routes on {@code design}. So every design is measured on the same probe
 * target and the same rule (the same scrape and evaluation phases), each outage is a new alert group (no
 * notification-log interplay between cycles), and with no route set nothing can fire. The same small endpoint
 * records what Alertmanager posts to {@link #captureUrl()}: the payload exactly as sent.
 */
final class PrometheusStack implements AutoCloseable {
    /** The alert rule's name. */
    static final String ALERT = "WebDown";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One delivery Alertmanager made to the capture URL: its body and headers, as received. */
    record Delivery(byte[] body, Map<String, String> headers) {
    }

    private final HttpServer endpoint;
    private final List<Daemon> daemons = new ArrayList<>();
    private final List<Delivery> captured = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String routeSeries = "";
    private int prometheusPort;

    private PrometheusStack(HttpServer endpoint) {
        this.endpoint = endpoint;
    }

    static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Where Alertmanager's receivers can post to have the payload recorded ({@link #deliveries()}). */
    String captureUrl() {
        return "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/capture";
    }

    /** What Alertmanager posted to {@link #captureUrl()}, in order. */
    List<Delivery> deliveries() {
        return List.copyOf(captured);
    }

    /**
     * Arms the rule for one design (Alertmanager's route) and cycle, with the host the receiver must hail; waits
     * until Prometheus has scraped that route and only that one. {@code design} null disarms (nothing can fire).
     */
    void route(String design, int cycle, String cfrunHost) {
        routeSeries = design == null ? ""
                : "e2e_route{design=\"" + design + "\",cycle=\"" + cycle + "\",cfrun_host=\"" + cfrunHost + "\"} 1\n";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = query("e2e_route");
            if (design == null ? last.size() == 0 : last.size() == 1
                    && design.equals(last.get(0).path("metric").path("design").asText())
                    && String.valueOf(cycle).equals(last.get(0).path("metric").path("cycle").asText())) {
                return;
            }
            Nagios.sleep(50);
        }
        throw new AssertionError("Prometheus did not take up route " + design + "/" + cycle + ": " + last);
    }

    /** Epoch ms of the newest probe of the web server (the scrape's timestamp), 0 if none. */
    long lastProbeMs() {
        JsonNode r = query("timestamp(probe_success{job=\"web\"})");
        return r.size() == 0 ? 0 : Math.round(r.get(0).path("value").get(0).asDouble() * 1000);
    }

    /** Whether the newest probe of the web server succeeded. */
    boolean probeUp() {
        JsonNode r = query("probe_success{job=\"web\"}");
        return r.size() == 1 && "1".equals(r.get(0).path("value").get(1).asText());
    }

    /** Whether Prometheus has the alert firing now. */
    boolean firing() {
        return query("ALERTS{alertname=\"" + ALERT + "\",alertstate=\"firing\"}").size() > 0;
    }

    /** The value of an instant query that gives one series, or NaN when it gives none. */
    double value(String promql) {
        JsonNode r = query(promql);
        if (r.size() > 1) {
            throw new AssertionError(promql + " gives " + r.size() + " series: " + r);
        }
        return r.size() == 0 ? Double.NaN : Double.parseDouble(r.get(0).path("value").get(1).asText());
    }

    /** Epoch ms when the rule group last started an evaluation (it evaluates every second at that phase). */
    long lastEvaluationMs() {
        JsonNode groups = api("/api/v1/rules").path("groups");
        for (JsonNode g : groups) {
            if (g.path("name").asText().equals("e2e")) {
                return Instant.parse(g.path("lastEvaluation").asText()).toEpochMilli();
            }
        }
        throw new AssertionError("no rule group e2e: " + groups);
    }

    /** An instant query; its {@code data.result} array. */
    JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    /** A GET of Prometheus's HTTP API; its {@code data}. */
    private JsonNode api(String pathAndQuery) {
        URI u = URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode n = JSON.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(n.path("status").asText())) {
                throw new AssertionError("Prometheus " + pathAndQuery + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return n.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The ends of the three daemons' logs, for failure messages. */
    String logTails() {
        StringBuilder sb = new StringBuilder();
        daemons.forEach(d -> sb.append(d.tail(15)).append('\n'));
        return sb.toString();
    }

    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            daemons.get(i).close();
        }
        endpoint.stop(0);
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            byte[] answer = new byte[0];
            if (ex.getRequestURI().getPath().equals("/capture") && captured.size() < 100) {
                Map<String, String> headers = new LinkedHashMap<>();
                ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
                captured.add(new Delivery(body, headers));
            } else if (ex.getRequestURI().getPath().equals("/metrics")) {
                answer = ("# TYPE e2e_route gauge\n" + routeSeries).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            }
            ex.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            ex.getResponseBody().write(answer);
        }
    }

    static final class Builder {
        private final Path dir;
        private String target;
        private int cfrunPort;
        private Path tokenFile;
        private final Map<String, List<String>> receivers = new LinkedHashMap<>();
        private String capture;
        private final Map<String, String> jobs = new LinkedHashMap<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** The URL blackbox probes (the web server). */
        Builder target(String url) {
            this.target = url;
            return this;
        }

        /** cf-serverd's port: the alert's label {@code cfrun_port}. */
        Builder cfrunPort(int port) {
            this.cfrunPort = port;
            return this;
        }

        /** The bearer token Alertmanager sends to every receiver. */
        Builder tokenFile(Path f) {
            this.tokenFile = f;
            return this;
        }

        /** The receiver of alerts routed with label {@code design}: one webhook config per URL. */
        Builder receiver(String design, String... urls) {
            receivers.put(design, List.of(urls));
            return this;
        }

        /** One more scrape job: {@code /metrics} of {@code hostPort} every second. */
        Builder scrape(String job, String hostPort) {
            jobs.put(job, hostPort);
            return this;
        }

        /** The receiver of this design also posts to {@link #captureUrl()}: what Alertmanager sent is recorded. */
        Builder captureFor(String design) {
            this.capture = design;
            return this;
        }

        PrometheusStack start() throws IOException {
            Peers.requirePrometheusStack();
            Files.createDirectories(dir);
            HttpServer endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            PrometheusStack s = new PrometheusStack(endpoint);
            endpoint.createContext("/", s::serve);
            endpoint.start();
            try {
                if (capture != null) {
                    List<String> urls = new ArrayList<>(receivers.get(capture));
                    urls.add(s.captureUrl());
                    receivers.put(capture, urls);
                }
                int bb = CfServerd.freePort("127.0.0.1");
                int am = CfServerd.freePort("127.0.0.1");
                int pr = CfServerd.freePort("127.0.0.1");
                Files.writeString(dir.resolve("blackbox.yml"),
                        "modules:\n  http_2xx: { prober: http, timeout: 1s, http: { preferred_ip_protocol: ip4 } }\n");
                Files.writeString(dir.resolve("rules.yml"), rules());
                Files.writeString(dir.resolve("prometheus.yml"), prometheus(bb, am, endpoint.getAddress().getPort()));
                Files.writeString(dir.resolve("alertmanager.yml"), alertmanager());
                s.daemons.add(Daemon.start("blackbox exporter", List.of(Peers.BLACKBOX_EXPORTER.toString(),
                        "--config.file=" + dir.resolve("blackbox.yml"), "--web.listen-address=127.0.0.1:" + bb),
                        Map.of(), dir.resolve("blackbox.log")).awaitListening(bb, Duration.ofSeconds(30)));
                s.daemons.add(Daemon.start("alertmanager", List.of(Peers.ALERTMANAGER.toString(),
                        "--config.file=" + dir.resolve("alertmanager.yml"), "--storage.path=" + dir.resolve("am"),
                        "--web.listen-address=127.0.0.1:" + am, "--cluster.listen-address="),
                        Map.of(), dir.resolve("alertmanager.log")).awaitListening(am, Duration.ofSeconds(30)));
                s.daemons.add(Daemon.start("prometheus", List.of(Peers.PROMETHEUS.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("prom"),
                        "--web.listen-address=127.0.0.1:" + pr, "--rules.alert.resend-delay=1s"),
                        Map.of(), dir.resolve("prometheus.log")).awaitListening(pr, Duration.ofSeconds(60)));
                s.prometheusPort = pr;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!s.probeUp()) { // ready, and the web server probed successfully
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("Prometheus has no successful probe of " + target + "\n" + s.logTails());
                    }
                    Nagios.sleep(100);
                }
                return s;
            } catch (IOException | RuntimeException | Error e) {
                s.close();
                throw e;
            }
        }

        private String rules() {
            return "groups:\n"
                    + "- name: e2e\n"
                    + "  interval: 1s\n"
                    + "  rules:\n"
                    + "  - alert: " + ALERT + "\n"
                    + "    expr: (probe_success{job=\"web\"} == 0) * on() group_left(design, cycle, cfrun_host) e2e_route\n"
                    + "    labels: { cfrun_port: \"" + cfrunPort + "\", severity: critical }\n"
                    + "    annotations: { summary: \"web server down\" }\n";
        }

        private String prometheus(int bb, int am, int endpointPort) {
            return "global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s }\n"
                    + "rule_files: [ \"" + dir.resolve("rules.yml") + "\" ]\n"
                    + "alerting: { alertmanagers: [ { static_configs: [ { targets: [ \"127.0.0.1:" + am + "\" ] } ] } ] }\n"
                    + "scrape_configs:\n"
                    + "- job_name: web\n"
                    + "  metrics_path: /probe\n"
                    + "  params: { module: [ http_2xx ] }\n"
                    + "  static_configs: [ { targets: [ \"" + target + "\" ] } ]\n"
                    + "  relabel_configs:\n"
                    + "  - { source_labels: [__address__], target_label: __param_target }\n"
                    + "  - { source_labels: [__param_target], target_label: instance }\n"
                    + "  - { target_label: __address__, replacement: \"127.0.0.1:" + bb + "\" }\n"
                    + "- job_name: route\n"
                    + "  static_configs: [ { targets: [ \"127.0.0.1:" + endpointPort + "\" ] } ]\n"
                    + jobs.entrySet().stream().map(j -> "- job_name: " + j.getKey() + "\n  static_configs: [ { targets: [ \""
                            + j.getValue() + "\" ] } ]\n").collect(Collectors.joining());
        }

        private String alertmanager() {
            StringBuilder routes = new StringBuilder();
            StringBuilder recv = new StringBuilder("receivers:\n- name: nobody\n");
            for (Map.Entry<String, List<String>> e : receivers.entrySet()) {
                routes.append("  - { receiver: ").append(e.getKey()).append(", matchers: [ 'design=\"")
                        .append(e.getKey()).append("\"' ] }\n");
                recv.append("- name: ").append(e.getKey()).append("\n  webhook_configs:\n");
                for (String url : e.getValue()) {
                    recv.append("  - url: \"").append(url).append("\"\n    send_resolved: false\n")
                            .append("    http_config: { authorization: { type: Bearer, credentials_file: \"")
                            .append(tokenFile).append("\" } }\n");
                }
            }
            return "route:\n"
                    + "  receiver: nobody\n"
                    + "  group_by: [alertname, design, cycle]\n"
                    + "  group_wait: 0s\n"
                    + "  group_interval: 1s\n"
                    + "  repeat_interval: 1h\n"
                    + "  routes:\n" + routes + recv;
        }
    }
}
