package dev.cfrun.service.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Set;

/** Opens the SQLite file: private permissions, a check that it is an SQLite database, WAL and busy timeout. */
final class SqliteFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteFiles.class);
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private SqliteFiles() {
    }

    /**
     * Creates the file 0600 if missing (and its directory 0700), tightens a wider existing file, refuses a file
     * that is not an SQLite database, then connects.
     */
    static Connection open(Path file, int busyTimeoutMillis) {
        prepare(file);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // synchronous=NORMAL, on purpose: in WAL mode a commit is written to the WAL file (write(2), in the
        // kernel's page cache) before COMMIT returns, and only checkpoints fsync. A SIGKILLed or crashed
        // service therefore loses no committed transaction, so no accepted trigger (the 202 is sent after the
        // commit); only a power loss or kernel crash may take the last commits since the previous checkpoint
        // (never corrupting the file). FULL would add an fsync to every commit, i.e. to every delivery's answer
        // and every dispatcher write, for that rarer case (an alert still firing then comes again with
        // Alertmanager's next notification of its group).
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(busyTimeoutMillis);
        cfg.enforceForeignKeys(true);
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file, cfg.toProperties());
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                String first = rs.next() ? rs.getString(1) : "no answer";
                if (!"ok".equals(first)) {
                    throw new StoreException(file + " is corrupt (SQLite quick_check: " + first + ")");
                }
            }
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new StoreException("cannot open " + file + " as an SQLite database (corrupt or foreign file?): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static void prepare(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir.getRoot(), PosixFileAttributeView.class) != null;
        try {
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            try {
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
                } else {
                    Files.createFile(file);
                }
                return; // new and empty: SQLite makes it a database
            } catch (FileAlreadyExistsException e) {
                // an existing file: checked below
            }
            if (!Files.isRegularFile(file)) {
                throw new StoreException(file + " is not a regular file");
            }
            checkHeader(file);
            if (posix) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (!PRIVATE_FILE.containsAll(perms)) {
                    LOG.warn("{} had permissions {}; set to rw------- (it holds alert labels and run output)",
                            file, PosixFilePermissions.toString(perms));
                    Files.setPosixFilePermissions(file, PRIVATE_FILE);
                }
            }
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such directory: " + e.getMessage()
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied: " + e.getMessage()
                    : e.toString();
            throw new StoreException("cannot prepare " + file + ": " + why, e);
        }
    }

    private static void checkHeader(Path file) throws IOException {
        if (Files.size(file) == 0) {
            return;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(MAGIC.length);
        }
        if (!Arrays.equals(head, MAGIC)) {
            throw new StoreException(file + " is not an SQLite database (foreign or corrupt file); move it away or "
                    + "point the service at another state directory");
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("close after a failed open: {}", e.toString());
            }
        }
    }
}
