package dev.cfrun.client;

import java.io.IOException;
import java.util.List;

/**
 * Root of every error this library reports. It is an {@link IOException} so that callers that only
 * care about "it did not work" can treat it like any other I/O failure; subclasses say what happened.
 * <p>
 * Every exception carries its {@link ErrorKind}, the likely causes (for failures whose real reason is
 * only visible in the server's log) and the reply lines received before the failure, if any.
 */
public class CfRunException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final List<String> likelyCauses;
    private final List<ReplyLine> linesReceived;

    public CfRunException(ErrorKind kind, String message) {
        this(kind, message, null, List.of(), List.of());
    }

    public CfRunException(ErrorKind kind, String message, Throwable cause) {
        this(kind, message, cause, List.of(), List.of());
    }

    public CfRunException(ErrorKind kind, String message, Throwable cause,
                          List<String> likelyCauses, List<ReplyLine> linesReceived) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.likelyCauses = List.copyOf(likelyCauses);
        this.linesReceived = List.copyOf(linesReceived);
    }

    /** What went wrong. */
    public ErrorKind kind() {
        return kind;
    }

    /** Server-side settings that typically produce this failure; empty when the cause is certain. */
    public List<String> likelyCauses() {
        return likelyCauses;
    }

    /** Reply lines received from the server before the failure (possibly empty). */
    public List<ReplyLine> linesReceived() {
        return linesReceived;
    }
}
