package dev.cfrun.fakeserver;

import dev.cfrun.fakeserver.FakeCfServerd.Session;

import javax.crypto.Cipher;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;

import static dev.cfrun.fakeserver.FakeCfServerd.FAILED;

/**
 * The fake as cfservd 2.2.10 (src/cfservd.c BusyWithConnection and below): the command loop of one
 * connection (CAUTH, SAUTH, VERSION, EXEC), cfservd 2.x's own transaction reading and writing, and its RSA
 * authentication with the key checks by file name. EXEC and what follows is {@link Cf2Exec}.
 */
final class Cf2Dialogue {
    private static final int SAUTH_HEADER = 24;
    private final FakeCfServerd f;

    Cf2Dialogue(FakeCfServerd f) {
        this.f = f;
    }

    /** cfservd called FatalError (e.g. SendTransaction of more than 4088 bytes): the whole daemon exits. */
    static final class Crash extends Exception {
        private static final long serialVersionUID = 1L;

        Crash(String why) {
            super(why, null, false, false);
        }
    }

    /** What cfservd keeps per connection (struct cfd_connection). */
    static final class Cf2Conn {
        boolean idVerified;
        boolean rsaAuth;
        boolean trust;
        String username = "";
        String hostname = "";
        String ip;
    }

    static final String CF2_FAILED = FAILED; // CF_FAILEDSTR, identical in 2.x and 3.x
    /** Header bytes after the NUL: cfservd 2.x formats the header into an uninitialised stack buffer. */
    private static final byte[] CF2_HEADER_GARBAGE = {'7', (byte) 0xa5, ' ', '9', 'x', (byte) 0xff, '3'};

    /** One connection, command by command, until cfservd would return false and close. */
    void run(Conn c, Session s) throws IOException, GeneralSecurityException {
        s.protocol = "classic";
        Cf2Conn conn = new Cf2Conn();
        conn.ip = c.tcp.getInetAddress().getHostAddress();
        try {
            while (true) {
                byte[] in = cf2Receive(c);
                if (in == null) {
                    cf2Close(c, s, "bad transaction header: ReceiveTransaction failed");
                    return;
                }
                String text = CLike.cString(in);
                if (text.isEmpty()) {
                    // EOF, or a header that does not parse as "%c %u" (a TLS ClientHello): length 0
                    cf2Close(c, s, "empty transaction: cfservd terminating NULL transmission");
                    return;
                }
                String op = CLike.scanWord(text, new int[] {0}); // GetCommand: sscanf("%4095s")
                switch (op) {
                    case "EXEC" -> {
                        new Cf2Exec(f).exec(c, s, conn, in, text);
                        return;
                    }
                    case "VERSION" -> {
                        if (!conn.idVerified) {
                            cf2Send(c, CF2_FAILED);
                        }
                        cf2Send(c, "OK: " + FakeCfServerd.CF2_VERSION);
                        if (!conn.idVerified) {
                            cf2Close(c, s, "VERSION before CAUTH");
                            return;
                        }
                    }
                    case "CAUTH" -> {
                        // VerifyConnection: conn->trust is always false here, so the claims are taken as they are
                        s.cauth = text;
                        String[] f = text.length() > 6 ? text.substring(6).strip().split("\\s+") : new String[0];
                        conn.hostname = f.length > 1 ? f[1].toLowerCase(java.util.Locale.ROOT) : "";
                        conn.username = f.length > 2 ? f[2] : "";
                        s.hostname = conn.hostname;
                        s.user = conn.username;
                        conn.idVerified = true;
                    }
                    case "SAUTH" -> {
                        if (!conn.idVerified || !cf2Authenticate(c, s, conn, in)) {
                            cf2Send(c, CF2_FAILED); // RefuseAccess
                            cf2Close(c, s, conn.idVerified ? "RSA authentication failed" : "SAUTH before CAUTH");
                            return;
                        }
                    }
                    default -> {
                        // GET, OPENDIR, … (file copies) are not played by the fake: treated as unknown commands
                        cf2Send(c, "BAD: Request denied\n");
                        cf2Close(c, s, "unknown command '" + op + "'");
                        return;
                    }
                }
            }
        } catch (Crash crash) {
            s.end = "cfservd exited: FatalError(" + crash.getMessage() + ")";
            crash(c);
        }
    }

