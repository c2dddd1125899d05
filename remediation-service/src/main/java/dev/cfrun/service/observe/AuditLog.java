package dev.cfrun.service.observe;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.events.Suppression;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The append-only audit log: one JSON object per line ({@link AuditLines}) for each trigger accepted or repeated,
 * alert skipped or resolved, trigger suppressed, run started and run finished, linked by trigger and run ids and
 * carrying each alert's fingerprint and groupKey. The callers (HTTP threads, the dispatcher under its lock) only
 * format the line and hand it to a bounded queue; one writer thread of its own appends each line with one write
 * to a file opened with {@code O_APPEND} (created mode 0600), so lines of other writers are never interleaved.
 * <p>
 * Nothing is ever thrown into a caller: a write that fails loses that line, is logged once (until a write works
 * again) and counted ({@link #lostToErrors()}); the next line reopens the file and tries again. A full queue (the
 * disk far behind) loses the line and counts it ({@link #lostToFullQueue()}). {@link #reopen()} makes the writer
 * close and reopen the file before its next line (logrotate: SIGHUP after renaming).
 */
public final class AuditLog implements ServiceEvents, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    /** Lines waiting for the writer at most; more are lost and counted. */
    public static final int QUEUE = 16_384;
    private static final Object STOP = new Object();
    private static final Object WAKE = new Object();

    private final Path file;
    private final AuditLines lines;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicBoolean reopen = new AtomicBoolean();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lostIo = new AtomicLong();
    private final AtomicLong lostFull = new AtomicLong();
    private final AtomicBoolean warnedFull = new AtomicBoolean();
    private final Thread writer;
    private FileChannel channel; // the writer thread's
    private boolean failing;     // the writer thread's
    private volatile boolean closed;

    private AuditLog(Path file, Clock clock, FileChannel channel) {
        this.file = file;
        this.lines = new AuditLines(clock);
        this.channel = channel;
        this.writer = new Thread(this::writeLoop, "cfrun-audit-log");
        writer.setDaemon(true);
    }

    /**
     * Opens (creating it 0600 if missing) the file for appending and starts the writer thread.
     *
     * @param file  the audit log
     * @param clock the time of each line
     * @return the audit log
     * @throws IOException if the file cannot be opened now (later failures are only logged and counted)
     */
    public static AuditLog open(Path file, Clock clock) throws IOException {
        Objects.requireNonNull(clock, "clock");
        AuditLog log = new AuditLog(Objects.requireNonNull(file, "file"), clock, openChannel(file));
        log.writer.start();
        return log;
    }

    private static FileChannel openChannel(Path file) throws IOException {
        Set<StandardOpenOption> opts = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            FileAttribute<?> mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            return FileChannel.open(file, opts, mode);
        }
        return FileChannel.open(file, opts);
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return lines written since the start */
    public long linesWritten() {
        return written.get();
    }

    /** @return lines lost because a write (or reopening the file) failed */
    public long lostToErrors() {
        return lostIo.get();
    }

    /** @return lines lost because {@link #QUEUE} lines were already waiting */
    public long lostToFullQueue() {
        return lostFull.get();
    }

    /** Closes and reopens the file before the next line (after logrotate renamed it); never blocks. */
    public void reopen() {
        reopen.set(true);
        queue.offer(WAKE);
    }

    /**
     * Waits until the lines handed over before this call are written (or lost).
     *
     * @param timeout how long at most
     * @return true if they were, false on timeout or if the log is closed
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed && !queue.offer(done, 10, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
        }
        return !closed && done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Writes what is queued (up to 5 seconds), then closes the file; later events are ignored. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (queue.offer(STOP, 5, TimeUnit.SECONDS)) {
                writer.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }

    private void enqueue(byte[] line) {
        if (closed) {
            return;
        }
        if (!queue.offer(line)) {
            lostFull.incrementAndGet();
            if (warnedFull.compareAndSet(false, true)) {
                LOG.warn("audit log {}: {} lines waiting, further lines are lost until it catches up "
                        + "(cfrun_service_audit_log_lost_total)", file, QUEUE);
            }
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                Object item = queue.take();
                if (item == STOP) {
                    break;
                }
                if (item instanceof CountDownLatch done) {
                    done.countDown();
                } else if (item instanceof byte[] line) {
                    write(line);
                } else if (reopen.getAndSet(false)) {
                    closeChannel(); // opened again by the next line
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeChannel();
        }
    }

    /** On the writer thread: one line, one write call (O_APPEND); a failure is counted and logged once. */
    private void write(byte[] line) {
        if (reopen.getAndSet(false)) {
            closeChannel();
        }
        try {
            if (channel == null) {
                channel = openChannel(file);
            }
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            written.incrementAndGet();
            warnedFull.set(false);
            if (failing) {
                failing = false;
                LOG.info("audit log {} written again ({} line(s) lost so far)", file, lostIo.get());
            }
        } catch (IOException | RuntimeException e) {
            lostIo.incrementAndGet();
            if (!failing) {
                failing = true;
                LOG.error("audit log {}: {}; lines are lost (cfrun_service_audit_log_lost_total) until a write "
                        + "works again", file, e.toString().replaceAll("[\\r\\n]+", " "));
            }
            closeChannel();
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing audit log {}: {}", file, e.toString());
            }
            channel = null;
        }
    }

    @Override
    public void accepted(long triggerId, Trigger trigger) {
        enqueue(lines.trigger("accepted", triggerId, trigger));
    }

    @Override
    public void duplicate(long triggerId, Trigger trigger) {
        enqueue(lines.trigger("duplicate", triggerId, trigger));
    }

    @Override
    public void skipped(String fingerprint, String groupKey, Map<String, String> labels, String reason) {
        enqueue(lines.alert("skipped", fingerprint, groupKey, labels, reason));
    }

    @Override
    public void resolved(String fingerprint, String groupKey, Map<String, String> labels) {
        enqueue(lines.alert("resolved", fingerprint, groupKey, labels, null));
    }

    @Override
    public void suppressed(StoredTrigger trigger, Suppression why, String reason) {
        enqueue(lines.suppressed(trigger, why, reason));
    }

    @Override
    public void runStarted(long runId, HostAddress host, List<StoredTrigger> triggers, List<String> classes,
                           List<String> bundles, boolean dryRun) {
        enqueue(lines.runStarted(runId, host, triggers, classes, bundles, dryRun));
    }

    @Override
    public void runFinished(long runId, HostAddress host, List<StoredTrigger> triggers, RunOutcome outcome,
                            Duration took) {
        enqueue(lines.runFinished(runId, host, triggers, outcome, took));
    }
}
