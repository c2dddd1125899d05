package dev.cfrun.client;

import java.util.List;

/** The server sent more output lines than {@link RunRequest#maxOutputLines()} allows; the run was abandoned. */
public class OutputLimitExceededException extends CfRunException {
    private static final long serialVersionUID = 1L;

    private final long limit;

    public OutputLimitExceededException(long limit, List<ReplyLine> linesReceived) {
        super(ErrorKind.OUTPUT_LIMIT, "server sent more than " + limit + " output lines; run abandoned"
                + " (raise the limit with maxOutputLines)", null, List.of(), linesReceived);
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
