package dev.cfrun.service.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SqliteStore} against the store contract (a restart closes and reopens the file), plus its file checks. */
class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    @Override
    Store create() {
        return SqliteStore.open(dir.resolve("state"));
    }

    @Override
    Store reopen(Store s) {
        s.close();
        return SqliteStore.open(dir.resolve("state"));
    }

    private Path db() {
        return dir.resolve("state").resolve(SqliteStore.FILE_NAME);
    }

    private static String perms(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static void sql(Path file, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    @Test
    void filesArePrivateAndTheJournalIsWal() throws Exception {
        accept(WEB1);
        assertEquals("rwx------", perms(dir.resolve("state")));
        assertEquals("rw-------", perms(db()));
        Path wal = db().resolveSibling(SqliteStore.FILE_NAME + "-wal");
        assertTrue(Files.exists(wal), "WAL file while open");
        assertEquals("rw-------", perms(wal));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            assertTrue(rs.next());
            assertEquals("wal", rs.getString(1));
        }
    }

    @Test
    void aWiderExistingFileIsTightened() throws Exception {
        store.close();
        Files.setPosixFilePermissions(db(), PosixFilePermissions.fromString("rw-r--r--"));
        store = SqliteStore.open(dir.resolve("state"));
        assertEquals("rw-------", perms(db()));
    }

    @Test
    void aForeignFileIsRefusedAndLeftAlone() throws Exception {
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        byte[] text = "# not a database\nkey = value\n".getBytes(StandardCharsets.UTF_8);
        Files.write(other.resolve(SqliteStore.FILE_NAME), text);
        StoreException e = assertThrows(StoreException.class, () -> SqliteStore.open(other));
        assertTrue(e.getMessage().contains("is not an SQLite database"), e.getMessage());
        assertArrayEquals(text, Files.readAllBytes(other.resolve(SqliteStore.FILE_NAME)));
    }

    @Test
    void aCorruptFileIsRefused() throws Exception {
        Path bad = dir.resolve("corrupt.db");
        byte[] bytes = new byte[8192];
        new Random(13).nextBytes(bytes);
        byte[] magic = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, bytes, 0, magic.length);
        Files.write(bad, bytes);
        StoreException e = assertThrows(StoreException.class, () -> SqliteStore.openFile(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void anotherApplicationsDatabaseIsRefused() throws Exception {
        Path foreign = dir.resolve("foreign.db");
        sql(foreign, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
        StoreException e = assertThrows(StoreException.class, () -> SqliteStore.openFile(foreign));
        assertTrue(e.getMessage().contains("not a cfrun-service database"), e.getMessage());
        assertTrue(e.getMessage().contains("users"), e.getMessage());
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        store.close();
        sql(db(), "UPDATE schema_version SET version = 99");
        StoreException e = assertThrows(StoreException.class, () -> SqliteStore.open(dir.resolve("state")));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
        store = new MemoryStore(); // for tearDown
    }

    @Test
    void theSchemaIsMigratedOnceAndKept() throws Exception {
        long id = accept(WEB1);
        store = reopen(store);
        assertEquals(List.of(id), store.queued(5).stream().map(StoredTrigger::id).toList());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), max(version) FROM schema_version")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
            assertEquals(Migrations.load("sqlite").size(), rs.getInt(2));
        }
    }

    @Test
    void aVersion1DatabaseIsMigratedAndItsQueueKept() throws Exception {
        store.close();
        Files.delete(db());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement st = c.createStatement()) {
            assertEquals(1, Migrations.migrate(c, "v1", Migrations.load("sqlite").subList(0, 1)));
            st.execute("INSERT INTO triggers (source, cooldown_key, received_at, host, port, classes, bundles, labels, "
                    + "state) VALUES ('ALERTMANAGER', 'WebDown', 0, 'web1', 5308, '[\"alert_WebDown\"]', '[]', '{}', "
                    + "'QUEUED')");
        }
        store = SqliteStore.open(dir.resolve("state"));
        List<StoredTrigger> q = store.queued(5);
        assertEquals(1, q.size());
        assertEquals("WebDown", q.get(0).trigger().cooldownKey());
        assertEquals(null, q.get(0).trigger().cooldown(), "an old trigger has the service's cooldown");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
            assertTrue(rs.next());
            assertEquals(Migrations.load("sqlite").size(), rs.getInt(1));
        }
    }

    @Test
    void aDeliveryFailingInsideTheTransactionStoresNothing() throws Exception {
        long before = accept(WEB1);
        sql(db(), "CREATE TRIGGER refuse BEFORE INSERT ON triggers WHEN NEW.host = 'web2' "
                + "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        StoreException e = assertThrows(StoreException.class, () -> store.acceptAll(List.of(
                trigger(WEB1, "fp1", T0), trigger(WEB1, null, T0), trigger(WEB2, "fp2", T0))));
        assertTrue(e.getMessage().contains("refused by the test"), e.getMessage());
        assertEquals(List.of(before), store.queued(10).stream().map(StoredTrigger::id).toList(),
                "the triggers before the failing one were rolled back");
        sql(db(), "DROP TRIGGER refuse");
        assertFalse(store.accept(trigger(WEB1, "fp1", T0)).duplicate(), "no dedupe key was kept either");
    }

    /**
     * synchronous=NORMAL in WAL mode: a SIGKILLed process loses no committed delivery. A child JVM accepts
     * deliveries and prints their ids; it is killed (SIGKILL) while doing so; every printed id is QUEUED in the
     * reopened file.
     */
    @Test
    void acceptedTriggersSurviveASigkill() throws Exception {
        store.close();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SqliteKillChild.class.getName(), dir.resolve("state").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Long> answered = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (int delivery = 0; delivery < 20; delivery++) {
                String line = out.readLine();
                assertNotNull(line, "the child ended early");
                for (String id : line.split(" ")) {
                    answered.add(Long.parseLong(id));
                }
            }
            child.destroyForcibly(); // SIGKILL, while it accepts the next deliveries
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
        } finally {
            child.destroyForcibly();
        }
        store = SqliteStore.open(dir.resolve("state"));
        Set<Long> queued = new HashSet<>();
        for (long after = 0; ; ) {
            List<StoredTrigger> batch = store.queuedAfter(after, Bounds.MAX_LIMIT);
            if (batch.isEmpty()) {
                break;
            }
            batch.forEach(st -> queued.add(st.id()));
            after = batch.get(batch.size() - 1).id();
        }
        assertTrue(answered.size() >= 2000);
        assertTrue(queued.containsAll(answered), "every answered id is still queued");
        assertEquals(0, queued.size() % 100, "whole deliveries only: " + queued.size());
    }

    @Test
    void aDamagedRowGivesAClearError() throws Exception {
        long id = accept(WEB1);
        sql(db(), "UPDATE triggers SET host = 'bad host/name' WHERE id = " + id);
        StoreException e = assertThrows(StoreException.class, () -> store.queued(5));
        assertTrue(e.getMessage().contains("damaged row in table triggers (id " + id + ")"), e.getMessage());
        sql(db(), "UPDATE triggers SET host = 'web1', labels = '[1,2]' WHERE id = " + id);
        assertThrows(StoreException.class, () -> store.queued(5));
    }

    @Test
    void anotherWriterIsWaitedFor() throws Exception {
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement st = other.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO cooldowns (host, port, cooldown_key, until_at) VALUES ('web9', 5308, 'k', 0)");
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    st.execute("COMMIT");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            release.start();
            long id = accept(WEB1); // waits for the other writer (busy_timeout), does not fail
            release.join();
            assertTrue(System.nanoTime() - t0 >= 250_000_000L, "waited for the lock");
            assertEquals(List.of(id), store.queued(5).stream().map(StoredTrigger::id).toList());
        }
    }

    @Test
    void aRunIsSeenUnfinishedByTheNextProcessEvenWithoutAClose() {
        long a = accept(WEB1);
        long runId = store.startRun(WEB1, List.of(a), List.of(), List.of(), T0);
        // the process died: its connection was never closed; a new one opens the same file
        try (Store next = SqliteStore.open(dir.resolve("state"))) {
            assertEquals(List.of(runId), ids(next.unfinishedRuns()));
            next.requeueUnfinished(runId);
            assertEquals(List.of(a), next.queued(5).stream().map(StoredTrigger::id).toList());
        }
    }

    @Test
    void migrationFilesSplitIntoStatements() {
        assertEquals(List.of("CREATE TABLE a (x INT)", "CREATE INDEX i\n    ON a (x)"),
                Migrations.statements("-- comment\nCREATE TABLE a (x INT);\n\nCREATE INDEX i\n    ON a (x);\n"));
        assertThrows(StoreException.class, () -> Migrations.statements("CREATE TABLE a (x INT)"));
    }
}
