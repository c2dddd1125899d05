package dev.cfrun.client.internal.keys;

import dev.cfrun.client.KeyFileException;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * CFEngine key files, as pure functions from bytes to keys and back (no file I/O here):
 * <ul>
 *   <li>{@code localhost.pub} and peers' keys: PEM {@code RSA PUBLIC KEY}, PKCS#1 {@code RSAPublicKey};</li>
 *   <li>{@code localhost.priv}: PEM {@code RSA PRIVATE KEY}, PKCS#1 {@code RSAPrivateKey}, plain (3.14+)
 *       or with OpenSSL's traditional encryption (DES-EDE3-CBC, passphrase {@code Cfengine passphrase},
 *       as CFEngine 2 and 3.x before 3.14 wrote them).</li>
 * </ul>
 * PKCS#8 {@code PRIVATE KEY} and X.509 {@code PUBLIC KEY} are read too, for keys converted by hand.
 */
public final class RsaKeys {
    /** The passphrase CFEngine encrypts private keys with (libpromises/crypto.h). */
    public static final String CFENGINE_PASSPHRASE = "Cfengine passphrase";

    public static final String PUBLIC_TYPE = "RSA PUBLIC KEY";
    public static final String PRIVATE_TYPE = "RSA PRIVATE KEY";

    private static final int MIN_BITS = 512;
    private static final int MAX_BITS = 16384;

    private RsaKeys() {
    }

    // ---- reading ----

    public static RSAPublicKey readPublic(byte[] pemText) throws KeyFileException {
        Pem.Block block = pem(pemText);
        try {
            switch (block.type()) {
                case PUBLIC_TYPE: {
                    Der.Reader seq = new Der.Reader(block.der()).enter(Der.SEQUENCE);
                    BigInteger n = seq.integer();
                    BigInteger e = seq.integer();
                    seq.end();
                    return publicKey(n, e);
                }
                case "PUBLIC KEY": {
                    PublicKey k = rsaFactory().generatePublic(new X509EncodedKeySpec(block.der()));
                    if (!(k instanceof RSAPublicKey rsa)) {
                        throw new KeyFileException("not an RSA public key");
                    }
                    return publicKey(rsa.getModulus(), rsa.getPublicExponent());
                }
                default:
                    throw new KeyFileException("expected a '" + PUBLIC_TYPE + "' PEM block, found '" + block.type() + "'");
            }
        } catch (Der.DerException e) {
            throw new KeyFileException(null, "corrupt RSA public key: " + e.getMessage(), null);
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(null, "corrupt public key: " + e.getMessage(), e);
        }
    }

    /** Reads a private key; {@code passphrase} is used only if the file is encrypted. */
    public static RSAPrivateCrtKey readPrivate(byte[] pemText, String passphrase) throws KeyFileException {
        Pem.Block block = pem(pemText);
        try {
            switch (block.type()) {
                case PRIVATE_TYPE: {
                    byte[] der = block.der();
                    String procType = block.headers().get("Proc-Type");
                    boolean encrypted = procType != null && procType.contains("ENCRYPTED");
                    if (encrypted) {
                        der = decryptLegacy(block, passphrase);
                    }
                    try {
                        return parsePkcs1Private(der);
                    } catch (Der.DerException e) {
                        throw new KeyFileException(null, encrypted
                                ? "cannot decrypt the private key: wrong passphrase or corrupt file (" + e.getMessage() + ")"
                                : "corrupt RSA private key: " + e.getMessage(), null);
                    }
                }
                case "PRIVATE KEY": {
                    PrivateKey k = rsaFactory().generatePrivate(new PKCS8EncodedKeySpec(block.der()));
                    if (!(k instanceof RSAPrivateCrtKey crt)) {
                        throw new KeyFileException("not an RSA private key with CRT parameters");
                    }
                    check(crt.getModulus(), crt.getPublicExponent());
                    return crt;
                }
                case "ENCRYPTED PRIVATE KEY":
                    throw new KeyFileException("PKCS#8-encrypted keys are not supported; CFEngine writes '"
                            + PRIVATE_TYPE + "' (convert with: openssl rsa -in KEY -traditional)");
                default:
                    throw new KeyFileException("expected a '" + PRIVATE_TYPE + "' PEM block, found '" + block.type() + "'");
            }
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(null, "corrupt private key: " + e.getMessage(), e);
        }
    }

    private static RSAPrivateCrtKey parsePkcs1Private(byte[] der) throws Der.DerException, KeyFileException,
            GeneralSecurityException {
        Der.Reader seq = new Der.Reader(der).enter(Der.SEQUENCE);
        BigInteger version = seq.integer();
        if (version.signum() != 0) {
            throw new Der.DerException("unsupported RSAPrivateKey version " + version);
        }
        BigInteger n = seq.integer();
        BigInteger e = seq.integer();
        BigInteger d = seq.integer();
        BigInteger p = seq.integer();
        BigInteger q = seq.integer();
        BigInteger dp = seq.integer();
        BigInteger dq = seq.integer();
        BigInteger qinv = seq.integer();
        seq.end();
        check(n, e);
        if (p.signum() <= 0 || q.signum() <= 0 || d.signum() <= 0 || !p.multiply(q).equals(n)) {
            throw new KeyFileException("inconsistent RSA private key (modulus is not p*q)");
        }
        return (RSAPrivateCrtKey) rsaFactory().generatePrivate(new RSAPrivateCrtKeySpec(n, e, d, p, q, dp, dq, qinv));
    }

