package dev.cfrun.client;

import java.util.Objects;

/**
 * One transaction of cf-serverd's reply to EXEC, classified.
 *
 * @param kind what the server meant by it
 * @param text the meaningful part: the agent's line without the {@code "> "} prefix, the command,
 *             the exit code digits, the refusal text after {@code BAD:}; never with a trailing newline
 * @param raw  the payload exactly as received (decoded as UTF-8, a trailing NUL removed), which is what
 *             cf-runagent prints
 */
public record ReplyLine(Kind kind, String text, String raw) {

    /** What a transaction of the EXEC reply is, judged by its text. */
    public enum Kind {
        /** {@code cf-serverd executing cfruncommand: <command>} (3.x) or {@code cfservd Executing <command>} (2.x). */
        COMMAND,
        /** A line of the remote agent's output (stdout and stderr merged by the server). */
        OUTPUT,
        /** {@code (exit code: N)}, sent by cf-serverd 3.18 and later. */
        EXIT_CODE,
        /** A {@code BAD: …} refusal. */
        REFUSAL,
        /** Any other text from the server, e.g. {@code EXEC denied role activation …}. */
        MESSAGE
    }

    /**
     * Checks that no component is {@code null}.
     *
     * @param kind what the server meant by it
     * @param text the meaningful part, without prefix or trailing newline
     * @param raw  the payload exactly as received
     */
    public ReplyLine {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(raw, "raw");
    }

    /**
     * A line of agent output (used by tests and fakes).
     *
     * @param text the agent's line, without the {@code "> "} prefix and newline
     * @return an {@link Kind#OUTPUT} line whose raw form is {@code "> "}, the text and a newline
     */
    public static ReplyLine output(String text) {
        return new ReplyLine(Kind.OUTPUT, text, "> " + text + "\n");
    }
}