    /**
     * ReceiveTransaction of 2.x: {@code sscanf("%c %u")} on the 8-byte header (any status byte; no digits means
     * length 0), a length above 4088 is an error (null), a short read at EOF returns what came.
     */
    static byte[] cf2Receive(Conn c) throws IOException {
        byte[] h = c.in.readNBytes(Wire.HEADER);
        if (h.length < Wire.HEADER) {
            return new byte[0];
        }
        int i = 1;
        while (i < h.length && CLike.isCSpace(h[i])) {
            i++;
        }
        if (i < h.length && (h[i] == '+' || h[i] == '-')) {
            i++;
        }
        long len = 0;
        while (i < h.length && h[i] >= '0' && h[i] <= '9') {
            len = len * 10 + (h[i++] - '0');
        }
        if (len > Wire.MAX_PAYLOAD) {
            return null;
        }
        return c.in.readNBytes((int) len);
    }

    /** SendTransaction of 2.x: more than 4088 bytes is a FatalError; the header ends in stack garbage. */
    static void cf2Send(Conn c, byte[] payload) throws IOException, Crash {
        if (payload.length > Wire.MAX_PAYLOAD) {
            throw new Crash("SendTransaction software failure (" + payload.length + " bytes)");
        }
        byte[] frame = new byte[Wire.HEADER + payload.length];
        byte[] h = ("t " + payload.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, frame, 0, h.length);
        frame[h.length] = 0;
        for (int i = h.length + 1; i < Wire.HEADER; i++) {
            frame[i] = CF2_HEADER_GARBAGE[i - 1];
        }
        System.arraycopy(payload, 0, frame, Wire.HEADER, payload.length);
        c.send(frame);
    }

    /** A C string sent with length 0 (strlen; snprintf into CF_BUFSIZE truncates at 4095 bytes). */
    static void cf2Send(Conn c, String text) throws IOException, Crash {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        cf2Send(c, b.length > 4095 ? Arrays.copyOf(b, 4095) : b);
    }

    /**
     * close() as cfservd does it: a FIN, or, when the client's data is still unread (its class data after a
     * refused EXEC, C2/C3 after a failed SAUTH), a reset, as the kernel sends for a socket closed with unread data.
     */
    static void cf2Close(Conn c, Session s, String why) {
        s.end = c.closeLikeC() ? why + " (closed with unread data: reset)" : why;
    }

    /** FatalError: the daemon exits, every connection and the listening socket close. */
    private void crash(Conn c) {
        f.crashed = true;
        Conn.closeQuietly(f.acceptor.listener);
        c.closeLikeC();
        for (Socket other : f.acceptor.open) {
            if (other != c.tcp) {
                Conn.closeQuietly(other);
            }
        }
    }

