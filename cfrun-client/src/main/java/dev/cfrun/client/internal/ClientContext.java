package dev.cfrun.client.internal;

import dev.cfrun.client.HostAddress;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.protocol.classic.ClassicHandshake;
import dev.cfrun.client.internal.protocol.tls.TlsContext;
import dev.cfrun.client.internal.transport.LocalName;
import dev.cfrun.client.internal.trust.ServerTrust;
import dev.cfrun.client.internal.trust.TrustStore;
import dev.cfrun.client.keys.ClientIdentity;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * What every run of one client shares, fixed at build time: identity, trust store and policy, protocol,
 * deadlines, user name, the open connections, and the TLS set-up (made on first use). Thread-safe.
 */
public final class ClientContext {
    private final ClientIdentity identity;
    private final TrustStore trustStore;
    private final TrustPolicy trustPolicy;
    private final Protocol protocol;
    private final Timeouts timeouts;
    private final String user;
    private final Connections connections = new Connections();
    private final ClassicHandshake.Credentials credentials;
    private volatile TlsContext tls;

    /**
     * @param clientHostName the name for the classic CAUTH line; null for the reverse lookup of our address
     */
    public ClientContext(ClientIdentity identity, TrustStore trustStore, TrustPolicy trustPolicy, Protocol protocol,
                         Timeouts timeouts, String user, String clientHostName) {
        this.identity = identity;
        this.trustStore = trustStore;
        this.trustPolicy = trustPolicy;
        this.protocol = protocol;
        this.timeouts = timeouts;
        this.user = user;
        this.credentials = new ClassicHandshake.Credentials(identity, new LocalName(clientHostName)::of,
                new SecureRandom());
    }

    public ClientIdentity identity() {
        return identity;
    }

    public TrustStore trustStore() {
        return trustStore;
    }

    public TrustPolicy trustPolicy() {
        return trustPolicy;
    }

    public Protocol protocol() {
        return protocol;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public String user() {
        return user;
    }

    public Connections connections() {
        return connections;
    }

    public ClassicHandshake.Credentials credentials() {
        return credentials;
    }

    /** The trust decision for one host. */
    public ServerTrust trust(HostAddress host) {
        return new ServerTrust(trustStore, trustPolicy, host);
    }

    /** Who talks to whom, for messages. */
    public Peer peer(String address, int port) {
        return new Peer(address, port, user, identity.digest());
    }

    /** The protocol to try first: TLS unless classic is configured. */
    public Protocol firstProtocol() {
        return protocol == Protocol.CLASSIC ? Protocol.CLASSIC : Protocol.TLS;
    }

    /** The JSSE set-up for our identity, made once. */
    public TlsContext tls() throws KeyFileException {
        TlsContext t = tls;
        if (t == null) {
            synchronized (this) {
                t = tls;
                if (t == null) {
                    try {
                        t = new TlsContext(identity);
                    } catch (GeneralSecurityException e) {
                        throw new KeyFileException(null, "cannot set up TLS with our key: " + e.getMessage(), e);
                    }
                    tls = t;
                }
            }
        }
        return t;
    }
}
