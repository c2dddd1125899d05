package dev.cfrun.client;

import java.util.List;

/** The connection ended in the middle of the run. Every line received before is in {@link #linesReceived()}. */
public class ConnectionLostException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure; the library throws it when the server closes or resets the connection mid-run.
     *
     * @param message       what happened, naming the server
     * @param cause         the read failure (end of stream, reset, …) that ended the connection
     * @param linesReceived the reply lines received before the connection ended, in order
     */
    public ConnectionLostException(String message, Throwable cause, List<ReplyLine> linesReceived) {
        super(ErrorKind.CONNECTION_LOST, message, cause, List.of(), linesReceived);
    }
}
