package dev.cfrun.client;

import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.RsaKeys;
import dev.cfrun.client.keys.TrustStore;
import dev.cfrun.client.protocol.ServerKeyVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * The trust decision for one run: the trust store says what is known, the policy what to do with an
 * unknown key. Fails closed: anything not explicitly trusted is refused.
 */
final class ServerTrust implements ServerKeyVerifier {
    private static final Logger log = LoggerFactory.getLogger(ServerTrust.class);

    private final TrustStore store;
    private final TrustPolicy policy;
    private final HostAddress host;

    ServerTrust(TrustStore store, TrustPolicy policy, HostAddress host) {
        this.store = store;
        this.policy = policy;
        this.host = host;
    }

    @Override
    public Optional<TrustStore.Expected> expectedAt(String address, int port) {
        return store.expectedAt(address, port, host.host());
    }

    @Override
    public boolean verify(String address, int port, RSAPublicKey key) throws CfRunException {
        String md5 = KeyDigest.md5(key);
        String sha = KeyDigest.sha256(key);
        String endpoint = (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
        Optional<TrustStore.Expected> expected = expectedAt(address, port);
        if (expected.isPresent() && !expected.get().digest().equals(md5) && !expected.get().digest().equals(sha)) {
            if (policy.isPinned(md5, sha)) {
                log.warn("server {} changed its key from {} to {}; accepted because {} is pinned", endpoint,
                        expected.get().digest(), md5, md5);
                store.trust(key, address, port);
                return true;
            }
            throw new ChangedServerKeyException("server " + endpoint + " presented key " + md5 + ", but "
                    + expected.get().digest() + " is trusted for this address (" + expected.get().source() + " in "
                    + store.directory() + "); refusing: the server was reinstalled, or something is impersonating it."
                    + " If the change is expected, check the new digest on the server (cf-key -p) and trust it"
                    + " explicitly (pin " + md5 + ")", expected.get().digest(), md5);
        }
        boolean pinnedByAddress = expected.flatMap(TrustStore.Expected::key).filter(k -> RsaKeys.sameKey(k, key)).isPresent();
        if (pinnedByAddress || store.isTrusted(key)) {
            try {
                store.record(address, port, md5);
            } catch (KeyFileException e) {
                log.debug("could not record {} for {}: {}", md5, endpoint, e.getMessage());
            }
            return false;
        }
        if (policy.acceptsUnknown(host, address, md5, sha, md5)) {
            store.trust(key, address, port);
            log.info("trusting new key {} of server {} ({})", md5, endpoint, policy.mode());
            return true;
        }
        String pins = policy.mode() == TrustPolicy.Mode.PINNED ? " (pinned: " + String.join(", ", policy.pinnedDigests()) + ")" : "";
        throw new UnknownServerKeyException("server " + endpoint + " presented key " + md5 + ", which is not trusted"
                + pins + " (no ppkeys/*-" + md5 + ".pub in " + store.directory() + "); nothing was sent to it."
                + " Check the digest on the server (cf-key -p <its workdir>/ppkeys/localhost.pub) and trust it"
                + " explicitly", md5);
    }
}
