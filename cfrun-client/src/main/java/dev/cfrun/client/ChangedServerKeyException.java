package dev.cfrun.client;

/** The server presented a key other than the one trusted for its address: refused, always. */
public class ChangedServerKeyException extends ServerKeyException {
    private static final long serialVersionUID = 1L;

    private final String expectedDigest;

    public ChangedServerKeyException(String message, String expectedDigest, String presentedDigest) {
        super(ErrorKind.CHANGED_SERVER_KEY, message, presentedDigest);
        this.expectedDigest = expectedDigest;
    }

    /** Digest of the key trusted for this address. */
    public String expectedDigest() {
        return expectedDigest;
    }
}
