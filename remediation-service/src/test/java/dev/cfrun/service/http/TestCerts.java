package dev.cfrun.service.http;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test certificates made at test time (BouncyCastle): self-signed, for 127.0.0.1, ::1 and localhost, with their
 * keys in the PEM forms OpenSSL writes.
 */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private TestCerts() {
    }

    /** A key pair and its self-signed certificate. */
    public record Identity(KeyPair keys, X509Certificate certificate) {
        /** @return the certificate as PEM */
        public String certificatePem() {
            return pem(certificate);
        }

        /** @return the key as PKCS#8 PEM ({@code PRIVATE KEY}, what OpenSSL 3 writes) */
        public String pkcs8Pem() {
            try {
                return pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * @return the key in its traditional PEM form ({@code RSA PRIVATE KEY}, or {@code EC PRIVATE KEY} with
         *         its curve, as {@code openssl ecparam -genkey} writes it)
         */
        public String traditionalPem() {
            if (!keys.getPrivate().getAlgorithm().equals("EC")) {
                return pem(keys.getPrivate());
            }
            try {
                // the JDK's PKCS#8 has the curve outside the inner SEC1 structure; put it inside
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), null,
                        info.getPrivateKeyAlgorithm().getParameters());
                return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Writes the certificate and the PKCS#8 key into {@code dir}.
         *
         * @param dir  where
         * @param name file name stem
         * @return the files
         */
        public PemFiles write(Path dir, String name) throws Exception {
            return new PemFiles(file(dir.resolve(name + ".crt"), certificatePem(), "rw-r--r--"),
                    file(dir.resolve(name + ".key"), pkcs8Pem(), "rw-------"));
        }

        /** @return a client context trusting only this certificate */
        public SSLContext trustingClient() throws Exception {
            return trusting(certificate);
        }
    }

    /**
     * A certificate and key file.
     *
     * @param cert the certificate file
     * @param key  the key file
     */
    public record PemFiles(Path cert, Path key) {
    }

    /** @return a fresh RSA 2048 identity for CN=cfrun-service-test */
    public static Identity rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return selfSigned(g.generateKeyPair(), "SHA256withRSA", Duration.ofDays(1));
    }

    /** @return a fresh EC P-256 identity */
    public static Identity ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return selfSigned(g.generateKeyPair(), "SHA256withECDSA", Duration.ofDays(1));
    }

    /** @return a fresh Ed25519 identity */
    public static Identity ed25519() throws Exception {
        return selfSigned(KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "Ed25519", Duration.ofDays(1));
    }

    /**
     * @param keys      the key pair
     * @param signature the JCA signature algorithm
     * @param validFor  validity from an hour ago (negative: expired)
     * @return the identity
     */
    public static Identity selfSigned(KeyPair keys, String signature, Duration validFor) throws Exception {
        X500Name name = new X500Name("CN=cfrun-service-test");
        Instant from = Instant.now().minus(Duration.ofHours(1));
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(from.plus(validFor)), name,
                keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1"),
                new GeneralName(GeneralName.dNSName, "localhost")}));
        PrivateKey signer = keys.getPrivate();
        X509Certificate c = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder(signature).build(signer)));
        return new Identity(keys, c);
    }

    /**
     * @param o a certificate, key or PEM object generator
     * @return its PEM text
     */
    public static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    /**
     * @param file  where
     * @param text  what
     * @param perms POSIX permissions, e.g. {@code rw-------}
     * @return the file
     */
    public static Path file(Path file, String text, String perms) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
        return file;
    }

    /**
     * @param certificates trusted
     * @return a client TLS context trusting exactly these certificates
     */
    public static SSLContext trusting(X509Certificate... certificates) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            ks.setCertificateEntry("c" + i, certificates[i]);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
