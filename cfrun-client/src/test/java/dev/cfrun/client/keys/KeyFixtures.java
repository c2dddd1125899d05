package dev.cfrun.client.keys;

import dev.cfrun.client.internal.keys.RsaKeys;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;

/**
 * The key files under {@code src/test/resources/keys} (see README.txt there for how each was made) and the
 * digests {@code cf-key -p} printed for them. The tests never run cf-key or openssl themselves.
 */
public final class KeyFixtures {
    /** {@code cf-key -p cfkey.pub} (CFEngine 3.21). */
    public static final String CFKEY_MD5 = "MD5=a5a9ae689a65f1fd249b1ddb27451eb5";
    /** SHA-256 over unsigned(n) || unsigned(e) of cfkey.pub, computed independently with python hashlib. */
    public static final String CFKEY_SHA = "SHA=aadac12f8eb240a71729e904975cd65fc6e7ed46ee71c8a0574fba64f64f0be5";
    /** {@code cf-key -p e35.pub} (e = 35, CFEngine 2 style); python hashlib agrees. */
    public static final String E35_MD5 = "MD5=00f34f73d2d29107bb7109ba7397d95b";
    /** SHA-256 of e35.pub, computed with python hashlib. */
    public static final String E35_SHA = "SHA=54e8dbdac85d0f666bd915f901a0c4c2fa43d709af61da53698868e234e4c57e";

    private KeyFixtures() {
    }

    /** Asserts two private keys are the same key, component by component. */
    public static void assertSamePrivate(RSAPrivateCrtKey a, RSAPrivateCrtKey b) {
        org.junit.jupiter.api.Assertions.assertEquals(a.getModulus(), b.getModulus());
        org.junit.jupiter.api.Assertions.assertEquals(a.getPublicExponent(), b.getPublicExponent());
        org.junit.jupiter.api.Assertions.assertEquals(a.getPrivateExponent(), b.getPrivateExponent());
        org.junit.jupiter.api.Assertions.assertEquals(a.getPrimeP(), b.getPrimeP());
        org.junit.jupiter.api.Assertions.assertEquals(a.getPrimeQ(), b.getPrimeQ());
        org.junit.jupiter.api.Assertions.assertEquals(a.getPrimeExponentP(), b.getPrimeExponentP());
        org.junit.jupiter.api.Assertions.assertEquals(a.getPrimeExponentQ(), b.getPrimeExponentQ());
        org.junit.jupiter.api.Assertions.assertEquals(a.getCrtCoefficient(), b.getCrtCoefficient());
    }

    /** A file's permissions, as {@code rw-------} (not following a link). */
    public static String mode(java.nio.file.Path p) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /** Sets a file's permissions from {@code rw-------} form. */
    public static void chmod(java.nio.file.Path p, String perms) throws IOException {
        java.nio.file.Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(perms));
    }

    public static byte[] bytes(String name) {
        try (InputStream in = KeyFixtures.class.getResourceAsStream("/keys/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /keys/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.US_ASCII);
    }

    public static RSAPrivateCrtKey cfkeyPrivate() {
        try {
            return RsaKeys.readPrivate(bytes("cfkey.priv"), null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RSAPublicKey cfkeyPublic() {
        try {
            return RsaKeys.readPublic(bytes("cfkey.pub"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RSAPublicKey e35Public() {
        try {
            return RsaKeys.readPublic(bytes("e35.pub"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ClientIdentity cfkeyIdentity() {
        return new ClientIdentity(cfkeyPrivate());
    }
}
