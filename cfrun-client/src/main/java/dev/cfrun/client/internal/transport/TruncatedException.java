package dev.cfrun.client.internal.transport;

import java.io.EOFException;

/** The peer closed the connection in the middle of a transaction or line. */
public class TruncatedException extends EOFException {
    private static final long serialVersionUID = 1L;

    public TruncatedException(String message) {
        super(message);
    }
}
