package dev.cfrun.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds and kills, by PID, the processes a test started that outlived their parents: detached handler runs,
 * web servers started by an agent, cf-agent runs. A process is the test's when its command line or its
 * environment mentions the test's own directory (every program the test starts is given paths under it, and
 * cf-serverd's children inherit its CFENGINE_TEST_OVERRIDE_WORKDIR).
 */
final class Processes {
    private Processes() {
    }

    /** "pid cmdline" of every process (but this JVM and its ancestors) whose command line or environment contains the marker. */
    static List<String> mentioning(String marker) {
        List<String> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        List<Long> ancestors = new ArrayList<>();
        for (ProcessHandle p = ProcessHandle.current(); p != null; p = p.parent().orElse(null)) {
            ancestors.add(p.pid());
        }
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid == self || ancestors.contains(pid)) {
                    continue;
                }
                String cmd = read(p.resolve("cmdline"));
                if (cmd.contains(marker) || read(p.resolve("environ")).contains(marker)) {
                    out.add(pid + " " + cmd.replace('\0', ' ').strip());
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return out;
    }

    /** SIGKILLs every process {@link #mentioning} the marker (zombies are left to their parent); returns what it found. */
    static List<String> killAllMentioning(String marker) {
        List<String> found = mentioning(marker);
        for (String f : found) {
            ProcessHandle.of(Long.parseLong(f.substring(0, f.indexOf(' ')))).ifPresent(ProcessHandle::destroyForcibly);
        }
        return found;
    }

    /**
     * Stops a daemon the test started: SIGTERM, SIGKILL after {@code grace}; then SIGKILL to every process it
     * was seen to have started ({@code known}, with what the daemon has now) and to their descendants.
     */
    static void stop(Process process, List<ProcessHandle> known, Duration grace) {
        if (process.isAlive()) {
            known.addAll(process.descendants().toList());
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                known.addAll(process.descendants().toList());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : known) {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        }
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
