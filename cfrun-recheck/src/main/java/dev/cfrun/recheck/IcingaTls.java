package dev.cfrun.recheck;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS side of {@link IcingaApi}: an SSLContext that trusts only the certificates of one CA file. Host
 * names stay verified (the JDK HttpClient sets endpoint identification to HTTPS and the PKIX trust manager
 * checks it). The trust manager remembers the names of the last certificate it refused, so that a host-name
 * mismatch can say which name to use.
 */
final class IcingaTls {
    final SSLContext context;
    private final AtomicReference<List<String>> refusedNames = new AtomicReference<>(List.of());

    IcingaTls(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new CertificateException("no certificate in " + caFile);
        }
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        X509ExtendedTrustManager pkix = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                pkix = x;
            }
        }
        if (pkix == null) {
            throw new GeneralSecurityException("no X509ExtendedTrustManager from PKIX");
        }
        context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new Remembering(pkix)}, null);
    }

    /** The DNS names and IP addresses of the certificate refused last (subject alternative names). */
    List<String> refusedNames() {
        return refusedNames.get();
    }

    private interface Check {
        void run() throws CertificateException;
    }

    /** Delegates every check (host name included) and records the names of a refused server certificate. */
    private final class Remembering extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager d;

        Remembering(X509ExtendedTrustManager d) {
            this.d = d;
        }

        private void remember(X509Certificate[] chain) {
            List<String> names = new ArrayList<>();
            try {
                if (chain != null && chain.length > 0 && chain[0].getSubjectAlternativeNames() != null) {
                    for (List<?> san : chain[0].getSubjectAlternativeNames()) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            } catch (CertificateParsingException e) {
                // keep what we have
            }
            refusedNames.set(List.copyOf(names));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            remembering(chain, () -> d.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            remembering(chain, () -> d.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            remembering(chain, () -> d.checkServerTrusted(chain, authType));
        }

        private void remembering(X509Certificate[] chain, Check check) throws CertificateException {
            try {
                check.run();
            } catch (CertificateException e) {
                remember(chain);
                throw e;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            d.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            d.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            d.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return d.getAcceptedIssuers();
        }
    }
}