    /** AuthenticationDialogue (C1 is already read): S1-S5, C4, C5. False means RefuseAccess and close. */
    private boolean cf2Authenticate(Conn c, Session s, Cf2Conn conn, byte[] sauth)
            throws IOException, GeneralSecurityException, Crash {
        // sscanf(recvbuffer, "%s %c %d %d") on the C string: only the first 4 tokens; no enterprise field
        String head = CLike.cString(sauth);
        s.sauthHeader = CLike.cString(Arrays.copyOf(sauth, Math.min(SAUTH_HEADER, sauth.length)));
        int[] pos = {0};
        String word = CLike.scanWord(head, pos);
        CLike.skipCSpace(head, pos);
        char iscrypt = pos[0] < head.length() ? head.charAt(pos[0]++) : 'n';
        long cryptLen = CLike.scanInt(head, pos);
        long nonceLen = CLike.scanInt(head, pos);
        s.sauthFlag = iscrypt;
        if (cryptLen == 0 || nonceLen == 0 || word.isEmpty() || nonceLen > 512 || cryptLen > 512
                || SAUTH_HEADER + nonceLen > sauth.length || !word.equals("SAUTH")) {
            s.end = "SAUTH protocol error";
            return false;
        }
        byte[] nonce;
        if (iscrypt == 'y') {
            byte[] enc = Arrays.copyOf(Arrays.copyOfRange(sauth, SAUTH_HEADER, sauth.length), (int) cryptLen);
            byte[] dec = Cf3Dialogue.rsa(Cipher.DECRYPT_MODE, f.keys.getPrivate(), enc);
            if (dec == null) {
                return false; // "Private decrypt failed": the challenge was encrypted to another key
            }
            nonce = Arrays.copyOf(dec, (int) nonceLen); // the decrypted length is not checked
        } else {
            if (nonceLen > cryptLen) {
                return false; // "Illegal challenge"
            }
            nonce = Arrays.copyOfRange(sauth, SAUTH_HEADER, SAUTH_HEADER + (int) nonceLen);
        }
        byte[] nonceDigest = MessageDigest.getInstance("MD5").digest(nonce);

        BigInteger n = cf2Mpi(cf2Receive(c));
        if (n == null) {
            return false;
        }
        BigInteger e = cf2Mpi(cf2Receive(c));
        if (e == null) {
            return false;
        }
        RSAPublicKey clientKey;
        try {
            clientKey = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (GeneralSecurityException ex) {
            return false;
        }
        s.clientKey = clientKey;

        // CheckStoreKey, which sends S1
        String keyName = conn.username + "-" + (f.hostnameKeys ? conn.hostname : conn.ip);
        RSAPublicKey saved = f.clientKeyFiles.get(keyName);
        if (saved != null) {
            if (!saved.getModulus().equals(n) || !saved.getPublicExponent().equals(e)) {
                cf2Send(c, "BAD: keys did not match");
                s.end = "client key differs from ppkeys/" + keyName + ".pub";
                return false;
            }
            cf2Send(c, "OK: key accepted");
        } else if (f.trustAnyClient) {
            conn.trust = true;
            cf2Send(c, "OK: unknown key was accepted on trust");
            f.clientKeyFiles.put(keyName, clientKey);
        } else {
            cf2Send(c, "BAD: key could not be accepted on trust");
            s.end = "no ppkeys/" + keyName + ".pub and no TrustKeysFrom";
            return false;
        }

        cf2Send(c, nonceDigest); // S2
        byte[] r = new byte[32];
        f.random.nextBytes(r);
        r[0] |= (byte) 0x80; // BN_rand(256, 0, 0)
        byte[] counter = Wire.mpi(new BigInteger(1, r));
        byte[] counterDigest = MessageDigest.getInstance("MD5").digest(counter);
        byte[] s3 = Cf3Dialogue.rsa(Cipher.ENCRYPT_MODE, clientKey, counter);
        if (s3 == null) {
            return false; // "Public encryption failed"
        }
        cf2Send(c, s3);
        if (iscrypt != 'y') { // S4, S5: anything but 'y' gets the server key
            cf2Send(c, Wire.mpi(f.publicKey().getModulus()));
            cf2Send(c, Wire.mpi(f.publicKey().getPublicExponent()));
        }
        byte[] c4 = cf2Receive(c);
        if (c4 == null) {
            return false;
        }
        s.clientProvedKey = MessageDigest.isEqual(Arrays.copyOf(c4, 16), counterDigest); // ChecksumsMatch, MD5
        if (!s.clientProvedKey) {
            s.end = "wrong counter-challenge response";
            return false;
        }
        byte[] c5 = cf2Receive(c);
        if (c5 == null || c5.length > Wire.MAX_PAYLOAD / 2) {
            return false; // "Session key length received … is too long"
        }
        if (c5.length == 16) {
            s.sessionKeyLength = 16; // old clients: the key in clear
        } else {
            byte[] key = Cf3Dialogue.rsa(Cipher.DECRYPT_MODE, f.keys.getPrivate(), c5);
            if (key == null) {
                return false;
            }
            s.sessionKeyLength = key.length; // cfservd copies 16 bytes whatever the length
        }
        conn.rsaAuth = true;
        return true;
    }

    /** BN_mpi2bn of OpenSSL 0.9: the declared length must match the transaction; empty means an error. */
    private static BigInteger cf2Mpi(byte[] b) {
        if (b == null || b.length == 0) {
            return null;
        }
        return Wire.mpi(b);
    }
}
