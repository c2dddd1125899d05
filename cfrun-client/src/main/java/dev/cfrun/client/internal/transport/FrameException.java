package dev.cfrun.client.internal.transport;

import java.io.IOException;

/** Bytes from the peer that are not a valid transaction (bad header, length out of range, line too long). */
public class FrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public FrameException(String message) {
        super(message);
    }
}
