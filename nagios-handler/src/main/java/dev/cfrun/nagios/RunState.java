package dev.cfrun.nagios;

import dev.cfrun.client.HostAddress;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Per-host state of the handler: a lock held for the whole remote run (SOFT handlers fire on every
 * recheck: a second event must not start a second run), and the time the last run started (for
 * {@code --cooldown}). Files in the state directory, named after the host and port; the lock is an
 * OS file lock, released by the kernel if the run dies.
 */
final class RunState {
    private final Path dir;
    private final String name;

    RunState(Path dir, HostAddress host) {
        this.dir = dir;
        this.name = host.host().replaceAll("[^A-Za-z0-9._-]", "_") + "_" + host.port();
    }

    /** A held lock: close to release. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Takes the host's lock, or returns empty if a run holds it. */
    Optional<Held> tryLock() throws IOException {
        createDir();
        FileChannel ch = FileChannel.open(dir.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
        if (lock == null) {
            ch.close();
            return Optional.empty();
        }
        return Optional.of(() -> {
            try {
                lock.release();
                ch.close();
            } catch (IOException ignored) {
                // the kernel releases it with the process anyway
            }
        });
    }

    /** True if a run holds the lock now (checked without keeping it). */
    boolean busy() throws IOException {
        Optional<Held> h = tryLock();
        h.ifPresent(Held::close);
        return h.isEmpty();
    }

    /** How long ago the last run started, if one did. */
    Optional<Duration> sinceLastRun() {
        try {
            String s = Files.readString(dir.resolve(name + ".last"), StandardCharsets.US_ASCII).strip();
            return Optional.of(Duration.between(Instant.ofEpochMilli(Long.parseLong(s)), Instant.now()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    void markRunStarted() throws IOException {
        createDir();
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        Files.writeString(tmp, Long.toString(System.currentTimeMillis()), StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(name + ".last"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void createDir() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX
            }
        }
    }
}
