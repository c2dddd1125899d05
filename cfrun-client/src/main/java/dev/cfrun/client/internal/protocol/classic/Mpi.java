package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.ProtocolViolationException;

import java.math.BigInteger;

/**
 * OpenSSL's MPI format (BN_bn2mpi / BN_mpi2bn), used by the classic protocol for RSA numbers and nonces:
 * a 4-byte big-endian length, then the big-endian magnitude with a 0x00 byte in front when its top bit
 * is set (the top bit is the sign). Zero is the empty magnitude.
 */
public final class Mpi {
    /** Far above any RSA modulus CFEngine accepts (16384 bits); bounds what a peer can make us read. */
    public static final int MAX_BYTES = 2048 + 1;

    private Mpi() {
    }

    public static byte[] encode(BigInteger v) {
        if (v.signum() < 0) {
            throw new IllegalArgumentException("negative MPI not used by CFEngine");
        }
        byte[] mag = v.signum() == 0 ? new byte[0] : v.toByteArray(); // toByteArray keeps the sign pad
        byte[] out = new byte[4 + mag.length];
        out[0] = (byte) (mag.length >>> 24);
        out[1] = (byte) (mag.length >>> 16);
        out[2] = (byte) (mag.length >>> 8);
        out[3] = (byte) mag.length;
        System.arraycopy(mag, 0, out, 4, mag.length);
        return out;
    }

    /** Decodes a whole transaction payload, which must be exactly one non-negative MPI. */
    public static BigInteger decode(byte[] payload, String what) throws ProtocolViolationException {
        if (payload.length < 4) {
            throw new ProtocolViolationException(what + ": MPI shorter than its 4-byte length");
        }
        long len = ((payload[0] & 0xffL) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
        if (len > MAX_BYTES) {
            throw new ProtocolViolationException(what + ": MPI length " + len + " exceeds " + MAX_BYTES);
        }
        if (len != payload.length - 4) {
            throw new ProtocolViolationException(what + ": MPI says " + len + " bytes but the transaction carries "
                    + (payload.length - 4));
        }
        if (len == 0) {
            return BigInteger.ZERO;
        }
        if ((payload[4] & 0x80) != 0) {
            throw new ProtocolViolationException(what + ": negative MPI");
        }
        byte[] mag = new byte[(int) len];
        System.arraycopy(payload, 4, mag, 0, mag.length);
        return new BigInteger(1, mag);
    }
}
