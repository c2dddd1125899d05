package dev.cfrun.service.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /v1/nagios} and {@code POST /v1/icinga}: one Nagios / Naemon / Icinga 2 event as the
 * documented curl event command posts it, {@code application/x-www-form-urlencoded} ({@code curl
 * --data-urlencode 'host=$HOSTNAME$' …}), or the same fields as a JSON object (values strings, or numbers for
 * the numeric fields, or arrays of strings for the lists). Our own API, so it is strict: an unknown or repeated
 * field is refused (a misspelt {@code clases} must not run the agent without its classes). Immutable; the
 * values are as sent (checked for size only); {@link MonitorTriggers} checks their meaning.
 *
 * @param fields the fields sent, by name (at most one value each), in the body's order
 */
public record MonitorEvent(Map<String, String> fields) {
    /** The monitoring system's name of the host ({@code $HOSTNAME$}, {@code $host.name$}); required. */
    public static final String HOST = "host";
    /** The address to hail ({@code $HOSTADDRESS$}, {@code $host.address$}), {@code host[:port]}; default: host. */
    public static final String ADDRESS = "address";
    /** cf-serverd's port; default the address's port, else 5308. */
    public static final String PORT = "port";
    /** The service ({@code $SERVICEDESC$}, {@code $service.name$}); absent or empty: a host event. */
    public static final String SERVICE = "service";
    /** The state ({@code $SERVICESTATE$}, {@code $service.state$}); required. */
    public static final String STATE = "state";
    /** SOFT or HARD ({@code $SERVICESTATETYPE$}, {@code $service.state_type$}); required. */
    public static final String STATE_TYPE = "state_type";
    /** The check attempt ({@code $SERVICEATTEMPT$}, {@code $service.check_attempt$}); required. */
    public static final String ATTEMPT = "attempt";
    /** When the state last changed ({@code $LASTSERVICESTATECHANGE$}, {@code $service.last_state_change$}). */
    public static final String LAST_STATE_CHANGE = "last_state_change";
    /**
     * Nagios' number of the current state ({@code $SERVICEEVENTID$}, {@code $HOSTEVENTID$}), unique per state
     * change: two outages within one second differ only in it.
     */
    public static final String EVENT_ID = "event_id";
    /** Classes to define, comma-separated; canonified. */
    public static final String CLASSES = "classes";
    /** Bundles to run, comma-separated. */
    public static final String BUNDLES = "bundles";
    /** The states that act, comma-separated (the handler's {@code --states}). */
    public static final String STATES = "states";
    /** Act on SOFT at this attempt, 0 = never (the handler's {@code --soft-attempt}). */
    public static final String SOFT_ATTEMPT = "soft_attempt";
    /** {@code no} to not act on HARD (the handler's {@code --no-hard}). */
    public static final String HARD = "hard";
    /** Every field, in the order the documentation lists them. */
    public static final List<String> FIELDS = List.of(HOST, ADDRESS, PORT, SERVICE, STATE, STATE_TYPE, ATTEMPT,
            LAST_STATE_CHANGE, EVENT_ID, CLASSES, BUNDLES, STATES, SOFT_ATTEMPT, HARD);
    private static final Set<String> KNOWN = Set.copyOf(FIELDS);
    private static final Set<String> LISTS = Set.of(CLASSES, BUNDLES, STATES);
    private static final Set<String> NUMBERS = Set.of(PORT, ATTEMPT, SOFT_ATTEMPT, LAST_STATE_CHANGE, EVENT_ID);

    /** An unmodifiable copy. */
    public MonitorEvent {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * A field's value.
     *
     * @param name the field
     * @return its value without surrounding blanks, or null when absent or blank
     */
    public String get(String name) {
        String v = fields.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /**
     * Parses a form body ({@code a=1&b=2}, percent-encoded UTF-8, {@code +} a space).
     *
     * @param body   the body
     * @param limits size; each value at most {@code maxLabelLength} characters
     * @return the event
     * @throws PayloadException for a body that is too large, not UTF-8, malformed, or has an unknown, repeated or
     *                          oversize field
     */
    public static MonitorEvent parseForm(byte[] body, Limits limits) throws PayloadException {
        if (body.length > limits.maxBytes()) {
            throw new PayloadException("body too large: " + body.length + " bytes (limit " + limits.maxBytes() + ")");
        }
        String text = utf8(body);
        Map<String, String> out = new LinkedHashMap<>();
        int pairs = 0;
        for (int start = 0; start <= text.length(); ) {
            int amp = text.indexOf('&', start);
            String pair = text.substring(start, amp < 0 ? text.length() : amp);
            start = amp < 0 ? text.length() + 1 : amp + 1;
            if (pair.isEmpty()) {
                continue;
            }
            if (++pairs > KNOWN.size()) {
                throw new PayloadException("too many form fields (known: " + String.join(", ", FIELDS) + ")");
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new PayloadException("malformed form field '" + JsonFields.clip(pair) + "': " + e.getMessage());
            }
            put(out, name, value, limits);
        }
        return new MonitorEvent(out);
    }

    /**
     * Parses a JSON body: an object of the same fields.
     *
     * @param body   the body (UTF-8 JSON)
     * @param limits size; each value at most {@code maxLabelLength} characters, lists at most {@code maxLabels}
     * @return the event
     * @throws PayloadException for malformed JSON, an unknown field, a value of the wrong type, or a bound
     */
    public static MonitorEvent parseJson(byte[] body, Limits limits) throws PayloadException {
        JsonNode root = JsonFields.readObject(body, limits.maxBytes());
        JsonFields.onlyKnown(root, KNOWN, "");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode n = e.getValue();
            String value;
            if (n.isNull()) {
                continue;
            } else if (LISTS.contains(name) && n.isArray()) {
                value = String.join(",", JsonFields.strings(root, name, "", limits.maxLabels(),
                        limits.maxLabelLength()));
            } else if (NUMBERS.contains(name) && n.isNumber()) {
                value = n.asText();
            } else {
                value = JsonFields.string(n, name, limits.maxLabelLength());
            }
            put(out, name, value, limits);
        }
        return new MonitorEvent(out);
    }

    private static void put(Map<String, String> out, String name, String value, Limits limits)
            throws PayloadException {
        if (!KNOWN.contains(name)) {
            throw new PayloadException(JsonFields.at("", name) + ": unknown field (known: "
                    + String.join(", ", FIELDS) + ")");
        }
        if (out.containsKey(name)) {
            throw new PayloadException(name + ": given twice");
        }
        int max = LISTS.contains(name) ? limits.maxLabels() * (limits.maxLabelLength() + 1) : limits.maxLabelLength();
        if (value.length() > max) {
            throw new PayloadException(name + ": too long (" + value.length() + " characters, limit " + max + ")");
        }
        out.put(name, value);
    }

    private static String utf8(byte[] body) throws PayloadException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new PayloadException("the form body is not UTF-8 text");
        }
    }
}
