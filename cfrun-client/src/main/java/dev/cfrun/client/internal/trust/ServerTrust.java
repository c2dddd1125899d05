package dev.cfrun.client.internal.trust;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ChangedServerKeyException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ServerKey;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.UnknownServerKeyException;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.keys.KeyDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * The trust decision for one host: the trust store says what is known, the policy what to do with an
 * unknown key. {@link #classify} is the one rule (trusted, unknown, or changed for this address), used by
 * the run (TLS and classic), by probing and by the classic changed-key recovery; {@link #verify} acts on
 * it. Fails closed: anything not explicitly trusted is refused.
 */
public final class ServerTrust {
    private static final Logger log = LoggerFactory.getLogger(ServerTrust.class);

    private final TrustStore store;
    private final TrustPolicy policy;
    private final HostAddress host;

    /**
     * What the trust store says about a key presented at an address.
     *
     * @param status   trusted, unknown, or different from the key trusted for this address
     * @param md5      the key's {@code MD5=…} digest
     * @param sha      the key's {@code SHA=…} digest
     * @param expected what the store expects at this address, if anything
     */
    public record Classification(ServerKey.Status status, String md5, String sha, Optional<TrustStore.Expected> expected) {
    }

    public ServerTrust(TrustStore store, TrustPolicy policy, HostAddress host) {
        this.store = store;
        this.policy = policy;
        this.host = host;
    }

    /** What the trust store expects at this address (classic needs the key before connecting). */
    public Optional<TrustStore.Expected> expectedAt(String address, int port) {
        return store.expectedAt(address, port, host.host());
    }

    /** The one rule: is this key, presented at this address, trusted, unknown, or a change? Stores nothing. */
    public Classification classify(String address, int port, RSAPublicKey key) {
        String md5 = KeyDigest.md5(key);
        String sha = KeyDigest.sha256(key);
        Optional<TrustStore.Expected> expected = expectedAt(address, port);
        ServerKey.Status status;
        if (expected.isPresent() && !expected.get().digest().equals(md5) && !expected.get().digest().equals(sha)) {
            status = ServerKey.Status.CHANGED;
        } else if (expected.flatMap(TrustStore.Expected::key).filter(k -> RsaKeys.sameKey(k, key)).isPresent()
                || store.isTrusted(key)) {
            status = ServerKey.Status.TRUSTED;
        } else {
            status = ServerKey.Status.UNKNOWN;
        }
        return new Classification(status, md5, sha, expected);
    }

    /** The key with its classification, as {@link dev.cfrun.client.CfRunClient#fetchServerKey} reports it. */
    public ServerKey keyStatus(String address, Protocol protocol, RSAPublicKey key) {
        Classification c = classify(address, host.port(), key);
        return new ServerKey(host, address, protocol, key, c.md5(), c.sha(), c.status(),
                c.expected().map(TrustStore.Expected::digest));
    }

    /** True if the policy pins this key (by either digest). */
    public boolean isPinned(Classification c) {
        return policy.isPinned(c.md5(), c.sha());
    }

    /**
     * Accepts the presented key or throws, called by each protocol at the moment it learns the server's key
     * and before it sends anything that depends on trusting it.
     *
     * @return true if the key was newly stored by this decision
     * @throws CfRunException a {@link dev.cfrun.client.ServerKeyException} if the key is not trusted,
     *                        a {@link KeyFileException} if storing it failed
     */
    public boolean verify(String address, int port, RSAPublicKey key) throws CfRunException {
        Classification c = classify(address, port, key);
        String endpoint = (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
        String md5 = c.md5();
        switch (c.status()) {
            case CHANGED -> {
                String was = c.expected().orElseThrow().digest();
                if (!isPinned(c)) {
                    throw changed(endpoint, c);
                }
                log.warn("server {} changed its key from {} to {}; accepted because {} is pinned", endpoint, was, md5, md5);
                store.trust(key, address, port);
                return true;
            }
            case TRUSTED -> {
                try {
                    store.record(address, port, md5);
                } catch (KeyFileException e) {
                    log.debug("could not record {} for {}: {}", md5, endpoint, e.getMessage());
                }
                return false;
            }
            default -> {
                if (policy.acceptsUnknown(host, address, md5, c.sha(), md5)) {
                    store.trust(key, address, port);
                    log.info("trusting new key {} of server {} ({})", md5, endpoint, policy.mode());
                    return true;
                }
                String pins = policy.mode() == TrustPolicy.Mode.PINNED
                        ? " (pinned: " + String.join(", ", policy.pinnedDigests()) + ")" : "";
                throw new UnknownServerKeyException("server " + endpoint + " presented key " + md5 + ", which is not"
                        + " trusted" + pins + " (no ppkeys/*-" + md5 + ".pub in " + store.directory() + "); nothing was"
                        + " sent to it. Check the digest on the server (cf-key -p <its workdir>/ppkeys/localhost.pub)"
                        + " and trust it explicitly", md5);
            }
        }
    }

    /** The one changed-key message. */
    private ChangedServerKeyException changed(String endpoint, Classification c) {
        TrustStore.Expected was = c.expected().orElseThrow();
        return new ChangedServerKeyException("server " + endpoint + " presented key " + c.md5() + ", but "
                + was.digest() + " is trusted for this address (" + was.source() + " in "
                + store.directory() + "); refusing: the server was reinstalled, or something is impersonating it."
                + " If the change is expected, check the new digest on the server (cf-key -p) and trust it"
                + " explicitly (pin " + c.md5() + ")", was.digest(), c.md5());
    }
}
