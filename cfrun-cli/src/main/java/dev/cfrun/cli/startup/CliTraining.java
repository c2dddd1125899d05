package dev.cfrun.cli.startup;

import dev.cfrun.cli.ExitCodes;
import dev.cfrun.cli.Main;
import dev.cfrun.startup.TrainingServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind the class-data-sharing archive of {@code cfrun.jar}, built at package time
 * ({@code bin/lib/cds.sh train}:
 * {@code java -XX:ArchiveClassesAtExit=… -cp cfrun.jar dev.cfrun.cli.startup.CliTraining}).
 * Runs the command lines a user runs — TLS and classic, one host and a fan-out, text and JSON, an
 * unreachable host, help and version — in process against a {@link TrainingServer} on loopback, so that
 * the archive holds the classes those runs load. Talks to nothing but itself; leaves nothing behind.
 */
public final class CliTraining {
    private CliTraining() {
    }

    /** The build's entry point: exits 1 (and says which) when a command line did not end as expected. */
    public static void main(String[] args) throws Exception {
        List<String> failed = run();
        if (!failed.isEmpty()) {
            System.err.println("cds training: unexpected exit codes: " + failed);
            System.exit(1);
        }
    }

    /** Runs the training command lines; returns those that did not end as expected (empty: all went well). */
    public static List<String> run() throws Exception {
        Path dir = Files.createTempDirectory("cfrun-cds-training");
        try (TrainingServer server = new TrainingServer()) {
            Path wd = server.clientWorkdir(dir.resolve("work"));
            String tls = "127.0.0.1:" + server.tlsPort();
            String classic = "127.0.0.1:" + server.classicPort();
            Path hosts = dir.resolve("cfrun.hosts");
            Files.writeString(hosts, "# training\nmaxchild = 2\n" + tls + "\n" + tls + " -D training\n");
            String w = wd.toString();
            List<String> failed = new ArrayList<>();
            expect(0, failed, "--workdir", w, "-H", tls);
            expect(0, failed, "--workdir", w, "-H", classic, "--protocol", "classic");
            expect(0, failed, "--workdir", w, "-H", tls, "-D", "training_class", "--remote-bundles", "main", "-s", "linux");
            expect(0, failed, "--workdir", w, "-f", hosts.toString(), "-b", "2", "--sorted");
            expect(0, failed, "--workdir", w, "-H", tls + "," + classic, "--protocol", "auto", "--format", "json", "-q");
            expect(ExitCodes.NO_EXIT_CODE, failed, "--workdir", w, "-H", "127.0.0.1:" + closedPort(), "-t", "5");
            expect(0, failed, "--help");
            expect(0, failed, "--version");
            return failed;
        } finally {
            TrainingServer.deleteTree(dir);
        }
    }

    private static void expect(int code, List<String> failed, String... args) {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        int rc = Main.run(args, none, none, InputStream.nullInputStream());
        if (rc != code) {
            failed.add(String.join(" ", args) + " -> " + rc);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
