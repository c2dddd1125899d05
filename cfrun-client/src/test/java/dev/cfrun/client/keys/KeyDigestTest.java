package dev.cfrun.client.keys;

import dev.cfrun.client.internal.keys.Der;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class KeyDigestTest {
    private static final String MD5_HEX = "a5a9ae689a65f1fd249b1ddb27451eb5";
    private static final String SHA_HEX = "aadac12f8eb240a71729e904975cd65fc6e7ed46ee71c8a0574fba64f64f0be5";

    @Test
    void normalizeCanonicalForms() {
        assertEquals("MD5=" + MD5_HEX, KeyDigest.normalize("MD5=" + MD5_HEX));
        assertEquals("MD5=" + MD5_HEX, KeyDigest.normalize("md5=" + MD5_HEX.toUpperCase()));
        assertEquals("MD5=" + MD5_HEX, KeyDigest.normalize("Md5=" + MD5_HEX));
        assertEquals("MD5=" + MD5_HEX, KeyDigest.normalize("  MD5=" + MD5_HEX + "\n"));
        assertEquals("MD5=" + MD5_HEX, KeyDigest.normalize("\tMD5=" + MD5_HEX + " \r\n"));
        assertEquals("SHA=" + SHA_HEX, KeyDigest.normalize("SHA=" + SHA_HEX));
        assertEquals("SHA=" + SHA_HEX, KeyDigest.normalize("sha=" + SHA_HEX.toUpperCase()));
        assertEquals("SHA=" + SHA_HEX, KeyDigest.normalize(" Sha=" + SHA_HEX + " "));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "MD5=",
            "MD5=a5a9ae689a65f1fd249b1ddb27451eb",     // 31 hex
            "MD5=a5a9ae689a65f1fd249b1ddb27451eb5a",   // 33 hex
            "MD5=g5a9ae689a65f1fd249b1ddb27451eb5",    // not hex
            "MD5=a5a9ae689a65f1fd249b1ddb2745 eb5",    // inner blank
            "MD5=-5a9ae689a65f1fd249b1ddb27451eb5",
            "MD5:a5a9ae689a65f1fd249b1ddb27451eb5",
            "MD5 a5a9ae689a65f1fd249b1ddb27451eb5",
            "a5a9ae689a65f1fd249b1ddb27451eb5",        // no prefix
            "SHA=a5a9ae689a65f1fd249b1ddb27451eb5",    // MD5 length under the SHA prefix
            "MD5=aadac12f8eb240a71729e904975cd65fc6e7ed46ee71c8a0574fba64f64f0be5", // and vice versa
            "SHA=aadac12f8eb240a71729e904975cd65fc6e7ed46ee71c8a0574fba64f64f0be",
            "SHA256=aadac12f8eb240a71729e904975cd65fc6e7ed46ee71c8a0574fba64f64f0be5",
            "MD5=a5a9ae689a65f1fd249b1ddb27451eb\u0661", // ARABIC-INDIC DIGIT ONE is a digit, not hex
            "root-MD5=a5a9ae689a65f1fd249b1ddb27451eb5",
            "MD5=a5a9ae689a65f1fd249b1ddb27451eb5.pub",
    })
    void normalizeRejects(String bad) {
        assertNull(KeyDigest.normalize(bad), bad);
        assertNull(KeyDigest.algorithmOf(bad), bad);
    }

    @Test
    void normalizeNull() {
        assertNull(KeyDigest.normalize(null));
        assertNull(KeyDigest.algorithmOf(null));
    }

    @Test
    void algorithmOf() {
        assertEquals(KeyDigest.Algorithm.MD5, KeyDigest.algorithmOf("MD5=" + MD5_HEX));
        assertEquals(KeyDigest.Algorithm.MD5, KeyDigest.algorithmOf(" md5=" + MD5_HEX.toUpperCase()));
        assertEquals(KeyDigest.Algorithm.SHA256, KeyDigest.algorithmOf("SHA=" + SHA_HEX));
        assertEquals(KeyDigest.Algorithm.SHA256, KeyDigest.algorithmOf("sha=" + SHA_HEX));
        assertEquals("MD5=", KeyDigest.Algorithm.MD5.prefix());
        assertEquals("SHA=", KeyDigest.Algorithm.SHA256.prefix());
    }

    @Test
    void unsignedStripsOnlyTheSignByte() {
        assertArrayEquals(new byte[] {1}, KeyDigest.unsigned(BigInteger.ONE));
        assertArrayEquals(new byte[] {0x7f}, KeyDigest.unsigned(BigInteger.valueOf(127)));
        assertArrayEquals(new byte[] {(byte) 0x80}, KeyDigest.unsigned(BigInteger.valueOf(128)));
        assertArrayEquals(new byte[] {(byte) 0xff}, KeyDigest.unsigned(BigInteger.valueOf(255)));
        assertArrayEquals(new byte[] {1, 0, 1}, KeyDigest.unsigned(BigInteger.valueOf(65537)));
        assertArrayEquals(new byte[] {0x23}, KeyDigest.unsigned(BigInteger.valueOf(35)));
        assertArrayEquals(new byte[] {1, 0}, KeyDigest.unsigned(BigInteger.valueOf(256)));
        Random rnd = new Random(3);
        for (int i = 0; i < 500; i++) {
            BigInteger v = new BigInteger(1 + rnd.nextInt(4096), rnd).setBit(0);
            byte[] u = KeyDigest.unsigned(v);
            assertEquals((v.bitLength() + 7) / 8, u.length, v.toString(16));
            assertEquals(v, new BigInteger(1, u));
        }
        byte[] top = KeyDigest.unsigned(BigInteger.ONE.shiftLeft(2047));
        assertEquals(256, top.length);
        assertEquals((byte) 0x80, top[0]);
    }

    @Test
    void digestOfAKeyIsTheHashOfModulusThenExponent() throws Exception {
        java.security.interfaces.RSAPublicKey k = KeyFixtures.e35Public();
        byte[] n = KeyDigest.unsigned(k.getModulus());
        assertEquals(256, n.length);
        byte[] data = Der.concat(n, new byte[] {0x23});
        assertArrayEquals(MessageDigest.getInstance("MD5").digest(data), KeyDigest.raw(k, KeyDigest.Algorithm.MD5));
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), KeyDigest.raw(k, KeyDigest.Algorithm.SHA256));
        assertEquals(KeyFixtures.E35_MD5, "MD5=" + HexFormat.of().formatHex(KeyDigest.raw(k, KeyDigest.Algorithm.MD5)));
        assertEquals(KeyFixtures.E35_MD5, KeyDigest.of(k, KeyDigest.Algorithm.MD5));
        assertEquals(KeyFixtures.E35_SHA, KeyDigest.of(k, KeyDigest.Algorithm.SHA256));
        assertEquals(KeyFixtures.E35_MD5, KeyDigest.normalize(KeyFixtures.E35_MD5.toUpperCase().replace("MD5=", "md5=")));
    }
}
