package dev.cfrun.client;

import java.util.Locale;

/** Which CFEngine protocol to speak. */
public enum Protocol {
    /**
     * TLS first; classic only if the server does not speak TLS at all (the TLS handshake fails at the
     * transport level, as with CFEngine 2 cfservd). Trust failures and timeouts never fall back. Beware:
     * someone on the path who breaks the TLS handshake can push the run to classic, where EXEC and its
     * output travel in clear and unprotected. For mixed fleets with servers older than 3.7 only.
     */
    AUTO,
    /** TLS ("protocol_version" 2 or 3): the default here and of CFEngine 3.7 and later; confidential. */
    TLS,
    /**
     * Classic ("protocol_version" 1): RSA challenge/response, then EXEC and its output in clear.
     * A 3.x server accepts it only from addresses in {@code allowlegacyconnects}.
     */
    CLASSIC;

    /**
     * The protocol a user named: {@code tls}, {@code classic} or {@code auto}, in any case, surrounding
     * blanks ignored (as a command-line option or a configuration value gives it).
     *
     * @param name the name as the user wrote it
     * @return the protocol
     * @throws IllegalArgumentException with a message fit for the user (not "No enum constant …") when
     *         {@code name} is none of the three; {@code null} is refused the same way
     */
    public static Protocol parse(String name) {
        if (name != null) {
            switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "tls" -> {
                    return TLS;
                }
                case "classic" -> {
                    return CLASSIC;
                }
                case "auto" -> {
                    return AUTO;
                }
                default -> {
                }
            }
        }
        throw new IllegalArgumentException("protocol must be tls, classic or auto: '" + name + "'");
    }
}
