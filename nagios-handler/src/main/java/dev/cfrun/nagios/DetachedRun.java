package dev.cfrun.nagios;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The event handler's detached run: a second JVM in its own session, with the launcher's options and archive. */
final class DetachedRun {
    private DetachedRun() {
    }

    /**
     * Starts this handler again as the detached run: its own session, no stdio. {@code setsid --fork} starts it
     * and returns at once, so the run is not our child: a JVM that exits while one of its children is still
     * running waits up to 300 ms for the JDK's process reaper (blocked in waitpid) before it is allowed to
     * exit, and that was most of the time Nagios waited for this handler.
     */
    static void start(String[] args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        boolean forks = Files.isExecutable(setsid);
        if (forks) {
            cmd.add(setsid.toString());
            cmd.add("--fork");
        }
        cmd.add(java);
        cmd.addAll(childJvmOptions());
        String javaOpts = System.getenv("JAVA_OPTS"); // as the launcher passed them to us
        if (javaOpts != null && !javaOpts.isBlank()) {
            cmd.addAll(Arrays.asList(javaOpts.strip().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EventHandler.class.getName());
        cmd.add("--detached-run");
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (forks) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("setsid --fork did not start it (" + (p.isAlive() ? "still running after 5 s"
                            : "exit " + p.exitValue()) + ")");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The JVM options of the detached run: the launcher's (bin/lib/launch.sh passes them, and the
     * class-data-sharing archive it used for this jar, as system properties), else short-lived defaults.
     */
    static List<String> childJvmOptions() {
        List<String> opts = new ArrayList<>();
        String launcher = System.getProperty("cfrun.jvm.options");
        if (launcher != null && !launcher.isBlank()) {
            opts.addAll(Arrays.asList(launcher.strip().split("\\s+")));
            opts.add("-Dcfrun.jvm.options=" + launcher);
        } else {
            opts.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xshare:auto",
                    "-Xss512k"));
        }
        String cds = System.getProperty("cfrun.cds");
        if (cds != null && Files.isRegularFile(Path.of(cds))) {
            opts.addAll(List.of("-XX:SharedArchiveFile=" + cds, "-Xlog:cds=off,cds+dynamic=off", "-Dcfrun.cds=" + cds));
        }
        return opts;
    }
}
