package dev.cfrun.client.internal.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The CFEngine transaction format, identical in every version and both protocols:
 * an 8-byte ASCII header {@code "<t|m> <decimal length>"} NUL-padded, then exactly that many payload
 * bytes (1 to 4088). Pure functions over streams: every read is bounded by the header limits.
 */
public final class Frames {
    public static final int HEADER_LENGTH = 8;
    /** CF_BUFSIZE (4096) - CF_INBAND_OFFSET (8). */
    public static final int MAX_PAYLOAD = 4088;
    public static final char DONE = 't';
    public static final char MORE = 'm';

    /** The end of a multi-transaction reply ({@code CFD_TERMINATOR}); the server adds a NUL. */
    public static final String TERMINATOR = "---cfXen/gine/cfXen/gine---";
    public static final byte[] TERMINATOR_BYTES = TERMINATOR.getBytes(StandardCharsets.US_ASCII);

    private Frames() {
    }

    /** Header and payload in one array, so that one write() carries the whole transaction. */
    public static byte[] encode(char status, byte[] payload) {
        if (status != DONE && status != MORE) {
            throw new IllegalArgumentException("status must be 't' or 'm'");
        }
        if (payload.length < 1 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload length " + payload.length + " outside 1.." + MAX_PAYLOAD);
        }
        byte[] out = new byte[HEADER_LENGTH + payload.length];
        byte[] h = (status + " " + payload.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, out, 0, h.length); // the rest of the header stays zero
        System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
        return out;
    }

    public static byte[] encode(byte[] payload) {
        return encode(DONE, payload);
    }

    public static byte[] encode(String text) {
        return encode(DONE, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses an 8-byte header: the status byte, a space, decimal digits, then a NUL (bytes after the
     * first NUL are ignored: CFEngine 2 leaves stack garbage there).
     *
     * @return the payload length
     */
    public static int parseLength(byte[] h) throws FrameException {
        if (h.length != HEADER_LENGTH) {
            throw new FrameException("header must be 8 bytes");
        }
        char status = (char) (h[0] & 0xff);
        if (status != DONE && status != MORE) {
            throw new FrameException("bogus transaction header: " + printable(h));
        }
        int i = 1;
        while (i < HEADER_LENGTH && isSpace(h[i])) { // sscanf("%c %d"): any white space, also none
            i++;
        }
        long len = 0;
        int digits = 0;
        while (i < HEADER_LENGTH && h[i] >= '0' && h[i] <= '9') {
            len = len * 10 + (h[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || i >= HEADER_LENGTH || h[i] != 0) {
            throw new FrameException("bogus transaction header: " + printable(h));
        }
        if (len < 1 || len > MAX_PAYLOAD) {
            throw new FrameException("transaction length " + len + " outside 1.." + MAX_PAYLOAD);
        }
        return (int) len;
    }

    /**
     * Reads one transaction.
     *
     * @return the frame, or null if the stream ended cleanly before its first byte
     * @throws TruncatedException if the stream ends inside the transaction
     * @throws FrameException     if the header is malformed
     */
    public static Frame read(InputStream in) throws IOException {
        byte[] h = new byte[HEADER_LENGTH];
        int n = in.readNBytes(h, 0, HEADER_LENGTH);
        if (n == 0) {
            return null;
        }
        if (n < HEADER_LENGTH) {
            throw new TruncatedException("connection closed inside a transaction header (" + n + " of 8 bytes)");
        }
        int len = parseLength(h);
        byte[] payload = new byte[len];
        int got = in.readNBytes(payload, 0, len);
        if (got < len) {
            throw new TruncatedException("connection closed inside a transaction (" + got + " of " + len + " bytes)");
        }
        return new Frame((char) h[0], payload);
    }

    /**
     * Reads a message that may span several {@code m} ("more") transactions, up to {@code maxBytes}.
     *
     * @return the joined payload, or null on a clean end of stream before the first transaction
     */
    public static byte[] readMessage(InputStream in, int maxBytes) throws IOException {
        Frame f = read(in);
        if (f == null) {
            return null;
        }
        if (!f.more()) {
            if (f.payload().length > maxBytes) {
                throw new FrameException("message of " + f.payload().length + " bytes exceeds " + maxBytes);
            }
            return f.payload();
        }
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        while (true) {
            if (joined.size() + f.payload().length > maxBytes) {
                throw new FrameException("message continued ('m') beyond " + maxBytes + " bytes");
            }
            joined.writeBytes(f.payload());
            if (!f.more()) {
                return joined.toByteArray();
            }
            f = read(in);
            if (f == null) {
                throw new TruncatedException("connection closed inside a continued ('m') message");
            }
        }
    }

    /**
     * Reads one text line ending in LF (the TLS identification lines), at most {@code max} bytes.
     *
     * @return the line without its LF, or null on a clean end of stream before the first byte
     */
    public static String readLine(InputStream in, int max) throws IOException {
        byte[] buf = new byte[max];
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (n == 0) {
                    return null;
                }
                throw new TruncatedException("connection closed in the middle of a line: '" + printable(buf, n) + "'");
            }
            if (b == '\n') {
                int end = n > 0 && buf[n - 1] == '\r' ? n - 1 : n;
                return new String(buf, 0, end, StandardCharsets.UTF_8);
            }
            if (n == max) {
                throw new FrameException("line longer than " + max + " bytes: '" + printable(buf, Math.min(n, 60)) + "…'");
            }
            buf[n++] = (byte) b;
        }
    }

    /** Writes one transaction with a single write() call (one TLS record on an SSLSocket). */
    public static void write(OutputStream out, byte[] payload) throws IOException {
        out.write(encode(payload));
    }

    static String printable(byte[] b) {
        return printable(b, b.length);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    /** Bytes shown safely in a message: printable ASCII as is, the rest as \xNN. */
    public static String printable(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n && i < 200; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }
}
