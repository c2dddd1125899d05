package dev.cfrun.client;

import java.nio.file.Path;
import java.util.Optional;

/** Our own key files or trust store cannot be used: missing, unreadable, corrupt, or unsafe permissions. */
public class KeyFileException extends CfRunException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    public KeyFileException(String message) {
        this(null, message, null);
    }

    public KeyFileException(Path path, String message, Throwable cause) {
        super(ErrorKind.LOCAL_KEY, path == null ? message : path + ": " + message, cause);
        this.path = path;
    }

    /** The file concerned, when there is one. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }
}
