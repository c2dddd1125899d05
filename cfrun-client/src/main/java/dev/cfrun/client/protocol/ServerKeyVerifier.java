package dev.cfrun.client.protocol;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.keys.TrustStore;

import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * The trust decision, called by each protocol at the moment it learns the server's key and before it
 * sends anything that depends on trusting it. Implemented by the client from its trust store and policy.
 */
public interface ServerKeyVerifier {

    /** What the trust store expects at this address (classic needs the key before connecting). */
    Optional<TrustStore.Expected> expectedAt(String address, int port);

    /**
     * Accepts the presented key or throws.
     *
     * @return true if the key was newly stored by this decision
     * @throws CfRunException a {@link dev.cfrun.client.ServerKeyException} if the key is not trusted,
     *                        a {@link dev.cfrun.client.KeyFileException} if storing it failed
     */
    boolean verify(String address, int port, RSAPublicKey key) throws CfRunException;
}
