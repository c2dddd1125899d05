package dev.cfrun.client.internal.transport;

import java.nio.charset.StandardCharsets;

/**
 * One CFEngine transaction: a status byte ({@code t} = done, {@code m} = more follows) and a payload of
 * 1 to {@value Frames#MAX_PAYLOAD} bytes.
 */
public record Frame(char status, byte[] payload) {

    public boolean more() {
        return status == Frames.MORE;
    }

    /** The payload as text (UTF-8, invalid bytes replaced) without one trailing NUL. */
    public String text() {
        int len = payload.length;
        if (len > 0 && payload[len - 1] == 0) {
            len--;
        }
        return new String(payload, 0, len, StandardCharsets.UTF_8);
    }
}
