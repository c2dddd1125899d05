package dev.cfrun.service.store;

/** The store cannot do its work: unreadable, corrupt or foreign database, failed write. */
public class StoreException extends RuntimeException {
    /**
     * @param message a one-line reason fit for a log or an operator
     * @param cause   the underlying error, or {@code null}
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message a one-line reason fit for a log or an operator
     */
    public StoreException(String message) {
        super(message);
    }
}
