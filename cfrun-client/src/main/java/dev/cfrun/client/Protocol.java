package dev.cfrun.client;

/** Which CFEngine protocol to speak. */
public enum Protocol {
    /**
     * TLS first; classic only if the server does not speak TLS at all (the TLS handshake fails at the
     * transport level, as with CFEngine 2 cfservd). Trust failures never fall back.
     */
    AUTO,
    /** TLS ("protocol_version" 2 or 3): the default of CFEngine 3.7 and later; confidential. */
    TLS,
    /**
     * Classic ("protocol_version" 1): RSA challenge/response, then EXEC and its output in clear.
     * A 3.x server accepts it only from addresses in {@code allowlegacyconnects}.
     */
    CLASSIC
}
