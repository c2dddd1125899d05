package dev.cfrun.client.internal.protocol.tls;

import dev.cfrun.client.keys.ClientIdentity;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSSE set-up for talking to cf-serverd, built once per client identity and shared by every
 * connection (an {@link SSLContext} is thread-safe).
 * <ul>
 *   <li>our key manager always presents the in-memory certificate of our CFEngine key (cf-serverd requires
 *       a client certificate);</li>
 *   <li>our trust manager accepts any server certificate <em>at the TLS layer only</em>: cf-serverd's
 *       certificates are self-signed throw-aways, and trust is decided by pinning the RSA key inside
 *       against the ppkeys trust store right after the handshake, before any byte is sent
 *       ({@link TlsHandshake}). The handshake itself still proves the server holds that key;</li>
 *   <li>TLS 1.3 first, TLS 1.2 for servers without it. cf-serverd's TLS 1.2 suites are static-RSA
 *       (AES256-GCM-SHA384, AES256-SHA); we offer them where the JDK allows (JDK 24+ disables them
 *       by default and we do not change JVM-wide security settings).</li>
 * </ul>
 */
public final class TlsContext {
    static final String ALIAS = "cfengine";
    private static final String[] CFENGINE_TLS12_SUITES = {
        "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA"
    };

    private final SSLContext context;
    private final String[] protocols;
    private final String[] suites;

    public TlsContext(ClientIdentity identity) throws GeneralSecurityException {
        X509Certificate cert = ClientCertificate.create(identity);
        context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new CfEngineKeyManager(cert, identity.privateKey())},
                new TrustManager[] {new PinAfterHandshakeTrustManager()}, new SecureRandom());
        SSLParameters supported = context.getSupportedSSLParameters();
        List<String> protos = new ArrayList<>();
        for (String p : new String[] {"TLSv1.3", "TLSv1.2"}) {
            if (Arrays.asList(supported.getProtocols()).contains(p)) {
                protos.add(p);
            }
        }
        protocols = protos.toArray(new String[0]);
        Set<String> s = new LinkedHashSet<>(Arrays.asList(context.getDefaultSSLParameters().getCipherSuites()));
        List<String> sup = Arrays.asList(supported.getCipherSuites());
        for (String cs : CFENGINE_TLS12_SUITES) {
            if (sup.contains(cs)) {
                s.add(cs);
            }
        }
        suites = s.toArray(new String[0]);
        context.getClientSessionContext().setSessionCacheSize(1);
    }

    /**
     * Initialises the JDK's TLS implementation (providers, protocol and cipher suite tables, algorithm
     * constraints): the per-process part of {@link #TlsContext(ClientIdentity)}, which does not depend on the
     * key. Failures are left for the real set-up to report.
     */
    public static void warmUp() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new KeyManager[0], new TrustManager[] {new PinAfterHandshakeTrustManager()}, null);
            c.getSupportedSSLParameters();
            c.getDefaultSSLParameters();
        } catch (GeneralSecurityException | RuntimeException e) {
            // the real set-up reports it
        }
    }

    /**
     * A client socket layered over an open TCP connection.
     *
     * @param shares {@link KeyShares#X25519_ONLY} for the first attempt (see there), {@link KeyShares#ALL_GROUPS}
     *               for a server that refused that
     */
    public SSLSocket layer(Socket tcp, String host, int port, KeyShares shares) throws java.io.IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true);
        s.setUseClientMode(true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(protocols);
        p.setCipherSuites(suites);
        if (shares == KeyShares.X25519_ONLY) {
            p.setAlgorithmConstraints(XdhGroupsOnly.INSTANCE);
        }
        s.setSSLParameters(p);
        return s;
    }

    /**
     * Which TLS 1.3 key-exchange groups a ClientHello offers. The JDK sends a key share for the first group of
     * each kind it offers, X25519 <em>and</em> P-256, and generating the P-256 one (in Java) is a third of the
     * client's handshake CPU; cf-serverd (OpenSSL 1.1.1+) picks X25519 and throws the P-256 share away.
     * So the first attempt offers the X25519/X448 groups only; a server that answers that with a
     * {@code handshake_failure} alert (an OpenSSL without X25519, as in FIPS mode) is tried once more, on a
     * new connection, with every group ({@link #needsAllGroups}). TLS 1.2 (cf-serverd's static-RSA suites)
     * uses no group at all.
     */
    public enum KeyShares {
        X25519_ONLY, ALL_GROUPS
    }

    /**
     * Whether a failed first handshake (with {@link KeyShares#X25519_ONLY}) deserves a second one with every
     * group: the server sent {@code handshake_failure} or {@code insufficient_security}, what a TLS 1.3
     * server without a common group answers.
     */
    public static boolean needsAllGroups(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) { // bounded: a cause chain may loop
            if (t instanceof javax.net.ssl.SSLHandshakeException && t.getMessage() != null
                    && (t.getMessage().contains("handshake_failure") || t.getMessage().contains("insufficient_security"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Algorithm constraints (for one socket, on top of the JDK's own) that take every key-agreement group
     * but X25519 and X448 out of the ClientHello. Nothing else is affected: signatures, certificates and
     * ciphers are still decided by the JDK's configuration alone.
     */
    static final class XdhGroupsOnly implements AlgorithmConstraints {
        static final XdhGroupsOnly INSTANCE = new XdhGroupsOnly();

        /** The JDK's TLS named groups that are not X25519/X448 (the EC, FFDHE and legacy curves). */
        static boolean otherGroup(String name) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            return n.startsWith("secp") || n.startsWith("sect") || n.startsWith("ffdhe") || n.startsWith("brainpool")
                    || n.startsWith("prime") || n.startsWith("arbitrary_explicit");
        }

        @Override
        public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, AlgorithmParameters parameters) {
            return algorithm == null || !primitives.contains(CryptoPrimitive.KEY_AGREEMENT) || !otherGroup(algorithm);
        }

        @Override
        public boolean permits(Set<CryptoPrimitive> primitives, Key key) {
            return true;
        }

        @Override
        public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, Key key, AlgorithmParameters parameters) {
            return permits(primitives, algorithm, parameters);
        }
    }

    /** Presents our one certificate whatever the server asks for (its CA list is empty anyway). */
    private static final class CfEngineKeyManager extends X509ExtendedKeyManager {
        private final X509Certificate cert;
        private final PrivateKey key;

        CfEngineKeyManager(X509Certificate cert, PrivateKey key) {
            this.cert = cert;
            this.key = key;
        }

        private static boolean rsa(String[] types) {
            if (types == null) {
                return true;
            }
            for (String t : types) {
                if (t != null && t.startsWith("RSA")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return rsa(new String[] {keyType}) ? new String[] {ALIAS} : null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return rsa(keyType) ? ALIAS : null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return rsa(keyType) ? ALIAS : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? new X509Certificate[] {cert} : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }

    /**
     * Accepts the server's certificate at the TLS layer: the decision is made by {@link TlsHandshake}
     * on the key inside, against the trust store, before the first byte of data is sent. Not an
     * accept-all: nothing proceeds without that check.
     */
    private static final class PinAfterHandshakeTrustManager extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws java.security.cert.CertificateException {
            requireChain(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws java.security.cert.CertificateException {
            requireChain(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            requireChain(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client-side trust manager");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client-side trust manager");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client-side trust manager");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }

        private static void requireChain(X509Certificate[] chain) throws java.security.cert.CertificateException {
            if (chain == null || chain.length == 0) {
                throw new java.security.cert.CertificateException("server sent no certificate");
            }
        }
    }
}
