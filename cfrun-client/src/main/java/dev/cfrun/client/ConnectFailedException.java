package dev.cfrun.client;

/** The TCP connection could not be opened (refused, unreachable, unknown host). */
public class ConnectFailedException extends CfRunException {
    private static final long serialVersionUID = 1L;

    public ConnectFailedException(String message, Throwable cause) {
        super(ErrorKind.CONNECT, message, cause);
    }
}
