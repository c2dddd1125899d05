package dev.cfrun.client;

import java.util.List;

/** The server sent more output lines than {@link RunRequest#maxOutputLines()} allows; the run was abandoned. */
public class OutputLimitExceededException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /** The maximum number of output lines the run allowed. */
    private final long limit;

    /**
     * Creates the failure; the library throws it when the server sends more output lines than allowed.
     *
     * @param limit         the {@link RunRequest#maxOutputLines()} that was exceeded
     * @param linesReceived the reply lines received before the run was abandoned
     */
    public OutputLimitExceededException(long limit, List<ReplyLine> linesReceived) {
        super(ErrorKind.OUTPUT_LIMIT, "server sent more than " + limit + " output lines; run abandoned"
                + " (raise the limit with maxOutputLines)", null, List.of(), linesReceived);
        this.limit = limit;
    }

    /**
     * The limit that was exceeded.
     *
     * @return the maximum number of output lines the run allowed
     */
    public long limit() {
        return limit;
    }
}
