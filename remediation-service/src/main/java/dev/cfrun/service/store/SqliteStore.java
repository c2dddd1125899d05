package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;

import static dev.cfrun.service.store.SqliteSql.generatedKey;
import static dev.cfrun.service.store.SqliteSql.hostOf;
import static dev.cfrun.service.store.SqliteSql.requireUnfinished;
import static dev.cfrun.service.store.SqliteSql.runs;
import static dev.cfrun.service.store.SqliteSql.state;
import static dev.cfrun.service.store.SqliteSql.status;
import static dev.cfrun.service.store.SqliteSql.triggers;
import static dev.cfrun.service.store.SqliteSql.update;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@link Store} in one SQLite file, {@code <state dir>/cfrun-service.db}: WAL journal, a busy timeout for other
 * processes, versioned migrations ({@link Migrations}, dialect {@code sqlite}), the file created 0600. One
 * connection; every method is one short transaction under the store's lock. A file that is not an SQLite
 * database, is corrupt, belongs to another application or has a newer schema is refused with a
 * {@link StoreException} naming the file.
 */
public final class SqliteStore implements Store {
    /** The name of the database file in the state directory. */
    public static final String FILE_NAME = "cfrun-service.db";
    /** How long a statement waits for another process's lock before failing, in milliseconds. */
    public static final int BUSY_TIMEOUT_MILLIS = 5000;

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final Path file;
    private final Connection conn;
    private boolean closed;

    private SqliteStore(Path file, Connection conn) {
        this.file = file;
        this.conn = conn;
    }

    /**
     * Opens (creating if needed) the store of a state directory.
     *
     * @param stateDir the directory; created 0700 if missing
     * @return the store
     * @throws StoreException if the file cannot be opened or is not this service's database
     */
    public static SqliteStore open(Path stateDir) {
        return openFile(stateDir.resolve(FILE_NAME));
    }

    /**
     * Opens (creating if needed) a store in this file.
     *
     * @param file the database file
     * @return the store
     * @throws StoreException if the file cannot be opened or is not this service's database
     */
    public static SqliteStore openFile(Path file) {
        Connection c = SqliteFiles.open(file, BUSY_TIMEOUT_MILLIS);
        try {
            Migrations.migrate(c, file.toString(), Migrations.load("sqlite"));
            return new SqliteStore(file, c);
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot open " + file + " (corrupt or foreign database?): " + e.getMessage(), e);
        }
    }

    /**
     * The database file.
     *
     * @return its path
     */
    public Path file() {
        return file;
    }

    @Override
    public Accepted accept(Trigger t) {
        return acceptAll(List.of(t)).get(0);
    }

