package dev.cfrun.service.rules;

/** A value of the rules file that cannot be used (a matcher, a regex, a template); the message is one line. */
final class InvalidRule extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidRule(String message) {
        super(message);
    }
}
