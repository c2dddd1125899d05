package dev.cfrun.service.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cfrun.client.ClassNames;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /v1/runs}: {@code {"hosts": ["web1", "web2:5308"], "classes": [...], "bundles": [...]}}
 * (immutable). Our own API, so it is strict: unknown fields are refused (a misspelt {@code "clases"} must not
 * run the agent without its classes), hosts are required, names must be valid CFEngine class and bundle names.
 * The same host written twice ({@code web1}, {@code web1:5308}) is one host.
 *
 * @param hosts   the hosts to run on, at least one, no duplicates
 * @param classes classes to define ({@code -D}), possibly empty
 * @param bundles bundles to run ({@code -b}), possibly empty
 */
public record RunsRequest(List<HostAddress> hosts, List<String> classes, List<String> bundles) {
    /** The longest idempotency key accepted. */
    public static final int MAX_IDEMPOTENCY_KEY = 255;
    private static final Set<String> FIELDS = Set.of("hosts", "classes", "bundles");

    /** Unmodifiable copies. */
    public RunsRequest {
        hosts = List.copyOf(hosts);
        classes = List.copyOf(classes);
        bundles = List.copyOf(bundles);
    }

    /**
     * Parses a request with the default limits.
     *
     * @param json the request body (UTF-8 JSON)
     * @return the request
     * @throws PayloadException with a one-line reason
     * @see #parse(byte[], Limits)
     */
    public static RunsRequest parse(byte[] json) throws PayloadException {
        return parse(json, Limits.DEFAULTS);
    }

    /**
     * Parses and checks a request.
     *
     * @param json   the request body (UTF-8 JSON)
     * @param limits size; hosts at most {@code maxAlerts}; classes and bundles at most {@code maxLabels} each,
     *               names and hosts at most {@code maxLabelLength} characters
     * @return the request
     * @throws PayloadException if the body is not JSON, has an unknown field or a field of the wrong type, no
     *                          host, an invalid host, class or bundle name, or exceeds a limit
     */
    public static RunsRequest parse(byte[] json, Limits limits) throws PayloadException {
        JsonNode root = JsonFields.readObject(json, limits.maxBytes());
        JsonFields.onlyKnown(root, FIELDS, "");
        JsonFields.array(root, "hosts", "", limits.maxAlerts());
        List<String> hostSpecs = JsonFields.strings(root, "hosts", "", limits.maxAlerts(), limits.maxLabelLength());
        if (hostSpecs.isEmpty()) {
            throw new PayloadException("hosts: empty (at least one host)");
        }
        Set<HostAddress> hosts = new LinkedHashSet<>();
        for (int i = 0; i < hostSpecs.size(); i++) {
            try {
                hosts.add(HostAddress.parse(hostSpecs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new PayloadException("hosts[" + i + "]: " + e.getMessage());
            }
        }
        return new RunsRequest(new ArrayList<>(hosts), names(root, "classes", "class", limits),
                names(root, "bundles", "bundle", limits));
    }

    private static List<String> names(JsonNode root, String field, String what, Limits limits)
            throws PayloadException {
        List<String> names = JsonFields.strings(root, field, "", limits.maxLabels(), limits.maxLabelLength());
        for (int i = 0; i < names.size(); i++) {
            try {
                ClassNames.check(names.get(i), what);
            } catch (IllegalArgumentException e) {
                throw new PayloadException(field + "[" + i + "]: " + e.getMessage());
            }
        }
        return List.copyOf(new LinkedHashSet<>(names));
    }

    /**
     * One trigger per host. Without an idempotency key nothing is deduplicated (each request is a new run);
     * with one, a repeated request with the same key is a duplicate, host by host. No cooldown, no group.
     *
     * @param receivedAt     when the request arrived
     * @param idempotencyKey the client's {@code Idempotency-Key}, or null
     * @return the triggers, in the order of the hosts
     * @throws PayloadException if the key is empty, longer than {@value #MAX_IDEMPOTENCY_KEY} characters or
     *                          not printable ASCII
     */
    public List<Trigger> triggers(Instant receivedAt, String idempotencyKey) throws PayloadException {
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY
                || !idempotencyKey.chars().allMatch(c -> c > ' ' && c < 0x7f))) {
            throw new PayloadException("Idempotency-Key: 1 to " + MAX_IDEMPOTENCY_KEY
                    + " printable ASCII characters without spaces");
        }
        List<Trigger> out = new ArrayList<>(hosts.size());
        for (HostAddress h : hosts) {
            String dedupe = idempotencyKey == null ? null : "api:" + idempotencyKey + "@" + h;
            out.add(new Trigger(Source.API, dedupe, null, null, receivedAt, h, classes, bundles, Map.of()));
        }
        return out;
    }
}
