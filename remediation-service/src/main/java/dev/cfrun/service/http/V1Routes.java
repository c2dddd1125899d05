package dev.cfrun.service.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.ingest.Alert;
import dev.cfrun.service.ingest.AlertRules;
import dev.cfrun.service.ingest.AlertmanagerPayload;
import dev.cfrun.service.ingest.Decisions;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.ingest.MonitorDecision;
import dev.cfrun.service.ingest.MonitorEvent;
import dev.cfrun.service.ingest.MonitorTriggers;
import dev.cfrun.service.ingest.PayloadException;
import dev.cfrun.service.ingest.RunsRequest;
import dev.cfrun.service.ingest.Skipped;
import dev.cfrun.service.store.Accepted;
import dev.cfrun.service.store.RunRecord;
import dev.cfrun.service.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The {@code /v1} endpoints, called once the bearer token was checked. */
final class V1Routes {
    /** Most runs one {@code GET /v1/runs} lists. */
    static final int MAX_LIMIT = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(V1Routes.class);
    private static final String FORM = "application/x-www-form-urlencoded";

    /** A successful answer: status and JSON body. */
    record Reply(int status, byte[] json) {}

    private final Store store;
    private final Dispatcher dispatcher;
    private final AlertRules rules;
    private final Limits limits;
    private final Clock clock;
    private final ServiceEvents events;

    V1Routes(Store store, Dispatcher dispatcher, AlertRules rules, Limits limits, Clock clock, ServiceEvents events) {
        this.events = events;
        this.store = store;
        this.dispatcher = dispatcher;
        this.rules = rules;
        this.limits = limits;
        this.clock = clock;
    }

    Reply handle(HttpExchange ex, String path) throws HttpError, IOException {
        switch (path) {
            case "/v1/alertmanager":
                ApiServer.requireMethod(ex, "POST");
                return alertmanager(jsonBody(ex));
            case "/v1/runs":
                if (ex.getRequestMethod().equals("GET")) {
                    return listRuns(query(ex.getRequestURI().getRawQuery()));
                }
                ApiServer.requireMethod(ex, "POST");
                return postRuns(jsonBody(ex), ex.getRequestHeaders().getFirst("Idempotency-Key"));
            case "/v1/nagios":
                ApiServer.requireMethod(ex, "POST");
                return monitor(ex, Source.NAGIOS);
            case "/v1/icinga":
                ApiServer.requireMethod(ex, "POST");
                return monitor(ex, Source.ICINGA);
            case "/v1/pause":
                ApiServer.requireMethod(ex, "POST");
                dispatcher.pause();
                return pauseState();
            case "/v1/resume":
                ApiServer.requireMethod(ex, "POST");
                dispatcher.resume();
                return pauseState();
            default:
                if (path.startsWith("/v1/runs/")) {
                    ApiServer.requireMethod(ex, "GET");
                    return run(path.substring("/v1/runs/".length()));
                }
                throw new HttpError(404, "no such path: " + path);
        }
    }

    private Reply alertmanager(byte[] body) throws HttpError, IOException {
        AlertmanagerPayload payload = parse(() -> AlertmanagerPayload.parse(body, limits));
        Decisions d = rules.apply(payload, clock.instant());
        ObjectNode out = JSON.createObjectNode();
        ArrayNode accepted = out.putArray("accepted");
        ArrayNode duplicates = out.putArray("duplicates");
        boolean any = accept(d.triggers(), accepted, duplicates);
        ArrayNode skipped = out.putArray("skipped");
        for (Skipped s : d.skipped()) {
            skipped.addObject().put("fingerprint", s.alert().fingerprint()).put("reason", s.reason());
            events.skipped(s.alert().fingerprint(), payload.groupKey(), s.alert().labels(), s.reason());
        }
        for (Alert a : d.resolved()) {
            events.resolved(a.fingerprint(), payload.groupKey(), a.labels());
        }
        out.put("resolved", d.resolved().size());
        if (any) {
            dispatcher.wakeUp();
        }
        return new Reply(202, JSON.writeValueAsBytes(out));
    }

    private Reply postRuns(byte[] body, String idempotencyKey) throws HttpError, IOException {
        RunsRequest req = parse(() -> RunsRequest.parse(body, limits));
        List<Trigger> triggers = parse(() -> req.triggers(clock.instant(), idempotencyKey));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode accepted = out.putArray("accepted");
        ArrayNode duplicates = out.putArray("duplicates");
        accept(triggers, accepted, duplicates);
        dispatcher.wakeUp();
        return new Reply(202, JSON.writeValueAsBytes(out));
    }

