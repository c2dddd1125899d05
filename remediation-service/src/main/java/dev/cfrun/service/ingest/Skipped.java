package dev.cfrun.service.ingest;

/**
 * A firing alert that produced no trigger, and why (reported and recorded, never guessed around).
 *
 * @param alert  the alert
 * @param reason one line, e.g. {@code no label cfrun_host or instance}
 */
public record Skipped(Alert alert, String reason) {
}
