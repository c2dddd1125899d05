package dev.cfrun.service.ingest;

/**
 * A request body that cannot be accepted: malformed JSON, a field of the wrong type, a missing required field,
 * or a body beyond the {@link Limits}. The message is one line, printable ASCII-safe and short, fit for the
 * body of a 400 answer; nothing of such a body is ever run.
 */
public final class PayloadException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int MAX_MESSAGE = 300;

    /**
     * An error with a reason.
     *
     * @param reason what is wrong, e.g. {@code alerts[0].labels: expected an object, got a string}; control
     *               characters are replaced and the text is cut to a bounded length
     */
    public PayloadException(String reason) {
        super(oneLine(reason));
    }

    /** The reason as one bounded line: control characters become '?', long texts end in "...". */
    static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_MESSAGE + 3));
        for (int i = 0; i < s.length() && sb.length() < MAX_MESSAGE; i++) {
            char c = s.charAt(i);
            sb.append(c < ' ' || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        if (s.length() > MAX_MESSAGE) {
            sb.append("...");
        }
        return sb.toString();
    }
}
