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

    /** The refusal text as the server sent it, or {@code null} for a silent close. */
    private final String serverText;

    /**
     * Creates the failure; the library throws it when cf-serverd refuses the EXEC request.
     *
     * @param message       what happened, naming the server
     * @param serverText    the refusal text verbatim ({@code BAD: …}, {@code EXEC denied …}), or {@code null}
     *                      when the server closed without a reply
     * @param likelyCauses  cf-serverd settings that produce this refusal ({@code allowusers}, access rules,
     *                      {@code cfruncommand}, …); may be empty
     * @param linesReceived the reply lines received before the refusal
     */
    public ServerRefusedException(String message, String serverText, List<String> likelyCauses,
                                  List<ReplyLine> linesReceived) {
        super(ErrorKind.REFUSED, message, null, likelyCauses, linesReceived);
        this.serverText = serverText;
    }

    /**
     * The refusal text as the server sent it, or empty for a silent close.
     *
     * @return the server's text verbatim, or empty
     */
    public Optional<String> serverText() {
        return Optional.ofNullable(serverText);
    }
}
