package dev.cfrun.client.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * CFEngine's key digest ("host key hash"), as {@code cf-key -p} prints it: a hash over the unsigned
 * big-endian bytes of the modulus followed by those of the exponent (no length prefixes, no leading
 * zeros). Community uses MD5, printed {@code MD5=<32 hex>}; Enterprise SHA-256, printed {@code SHA=<64 hex>}.
 */
public final class KeyDigest {

    /** The two digest forms CFEngine prints and files keys under. */
    public enum Algorithm {
        /** {@code MD5=…}, the community default. */
        MD5("MD5=", "MD5", 32),
        /** {@code SHA=…}, the Enterprise (FIPS) form. */
        SHA256("SHA=", "SHA-256", 64);

        private final String prefix;
        private final String jca;
        private final int hexLength;

        Algorithm(String prefix, String jca, int hexLength) {
            this.prefix = prefix;
            this.jca = jca;
            this.hexLength = hexLength;
        }

        /** @return the digest's prefix, {@code MD5=} or {@code SHA=} */
        public String prefix() {
            return prefix;
        }
    }

    private KeyDigest() {
    }

    /**
     * {@code MD5=…}, as cf-key -p prints it with Community CFEngine.
     *
     * @param key a public key
     * @return {@code MD5=} and 32 lower-case hex digits
     */
    public static String md5(RSAPublicKey key) {
        return of(key, Algorithm.MD5);
    }

    /**
     * {@code SHA=…}, as Enterprise CFEngine names keys.
     *
     * @param key a public key
     * @return {@code SHA=} and 64 lower-case hex digits
     */
    public static String sha256(RSAPublicKey key) {
        return of(key, Algorithm.SHA256);
    }

    /**
     * @param key a public key
     * @param alg the digest form
     * @return the key's digest in that form, as cf-key -p prints it
     */
    public static String of(RSAPublicKey key, Algorithm alg) {
        return alg.prefix + HexFormat.of().formatHex(raw(key, alg));
    }

    /**
     * The raw hash bytes.
     *
     * @param key a public key
     * @param alg the digest form
     * @return the hash of the key's modulus and exponent bytes, without prefix or hex encoding
     */
    public static byte[] raw(RSAPublicKey key, Algorithm alg) {
        MessageDigest md = messageDigest(alg.jca);
        md.update(unsigned(key.getModulus()));
        md.update(unsigned(key.getPublicExponent()));
        return md.digest();
    }

    /**
     * The digest's algorithm, or null if the text is not a digest.
     *
     * @param digest a digest as a user or a key file name writes it (any case)
     * @return {@link Algorithm#MD5} or {@link Algorithm#SHA256}, or {@code null}
     */
    public static Algorithm algorithmOf(String digest) {
        String n = normalize(digest);
        if (n == null) {
            return null;
        }
        return n.startsWith(Algorithm.MD5.prefix) ? Algorithm.MD5 : Algorithm.SHA256;
    }

    /**
     * Returns the digest in canonical form (upper-case prefix, lower-case hex) or null if the text is
     * not a well-formed {@code MD5=}/{@code SHA=} digest.
     *
     * @param digest a digest as a user or a key file name writes it, or {@code null}
     * @return the canonical digest, or {@code null}
     */
    public static String normalize(String digest) {
        if (digest == null) {
            return null;
        }
        String d = digest.strip();
        for (Algorithm a : Algorithm.values()) {
            if (d.length() == a.prefix.length() + a.hexLength && d.regionMatches(true, 0, a.prefix, 0, a.prefix.length())) {
                String hex = d.substring(a.prefix.length()).toLowerCase(Locale.ROOT);
                if (hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                    return a.prefix + hex;
                }
            }
        }
        return null;
    }

    /**
     * BN_bn2bin: magnitude bytes without a sign byte.
     *
     * @param v a non-negative number (a key's modulus or exponent)
     * @return its big-endian bytes without a leading zero; empty for 0
     */
    public static byte[] unsigned(BigInteger v) {
        if (v.signum() == 0) {
            return new byte[0];
        }
        byte[] b = v.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            return Arrays.copyOfRange(b, 1, b.length);
        }
        return b;
    }

    static MessageDigest messageDigest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + name, e);
        }
    }
}
