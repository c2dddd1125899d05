package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.transport.Addresses;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.keys.ClientIdentity;

import javax.crypto.Cipher;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;

/**
 * Our opening of the classic dialogue, sent in one flush:
 * <pre>
 * C: CAUTH &lt;our ip&gt; &lt;our host name&gt; &lt;user&gt; 0
 * C: SAUTH y|n &lt;L&gt; &lt;N&gt; c  (24 bytes, NUL-padded) + nonce (RSA-encrypted to the server key for y, in clear for n)
 * C: our modulus n, our exponent e (MPIs)
 * </pre>
 */
final class ClassicHello {
    private static final int SAUTH_HEADER = 24; // CF_RSA_PROTO_OFFSET
    private static final int NONCE_BITS = 256;  // CF_NONCELEN in bits

    private ClassicHello() {
    }

    /**
     * Sends CAUTH, SAUTH and our public key, and flushes (the server answers only then).
     *
     * @param known the server key we trust for its address ("y" form), or null ("n" form)
     */
    static void send(Connection conn, ClientIdentity id, Peer peer, String clientHostName, byte[] nonce,
                     RSAPublicKey known) throws IOException {
        String localIp = Addresses.numeric(conn.tcpSocket().getLocalAddress());
        conn.queueFrame(("CAUTH " + localIp + " " + clientHostName + " " + peer.user() + " 0").getBytes(StandardCharsets.US_ASCII));
        byte[] challenge = known == null ? nonce
                : ClassicCrypto.rsa(Cipher.ENCRYPT_MODE, known, nonce, peer, "our challenge");
        String head = "SAUTH " + (known == null ? 'n' : 'y') + " " + challenge.length + " " + nonce.length + " c";
        byte[] sauth = new byte[SAUTH_HEADER + challenge.length];
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, sauth, 0, h.length);
        System.arraycopy(challenge, 0, sauth, SAUTH_HEADER, challenge.length);
        conn.queueFrame(sauth);
        conn.queueFrame(Mpi.encode(id.publicKey().getModulus()));
        conn.queueFrame(Mpi.encode(id.publicKey().getPublicExponent()));
        conn.sendQueued();
    }

    /** A 256-bit random number with its top bit set (BN_rand(256, 0, 0)), MPI-encoded: always 37 bytes. */
    static byte[] nonce(SecureRandom random) {
        byte[] r = new byte[NONCE_BITS / 8];
        random.nextBytes(r);
        r[0] |= (byte) 0x80;
        return Mpi.encode(new BigInteger(1, r));
    }
}
