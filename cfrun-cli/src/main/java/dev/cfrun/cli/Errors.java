package dev.cfrun.cli;

import dev.cfrun.client.CfRunException;

import java.util.List;

/** One readable line per error (no stack traces for users). */
final class Errors {
    private Errors() {
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        StringBuilder sb = new StringBuilder(m.replace('\n', ' '));
        if (e instanceof CfRunException c) {
            List<String> causes = c.likelyCauses();
            if (!causes.isEmpty()) {
                sb.append(" — likely causes: ").append(String.join("; ", causes));
            }
        }
        return sb.toString();
    }
}
