package dev.cfrun.service;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system's own tools from tests (openssl, curl, systemd-analyze), which skip where a tool is absent. */
public final class TestCommands {
    private TestCommands() {
    }

    /**
     * @param command a command name
     * @return whether it is an executable on {@code PATH}
     */
    public static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a command did.
     *
     * @param exit   its exit status
     * @param output its standard output and error, stripped
     */
    public record Result(int exit, String output) {
        @Override
        public String toString() {
            return "exit " + exit + ": " + output;
        }
    }

    /**
     * Runs a command to its end (at most a minute).
     *
     * @param dir     its working directory
     * @param command the command and its arguments
     * @return its exit status and output
     */
    public static Result run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + ": still running after a minute");
        }
        return new Result(p.exitValue(), out.strip());
    }
}
