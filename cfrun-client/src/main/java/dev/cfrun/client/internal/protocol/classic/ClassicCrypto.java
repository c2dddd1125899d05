package dev.cfrun.client.internal.protocol.classic;

import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.internal.protocol.Failures;
import dev.cfrun.client.internal.protocol.Peer;

import javax.crypto.Cipher;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;

/** The RSA (PKCS#1 v1.5) and digest operations the classic steps share. */
final class ClassicCrypto {
    private ClassicCrypto() {
    }

    static byte[] rsa(int mode, Key key, byte[] data, Peer peer, String what) throws ProtocolViolationException {
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            c.init(mode, key);
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new ProtocolViolationException("RSA failed on " + what + " with " + peer.endpoint() + ": "
                    + Failures.describe(e), e);
        }
    }

    static byte[] digest(String alg, byte[] data) {
        try {
            return MessageDigest.getInstance(alg).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
