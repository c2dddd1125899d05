package dev.cfrun.client;

import java.time.Duration;
import java.util.Optional;

/**
 * What {@link CfRunClient#probe} found out about a server, without running anything.
 *
 * @param serverKey       the server's key and what the trust store says about it
 * @param authenticated   the server accepted our key and user name (TLS: {@code OK WELCOME}; classic:
 *                        {@code OK: key accepted}); false when we stopped because its key is not trusted
 * @param protocolVersion the protocol version agreed (1 classic, 2 or 3 TLS), 0 if identification did not happen
 * @param tlsVersion      the TLS version negotiated, for TLS
 * @param connect         time to open the TCP connection
 * @param handshake       time from connected to identified (or to the key, if we stopped there)
 */
public record ProbeResult(ServerKey serverKey, boolean authenticated, int protocolVersion, Optional<String> tlsVersion,
                          Duration connect, Duration handshake) {
}
