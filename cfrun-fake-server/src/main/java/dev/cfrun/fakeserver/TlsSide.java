package dev.cfrun.fakeserver;

import dev.cfrun.fakeserver.FakeCfServerd.Opening;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Stage;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v1CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cf-serverd's TLS side: its server context (mutual TLS with a v1 {@code CN=a} certificate of its CFEngine
 * key, any client certificate accepted at the TLS layer), then the identification dialogue: version line,
 * the client's {@code CFE_vN} and {@code IDENTITY} lines, {@code OK WELCOME}.
 */
final class TlsSide {
    private final FakeCfServerd f;

    TlsSide(FakeCfServerd f) {
        this.f = f;
    }

    void dialogue(Conn c, Session s, byte[] first) throws IOException, HangUp {
        SSLSocket ssl = (SSLSocket) f.tls.getSocketFactory().createSocket(c.tcp, new ByteArrayInputStream(first), true);
        ssl.setUseClientMode(false);
        ssl.setNeedClientAuth(true); // cf-serverd: SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        List<String> protocols = Arrays.asList(ssl.getSupportedProtocols());
        ssl.setEnabledProtocols(Arrays.stream(f.tlsProtocols).filter(protocols::contains).toArray(String[]::new));
        List<String> suites = Arrays.asList(ssl.getSupportedCipherSuites()); // cf-serverd's defaults:
        ssl.setEnabledCipherSuites(Arrays.stream(new String[] {"TLS_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_256_CBC_SHA"}).filter(suites::contains).toArray(String[]::new));
        ssl.startHandshake();
        c.top = ssl;
        c.in = ssl.getInputStream();
        c.out = ssl.getOutputStream();
        s.tlsVersion = ssl.getSession().getProtocol();
        s.clientKey = (RSAPublicKey) ssl.getSession().getPeerCertificates()[0].getPublicKey();
        if (f.closeAt == Stage.TLS_HANDSHAKE) {
            throw new HangUp("closed after the TLS handshake");
        }
        if (f.opening == Opening.TRICKLE_IDENTIFICATION) {
            byte[] endless = (f.versionLine + " " + "x".repeat(2000)).getBytes(StandardCharsets.US_ASCII);
            c.trickle(s, f.trickleInterval.toMillis(), () -> f.closed, endless);
            return;
        }
        c.send((f.versionLine + "\n").getBytes(StandardCharsets.US_ASCII));
        String hello = readLine(c, s);
        if (hello == null) {
            s.end = "client left before its version line";
            return;
        }
        // cf-serverd parses only "CFE_v%d" and refuses 1 and anything above its own version
        Matcher ours = Pattern.compile("CFE_v(\\d+).*").matcher(f.versionLine);
        int latest = ours.matches() ? Integer.parseInt(ours.group(1)) : 3;
        Matcher m = Pattern.compile("CFE_v(\\d+) .*").matcher(hello);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 2 || Integer.parseInt(m.group(1)) > latest) {
            throw new HangUp("refused the client's version line '" + hello + "'");
        }
        s.clientVersion = Integer.parseInt(m.group(1));
        String identity = readLine(c, s);
        if (identity == null || !identity.startsWith("IDENTITY ")) {
            throw new HangUp("no IDENTITY line: " + identity);
        }
        String user = "";
        for (String kv : identity.substring("IDENTITY ".length()).split(" ")) {
            if (kv.startsWith("USERNAME=")) {
                user = kv.substring("USERNAME=".length());
            }
        }
        s.user = user;
        if (f.closeAt == Stage.IDENTITY || !f.clientAllowed(s.clientKey) || user.contains("/") || user.contains("\\")) {
            throw new HangUp("TRUST FAILED, or a bad identity: closed after IDENTITY");
        }
        c.send((user.isEmpty() ? "OK WELCOME\n" : "OK WELCOME USERNAME=" + user + "\n").getBytes(StandardCharsets.US_ASCII));
        new ExecScript(f).exec(c, s);
    }

    /** An identification line (cf-serverd's buffer is 1024 bytes), counting every byte received. */
    private static String readLine(Conn c, Session s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int x = c.in.read(); x >= 0; x = c.in.read()) {
            s.applicationBytesReceived++;
            if (x == '\n') {
                s.identificationLines.add(b.toString(StandardCharsets.US_ASCII));
                return b.toString(StandardCharsets.US_ASCII);
            }
            if (b.size() == 1024) {
                throw new IOException("identification line too long");
            }
            b.write(x);
        }
        return null;
    }

    /** cf-serverd's server context for this key pair. */
    static SSLContext context(KeyPair kp, SecureRandom random) {
        try {
            X509Certificate cert = certificate(kp);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "fake".toCharArray();
            ks.setKeyEntry("cfengine", kp.getPrivate(), pw, new Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {new AcceptAnyCertificate()}, random);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The throw-away certificate cf-serverd presents: X.509 v1, self-signed with its CFEngine key, subject =
     * issuer = {@code CN=a}, no extensions (written with BouncyCastle, not with the client's DER code).
     */
    static X509Certificate certificate(KeyPair kp) throws GeneralSecurityException {
        X500Name name = new X500Name("CN=a");
        long now = System.currentTimeMillis();
        try {
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v1CertificateBuilder(name, BigInteger.ONE,
                    new Date(now - 3_600_000L), new Date(now + 3650L * 86_400_000L), name, kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** cf-serverd accepts any certificate at the TLS layer and checks the key in it after IDENTITY. */
    private static final class AcceptAnyCertificate extends X509ExtendedTrustManager {
        // @formatter:off
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        // @formatter:on
    }
}
