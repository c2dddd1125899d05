package dev.cfrun.service.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a JSON body into a tree with Jackson (strict: no duplicate keys, nothing after the value, bounded
 * nesting and number length) and takes typed fields out of it, each error naming the field's path.
 */
final class JsonFields {
    /** Deeper than any body we accept (Alertmanager's is 4 levels deep). */
    private static final int MAX_DEPTH = 16;
    private static final int MAX_NUMBER_LENGTH = 30;
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonFields() {
    }

    /**
     * The body's top-level object.
     *
     * @throws PayloadException if it is too large, empty, not JSON, or not an object
     */
    static JsonNode readObject(byte[] body, int maxBytes) throws PayloadException {
        if (body.length > maxBytes) {
            throw new PayloadException("body too large: " + body.length + " bytes (limit " + maxBytes + ")");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new PayloadException("invalid JSON: " + e.getOriginalMessage()
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new PayloadException("unreadable body: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new PayloadException("empty body: expected a JSON object");
        }
        if (!root.isObject()) {
            throw new PayloadException("expected a JSON object, got " + kind(root));
        }
        return root;
    }

    /** Refuses any field of {@code obj} not in {@code known} (for our own API, where a typo must not pass). */
    static void onlyKnown(JsonNode obj, Set<String> known, String path) throws PayloadException {
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            String name = e.getKey();
            if (!known.contains(name)) {
                throw new PayloadException(at(path, name) + ": unknown field (known: " + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** A required string field, at most maxLength characters. */
    static String text(JsonNode obj, String field, String path, int maxLength) throws PayloadException {
        String s = optionalText(obj, field, path, maxLength);
        if (s == null) {
            throw new PayloadException(at(path, field) + ": missing");
        }
        return s;
    }

    /** An optional string field (absent or null: null), at most maxLength characters. */
    static String optionalText(JsonNode obj, String field, String path, int maxLength) throws PayloadException {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        return string(n, at(path, field), maxLength);
    }

    /** A string node, at most maxLength characters. */
    static String string(JsonNode n, String path, int maxLength) throws PayloadException {
        if (!n.isTextual()) {
            throw new PayloadException(path + ": expected a string, got " + kind(n));
        }
        String s = n.textValue();
        if (s.length() > maxLength) {
            throw new PayloadException(path + ": too long (" + s.length() + " characters, limit " + maxLength + ")");
        }
        return s;
    }

    /** An optional non-negative integer field (absent or null: 0). */
    static int count(JsonNode obj, String field, String path) throws PayloadException {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw new PayloadException(at(path, field) + ": expected a non-negative integer, got " + kind(n));
        }
        return n.intValue();
    }

    /** A required array field with at most maxItems elements. */
    static JsonNode array(JsonNode obj, String field, String path, int maxItems) throws PayloadException {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            throw new PayloadException(at(path, field) + ": missing");
        }
        if (!n.isArray()) {
            throw new PayloadException(at(path, field) + ": expected an array, got " + kind(n));
        }
        if (n.size() > maxItems) {
            throw new PayloadException(at(path, field) + ": too many elements (" + n.size() + ", limit "
                    + maxItems + ")");
        }
        return n;
    }

    /** An optional array of strings (absent or null: empty), each at most maxLength characters. */
    static List<String> strings(JsonNode obj, String field, String path, int maxItems, int maxLength)
            throws PayloadException {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        JsonNode a = array(obj, field, path, maxItems);
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(string(a.get(i), at(path, field) + "[" + i + "]", maxLength));
        }
        return out;
    }

    /**
     * An object of strings (names and values as in Prometheus labels), in the payload's order, unmodifiable.
     * Absent or null: an error if required, else empty.
     */
    static Map<String, String> stringMap(JsonNode obj, String field, String path, boolean required, int maxEntries,
                                         int maxValueLength, int maxNameLength) throws PayloadException {
        JsonNode n = obj.get(field);
        String p = at(path, field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new PayloadException(p + ": missing");
            }
            return Map.of();
        }
        if (!n.isObject()) {
            throw new PayloadException(p + ": expected an object, got " + kind(n));
        }
        if (n.size() > maxEntries) {
            throw new PayloadException(p + ": too many entries (" + n.size() + ", limit " + maxEntries + ")");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String name = e.getKey();
            if (name.isEmpty() || name.length() > maxNameLength) {
                throw new PayloadException(p + ": a name is empty or longer than " + maxNameLength + " characters");
            }
            out.put(name, string(e.getValue(), at(p, name), maxValueLength));
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code path.field}, the field quoted if it is not a plain word (it may come from the body). */
    static String at(String path, String field) {
        String f = field.matches("[A-Za-z_][A-Za-z0-9_]{0,63}") ? field : "[\"" + clip(field) + "\"]";
        return path.isEmpty() ? f : f.startsWith("[") ? path + f : path + "." + f;
    }

    /** A value from the body, cut for a message. */
    static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** What a node is, for messages: "a string", "a number"... */
    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "something else";
        };
    }
}
