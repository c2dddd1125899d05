package dev.cfrun.client.internal.protocol.tls;

import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.internal.keys.Der;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The throw-away certificate a CFEngine peer presents: X.509 v1, self-signed with the CFEngine RSA key,
 * subject = issuer = {@code CN=a}, no extensions (cf-serverd makes the same kind in memory and never
 * checks anything but the public key inside). Built here with a few lines of DER, so that no
 * certificate library is loaded at start-up.
 */
public final class ClientCertificate {
    private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

    private ClientCertificate() {
    }

    public static X509Certificate create(ClientIdentity id) throws GeneralSecurityException {
        byte[] algorithm = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nullValue());
        byte[] name = Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME),
                Der.tlv(Der.UTF8_STRING, "a".getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
        byte[] validity = Der.sequence(utcTime(now.minusHours(1)), utcTime(now.plusYears(10)));
        byte[] tbs = Der.sequence(
                Der.integer(BigInteger.ONE),
                algorithm,
                name,
                validity,
                name,
                id.publicKey().getEncoded()); // SubjectPublicKeyInfo
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(id.privateKey());
        sig.update(tbs);
        byte[] cert = Der.sequence(tbs, algorithm, Der.bitString(sig.sign()));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert));
    }

    /** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
    private static byte[] utcTime(ZonedDateTime t) {
        if (t.getYear() >= 2050) {
            return Der.tlv(Der.GENERALIZED_TIME, GENERALIZED_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
        }
        return Der.tlv(Der.UTC_TIME, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }
}
