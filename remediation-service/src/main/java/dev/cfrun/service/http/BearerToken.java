package dev.cfrun.service.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The shared secret of the {@code /v1} endpoints, read from a token file that only its owner may read (like
 * ssh's keys), and checked in constant time against {@code Authorization: Bearer …}.
 */
public final class BearerToken {
    /** A token file larger than this is not a token file. */
    public static final int MAX_FILE_BYTES = 4096;
    private static final String PREFIX = "Bearer ";

    private final byte[] token;

    /**
     * @param token the secret, at least 16 characters, no whitespace
     * @throws IllegalArgumentException if too short or with whitespace
     */
    public BearerToken(String token) {
        if (token == null || token.length() < 16 || !token.chars().noneMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the token must be at least 16 characters without whitespace");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the token file: its first line, trimmed. Refuses a file readable or writable by group or others
     * (where POSIX permissions exist), an empty or oversize file.
     *
     * @param file the token file
     * @return the token
     * @throws IOException              if unreadable
     * @throws IllegalArgumentException if refused, with the reason
     */
    public static BearerToken read(Path file) throws IOException {
        String text = LocalFiles.readPrivate(file, "token file", MAX_FILE_BYTES).strip();
        int nl = text.indexOf('\n');
        String first = (nl < 0 ? text : text.substring(0, nl)).strip();
        if (first.isEmpty()) {
            throw new IllegalArgumentException("token file " + file + " is empty");
        }
        try {
            return new BearerToken(first);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("token file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param authorization the request's {@code Authorization} header, or null
     * @return {@code true} if it is {@code Bearer <this token>}, compared in constant time
     */
    public boolean matches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        byte[] given = authorization.substring(PREFIX.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }
}
