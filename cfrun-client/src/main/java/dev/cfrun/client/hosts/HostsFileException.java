package dev.cfrun.client.hosts;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ErrorKind;

/**
 * A {@code cfrun.hosts} file that cannot be used: missing, unreadable, too large, an error on a line (the
 * message names the file and line), or a host asked for that the file does not list. Its kind is
 * {@link ErrorKind#LOCAL_CONFIG}.
 */
public final class HostsFileException extends CfRunException {
    private static final long serialVersionUID = 1L;

    /**
     * An error with its message (which names the file and line where there is one).
     *
     * @param message what is wrong, naming the file and line where there is one
     */
    public HostsFileException(String message) {
        super(ErrorKind.LOCAL_CONFIG, message);
    }
}
