package dev.cfrun.client;

/** The server presented a key that is not in the trust store, and the trust policy did not accept it. */
public class UnknownServerKeyException extends ServerKeyException {
    private static final long serialVersionUID = 1L;

    public UnknownServerKeyException(String message, String presentedDigest) {
        super(ErrorKind.UNKNOWN_SERVER_KEY, message, presentedDigest);
    }
}
