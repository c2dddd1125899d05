package dev.cfrun.service.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Column codecs of {@link SqliteStore}: instants as epoch microseconds, lists and labels as JSON. */
final class SqliteRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
    };

    /** The columns {@link #trigger} reads, in a SELECT on table triggers. */
    static final String TRIGGER_COLUMNS =
            "id, source, dedupe_key, cooldown_key, group_key, received_at, host, port, classes, bundles, labels, "
            + "cooldown_ms";
    /** The columns {@link #run} reads, in a SELECT on table runs. */
    static final String RUN_COLUMNS = "id, host, port, started_at, ended_at, exit_code, error_kind, message, "
            + "classes, bundles, output, retried_after_restart";

    private SqliteRows() {
    }

    static long micros(Instant t) {
        Instant i = Bounds.instant(t);
        try {
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("instant out of range: " + t, e);
        }
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    static StoredTrigger trigger(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        try {
            Trigger t = new Trigger(Source.valueOf(rs.getString("source")), rs.getString("dedupe_key"),
                    rs.getString("cooldown_key"), rs.getString("group_key"), instant(rs.getLong("received_at")),
                    HostAddress.of(rs.getString("host"), rs.getInt("port")), strings(rs.getString("classes")),
                    strings(rs.getString("bundles")), Map.copyOf(JSON.readValue(rs.getString("labels"), LABELS)),
                    cooldown(rs));
            return new StoredTrigger(id, t);
        } catch (JsonProcessingException | RuntimeException e) {
            throw corrupt("triggers", id, e);
        }
    }

    /** Column cooldown_ms: null, or the trigger's own cooldown. */
    private static Duration cooldown(ResultSet rs) throws SQLException {
        long ms = rs.getLong("cooldown_ms");
        return rs.wasNull() ? null : Bounds.cooldown(Duration.ofMillis(ms));
    }

    /** A trigger's own cooldown as stored: milliseconds, or null for none. */
    static Long cooldownMillis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    static RunRecord run(ResultSet rs, List<Long> triggerIds) throws SQLException {
        long id = rs.getLong("id");
        try {
            long ended = rs.getLong("ended_at");
            Optional<Instant> endedAt = rs.wasNull() ? Optional.empty() : Optional.of(instant(ended));
            int exit = rs.getInt("exit_code");
            OptionalInt exitCode = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(exit);
            return new RunRecord(id, HostAddress.of(rs.getString("host"), rs.getInt("port")),
                    instant(rs.getLong("started_at")), endedAt, exitCode, rs.getString("error_kind"),
                    rs.getString("message"), strings(rs.getString("classes")), strings(rs.getString("bundles")),
                    List.copyOf(triggerIds), strings(rs.getString("output")), rs.getInt("retried_after_restart") != 0);
        } catch (JsonProcessingException | RuntimeException e) {
            throw corrupt("runs", id, e);
        }
    }

    private static List<String> strings(String json) throws JsonProcessingException {
        if (json == null) {
            throw new IllegalArgumentException("missing list");
        }
        return List.copyOf(JSON.readValue(json, STRINGS));
    }

    static StoreException corrupt(String table, long id, Exception e) {
        return new StoreException("damaged row in table " + table + " (id " + id + "): " + e.getMessage(), e);
    }
}
