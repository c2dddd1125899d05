package dev.cfrun.service.http;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The listener's certificate chain and private key, read from PEM files (BouncyCastle's {@link PEMParser}) and
 * checked to belong together. The certificate file holds the server's certificate first, then any
 * intermediates; the key file one unencrypted key (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}
 * or SEC1 {@code EC PRIVATE KEY}; RSA, EC or EdDSA). Both may be one file. Every refusal is one line naming
 * the file.
 *
 * @param chain the certificates, the server's first
 * @param key   the server certificate's private key
 */
record TlsIdentity(List<X509Certificate> chain, PrivateKey key) {
    /** A certificate file larger than this is refused (a chain is a few kilobytes). */
    static final int MAX_CERT_BYTES = 256 * 1024;
    /** A key file larger than this is refused. */
    static final int MAX_KEY_BYTES = 64 * 1024;
    /** Certificates in a chain, at the most. */
    static final int MAX_CHAIN = 10;

    private static final String CERT = "TLS certificate file";
    private static final String KEY = "TLS key file";

    TlsIdentity {
        chain = List.copyOf(chain);
    }

    /**
     * @param certFile the certificate chain (PEM)
     * @param keyFile  the private key (PEM, readable by its owner only)
     * @return the chain and key, checked to match
     * @throws IllegalArgumentException with one line naming the file, if either cannot be used
     */
    static TlsIdentity read(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        requireMatch(chain.get(0), key, certFile, keyFile);
        return new TlsIdentity(chain, key);
    }

    /** @return the server's certificate */
    X509Certificate certificate() {
        return chain.get(0);
    }

    private static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : pemObjects(file, CERT, false)) {
            if (o instanceof X509CertificateHolder h) {
                if (chain.size() == MAX_CHAIN) {
                    throw new IllegalArgumentException(CERT + " " + file + " has more than " + MAX_CHAIN
                            + " certificates");
                }
                try {
                    chain.add(converter.getCertificate(h));
                } catch (GeneralSecurityException e) {
                    throw new IllegalArgumentException(CERT + " " + file + ": certificate " + (chain.size() + 1)
                            + " cannot be read: " + e.getMessage());
                }
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(CERT + " " + file
                    + " holds no certificate (want PEM: -----BEGIN CERTIFICATE-----)");
        }
        return chain;
    }

    private static PrivateKey privateKey(Path file) {
        PrivateKeyInfo info = null;
        for (Object o : pemObjects(file, KEY, true)) {
            PrivateKeyInfo found;
            if (o instanceof PEMKeyPair pair) {
                found = pair.getPrivateKeyInfo();
            } else if (o instanceof PrivateKeyInfo pki) {
                found = pki;
            } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new IllegalArgumentException(KEY + " " + file
                        + ": the key is encrypted; store it unencrypted, mode 600 (openssl pkey -in IN -out OUT)");
            } else {
                continue;   // certificates of a combined file, EC PARAMETERS
            }
            if (info != null) {
                throw new IllegalArgumentException(KEY + " " + file + " holds more than one private key");
            }
            info = found;
        }
        if (info == null) {
            throw new IllegalArgumentException(KEY + " " + file
                    + " holds no private key (want PEM: -----BEGIN PRIVATE KEY-----)");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(KEY + " " + file + ": unusable key ("
                    + info.getPrivateKeyAlgorithm().getAlgorithm() + "): " + e.getMessage());
        }
    }

    /**
     * @param secret the file holds a key: it must be private to its owner
     * @return the PEM objects of the file, in order
     */
    private static List<Object> pemObjects(Path file, String what, boolean secret) {
        String text;
        try {
            text = secret
                    ? LocalFiles.readPrivate(file, what, MAX_KEY_BYTES)
                    : LocalFiles.read(file, what, MAX_CERT_BYTES);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                objects.add(o);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + " " + file + " is not valid PEM: " + e.getMessage());
        }
        return objects;
    }

    /**
     * Signs a random message with the key and verifies it with the certificate's public key.
     */
    private static void requireMatch(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw new IllegalArgumentException(KEY + " " + keyFile + ": a " + key.getAlgorithm()
                    + " key is not supported (RSA, EC or EdDSA)");
        };
        boolean matches;
        try {
            byte[] message = new byte[32];
            new SecureRandom().nextBytes(message);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(message);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;   // e.g. an EC certificate with an RSA key
        }
        if (!matches) {
            throw new IllegalArgumentException(KEY + " " + keyFile + " does not match the first certificate of "
                    + certFile + " (" + cert.getSubjectX500Principal().getName() + ")");
        }
    }
}
