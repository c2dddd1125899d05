package dev.cfrun.client;

import java.util.List;

/** The peer sent something the CFEngine protocol does not allow (bad header, bad length, bad proof…). */
public class ProtocolViolationException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure with no cause and no received lines.
     *
     * @param message what the peer sent and why the protocol does not allow it
     */
    public ProtocolViolationException(String message) {
        super(ErrorKind.PROTOCOL, message);
    }

    /**
     * Creates the failure when decoding the peer's data failed with another exception.
     *
     * @param message what the peer sent and why the protocol does not allow it
     * @param cause   the decoding or cryptographic failure
     */
    public ProtocolViolationException(String message, Throwable cause) {
        super(ErrorKind.PROTOCOL, message, cause);
    }

    /**
     * Creates the failure for a violation in the middle of the EXEC reply.
     *
     * @param message       what the peer sent and why the protocol does not allow it
     * @param linesReceived the reply lines received before the violation
     */
    public ProtocolViolationException(String message, List<ReplyLine> linesReceived) {
        super(ErrorKind.PROTOCOL, message, null, List.of(), linesReceived);
    }
}
