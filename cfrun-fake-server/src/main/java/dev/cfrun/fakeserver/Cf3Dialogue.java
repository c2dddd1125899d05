package dev.cfrun.fakeserver;

import dev.cfrun.fakeserver.FakeCfServerd.ClassicFault;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Stage;

import javax.crypto.Cipher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;

import static dev.cfrun.fakeserver.FakeCfServerd.FAILED;

/**
 * cf-serverd 3.x on one connection: the opening (classic or TLS, told apart by the first 14 bytes, as
 * cf-serverd peeks at them), the scripted hostile openings, and the classic RSA dialogue (CAUTH, SAUTH,
 * S1-S5, C4, C5). TLS is {@link TlsSide}; the EXEC that follows either is {@link ExecScript}.
 */
final class Cf3Dialogue {
    private static final int SAUTH_HEADER = 24;
    private final FakeCfServerd f;

    Cf3Dialogue(FakeCfServerd f) {
        this.f = f;
    }

    void run(Conn c, Session s) throws IOException, GeneralSecurityException, HangUp {
        if (f.closeAt == Stage.ACCEPT) {
            throw new HangUp("closed after accept");
        }
        byte[] first = c.in.readNBytes(8 + "CAUTH".length() + 1); // what cf-serverd peeks at
        if (first.length == 0) {
            s.end = "client left before sending anything";
            return;
        }
        switch (f.opening) {
            case SILENCE -> {
                s.end = "silent";
                c.drain();
                return;
            }
            case HTTP_GARBAGE -> {
                c.send("HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<h1>Bad Request</h1>\n"
                        .getBytes(StandardCharsets.US_ASCII));
                throw new HangUp("answered HTTP garbage");
            }
            case TRICKLE_TLS_HANDSHAKE -> {
                c.trickle(s, f.trickleInterval.toMillis(), () -> f.closed,
                        new byte[] {0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3f, (byte) 0xfc, 0x03, 0x03});
                return;
            }
            default -> { }
        }
        if (first.length < 14 || new String(first, 8, 5, StandardCharsets.ISO_8859_1).equals("CAUTH")) {
            s.protocol = "classic";
            if (!f.classicAllowed) {
                throw new HangUp("classic: not in allowlegacyconnects");
            }
            c.in = new SequenceInputStream(new ByteArrayInputStream(first), c.tcp.getInputStream());
            classic(c, s);
            return;
        }
        s.protocol = "tls";
        switch (f.tlsSupport) {
            case CLOSE -> throw new HangUp("does not speak TLS: closed");
            case GARBAGE -> throw new HangUp("does not speak TLS: answered a transaction", FAILED);
            default -> new TlsSide(f).dialogue(c, s, first);
        }
    }

    private void classic(Conn c, Session s) throws IOException, GeneralSecurityException, HangUp {
        s.cauth = Wire.text(c.readPayload());
        String[] words = s.cauth.split(" ");
        if (words.length < 4 || !words[0].equals("CAUTH")) {
            throw new HangUp("no CAUTH", FAILED);
        }
        s.user = words[3];
        if (f.closeAt == Stage.CAUTH) {
            throw new HangUp("closed after CAUTH");
        }
        byte[] sauth = c.readPayload();
        s.sauthHeader = Wire.text(Arrays.copyOf(sauth, Math.min(SAUTH_HEADER, sauth.length)));
        String[] h = s.sauthHeader.split(" ");
        if (sauth.length < SAUTH_HEADER || h.length < 4 || !h[0].equals("SAUTH") || !h[2].matches("\\d{1,3}")
                || !h[3].matches("\\d{1,3}")) {
            throw new HangUp("bad SAUTH", FAILED);
        }
        char flag = h[1].charAt(0);
        s.sauthFlag = flag;
        int encLen = Integer.parseInt(h[2]);
        int plainLen = Integer.parseInt(h[3]);
        byte[] challenge = Arrays.copyOfRange(sauth, SAUTH_HEADER, sauth.length);
        byte[] nonce = challenge.length != encLen || plainLen < 1 || plainLen > 512 || encLen > 512 ? null
                : flag == 'y' ? rsa(Cipher.DECRYPT_MODE, f.keys.getPrivate(), challenge) : challenge;
        if (nonce == null || nonce.length != plainLen) {
            throw new HangUp("could not decrypt the challenge", FAILED);
        }
        BigInteger n = Wire.mpi(c.readPayload());
        BigInteger e = Wire.mpi(c.readPayload());
        if (n == null || e == null) {
            throw new HangUp("bad client key MPI");
        }
        RSAPublicKey clientKey = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        s.clientKey = clientKey;
        if (!f.clientAllowed(clientKey)) {
            throw new HangUp("client key not trusted", "BAD: key could not be accepted on trust", FAILED);
        }
        if (f.keyReply.startsWith("BAD")) {
            throw new HangUp("scripted key refusal", f.keyReply);
        }
        c.sendFrame(f.keyReply);
        if (f.closeAt == Stage.BEFORE_S2) {
            throw new HangUp("closed before S2");
        }
        // S1-S5 go out back to back, as cf-serverd sends them
        byte[] proof = MessageDigest.getInstance("MD5").digest(nonce);
        if (f.classicFault == ClassicFault.WRONG_NONCE_DIGEST) {
            proof[0] ^= 0x5a;
        }
        c.sendFrame(proof);
        byte[] r = new byte[32];
        f.random.nextBytes(r);
        r[0] |= (byte) 0x80;
        byte[] counter = Wire.mpi(new BigInteger(1, r));
        c.sendFrame(f.classicFault == ClassicFault.UNDECRYPTABLE_COUNTER_CHALLENGE
                ? new byte[(clientKey.getModulus().bitLength() + 7) / 8] // RSA of 0 never has valid padding
                : rsa(Cipher.ENCRYPT_MODE, clientKey, counter));
        if (flag == 'n') {
            byte[] s4 = Wire.mpi(f.publicKey().getModulus());
            if (f.classicFault == ClassicFault.BAD_MODULUS_LENGTH) {
                s4[3]++; // declares one byte more than it carries
            }
            c.sendFrame(s4);
            c.sendFrame(Wire.mpi(f.publicKey().getPublicExponent()));
        }
        byte[] c4 = c.readPayload();
        s.clientProvedKey = c4.length >= 16
                && MessageDigest.isEqual(Arrays.copyOf(c4, 16), MessageDigest.getInstance("MD5").digest(counter));
        if (!s.clientProvedKey) {
            throw new HangUp("wrong counter-challenge response");
        }
        byte[] sessionKey = rsa(Cipher.DECRYPT_MODE, f.keys.getPrivate(), c.readPayload());
        s.sessionKeyLength = sessionKey == null ? -1 : sessionKey.length;
        if (s.sessionKeyLength != 16) {
            throw new HangUp("bad session key");
        }
        new ExecScript(f).exec(c, s);
    }

    /** RSA with PKCS#1 v1.5 padding; null if the input cannot be decrypted. */
    static byte[] rsa(int mode, Key key, byte[] data) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        cipher.init(mode, key);
        try {
            return cipher.doFinal(data);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }
}
