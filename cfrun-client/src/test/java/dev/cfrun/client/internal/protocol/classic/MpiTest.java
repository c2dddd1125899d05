package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.ProtocolViolationException;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MpiTest {

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void encodesLikeBnBn2mpi() {
        assertEquals("00 00 00 03 01 00 01", hex(Mpi.encode(BigInteger.valueOf(65537))));
        assertEquals("00 00 00 01 23", hex(Mpi.encode(BigInteger.valueOf(35))));
        assertEquals("00 00 00 00", hex(Mpi.encode(BigInteger.ZERO)));
        assertEquals("00 00 00 01 7f", hex(Mpi.encode(BigInteger.valueOf(127))));
        assertEquals("00 00 00 02 00 80", hex(Mpi.encode(BigInteger.valueOf(128))));
        assertEquals("00 00 00 02 01 00", hex(Mpi.encode(BigInteger.valueOf(256))));
        assertThrows(IllegalArgumentException.class, () -> Mpi.encode(BigInteger.ONE.negate()));
    }

    @Test
    void modulusWithTopBitSetGetsAZeroPad() {
        BigInteger n = BigInteger.ONE.shiftLeft(2047).add(BigInteger.valueOf(12345)); // 2048 bits, top bit set
        byte[] m = Mpi.encode(n);
        assertEquals(4 + 257, m.length);
        assertEquals("00 00 01 01 00 80", hex(java.util.Arrays.copyOf(m, 6)));
        assertEquals(n, new BigInteger(1, java.util.Arrays.copyOfRange(m, 5, m.length)));
        // a 2047-bit number needs no pad
        assertEquals(4 + 256, Mpi.encode(BigInteger.ONE.shiftLeft(2046)).length);
    }

    @Test
    void decode() throws Exception {
        assertEquals(BigInteger.valueOf(65537), Mpi.decode(hex("00 00 00 03 01 00 01"), "e"));
        assertEquals(BigInteger.ZERO, Mpi.decode(hex("00 00 00 00"), "zero"));
        assertEquals(BigInteger.valueOf(128), Mpi.decode(hex("00 00 00 02 00 80"), "x"));
        assertEquals(BigInteger.valueOf(1), Mpi.decode(hex("00 00 00 02 00 01"), "x"), "a redundant pad is harmless");
    }

    @Test
    void decodeRejects() {
        String[] bad = {
                "", "00", "00 00 00",                 // shorter than the length field
                "00 00 00 03 01 00",                  // says 3, carries 2
                "00 00 00 01 01 00",                  // says 1, carries 2
                "00 00 00 00 00",                     // says 0, carries 1
                "00 00 00 01 80",                     // negative
                "00 00 00 02 ff ff",
                "ff ff ff ff 00",                     // absurd length
                "80 00 00 00",
                "00 00 08 02 00",                     // 2050 > MAX_BYTES
        };
        for (String b : bad) {
            ProtocolViolationException e = assertThrows(ProtocolViolationException.class, () -> Mpi.decode(hex(b), "the nonce"), b);
            assertTrue(e.getMessage().startsWith("the nonce: "), e.getMessage());
        }
        byte[] oversize = new byte[4 + Mpi.MAX_BYTES + 1];
        oversize[2] = (byte) ((Mpi.MAX_BYTES + 1) >> 8);
        oversize[3] = (byte) (Mpi.MAX_BYTES + 1);
        oversize[4] = 1;
        assertThrows(ProtocolViolationException.class, () -> Mpi.decode(oversize, "n"));
    }

    @Test
    void largestAcceptedIsA16384BitModulus() throws Exception {
        BigInteger n = BigInteger.ONE.shiftLeft(16383).add(BigInteger.ONE);
        byte[] m = Mpi.encode(n);
        assertEquals(4 + Mpi.MAX_BYTES, m.length);
        assertEquals(n, Mpi.decode(m, "n"));
    }

    @Test
    void roundTrip() throws Exception {
        Random rnd = new Random(11);
        for (int i = 0; i < 3000; i++) {
            BigInteger v = new BigInteger(rnd.nextInt(4100), rnd);
            byte[] m = Mpi.encode(v);
            assertEquals(v, Mpi.decode(m, "v"));
            int len = ((m[0] & 0xff) << 24) | ((m[1] & 0xff) << 16) | ((m[2] & 0xff) << 8) | (m[3] & 0xff);
            assertEquals(m.length - 4, len);
            assertEquals(v.signum() == 0 ? 0 : v.bitLength() / 8 + 1, len, "minimal, with a pad only when the top bit is set");
        }
    }
}
