package dev.cfrun.service.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.events.Suppression;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lines of the {@link AuditLog}: one JSON object each, ending in a newline, fields in snake_case and absent
 * when unknown. Bounded: a text is cut to {@link #MAX_TEXT} characters (ending in {@code …}), a list or the
 * labels to {@link #MAX_ITEMS} entries (then {@code <field>_omitted} says how many more), and a line that is
 * still over {@link #MAX_LINE} bytes (texts full of characters JSON escapes) keeps only its short fields and
 * {@code "truncated": true}. Stateless apart from the clock; thread-safe.
 */
final class AuditLines {
    /** Characters kept of one text value. */
    static final int MAX_TEXT = 256;
    /** Entries kept of one list or map. */
    static final int MAX_ITEMS = 32;
    /** Bytes of one line at most, its newline included. */
    static final int MAX_LINE = 64 * 1024;
    private static final List<String> SHORT_FIELDS = List.of("time", "event", "trigger", "run", "source", "host",
            "suppression", "dry_run", "result", "exit_code", "error_kind", "took_ms");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;

    AuditLines(Clock clock) {
        this.clock = clock;
    }

    /**
     * The fingerprint of a trigger: for an Alertmanager trigger the part of its dedupe key before the last
     * {@code '@'} (the key is {@code <fingerprint>@<startsAt>}), else none.
     */
    static String fingerprint(Trigger t) {
        if (t.source() != Source.ALERTMANAGER || t.dedupeKey() == null) {
            return null;
        }
        int at = t.dedupeKey().lastIndexOf('@');
        return at < 0 ? t.dedupeKey() : t.dedupeKey().substring(0, at);
    }

    byte[] trigger(String event, long triggerId, Trigger t) {
        ObjectNode o = start(event);
        o.put("trigger", triggerId);
        describe(o, t);
        text(o, "cooldown_key", t.cooldownKey());
        list(o, "classes", t.classes());
        list(o, "bundles", t.bundles());
        return line(o);
    }

    byte[] alert(String event, String fingerprint, String groupKey, Map<String, String> labels, String reason) {
        ObjectNode o = start(event);
        text(o, "fingerprint", fingerprint);
        text(o, "group_key", groupKey);
        if (labels != null) {
            ObjectNode l = o.putObject("labels");
            int n = 0;
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (n++ == MAX_ITEMS) {
                    o.put("labels_omitted", labels.size() - MAX_ITEMS);
                    break;
                }
                text(l, cut(e.getKey()), e.getValue());
            }
        }
        text(o, "reason", reason);
        return line(o);
    }

    byte[] suppressed(StoredTrigger st, Suppression why, String reason) {
        ObjectNode o = start("suppressed");
        o.put("trigger", st.id());
        describe(o, st.trigger());
        o.put("suppression", why.name().toLowerCase(Locale.ROOT));
        text(o, "reason", reason);
        return line(o);
    }

    byte[] runStarted(long runId, HostAddress host, List<StoredTrigger> triggers, List<String> classes,
                      List<String> bundles, boolean dryRun) {
        ObjectNode o = run("run_started", runId, host, triggers);
        list(o, "classes", classes);
        list(o, "bundles", bundles);
        o.put("dry_run", dryRun);
        return line(o);
    }

    byte[] runFinished(long runId, HostAddress host, List<StoredTrigger> triggers, RunOutcome outcome,
                       Duration took) {
        ObjectNode o = run("run_finished", runId, host, triggers);
        o.put("result", Metrics.result(outcome));
        if (outcome.exitCode() != null && outcome.exitCode().isPresent()) {
            o.put("exit_code", outcome.exitCode().getAsInt());
        }
        text(o, "error_kind", outcome.errorKind());
        text(o, "message", outcome.message());
        o.put("took_ms", took == null || took.isNegative() ? 0 : took.toMillis());
        return line(o);
    }

    private ObjectNode start(String event) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", clock.instant().toString());
        o.put("event", event);
        return o;
    }

    /** A run line's head: its id, host and each trigger it serves (id, source, fingerprint, groupKey, key). */
    private ObjectNode run(String event, long runId, HostAddress host, List<StoredTrigger> triggers) {
        ObjectNode o = start(event);
        o.put("run", runId);
        text(o, "host", host == null ? null : host.toString());
        ArrayNode a = o.putArray("triggers");
        for (StoredTrigger st : triggers.subList(0, Math.min(triggers.size(), MAX_ITEMS))) {
            ObjectNode t = a.addObject();
            t.put("id", st.id());
            t.put("source", st.trigger().source().name().toLowerCase(Locale.ROOT));
            text(t, "fingerprint", fingerprint(st.trigger()));
            text(t, "group_key", st.trigger().group());
            text(t, "dedupe_key", st.trigger().dedupeKey());
        }
        if (triggers.size() > MAX_ITEMS) {
            o.put("triggers_omitted", triggers.size() - MAX_ITEMS);
        }
        return o;
    }

    /** Source, host, fingerprint, groupKey and dedupe key of a trigger. */
    private static void describe(ObjectNode o, Trigger t) {
        o.put("source", t.source().name().toLowerCase(Locale.ROOT));
        text(o, "host", t.host() == null ? null : t.host().toString());
        text(o, "fingerprint", fingerprint(t));
        text(o, "group_key", t.group());
        text(o, "dedupe_key", t.dedupeKey());
    }

    private static void text(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, cut(value));
        }
    }

    private static void list(ObjectNode o, String field, List<String> values) {
        ArrayNode a = o.putArray(field);
        if (values == null) {
            return;
        }
        for (String v : values.subList(0, Math.min(values.size(), MAX_ITEMS))) {
            a.add(v == null ? null : cut(v));
        }
        if (values.size() > MAX_ITEMS) {
            o.put(field + "_omitted", values.size() - MAX_ITEMS);
        }
    }

    static String cut(String s) {
        if (s.length() <= MAX_TEXT) {
            return s;
        }
        int end = MAX_TEXT - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }

    /** The line; one over {@link #MAX_LINE} bytes (texts full of escapes) keeps only its short fields. */
    private static byte[] line(ObjectNode o) {
        byte[] b = bytes(o);
        if (b.length <= MAX_LINE) {
            return b;
        }
        ObjectNode kept = JSON.createObjectNode();
        for (String f : SHORT_FIELDS) {
            if (o.has(f)) {
                kept.set(f, o.get(f));
            }
        }
        kept.put("truncated", true);
        return bytes(kept);
    }

    private static byte[] bytes(ObjectNode o) {
        try {
            return (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            // a tree of strings and numbers always serialises; keep the event even so
            return ("{\"time\":\"" + o.path("time").asText() + "\",\"event\":\"" + o.path("event").asText()
                    + "\",\"truncated\":true}\n").getBytes(StandardCharsets.UTF_8);
        }
    }
}