    /**
     * A Nagios / Icinga 2 event, form or JSON: 202 with the trigger id when it acts, 200 with the reason when
     * not (nothing stored), 400 for a field that cannot be right.
     */
    private Reply monitor(HttpExchange ex, Source source) throws HttpError, IOException {
        boolean form = FORM.equalsIgnoreCase(mediaType(ex));
        byte[] body = form ? body(ex, FORM) : jsonBody(ex);
        MonitorEvent event = parse(() -> form ? MonitorEvent.parseForm(body, limits) : MonitorEvent.parseJson(body, limits));
        MonitorDecision d = parse(() -> MonitorTriggers.decide(event, source, clock.instant(), limits));
        ObjectNode out = JSON.createObjectNode().put("action", d.acts() ? "run" : "skip").put("reason", d.reason());
        LOG.info("{} event {}{} {} {} {}: {} ({})", source.name().toLowerCase(Locale.ROOT),
                event.get(MonitorEvent.HOST), event.get(MonitorEvent.SERVICE) == null ? ""
                        : "/" + event.get(MonitorEvent.SERVICE), event.get(MonitorEvent.STATE),
                event.get(MonitorEvent.STATE_TYPE), event.get(MonitorEvent.ATTEMPT), d.acts() ? "run" : "skip",
                d.reason());
        if (!d.acts()) {
            return new Reply(200, JSON.writeValueAsBytes(out));
        }
        if (accept(List.of(d.trigger()), out.putArray("accepted"), out.putArray("duplicates"))) {
            dispatcher.wakeUp();
        }
        return new Reply(202, JSON.writeValueAsBytes(out));
    }

    /**
     * Stores the triggers of one request in one transaction (all or none), lists their ids, tells the listeners
     * (after the commit); true if one is new.
     */
    private boolean accept(List<Trigger> ts, ArrayNode accepted, ArrayNode duplicates) {
        if (ts.isEmpty()) {
            return false;
        }
        List<Accepted> as = store.acceptAll(ts);
        boolean any = false;
        for (int i = 0; i < as.size(); i++) {
            Accepted a = as.get(i);
            if (a.duplicate()) {
                duplicates.add(a.triggerId());
                events.duplicate(a.triggerId(), ts.get(i));
            } else {
                accepted.add(a.triggerId());
                events.accepted(a.triggerId(), ts.get(i));
                any = true;
            }
        }
        return any;
    }

    private Reply run(String idText) throws HttpError, JsonProcessingException {
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            throw new HttpError(404, "no such run: " + idText);
        }
        RunRecord r = store.run(id).orElseThrow(() -> new HttpError(404, "no such run: " + id));
        return new Reply(200, JSON.writeValueAsBytes(RunJson.of(JSON, r)));
    }

    private Reply listRuns(Map<String, String> q) throws HttpError, JsonProcessingException {
        int limit = 50;
        String l = q.get("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new HttpError(400, "limit: 1 to " + MAX_LIMIT);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode runs = out.putArray("runs");
        String spec = q.get("host");
        String host = spec;
        OptionalInt port = OptionalInt.empty();
        boolean withPort = spec != null && (spec.startsWith("[") ? spec.contains("]:")
                : spec.indexOf(':') >= 0 && spec.indexOf(':') == spec.lastIndexOf(':'));
        if (withPort) { // host:port or [v6]:port, as the runs list it; a name or an address alone: any port
            try {
                HostAddress a = HostAddress.parse(spec);
                host = a.host();
                port = OptionalInt.of(a.port());
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "host: " + e.getMessage());
            }
        } else if (spec != null && spec.startsWith("[") && spec.endsWith("]")) {
            host = spec.substring(1, spec.length() - 1);
        }
        for (RunRecord r : store.recentRuns(Optional.ofNullable(host), port, limit)) {
            runs.add(RunJson.of(JSON, r));
        }
        return new Reply(200, JSON.writeValueAsBytes(out));
    }

    private Reply pauseState() throws JsonProcessingException {
        ObjectNode out = JSON.createObjectNode().put("paused", dispatcher.paused());
        return new Reply(200, JSON.writeValueAsBytes(out));
    }

    private byte[] jsonBody(HttpExchange ex) throws HttpError, IOException {
        return body(ex, "application/json");
    }

    private static String mediaType(HttpExchange ex) {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        return type == null ? "" : type.split(";", 2)[0].strip();
    }

    /** The body, if of the media type {@code media} (else 415; form events also accept JSON, so say both). */
    private byte[] body(HttpExchange ex, String media) throws HttpError, IOException {
        if (!mediaType(ex).equalsIgnoreCase(media)) {
            String path = ex.getRequestURI().getRawPath();
            throw new HttpError(415, "Content-Type must be application/json" + (path.equals("/v1/nagios")
                    || path.equals("/v1/icinga") ? " or " + FORM : ""));
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > limits.maxBytes()) {
                    throw new HttpError(413, "request body larger than " + limits.maxBytes() + " bytes");
                }
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad Content-Length");
            }
        }
        return Bodies.read(ex.getRequestBody(), limits.maxBytes());
    }

    private static Map<String, String> query(String raw) throws HttpError {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&", 20)) {
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "bad query string");
            }
        }
        return out;
    }

    /** A parse step that may throw PayloadException. */
    private interface Parse<T> {
        T get() throws PayloadException;
    }

    private static <T> T parse(Parse<T> p) throws HttpError {
        try {
            return p.get();
        } catch (PayloadException e) {
            throw new HttpError(400, e.getMessage());
        }
    }
}
