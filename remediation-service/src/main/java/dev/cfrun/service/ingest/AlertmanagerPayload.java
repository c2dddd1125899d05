package dev.cfrun.service.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One delivery of Alertmanager's webhook, version "4" (immutable). Fields Alertmanager adds that are not
 * listed here are ignored, as are their values; the group and common label maps and {@code externalURL} are
 * type-checked but not kept (each alert carries its own labels).
 *
 * @param version         always "4"
 * @param groupKey        identifies the alert group (the blast radius of one delivery)
 * @param status          "firing" if at least one alert fires, else "resolved"
 * @param receiver        the receiver's name in Alertmanager's configuration
 * @param truncatedAlerts how many alerts Alertmanager left out ({@code max_alerts}); 0 if absent
 * @param alerts          the alerts, in the payload's order (unmodifiable)
 */
public record AlertmanagerPayload(String version, String groupKey, AlertStatus status, String receiver,
                                  int truncatedAlerts, List<Alert> alerts) {
    /** The only webhook version Alertmanager has sent since 0.x and the one this parser reads. */
    public static final String VERSION = "4";
    /** Alertmanager's (Go's) zero time, sent as {@code endsAt} of an alert that still fires. */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /**
     * Parses and checks one delivery.
     *
     * @param json   the request body (UTF-8 JSON)
     * @param limits the bounds on size, alerts, labels and lengths
     * @return the payload
     * @throws PayloadException with a one-line reason if the body is not JSON, not version "4", misses a
     *                          required field, has a field of the wrong type, or exceeds a limit
     */
    public static AlertmanagerPayload parse(byte[] json, Limits limits) throws PayloadException {
        JsonNode root = JsonFields.readObject(json, limits.maxBytes());
        String version = JsonFields.text(root, "version", "", limits.maxLabelLength());
        if (!VERSION.equals(version)) {
            throw new PayloadException("version: expected \"4\" (Alertmanager's webhook), got \""
                    + JsonFields.clip(version) + "\"");
        }
        String groupKey = JsonFields.text(root, "groupKey", "", limits.maxTextLength());
        AlertStatus status = status(root, "");
        String receiver = JsonFields.text(root, "receiver", "", limits.maxTextLength());
        int truncated = JsonFields.count(root, "truncatedAlerts", "");
        for (String common : List.of("groupLabels", "commonLabels", "commonAnnotations")) {
            JsonFields.stringMap(root, common, "", false, limits.maxLabels(), limits.maxTextLength(),
                    limits.maxLabelLength());
        }
        JsonFields.optionalText(root, "externalURL", "", limits.maxTextLength());
        JsonNode array = JsonFields.array(root, "alerts", "", limits.maxAlerts());
        List<Alert> alerts = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            alerts.add(alert(array.get(i), "alerts[" + i + "]", limits));
        }
        return new AlertmanagerPayload(version, groupKey, status, receiver, truncated, List.copyOf(alerts));
    }

    private static Alert alert(JsonNode n, String path, Limits limits) throws PayloadException {
        if (!n.isObject()) {
            throw new PayloadException(path + ": expected an object, got " + JsonFields.kind(n));
        }
        AlertStatus status = status(n, path);
        var labels = JsonFields.stringMap(n, "labels", path, true, limits.maxLabels(), limits.maxLabelLength(),
                limits.maxLabelLength());
        var annotations = JsonFields.stringMap(n, "annotations", path, false, limits.maxLabels(),
                limits.maxTextLength(), limits.maxLabelLength());
        Instant startsAt = time(JsonFields.text(n, "startsAt", path, 64), JsonFields.at(path, "startsAt"));
        String ends = JsonFields.optionalText(n, "endsAt", path, 64);
        Optional<Instant> endsAt = Optional.empty();
        if (ends != null) {
            Instant t = time(ends, JsonFields.at(path, "endsAt"));
            endsAt = t.equals(GO_ZERO_TIME) ? Optional.empty() : Optional.of(t);
        }
        String fingerprint = JsonFields.text(n, "fingerprint", path, limits.maxLabelLength());
        if (fingerprint.isEmpty()) {
            throw new PayloadException(JsonFields.at(path, "fingerprint") + ": empty");
        }
        String generatorUrl = JsonFields.optionalText(n, "generatorURL", path, limits.maxTextLength());
        return new Alert(status, labels, annotations, startsAt, endsAt, fingerprint,
                generatorUrl == null ? "" : generatorUrl);
    }

    private static AlertStatus status(JsonNode obj, String path) throws PayloadException {
        String text = JsonFields.text(obj, "status", path, 16);
        AlertStatus s = AlertStatus.of(text);
        if (s == null) {
            throw new PayloadException(JsonFields.at(path, "status") + ": expected \"firing\" or \"resolved\", got \""
                    + text + "\"");
        }
        return s;
    }

    /** An RFC 3339 time as Go writes it: {@code 2026-12-06T20:17:45.237Z}, or with an offset and nanoseconds. */
    private static Instant time(String text, String path) throws PayloadException {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new PayloadException(path + ": expected an RFC 3339 time, got \"" + JsonFields.clip(text) + "\"");
        }
    }

    /**
     * The alerts that fire.
     *
     * @return the firing alerts, in order
     */
    public List<Alert> firing() {
        return alerts.stream().filter(a -> a.status() == AlertStatus.FIRING).toList();
    }
}
