package dev.cfrun.client;

import java.util.List;

/** The calling thread was interrupted; the connection was closed. */
public class RunCancelledException extends CfRunException {
    private static final long serialVersionUID = 1L;

    public RunCancelledException(String message, List<ReplyLine> linesReceived) {
        super(ErrorKind.CANCELLED, message, null, List.of(), linesReceived);
    }
}