    /** OpenSSL traditional PEM encryption: key = EVP_BytesToKey(MD5, salt = IV[0..8], 1 iteration). */
    private static byte[] decryptLegacy(Pem.Block block, String passphrase) throws KeyFileException {
        String dek = block.headers().get("DEK-Info");
        if (dek == null || dek.indexOf(',') < 0) {
            throw new KeyFileException("encrypted key without a valid DEK-Info header");
        }
        String alg = dek.substring(0, dek.indexOf(',')).strip().toUpperCase(Locale.ROOT);
        byte[] iv;
        try {
            iv = HexFormat.of().parseHex(dek.substring(dek.indexOf(',') + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("invalid IV in DEK-Info: " + dek);
        }
        String transformation;
        String keyAlg;
        int keyLen;
        int ivLen;
        switch (alg) {
            case "DES-EDE3-CBC" -> { transformation = "DESede/CBC/PKCS5Padding"; keyAlg = "DESede"; keyLen = 24; ivLen = 8; }
            case "DES-CBC" -> { transformation = "DES/CBC/PKCS5Padding"; keyAlg = "DES"; keyLen = 8; ivLen = 8; }
            case "AES-128-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 16; ivLen = 16; }
            case "AES-192-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 24; ivLen = 16; }
            case "AES-256-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 32; ivLen = 16; }
            default -> throw new KeyFileException("unsupported private key encryption '" + alg + "'");
        }
        if (iv.length != ivLen) {
            throw new KeyFileException("IV in DEK-Info has " + iv.length + " bytes, " + alg + " needs " + ivLen);
        }
        if (passphrase == null) {
            throw new KeyFileException("private key is encrypted and no passphrase was given");
        }
        byte[] key = bytesToKey(passphrase.getBytes(StandardCharsets.UTF_8), Arrays.copyOf(iv, 8), keyLen);
        try {
            Cipher c = Cipher.getInstance(transformation);
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlg), new IvParameterSpec(iv));
            return c.doFinal(block.der());
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(null, "cannot decrypt the private key: wrong passphrase or corrupt file", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** OpenSSL EVP_BytesToKey with MD5 and one iteration (D_i = MD5(D_{i-1} || pass || salt)). */
    static byte[] bytesToKey(byte[] pass, byte[] salt, int keyLen) {
        MessageDigest md5 = md5();
        byte[] out = new byte[keyLen];
        byte[] prev = new byte[0];
        int filled = 0;
        while (filled < keyLen) {
            md5.update(prev);
            md5.update(pass);
            md5.update(salt);
            prev = md5.digest();
            int n = Math.min(prev.length, keyLen - filled);
            System.arraycopy(prev, 0, out, filled, n);
            filled += n;
        }
        return out;
    }

    // ---- writing (the exact format cf-key writes) ----

    public static String writePublic(RSAPublicKey key) {
        return Pem.encode(PUBLIC_TYPE, Der.sequence(Der.integer(key.getModulus()), Der.integer(key.getPublicExponent())));
    }

    public static String writePrivate(RSAPrivateCrtKey k) {
        byte[] der = Der.sequence(Der.integer(BigInteger.ZERO), Der.integer(k.getModulus()),
                Der.integer(k.getPublicExponent()), Der.integer(k.getPrivateExponent()),
                Der.integer(k.getPrimeP()), Der.integer(k.getPrimeQ()), Der.integer(k.getPrimeExponentP()),
                Der.integer(k.getPrimeExponentQ()), Der.integer(k.getCrtCoefficient()));
        return Pem.encode(PRIVATE_TYPE, der);
    }

    // ---- helpers ----

    /** Builds and validates an RSA public key from its numbers. */
    public static RSAPublicKey publicKey(BigInteger n, BigInteger e) throws KeyFileException {
        check(n, e);
        try {
            return (RSAPublicKey) rsaFactory().generatePublic(new RSAPublicKeySpec(n, e));
        } catch (GeneralSecurityException ex) {
            throw new KeyFileException(null, "invalid RSA public key: " + ex.getMessage(), ex);
        }
    }

    /** The public half of a private key. */
    public static RSAPublicKey publicOf(RSAPrivateCrtKey k) {
        try {
            return publicKey(k.getModulus(), k.getPublicExponent());
        } catch (KeyFileException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if both keys have the same modulus and exponent. */
    public static boolean sameKey(RSAPublicKey a, RSAPublicKey b) {
        return a.getModulus().equals(b.getModulus()) && a.getPublicExponent().equals(b.getPublicExponent());
    }

    /** cf-serverd rejects keys whose exponent is even or shorter than 2 bits; we also bound the size. */
    private static void check(BigInteger n, BigInteger e) throws KeyFileException {
        if (n.signum() <= 0 || n.bitLength() < MIN_BITS || n.bitLength() > MAX_BITS) {
            throw new KeyFileException("RSA modulus of " + n.bitLength() + " bits is outside " + MIN_BITS + "-" + MAX_BITS);
        }
        if (e.signum() <= 0 || e.bitLength() < 2 || !e.testBit(0) || e.compareTo(n) >= 0) {
            throw new KeyFileException("invalid RSA public exponent " + e);
        }
    }

    private static Pem.Block pem(byte[] text) throws KeyFileException {
        try {
            return Pem.decode(text);
        } catch (Pem.PemException e) {
            throw new KeyFileException(e.getMessage());
        }
    }

    static KeyFactory rsaFactory() {
        try {
            return KeyFactory.getInstance("RSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no RSA KeyFactory", e);
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
