package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The JDBC helpers of {@link SqliteStore}: reads of trigger states and runs, statements with bound arguments. */
final class SqliteSql {
    private SqliteSql() {
    }

    static Optional<TriggerStatus> status(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT state, reason, run_id, retried_after_restart FROM triggers WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                TriggerState state = state(rs.getString(1), id);
                String reason = rs.getString(2);
                long run = rs.getLong(3);
                OptionalLong runId = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(run);
                return Optional.of(new TriggerStatus(state, reason, runId, rs.getInt(4) != 0));
            }
        }
    }

    static List<RunRecord> runs(Connection c, String where, Object... args) throws SQLException {
        List<RunRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + SqliteRows.RUN_COLUMNS + " FROM runs " + where);
             PreparedStatement ids = c.prepareStatement(
                     "SELECT trigger_id FROM run_triggers WHERE run_id = ? ORDER BY trigger_id")) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.setLong(1, rs.getLong("id"));
                    List<Long> triggerIds = new ArrayList<>();
                    try (ResultSet t = ids.executeQuery()) {
                        while (t.next()) {
                            triggerIds.add(t.getLong(1));
                        }
                    }
                    out.add(SqliteRows.run(rs, triggerIds));
                }
            }
        }
        return out;
    }

    static List<StoredTrigger> triggers(Connection c, String where, Object... args) throws SQLException {
        List<StoredTrigger> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + SqliteRows.TRIGGER_COLUMNS + " FROM triggers WHERE "
                + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(SqliteRows.trigger(rs));
                }
            }
        }
        return out;
    }

    static void requireUnfinished(Connection c, long runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ended_at IS NOT NULL FROM runs WHERE id = ?")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("unknown run " + runId);
                }
                if (rs.getInt(1) != 0) {
                    throw new IllegalStateException("run " + runId + " already ended");
                }
            }
        }
    }

    static TriggerState state(String s, long id) {
        try {
            return TriggerState.valueOf(s);
        } catch (RuntimeException e) {
            throw SqliteRows.corrupt("triggers", id, e);
        }
    }

    static HostAddress hostOf(String host, int port, long id) {
        try {
            return HostAddress.of(host, port);
        } catch (RuntimeException e) {
            throw SqliteRows.corrupt("triggers", id, e);
        }
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }

    static long generatedKey(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("no generated id");
            }
            return keys.getLong(1);
        }
    }
}
