package dev.cfrun.cli;

import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs {@code cfrun} in process ({@link Main#run}) with captured streams, and prepares client work dirs
 * holding a key pair (generated once per JVM, then copied: 2048-bit generation is slow).
 */
final class CliHarness {
    private CliHarness() {
    }

    /** What one cfrun invocation printed and returned. */
    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
        }

        List<String> outLines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    /** A live view of stdout while cfrun runs (fakes can wait for a host's output to appear). */
    static final class Capture {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        String outSoFar() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    static Result run(String... args) {
        return runWithInput("", new Capture(), args);
    }

    static Result runWithInput(String stdin, String... args) {
        return runWithInput(stdin, new Capture(), args);
    }

    static Result runWithInput(String stdin, Capture c, String... args) {
        PrintStream out = new PrintStream(c.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(c.err, true, StandardCharsets.UTF_8);
        int exit = Main.run(args, out, err, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        out.flush();
        err.flush();
        return new Result(exit, c.out.toString(StandardCharsets.UTF_8), c.err.toString(StandardCharsets.UTF_8));
    }

    static String[] args(Object... parts) {
        List<String> a = new ArrayList<>();
        flatten(parts, a);
        return a.toArray(new String[0]);
    }

    private static void flatten(Object p, List<String> into) {
        if (p instanceof Object[] arr) {
            for (Object x : arr) {
                flatten(x, into);
            }
        } else if (p instanceof List<?> l) {
            for (Object x : l) {
                flatten(x, into);
            }
        } else {
            into.add(p.toString());
        }
    }

    /** A client work dir under {@code dir} with ppkeys/ (0700) holding our key pair (0600). */
    static Path workdir(Path dir) {
        return dev.cfrun.fakeserver.TestKeys.workdir(dir);
    }

    static ClientIdentity identity(Path workdir) {
        try {
            return KeyFiles.loadFromWorkdir(workdir);
        } catch (KeyFileException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file in ppkeys with its content. */
    static Map<String, String> ppkeys(Path workdir) {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(KeyFiles.ppkeys(workdir))) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** {@code cf-key -t}: trust a server key as {@code ppkeys/root-MD5=….pub}. */
    static void trustKeyFile(Path workdir, java.security.interfaces.RSAPublicKey key) {
        try {
            Path f = KeyFiles.ppkeys(workdir).resolve("root-" + dev.cfrun.client.keys.KeyDigest.md5(key) + ".pub");
            Files.writeString(f, dev.cfrun.client.internal.keys.RsaKeys.writePublic(key), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name cfrun files a trusted server key under: {@code <local user>-MD5=….pub}. */
    static String trustedKeyFile(String digest) {
        String u = System.getProperty("user.name");
        return (u == null || u.isBlank() ? "root" : u) + "-" + digest + ".pub";
    }

    /** A port on 127.0.0.1 with nothing listening (connections are refused at once). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
