package dev.cfrun.startup;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The little of the CFEngine wire format the training server needs, written here rather than borrowed from
 * the client (whose codec it exercises): a transaction is an 8-byte header {@code "t <length>"} padded with
 * NULs and the payload; numbers in the classic handshake are OpenSSL MPIs (4-byte big-endian length, then the
 * big-endian magnitude with a sign byte). Lenient: the training server talks only to our own client.
 */
final class Wire {
    static final byte[] TERMINATOR = "---cfXen/gine/cfXen/gine---".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 8;
    private static final int MAX_PAYLOAD = 4088;

    private Wire() {
    }

    /** One transaction, in a single write. */
    static byte[] frame(byte[] payload) {
        byte[] h = ("t " + payload.length).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[HEADER + payload.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    static byte[] frame(String text) {
        return frame(text.getBytes(StandardCharsets.UTF_8));
    }

    static void write(OutputStream out, byte[] payload) throws IOException {
        out.write(frame(payload));
    }

    /** The payload of the next transaction, or null when the stream ends before one. */
    static byte[] read(InputStream in) throws IOException {
        byte[] h = in.readNBytes(HEADER);
        if (h.length == 0) {
            return null;
        }
        if (h.length < HEADER) {
            throw new EOFException("closed inside a header");
        }
        int end = 2;
        while (end < HEADER && h[end] >= '0' && h[end] <= '9') {
            end++;
        }
        int len = end > 2 ? Integer.parseInt(new String(h, 2, end - 2, StandardCharsets.US_ASCII)) : -1;
        if (len < 1 || len > MAX_PAYLOAD) {
            throw new IOException("bad transaction header");
        }
        byte[] payload = in.readNBytes(len);
        if (payload.length < len) {
            throw new EOFException("closed inside a transaction");
        }
        return payload;
    }

    /** A line ending in LF (the TLS identification), without it. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || sb.length() > 1024) {
                throw new EOFException("no line");
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    /** BN_bn2mpi of a non-negative number. */
    static byte[] mpi(BigInteger v) {
        byte[] mag = v.signum() == 0 ? new byte[0] : v.toByteArray(); // toByteArray keeps the sign byte
        return ByteBuffer.allocate(4 + mag.length).putInt(mag.length).put(mag).array();
    }

    /** BN_mpi2bn of a whole transaction payload (non-negative numbers only). */
    static BigInteger unmpi(byte[] payload) throws IOException {
        if (payload.length < 4) {
            throw new IOException("MPI shorter than its length");
        }
        return new BigInteger(1, java.util.Arrays.copyOfRange(payload, 4, payload.length));
    }
}
