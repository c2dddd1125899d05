package dev.cfrun.fakeserver;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;

/**
 * One client key pair, generated once per JVM (RSA generation is slow), copied into each test's work dir.
 * The files are written as cf-key writes them (PEM, PKCS#1 {@code RSA PRIVATE KEY} unencrypted and
 * {@code RSA PUBLIC KEY}), by BouncyCastle, not by the client's own key code.
 */
public final class TestKeys {
    /** The client's key directory under a work dir, and its two files (cf-key's names). */
    static final String PPKEYS = "ppkeys";
    static final String PRIVATE_FILE = "localhost.priv";
    static final String PUBLIC_FILE = "localhost.pub";

    private static Path template;

    private TestKeys() {
    }

    private static synchronized Path template() throws IOException {
        if (template == null) {
            Path t = Files.createTempDirectory("cfrun-test-keys");
            t.toFile().deleteOnExit();
            KeyPair kp = FakeCfServerd.generateKeys();
            RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
            byte[] pkcs1 = PrivateKeyInfo.getInstance(kp.getPrivate().getEncoded()).parsePrivateKey()
                    .toASN1Primitive().getEncoded();
            byte[] pub1 = new org.bouncycastle.asn1.pkcs.RSAPublicKey(pub.getModulus(), pub.getPublicExponent()).getEncoded();
            Path pp = Files.createDirectory(t.resolve(PPKEYS));
            pp.toFile().deleteOnExit();
            write(pp.resolve(PRIVATE_FILE), pem("RSA PRIVATE KEY", pkcs1));
            write(pp.resolve(PUBLIC_FILE), pem("RSA PUBLIC KEY", pub1));
            template = t;
        }
        return template;
    }

    private static String pem(String type, byte[] der) throws IOException {
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            w.writeObject(new PemObject(type, der));
        }
        return out.toString();
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        file.toFile().deleteOnExit();
    }

    /** Makes {@code dir} a client work dir: ppkeys/ (0700) with our key pair (0600). */
    public static Path workdir(Path dir) {
        try {
            Path src = template().resolve(PPKEYS);
            Path pp = dir.resolve(PPKEYS);
            Files.createDirectories(pp);
            Files.setPosixFilePermissions(pp, PosixFilePermissions.fromString("rwx------"));
            for (String f : new String[] {PRIVATE_FILE, PUBLIC_FILE}) {
                Files.copy(src.resolve(f), pp.resolve(f));
                Files.setPosixFilePermissions(pp.resolve(f), PosixFilePermissions.fromString("rw-------"));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
