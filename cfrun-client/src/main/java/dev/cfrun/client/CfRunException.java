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

    /** What went wrong; never {@code null}. */
    private final ErrorKind kind;
    /** Server-side settings that typically produce this failure; empty when the cause is certain. */
    private final List<String> likelyCauses;
    /** Reply lines received from the server before the failure; possibly empty. */
    private final List<ReplyLine> linesReceived;

    /**
     * Creates a failure without a cause, likely causes or received lines.
     *
     * @param kind    what went wrong
     * @param message what happened, for people
     */
    public CfRunException(ErrorKind kind, String message) {
        this(kind, message, null, List.of(), List.of());
    }

    /**
     * Creates a failure caused by another exception, without likely causes or received lines.
     *
     * @param kind    what went wrong
     * @param message what happened, for people
     * @param cause   the underlying failure (e.g. the socket's {@link IOException}), or {@code null}
     */
    public CfRunException(ErrorKind kind, String message, Throwable cause) {
        this(kind, message, cause, List.of(), List.of());
    }

    /**
     * Creates a failure with everything a report on it can show.
     *
     * @param kind          what went wrong
     * @param message       what happened, for people
     * @param cause         the underlying failure, or {@code null}
     * @param likelyCauses  server-side settings (cf-serverd access rules, {@code allowusers}, …) that typically
     *                      produce this failure when the server does not say why; empty when the cause is certain
     * @param linesReceived the reply lines the server sent before the failure, in order; possibly empty
     */
    public CfRunException(ErrorKind kind, String message, Throwable cause,
                          List<String> likelyCauses, List<ReplyLine> linesReceived) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.likelyCauses = List.copyOf(likelyCauses);
        this.linesReceived = List.copyOf(linesReceived);
    }

    /**
     * What went wrong.
     *
     * @return the kind of failure; never {@code null}
     */
    public ErrorKind kind() {
        return kind;
    }

    /**
     * Server-side settings that typically produce this failure; empty when the cause is certain.
     *
     * @return the likely causes, one per element, as people-readable text; unmodifiable
     */
    public List<String> likelyCauses() {
        return likelyCauses;
    }

    /**
     * Reply lines received from the server before the failure (possibly empty).
     *
     * @return the lines in the order the server sent them; unmodifiable
     */
    public List<ReplyLine> linesReceived() {
        return linesReceived;
    }
}
