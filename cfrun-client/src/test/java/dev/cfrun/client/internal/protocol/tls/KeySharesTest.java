package dev.cfrun.client.internal.protocol.tls;

import dev.cfrun.client.keys.KeyFixtures;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ClientHello's key-exchange groups, read off the wire: the first attempt offers X25519 (and X448) with a
 * single key share, X25519; the second, for a server that refused that, every group the JDK allows.
 */
class KeySharesTest {
    private static final int X25519 = 0x001d;
    private static final int X448 = 0x001e;
    private static final int SECP256R1 = 0x0017;
    private static final int SUPPORTED_GROUPS = 0x000a;
    private static final int KEY_SHARE = 0x0033;

    @Test
    void firstAttemptOffersX25519WithOneKeyShare() throws Exception {
        Map<Integer, List<Integer>> hello = clientHello(TlsContext.KeyShares.X25519_ONLY);
        assertEquals(List.of(X25519), hello.get(KEY_SHARE), "one key share: X25519");
        assertEquals(X25519, hello.get(SUPPORTED_GROUPS).get(0));
        assertTrue(hello.get(SUPPORTED_GROUPS).stream().allMatch(g -> g == X25519 || g == X448),
                "no EC or FFDHE group offered: " + hello.get(SUPPORTED_GROUPS));
    }

    @Test
    void secondAttemptOffersEveryGroupTheJdkAllows() throws Exception {
        Map<Integer, List<Integer>> hello = clientHello(TlsContext.KeyShares.ALL_GROUPS);
        assertTrue(hello.get(SUPPORTED_GROUPS).contains(SECP256R1), hello.get(SUPPORTED_GROUPS).toString());
        assertTrue(hello.get(KEY_SHARE).contains(X25519));
        // what the first attempt saves: the JDK's own default sends a P-256 share beside X25519
        assertTrue(hello.get(KEY_SHARE).contains(SECP256R1), "the JDK's default key shares: " + hello.get(KEY_SHARE));
    }

    @Test
    void onlyRefusalsThatAGroupCouldCauseAreRetried() {
        assertTrue(TlsContext.needsAllGroups(new IOException("wrapped",
                new SSLHandshakeException("Received fatal alert: handshake_failure"))));
        assertTrue(TlsContext.needsAllGroups(new SSLHandshakeException("Received fatal alert: insufficient_security")));
        assertFalse(TlsContext.needsAllGroups(new SSLHandshakeException("Remote host terminated the handshake")));
        assertFalse(TlsContext.needsAllGroups(new IOException("Connection reset")));
        assertFalse(TlsContext.needsAllGroups(null));
    }

    @Test
    void constraintsTouchOnlyKeyExchangeGroups() {
        TlsContext.XdhGroupsOnly c = TlsContext.XdhGroupsOnly.INSTANCE;
        var ka = java.util.EnumSet.of(java.security.CryptoPrimitive.KEY_AGREEMENT);
        var sig = java.util.EnumSet.of(java.security.CryptoPrimitive.SIGNATURE);
        assertTrue(c.permits(ka, "x25519", null));
        assertTrue(c.permits(ka, "x448", null));
        assertFalse(c.permits(ka, "secp256r1", null));
        assertFalse(c.permits(ka, "ffdhe2048", null));
        assertTrue(c.permits(ka, "EC", null), "the algorithm itself (also used to check certificates) stays allowed");
        assertTrue(c.permits(sig, "secp256r1", null), "signatures are not ours to restrict");
        assertTrue(c.permits(sig, "SHA256withRSA", null));
    }

    /** The extensions of the ClientHello our client sends: supported groups and key-share groups. */
    private static Map<Integer, List<Integer>> clientHello(TlsContext.KeyShares shares) throws Exception {
        TlsContext ctx = new TlsContext(KeyFixtures.cfkeyIdentity());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread client = new Thread(() -> {
                try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    SSLSocket ssl = ctx.layer(tcp, "127.0.0.1", server.getLocalPort(), shares);
                    ssl.startHandshake();
                } catch (IOException expected) {
                    // the "server" hangs up after reading the ClientHello
                }
            });
            client.start();
            byte[] record;
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] header = new byte[5];
                in.readFully(header);
                assertEquals(0x16, header[0], "a handshake record");
                record = new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)];
                in.readFully(record);
            }
            client.join(10_000);
            return extensions(ByteBuffer.wrap(record));
        }
    }

    /** Moves past {@code n} bytes (the length was read first: position() must be taken after that read). */
    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }

    private static Map<Integer, List<Integer>> extensions(ByteBuffer b) {
        assertEquals(1, b.get(), "ClientHello");
        b.position(b.position() + 3 + 2 + 32); // length, legacy_version, random
        skip(b, b.get() & 0xff); // session id
        skip(b, b.getShort() & 0xffff); // cipher suites
        skip(b, b.get() & 0xff); // compression methods
        int extensionsLength = b.getShort() & 0xffff;
        int end = b.position() + extensionsLength;
        Map<Integer, List<Integer>> out = new TreeMap<>();
        while (b.position() < end) {
            int type = b.getShort() & 0xffff;
            int len = b.getShort() & 0xffff;
            ByteBuffer ext = b.slice(b.position(), len);
            b.position(b.position() + len);
            List<Integer> groups = new ArrayList<>();
            if (type == SUPPORTED_GROUPS) {
                int n = ext.getShort() & 0xffff;
                for (int i = 0; i < n / 2; i++) {
                    groups.add(ext.getShort() & 0xffff);
                }
            } else if (type == KEY_SHARE) {
                int listLength = ext.getShort() & 0xffff;
                while (ext.position() < 2 + listLength) {
                    groups.add(ext.getShort() & 0xffff);
                    skip(ext, ext.getShort() & 0xffff);
                }
            } else {
                continue;
            }
            out.put(type, groups);
        }
        return out;
    }
}
