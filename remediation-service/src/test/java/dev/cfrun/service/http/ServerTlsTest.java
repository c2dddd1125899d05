package dev.cfrun.service.http;

import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLParameters;
import java.nio.file.Path;
import java.security.Provider;
import java.util.Arrays;
import java.util.List;

import static org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerTlsTest {
    private static TestCerts.Identity rsa;
    private static TestCerts.Identity rsa2;
    private static TestCerts.Identity ec;
    private static TestCerts.Identity ed;

    @TempDir
    Path dir;

    @BeforeAll
    static void identities() throws Exception {
        rsa = TestCerts.rsa();
        rsa2 = TestCerts.rsa();
        ec = TestCerts.ec();
        ed = TestCerts.ed25519();
    }

    private Path file(String name, String text, String perms) throws Exception {
        return TestCerts.file(dir.resolve(name), text, perms);
    }

    /** Loads and expects the certificate of {@code id}. */
    private void loads(TestCerts.Identity id, Path cert, Path key) {
        ServerTls tls = ServerTls.load(cert, key);
        assertEquals(id.certificate(), tls.certificate());
        assertTrue(tls.describe().startsWith("CN=cfrun-service-test, valid until "), tls.describe());
    }

    @Test
    void loadsTheKeyFormatsOpenSslWrites() throws Exception {
        Path rsaCert = file("rsa.crt", rsa.certificatePem(), "rw-r--r--");
        Path ecCert = file("ec.crt", ec.certificatePem(), "rw-r--r--");
        assertTrue(rsa.traditionalPem().startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(ec.traditionalPem().startsWith("-----BEGIN EC PRIVATE KEY-----"));
        assertTrue(rsa.pkcs8Pem().startsWith("-----BEGIN PRIVATE KEY-----"));
        loads(rsa, rsaCert, file("rsa-pkcs8.key", rsa.pkcs8Pem(), "rw-------"));
        loads(rsa, rsaCert, file("rsa-pkcs1.key", rsa.traditionalPem(), "r--------"));
        loads(ec, ecCert, file("ec-sec1.key", ec.traditionalPem(), "rw-------"));
        loads(ec, ecCert, file("ec-pkcs8.key", ec.pkcs8Pem(), "rw-------"));
        loads(ed, file("ed.crt", ed.certificatePem(), "rw-r--r--"), file("ed.key", ed.pkcs8Pem(), "rw-------"));
        // one file with both, as haproxy wants it; text around the blocks is ignored
        Path both = file("both.pem", "subject=CN = cfrun-service-test\n" + rsa.certificatePem() + rsa.pkcs8Pem(),
                "rw-------");
        loads(rsa, both, both);
    }

    @Test
    void aChainKeepsItsOrderAndTheKeyMustMatchTheFirst() throws Exception {
        TestCerts.Identity server = rsa;
        TestCerts.Identity other = ec;
        Path key = file("server.key", server.pkcs8Pem(), "rw-------");
        loads(server, file("chain.crt", server.certificatePem() + other.certificatePem(), "rw-r--r--"), key);
        String e = refused(file("wrong-order.crt", other.certificatePem() + server.certificatePem(), "rw-r--r--"),
                key);
        assertTrue(e.contains("does not match the first certificate"), e);
    }

    /** @return the one-line reason, checked to be one line naming a file */
    private static String refused(Path cert, Path key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerTls.load(cert, key));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.startsWith("TLS certificate file " + cert) || m.startsWith("TLS key file " + key), m);
        return m;
    }

    @Test
    void unusableFilesAreRefusedWithOneLineNamingTheFile() throws Exception {
        TestCerts.Identity a = rsa;
        TestCerts.Identity b = rsa2;
        Path cert = file("a.crt", a.certificatePem(), "rw-r--r--");
        Path key = file("a.key", a.pkcs8Pem(), "rw-------");
        Path missing = dir.resolve("missing.pem");
        assertTrue(refused(missing, key).endsWith("does not exist"));
        assertTrue(refused(cert, missing).endsWith("does not exist"));
        assertTrue(refused(cert, file("open.key", a.pkcs8Pem(), "rw-r-----")).contains("chmod 600"));
        assertTrue(refused(cert, file("world.key", a.pkcs8Pem(), "rw----r--")).contains("chmod 600"));
        assertTrue(refused(cert, dir).contains("not a regular file"));
        assertTrue(refused(file("empty.crt", "", "rw-r--r--"), key).contains("holds no certificate"));
        assertTrue(refused(file("key-as-cert.crt", a.pkcs8Pem(), "rw-r--r--"), key).contains("holds no certificate"));
        assertTrue(refused(cert, file("cert-as-key.key", a.certificatePem(), "rw-------"))
                .contains("holds no private key"));
        assertTrue(refused(file("bad.crt", "-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n",
                "rw-r--r--"), key).contains("is not valid PEM"));
        assertTrue(refused(file("cut.crt", a.certificatePem().substring(0, 200), "rw-r--r--"), key)
                .contains("is not valid PEM"));
        assertTrue(refused(file("big.crt", "x".repeat(TlsIdentity.MAX_CERT_BYTES + 1), "rw-r--r--"), key)
                .contains("is larger than"));
        assertTrue(refused(cert, file("b.key", b.pkcs8Pem(), "rw-------")).contains("does not match"));
        assertTrue(refused(cert, file("ec.key", ec.pkcs8Pem(), "rw-------")).contains("does not match"));
        assertTrue(refused(cert, file("two.key", a.pkcs8Pem() + b.pkcs8Pem(), "rw-------"))
                .contains("more than one private key"));
        String chain = a.certificatePem().repeat(TlsIdentity.MAX_CHAIN + 1);
        assertTrue(refused(file("long.crt", chain, "rw-r--r--"), key).contains("more than 10 certificates"));
    }

    @Test
    void encryptedKeysAreRefusedWithTheWayOut() throws Exception {
        TestCerts.Identity a = rsa;
        Path cert = file("a.crt", a.certificatePem(), "rw-r--r--");
        char[] password = "secret".toCharArray();
        Provider bc = new BouncyCastleProvider();   // the JDK has no AES/CBC/PKCS7Padding; only to encrypt here
        String pkcs8 = TestCerts.pem(new JcaPKCS8Generator(a.keys().getPrivate(),
                new JceOpenSSLPKCS8EncryptorBuilder(AES_256_CBC).setProvider(bc).setPassword(password).build()).generate());
        assertTrue(pkcs8.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), pkcs8);
        String legacy = TestCerts.pem(new JcaMiscPEMGenerator(a.keys().getPrivate(),
                new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(bc).build(password)));
        assertTrue(legacy.contains("Proc-Type: 4,ENCRYPTED"), legacy);
        for (String text : List.of(pkcs8, legacy)) {
            String e = refused(cert, file("enc.key", text, "rw-------"));
            assertTrue(e.contains("the key is encrypted") && e.contains("openssl pkey"), e);
        }
    }

    @Test
    void reloadServesTheNewCertificateAndKeepsTheOldOnABadFile() throws Exception {
        TestCerts.Identity first = rsa;
        TestCerts.Identity second = ec;
        TestCerts.PemFiles f = first.write(dir, "server");
        ServerTls tls = ServerTls.load(f.cert(), f.key());
        TestCerts.file(f.cert(), second.certificatePem(), "rw-r--r--");   // renewed, key not yet: a mismatch
        assertThrows(IllegalArgumentException.class, tls::reload);
        assertFalse(tls.tryReload());
        assertEquals(first.certificate(), tls.certificate());
        TestCerts.file(f.key(), second.pkcs8Pem(), "rw-------");
        assertTrue(tls.tryReload());
        assertEquals(second.certificate(), tls.certificate());
    }

    @Test
    void onlyTls13And12WithForwardSecretAeadSuites() throws Exception {
        TestCerts.PemFiles f = rsa.write(dir, "server");
        SSLParameters p = ServerTls.load(f.cert(), f.key()).parameters();
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), Arrays.asList(p.getProtocols()));
        List<String> suites = Arrays.asList(p.getCipherSuites());
        assertTrue(suites.contains("TLS_AES_128_GCM_SHA256"), suites.toString());
        assertTrue(suites.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), suites.toString());
        assertTrue(suites.contains("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), suites.toString());
        assertTrue(suites.stream().noneMatch(s -> s.contains("CBC") || s.startsWith("TLS_RSA_")
                || s.startsWith("TLS_DHE_") || s.contains("_SHA_") || s.contains("EMPTY_RENEGOTIATION")), suites.toString());
        assertFalse(p.getNeedClientAuth());
        assertFalse(ServerTls.strong("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"));
        assertTrue(ServerTls.strong("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
    }
}
