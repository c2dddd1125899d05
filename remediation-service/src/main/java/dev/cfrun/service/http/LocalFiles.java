package dev.cfrun.service.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Reads the small local files the listener is configured with (the bearer token, the TLS certificate and key),
 * bounded, with one-line reasons that name the file. Secrets must be private to their owner, like ssh's keys.
 */
final class LocalFiles {
    private LocalFiles() {
    }

    /**
     * Reads a secret: refused if readable or writable by group or others (where POSIX permissions exist).
     *
     * @param file     the file (symbolic links followed)
     * @param what     what it is, for the messages ("token file")
     * @param maxBytes larger files are refused
     * @return its text (UTF-8)
     * @throws IOException              if unreadable
     * @throws IllegalArgumentException if missing, not private, not a regular file or too large
     */
    static String readPrivate(Path file, String what, int maxBytes) throws IOException {
        requireExists(file, what);
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null) {
            Set<PosixFilePermission> p = view.readAttributes().permissions();
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)
                    || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalArgumentException(what + " " + file
                        + " is accessible by group or others; chmod 600 it");
            }
        }
        return readBounded(file, what, maxBytes);
    }

    /**
     * Reads a file that need not be secret.
     *
     * @param file     the file (symbolic links followed)
     * @param what     what it is, for the messages ("TLS certificate file")
     * @param maxBytes larger files are refused
     * @return its text (UTF-8)
     * @throws IOException              if unreadable
     * @throws IllegalArgumentException if missing, not a regular file or too large
     */
    static String read(Path file, String what, int maxBytes) throws IOException {
        requireExists(file, what);
        return readBounded(file, what, maxBytes);
    }

    private static void requireExists(Path file, String what) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(what + " " + file + " does not exist");
        }
    }

    private static String readBounded(Path file, String what, int maxBytes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " " + file + " is not a regular file");
        }
        if (Files.size(file) > maxBytes) {
            throw new IllegalArgumentException(what + " " + file + " is larger than " + maxBytes + " bytes");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
