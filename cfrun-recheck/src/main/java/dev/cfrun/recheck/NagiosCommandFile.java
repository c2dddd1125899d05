package dev.cfrun.recheck;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Nagios / Naemon external commands: writes {@code [<now>] SCHEDULE_FORCED_SVC_CHECK;<host>;<service>;<now>}
 * (or {@code SCHEDULE_FORCED_HOST_CHECK;<host>;<now>}) to the command pipe ({@code command_file} in nagios.cfg,
 * read when {@code check_external_commands=1}). Immutable; safe for concurrent use.
 *
 * <p>Never hangs: Java cannot open a FIFO with {@code O_NONBLOCK}, and a blocking {@code open(O_WRONLY)} of a
 * FIFO nobody reads waits forever. The open and the write run on a daemon thread that is waited for at most
 * the open timeout. If the open is still stuck then, the pipe has no reader: we open it ourselves read-write
 * (on Linux that never blocks on a FIFO, unlike a read-only open, which would block if the stuck writer gave
 * up at the same moment), which completes the stuck open; the thread then sees it was abandoned and closes
 * without writing. A write stuck on a full pipe (Nagios not reading) is ended by closing the channel. The
 * line is written with one {@code write()}: it is shorter than {@code PIPE_BUF}, so the kernel never mixes it
 * with another writer's line.
 */
public final class NagiosCommandFile implements Recheck {
    /** How long the open and write may take by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** POSIX guarantees atomic pipe writes up to PIPE_BUF, at least 512 bytes. */
    private static final int PIPE_BUF = 512;
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final Logger LOG = LoggerFactory.getLogger(NagiosCommandFile.class);

    private final Path file;
    private final Clock clock;
    private final Duration timeout;
    private final Predicate<Path> writable;

    /** The command pipe {@code file}, the system clock and {@link #DEFAULT_TIMEOUT}. */
    public NagiosCommandFile(Path file) {
        this(file, Clock.systemUTC(), DEFAULT_TIMEOUT);
    }

    /**
     * @param file    Nagios' {@code command_file}, e.g. {@code /var/lib/nagios4/rw/nagios.cmd}
     * @param clock   the time written into the command
     * @param timeout how long opening and writing the pipe may take (positive)
     */
    public NagiosCommandFile(Path file, Clock clock, Duration timeout) {
        this(file, clock, timeout, Files::isWritable);
    }

