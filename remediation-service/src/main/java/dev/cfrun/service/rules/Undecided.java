package dev.cfrun.service.rules;

/**
 * An alert a rule cannot decide: a template it cannot fill, a regex that gave up; the alert is skipped with the
 * message (one line).
 */
final class Undecided extends Exception {
    private static final long serialVersionUID = 1L;

    Undecided(String message) {
        super(message, null, false, false);
    }
}
