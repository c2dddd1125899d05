package dev.cfrun.nagios;

import dev.cfrun.client.HostAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-host lock (an OS file lock, checked from a second process) and the cooldown stamp. */
class RunStateTest {
    private static final HostAddress WEB = HostAddress.of("192.0.2.10", 5308);

    @TempDir
    Path dir;

    @Test
    void aLockHeldByAnotherProcessExcludesUsUntilItIsReleased() throws Exception {
        Path stateDir = dir.resolve("state");
        RunState state = new RunState(stateDir, WEB);
        assertFalse(state.busy(), "nobody holds it yet");
        try (LockHolder.Child other = LockHolder.start(stateDir, WEB)) {
            assertEquals("locked", other.verdict());
            assertTrue(state.busy());
            assertTrue(state.tryLock().isEmpty(), "a second holder is refused");
            assertTrue(state.busy(), "asking did not take it away");
            other.release();
        }
        assertFalse(state.busy(), "released when the holder closed it");
        Optional<RunState.Held> mine = state.tryLock();
        assertTrue(mine.isPresent());
        try (LockHolder.Child other = LockHolder.start(stateDir, WEB)) {
            assertEquals("busy", other.verdict(), "and now we exclude the other process");
        } finally {
            mine.get().close();
        }
        try (LockHolder.Child other = LockHolder.start(stateDir, WEB)) {
            assertEquals("locked", other.verdict(), "our close() released it");
        }
    }

    @Test
    void theLockIsReleasedWhenTheHolderIsKilled() throws Exception {
        Path stateDir = dir.resolve("state");
        RunState state = new RunState(stateDir, WEB);
        LockHolder.Child other = LockHolder.start(stateDir, WEB);
        assertEquals("locked", other.verdict());
        assertTrue(state.busy());
        other.process().destroyForcibly(); // SIGKILL: no chance to release it itself
        assertTrue(other.process().waitFor(20, TimeUnit.SECONDS));
        assertFalse(state.busy(), "the kernel released the lock of the dead process");
        assertTrue(Files.exists(stateDir.resolve("192.0.2.10_5308.lock")), "the lock file stays; only the lock goes");
    }

    @Test
    void locksArePerHostAndPort() throws Exception {
        Path stateDir = dir.resolve("state");
        try (LockHolder.Child other = LockHolder.start(stateDir, WEB)) {
            assertEquals("locked", other.verdict());
            assertTrue(new RunState(stateDir, WEB).busy());
            assertFalse(new RunState(stateDir, HostAddress.of("192.0.2.10", 5309)).busy(), "other port");
            assertFalse(new RunState(stateDir, HostAddress.of("192.0.2.11", 5308)).busy(), "other host");
            assertFalse(new RunState(dir.resolve("other-state"), WEB).busy(), "other state dir");
        }
    }

    @Test
    void hostileHostNamesStayInsideTheStateDir() throws Exception {
        Path stateDir = dir.resolve("state");
        RunState s = new RunState(stateDir, HostAddress.of("::1", 5308));
        try (RunState.Held h = s.tryLock().orElseThrow()) {
            s.markRunStarted();
        }
        try (var files = Files.list(stateDir)) {
            assertTrue(files.allMatch(f -> f.getFileName().toString().matches("[A-Za-z0-9._-]+")));
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing outside the state dir");
        }
    }

    @Test
    void cooldownStamp() throws Exception {
        Path stateDir = dir.resolve("state");
        RunState state = new RunState(stateDir, WEB);
        assertTrue(state.sinceLastRun().isEmpty(), "no run yet");
        long before = System.currentTimeMillis();
        state.markRunStarted();
        Duration since = state.sinceLastRun().orElseThrow();
        assertFalse(since.isNegative());
        assertTrue(since.compareTo(Duration.ofSeconds(10)) < 0, since.toString());
        long stamp = Long.parseLong(Files.readString(stateDir.resolve("192.0.2.10_5308.last")).strip());
        assertTrue(stamp >= before && stamp <= System.currentTimeMillis(), "milliseconds since the epoch: " + stamp);

        // an older stamp reads as older
        Files.writeString(stateDir.resolve("192.0.2.10_5308.last"), Long.toString(System.currentTimeMillis() - 3_600_000));
        Duration hour = state.sinceLastRun().orElseThrow();
        assertTrue(hour.compareTo(Duration.ofMinutes(59)) > 0 && hour.compareTo(Duration.ofMinutes(61)) < 0, hour.toString());

        assertTrue(new RunState(stateDir, HostAddress.of("192.0.2.10", 5309)).sinceLastRun().isEmpty(), "per host and port");

        Files.writeString(stateDir.resolve("192.0.2.10_5308.last"), "garbage");
        assertTrue(state.sinceLastRun().isEmpty(), "an unreadable stamp is no stamp");

        state.markRunStarted();
        assertTrue(state.sinceLastRun().isPresent(), "replaced");
        try (var files = Files.list(stateDir)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void theStateDirIsCreatedPrivate() throws Exception {
        Path stateDir = dir.resolve("a/b/state");
        RunState state = new RunState(stateDir, WEB);
        try (RunState.Held h = state.tryLock().orElseThrow()) {
            assertTrue(Files.isDirectory(stateDir));
        }
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(stateDir));

        Path other = dir.resolve("stamp-first");
        new RunState(other, WEB).markRunStarted();
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(other));
    }

    @Test
    void anExistingStateDirIsLeftAsItIs() throws Exception {
        Path stateDir = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwxr-x---"));
        new RunState(stateDir, WEB).markRunStarted();
        assertEquals(PosixFilePermissions.fromString("rwxr-x---"), Files.getPosixFilePermissions(stateDir),
                "the admin's choice is kept");
    }
}
