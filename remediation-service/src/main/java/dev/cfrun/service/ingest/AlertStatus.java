package dev.cfrun.service.ingest;

/** An alert's (or a whole delivery's) state as Alertmanager reports it. */
public enum AlertStatus {
    /** The alert fires: a repair may be wanted. */
    FIRING,
    /** The alert has ended ({@code send_resolved: true}): recorded, never run. */
    RESOLVED;

    /** The status of Alertmanager's text, or null if it is neither "firing" nor "resolved". */
    static AlertStatus of(String text) {
        return switch (text) {
            case "firing" -> FIRING;
            case "resolved" -> RESOLVED;
            default -> null;
        };
    }
}
