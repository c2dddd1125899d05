package dev.cfrun.client.keys;

import dev.cfrun.client.internal.keys.RsaKeys;

import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;

/** Our own key pair ({@code ppkeys/localhost.priv} + {@code localhost.pub}) and its digest. */
public final class ClientIdentity {
    private final RSAPrivateCrtKey privateKey;
    private final RSAPublicKey publicKey;
    private final String digest;

    /** @param privateKey our private key (the public key is derived from it) */
    public ClientIdentity(RSAPrivateCrtKey privateKey) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.publicKey = RsaKeys.publicOf(privateKey);
        this.digest = KeyDigest.md5(publicKey);
    }

    /** @return our private key */
    public RSAPrivateCrtKey privateKey() {
        return privateKey;
    }

    /** @return our public key */
    public RSAPublicKey publicKey() {
        return publicKey;
    }

    /**
     * {@code MD5=…} of our public key: the name servers file it under ({@code <user>-MD5=….pub}).
     *
     * @return our key's MD5 digest, {@code MD5=} and 32 lower-case hex digits
     */
    public String digest() {
        return digest;
    }

    @Override
    public String toString() {
        return "ClientIdentity[" + digest + "]";
    }
}
