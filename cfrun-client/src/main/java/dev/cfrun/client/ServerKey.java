package dev.cfrun.client;

import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * A server's key as fetched by {@link CfRunClient#fetchServerKey}, with what the trust store says about it.
 *
 * @param host           the host as requested
 * @param address        the numeric address connected to
 * @param protocol       how the key was obtained: TLS (the server proved it holds the key) or CLASSIC
 *                       (the "n" form: the server only claimed it)
 * @param key            the key
 * @param digest         {@code MD5=…}, as cf-key -p prints it
 * @param shaDigest      {@code SHA=…}, the Enterprise form
 * @param status         trusted, unknown, or different from the key trusted for this address
 * @param expectedDigest the digest trusted for this address, if any
 */
public record ServerKey(HostAddress host, String address, Protocol protocol, RSAPublicKey key, String digest,
                        String shaDigest, Status status, Optional<String> expectedDigest) {

    /** What the trust store says about a server's key. */
    public enum Status {
        /** Trusted: a ppkeys file holds it, or it is the key recorded for this address. */
        TRUSTED,
        /** Not known to the trust store. */
        UNKNOWN,
        /** Another key is trusted for this address. */
        CHANGED
    }
}
