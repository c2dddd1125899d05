package dev.cfrun.service.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Versioned schema migrations kept as SQL resources {@code sql/<dialect>/V1.sql}, {@code V2.sql}, ... next to this
 * class; the version reached is the one row of table {@code schema_version}. Plain JDBC, so a later PostgreSQL
 * store uses it with its own dialect directory. Statements in a file end with {@code ;} at the end of a line;
 * lines starting with {@code --} are comments.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    private static final int MAX_MIGRATIONS = 1000;

    private Migrations() {
    }

    /**
     * The migrations of a dialect, in order.
     *
     * @param dialect the resource directory under {@code sql/}, e.g. {@code sqlite}
     * @return the SQL texts; element 0 is version 1
     */
    public static List<String> load(String dialect) {
        List<String> out = new ArrayList<>();
        for (int v = 1; v <= MAX_MIGRATIONS; v++) {
            try (InputStream in = Migrations.class.getResourceAsStream("sql/" + dialect + "/V" + v + ".sql")) {
                if (in == null) {
                    break;
                }
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new StoreException("cannot read migration " + dialect + "/V" + v + ".sql: " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new StoreException("no migrations found for dialect " + dialect);
        }
        return out;
    }

    /**
     * Brings the database to the newest schema, each version in its own transaction. A database that holds
     * tables but no {@code schema_version} (another application's) or a newer version than known is refused.
     *
     * @param c          an open connection in auto-commit mode
     * @param what       the database, as named in errors (e.g. its file)
     * @param migrations the SQL texts from {@link #load}
     * @return the version reached
     * @throws StoreException for a foreign or newer database
     * @throws SQLException   if the database fails
     */
    public static int migrate(Connection c, String what, List<String> migrations) throws SQLException {
        List<String> tables = tables(c);
        int version;
        if (tables.contains("schema_version")) {
            version = currentVersion(c, what);
        } else if (tables.isEmpty()) {
            apply(c, 0, "CREATE TABLE schema_version (version INTEGER NOT NULL);\n"
                    + "INSERT INTO schema_version (version) VALUES (0);\n");
            version = 0;
        } else {
            throw new StoreException(what + " is not a cfrun-service database: it has tables " + tables
                    + " but no schema_version (another application's file?)");
        }
        if (version > migrations.size()) {
            throw new StoreException(what + " has schema version " + version + ", this program knows up to "
                    + migrations.size() + " (written by a newer cfrun-service?)");
        }
        for (int v = version + 1; v <= migrations.size(); v++) {
            apply(c, v, migrations.get(v - 1));
            LOG.info("{}: schema migrated to version {}", what, v);
        }
        return migrations.size();
    }

    private static void apply(Connection c, int v, String sql) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (String stmt : statements(sql)) {
                st.execute(stmt);
            }
            st.executeUpdate("UPDATE schema_version SET version = " + v);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * The statements of one migration file.
     *
     * @param sql the file's text
     * @return its statements without the final {@code ;}
     */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : sql.split("\n", -1)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("--")) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String s = cur.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            throw new StoreException("migration ends without ';': " + cur.toString().strip());
        }
        return out;
    }

    private static int currentVersion(Connection c, String what) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
            if (!rs.next()) {
                throw new StoreException(what + ": table schema_version is empty (damaged database)");
            }
            int v = rs.getInt(1);
            if (rs.wasNull() || v < 0 || rs.next()) {
                throw new StoreException(what + ": table schema_version must hold one version (damaged database)");
            }
            return v;
        }
    }

    private static List<String> tables(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        List<String> out = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (!name.startsWith("sqlite_")) {
                    out.add(name);
                }
            }
        }
        return out;
    }
}
