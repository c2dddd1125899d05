package dev.cfrun.client;

/** The server's key is not the one we trust for it. Nothing was sent to the server. */
public abstract class ServerKeyException extends CfRunException {
    private static final long serialVersionUID = 1L;

    private final String presentedDigest;

    protected ServerKeyException(ErrorKind kind, String message, String presentedDigest) {
        super(kind, message);
        this.presentedDigest = presentedDigest;
    }

    /**
     * Digest of the key the server presented ({@code MD5=…}), or {@code null} when the protocol did not
     * reveal it (classic "y" form with a server that could not decrypt our challenge).
     */
    public String presentedDigest() {
        return presentedDigest;
    }
}