    @Override
    public List<Accepted> acceptAll(List<Trigger> ts) {
        List<Trigger> kept = ts.stream().map(Bounds::trigger).toList();
        return tx("accept", c -> {
            List<Accepted> out = new ArrayList<>(kept.size());
            try (PreparedStatement seen = c.prepareStatement("SELECT trigger_id FROM dedupe_keys WHERE dedupe_key = ?");
                 PreparedStatement add = c.prepareStatement("INSERT INTO triggers (source, dedupe_key, cooldown_key, "
                         + "group_key, received_at, host, port, classes, bundles, labels, cooldown_ms, state) "
                         + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED')", Statement.RETURN_GENERATED_KEYS);
                 PreparedStatement key = c.prepareStatement(
                         "INSERT INTO dedupe_keys (dedupe_key, trigger_id, received_at) VALUES (?, ?, ?)")) {
                for (Trigger k : kept) {
                    out.add(accept(k, seen, add, key));
                }
            }
            return out;
        });
    }

    /** One trigger of {@link #acceptAll}, inside its transaction (a key stored before in it is seen). */
    private static Accepted accept(Trigger k, PreparedStatement seen, PreparedStatement add, PreparedStatement key)
            throws SQLException {
        if (k.dedupeKey() != null) {
            seen.setString(1, k.dedupeKey());
            try (ResultSet rs = seen.executeQuery()) {
                if (rs.next()) {
                    return new Accepted(rs.getLong(1), true);
                }
            }
        }
        add.setString(1, k.source().name());
        add.setString(2, k.dedupeKey());
        add.setString(3, k.cooldownKey());
        add.setString(4, k.group());
        add.setLong(5, SqliteRows.micros(k.receivedAt()));
        add.setString(6, k.host().host());
        add.setInt(7, k.host().port());
        add.setString(8, SqliteRows.json(k.classes()));
        add.setString(9, SqliteRows.json(k.bundles()));
        add.setString(10, SqliteRows.json(k.labels()));
        add.setObject(11, SqliteRows.cooldownMillis(k.cooldown()));
        add.executeUpdate();
        long id = generatedKey(add);
        if (k.dedupeKey() != null) {
            key.setString(1, k.dedupeKey());
            key.setLong(2, id);
            key.setLong(3, SqliteRows.micros(k.receivedAt()));
            key.executeUpdate();
        }
        return new Accepted(id, false);
    }

    @Override
    public List<StoredTrigger> queuedAfter(long afterId, int limit) {
        int max = Bounds.limit(limit);
        return tx("queued", c -> triggers(c, "state = 'QUEUED' AND id > ? ORDER BY id LIMIT ?", afterId, max));
    }

    @Override
    public List<StoredTrigger> queuedFor(HostAddress host, int limit) {
        Objects.requireNonNull(host, "host");
        int max = Bounds.limit(limit);
        // the partial index triggers_queued_host (schema V3) answers this without reading the rest of the queue
        return tx("queuedFor", c -> triggers(c, "state = 'QUEUED' AND host = ? AND port = ? ORDER BY id LIMIT ?",
                host.host(), host.port(), max));
    }

    @Override
    public long queueDepth() {
        return tx("queueDepth", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM triggers WHERE state = 'QUEUED'");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    @Override
    public long startRun(HostAddress host, List<Long> triggerIds, List<String> classes, List<String> bundles,
                         Instant at) {
        Objects.requireNonNull(host, "host");
        List<Long> ids = StoreChecks.runTriggerIds(triggerIds);
        String cls = SqliteRows.json(List.copyOf(classes));
        String bds = SqliteRows.json(List.copyOf(bundles));
        long started = SqliteRows.micros(at);
        return tx("startRun", c -> {
            boolean retried = false;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state, host, port, retried_after_restart FROM triggers WHERE id = ?")) {
                for (long id : ids) {
                    ps.setLong(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalArgumentException("unknown trigger " + id);
                        }
                        StoreChecks.startable(id, state(rs.getString(1), id),
                                hostOf(rs.getString(2), rs.getInt(3), id), host);
                        retried |= rs.getInt(4) != 0;
                    }
                }
            }
            long runId;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO runs (host, port, started_at, classes, "
                    + "bundles, output, retried_after_restart) VALUES (?, ?, ?, ?, ?, '[]', ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, host.host());
                ps.setInt(2, host.port());
                ps.setLong(3, started);
                ps.setString(4, cls);
                ps.setString(5, bds);
                ps.setInt(6, retried ? 1 : 0);
                ps.executeUpdate();
                runId = generatedKey(ps);
            }
            try (PreparedStatement run = c.prepareStatement(
                    "UPDATE triggers SET state = 'RUNNING', run_id = ? WHERE id = ?");
                 PreparedStatement link = c.prepareStatement(
                         "INSERT INTO run_triggers (run_id, trigger_id) VALUES (?, ?)")) {
                for (long id : ids) { // statements prepared once: a merged run may serve hundreds of triggers
                    run.setLong(1, runId);
                    run.setLong(2, id);
                    run.executeUpdate();
                    link.setLong(1, runId);
                    link.setLong(2, id);
                    link.executeUpdate();
                }
            }
            return runId;
        });
    }

    @Override
    public void finishRun(long runId, RunOutcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        long ended = SqliteRows.micros(outcome.endedAt());
        String output = SqliteRows.json(Bounds.output(outcome.output() == null ? List.of() : outcome.output()));
        Integer exit = outcome.exitCode() == null || outcome.exitCode().isEmpty() ? null
                : outcome.exitCode().getAsInt();
        tx("finishRun", c -> {
            requireUnfinished(c, runId);
            update(c, "UPDATE runs SET ended_at = ?, exit_code = ?, error_kind = ?, message = ?, output = ? "
                    + "WHERE id = ?", ended, exit, Bounds.text(outcome.errorKind()), Bounds.text(outcome.message()),
                    output, runId);
            update(c, "UPDATE triggers SET state = 'DONE' WHERE id IN "
                    + "(SELECT trigger_id FROM run_triggers WHERE run_id = ?)", runId);
            return null;
        });
    }

    @Override
    public void suppress(long triggerId, String reason) {
        Objects.requireNonNull(reason, "reason");
        tx("suppress", c -> {
            TriggerStatus s = status(c, triggerId)
                    .orElseThrow(() -> new IllegalArgumentException("unknown trigger " + triggerId));
            StoreChecks.suppressible(triggerId, s.state());
            update(c, "UPDATE triggers SET state = 'SUPPRESSED', reason = ? WHERE id = ?", Bounds.text(reason),
                    triggerId);
            return null;
        });
    }

    @Override
    public Optional<TriggerStatus> triggerStatus(long triggerId) {
        return tx("triggerStatus", c -> status(c, triggerId));
    }

    @Override
    public Optional<RunRecord> run(long runId) {
        return tx("run", c -> {
            List<RunRecord> r = runs(c, "WHERE id = ?", runId);
            return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
        });
    }

    @Override
    public List<RunRecord> recentRuns(Optional<String> host, OptionalInt port, int limit) {
        int max = Bounds.limit(limit);
        if (host.isPresent() && port.isPresent()) {
            return tx("recentRuns", c -> runs(c, "WHERE host = ? AND port = ? ORDER BY id DESC LIMIT ?", host.get(),
                    port.getAsInt(), max));
        }
        return tx("recentRuns", c -> host.isPresent()
                ? runs(c, "WHERE host = ? ORDER BY id DESC LIMIT ?", host.get(), max)
                : runs(c, "ORDER BY id DESC LIMIT ?", max));
    }

    @Override
    public List<GroupRun> groupRunsSince(Instant since, int limit) {
        int max = Bounds.limit(limit);
        long from = SqliteRows.micros(since);
        return tx("groupRunsSince", c -> {
            List<GroupRun> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT r.id, t.group_key, r.host, r.port, "
                    + "r.started_at FROM runs r JOIN run_triggers rt ON rt.run_id = r.id JOIN triggers t "
                    + "ON t.id = rt.trigger_id WHERE r.started_at >= ? AND t.group_key IS NOT NULL "
                    + "ORDER BY r.id LIMIT ?")) {
                ps.setLong(1, from);
                ps.setInt(2, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new GroupRun(rs.getString(2), HostAddress.of(rs.getString(3), rs.getInt(4)),
                                SqliteRows.instant(rs.getLong(5))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public boolean paused() {
        return tx("paused", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = 'paused'");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() && "true".equals(rs.getString(1));
            }
        });
    }

    @Override
    public void setPaused(boolean paused) {
        tx("setPaused", c -> update(c, "INSERT INTO settings (name, value) VALUES ('paused', ?) "
                + "ON CONFLICT (name) DO UPDATE SET value = excluded.value", Boolean.toString(paused)));
    }

    @Override
    public List<RunRecord> unfinishedRuns() {
        return tx("unfinishedRuns", c -> runs(c, "WHERE ended_at IS NULL ORDER BY id"));
    }

    @Override
    public void requeueUnfinished(long runId) {
        tx("requeueUnfinished", c -> {
            requireUnfinished(c, runId);
            update(c, "UPDATE runs SET ended_at = started_at, error_kind = ?, message = ? WHERE id = ?",
                    Bounds.INTERRUPTED, StoreChecks.INTERRUPTED_MESSAGE, runId);
            update(c, "UPDATE triggers SET state = 'QUEUED', retried_after_restart = 1 WHERE id IN "
                    + "(SELECT trigger_id FROM run_triggers WHERE run_id = ?)", runId);
            return null;
        });
    }

    @Override
    public Optional<Instant> cooldownUntil(HostAddress host, String cooldownKey) {
        StoreChecks.cooldownId(host, cooldownKey);
        return tx("cooldownUntil", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT until_at FROM cooldowns WHERE host = ? AND port = ? AND cooldown_key = ?")) {
                ps.setString(1, host.host());
                ps.setInt(2, host.port());
                ps.setString(3, cooldownKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(SqliteRows.instant(rs.getLong(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void setCooldown(HostAddress host, String cooldownKey, Instant until) {
        StoreChecks.cooldownId(host, cooldownKey);
        long u = SqliteRows.micros(until);
        tx("setCooldown", c -> update(c, "INSERT INTO cooldowns (host, port, cooldown_key, until_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (host, port, cooldown_key) DO UPDATE SET until_at = excluded.until_at",
                host.host(), host.port(), cooldownKey, u));
    }

    @Override
    public int expireDedupeKeys(Instant before) {
        long b = SqliteRows.micros(before);
        return tx("expireDedupeKeys", c -> update(c, "DELETE FROM dedupe_keys WHERE received_at < ?", b));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            conn.close();
        } catch (SQLException e) {
            throw new StoreException("closing " + file + ": " + e.getMessage(), e);
        }
    }

    private synchronized <T> T tx(String what, Work<T> work) {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
        try {
            try (Statement st = conn.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
            }
            T result;
            try {
                result = work.run(conn);
            } catch (SQLException | RuntimeException e) {
                try (Statement st = conn.createStatement()) {
                    st.execute("ROLLBACK");
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
            try (Statement st = conn.createStatement()) {
                st.execute("COMMIT");
            }
            return result;
        } catch (SQLException e) {
            throw new StoreException(file + ": " + what + " failed: " + e.getMessage(), e);
        }
    }
}
