package dev.cfrun.client;

import java.util.List;
import java.util.Optional;

/**
 * The server refused the request: a {@code BAD:} reply, an {@code EXEC denied …} message, or a close
 * without a reply. The server's own text is kept verbatim; {@link #likelyCauses()} lists the cf-serverd
 * settings that produce this refusal (the real reason is only in the server's verbose log).
 */
public class ServerRefusedException extends CfRunException {
    private static final long serialVersionUID = 1L;

    private final String serverText;

    public ServerRefusedException(String message, String serverText, List<String> likelyCauses,
                                  List<ReplyLine> linesReceived) {
        super(ErrorKind.REFUSED, message, null, likelyCauses, linesReceived);
        this.serverText = serverText;
    }

    /** The refusal text as the server sent it, or empty for a silent close. */
    public Optional<String> serverText() {
        return Optional.ofNullable(serverText);
    }
}
