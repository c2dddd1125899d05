package dev.cfrun.client;

import java.util.List;

/** The server did not accept our identity: our key, or the user name we claimed. */
public class AuthenticationFailedException extends CfRunException {
    private static final long serialVersionUID = 1L;

    private final String serverText;

    public AuthenticationFailedException(String message, String serverText, List<String> likelyCauses, Throwable cause) {
        super(ErrorKind.AUTHENTICATION, message, cause, likelyCauses, List.of());
        this.serverText = serverText;
    }

    /** What the server said, if it said anything (it often just closes the connection). */
    public java.util.Optional<String> serverText() {
        return java.util.Optional.ofNullable(serverText);
    }
}