    /** As above, with the access check given (tests: root may write any file, so they pass the answer). */
    NagiosCommandFile(Path file, Clock clock, Duration timeout, Predicate<Path> writable) {
        this.writable = Objects.requireNonNull(writable, "writable");
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the command file timeout must be positive: " + timeout);
        }
    }

    /** The command pipe. */
    public Path file() {
        return file;
    }

    /**
     * The external command for {@code target} at {@code now}, with its trailing newline.
     *
     * @throws IllegalArgumentException if a name contains ';' (the command's field separator) or is empty
     */
    public static String line(Target target, Instant now) {
        long t = now.getEpochSecond();
        refuseSeparator("host", target.host());
        if (target.isHostCheck()) {
            return "[" + t + "] SCHEDULE_FORCED_HOST_CHECK;" + target.host() + ";" + t + "\n";
        }
        refuseSeparator("service", target.service());
        return "[" + t + "] SCHEDULE_FORCED_SVC_CHECK;" + target.host() + ";" + target.service() + ";" + t + "\n";
    }

    /** Refuses names Nagios' command syntax cannot carry (';'). */
    @Override
    public void validate(Target target) {
        line(target, Instant.EPOCH);
    }

    @Override
    public Outcome request(Target target) {
        byte[] bytes;
        try {
            bytes = line(target, clock.instant()).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Outcome.unavailable(e.getMessage());
        }
        if (bytes.length > PIPE_BUF) {
            return Outcome.unavailable("the command for " + target + " is longer than " + PIPE_BUF
                    + " bytes and could mix with other writers' commands");
        }
        String notAPipe = notAPipe();
        if (notAPipe != null) {
            return Outcome.unavailable(notAPipe);
        }
        if (!writable.test(file)) {
            return Outcome.unavailable(permissionDenied());
        }
        Outcome o = write(bytes);
        LOG.debug("command file {}: {} for {}", file, o, target);
        return o;
    }

    /** Null when {@link #file} is a FIFO, else why not. */
    private String notAPipe() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            boolean fifo = a.isOther();
            try {
                fifo = ((Integer) Files.getAttribute(file, "unix:mode") & S_IFMT) == S_IFIFO;
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // no unix view: isOther() is the best we know
            }
            if (fifo) {
                return null;
            }
            return "command file " + file + " is " + (a.isRegularFile() ? "a regular file" : a.isDirectory()
                    ? "a directory" : "not a named pipe") + ", not Nagios' command pipe (is Nagios running with"
                    + " check_external_commands=1, and is this its command_file?)";
        } catch (NoSuchFileException e) {
            return "command file " + file + " does not exist (is Nagios running with check_external_commands=1,"
                    + " and is this its command_file?)";
        } catch (AccessDeniedException e) {
            return permissionDenied();
        } catch (IOException e) {
            return "command file " + file + ": " + e.getMessage();
        }
    }

    private String permissionDenied() {
        return "permission denied: the user running the handler (" + System.getProperty("user.name")
                + ") needs write access to " + file + " (Nagios' command group)";
    }

    private String noReader() {
        return "command file " + file + " has no reader (is Nagios running with check_external_commands=1?)";
    }

    private Outcome write(byte[] bytes) {
        AtomicReference<FileChannel> opened = new AtomicReference<>();
        AtomicReference<Outcome> result = new AtomicReference<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                opened.set(ch);
                if (abandoned.get()) {
                    return; // our own read-write open freed us: nobody else reads, write nothing
                }
                int n = ch.write(ByteBuffer.wrap(bytes)); // one write(): < PIPE_BUF, atomic
                result.set(n == bytes.length ? Outcome.scheduled()
                        : Outcome.unavailable("short write to " + file + ": " + n + " of " + bytes.length + " bytes"));
            } catch (AccessDeniedException e) {
                result.set(Outcome.unavailable(permissionDenied()));
            } catch (IOException e) {
                result.set(Outcome.unavailable("cannot write the command file " + file + ": " + e));
            } finally {
                done.countDown();
            }
        }, "cfrun-recheck-command-file");
        t.setDaemon(true);
        t.start();
        try {
            if (done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return result.get();
            }
            abandoned.set(true);
            FileChannel ch = opened.get();
            String reason;
            if (ch == null) {
                reason = noReader();
                unblockOpen();
            } else {
                reason = "command file " + file + " is full: Nagios is not reading its commands (no answer within "
                        + seconds() + ")";
                ch.close(); // ends the blocked write
            }
            if (!done.await(1, TimeUnit.SECONDS)) {
                LOG.warn("command file {}: the writer thread is still blocked", file);
            }
            return Outcome.unavailable(reason);
        } catch (InterruptedException e) {
            abandoned.set(true);
            Thread.currentThread().interrupt();
            return Outcome.unavailable("interrupted while writing the command file " + file);
        } catch (IOException e) {
            return Outcome.unavailable("cannot write the command file " + file + ": " + e);
        }
    }

    /** Completes the writer's stuck open by being the reader ourselves for a moment. */
    private void unblockOpen() {
        try {
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            LOG.warn("command file {}: cannot open it to free the writer thread: {}", file, e.toString());
        }
    }

    private String seconds() {
        return timeout.toMillis() / 1000.0 + " s";
    }

    private static void refuseSeparator(String what, String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " name for the Nagios re-check is empty");
        }
        if (name.indexOf(';') >= 0) {
            throw new IllegalArgumentException("the " + what + " name '" + name + "' contains ';', which Nagios'"
                    + " external commands use as the field separator: it cannot be re-checked through the command file");
        }
    }
}
