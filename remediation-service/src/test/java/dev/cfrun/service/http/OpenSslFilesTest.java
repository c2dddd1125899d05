package dev.cfrun.service.http;

import dev.cfrun.service.TestCommands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The files the {@code openssl} command writes, as admins make them, load (or are refused for the right reason).
 * Skipped where there is no {@code openssl}.
 */
class OpenSslFilesTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsOpenssl() {
        assumeTrue(TestCommands.onPath("openssl"), "no openssl on PATH");
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        TestCommands.Result r = TestCommands.run(dir, cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r);
    }

    /** Makes a self-signed certificate for {@code name.key} into {@code name.crt} and loads both. */
    private ServerTls certifyAndLoad(String name) throws Exception {
        openssl("req", "-x509", "-key", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + name,
                "-addext", "subjectAltName=IP:127.0.0.1");
        Path key = dir.resolve(name + ".key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        ServerTls tls = ServerTls.load(dir.resolve(name + ".crt"), key);
        assertEquals("CN=" + name, tls.certificate().getSubjectX500Principal().getName());
        return tls;
    }

    @Test
    void keysAsOpensslWritesThemLoad() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "req.key", "-out", "req.crt", "-days", "2",
                "-subj", "/CN=req");
        Files.setPosixFilePermissions(dir.resolve("req.key"), PosixFilePermissions.fromString("rw-------"));
        ServerTls.load(dir.resolve("req.crt"), dir.resolve("req.key"));
        openssl("genrsa", "-traditional", "-out", "pkcs1.key", "2048");
        assertTrue(Files.readString(dir.resolve("pkcs1.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        certifyAndLoad("pkcs1");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "sec1.key");   // EC PARAMETERS + EC PRIVATE KEY
        assertTrue(Files.readString(dir.resolve("sec1.key")).contains("-----BEGIN EC PRIVATE KEY-----"));
        certifyAndLoad("sec1");
        openssl("genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.key");
        certifyAndLoad("p384");
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.key");
        certifyAndLoad("ed25519");
    }

    @Test
    void anEncryptedKeyIsRefused() throws Exception {
        openssl("genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:x",
                "-out", "enc.key");
        openssl("req", "-x509", "-key", "enc.key", "-passin", "pass:x", "-out", "enc.crt", "-days", "2", "-subj",
                "/CN=enc");
        Files.setPosixFilePermissions(dir.resolve("enc.key"), PosixFilePermissions.fromString("rw-------"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerTls.load(dir.resolve("enc.crt"), dir.resolve("enc.key")));
        assertTrue(e.getMessage().contains("the key is encrypted"), e.getMessage());
    }
}
