package dev.cfrun.nagios.startup;

import dev.cfrun.nagios.CheckCfServerd;
import dev.cfrun.nagios.EventHandler;
import dev.cfrun.startup.TrainingServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run behind the class-data-sharing archive of {@code cfrun-nagios.jar}, built at package
 * time ({@code bin/lib/cds.sh train JAVA cfrun-nagios.jar dev.cfrun.nagios.startup.HandlerTraining}): the event
 * handler deciding, acting in the foreground (with the re-check through a command pipe it reads itself) and
 * detached (the detached child is a second JVM, as under Nagios), and check_cfserverd, against a {@link TrainingServer} on loopback. Talks to nothing but itself; leaves nothing behind.
 */
public final class HandlerTraining {
    private HandlerTraining() {
    }

    /** The build's entry point: exits 1 (and says which) when a run did not end as expected. */
    public static void main(String[] args) throws Exception {
        List<String> failed = run();
        if (!failed.isEmpty()) {
            System.err.println("cds training: unexpected results: " + failed);
            System.exit(1);
        }
    }

    /** Runs the training; returns what did not end as expected (empty: all went well). */
    public static List<String> run() throws Exception {
        Path dir = Files.createTempDirectory("cfrun-nagios-cds-training");
        try (TrainingServer server = new TrainingServer()) {
            Path wd = server.clientWorkdir(dir.resolve("work"));
            Path log = dir.resolve("handler.log");
            List<String> failed = new ArrayList<>();
            PrintStream none = new PrintStream(OutputStream.nullOutputStream());
            List<String> common = List.of("--workdir", wd.toString(), "--log", log.toString(), "--service", "HTTP",
                    "--hostname", "web", "-D", "nagios_${service}_${state}", "--max-time", "60");
            // --wait with the re-check through a command pipe we read ourselves, as Nagios would
            Path fifo = dir.resolve("nagios.cmd");
            Thread nagios = fifo(fifo);
            List<String> recheck = nagios == null ? List.of() : List.of("--command-file", fifo.toString());
            expect(0, failed, EventHandler.run(args(common, recheck.toArray(), "--port", server.tlsPort(), "--wait",
                    "CRITICAL", "HARD", "3", "127.0.0.1"), none, none), "handler --wait tls");
            if (nagios != null) {
                nagios.join(10_000);
                if (!Files.readString(log, StandardCharsets.UTF_8).contains(" verify=scheduled")) {
                    failed.add("handler --wait --command-file: no verify=scheduled");
                }
            }
            expect(0, failed, EventHandler.run(args(common, "--port", server.classicPort(), "--protocol", "classic",
                    "--wait", "CRITICAL", "SOFT", "3", "127.0.0.1"), none, none), "handler --wait classic");
            expect(0, failed, EventHandler.run(args(common, "--port", server.tlsPort(), "OK", "HARD", "1", "127.0.0.1"),
                    none, none), "handler, nothing to do");
            // detached, as under Nagios: a second JVM (not archived) runs it; wait for its result line
            expect(0, failed, EventHandler.run(args(common, "--port", server.tlsPort(), "CRITICAL", "HARD", "1",
                    "127.0.0.1"), none, none), "handler detached");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (Files.readString(log, StandardCharsets.UTF_8).lines().filter(l -> l.contains("event=result")).count() < 3
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            expect(0, failed, CheckCfServerd.run(new String[] {"-H", "127.0.0.1:" + server.tlsPort(), "--workdir",
                wd.toString()}, none), "check_cfserverd");
            return failed;
        } finally {
            TrainingServer.deleteTree(dir);
        }
    }

    private static String[] args(List<String> common, Object... more) {
        List<String> a = new ArrayList<>(common);
        for (Object m : more) {
            if (m instanceof Object[] several) {
                for (Object x : several) {
                    a.add(String.valueOf(x));
                }
            } else {
                a.add(String.valueOf(m));
            }
        }
        return a.toArray(new String[0]);
    }

    /** A FIFO at {@code file} and a daemon thread reading it until EOF; null (no re-check trained) without mkfifo. */
    private static Thread fifo(Path file) {
        try {
            Process p = new ProcessBuilder("mkfifo", file.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        Thread t = new Thread(() -> {
            try (InputStream in = Files.newInputStream(file)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the handler then logs verify=unavailable: training goes on
            }
        }, "training-nagios-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void expect(int code, List<String> failed, int rc, String what) {
        if (rc != code) {
            failed.add(what + " -> " + rc);
        }
    }
}
