package dev.cfrun.client.internal.protocol.tls;

import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyFixtures;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Date;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientCertificateTest {
    private static ClientIdentity id;
    private static X509Certificate cert;
    private static X509CertificateHolder holder;

    @BeforeAll
    static void create() throws Exception {
        id = KeyFixtures.cfkeyIdentity();
        cert = ClientCertificate.create(id);
        holder = new X509CertificateHolder(cert.getEncoded());
    }

    @Test
    void isAVersion1CertificateForCnA() {
        assertEquals(1, holder.getVersionNumber());
        assertEquals(1, cert.getVersion());
        X500Name expected = new X500Name("CN=a");
        assertEquals(expected, holder.getSubject());
        assertEquals(expected, holder.getIssuer());
        assertEquals("a", holder.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue().toString());
        assertInstanceOf(DERUTF8String.class, holder.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue());
        assertFalse(holder.hasExtensions());
        assertNull(cert.getCriticalExtensionOIDs());
        assertNull(cert.getNonCriticalExtensionOIDs());
        assertEquals(PKCSObjectIdentifiers.sha256WithRSAEncryption, holder.getSignatureAlgorithm().getAlgorithm());
    }

    @Test
    void carriesTheIdentitysPublicKey() throws Exception {
        SubjectPublicKeyInfo spki = holder.getSubjectPublicKeyInfo();
        assertArrayEquals(id.publicKey().getEncoded(), spki.getEncoded());
        assertEquals(PKCSObjectIdentifiers.rsaEncryption, spki.getAlgorithm().getAlgorithm());
        org.bouncycastle.asn1.pkcs.RSAPublicKey rsa = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey());
        assertEquals(id.publicKey().getModulus(), rsa.getModulus());
        assertEquals(id.publicKey().getPublicExponent(), rsa.getPublicExponent());
        assertEquals(id.publicKey(), cert.getPublicKey());
    }

    @Test
    void signatureVerifiesWithTheIdentitysKeyOnly() throws Exception {
        BouncyCastleProvider bc = new BouncyCastleProvider();
        assertTrue(holder.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(bc).build(id.publicKey())));
        PublicKey other = KeyFixtures.e35Public();
        assertFalse(holder.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(bc).build(other)));
        cert.verify(id.publicKey()); // and the JDK agrees
        assertThrows(java.security.SignatureException.class, () -> cert.verify(other));
    }

    @Test
    void validityCoversNow() {
        Date now = new Date();
        assertTrue(holder.isValidOn(now));
        assertTrue(holder.getNotBefore().before(now));
        assertTrue(holder.getNotAfter().after(new Date(now.getTime() + 365L * 24 * 3600 * 1000)));
    }

    @Test
    void strictDer() throws Exception {
        // BouncyCastle re-encodes exactly what we wrote: no BER leniency was needed to parse it
        assertArrayEquals(cert.getEncoded(), ASN1Primitive.fromByteArray(cert.getEncoded()).getEncoded("DER"));
        ASN1Sequence tbs = ASN1Sequence.getInstance(ASN1Sequence.getInstance(cert.getEncoded()).getObjectAt(0));
        assertEquals(6, tbs.size(), "v1 TBSCertificate: serial, signature, issuer, validity, subject, spki");
    }
}
