package dev.cfrun.nagios;

import dev.cfrun.client.HostAddress;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A second process for lock tests: takes the host's lock in a state dir, prints "locked" (or "busy"), and keeps
 * it until its stdin ends (the test closes it, or dies) or 60 s pass.
 * Usage: LockHolder STATE_DIR HOST PORT
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        RunState state = new RunState(Path.of(args[0]), HostAddress.of(args[1], Integer.parseInt(args[2])));
        Optional<RunState.Held> held = state.tryLock();
        System.out.println(held.isPresent() ? "locked" : "busy");
        System.out.flush();
        if (held.isEmpty()) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // until EOF
                }
            } catch (java.io.IOException ignored) {
                // parent gone
            }
        });
        t.setDaemon(true);
        t.start();
        t.join(60_000);
        held.get().close();
    }

    /** Starts a holder; returns once it printed its verdict. */
    static Child start(Path stateDir, HostAddress host) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), stateDir.toString(), host.host(), Integer.toString(host.port()));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        String verdict = r.readLine();
        return new Child(p, verdict);
    }

    /** A running holder: {@link #close()} kills it (SIGKILL) and waits for it. */
    record Child(Process process, String verdict) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        }

        /** Ends it the gentle way: stdin closed, it releases the lock and exits. */
        void release() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("the lock holder did not exit");
            }
        }
    }
}
