package dev.cfrun.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A long-running program a test starts (Prometheus, Alertmanager, webhook, the service …): a child of the test,
 * stdin from /dev/null, stdout and stderr appended to its own log file; {@link #close()} stops it by PID
 * (SIGTERM, SIGKILL after the grace) together with every process it was seen to start.
 */
final class Daemon implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final List<ProcessHandle> known = new ArrayList<>();

    private Daemon(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the program.
     *
     * @param name for messages
     * @param cmd  the command line
     * @param env  added to the test's environment
     * @param log  where its output goes (appended)
     */
    static Daemon start(String name, List<String> cmd, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            pb.directory(log.getParent().toFile());
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            return new Daemon(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the program listens on the TCP port (seen in /proc, no probe connection); fails with its log. */
    Daemon awaitListening(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Listening.isListening(port, process.pid())) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not listen on port " + port + " within " + timeout + " (alive="
                        + process.isAlive() + ")\n" + tail(40));
            }
            Nagios.sleep(20);
        }
        known.addAll(process.descendants().toList());
        return this;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** The last lines of its log. */
    String tail(int lines) {
        return "--- " + name + " (" + log.getFileName() + ", end)\n" + Nagios.tail(SelfHealingLab.read(log), lines);
    }

    /** SIGKILL, as a crash: no shutdown hook runs. Waits until it is gone. */
    void kill() {
        known.addAll(process.descendants().toList());
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not die of SIGKILL within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        Processes.stop(process, known, Duration.ofSeconds(10));
    }
}
