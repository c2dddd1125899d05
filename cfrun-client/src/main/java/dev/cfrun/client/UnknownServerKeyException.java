package dev.cfrun.client;

/** The server presented a key that is not in the trust store, and the trust policy did not accept it. */
public class UnknownServerKeyException extends ServerKeyException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure; the library throws it when the trust policy rejects a key it has not seen.
     *
     * @param message         what happened, naming the server
     * @param presentedDigest digest of the key the server presented, or {@code null} if not revealed
     */
    public UnknownServerKeyException(String message, String presentedDigest) {
        super(ErrorKind.UNKNOWN_SERVER_KEY, message, presentedDigest);
    }
}
