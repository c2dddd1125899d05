package dev.cfrun.client;

import java.util.List;

/** The connection ended in the middle of the run. Every line received before is in {@link #linesReceived()}. */
public class ConnectionLostException extends CfRunException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message, Throwable cause, List<ReplyLine> linesReceived) {
        super(ErrorKind.CONNECTION_LOST, message, cause, List.of(), linesReceived);
    }
}
