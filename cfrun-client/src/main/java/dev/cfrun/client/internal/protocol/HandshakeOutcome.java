package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.trust.TrustStore;

/**
 * How a handshake ended, as a value the caller decides on (instead of exceptions thrown across layers).
 * Failures that no caller recovers from (timeouts, refusals after the session exists, untrusted keys) are
 * still thrown.
 */
public sealed interface HandshakeOutcome {

    /**
     * The server and we are authenticated on {@code conn} (the connection the handshake started on, or a
     * new one when a step had to connect again). For classic, the last two handshake messages are still
     * queued on it: the EXEC request's {@code sendQueued()} sends them.
     */
    record Authenticated(Connection conn, HandshakeResult result) implements HandshakeOutcome {
    }

    /**
     * No TLS session came about: the server refused or answered the ClientHello with something else. It may
     * not speak TLS at all ({@link dev.cfrun.client.Protocol#AUTO} then tries classic); {@code error} is what
     * to report otherwise.
     */
    record NoTlsSession(CfRunException error) implements HandshakeOutcome {
    }

    /**
     * Classic "y" form: the server ended the dialogue before it proved it holds the key we trust for its
     * address (it closed, or refused after failing to decrypt our challenge). Its key is probably another
     * one: {@code ChangedKeyRecovery} finds out; {@code failure} is what to report if it is not.
     */
    record KeyNotProven(TrustStore.Expected expected, CfRunException failure) implements HandshakeOutcome {
    }
}
