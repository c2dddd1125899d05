package dev.cfrun.client;

import java.util.List;

/** The calling thread was interrupted; the connection was closed. */
public class RunCancelledException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure; the library throws it when the thread running the request is interrupted.
     *
     * @param message       what was interrupted, naming the server
     * @param linesReceived the reply lines received before the interruption
     */
    public RunCancelledException(String message, List<ReplyLine> linesReceived) {
        super(ErrorKind.CANCELLED, message, null, List.of(), linesReceived);
    }
}
