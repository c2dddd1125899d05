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
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this very JVM (another thread's run)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
        if (lock == null) {
            ch.close();
            return Optional.empty();
        }
        FileLock held = lock;
        return Optional.of(() -> {
            try {
                held.release();
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

    /**
     * True if a run holds the lock and it asks for the same thing (or we cannot tell what it asks for):
     * a repeat of the event. A run for other classes (another service of the host) does not count: the
     * new run waits for it instead of being lost.
     */
    boolean busyWith(String request) throws IOException {
        if (!busy()) {
            return false;
        }
        try {
            return Files.readString(dir.resolve(name + ".running"), StandardCharsets.UTF_8).equals(request);
        } catch (IOException e) {
            return true;
        }
    }

    /** Waits for the lock up to {@code maxWait}, then records what the run asks for. Empty on timeout. */
    Optional<Held> lock(Duration maxWait, String request) throws IOException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (true) {
            Optional<Held> h = tryLock();
            if (h.isPresent()) {
                Path running = dir.resolve(name + ".running");
                Files.writeString(running, request, StandardCharsets.UTF_8);
                Held inner = h.get();
                return Optional.of(() -> {
                    try {
                        Files.deleteIfExists(running);
                    } catch (IOException ignored) {
                        // a stale file only makes the next repeat check conservative
                    }
                    inner.close();
                });
            }
            if (System.nanoTime() - deadline >= 0) {
                return Optional.empty();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** How long ago the last run started, if one did. */
    Optional<Duration> sinceLastRun() {
        return sinceLastRun("");
    }

    /** How long ago the last run for this request started (the cooldown is per request: per repair). */
    Optional<Duration> sinceLastRun(String request) {
        try {
            String s = Files.readString(dir.resolve(name + stampSuffix(request)), StandardCharsets.US_ASCII).strip();
            return Optional.of(Duration.between(Instant.ofEpochMilli(Long.parseLong(s)), Instant.now()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    void markRunStarted() throws IOException {
        markRunStarted("");
    }

    void markRunStarted(String request) throws IOException {
        createDir();
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        Files.writeString(tmp, Long.toString(System.currentTimeMillis()), StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(name + stampSuffix(request)), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String stampSuffix(String request) {
        return request.isEmpty() ? ".last" : "." + Integer.toHexString(request.hashCode()) + ".last";
    }

    /** Creates the state directory if needed and checks that locks and stamps can be written there. */
    void prepare() throws IOException {
        createDir();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IOException(dir + " is not a writable directory");
        }
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
