package dev.cfrun.client;

/** The server presented a key other than the one trusted for its address: refused, always. */
public class ChangedServerKeyException extends ServerKeyException {
    private static final long serialVersionUID = 1L;

    /** Digest of the key trusted for this address, as stored in the trust store. */
    private final String expectedDigest;

    /**
     * Creates the failure; the library throws it when the key presented differs from the trusted one.
     *
     * @param message         what happened, naming the server
     * @param expectedDigest  digest of the key trusted for the server's address ({@code MD5=…} or {@code SHA=…})
     * @param presentedDigest digest of the key the server presented, or {@code null} if the protocol did not reveal it
     */
    public ChangedServerKeyException(String message, String expectedDigest, String presentedDigest) {
        super(ErrorKind.CHANGED_SERVER_KEY, message, presentedDigest);
        this.expectedDigest = expectedDigest;
    }

    /**
     * Digest of the key trusted for this address.
     *
     * @return the trusted key's digest, in the same form as {@link #presentedDigest()}
     */
    public String expectedDigest() {
        return expectedDigest;
    }
}
