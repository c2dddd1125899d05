package dev.cfrun.client.internal.keys;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The small part of ASN.1 DER that CFEngine keys and our certificates need: a bounds-checked reader
 * (every length is checked against what is left, so hostile input cannot make it allocate or loop)
 * and a writer for definite-length encodings.
 */
public final class Der {
    public static final int INTEGER = 0x02;
    public static final int BIT_STRING = 0x03;
    public static final int OCTET_STRING = 0x04;
    public static final int NULL = 0x05;
    public static final int OID = 0x06;
    public static final int UTF8_STRING = 0x0c;
    public static final int PRINTABLE_STRING = 0x13;
    public static final int UTC_TIME = 0x17;
    public static final int GENERALIZED_TIME = 0x18;
    public static final int SEQUENCE = 0x30;
    public static final int SET = 0x31;

    private Der() {
    }

    /** Thrown for anything that is not well-formed DER of the expected shape. */
    public static final class DerException extends Exception {
        private static final long serialVersionUID = 1L;

        public DerException(String message) {
            super(message);
        }
    }

    /** Reads a sequence of TLVs from a byte range. */
    public static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        public Reader(byte[] buf) {
            this(buf, 0, buf.length);
        }

        private Reader(byte[] buf, int from, int to) {
            this.buf = buf;
            this.pos = from;
            this.end = to;
        }

        public boolean hasMore() {
            return pos < end;
        }

        /** Reads one element with the given tag and returns a reader over its contents. */
        public Reader enter(int tag) throws DerException {
            int len = header(tag);
            Reader r = new Reader(buf, pos, pos + len);
            pos += len;
            return r;
        }

        /** Reads one element with the given tag and returns its contents. */
        public byte[] read(int tag) throws DerException {
            int len = header(tag);
            byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }

        public BigInteger integer() throws DerException {
            byte[] v = read(INTEGER);
            if (v.length == 0) {
                throw new DerException("empty INTEGER");
            }
            if (v.length > 1 && ((v[0] == 0 && (v[1] & 0x80) == 0) || (v[0] == (byte) 0xff && (v[1] & 0x80) != 0))) {
                throw new DerException("INTEGER not minimally encoded");
            }
            return new BigInteger(v);
        }

        /** Fails unless every byte has been consumed. */
        public void end() throws DerException {
            if (pos != end) {
                throw new DerException((end - pos) + " unexpected trailing bytes");
            }
        }

        private int header(int tag) throws DerException {
            if (pos >= end) {
                throw new DerException("truncated: expected tag 0x" + Integer.toHexString(tag));
            }
            int t = buf[pos++] & 0xff;
            if (t != tag) {
                throw new DerException("expected tag 0x" + Integer.toHexString(tag) + ", found 0x" + Integer.toHexString(t));
            }
            if (pos >= end) {
                throw new DerException("truncated length");
            }
            int first = buf[pos++] & 0xff;
            int len;
            if (first < 0x80) {
                len = first;
            } else {
                int n = first & 0x7f;
                if (n == 0 || n > 3) {
                    throw new DerException("unsupported length encoding (" + n + " length bytes)");
                }
                if (end - pos < n) {
                    throw new DerException("truncated length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (buf[pos++] & 0xff);
                }
                if (len < 0x80 || (n > 1 && len < (1 << (8 * (n - 1))))) {
                    throw new DerException("length not minimally encoded");
                }
            }
            if (len > end - pos) {
                throw new DerException("length " + len + " exceeds the " + (end - pos) + " bytes left");
            }
            return len;
        }
    }

    // ---- writer ----

    public static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else if (len < 0x1000000) {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        } else {
            throw new IllegalArgumentException("DER content of " + len + " bytes is beyond what this writer supports");
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    public static byte[] sequence(byte[]... parts) {
        return tlv(SEQUENCE, concat(parts));
    }

    public static byte[] set(byte[]... parts) {
        return tlv(SET, concat(parts));
    }

    public static byte[] integer(BigInteger v) {
        return tlv(INTEGER, v.toByteArray());
    }

    public static byte[] nullValue() {
        return new byte[] {NULL, 0};
    }

    /** Encodes a dotted object identifier, e.g. {@code 1.2.840.113549.1.1.1}. */
    public static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i < parts.length; i++) {
            // the first two arcs share one subidentifier (40 * a + b), base-128 like every other
            long v = i == 1 ? Long.parseLong(parts[0]) * 40 + Long.parseLong(parts[1]) : Long.parseLong(parts[i]);
            byte[] tmp = new byte[10];
            int n = 0;
            do {
                tmp[n++] = (byte) (v & 0x7f);
                v >>>= 7;
            } while (v != 0);
            for (int j = n - 1; j >= 0; j--) {
                out.write(tmp[j] | (j > 0 ? 0x80 : 0));
            }
        }
        return tlv(OID, out.toByteArray());
    }

    public static byte[] bitString(byte[] bytes) {
        byte[] content = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, content, 1, bytes.length);
        return tlv(BIT_STRING, content);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
