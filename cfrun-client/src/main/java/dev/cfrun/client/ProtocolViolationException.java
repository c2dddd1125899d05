package dev.cfrun.client;

import java.util.List;

/** The peer sent something the CFEngine protocol does not allow (bad header, bad length, bad proof…). */
public class ProtocolViolationException extends CfRunException {
    private static final long serialVersionUID = 1L;

    public ProtocolViolationException(String message) {
        super(ErrorKind.PROTOCOL, message);
    }

    public ProtocolViolationException(String message, Throwable cause) {
        super(ErrorKind.PROTOCOL, message, cause);
    }

    public ProtocolViolationException(String message, List<ReplyLine> linesReceived) {
        super(ErrorKind.PROTOCOL, message, null, List.of(), linesReceived);
    }
}
