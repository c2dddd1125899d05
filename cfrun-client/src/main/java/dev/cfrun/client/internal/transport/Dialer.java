package dev.cfrun.client.internal.transport;

import dev.cfrun.client.CfRunException;

/**
 * Opens connections to one host for one run, and takes them back. A step that needs a second connection
 * (the classic changed-key recovery, the TLS retry with every key-exchange group) asks for it here, so that
 * the client can still abort every open connection on close.
 */
public interface Dialer {
    /** A new connection to the run's host, under the run's deadlines. */
    Connection open() throws CfRunException;

    /** Closes a connection from {@link #open()} and forgets it; idempotent. */
    void release(Connection conn);
}
