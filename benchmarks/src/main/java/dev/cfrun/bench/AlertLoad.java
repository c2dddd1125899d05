package dev.cfrun.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Alertmanager deliveries (webhook payload version 4, as Alertmanager 0.25 sends it) and concurrent posters
 * for the service section. Delivery {@code k} is one alert group ({@code groupKey} with {@code batch="k"}) of
 * {@code alertsEach} firing alerts spread over {@code hostsEach} consecutive hosts of the fleet (wrapping
 * around), {@code alertsEach / hostsEach} alert names per host; every alert has its own fingerprint, so none
 * is a duplicate of another delivery's.
 */
final class AlertLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-06T20:00:00Z");

    /** The answer to one delivery: when it was sent, how long the answer took, what the service said. */
    record Answer(int delivery, long sentNanos, long answeredNanos, int status, List<Long> accepted,
                  List<Long> duplicates, int skipped, String error) {
        double ms() {
            return (answeredNanos - sentNanos) / 1e6;
        }
    }

    private final List<String> hosts;
    private final int port;
    private final int alertsEach;
    private final int hostsEach;

    /**
     * @param hosts      the fleet's addresses (label {@code cfrun_host})
     * @param port       cf-serverd's port (label {@code cfrun_port})
     * @param alertsEach alerts per delivery
     * @param hostsEach  distinct hosts per delivery (divides {@code alertsEach})
     */
    AlertLoad(List<String> hosts, int port, int alertsEach, int hostsEach) {
        if (hostsEach < 1 || alertsEach % hostsEach != 0 || hostsEach > hosts.size()) {
            throw new IllegalArgumentException(alertsEach + " alerts over " + hostsEach + " of " + hosts.size() + " hosts");
        }
        this.hosts = hosts;
        this.port = port;
        this.alertsEach = alertsEach;
        this.hostsEach = hostsEach;
    }

    /** Delivery {@code k} as JSON bytes. */
    byte[] delivery(int k) {
        ObjectNode root = JSON.createObjectNode();
        root.put("receiver", "cfrun").put("status", "firing");
        ArrayNode alerts = root.putArray("alerts");
        for (int j = 0; j < alertsEach; j++) {
            String host = hosts.get((k * hostsEach + j % hostsEach) % hosts.size());
            ObjectNode a = alerts.addObject();
            a.put("status", "firing");
            a.putObject("labels").put("alertname", "Load" + j / hostsEach).put("batch", Integer.toString(k))
                    .put("cfrun_host", host).put("cfrun_port", Integer.toString(port)).put("instance", host + ":9100")
                    .put("job", "node").put("severity", "warning");
            a.putObject("annotations").put("summary", "load test alert " + j + " of delivery " + k);
            a.put("startsAt", T0.plusSeconds(k).toString()).put("endsAt", "0001-01-01T00:00:00Z")
                    .put("generatorURL", "http://prometheus:9090/graph?g0.expr=load").put("fingerprint",
                            String.format("%016x", (long) k * alertsEach + j));
        }
        root.putObject("groupLabels").put("batch", Integer.toString(k));
        root.putObject("commonLabels").put("batch", Integer.toString(k)).put("job", "node");
        root.putObject("commonAnnotations");
        root.put("externalURL", "http://alertmanager:9093").put("version", "4")
                .put("groupKey", "{}:{batch=\"" + k + "\"}").put("truncatedAlerts", 0);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Posts deliveries {@code first … first + count - 1} with {@code posters} threads, each taking the next one as
     * soon as its previous answer came; the payloads are made before the clock starts.
     *
     * @return the answers, in delivery order
     */
    List<Answer> post(ServiceProcess s, int first, int count, int posters) throws Exception {
        List<byte[]> bodies = new ArrayList<>(count);
        for (int k = first; k < first + count; k++) {
            bodies.add(delivery(k));
        }
        Answer[] answers = new Answer[count];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(posters);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int p = 0; p < posters; p++) {
                fs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        answers[i] = postOne(s, first + i, bodies.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<Answer> out = new ArrayList<>(count);
        Collections.addAll(out, answers);
        return out;
    }

    private static Answer postOne(ServiceProcess s, int k, byte[] body) {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = s.post("/v1/alertmanager", body);
            long t1 = System.nanoTime();
            if (r.statusCode() != 202) {
                return new Answer(k, t0, t1, r.statusCode(), List.of(), List.of(), 0, r.body().strip());
            }
            JsonNode j = JSON.readTree(r.body());
            return new Answer(k, t0, t1, 202, ids(j.path("accepted")), ids(j.path("duplicates")), j.path("skipped").size(),
                    null);
        } catch (Exception e) {
            return new Answer(k, t0, System.nanoTime(), -1, List.of(), List.of(), 0, e.toString());
        }
    }

    private static List<Long> ids(JsonNode array) {
        List<Long> out = new ArrayList<>(array.size());
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }
}
