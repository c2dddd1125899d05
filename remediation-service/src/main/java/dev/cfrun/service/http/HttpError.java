package dev.cfrun.service.http;

/**
 * An answer other than success, decided while handling a request: the status and a one-line reason sent as
 * {@code text/plain}. Never carries a stack trace to the client.
 */
public final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;

    /** The HTTP status to answer. */
    private final int status;

    /**
     * @param status the HTTP status (4xx or 5xx)
     * @param reason one line, sent to the client
     */
    public HttpError(int status, String reason) {
        super(oneLine(reason), null, false, false);
        this.status = status;
    }

    /** @return the HTTP status to answer */
    public int status() {
        return status;
    }

    /**
     * A reason fit for one line of a response body: line breaks become spaces, at most 500 characters.
     *
     * @param s any text, possibly null
     * @return one line
     */
    public static String oneLine(String s) {
        String t = s == null ? "error" : s.replaceAll("[\\r\\n\\t]+", " ").strip();
        return t.length() > 500 ? t.substring(0, 500) + "…" : t;
    }
}
