package dev.cfrun.client;

import java.nio.file.Path;
import java.util.Optional;

/** Our own key files or trust store cannot be used: missing, unreadable, corrupt, or unsafe permissions. */
public class KeyFileException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /** The file concerned, or {@code null}; not serialized ({@link Path} is not serializable). */
    private final transient Path path;

    /**
     * Creates a failure that concerns no single file.
     *
     * @param message what is wrong with our keys or trust store
     */
    public KeyFileException(String message) {
        this(null, message, null);
    }

    /**
     * Creates a failure about one file; the message is prefixed with the file's path.
     *
     * @param path    the key or trust-store file concerned, or {@code null}
     * @param message what is wrong with it (missing, unreadable, corrupt, unsafe permissions)
     * @param cause   the underlying I/O or parse failure, or {@code null}
     */
    public KeyFileException(Path path, String message, Throwable cause) {
        super(ErrorKind.LOCAL_KEY, path == null ? message : path + ": " + message, cause);
        this.path = path;
    }

    /**
     * The file concerned, when there is one.
     *
     * @return the path of the key or trust-store file, or empty (always empty after deserialization)
     */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }
}
