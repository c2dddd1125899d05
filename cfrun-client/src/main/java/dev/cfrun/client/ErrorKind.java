package dev.cfrun.client;

/**
 * What went wrong, as a value a caller can switch on (and a JSON writer can print).
 * Every {@link CfRunException} has exactly one kind.
 */
public enum ErrorKind {
    /** The TCP connection could not be opened: refused, unreachable, name not resolvable. */
    CONNECT,
    /** A deadline passed; {@link RunTimeoutException#phase()} says which. */
    TIMEOUT,
    /** The server presented a key that is not trusted; nothing was sent to it. */
    UNKNOWN_SERVER_KEY,
    /** The server presented a key different from the one trusted for its address. */
    CHANGED_SERVER_KEY,
    /** The server did not accept our identity (key, user name) during the handshake. */
    AUTHENTICATION,
    /** The server refused the request (BAD: reply, EXEC denied, silent close after EXEC). */
    REFUSED,
    /** The connection ended in the middle of the run; the output received so far is attached. */
    CONNECTION_LOST,
    /** The server sent something the protocol does not allow. */
    PROTOCOL,
    /** The server sent more output than the configured limit. */
    OUTPUT_LIMIT,
    /** Our own key files or trust store could not be used (missing, corrupt, unsafe permissions). */
    LOCAL_KEY,
    /**
     * Our own configuration cannot be used: a {@code cfrun.hosts} file that is missing, unreadable or has an
     * error ({@link dev.cfrun.client.hosts.HostsFileException}); nothing was sent to any server.
     */
    LOCAL_CONFIG,
    /** The run was interrupted by the caller. */
    CANCELLED
}
