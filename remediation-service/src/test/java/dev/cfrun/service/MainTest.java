package dev.cfrun.service;

import dev.cfrun.service.http.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** @return what went to stderr, checked to be {@code count} lines, each with the program's name */
    private String errorLines(int count) {
        String e = err();
        assertEquals(count, e.lines().count(), e);
        assertTrue(e.lines().allMatch(l -> l.startsWith("cfrun-service: ")), e);
        return e;
    }

    private Path token(String perms) throws Exception {
        Path f = dir.resolve("token-" + perms);
        Files.writeString(f, "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void helpShowsTheReceiverExample() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("credentials_file: /etc/cfrun/token"), help);
        assertTrue(help.contains("--token-file"), help);
    }

    @Test
    void badOptionsAreOneLineErrorsWithStatus2() throws Exception {
        String t = token("rw-------").toString();
        String s = dir.toString();
        assertEquals(2, run("--bogus"));
        assertEquals(2, run("--state", s));
        assertEquals(2, run("--token-file", t));
        assertEquals(2, run("--token-file", t, "--state"));
        assertEquals(2, run("--token-file", t, "--state", s, "--listen", "nohostport"));
        assertEquals(2, run("--token-file", t, "--state", s, "--listen", "127.0.0.1:70000"));
        assertEquals(2, run("--token-file", t, "--state", s, "--listen", "::1:80"));
        assertEquals(2, run("--token-file", t, "--state", s, "--parallelism", "0"));
        assertEquals(2, run("--token-file", t, "--state", s, "--parallelism=x"));
        assertEquals(2, run("--token-file", dir.resolve("missing").toString(), "--state", s));
        String e = errorLines(10);
        assertTrue(e.contains("Unknown option: '--bogus'"), e);
        assertTrue(e.contains("--token-file is required"), e);
        assertTrue(e.contains("--parallelism"), e);
    }

    @Test
    void tokenFileReadableByOthersIsRefused() throws Exception {
        String s = dir.toString();
        assertEquals(2, run("--token-file", token("rw-r--r--").toString(), "--state", s));
        assertTrue(err().contains("chmod 600"), err());
        assertEquals(0, run("--token-file", token("r--------").toString(), "--state", s, "--listen",
                "[::1]:0", "--parallelism=4", "--dry-run"));
    }

    @Test
    void tlsFilesAreCheckedAtStartWithOneLineErrors() throws Exception {
        String t = token("rw-------").toString();
        String s = dir.toString();
        TestCerts.Identity id = TestCerts.rsa();
        TestCerts.PemFiles good = id.write(dir, "server");
        String cert = good.cert().toString();
        String key = good.key().toString();
        assertEquals(0, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key", key));
        assertEquals(0, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key",
                TestCerts.file(dir.resolve("both.pem"), id.certificatePem() + id.pkcs8Pem(), "rw-------").toString()));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-key", key));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key", s + "/nokey.pem"));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", key, "--tls-key", key));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key",
                TestCerts.file(dir.resolve("open.key"), id.pkcs8Pem(), "rw-r-----").toString()));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key",
                TestCerts.rsa().write(dir, "other").key().toString()));
        String e = errorLines(6);
        assertTrue(e.contains("--tls-cert and --tls-key go together"), e);
        assertTrue(e.contains("nokey.pem does not exist"), e);
        assertTrue(e.contains("holds no certificate"), e);
        assertTrue(e.contains("open.key is accessible by group or others; chmod 600 it"), e);
        assertTrue(e.contains("other.key does not match the first certificate of " + cert), e);
    }

    @Test
    void listenParsesHostAndPort() throws Exception {
        assertEquals(9308, ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s"}).listen().getPort());
        assertEquals("127.0.0.1", ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s"})
                .listen().getHostString());
    }
}
