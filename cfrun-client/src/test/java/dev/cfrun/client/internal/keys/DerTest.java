package dev.cfrun.client.internal.keys;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DerTest {

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    private static Der.DerException readFails(String hexInput, int tag) {
        return assertThrows(Der.DerException.class, () -> new Der.Reader(hex(hexInput)).read(tag), hexInput);
    }

    // ---- reader: lengths ----

    @Test
    void readsShortAndLongFormLengths() throws Exception {
        assertArrayEquals(hex("01 02 03"), new Der.Reader(hex("04 03 01 02 03")).read(Der.OCTET_STRING));
        byte[] content = new byte[200];
        content[199] = 9;
        byte[] enc = Der.concat(hex("04 81 c8"), content);
        assertArrayEquals(content, new Der.Reader(enc).read(Der.OCTET_STRING));
        byte[] big = new byte[300];
        assertArrayEquals(big, new Der.Reader(Der.concat(hex("04 82 01 2c"), big)).read(Der.OCTET_STRING));
        byte[] huge = new byte[70000];
        assertArrayEquals(huge, new Der.Reader(Der.concat(hex("04 83 01 11 70"), huge)).read(Der.OCTET_STRING));
        assertArrayEquals(new byte[0], new Der.Reader(hex("04 00")).read(Der.OCTET_STRING));
    }

    @Test
    void truncatedInputsRejected() {
        readFails("", Der.SEQUENCE);                 // no tag
        readFails("30", Der.SEQUENCE);               // no length
        readFails("30 81", Der.SEQUENCE);            // length bytes missing
        readFails("30 82 01", Der.SEQUENCE);
        readFails("30 83 01 00", Der.SEQUENCE);
        readFails("30 03 02 01", Der.SEQUENCE);      // content shorter than the length
        readFails("04 81 80", Der.OCTET_STRING);
    }

    @Test
    void overLongLengthsRejected() {
        Der.DerException e = readFails("04 05 01 02", Der.OCTET_STRING);
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
        readFails("04 83 ff ff ff 00", Der.OCTET_STRING);
        readFails("04 84 00 00 00 01 00", Der.OCTET_STRING); // more than 3 length bytes
        readFails("04 84 7f ff ff ff", Der.OCTET_STRING);
        readFails("04 88 ff ff ff ff ff ff ff ff", Der.OCTET_STRING);
        readFails("04 80 00 00", Der.OCTET_STRING);         // indefinite length is BER, not DER
        // a nested element cannot reach past its parent
        assertThrows(Der.DerException.class, () -> new Der.Reader(hex("30 03 04 03 01 02 03")).enter(Der.SEQUENCE)
                .read(Der.OCTET_STRING));
    }

    @Test
    void nonMinimalLengthsRejected() {
        readFails("04 81 05 01 02 03 04 05", Der.OCTET_STRING);          // < 128 in long form
        readFails("04 81 7f" + " 00".repeat(127), Der.OCTET_STRING);
        readFails("04 82 00 80" + " 00".repeat(128), Der.OCTET_STRING);  // leading zero length byte
        readFails("04 82 00 ff" + " 00".repeat(255), Der.OCTET_STRING);
        readFails("04 83 00 01 00" + " 00".repeat(256), Der.OCTET_STRING);
        readFails("04 81 00", Der.OCTET_STRING);
    }

    @Test
    void wrongTagRejected() {
        Der.DerException e = readFails("02 01 00", Der.SEQUENCE);
        assertTrue(e.getMessage().contains("0x30"), e.getMessage());
    }

    @Test
    void nonMinimalIntegersRejected() {
        for (String bad : new String[] {"02 00", "02 02 00 01", "02 02 00 7f", "02 02 ff 80", "02 02 ff ff", "02 03 00 00 80"}) {
            assertThrows(Der.DerException.class, () -> new Der.Reader(hex(bad)).integer(), bad);
        }
        String[][] ok = {{"02 01 00", "0"}, {"02 02 00 80", "128"}, {"02 02 ff 7f", "-129"}, {"02 01 80", "-128"},
            {"02 01 ff", "-1"}};
        for (String[] c : ok) {
            assertEquals(new BigInteger(c[1]), assertDoesNotThrowInteger(c[0]), c[0]);
        }
    }

    private static BigInteger assertDoesNotThrowInteger(String h) {
        try {
            return new Der.Reader(hex(h)).integer();
        } catch (Der.DerException e) {
            throw new AssertionError(h + ": " + e.getMessage(), e);
        }
    }

    @Test
    void endRequiresEverythingConsumed() throws Exception {
        Der.Reader r = new Der.Reader(hex("30 06 02 01 05 02 01 07"));
        Der.Reader seq = r.enter(Der.SEQUENCE);
        assertEquals(BigInteger.valueOf(5), seq.integer());
        assertTrue(seq.hasMore());
        assertThrows(Der.DerException.class, seq::end);
        assertEquals(BigInteger.valueOf(7), seq.integer());
        assertFalse(seq.hasMore());
        seq.end();
        r.end();
        Der.Reader two = new Der.Reader(hex("05 00 05 00"));
        two.read(Der.NULL);
        assertThrows(Der.DerException.class, two::end);
    }

    // ---- writer ----

    @Test
    void integerEncodings() {
        assertEquals("02 01 00", hex(Der.integer(BigInteger.ZERO)));
        assertEquals("02 01 01", hex(Der.integer(BigInteger.ONE)));
        assertEquals("02 01 7f", hex(Der.integer(BigInteger.valueOf(127))));
        assertEquals("02 02 00 80", hex(Der.integer(BigInteger.valueOf(128))));
        assertEquals("02 02 00 ff", hex(Der.integer(BigInteger.valueOf(255))));
        assertEquals("02 03 01 00 01", hex(Der.integer(BigInteger.valueOf(65537))));
        assertEquals("02 01 ff", hex(Der.integer(BigInteger.valueOf(-1))));
        assertEquals("02 01 80", hex(Der.integer(BigInteger.valueOf(-128))));
        assertEquals("02 02 ff 7f", hex(Der.integer(BigInteger.valueOf(-129))));
        assertEquals("02 02 ff 00", hex(Der.integer(BigInteger.valueOf(-256))));
    }

    @Test
    void integerRoundTripAndBouncyCastleCrossCheck() throws Exception {
        Random rnd = new Random(42);
        for (int i = 0; i < 2000; i++) {
            BigInteger v = switch (i % 4) {
                case 0 -> new BigInteger(rnd.nextInt(70), rnd);
                case 1 -> new BigInteger(rnd.nextInt(4200), rnd).negate();
                case 2 -> BigInteger.ONE.shiftLeft(rnd.nextInt(2100)).subtract(BigInteger.valueOf(rnd.nextInt(3))); // 0x7f…/0xff… edges
                default -> BigInteger.ONE.shiftLeft(rnd.nextInt(2100)).negate().add(BigInteger.valueOf(rnd.nextInt(3)));
            };
            byte[] ours = Der.integer(v);
            assertArrayEquals(new ASN1Integer(v).getEncoded(), ours, v.toString(16));
            Der.Reader r = new Der.Reader(ours);
            assertEquals(v, r.integer());
            r.end();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "1.2.840.113549.1.1.1",   // rsaEncryption
            "1.2.840.113549.1.1.11",  // sha256WithRSAEncryption
            "2.5.4.3",                // commonName
            "1.3.6.1.4.1.311.60.2.1.3",
            "0.9.2342.19200300.100.1.25",
            "1.2.127.128.16383.16384.2097151.2097152",
            "1.39.4294967296",
            "2.39.1",
            "2.47.1",
            "2.48.1",                 // first subidentifier 2*40+48 = 128 needs two bytes
            "2.999.3",                // the X.660 example: first subidentifier 1079
    })
    void oidMatchesBouncyCastle(String oid) throws Exception {
        assertEquals(hex(new ASN1ObjectIdentifier(oid).getEncoded()), hex(Der.oid(oid)), oid);
    }

    @Test
    void otherElementsMatchBouncyCastle() throws Exception {
        byte[] bits = HexFormat.of().parseHex("00ff10");
        assertArrayEquals(new DERBitString(bits).getEncoded(), Der.bitString(bits));
        assertArrayEquals(DERNull.INSTANCE.getEncoded(), Der.nullValue());
        for (int len : new int[] {0, 1, 127, 128, 255, 256, 65535, 65536, 70000}) {
            byte[] c = new byte[len];
            new Random(len).nextBytes(c);
            assertArrayEquals(new DEROctetString(c).getEncoded(), Der.tlv(Der.OCTET_STRING, c), "length " + len);
            Der.Reader r = new Der.Reader(Der.tlv(Der.OCTET_STRING, c));
            assertArrayEquals(c, r.read(Der.OCTET_STRING));
            r.end();
        }
        byte[] seq = Der.sequence(Der.integer(BigInteger.TEN), Der.oid("2.5.4.3"), Der.nullValue());
        assertArrayEquals(new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                new ASN1Integer(10), new ASN1ObjectIdentifier("2.5.4.3"), DERNull.INSTANCE}).getEncoded(), seq);
        byte[] set = Der.set(Der.integer(BigInteger.ONE));
        assertArrayEquals(new DERSet(new ASN1Integer(1)).getEncoded(), set);
    }

    @Test
    void readerNeverReadsOutsideItsInput() {
        // fixed-seed fuzz: every outcome is a value or a DerException
        Random rnd = new Random(7);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[rnd.nextInt(12)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) {
                b[0] = (byte) (rnd.nextBoolean() ? Der.SEQUENCE : Der.INTEGER);
            }
            try {
                Der.Reader r = new Der.Reader(b);
                if (b.length > 0 && b[0] == Der.SEQUENCE) {
                    Der.Reader s = r.enter(Der.SEQUENCE);
                    while (s.hasMore()) {
                        s.integer();
                    }
                } else {
                    r.integer();
                }
                r.end();
            } catch (Der.DerException expected) {
                // fine
            }
        }
    }
}
