package dev.cfrun.client;

/** The server's key is not the one we trust for it. Nothing was sent to the server. */
public abstract class ServerKeyException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /** Digest of the key the server presented, or {@code null} when the protocol did not reveal it. */
    private final String presentedDigest;

    /**
     * Creates the failure for a subclass.
     *
     * @param kind            {@link ErrorKind#UNKNOWN_SERVER_KEY} or {@link ErrorKind#CHANGED_SERVER_KEY}
     * @param message         what happened, naming the server
     * @param presentedDigest digest of the key the server presented, or {@code null} if not revealed
     */
    protected ServerKeyException(ErrorKind kind, String message, String presentedDigest) {
        super(kind, message);
        this.presentedDigest = presentedDigest;
    }

    /**
     * Digest of the key the server presented ({@code MD5=…}), or {@code null} when the protocol did not
     * reveal it (classic "y" form with a server that could not decrypt our challenge).
     *
     * @return the presented key's digest, or {@code null}
     */
    public String presentedDigest() {
        return presentedDigest;
    }
}
