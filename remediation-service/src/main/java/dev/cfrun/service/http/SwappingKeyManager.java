package dev.cfrun.service.http;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * The server's key manager: one certificate chain and key, replaceable while the server runs. Each identity
 * gets its own alias, and the one it replaced stays known, so a handshake that chose its alias before a swap
 * still gets a chain and a key that belong together; the next handshake gets the new identity.
 */
final class SwappingKeyManager extends X509ExtendedKeyManager {
    private record Entry(String alias, TlsIdentity identity) {
    }

    private volatile Entry current;
    private volatile Entry previous;
    private int generation;

    /** @param first the identity to start with */
    SwappingKeyManager(TlsIdentity first) {
        swap(first);
    }

    /** @param next the identity of the following handshakes */
    synchronized void swap(TlsIdentity next) {
        previous = current;
        current = new Entry("cfrun-service-" + ++generation, next);
    }

    /** @return the identity of the next handshake */
    TlsIdentity identity() {
        return current.identity();
    }

    private String alias(String keyType) {
        Entry e = current;
        return e.identity().key().getAlgorithm().equals(keyType) ? e.alias() : null;
    }

    private TlsIdentity find(String alias) {
        Entry c = current;
        Entry p = previous;
        if (c.alias().equals(alias)) {
            return c.identity();
        }
        return p != null && p.alias().equals(alias) ? p.identity() : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String a = alias(keyType);
        return a == null ? null : new String[] {a};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsIdentity id = find(alias);
        return id == null ? null : id.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsIdentity id = find(alias);
        return id == null ? null : id.key();
    }

    /** A server has no client certificate. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    /** A server has no client certificate. */
    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
