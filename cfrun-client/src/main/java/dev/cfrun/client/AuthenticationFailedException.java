package dev.cfrun.client;

import java.util.List;

/** The server did not accept our identity: our key, or the user name we claimed. */
public class AuthenticationFailedException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /** The server's own text about the refusal, or {@code null} when it just closed the connection. */
    private final String serverText;

    /**
     * Creates the failure; the library throws it when the server rejects our key or claimed user name.
     *
     * @param message      what happened, naming the server
     * @param serverText   the server's reply verbatim, or {@code null} when it closed without one
     * @param likelyCauses typical server-side reasons (our key not installed in its {@code ppkeys} for the
     *                     user, our address not in {@code trustkeysfrom}); may be empty
     * @param cause        the underlying failure, or {@code null}
     */
    public AuthenticationFailedException(String message, String serverText, List<String> likelyCauses, Throwable cause) {
        super(ErrorKind.AUTHENTICATION, message, cause, likelyCauses, List.of());
        this.serverText = serverText;
    }

    /**
     * What the server said, if it said anything (it often just closes the connection).
     *
     * @return the server's reply verbatim, or empty when it closed the connection silently
     */
    public java.util.Optional<String> serverText() {
        return java.util.Optional.ofNullable(serverText);
    }
}
