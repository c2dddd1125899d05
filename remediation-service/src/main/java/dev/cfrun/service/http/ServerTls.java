package dev.cfrun.service.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Optional TLS on the listener ({@code --tls-cert}, {@code --tls-key}): the JDK's {@link HttpsServer} with
 * TLS 1.3 and 1.2 only, and for TLS 1.2 only forward-secret AEAD cipher suites (ECDHE with AES-GCM or
 * ChaCha20-Poly1305). No client certificates: clients authenticate with the bearer token.
 * {@link #reload()} re-reads the files (a renewed certificate) for the following connections.
 */
public final class ServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    /** The protocol versions offered, best first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final Path certFile;
    private final Path keyFile;
    private final SwappingKeyManager keys;
    private final SSLContext context;
    private final String[] cipherSuites;

    private ServerTls(Path certFile, Path keyFile, TlsIdentity identity) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.keys = new SwappingKeyManager(identity);
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS: " + e.getMessage(), e);
        }
        cipherSuites = Arrays.stream(context.getDefaultSSLParameters().getCipherSuites())
                .filter(ServerTls::strong).toArray(String[]::new);
    }

    /**
     * Reads and checks the certificate chain and its key.
     *
     * @param certFile the certificate chain, PEM, the server's certificate first
     * @param keyFile  its unencrypted private key, PEM, readable by its owner only (may be {@code certFile})
     * @return the TLS configuration
     * @throws IllegalArgumentException one line naming the file: missing, unreadable, not PEM, no certificate,
     *                                  no or several keys, an encrypted key, a key readable by group or others,
     *                                  a key that does not match the certificate
     */
    public static ServerTls load(Path certFile, Path keyFile) {
        TlsIdentity identity = TlsIdentity.read(Objects.requireNonNull(certFile), Objects.requireNonNull(keyFile));
        warnIfOutOfDate(identity.certificate(), certFile, Clock.systemUTC().instant());
        return new ServerTls(certFile, keyFile, identity);
    }

    /**
     * Reads the files again and serves their certificate from the next connection on. If they cannot be
     * used, the current certificate stays.
     *
     * @throws IllegalArgumentException as {@link #load}, and nothing changed
     */
    public void reload() {
        TlsIdentity identity = TlsIdentity.read(certFile, keyFile);
        warnIfOutOfDate(identity.certificate(), certFile, Clock.systemUTC().instant());
        keys.swap(identity);
        LOG.info("TLS certificate reloaded: {}", describe());
    }

    /**
     * {@link #reload()} for a signal handler (SIGHUP): a refusal is logged as one line, the current certificate
     * stays.
     *
     * @return whether the files were loaded
     */
    public boolean tryReload() {
        try {
            reload();
            return true;
        } catch (RuntimeException e) {
            LOG.error("TLS certificate not reloaded, still serving {}: {}", describe(), e.getMessage());
            return false;
        }
    }

    /** @return the server certificate served now */
    public X509Certificate certificate() {
        return keys.identity().certificate();
    }

    /**
     * @return one line: subject, expiry and SHA-256 fingerprint of the certificate served now
     */
    public String describe() {
        X509Certificate c = certificate();
        String fingerprint;
        try {
            fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            fingerprint = "?";
        }
        return c.getSubjectX500Principal().getName() + ", valid until " + c.getNotAfter().toInstant()
                + ", SHA-256 " + fingerprint;
    }

    /**
     * @param address where to listen
     * @param backlog the listen backlog
     * @return an HTTPS server, bound, not started, offering only {@link #PROTOCOLS} and strong suites
     * @throws IOException if the address cannot be bound
     */
    HttpsServer bind(InetSocketAddress address, int backlog) throws IOException {
        HttpsServer server = HttpsServer.create(address, backlog);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(parameters());
            }
        });
        return server;
    }

    /** @return the parameters of every connection */
    SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(PROTOCOLS.toArray(String[]::new));
        p.setCipherSuites(cipherSuites.clone());
        p.setUseCipherSuitesOrder(true);
        p.setNeedClientAuth(false);
        p.setWantClientAuth(false);
        return p;
    }

    /**
     * @param suite a JDK cipher suite name
     * @return a TLS 1.3 suite, or a TLS 1.2 ECDHE suite with an AEAD cipher
     */
    static boolean strong(String suite) {
        if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
            return true;
        }
        return suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("_CHACHA20_"));
    }

    private static void warnIfOutOfDate(X509Certificate c, Path file, Instant now) {
        if (now.isAfter(c.getNotAfter().toInstant())) {
            LOG.warn("TLS certificate {} expired on {}: clients will refuse it", file, c.getNotAfter().toInstant());
        } else if (now.isBefore(c.getNotBefore().toInstant())) {
            LOG.warn("TLS certificate {} is not valid before {}: clients will refuse it", file,
                    c.getNotBefore().toInstant());
        }
    }
}
