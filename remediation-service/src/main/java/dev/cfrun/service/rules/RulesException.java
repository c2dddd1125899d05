package dev.cfrun.service.rules;

import java.util.List;

/**
 * A rules file that cannot be used: each error one line, {@code FILE:LINE:COLUMN: WHERE: WHAT} (e.g.
 * {@code rules.yml:12:5: rules[0].matchers[1]: unknown operator "~="}), or {@code FILE: WHAT} when it has no
 * place (unreadable, too large).
 */
public final class RulesException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> errors;

    /**
     * @param errors at least one; control characters (from the file) become '?' and long lines are cut
     */
    RulesException(List<String> errors) {
        super(Messages.line(errors.get(0)) + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        this.errors = errors.stream().map(Messages::line).toList();
    }

    /**
     * Every error found, in the order of the file.
     *
     * @return the lines
     */
    public List<String> errors() {
        return errors;
    }
}
