package dev.cfrun.client;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * CFEngine class and bundle names as cf-serverd accepts them in an EXEC request: letters, digits, {@code _}
 * and {@code :} (a namespace separator), at most {@value #MAX_LENGTH} characters — its CharsetAcceptable check.
 * {@link #canonify(String)} turns any text into a name, as CFEngine's {@code canonify()} (CanonifyName) does.
 */
public final class ClassNames {
    /** The longest name accepted locally. */
    public static final int MAX_LENGTH = 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_:]+");

    private ClassNames() {
    }

    /**
     * Whether cf-serverd accepts this as a class or bundle name.
     *
     * @param name a class or bundle name, without the {@code -D}/{@code -b} option
     * @return {@code true} if it has only letters, digits, {@code _} and {@code :} and is at most
     *         {@value #MAX_LENGTH} characters long
     */
    public static boolean isValid(String name) {
        return NAME.matcher(name).matches() && name.length() <= MAX_LENGTH;
    }

    /**
     * Checks a class or bundle name.
     *
     * @param name the name to check
     * @param what "class" or "bundle", for the message
     * @return the name
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String check(String name, String what) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + what + " name '" + name
                    + "': cf-serverd accepts only letters, digits, '_' and ':'");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " name too long (" + name.length() + " characters)");
        }
        return name;
    }

    /**
     * CFEngine's {@code canonify()}: every byte of the UTF-8 form outside {@code [A-Za-z0-9_]} becomes {@code _},
     * so "HTTP-ours" gives {@code HTTP_ours} and "café" gives {@code caf__}, as in policy. The result has no
     * {@code :}; it is a valid name unless the text is empty or longer than {@value #MAX_LENGTH} bytes.
     *
     * @param text any text, e.g. a host or service name
     * @return the canonified name; as long as the text's UTF-8 form
     */
    public static String canonify(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            sb.append((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        return sb.toString();
    }
}
