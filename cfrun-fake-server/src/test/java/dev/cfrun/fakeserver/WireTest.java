package dev.cfrun.fakeserver;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fake's own codec against bytes written out by hand, so that its framing is pinned apart from the client's. */
class WireTest {
    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void framesAreAnEightByteNulPaddedHeaderThenThePayload() {
        assertArrayEquals(latin1("t 5\0\0\0\0\0hello"), Wire.frame("hello"));
        assertArrayEquals(latin1("m 4088\0\0"), java.util.Arrays.copyOf(Wire.frame('m', new byte[4088]), 8));
        assertEquals(8 + 4088, Wire.frame('m', new byte[4088]).length);
    }

    @Test
    void emptyAndOversizedPayloadsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Wire.frame(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Wire.frame(new byte[4089]));
    }

    @Test
    void readsTransactionsAsTheClientSendsThem() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(latin1("t 4\0\0\0\0\0EXECt 1\0\0\0\0\0x"));
        assertArrayEquals(latin1("t 4\0\0\0\0\0EXEC"), Wire.read(in));
        assertArrayEquals(latin1("x"), Wire.payload(Wire.read(in)));
        assertNull(Wire.read(in), "a clean end of stream");
    }

    @Test
    void badHeadersAndShortReadsAreErrors() {
        for (String bad : new String[] {"x 4\0\0\0\0\0EXEC", "t 4   \0\0EXEC", "t 0\0\0\0\0\0", "t 4096\0\0", "t four\0\0\0",
            "t 5\0\0\0\0\0EXEC", "t 4\0\0"}) {
            assertThrows(IOException.class, () -> Wire.read(new ByteArrayInputStream(latin1(bad))), bad.replace('\0', '.'));
        }
    }

    @Test
    void mpisAreALengthThenTheSignedMagnitude() {
        assertArrayEquals(new byte[] {0, 0, 0, 0}, Wire.mpi(BigInteger.ZERO));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0x7f}, Wire.mpi(BigInteger.valueOf(127)));
        assertArrayEquals(new byte[] {0, 0, 0, 2, 0, (byte) 0x80}, Wire.mpi(BigInteger.valueOf(128)), "a sign byte");
        assertArrayEquals(new byte[] {0, 0, 0, 3, 1, 0, 1}, Wire.mpi(BigInteger.valueOf(65537)));
        assertEquals(BigInteger.valueOf(65537), Wire.mpi(new byte[] {0, 0, 0, 3, 1, 0, 1}));
        assertEquals(BigInteger.ZERO, Wire.mpi(new byte[] {0, 0, 0, 0}));
        assertNull(Wire.mpi(new byte[] {0, 0, 0, 4, 1, 0, 1}), "declares more than it carries");
        assertNull(Wire.mpi(new byte[] {0, 0, 0, 1, (byte) 0x80}), "negative");
        assertNull(Wire.mpi(new byte[] {0, 0, 1}), "no length");
    }

    @Test
    void theDigestIsMd5OverTheUnsignedModulusThenExponent() {
        // n = 0xc5: its top bit is set, so BigInteger adds a sign byte, which the digest must not include
        RSAPublicKey key = new RSAPublicKey() {
            private static final long serialVersionUID = 1L;
            // @formatter:off
            @Override public BigInteger getPublicExponent() { return BigInteger.valueOf(3); }
            @Override public BigInteger getModulus() { return new BigInteger("c5", 16); }
            @Override public String getAlgorithm() { return "RSA"; }
            @Override public String getFormat() { return null; }
            @Override public byte[] getEncoded() { return null; }
            // @formatter:on
        };
        // the MD5 of the two bytes c5 03, from: printf '\xc5\x03' | md5sum
        assertEquals("MD5=859d18889b5e69d50efdc68099252bf4", Wire.md5(key));
    }
}
