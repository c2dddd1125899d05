package dev.cfrun.client;

/** The TCP connection could not be opened (refused, unreachable, unknown host). */
public class ConnectFailedException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure; the library throws it when the TCP connection to cf-serverd cannot be opened.
     *
     * @param message what happened, naming the host and port
     * @param cause   the socket or name-resolution exception, or {@code null}
     */
    public ConnectFailedException(String message, Throwable cause) {
        super(ErrorKind.CONNECT, message, cause);
    }
}
