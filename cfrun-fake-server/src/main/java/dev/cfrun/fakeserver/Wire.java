package dev.cfrun.fakeserver;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake's own wire codec, written apart from the client's on purpose: a framing bug shared by both would
 * pass every unit test (the real-server integration tests stay the final word). Deliberately minimal:
 * <ul>
 *   <li>a transaction is an 8-byte header {@code "t <len>"} (or {@code m}, "more"), NUL-padded, then
 *       1..4088 payload bytes (CF_BUFSIZE 4096 minus CF_INBAND_OFFSET 8);</li>
 *   <li>an MPI is OpenSSL's BN_bn2mpi: a 4-byte big-endian length, then the two's-complement magnitude;</li>
 *   <li>a key digest is what {@code cf-key -p} prints: {@code MD5=<hex>} over the unsigned modulus, then the
 *       unsigned exponent.</li>
 * </ul>
 */
final class Wire {
    static final int HEADER = 8;
    static final int MAX_PAYLOAD = 4088;
    /** CFD_TERMINATOR; the server sends it with a NUL. */
    static final String TERMINATOR = "---cfXen/gine/cfXen/gine---";
    static final byte[] SERVER_TERMINATOR = (TERMINATOR + "\0").getBytes(StandardCharsets.US_ASCII);

    private static final Pattern HEADER_TEXT = Pattern.compile("[tm] ([0-9]{1,4})");

    private Wire() {
    }

    /** Header and payload in one array (one write, one TLS record). */
    static byte[] frame(char status, byte[] payload) {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a transaction carries 1.." + MAX_PAYLOAD + " bytes, not " + payload.length);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
        b.put((byte) status).put((byte) ' ').put(String.valueOf(payload.length).getBytes(StandardCharsets.US_ASCII));
        b.position(HEADER); // what is left of the header stays NUL
        return b.put(payload).array();
    }

    static byte[] frame(byte[] payload) {
        return frame('t', payload);
    }

    static byte[] frame(String text) {
        return frame('t', text.getBytes(StandardCharsets.UTF_8));
    }

    /** The payload length an 8-byte header announces, or -1 unless it reads {@code t|m <1..4088>} then NULs. */
    static int announced(byte[] header) {
        String h = new String(header, 0, HEADER, StandardCharsets.ISO_8859_1);
        int nul = h.indexOf('\0');
        Matcher m = HEADER_TEXT.matcher(nul < 0 ? h : h.substring(0, nul));
        if (nul < 0 || !m.matches()) {
            return -1;
        }
        int len = Integer.parseInt(m.group(1));
        return len <= MAX_PAYLOAD && len > 0 ? len : -1;
    }

    /** One transaction as received, header and payload; null at a clean end of stream. */
    static byte[] read(InputStream in) throws IOException {
        byte[] header = in.readNBytes(HEADER);
        if (header.length == 0) {
            return null;
        }
        if (header.length != HEADER) {
            throw new EOFException("truncated header from the client");
        }
        int len = announced(header);
        if (len < 0) {
            throw new IOException("bogus transaction header from the client: "
                    + new String(header, StandardCharsets.ISO_8859_1).replace('\0', '.'));
        }
        byte[] payload = in.readNBytes(len);
        if (payload.length != len) {
            throw new EOFException("truncated transaction from the client");
        }
        return ByteBuffer.allocate(HEADER + len).put(header).put(payload).array();
    }

    /** The payload of a transaction {@link #read} returned. */
    static byte[] payload(byte[] transaction) {
        return Arrays.copyOfRange(transaction, HEADER, transaction.length);
    }

    /** BN_bn2mpi of a non-negative number (a leading zero byte when the top bit is set). */
    static byte[] mpi(BigInteger v) {
        byte[] magnitude = v.signum() == 0 ? new byte[0] : v.toByteArray();
        return ByteBuffer.allocate(4 + magnitude.length).putInt(magnitude.length).put(magnitude).array();
    }

    /** BN_mpi2bn: the declared length must be exactly what follows; null if not, or if negative. */
    static BigInteger mpi(byte[] b) {
        if (b.length < 4) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        long declared = Integer.toUnsignedLong(buf.getInt());
        if (declared != buf.remaining()) {
            return null;
        }
        if (declared == 0) {
            return BigInteger.ZERO;
        }
        return b[4] < 0 ? null : new BigInteger(1, b, 4, (int) declared);
    }

    /** {@code MD5=<hex>} as cf-key -p prints it. */
    static String md5(RSAPublicKey key) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(unsignedBytes(key.getModulus()));
            md5.update(unsignedBytes(key.getPublicExponent()));
            return "MD5=" + HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** BN_bn2bin: exactly ceil(bits / 8) bytes, no sign byte. */
    private static byte[] unsignedBytes(BigInteger v) {
        byte[] twos = v.toByteArray();
        return Arrays.copyOfRange(twos, twos.length - (v.bitLength() + 7) / 8, twos.length);
    }

    /** A payload as text, trailing NULs dropped. */
    static String text(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
